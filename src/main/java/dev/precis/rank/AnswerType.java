package dev.precis.rank;

import java.util.regex.Pattern;

/**
 * What kind of answer a question asks for, where its wording says so plainly, and whether a unit's text holds an
 * answer of that kind: a question asking "how many" or for a size is answered by a sentence that holds a number, one
 * asking "when" or for a year by a sentence that holds a date. This is the expected answer type of classic question
 * answering; a sentence that repeats the question's words but holds no number rarely answers "how many".
 *
 * <p>The question's wording is read in English only; any other question asks for {@link #NONE}, which no text matches.
 */
public enum AnswerType {
  /** "How many ...", "how much", "how long", "what percentage", "what is the size of": a sentence with a digit. */
  NUMBER,
  /** "When ...", "what year", "in which century": a sentence with a year (three or four digits) or a month's name. */
  DATE,
  /** Anything else: no unit matches. */
  NONE;

  private static final Pattern NUMBER_QUESTION = Pattern.compile(
      "\\bhow (many|much|long|old|large|big|far|often|tall|high|fast|deep|wide|heavy|small)\\b"
          + "|\\b(what|which) (is |was |are |were )?(the )?(number|size|percentage|proportion|amount|population|length"
          + "|height|width|depth|weight|score|accuracy|rate|ratio|count|total)\\b",
      Pattern.CASE_INSENSITIVE);
  private static final Pattern DATE_QUESTION = Pattern.compile(
      "\\bwhen\\b|\\b(what|which|in what|in which) (year|date|century|decade|month|day)\\b", Pattern.CASE_INSENSITIVE);
  private static final Pattern DIGIT = Pattern.compile("\\d");
  private static final Pattern DATE_TEXT = Pattern.compile(
      "\\b[0-9]{3,4}s?\\b|\\b(January|February|March|April|May|June|July|August|September|October|November|December)\\b");

  /** The answer type {@code question} asks for; {@link #NONE} for a null question. */
  public static AnswerType of(String question) {
    if (question == null) return NONE;
    if (NUMBER_QUESTION.matcher(question).find()) return NUMBER;
    if (DATE_QUESTION.matcher(question).find()) return DATE;
    return NONE;
  }

  /** Whether {@code text} holds an answer of this type (never for {@link #NONE}). */
  public boolean heldBy(String text) {
    return switch (this) {
      case NUMBER -> DIGIT.matcher(text).find();
      case DATE -> DATE_TEXT.matcher(text).find();
      case NONE -> false;
    };
  }
}
