package dev.precis.bench;

import dev.precis.quality.AnswerMatcher;
import dev.precis.quality.EvalExample;
import dev.precis.quality.EvalSet;
import dev.precis.quality.RegressionSet;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the quality regression set ({@link RegressionSet}) from the development files: per set, of the examples whose
 * full context contains an answer (in file order, {@code m} of them), the ones at positions {@code i * (m / n) + i}
 * for {@code i = 0 .. n-1} (a stride that is not a multiple of 5, so nq20's rotating gold positions all occur). Lines
 * are copied verbatim.
 *
 * <pre>
 * java ... dev.precis.bench.RegressionSetExport EVAL_DIR OUT_FILE [PER_SET] [SETS]
 * </pre>
 *
 * Defaults: {@code PER_SET} 10, {@code SETS} nq20,hotpotqa,qasper. The committed file was made with
 * {@code ../shared/eval src/test/resources/quality/regression.jsonl}.
 */
public final class RegressionSetExport {

  private RegressionSetExport() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 2) {
      throw new IllegalArgumentException("usage: RegressionSetExport EVAL_DIR OUT_FILE [PER_SET] [SETS]");
    }
    Path eval = Path.of(args[0]);
    Path out = Path.of(args[1]);
    int perSet = args.length > 2 ? Integer.parseInt(args[2]) : 10;
    List<String> sets = args.length > 3 ? List.of(args[3].split(",")) : QualityBenchmark.DEFAULT_SETS;
    List<String> lines = new ArrayList<>();
    for (String set : sets) {
      List<String> eligible = new ArrayList<>();
      try (InputStream in = Files.newInputStream(EvalSet.devFile(eval, set))) {
        for (String line : EvalSet.readLines(in, true)) {
          EvalExample e = EvalSet.parse(line);
          if (AnswerMatcher.of(e.answers()).matches(e.fullContext())) eligible.add(line);
        }
      }
      int stride = eligible.size() / perSet;
      for (int i = 0; i < perSet; i++) {
        int index = i * stride + i;
        if (stride == 0 || index >= eligible.size()) {
          throw new IllegalStateException(set + ": only " + eligible.size() + " examples with an answer, too few for "
              + perSet);
        }
        lines.add(eligible.get(index));
      }
      System.err.printf("%s: %d with an answer, stride %d%n", set, eligible.size(), stride);
    }
    Path parent = out.toAbsolutePath().getParent();
    if (parent != null) Files.createDirectories(parent);
    Files.writeString(out, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    System.err.printf("wrote %d examples to %s%n", lines.size(), out);
  }
}
