package dev.precis.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.precis.quality.EvalExample;
import dev.precis.quality.EvalExample.Document;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnswerPositionTest {

  private static EvalExample example(List<String> answers, Double answerPosition, Document... documents) {
    return new EvalExample("t-0001", "t", "where?", answers, List.of(documents), answerPosition);
  }

  private static Document untitled(String text) {
    return new Document("d0", "", text, null);
  }

  private static double position(EvalExample example) {
    return AnswerPosition.of(example).orElseThrow();
  }

  @Test
  void positionIsTheFirstWholeWordAnswerOverTheNormalisedContextLength() {
    // "London.\n\nParis." normalises to "london. paris." (14 characters); "paris" starts at 8.
    assertEquals(8.0 / 14, position(example(List.of("Paris"), null, untitled("London.\n\nParis."))), 1e-12);
  }

  @Test
  void theEarliestOfSeveralAnswersCounts() {
    assertEquals(0.0, position(example(List.of("Paris", "London"), null, untitled("London and Paris"))), 1e-12);
  }

  @Test
  void onlyWholeWordsCount() {
    // "no" inside "know" is skipped; the whole word starts at 5 of "know no" (7 characters).
    assertEquals(5.0 / 7, position(example(List.of("no"), null, untitled("know no"))), 1e-12);
  }

  @Test
  void offsetsAreTakenInTheNormalisedText() {
    // NFKC turns the full-width letters into "paris"; the whitespace runs collapse: "a b paris" (9 characters).
    String text = "  A \t\n b\u00A0 \uFF30\uFF21\uFF32\uFF29\uFF33 ";
    assertEquals(4.0 / 9, position(example(List.of("Paris"), null, untitled(text))), 1e-12);
  }

  @Test
  void theFullContextHoldsTitlesAndEveryDocument() {
    // "alpha\nx y\n\nbeta\nparis" normalises to "alpha x y beta paris" (20 characters); "paris" starts at 15.
    EvalExample e = example(List.of("paris"), null,
        new Document("d0", "Alpha", "x y", false), new Document("d1", "Beta", "Paris", true));
    assertEquals(15.0 / 20, position(e), 1e-12);
  }

  @Test
  void aRecordedAnswerPositionWinsOverTheFirstOccurrence() {
    assertEquals(0.95, position(example(List.of("Paris"), 0.95, untitled("Paris, then more text"))), 1e-12);
  }

  @Test
  void noAnswerInTheContextMeansNoPositionEvenWhenOneIsRecorded() {
    assertTrue(AnswerPosition.of(example(List.of("Rome"), null, untitled("London and Paris"))).isEmpty());
    assertTrue(AnswerPosition.of(example(List.of("Rome"), 0.5, untitled("London and Paris"))).isEmpty());
  }

  @Test
  void tenthsAreHalfOpenExceptTheLast() {
    assertEquals(0, AnswerPosition.tenth(0.0));
    assertEquals(0, AnswerPosition.tenth(0.0999));
    assertEquals(1, AnswerPosition.tenth(0.1));
    assertEquals(3, AnswerPosition.tenth(0.3));
    assertEquals(7, AnswerPosition.tenth(0.7));
    assertEquals(9, AnswerPosition.tenth(0.95));
    assertEquals(9, AnswerPosition.tenth(1.0));
    for (double illegal : new double[] {-0.01, 1.01, Double.NaN}) {
      assertThrows(IllegalArgumentException.class, () -> AnswerPosition.tenth(illegal));
    }
    assertEquals("0-10%", AnswerPosition.label(0));
    assertEquals("90-100%", AnswerPosition.label(9));
  }

  @Test
  void examplesPerTenthCountOnlyExamplesWithAnAnswer() {
    List<EvalExample> examples = List.of(
        example(List.of("Paris"), null, untitled("Paris is far")),
        example(List.of("Paris"), 0.42, untitled("Paris is far")),
        example(List.of("Paris"), 1.0, untitled("Paris is far")),
        example(List.of("Rome"), null, untitled("Paris is far")));
    assertArrayEquals(new int[] {1, 0, 0, 0, 1, 0, 0, 0, 0, 1}, AnswerPosition.examplesPerTenth(examples));
  }
}
