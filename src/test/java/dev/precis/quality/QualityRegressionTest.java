package dev.precis.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.precis.engine.Budget;
import dev.precis.engine.Compression;
import dev.precis.engine.CompressionRequest;
import dev.precis.engine.Effort;
import dev.precis.engine.PrecisEngine;
import dev.precis.engine.SourceDocument;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A change that hurts quality fails here: answer kept on 30 fixed examples from the dev sets (10 each of nq20,
 * hotpotqa and qasper; see {@code src/test/resources/quality/ATTRIBUTION.md}) must stay at or above a floor per
 * setting. Floors sit one or two examples under what the engine measured when they were set (10 examples move in
 * steps of 10 points; the quantised encoder's numerics differ slightly between CPUs, AVX2 or AVX-512); the full
 * numbers are in docs/quality.md. Prints {@code [OK]} / {@code [FAIL]} lines.
 */
class QualityRegressionTest {
  private static final Encoding CL100K =
      Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
  private static PrecisEngine engine;

  @BeforeAll
  static void start() {
    engine = PrecisEngine.createDefault();
  }

  @AfterAll
  static void stop() {
    engine.close();
  }

  /** @param asContext send the example as one {@code context} string, its documents pasted as "title\ntext" blocks */
  private record Setting(String dataset, String budget, Effort effort, boolean asContext, double floor) {
    Setting(String dataset, String budget, Effort effort, double floor) {
      this(dataset, budget, effort, false, floor);
    }
  }

  private static final List<Setting> SETTINGS = List.of(
      new Setting("nq20", "4x", Effort.FAST, 0.80),
      new Setting("nq20", "4x", Effort.BEST, 0.80),
      new Setting("nq20", "10x", Effort.BEST, 0.70),
      new Setting("hotpotqa", "4x", Effort.FAST, 0.80),
      new Setting("hotpotqa", "10x", Effort.BEST, 0.70),
      new Setting("qasper", "1000", Effort.FAST, 0.50),
      new Setting("qasper", "1000", Effort.BEST, 0.60),
      new Setting("nq20", "4x", Effort.FAST, true, 0.80),
      new Setting("nq20", "10x", Effort.FAST, true, 0.60),
      new Setting("hotpotqa", "4x", Effort.FAST, true, 0.80),
      new Setting("hotpotqa", "10x", Effort.FAST, true, 0.80));

  @Test
  void answerKeptStaysAboveItsFloors() {
    List<String> failures = new ArrayList<>();
    for (Setting s : SETTINGS) {
      int kept = 0;
      int counted = 0;
      for (EvalExample example : RegressionSet.examples(s.dataset())) {
        String full = example.fullContext();
        if (!RegressionSet.answerKept(full, example.answers())) continue;
        counted++;
        int budget = s.budget().endsWith("x")
            ? (int) Math.floor(CL100K.countTokensOrdinary(full) / Double.parseDouble(s.budget().replace("x", "")))
            : Integer.parseInt(s.budget());
        List<SourceDocument> docs = new ArrayList<>();
        if (s.asContext()) {
          docs.add(new SourceDocument(null, null, full));
        } else {
          for (EvalExample.Document d : example.documents()) {
            docs.add(new SourceDocument(d.id(), d.title().isEmpty() ? null : d.title(), d.text()));
          }
        }
        Compression c = engine.compress(
            CompressionRequest.of(example.question(), docs, Budget.ofTokens(budget)).withEffort(s.effort()));
        assertTrue(CL100K.countTokensOrdinary(c.text()) <= budget, "over budget on " + example.id());
        if (RegressionSet.answerKept(c.text(), example.answers())) kept++;
      }
      double actual = counted == 0 ? 0 : (double) kept / counted;
      String line = String.format(Locale.ROOT, "%s %s %s %s%s: expected >= %.2f actual %.2f delta %+.2f",
          actual >= s.floor() ? "[OK]" : "[FAIL]", s.dataset(), s.budget(), s.effort(),
          s.asContext() ? " as one context" : "", s.floor(), actual, actual - s.floor());
      System.out.println(line);
      if (actual < s.floor()) failures.add(line);
    }
    assertEquals(List.of(), failures, "answer kept fell below its floor");
  }
}
