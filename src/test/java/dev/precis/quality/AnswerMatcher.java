package dev.precis.quality;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Finds gold answers in a text as whole words, the "answer kept" measure of the eval README.
 *
 * <p>Both the answers and the text are normalised the same way: Unicode NFKC, lowercase ({@link Locale#ROOT}),
 * every run of whitespace collapsed to one space, leading and trailing whitespace removed. An answer matches at a
 * position when the character before the match and the character after it are not letters or digits (or the match
 * is at the start or end of the text). The test is on the neighbouring characters only, so an answer that itself
 * starts or ends with a non-word character ("$5", "U.S.", "(b)") still needs a non-word neighbour there: "no" is not
 * found in "know", "U.S." is found in "the U.S. army" but not in "U.S.A", and "$5" is not found in "$50".
 *
 * <p>The answers are normalised once, when the matcher is made; a matcher is immutable and thread-safe.
 */
public final class AnswerMatcher {

  private final List<String> answers;

  private AnswerMatcher(List<String> normalisedAnswers) {
    this.answers = normalisedAnswers;
  }

  /** A matcher for the given answers; blank answers are ignored. */
  public static AnswerMatcher of(List<String> answers) {
    List<String> normalised = new ArrayList<>(answers.size());
    for (String a : answers) {
      if (a == null) continue;
      String n = normalize(a);
      if (!n.isEmpty() && !normalised.contains(n)) normalised.add(n);
    }
    return new AnswerMatcher(List.copyOf(normalised));
  }

  /** The normalised answers this matcher looks for. */
  public List<String> answers() {
    return answers;
  }

  /** True when {@code text} contains one of the answers as whole words. */
  public boolean matches(String text) {
    return matchesNormalized(normalize(text));
  }

  /** Like {@link #matches} for a text that is already {@link #normalize normalised}. */
  public boolean matchesNormalized(String normalizedText) {
    for (String a : answers) {
      if (find(normalizedText, a, 0) >= 0) return true;
    }
    return false;
  }

  /**
   * The earliest index in {@code normalizedText} where any of the answers occurs as whole words, or -1 when none
   * does; the text must be {@link #normalize normalised}. For answers ["paris", "london"] in "london and paris", 0.
   */
  public int firstIndexNormalized(String normalizedText) {
    int first = -1;
    for (String a : answers) {
      int i = find(normalizedText, a, 0);
      if (i >= 0 && (first < 0 || i < first)) first = i;
    }
    return first;
  }

  /**
   * The first index at or after {@code from} where {@code needle} occurs in {@code haystack} with a non-letter,
   * non-digit character (or the text edge) on both sides; -1 when there is none. Both must be normalised.
   */
  public static int find(String haystack, String needle, int from) {
    if (needle.isEmpty()) return -1;
    int i = haystack.indexOf(needle, from);
    while (i >= 0) {
      int end = i + needle.length();
      boolean startOk = i == 0 || !Character.isLetterOrDigit(haystack.codePointBefore(i));
      boolean endOk = end == haystack.length() || !Character.isLetterOrDigit(haystack.codePointAt(end));
      if (startOk && endOk) return i;
      i = haystack.indexOf(needle, i + 1);
    }
    return -1;
  }

  /** NFKC, lowercase, whitespace runs collapsed to one space, trimmed. */
  public static String normalize(String s) {
    String n = Normalizer.normalize(s, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    return collapseWhitespace(n);
  }

  /** Every run of whitespace (Unicode white space and space separators) replaced by one space; trimmed. */
  public static String collapseWhitespace(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    boolean pendingSpace = false;
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
        pendingSpace = sb.length() > 0;
      } else {
        if (pendingSpace) sb.append(' ');
        pendingSpace = false;
        sb.appendCodePoint(cp);
      }
    }
    return sb.toString();
  }

  /**
   * The first sentence of {@code text} (split by {@link Sentences#split}) that contains one of the answers as whole
   * words, or null when no single sentence does.
   */
  public String firstSentenceWithAnswer(String text) {
    for (String sentence : Sentences.split(text)) {
      if (matches(sentence)) return sentence;
    }
    return null;
  }

  /**
   * Whether {@code sentence} appears verbatim in {@code output}, comparing with whitespace runs collapsed on both
   * sides (so a renderer that re-spaces text is not penalised); case and characters must be identical.
   */
  public static boolean containsVerbatim(String output, String sentence) {
    return collapseWhitespace(output).contains(collapseWhitespace(sentence));
  }
}
