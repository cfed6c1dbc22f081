package dev.precis.bench;

import dev.precis.engine.Budget;
import dev.precis.engine.Compression;
import dev.precis.engine.CompressionRequest;
import dev.precis.engine.Effort;
import dev.precis.engine.EngineSettings;
import dev.precis.engine.PrecisEngine;
import dev.precis.quality.EvalExample;
import dev.precis.quality.EvalSet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * In-process latency of the engine per eval set and effort, at ratio 4: cold (a new engine without a vector cache,
 * so every unit is embedded) and warm (the same documents again, vectors cached), p50/p95 of the total and the
 * median of each stage, one request at a time.
 *
 * <pre>
 * ./mvnw -q -B test-compile exec:java@latency -Dlatency.args="../shared/eval nq20,hotpotqa,qasper 100"
 * </pre>
 *
 * With {@code -Dlatency.fusion=hand}, every unit is scored by the hand-set sum instead of the fitted fusion.
 */
public final class LatencyBenchmark {
  private LatencyBenchmark() {}

  public static void main(String[] args) {
    Path eval = Path.of(args.length > 0 ? args[0] : "../shared/eval");
    String[] sets = (args.length > 1 ? args[1] : "nq20,hotpotqa,qasper").split(",");
    int limit = args.length > 2 ? Integer.parseInt(args[2]) : 100;
    System.out.println("| set | effort | cache | p50 ms | p95 ms | segment | rank | summarise | refine | render |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|");
    for (String set : sets) {
      List<EvalExample> examples = EvalSet.readDev(eval, set).limit(limit).examples();
      for (Effort effort : Effort.values()) {
        EngineSettings cold = base().withVectorCacheEntries(0).withTokenCountCacheEntries(0);
        try (PrecisEngine engine = PrecisEngine.create(cold)) {
          run(engine, examples.subList(0, Math.min(5, examples.size())), effort); // JIT warm-up, not measured
          print(set, effort, "cold", run(engine, examples, effort));
        }
        try (PrecisEngine engine = PrecisEngine.create(base())) {
          run(engine, examples, effort);
          print(set, effort, "warm", run(engine, examples, effort));
        }
      }
    }
  }

  /** The defaults, or with {@code -Dlatency.fusion=hand} the hand-set sum in place of the fitted fusion (A/B). */
  private static EngineSettings base() {
    EngineSettings defaults = EngineSettings.defaults();
    return "hand".equals(System.getProperty("latency.fusion"))
        ? defaults.withRank(dev.precis.rank.RankSettings.handSet()) : defaults;
  }

  private static double[][] run(PrecisEngine engine, List<EvalExample> examples, Effort effort) {
    double[][] t = new double[6][examples.size()];
    for (int i = 0; i < examples.size(); i++) {
      CompressionRequest request = EngineMethods.request(examples.get(i), 1).withEffort(effort);
      request = new CompressionRequest(request.query(), request.documents(), Budget.ofRatio(4), null, effort, null,
          null, null, false);
      Compression.StageTimings s = engine.compress(request).timings();
      double[] v = {s.totalMs(), s.segmentMs(), s.rankMs(), s.summariseMs(), s.refineMs(), s.renderMs()};
      for (int k = 0; k < v.length; k++) t[k][i] = v[k];
    }
    for (double[] row : t) Arrays.sort(row);
    return t;
  }

  private static void print(String set, Effort effort, String cache, double[][] t) {
    List<String> cells = new ArrayList<>(List.of(set, effort.name().toLowerCase(Locale.ROOT), cache,
        fmt(t[0][t[0].length / 2]), fmt(t[0][(int) Math.min(t[0].length - 1, Math.ceil(t[0].length * 0.95) - 1)])));
    for (int k = 1; k < 6; k++) cells.add(fmt(t[k][t[k].length / 2]));
    System.out.println("| " + String.join(" | ", cells) + " |");
  }

  private static String fmt(double ms) {
    return String.format(Locale.ROOT, ms < 10 ? "%.2f" : "%.0f", ms);
  }
}
