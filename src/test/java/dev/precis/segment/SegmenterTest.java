package dev.precis.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class SegmenterTest {

  private static final Segmenter WIDE = new Segmenter(1000);

  private static List<Unit> check(Segmenter segmenter, String text) {
    List<Unit> units = segmenter.segment(text);
    String shown = text.length() <= 300 ? text : text.substring(0, 300) + "...";
    String context = "maxUnitChars=" + segmenter.maxUnitChars() + " text=" + shown;
    SegmenterInvariantTest.assertInvariants(context, text, segmenter.maxUnitChars(), units);
    return units;
  }

  private static List<String> texts(Segmenter segmenter, String text) {
    List<String> out = new ArrayList<>();
    for (Unit u : check(segmenter, text)) out.add(u.textOf(text));
    return out;
  }

  private static List<String> sentences(String text) {
    return texts(WIDE, text);
  }

  /** "KIND paragraph section text" per unit, newlines shown as \n. */
  private static void assertNoHeadings(String... texts) {
    for (String text : texts) {
      for (String d : describe(WIDE, text)) assertFalse(d.startsWith("HEADING"), () -> text + " -> " + d);
    }
  }

  private static List<String> describe(Segmenter segmenter, String text) {
    List<String> out = new ArrayList<>();
    for (Unit u : check(segmenter, text)) {
      out.add(u.kind() + " " + u.paragraph() + " " + u.section() + " " + u.textOf(text).replace("\n", "\\n"));
    }
    return out;
  }

  // ---------------------------------------------------------------- construction and trivial input

  @Test
  void rejectsNonPositiveMaxUnitChars() {
    IllegalArgumentException zero = assertThrows(IllegalArgumentException.class, () -> new Segmenter(0));
    assertEquals("illegal maxUnitChars: 0, must be > 0", zero.getMessage());
    IllegalArgumentException negative = assertThrows(IllegalArgumentException.class, () -> new Segmenter(-5));
    assertEquals("illegal maxUnitChars: -5, must be > 0", negative.getMessage());
    assertEquals(1, new Segmenter(1).maxUnitChars());
  }

  @Test
  void rejectsNullText() {
    assertThrows(IllegalArgumentException.class, () -> WIDE.segment(null));
  }

  @Test
  void emptyOrWhitespaceTextHasNoUnits() {
    assertEquals(List.of(), WIDE.segment(""));
    assertEquals(List.of(), WIDE.segment(" \n\t\r\n\u00A0\u3000\u2007\u000B\f\n\n"));
  }

  @Test
  void unitsAreUnmodifiable() {
    List<Unit> units = WIDE.segment("One. Two.");
    assertThrows(UnsupportedOperationException.class, units::clear);
  }

  // ---------------------------------------------------------------- sentences

  @Test
  void splitsPlainSentencesAndTrimsThem() {
    String text = "  The cat sat.  The dog ran!   Did it?  ";
    List<Unit> units = check(WIDE, text);
    assertEquals(3, units.size());
    assertEquals(List.of("The cat sat.", "The dog ran!", "Did it?"), sentences(text));
    Unit first = units.get(0);
    assertEquals(new Unit(0, UnitKind.SENTENCE, 2, 14, 0, 0), first);
  }

  @Test
  void doesNotBreakAfterAbbreviations() {
    assertEquals(
        List.of(
            "Mr. Smith met Dr. Jones and Mrs. Brown at 5 p.m. on Main St. near the U.S. border, e.g. here.",
            "Prof. Lee cited Fig. 3 and No. 7 vs. the rest, i.e. most of them.",
            "Acme Inc. and Foo Ltd. merged with Bar Co. in 1999.",
            "Ms. Gray met Sam Smith Jr. and Bob Smith Sr. yesterday."),
        sentences(
            "Mr. Smith met Dr. Jones and Mrs. Brown at 5 p.m. on Main St. near the U.S. border, e.g. here. "
                + "Prof. Lee cited Fig. 3 and No. 7 vs. the rest, i.e. most of them. "
                + "Acme Inc. and Foo Ltd. merged with Bar Co. in 1999. "
                + "Ms. Gray met Sam Smith Jr. and Bob Smith Sr. yesterday."));
    assertEquals(List.of("It was 9 a.m. Monday.", "E.g. Python works."), sentences("It was 9 a.m. Monday. E.g. Python works."));
  }

  @Test
  void doesNotBreakAfterInitialsButDoesAfterThePronounI() {
    assertEquals(
        List.of("J. R. R. Tolkien wrote books.", "So did I.", "Then we left."),
        sentences("J. R. R. Tolkien wrote books. So did I. Then we left."));
  }

  @Test
  void doesNotBreakInsideDecimalsVersionsOrDottedNames() {
    assertEquals(
        List.of("Pi is about 3.14 today.", "Version v2.0.1 shipped on example.com today.", "Next."),
        sentences("Pi is about 3.14 today. Version v2.0.1 shipped on example.com today. Next."));
  }

  @Test
  void doesNotBreakInsideEllipses() {
    assertEquals(
        List.of("Wait . . . what happened?", "I wonder... maybe not.", "Hmm\u2026 fine."),
        sentences("Wait . . . what happened? I wonder... maybe not. Hmm\u2026 fine."));
  }

  @Test
  void keepsClosingQuotesAndBracketsWithTheirSentence() {
    assertEquals(
        List.of(
            "He said \"Hello there.\"",
            "Then he left.",
            "(It was late.)",
            "She said \u201CGood night.\u201D",
            "\u300C\u3053\u3093\u306B\u3061\u306F\u3002\u300D",
            "\u3068\u5F7C\u306F\u8A00\u3063\u305F\u3002"),
        sentences(
            "He said \"Hello there.\" Then he left. (It was late.) She said \u201CGood night.\u201D "
                + "\u300C\u3053\u3093\u306B\u3061\u306F\u3002\u300D\u3068\u5F7C\u306F\u8A00\u3063\u305F\u3002"));
  }

  @Test
  void doesNotBreakBeforeALowercaseWord() {
    assertEquals(List.of("\u201CReally?\u201D she asked.", "Yes."), sentences("\u201CReally?\u201D she asked. Yes."));
  }

  @Test
  void joinsTheLinesOfAParagraph() {
    assertEquals(
        List.of("This sentence runs\nover two lines.", "And this one\ntoo."),
        sentences("This sentence runs\nover two lines. And this one\ntoo."));
  }

  // ---------------------------------------------------------------- markdown blocks

  @Test
  void markdownBlocksGetKindsParagraphsAndSections() {
    String text =
        """
        Preamble sentence. Another one.

        # Title

        Intro para one. Second sentence.

        ```java
        # not a heading

        int x = 1;
        ```

        | a | b |
        |---|---|
        | 1 | 2 |

        - item one
          continued
        - item two
          - nested

        - loose item after a blank line

        ## Second
        Text right after the heading.
        ### Third
        Setext heading
        ==============

            indented code
            more code

        1. first
        2) second

        End.
        """;
    assertEquals(
        List.of(
            "SENTENCE 0 0 Preamble sentence.",
            "SENTENCE 0 0 Another one.",
            "HEADING 1 1 # Title",
            "SENTENCE 2 1 Intro para one.",
            "SENTENCE 2 1 Second sentence.",
            "CODE 3 1 ```java\\n# not a heading\\n\\nint x = 1;\\n```",
            "TABLE 4 1 | a | b |\\n|---|---|\\n| 1 | 2 |",
            "LIST 5 1 - item one\\n  continued\\n- item two\\n  - nested\\n\\n- loose item after a blank line",
            "HEADING 6 2 ## Second",
            "SENTENCE 7 2 Text right after the heading.",
            "HEADING 8 3 ### Third",
            "HEADING 9 4 Setext heading\\n==============",
            "CODE 10 4 indented code\\n    more code",
            "LIST 11 4 1. first\\n2) second",
            "SENTENCE 12 4 End."),
        describe(WIDE, text));
  }

  @Test
  void headingLinesAreBlocksEvenWithoutBlankLines() {
    assertEquals(
        List.of(
            "HEADING 0 1 # A",
            "SENTENCE 1 1 Text one.",
            "HEADING 2 2 ## B",
            "SENTENCE 3 2 Text two.",
            "SENTENCE 3 2 More.",
            "HEADING 4 3 #",
            "SENTENCE 5 3 #hashtag is not a heading, nor is ####### seven."),
        describe(WIDE, "# A\nText one.\n## B\nText two. More.\n#\n#hashtag is not a heading, nor is ####### seven."));
  }

  @Test
  void plainTextHeadingsOpenSections() {
    String paper = "Introduction\nSocial media platforms have made the spreading of fake news easier and faster.\n"
        + "The main obstacle is the mix of real and misleading news. It is hard.\n"
        + "Data Collection ::: Twitter (2019)\nWe collected tweets from public accounts over two years, by hand.";
    assertEquals(
        List.of(
            "HEADING 0 1 Introduction",
            "SENTENCE 1 1 Social media platforms have made the spreading of fake news easier and faster.",
            "SENTENCE 1 1 The main obstacle is the mix of real and misleading news.",
            "SENTENCE 1 1 It is hard.",
            "HEADING 2 2 Data Collection ::: Twitter (2019)",
            "SENTENCE 3 2 We collected tweets from public accounts over two years, by hand."),
        describe(WIDE, paper));
  }

  @Test
  void plainTextHeadingsNeedAShortLineBeforeClearlyLongerText() {
    // Hard-wrapped prose: a short line inside a paragraph that does not follow a sentence end is no heading.
    String wrapped = "The committee met on Monday and decided that\nthe budget for the next year would be reduced by "
        + "ten percent across all departments.";
    assertEquals(List.of("SENTENCE 0 0 " + wrapped.replace("\n", "\\n")), describe(WIDE, wrapped));
    // Lines of similar length, a line ending in punctuation, a lowercase start, too many words: no headings.
    assertNoHeadings(
        "Short line here\nAnother short line",
        "Results:\nThe model wins on every dataset that we have tried so far, by a wide margin.",
        "introduction\nThe model wins on every dataset that we have tried so far, by a wide margin.",
        "One two three four five six seven eight nine ten eleven\nThe model wins on every dataset that we have "
            + "tried so far, by a wide margin and then some more words.");
  }

  @Test
  void aTitleLineOpeningABlockHeadsAChunkCutMidSentence() {
    String pasted = "Anterior cranial fossa\nof the skull, it houses the frontal lobes of the brain.\n\n"
        + "Greaser (subculture)\nand the 1979 film \"The Wanderers\" made the look famous again.";
    assertEquals(List.of(
            "HEADING 0 1 Anterior cranial fossa",
            "SENTENCE 1 1 of the skull, it houses the frontal lobes of the brain.",
            "HEADING 2 2 Greaser (subculture)",
            "SENTENCE 3 2 and the 1979 film \"The Wanderers\" made the look famous again."),
        describe(WIDE, pasted));
    // Not inside a paragraph, not with many words, not on a word that needs more.
    assertNoHeadings(
        "It rained all day.\nAnterior cranial fossa\nof the skull, it houses the frontal lobes of the brain.",
        "The fossa of the human skull base\nof the skull, it houses the frontal lobes of the brain.",
        "The committee met on Monday and\nthe budget for the next year would be reduced by ten percent.");
  }

  @Test
  void aShortLineAloneInItsBlockHeadsTheNextBlock() {
    String converted = "Introduction\n\nSocial media platforms have made the spreading of fake news easier and faster."
        + "\n\nData Collection\n\nWe collected tweets from public accounts over two years, by hand.";
    assertEquals(List.of(
            "HEADING 0 1 Introduction",
            "SENTENCE 1 1 Social media platforms have made the spreading of fake news easier and faster.",
            "HEADING 2 2 Data Collection",
            "SENTENCE 3 2 We collected tweets from public accounts over two years, by hand."),
        describe(WIDE, converted));
    // Not when the next block goes on in lowercase, is short, or the line ends a paragraph.
    assertNoHeadings(
        "Introduction\n\nsocial media platforms have made the spreading of fake news easier and faster.",
        "Introduction\n\nIt is short.",
        "We went home.\nIntroduction\n\nSocial media platforms have made the spreading of fake news easier.");
  }

  @Test
  void anInlineTitleLabelOpeningABlockIsAHeading() {
    String litm = "Document [1](Title: Greaser (subculture)) Greasers are a youth subculture. They wore leather.\n\n"
        + "Document [2](Title: Jeep) of the vehicles, the Jeep is the best known.";
    assertEquals(List.of(
            "HEADING 0 1 Document [1](Title: Greaser (subculture))",
            "SENTENCE 1 1 Greasers are a youth subculture.",
            "SENTENCE 1 1 They wore leather.",
            "HEADING 2 2 Document [2](Title: Jeep)",
            "SENTENCE 3 2 of the vehicles, the Jeep is the best known."),
        describe(WIDE, litm));
    // Inside a paragraph, or far into its line, it is text.
    assertNoHeadings(
        "We went home.\nDocument [1](Title: Jeep) the Jeep is the best known.",
        "A very long opening that runs well past forty characters (Title: Jeep) and more text.");
  }

  @Test
  void pastedPassagesLayoutTitlesTheBlocksWhoseTitleFailsTheLineTest() {
    // Two titles pass the line test; "Reading F.C." ends on a period and the ten-word title runs over a chunk that
    // starts in lowercase. The layout (every block a short line over a longer text) makes them titles too.
    String context = "Reading F.C.\nReading Football Club is a professional football club based in Reading, England."
        + "\n\nMadejski Stadium\nThe Madejski Stadium is a stadium in Reading, England, home of Reading F.C. since"
        + " 1998.\n\n"
        + "List of owners of English football clubs in the league\n"
        + "of the clubs in the Championship, Reading is owned by a Chinese company since 2017, after a decade in which"
        + " it changed hands three times.\n\n"
        + "Elm Park\nElm Park was a football stadium in Reading, and the home of Reading F.C. until 1998.";
    List<String> headings = describe(WIDE, context).stream().filter(d -> d.startsWith("HEADING")).toList();
    assertEquals(List.of("HEADING 0 1 Reading F.C.", "HEADING 2 2 Madejski Stadium",
        "HEADING 4 3 List of owners of English football clubs in the league", "HEADING 6 4 Elm Park"), headings);
  }

  @Test
  void withoutEnoughRecognisedTitlesTheLayoutMakesNoHeadings() {
    // No first line passes the line test: an email, whose short lines end sentences.
    assertNoHeadings(
        "Hi Bob.\nI wanted to ask about the order we placed last week, which has not arrived yet.\n\n"
            + "Thanks.\nWe also need the invoice for the previous order, which our accountant has asked for twice.\n\n"
            + "Best regards.\nAnna, from the purchasing department of the company, in the office next door.");
    // Hard-wrapped prose and stanzas: lines of similar length, so no first line passes as a title.
    assertNoHeadings(
        "The committee met on Tuesday to discuss the budget for the coming\nyear and agreed on most of the items"
            + " that were\nput forward by the treasurer.\n\n"
            + "The second meeting was held a week later and was about the new\nbuilding, which is late and costs more"
            + " than the\ncommittee had been told.\n\n"
            + "A third meeting is planned for the end of the month, when the\nauditors will have finished their"
            + " report on the\naccounts of the last three years.",
        "Roses are red and the sky is blue\nThe sun comes up and the day is new\nThe birds will sing\n\n"
            + "The night is dark and the stars are bright\nThe moon comes up and it gives us light\n"
            + "The owls will sing\n\n"
            + "The year is old and the fields are bare\nThe snow comes down and it fills the air\nNo bird will sing");
  }

  @Test
  void unclosedFenceRunsToTheEnd() {
    String text = "Intro.\n\n```python\nx = 1\n\n# comment\n\n- not a list\n";
    assertEquals(
        List.of("SENTENCE 0 0 Intro.", "CODE 1 0 ```python\\nx = 1\\n\\n# comment\\n\\n- not a list"),
        describe(WIDE, text));
  }

  @Test
  void fencesCloseOnlyWithTheSameMarkerAndLength() {
    String text = "~~~~\n```\n~~~\nstill code\n~~~~\nAfter.";
    assertEquals(
        List.of("CODE 0 0 ~~~~\\n```\\n~~~\\nstill code\\n~~~~", "SENTENCE 1 0 After."), describe(WIDE, text));
    assertEquals(
        List.of("SENTENCE 0 0 ```inline``` is not a fence."), describe(WIDE, "```inline``` is not a fence."));
  }

  @Test
  void listsAndTablesInterruptProse() {
    assertEquals(
        List.of("SENTENCE 0 0 Steps:", "LIST 1 0 1. do this\\n2. do that", "SENTENCE 2 0 Done."),
        describe(WIDE, "Steps:\n1. do this\n2. do that\n\nDone."));
    assertEquals(
        List.of("SENTENCE 0 0 Data:", "TABLE 1 0 name | value\\n--- | ---\\nx | 1"),
        describe(WIDE, "Data:\nname | value\n--- | ---\nx | 1"));
    assertEquals(
        List.of("SENTENCE 0 0 Costs rose 3 - 4 percent\\nand 2020. was a year."),
        describe(WIDE, "Costs rose 3 - 4 percent\nand 2020. was a year."));
  }

  @Test
  void thematicBreaksAreNotLists() {
    assertEquals(
        List.of("SENTENCE 0 0 Above.", "SENTENCE 1 0 ***", "LIST 2 0 - item", "SENTENCE 3 0 - - -"),
        describe(WIDE, "Above.\n***\n- item\n\n- - -"));
  }

  @Test
  void handlesCrlfLineEndings() {
    String text = "# T\r\n\r\nOne. Two.\r\nThree\r\n\r\n- a\r\n- b\r\n\r\n```\r\ncode\r\n```\r\n";
    assertEquals(
        List.of(
            "HEADING 0 1 # T",
            "SENTENCE 1 1 One.",
            "SENTENCE 1 1 Two.",
            "SENTENCE 1 1 Three",
            "LIST 2 1 - a\r\\n- b",
            "CODE 3 1 ```\r\\ncode\r\\n```"),
        describe(WIDE, text));
  }

  // ---------------------------------------------------------------- size limit

  @Test
  void splitsAnOverlongSentenceAtClauseBoundariesThenWhitespace() {
    assertEquals(
        List.of(
            "alpha beta gamma delta,",
            "epsilon zeta eta theta;",
            "iota kappa lambda mu nu xi omicron pi",
            "rho sigma tau upsilon \u2013",
            "phi chi psi omega."),
        texts(
            new Segmenter(40),
            "alpha beta gamma delta, epsilon zeta eta theta; iota kappa lambda mu nu xi omicron pi rho sigma tau "
                + "upsilon \u2013 phi chi psi omega."));
  }

  @Test
  void hardCutsAWordLongerThanTheLimit() {
    assertEquals(List.of("xxxxxxxxxx", "xxxxxxxxxx", "xxxxxxxxxx", "xxxxx"), texts(new Segmenter(10), "x".repeat(35)));
    String word = "abcdefghij".repeat(50_000);
    List<Unit> units = check(new Segmenter(300), word);
    assertEquals(1667, units.size());
    assertTrue(units.stream().allMatch(u -> u.length() <= 300));
  }

  @Test
  void splitsCodeAtLinesTablesAtRowsAndListsAtItems() {
    String code = "```\nline one;\nline two;\nline three;\nline four;\n```";
    assertEquals(
        List.of("CODE 0 0 ```\\nline one;\\nline two;", "CODE 0 0 line three;\\nline four;\\n```"),
        describe(new Segmenter(26), code));
    String table = "| h1 | h2 |\n|----|----|\n| a1 | b1 |\n| a2 | b2 |";
    assertEquals(
        List.of("TABLE 0 0 | h1 | h2 |\\n|----|----|", "TABLE 0 0 | a1 | b1 |\\n| a2 | b2 |"),
        describe(new Segmenter(25), table));
    String list = "- first item\n  more of it\n- second\n- third item here";
    assertEquals(
        List.of("LIST 0 0 - first item\\n  more of it", "LIST 0 0 - second\\n- third item here"),
        describe(new Segmenter(30), list));
    // An item longer than the limit falls back to its lines, a line longer than the limit to sentence splitting.
    String longItem = "- short\n- a much longer item line, with a clause\n  and its continuation";
    assertEquals(
        List.of(
            "LIST 0 0 - short",
            "LIST 0 0 - a much longer item line,",
            "LIST 0 0 with a clause",
            "LIST 0 0 and its continuation"),
        describe(new Segmenter(30), longItem));
  }

  @Test
  void splitsAnOverlongHeadingWithinOneSection() {
    assertEquals(
        List.of("HEADING 0 1 # A heading that is", "HEADING 0 1 far too long", "SENTENCE 1 1 Body."),
        describe(new Segmenter(20), "# A heading that is far too long\n\nBody."));
  }

  // ---------------------------------------------------------------- scripts and odd characters

  @Test
  void cjkSentencesAndCjkWithoutPunctuation() {
    assertEquals(
        List.of("\u8FD9\u662F\u7B2C\u4E00\u53E5\u3002", "\u8FD9\u662F\u7B2C\u4E8C\u53E5\uFF01", "\u7B2C\u4E09\u53E5\uFF1F"),
        sentences("\u8FD9\u662F\u7B2C\u4E00\u53E5\u3002\u8FD9\u662F\u7B2C\u4E8C\u53E5\uFF01\u7B2C\u4E09\u53E5\uFF1F"));
    String cjk = "\u6C49\u5B57\u6D4B\u8BD5\u6587\u672C\u4E2D\u6587".repeat(625);
    assertEquals(5000, cjk.length());
    List<Unit> units = check(new Segmenter(300), cjk);
    assertEquals(17, units.size());
    assertTrue(units.stream().allMatch(u -> u.length() <= 300));
    // Full-width commas are clause boundaries.
    assertEquals(
        List.of("\u6C49\u5B57\u6C49\u5B57\uFF0C", "\u6D4B\u8BD5\u6D4B\u8BD5\u6D4B\u8BD5"),
        texts(new Segmenter(8), "\u6C49\u5B57\u6C49\u5B57\uFF0C\u6D4B\u8BD5\u6D4B\u8BD5\u6D4B\u8BD5"));
  }

  @Test
  void rightToLeftText() {
    assertEquals(
        List.of(
            "\u0645\u0631\u062D\u0628\u0627 \u0628\u0643\u0645.",
            "\u0647\u0630\u0627 \u0627\u062E\u062A\u0628\u0627\u0631\u061F",
            "\u05E9\u05DC\u05D5\u05DD.",
            "\u05DE\u05D4 \u05E9\u05DC\u05D5\u05DE\u05DA?"),
        sentences(
            "\u0645\u0631\u062D\u0628\u0627 \u0628\u0643\u0645. \u0647\u0630\u0627 "
                + "\u0627\u062E\u062A\u0628\u0627\u0631\u061F \u05E9\u05DC\u05D5\u05DD. "
                + "\u05DE\u05D4 \u05E9\u05DC\u05D5\u05DE\u05DA?"));
  }

  @Test
  void neverSplitsSurrogatePairsOrCombiningMarks() {
    String thumbs = "\uD83D\uDC4D\uD83C\uDFFD"; // thumbs up + skin tone: 4 chars
    String accented = "e\u0301\u0301"; // e + two combining acute accents: 3 chars
    String flags = "\uD83C\uDDFA\uD83C\uDDF8\uD83C\uDDEC\uD83C\uDDE7"; // two flags: 8 chars
    String text = ("\uD83D\uDE00" + thumbs + accented + flags + "a\u20DD").repeat(40);
    for (int max : new int[] {4, 5, 6, 7, 9, 13}) {
      Segmenter segmenter = new Segmenter(max);
      for (Unit u : check(segmenter, text)) {
        String where = "max " + max + " " + u;
        assertTrue(u.length() <= max, where);
        int startType = Character.getType(text.codePointAt(u.start()));
        assertTrue(startType != Character.NON_SPACING_MARK && startType != Character.ENCLOSING_MARK, where);
        assertTrue(!Character.isLowSurrogate(text.charAt(u.start())), where);
        assertTrue(!Character.isHighSurrogate(text.charAt(u.end() - 1)), where);
        int cp = text.codePointAt(u.start());
        assertTrue(cp < 0x1F3FB || cp > 0x1F3FF, where + " starts with a skin tone modifier");
      }
    }
    // Flags stay whole: with room for one flag, every unit is exactly one flag.
    for (Unit u : check(new Segmenter(5), flags.repeat(10))) assertEquals(4, u.length());
  }

  @Test
  void aSurrogatePairMayExceedALimitOfOne() {
    String text = "\uD83D\uDE00\uD83D\uDE00a";
    assertEquals(List.of("\uD83D\uDE00", "\uD83D\uDE00", "a"), texts(new Segmenter(1), text));
  }

  @Test
  void survivesControlZeroWidthAndLoneSurrogateCharacters() {
    String text =
        "\uFEFF# BOM heading\n\u0000\u0001 ctrl \uD800 lone \uDC00 x\u200B. Next\u200D one.\n\n\uDBFF\n\n\u007F\t\u0085"
            + "\u2028para\u2029graph. \u202Eevil\u202C. \uFFFF";
    for (int max : new int[] {1, 2, 3, 10, 1000}) {
      check(new Segmenter(max), text);
    }
    assertEquals(UnitKind.HEADING, WIDE.segment(text).get(0).kind());
  }

  @Test
  void wholeFileStress() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      sb.append("## Part ").append(i).append("\n\nSome prose, e.g. this. And more text here.\n\n")
          .append("```\ncode ").append(i).append("\n```\n\n- a\n- b\n\n| x |\n|---|\n\n");
    }
    String text = sb.toString();
    List<Unit> units = check(new Segmenter(50), text);
    assertEquals(200, units.stream().filter(u -> u.kind() == UnitKind.HEADING).count());
    assertEquals(200, units.get(units.size() - 1).section());
    assertEquals(200 * 5 - 1, units.get(units.size() - 1).paragraph());
  }

  // ---------------------------------------------------------------- speed and concurrency

  @Test
  void segmentsAMegabyteOfProseQuickly() {
    String text = prose(1_000_000, new Random(42));
    Segmenter segmenter = new Segmenter(1000);
    long best = Long.MAX_VALUE;
    int count = 0;
    for (int run = 0; run < 5; run++) {
      long t0 = System.nanoTime();
      count = segmenter.segment(text).size();
      best = Math.min(best, System.nanoTime() - t0);
    }
    double ms = best / 1e6;
    System.out.printf("Segmenter: 1 MB of prose -> %d units in %.1f ms%n", count, ms);
    assertTrue(count > 10_000, "units: " + count);
    assertTrue(ms < 1000, "1 MB of prose took " + ms + " ms");
  }

  @Test
  void hostileInputsStayLinear() {
    String[] inputs = {
      "a".repeat(500_000),
      "a" + "\u0301".repeat(500_000),
      "\uD83C\uDDFA\uD83C\uDDF8".repeat(200_000),
      ". ".repeat(400_000),
      ("a, " + "b".repeat(990) + " ").repeat(800),
      "a\n\n".repeat(200_000),
      "- a\n\n".repeat(150_000),
      "```\n".repeat(200_000),
      "|\n".repeat(400_000),
      "a|b\n---|---\n".repeat(80_000),
      "J. ".repeat(300_000),
      "\n    x\n".repeat(120_000),
    };
    for (int max : new int[] {7, 1000}) {
      Segmenter segmenter = new Segmenter(max);
      for (String input : inputs) {
        long t0 = System.nanoTime();
        List<Unit> units = segmenter.segment(input);
        double ms = (System.nanoTime() - t0) / 1e6;
        assertTrue(ms < 5000, input.substring(0, 8) + "... (" + input.length() + " chars) took " + ms + " ms");
        assertTrue(!units.isEmpty());
      }
    }
  }

  @Test
  void isThreadSafe() throws Exception {
    Segmenter segmenter = new Segmenter(120);
    List<String> documents = new ArrayList<>();
    Random random = new Random(7);
    for (int i = 0; i < 16; i++) documents.add("# Doc " + i + "\n\n" + prose(20_000, random) + "\n\n- x\n- y\n");
    List<List<Unit>> expected = new ArrayList<>();
    for (String d : documents) expected.add(segmenter.segment(d));
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int round = 0; round < 4; round++) {
        for (int i = 0; i < documents.size(); i++) {
          int index = i;
          results.add(pool.submit(() -> segmenter.segment(documents.get(index)).equals(expected.get(index))));
        }
      }
      for (Future<Boolean> result : results) assertTrue(result.get());
    } finally {
      pool.shutdownNow();
    }
  }

  private static String prose(int chars, Random random) {
    String[] words = {
      "the", "model", "reads", "a", "long", "context", "and", "keeps", "only", "what", "matters", "for", "answer",
      "question", "Dr.", "Smith", "said", "e.g.", "3.14", "percent", "of", "tokens", "were", "dropped", "safely"
    };
    StringBuilder sb = new StringBuilder(chars + 200);
    while (sb.length() < chars) {
      int n = 5 + random.nextInt(20);
      for (int i = 0; i < n; i++) {
        String w = words[random.nextInt(words.length)];
        if (i == 0) w = Character.toUpperCase(w.charAt(0)) + w.substring(1);
        sb.append(w);
        if (i == n - 1) {
          sb.append(random.nextInt(10) == 0 ? "? " : ". ");
        } else {
          sb.append(random.nextInt(12) == 0 ? ", " : " ");
        }
      }
      if (random.nextInt(8) == 0) sb.append("\n\n");
    }
    return sb.toString();
  }

  /** Line-by-line output whose lines start in lowercase: each line a sentence, not one run-on unit. */
  @Test
  void aLineEndingInATerminatorEndsASentenceBeforeALowercaseLine() {
    Segmenter segmenter = new Segmenter(600);
    assertEquals(List.of("step 1 passed in 3 ms.", "step 2 passed in 6 ms.", "step 3 failed: exit code 137."),
        texts(segmenter, "step 1 passed in 3 ms.\nstep 2 passed in 6 ms.\nstep 3 failed: exit code 137.\n"));
    // wrapped prose keeps its sentences across lines, and an abbreviation at a line end does not break
    assertEquals(List.of("The results, e.g.\nthe ones above, hold.", "They were checked twice."),
        texts(segmenter, "The results, e.g.\nthe ones above, hold. They were checked twice."));
    assertEquals(List.of("A sentence that wraps\nonto a second line."),
        texts(segmenter, "A sentence that wraps\nonto a second line."));
  }
}
