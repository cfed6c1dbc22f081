package dev.precis.rank;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Identifiers as whole tokens: ids, SKUs, UUIDs, hashes, e-mail addresses, version and other numbers, snake_case and
 * camelCase names. Lucene's English analyzer cuts {@code ORD-1234-XY} into three terms and joins {@code
 * customer.email} into one; in structured data an identifier must match exactly, as a whole, and a dotted path or a
 * camelCase key must match its words. So structured units are analysed twice: their words ({@link #words}), and their
 * identifiers ({@link #of}) as extra terms that only an identical identifier in the question matches.
 *
 * <p>An identifier is a run of letters, digits and {@code _ . @ / + # -} that starts and ends with a letter or digit and
 * holds a digit, or one of {@code _ @ # +}, or an inner {@code - . /}, or a lowercase letter followed by an uppercase
 * one (camelCase). Identifiers are lowercased.
 */
public final class Identifiers {
  private Identifiers() {}

  /** The identifiers of {@code text}, lowercased, in order of first occurrence. */
  public static Set<String> of(String text) {
    Set<String> out = new LinkedHashSet<>();
    int n = text.length();
    int i = 0;
    while (i < n) {
      char c = text.charAt(i);
      if (!Character.isLetterOrDigit(c)) {
        i++;
        continue;
      }
      int start = i;
      while (i < n && tokenChar(text.charAt(i))) i++;
      int end = i;
      while (end > start && !Character.isLetterOrDigit(text.charAt(end - 1))) end--;
      if (identifier(text, start, end)) out.add(text.substring(start, end).toLowerCase(Locale.ROOT));
    }
    return out;
  }

  /**
   * Whether an identifier (as {@link #of} gives it) reads as a name from code or a file system rather than as a word
   * of prose: it holds one of {@code _ . / @ # +}, or letters and digits together ({@code pg_hba.conf}, {@code
   * asyncio.loop}, {@code win1258}). A bare number ({@code 1990}), a hyphenated word ({@code co-founded}) or a
   * camelCase name ({@code McDonald}) is a word of the language as often as a code.
   */
  public static boolean codeLike(String identifier) {
    boolean letter = false;
    boolean digit = false;
    for (int i = 0; i < identifier.length(); i++) {
      char c = identifier.charAt(i);
      if (c == '_' || c == '.' || c == '/' || c == '@' || c == '#' || c == '+') return true;
      letter |= Character.isLetter(c);
      digit |= Character.isDigit(c);
    }
    return letter && digit;
  }

  private static boolean tokenChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '@' || c == '/' || c == '+' || c == '#'
        || c == '-';
  }

  private static boolean identifier(String text, int start, int end) {
    if (end - start < 2) return end > start && Character.isDigit(text.charAt(start));
    boolean previousLower = false;
    for (int i = start; i < end; i++) {
      char c = text.charAt(i);
      if (Character.isDigit(c) || c == '_' || c == '@' || c == '#' || c == '+') return true;
      if ((c == '-' || c == '.' || c == '/') && i > start && i < end - 1) return true;
      if (previousLower && Character.isUpperCase(c)) return true;
      previousLower = Character.isLowerCase(c);
    }
    return false;
  }

  /**
   * The text with identifiers opened into words for the analyzer: {@code . _ / \ [ ] @ #} become spaces and a
   * camelCase boundary gets one, so {@code orders[12].customerEmail} reads {@code orders 12  customer Email}.
   */
  public static String words(String text) {
    StringBuilder out = new StringBuilder(text.length() + 8);
    char previous = ' ';
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '.', '_', '/', '\\', '[', ']', '@', '#' -> out.append(' ');
        default -> {
          if (Character.isUpperCase(c) && Character.isLowerCase(previous)) out.append(' ');
          out.append(c);
        }
      }
      previous = c;
    }
    return out.toString();
  }
}
