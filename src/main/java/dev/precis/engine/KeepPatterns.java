package dev.precis.engine;

import dev.precis.segment.SegmentedDocument;
import dev.precis.segment.Unit;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The request's keep patterns: every unit that overlaps a match must be kept when it fits. Patterns come from
 * callers, so matching runs against a deadline: a pathological pattern stops matching instead of hanging.
 */
final class KeepPatterns {
  private final List<Pattern> patterns;
  private final long budgetNanos;

  private KeepPatterns(List<Pattern> patterns, long budgetNanos) {
    this.patterns = patterns;
    this.budgetNanos = budgetNanos;
  }

  /** @throws IllegalArgumentException naming the pattern when one does not compile */
  static KeepPatterns compile(List<String> sources, long budgetMillis) {
    List<Pattern> compiled = new ArrayList<>(sources.size());
    for (int i = 0; i < sources.size(); i++) {
      String source = sources.get(i);
      if (source == null || source.isEmpty()) {
        throw new IllegalArgumentException("illegal keepPatterns[" + i + "]: empty, must be a regular expression");
      }
      try {
        compiled.add(Pattern.compile(source));
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException("illegal keepPatterns[" + i + "]: " + e.getDescription()
            + " near index " + e.getIndex() + " of '" + source + "'");
      }
    }
    return new KeepPatterns(compiled, budgetMillis * 1_000_000L);
  }

  boolean isEmpty() {
    return patterns.isEmpty();
  }

  /** Per document, the units overlapping a match. */
  BitSet[] forcedUnits(List<SegmentedDocument> documents) {
    BitSet[] forced = new BitSet[documents.size()];
    long deadline = System.nanoTime() + budgetNanos;
    for (SegmentedDocument doc : documents) {
      BitSet units = new BitSet();
      forced[doc.index()] = units;
      if (patterns.isEmpty()) continue;
      CharSequence text = new DeadlineText(doc.text(), deadline);
      for (Pattern pattern : patterns) {
        Matcher matcher = pattern.matcher(text);
        try {
          while (matcher.find()) {
            markOverlapping(doc.units(), matcher.start(), Math.max(matcher.end(), matcher.start() + 1), units);
          }
        } catch (DeadlineText.Expired e) {
          throw new IllegalArgumentException("keepPatterns: matching '" + pattern.pattern()
              + "' took longer than " + budgetNanos / 1_000_000 + " ms; use a simpler pattern");
        } catch (StackOverflowError e) { // java.util.regex recurses per repetition of a group: (a|aa)+ on a long run
          throw new IllegalArgumentException("keepPatterns: matching '" + pattern.pattern()
              + "' recursed too deeply on this text; use a simpler pattern (avoid repeating a group of "
              + "alternatives, for example (a|b)+; use a character class such as [ab]+)");
        }
      }
    }
    return forced;
  }

  private static void markOverlapping(List<Unit> units, int start, int end, BitSet into) {
    int low = 0;
    int high = units.size() - 1;
    while (low <= high) { // first unit whose end > start
      int mid = (low + high) >>> 1;
      if (units.get(mid).end() <= start) low = mid + 1;
      else high = mid - 1;
    }
    for (int u = low; u < units.size() && units.get(u).start() < end; u++) into.set(u);
  }

  /** A text whose reads fail once the deadline has passed, so a runaway regular expression stops. */
  private static final class DeadlineText implements CharSequence {
    static final class Expired extends RuntimeException {
      Expired() {
        super(null, null, false, false);
      }
    }

    private final String text;
    private final long deadline;
    private int reads;

    DeadlineText(String text, long deadline) {
      this.text = text;
      this.deadline = deadline;
    }

    @Override
    public char charAt(int index) {
      if ((++reads & 0xFFF) == 0 && System.nanoTime() > deadline) throw new Expired();
      return text.charAt(index);
    }

    @Override
    public int length() {
      return text.length();
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return new DeadlineText(text.substring(start, end), deadline);
    }

    @Override
    public String toString() {
      return text;
    }
  }
}
