package dev.precis.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Randomized check of the segmenter's contract over replayable inputs mixing words, punctuation, line breaks,
 * markdown markers, CJK, RTL, emoji, combining marks, lone surrogates and control characters.
 *
 * <p>Replay a failure with {@code -Dtests.seed=<seed>} (decimal or 0x-hex, printed in every assertion message);
 * {@code -Dtests.iterations=N} changes the number of documents (default 400).
 *
 * <p>The contract checked by {@link #assertInvariants}: ordinals are 0..n-1; units are in text order and do not
 * overlap; each unit is non-empty, inside the text, and neither starts nor ends with whitespace ({@link
 * Character#isWhitespace} or {@link Character#isSpaceChar}); every character outside all units is whitespace, so every
 * other character is covered exactly once; no unit boundary falls between the halves of a surrogate pair; paragraph
 * numbers start at 0 and grow by 0 or 1, units of one paragraph share a kind, and the section grows by exactly 1 at the
 * first unit of each HEADING block and stays the same otherwise. Length: every unit, of every kind, is at most {@code
 * maxUnitChars} chars; the single allowed exception is a unit of exactly {@code maxUnitChars + 1} chars ending with a
 * surrogate pair that the limit would have cut in half (only possible when no earlier cut point exists, e.g. {@code
 * maxUnitChars} = 1 and an emoji).
 */
class SegmenterInvariantTest {

  private static final long DEFAULT_SEED = 0x5EC3E77E5L;

  private static final int[] MAX_UNIT_CHARS = {1, 2, 3, 4, 7, 16, 50, 120, 400, 5000};

  private static final String[] WORDS = {
    "the", "quick", "Brown", "fox", "jumps", "Over", "lazy", "dog", "Mr.", "Dr.", "Prof.", "e.g.", "i.e.", "U.S.",
    "a.m.", "etc.", "vs.", "J.", "R.", "3.14", "v2.0.1", "1,000", "...", "\u2026", "\"Hi.\"", "(see below)",
    "[1]", "don't", "na\u00EFve", "x", "I", "http://example.com/a.b", "foo.bar()", "`code`", "**bold**", "_it_"
  };

  private static final String[] PUNCTUATION = {
    ". ", "? ", "! ", ".", "?!", ", ", "; ", ": ", " \u2013 ", " \u2014 ", "\u3002", "\uFF01", "\uFF1F", "\uFF0C",
    "\u3001", "\u061F ", "\u060C ", "...", " . . . ", "\" ", "') ", "\u201D "
  };

  private static final String[] LINE_BREAKS = {"\n", "\n\n", "\r\n", "\r\n\r\n", "\r", "\n \n", "\n\t\n", "\n\n\n"};

  private static final String[] LINE_STARTS = {
    "# ", "## ", "###### ", "####### ", "#", "```", "```java", "````", "~~~", "- ", "* ", "+ ", "1. ", "2) ",
    "1234567890. ", "| ", "|---|---|", "a | b", "--- | ---", "---", "***", "- - -", "===", "    ", "\t", "  - ",
    "> ", "   ```"
  };

  private static final String[] EXOTIC = {
    "\u6C49\u5B57\u6D4B\u8BD5\u6587\u672C", "\u3053\u308C\u306F\u65E5\u672C\u8A9E", "\uD55C\uAD6D\uC5B4",
    "\u0645\u0631\u062D\u0628\u0627 \u0628\u0643\u0645", "\u05E9\u05DC\u05D5\u05DD \u05E2\u05D5\u05DC\u05DD",
    "\uD83D\uDE00", "\uD83D\uDC4D\uD83C\uDFFD", "\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67",
    "\uD83C\uDDFA\uD83C\uDDF8\uD83C\uDDEC\uD83C\uDDE7", "e\u0301", "\u0301", "\u20DD", "\uD834\uDD67",
    "1\uFE0F\u20E3", "\u200B", "\uFEFF", "\u200D", "\u00A0", "\u3000", "\u2028", "\u2029", "\u0085", "\u000B",
    "\f", "\u001C", "\uD800", "\uDC00", "\uDBFF\uDBFF", "\u0000", "\u0007", "\u007F", "\uFFFD", "\u202E", "\u200F"
  };

  @Test
  void randomDocumentsKeepTheContract() {
    String property = System.getProperty("tests.seed");
    long seed = property == null || property.isBlank() ? DEFAULT_SEED : Long.decode(property.trim());
    int iterations = Integer.getInteger("tests.iterations", 400);
    Set<UnitKind> kindsSeen = EnumSet.noneOf(UnitKind.class);
    for (int iteration = 0; iteration < iterations; iteration++) {
      Random random = new Random(seed * 0x9E3779B97F4A7C15L + iteration);
      String text = randomDocument(random);
      int max = MAX_UNIT_CHARS[random.nextInt(MAX_UNIT_CHARS.length)];
      String context =
          "seed=0x" + Long.toHexString(seed) + " iteration=" + iteration + " maxUnitChars=" + max
              + " (replay with -Dtests.seed=0x" + Long.toHexString(seed) + ") text=" + preview(text);
      Segmenter segmenter = new Segmenter(max);
      List<Unit> units;
      try {
        units = segmenter.segment(text);
      } catch (RuntimeException e) {
        throw new AssertionError(context + ": threw " + e, e);
      }
      assertInvariants(context, text, max, units);
      assertEquals(units, segmenter.segment(text), () -> context + ": not deterministic");
      for (Unit u : units) kindsSeen.add(u.kind());
    }
    if (iterations >= 100) {
      // The prose segmenter's kinds; the structured ones come from their own segmenters.
      assertEquals(EnumSet.range(UnitKind.HEADING, UnitKind.LIST), kindsSeen,
          "seed=0x" + Long.toHexString(seed) + ": kinds produced");
    }
  }

  /** Checks the segmenter's contract (see the class comment) for {@code units} of {@code text}. */
  static void assertInvariants(String context, String text, int max, List<Unit> units) {
    int previousEnd = 0;
    int previousParagraph = -1;
    int previousSection = 0;
    UnitKind previousKind = null;
    for (int i = 0; i < units.size(); i++) {
      Unit u = units.get(i);
      int index = i;
      int end = previousEnd;
      int paragraph = previousParagraph;
      Supplier<String> where = () -> context + ": unit " + index + " " + u;
      assertEquals(i, u.ordinal(), () -> where.get() + ": wrong ordinal");
      assertTrue(u.start() >= end, () -> where.get() + ": overlaps or is out of order (previous end " + end + ")");
      assertTrue(u.end() <= text.length(), () -> where.get() + ": ends after the text (" + text.length() + ")");
      assertOnlyWhitespace(context, text, previousEnd, u.start());
      assertTrue(!isWs(text.charAt(u.start())), () -> where.get() + ": starts with whitespace");
      assertTrue(!isWs(text.charAt(u.end() - 1)), () -> where.get() + ": ends with whitespace");
      assertTrue(!splitsPair(text, u.start()), () -> where.get() + ": starts inside a surrogate pair");
      assertTrue(!splitsPair(text, u.end()), () -> where.get() + ": ends inside a surrogate pair");
      if (u.length() > max) {
        boolean pairAtLimit =
            u.length() == max + 1
                && Character.isHighSurrogate(text.charAt(u.end() - 2))
                && Character.isLowSurrogate(text.charAt(u.end() - 1));
        assertTrue(pairAtLimit, () -> where.get() + ": " + u.length() + " chars, over maxUnitChars " + max);
      }
      boolean newBlock = u.paragraph() != previousParagraph;
      assertTrue(
          u.paragraph() == previousParagraph || u.paragraph() == previousParagraph + 1,
          () -> where.get() + ": paragraph jumps from " + paragraph);
      if (!newBlock) assertEquals(previousKind, u.kind(), () -> where.get() + ": kind changes inside a block");
      int expectedSection = newBlock && u.kind() == UnitKind.HEADING ? previousSection + 1 : previousSection;
      assertEquals(expectedSection, u.section(), () -> where.get() + ": wrong section");
      previousEnd = u.end();
      previousParagraph = u.paragraph();
      previousSection = u.section();
      previousKind = u.kind();
    }
    assertOnlyWhitespace(context, text, previousEnd, text.length());
  }

  static boolean isWs(char c) {
    return Character.isWhitespace(c) || Character.isSpaceChar(c);
  }

  private static void assertOnlyWhitespace(String context, String text, int from, int to) {
    for (int p = from; p < to; p++) {
      if (!isWs(text.charAt(p))) {
        fail(context + ": char U+" + String.format("%04X", (int) text.charAt(p)) + " at " + p + " is in no unit");
      }
    }
  }

  private static boolean splitsPair(String text, int p) {
    return p > 0
        && p < text.length()
        && Character.isHighSurrogate(text.charAt(p - 1))
        && Character.isLowSurrogate(text.charAt(p));
  }

  private static String randomDocument(Random random) {
    int tokens = random.nextInt(10) == 0 ? 2000 + random.nextInt(3000) : random.nextInt(400);
    StringBuilder sb = new StringBuilder();
    boolean lineStart = true;
    for (int t = 0; t < tokens; t++) {
      int roll = random.nextInt(100);
      if (lineStart && roll < 30) {
        sb.append(pick(random, LINE_STARTS));
        lineStart = false;
      } else if (roll < 40) {
        sb.append(pick(random, WORDS));
      } else if (roll < 55) {
        sb.append(random.nextInt(4) == 0 ? "  " : " ");
      } else if (roll < 65) {
        sb.append(pick(random, PUNCTUATION));
      } else if (roll < 77) {
        sb.append(pick(random, LINE_BREAKS));
        lineStart = true;
        continue;
      } else if (roll < 90) {
        sb.append(pick(random, EXOTIC));
      } else if (roll < 93) {
        String unit = random.nextBoolean() ? pick(random, EXOTIC) : pick(random, WORDS);
        sb.append(unit.repeat(20 + random.nextInt(300)));
      } else if (roll < 97) {
        sb.append((char) random.nextInt(0x10000));
      } else {
        sb.append((char) random.nextInt(0x80));
      }
      lineStart = false;
    }
    return sb.toString();
  }

  private static String pick(Random random, String[] options) {
    return options[random.nextInt(options.length)];
  }

  private static String preview(String text) {
    StringBuilder sb = new StringBuilder("\"");
    int limit = Math.min(text.length(), 400);
    for (int i = 0; i < limit; i++) {
      char c = text.charAt(i);
      if (c >= 0x20 && c < 0x7F && c != '\\' && c != '"') {
        sb.append(c);
      } else {
        sb.append(String.format("\\u%04X", (int) c));
      }
    }
    if (limit < text.length()) sb.append("...(").append(text.length()).append(" chars)");
    return sb.append('"').toString();
  }
}
