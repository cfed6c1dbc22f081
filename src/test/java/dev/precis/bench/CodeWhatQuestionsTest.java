package dev.precis.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How {@code code-what} turns a javadoc into the sentence its question is made of (StructuredSets). */
class CodeWhatQuestionsTest {

  @Test
  void theFirstSentenceReadsInlineTagsAsPlainWords() {
    List<String> javadoc = List.of(
        "     * Returns a copy of this {@code OffsetDateTime} with the specified",
        "     * number of <em>seconds</em> added, as {@link #plusMinutes(long) the minutes one} does. More text.",
        "     *",
        "     * @param seconds  the seconds to add, may be negative",
        "     */");
    assertEquals("Returns a copy of this OffsetDateTime with the specified number of seconds added, as the minutes one "
        + "does.", StructuredSets.firstSentence(javadoc));
  }

  @Test
  void aLinkWithoutALabelReadsAsItsMember() {
    assertEquals("check", StructuredSets.tagText("{@link #check(int, long)}", "#check(int, long)"));
    assertEquals("Type.member", StructuredSets.tagText("{@link Type#member(int)}", "Type#member(int)"));
    assertEquals("List", StructuredSets.tagText("{@linkplain List}", "List"));
    assertEquals("the list", StructuredSets.tagText("{@link List the list}", "List the list"));
  }

  @Test
  void theSentenceStopsAtTheFirstTagLineOrBlankLine() {
    assertEquals("Compares this object against the specified object here.",
        StructuredSets.firstSentence(List.of("     * Compares this object against the specified object here.",
            "     *", "     * Further detail that is not read.", "     */")));
  }

  @Test
  void onlySentencesOpeningWithAVerbInTheThirdPersonOfSixToThirtyWordsQualify() {
    assertNull(StructuredSets.firstSentence(List.of("     * The number of seconds in this duration value.", "     */")));
    assertNull(StructuredSets.firstSentence(List.of("     * Returns the size.", "     */")));
    assertNull(StructuredSets.firstSentence(List.of("     * Returns the size of this list without a full stop",
        "     */")));
  }
}
