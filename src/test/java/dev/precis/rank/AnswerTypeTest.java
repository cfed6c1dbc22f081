package dev.precis.rank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AnswerTypeTest {
  @Test
  void questionsAskingForACountOrAMeasureAskForANumber() {
    assertEquals(AnswerType.NUMBER, AnswerType.of("How many tags are in the dataset?"));
    assertEquals(AnswerType.NUMBER, AnswerType.of("how much did the film gross"));
    assertEquals(AnswerType.NUMBER, AnswerType.of("What is the size of the Chinese data?"));
    assertEquals(AnswerType.NUMBER, AnswerType.of("Which percentage of the votes did she win?"));
  }

  @Test
  void questionsAskingForATimeAskForADate() {
    assertEquals(AnswerType.DATE, AnswerType.of("When did the dockers strike?"));
    assertEquals(AnswerType.DATE, AnswerType.of("In what year was the bridge opened?"));
  }

  @Test
  void otherQuestionsAskForNothingInParticular() {
    assertEquals(AnswerType.NONE, AnswerType.of("Who discovered polonium?"));
    assertEquals(AnswerType.NONE, AnswerType.of("Which elements did Marie Curie discover?"));
    assertEquals(AnswerType.NONE, AnswerType.of("Wie viele Tags gibt es?"), "English wording only");
    assertEquals(AnswerType.NONE, AnswerType.of(null));
    assertEquals(AnswerType.NONE, AnswerType.of("Whenever possible, what should be cached?"), "whole words only");
  }

  @Test
  void aNumberIsADigitAndADateAYearOrAMonth() {
    assertTrue(AnswerType.NUMBER.heldBy("We collected 48,705 e-books."));
    assertFalse(AnswerType.NUMBER.heldBy("We collected many e-books."));
    assertTrue(AnswerType.DATE.heldBy("The strike began in 1889."));
    assertTrue(AnswerType.DATE.heldBy("It opened in the 1930s."));
    assertTrue(AnswerType.DATE.heldBy("It opened in March."));
    assertFalse(AnswerType.DATE.heldBy("It cost 12 dollars."));
    assertFalse(AnswerType.DATE.heldBy("The count was 12345 in all."), "five digits are no year");
    assertFalse(AnswerType.NONE.heldBy("1889"));
  }
}
