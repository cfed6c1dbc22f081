package dev.precis.quality;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The quality regression set: 30 examples (10 each from nq20, hotpotqa and qasper) copied verbatim from the
 * development files, every one with an answer in its full context. Stored as the test resource
 * {@value #RESOURCE}; sources and licences are in {@code quality/ATTRIBUTION.md} next to it.
 */
public final class RegressionSet {

  /** The classpath resource holding the set (plain JSONL). */
  public static final String RESOURCE = "/quality/regression.jsonl";

  private static volatile List<EvalExample> cached;

  private RegressionSet() {}

  /** All examples, in file order (nq20, then hotpotqa, then qasper). */
  public static List<EvalExample> examples() {
    List<EvalExample> c = cached;
    if (c == null) {
      c = List.copyOf(load());
      cached = c;
    }
    return c;
  }

  /** The examples of one dataset ({@code nq20}, {@code hotpotqa} or {@code qasper}). */
  public static List<EvalExample> examples(String dataset) {
    return examples().stream().filter(e -> dataset.equals(e.dataset())).toList();
  }

  /**
   * True when {@code output} contains one of {@code answers} as whole words (NFKC, lowercase, whitespace collapsed,
   * no match starting or ending inside a word); see {@link AnswerMatcher}.
   */
  public static boolean answerKept(String output, List<String> answers) {
    return AnswerMatcher.of(answers).matches(output);
  }

  private static List<EvalExample> load() {
    try (InputStream in = RegressionSet.class.getResourceAsStream(RESOURCE)) {
      if (in == null) throw new IllegalStateException("missing test resource " + RESOURCE);
      return EvalSet.read(in, false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }
}
