package dev.precis.bench;

import dev.precis.quality.AnswerMatcher;
import dev.precis.quality.EvalExample;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * Where an example's answer sits in its full context, as a share of the context's length, and the tenth of the
 * context that holds it: the rows of the quality benchmark's "answer kept by answer position" table
 * ({@code --by-position}).
 *
 * <p>An example that records {@code answer_position} (0..1) is placed there. Otherwise the position is the offset
 * of the first whole-word occurrence of any gold answer in the full context, divided by the context's length, both
 * taken in the normalised text that answer kept searches ({@link AnswerMatcher#normalize}: NFKC, lowercase,
 * whitespace collapsed). An example whose full context holds no answer has no position, as it has no answer kept.
 * Example: answer "Paris" in the context "London.\n\nParis." is at 8 of 14 characters ("london. paris."), 0.571,
 * the tenth 50-60%.
 */
final class AnswerPosition {

  /** The number of equal parts the context is cut into. */
  static final int TENTHS = 10;

  private AnswerPosition() {}

  /** The example's answer position in [0, 1], or empty when its full context holds no answer. */
  static OptionalDouble of(EvalExample example) {
    return of(example, AnswerMatcher.of(example.answers()), AnswerMatcher.normalize(example.fullContext()));
  }

  /**
   * Like {@link #of(EvalExample)} with the example's answer matcher and its {@link AnswerMatcher#normalize normalised}
   * full context already made.
   */
  static OptionalDouble of(EvalExample example, AnswerMatcher matcher, String normalizedFullContext) {
    int firstAnswer = matcher.firstIndexNormalized(normalizedFullContext);
    if (firstAnswer < 0) return OptionalDouble.empty();
    if (example.answerPosition() != null) return OptionalDouble.of(example.answerPosition());
    return OptionalDouble.of((double) firstAnswer / normalizedFullContext.length());
  }

  /** The tenth that holds a position: 0 for [0, 0.1), ..., 9 for [0.9, 1]. */
  static int tenth(double position) {
    if (!(position >= 0 && position <= 1)) {
      throw new IllegalArgumentException("illegal position: " + position + ", must be in [0, 1]");
    }
    return Math.min(TENTHS - 1, (int) Math.floor(position * TENTHS));
  }

  /** The label of a tenth, for example {@code 30-40%} for 3. */
  static String label(int tenth) {
    return String.format(Locale.ROOT, "%d-%d%%", tenth * 100 / TENTHS, (tenth + 1) * 100 / TENTHS);
  }

  /** How many of the examples have their answer in each tenth (examples without an answer are not counted). */
  static int[] examplesPerTenth(List<EvalExample> examples) {
    int[] counts = new int[TENTHS];
    for (EvalExample e : examples) {
      OptionalDouble position = of(e);
      if (position.isPresent()) counts[tenth(position.getAsDouble())]++;
    }
    return counts;
  }
}
