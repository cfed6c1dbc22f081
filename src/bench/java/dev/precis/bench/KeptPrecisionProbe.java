package dev.precis.bench;

import dev.precis.engine.Budget;
import dev.precis.engine.CompressionRequest;
import dev.precis.engine.Effort;
import dev.precis.engine.EngineSettings;
import dev.precis.engine.PrecisEngine;
import dev.precis.engine.SourceDocument;
import dev.precis.quality.AnswerMatcher;
import dev.precis.quality.EvalExample;
import dev.precis.quality.EvalSet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What compressing stored documents loses to the precision their unit vectors are kept in: each example compressed
 * by an engine that embeds everything (full precision) and by one whose cache holds only the kept vectors
 * ({@link PrecisEngine#keptUnits}, then {@link PrecisEngine#preload}; the question embedded as usual), at 4x and 10x.
 *
 * <pre>
 * ./mvnw -q -B test-compile exec:java@kept-precision -Dkept-precision.args="../shared/eval nq20,hotpotqa"
 * </pre>
 */
public final class KeptPrecisionProbe {
  public static void main(String[] args) {
    Path eval = Path.of(args.length > 0 ? args[0] : "../shared/eval");
    List<String> sets = List.of((args.length > 1 ? args[1] : "nq20,hotpotqa").split(","));
    System.out.println("| set | ratio | examples | answer kept, full precision | answer kept, kept vectors | same output |");
    System.out.println("|---|---|---|---|---|---|");
    try (PrecisEngine full = PrecisEngine.create(EngineSettings.defaults().withVectorCacheEntries(200_000))) {
      for (String set : sets) {
        List<EvalExample> examples = EvalSet.readDev(eval, set).examples();
        for (double ratio : new double[] {4, 10}) {
          int keptFull = 0;
          int keptStored = 0;
          int same = 0;
          for (EvalExample e : examples) {
            List<SourceDocument> docs = new ArrayList<>();
            for (EvalExample.Document d : e.documents()) {
              docs.add(new SourceDocument(d.id(), d.title().isBlank() ? null : d.title(), d.text()));
            }
            CompressionRequest request = new CompressionRequest(e.question(), docs, Budget.ofRatio(ratio), null,
                Effort.FAST, null, null, null, false);
            String a = full.compress(request).text();
            String b;
            try (PrecisEngine stored = PrecisEngine.create(EngineSettings.defaults().withVectorCacheEntries(5_000))) {
              for (SourceDocument d : docs) stored.preload(d, full.keptUnits(d).units());
              b = stored.compress(request).text();
            }
            AnswerMatcher answer = AnswerMatcher.of(e.answers());
            if (answer.matches(a)) keptFull++;
            if (answer.matches(b)) keptStored++;
            if (a.equals(b)) same++;
          }
          System.out.printf(Locale.ROOT, "| %s | %.0fx | %d | %d | %d | %d |%n", set, ratio, examples.size(), keptFull,
              keptStored, same);
        }
      }
    }
  }

  private KeptPrecisionProbe() {}
}
