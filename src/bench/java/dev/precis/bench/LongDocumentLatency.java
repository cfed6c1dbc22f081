package dev.precis.bench;

import dev.precis.engine.Budget;
import dev.precis.engine.Compression;
import dev.precis.engine.CompressionRequest;
import dev.precis.engine.Effort;
import dev.precis.engine.EngineSettings;
import dev.precis.engine.PrecisEngine;
import dev.precis.engine.SourceDocument;
import dev.precis.quality.EvalExample;
import dev.precis.quality.EvalSet;
import dev.precis.rank.RankSettings;
import dev.precis.tokens.Tokenizers;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * In-process latency of one long document, cold: the document of {@code exec:java@load --scaling}'s single shape
 * (qasper papers joined, {@link ScalingDocument}) cut to each size, asked qasper's questions at ratio 4, with every
 * cache off (vectors, token counts, segmented documents), so each request segments, counts and embeds as a document
 * never seen does. It measures the engine alone, without the HTTP hop and the client sharing the cores, and counts
 * what the encoder is given (texts and characters per request) beside its time.
 *
 * <p>With {@code --ab name=value} a second engine, the defaults with that {@link RankSettings} component changed,
 * shares the same encoder and is measured in the same run, the two alternated request by request (which one goes first
 * alternates too): the host's speed drifts by 15-40% within minutes, so only variants measured side by side compare.
 *
 * <pre>
 * ./mvnw -q -B test-compile exec:java@long-latency -Dlong-latency.args="--eval ../shared/eval --sizes 16000,128000 --reps 25"
 * </pre>
 *
 * Options: {@code --eval DIR} [../shared/eval], {@code --sizes} [16000,128000] (cl100k_base tokens), {@code --reps} [25]
 * per size and variant, {@code --warmup} [50] unmeasured requests per size over other text (nq20 passages) first, so
 * that the JIT has compiled the long-document paths, {@code --effort} [fast], {@code --ab name=value}.
 */
public final class LongDocumentLatency {
  private LongDocumentLatency() {}

  /** One engine under test, and what it measured at the current size. */
  private static final class Variant {
    final String name;
    final PrecisEngine engine;
    final EncoderWorkProbe.Counting encoder;
    final List<double[]> rows = new ArrayList<>(); // total, rank, encoder ms; texts; chars

    Variant(String name, PrecisEngine engine, EncoderWorkProbe.Counting encoder) {
      this.name = name;
      this.engine = engine;
      this.encoder = encoder;
    }

    void measure(String question, String document, Effort effort) {
      long texts = encoder.texts;
      long chars = encoder.chars;
      long nanos = encoder.allNanos();
      Compression c = engine.compress(request(question, document, effort));
      rows.add(new double[] {c.timings().totalMs(), c.timings().rankMs(), (encoder.allNanos() - nanos) / 1e6,
          encoder.texts - texts, encoder.chars - chars});
    }
  }

  public static void main(String[] args) throws ReflectiveOperationException {
    Map<String, String> options = new LinkedHashMap<>(Map.of("eval", "../shared/eval", "sizes", "16000,128000",
        "reps", "25", "warmup", "50", "effort", "fast"));
    for (int i = 0; i + 1 < args.length; i += 2) options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    Path eval = Path.of(options.get("eval"));
    int reps = Integer.parseInt(options.get("reps"));
    int warmup = Integer.parseInt(options.get("warmup"));
    Effort effort = Effort.named(options.get("effort"));
    if (effort == null) throw new IllegalArgumentException("illegal --effort: " + options.get("effort"));
    Tokenizers.TokenCounter counter = Tokenizers.forEncoding("cl100k_base").orElseThrow();
    List<EvalExample> qasper = EvalSet.readDev(eval, "qasper").examples();
    ScalingDocument single = ScalingDocument.build(qasper, EvalSet.readDev(eval, "nq20").examples(), counter);
    StringBuilder other = new StringBuilder();
    for (EvalExample.Document d : single.passages()) other.append(other.isEmpty() ? "" : "\n\n").append(d.text());

    EngineSettings cold = EngineSettings.defaults().withVectorCacheEntries(0).withTokenCountCacheEntries(0)
        .withSegmentCacheChars(0);
    System.out.printf(Locale.ROOT, "# %s, %d CPUs, %s, Java %s; load average at the start %s%n",
        OffsetDateTime.now(ZoneOffset.UTC), Runtime.getRuntime().availableProcessors(), QualityBenchmark.Report.cpuModel(),
        System.getProperty("java.runtime.version"), QualityBenchmark.Report.loadAverage());
    try (PrecisEngine owner = PrecisEngine.create(cold)) {
      List<Variant> variants = new ArrayList<>();
      EncoderWorkProbe.Counting defaults = new EncoderWorkProbe.Counting(owner.encoder());
      variants.add(new Variant("defaults", PrecisEngine.sharing(cold, defaults), defaults));
      if (options.containsKey("ab")) {
        String[] change = options.get("ab").split("=", 2);
        RankSettings rank = RankSweep.withComponent(cold.rank(), change[0], change[1]);
        EncoderWorkProbe.Counting changed = new EncoderWorkProbe.Counting(owner.encoder());
        variants.add(new Variant(options.get("ab"), PrecisEngine.sharing(cold.withRank(rank), changed), changed));
      }
      List<String> table = new ArrayList<>();
      for (String size : options.get("sizes").split(",")) {
        int tokens = Integer.parseInt(size.strip());
        String document = counter.prefixWithin(single.text(), tokens);
        String warmupText = counter.prefixWithin(other.toString(), tokens);
        for (int w = 0; w < warmup; w++) {
          for (Variant v : variants) v.engine.compress(request(qasper.get(w % qasper.size()).question(), warmupText, effort));
        }
        for (Variant v : variants) v.rows.clear();
        for (int r = 0; r < reps; r++) {
          String question = qasper.get(r % qasper.size()).question();
          for (int k = 0; k < variants.size(); k++) {
            variants.get((r + k) % variants.size()).measure(question, document, effort);
          }
        }
        for (Variant v : variants) table.add(row(tokens, v));
        System.out.println("# " + table.get(table.size() - 1) + "  load " + QualityBenchmark.Report.loadAverage());
      }
      System.out.println();
      System.out.println("| size (tokens) | variant | total p50 ms | p90 | min | rank p50 | encoder p50 | texts embedded "
          + "| characters embedded |");
      System.out.println("|---|---|---|---|---|---|---|---|---|");
      table.forEach(System.out::println);
      System.out.println("\nload average at the end " + QualityBenchmark.Report.loadAverage());
      for (Variant v : variants) v.engine.close();
    }
  }

  private static String row(int tokens, Variant v) {
    int n = v.rows.size();
    double[][] columns = new double[5][n];
    for (int i = 0; i < n; i++) for (int k = 0; k < 5; k++) columns[k][i] = v.rows.get(i)[k];
    for (double[] column : columns) Arrays.sort(column);
    double texts = Arrays.stream(columns[3]).average().orElse(0);
    double chars = Arrays.stream(columns[4]).average().orElse(0);
    return String.format(Locale.ROOT, "| %d | %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.0f |", tokens, v.name,
        columns[0][n / 2], columns[0][Math.min(n - 1, (int) Math.ceil(n * 0.9) - 1)], columns[0][0], columns[1][n / 2],
        columns[2][n / 2], texts, chars);
  }

  private static CompressionRequest request(String question, String document, Effort effort) {
    return new CompressionRequest(question, List.of(new SourceDocument("paper", null, document)), Budget.ofRatio(4),
        null, effort, null, null, null, false);
  }
}
