package dev.precis.bench;

import dev.precis.engine.Budget;
import dev.precis.engine.Compression;
import dev.precis.engine.CompressionRequest;
import dev.precis.engine.Effort;
import dev.precis.engine.EngineSettings;
import dev.precis.engine.Order;
import dev.precis.engine.PrecisEngine;
import dev.precis.engine.SourceDocument;
import dev.precis.tokens.Tokenizers;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.IntFunction;

/**
 * In-process latency of structured inputs, one request at a time, cold (no vector or token-count cache: every unit
 * embedded and counted) with efforts fast and instant: a 1 MB JSON array of records, a flat JSON object of 75
 * identifiers, a 500-row CSV table, a 20,000-line build log and a 3,000-line Java file, each with a question about
 * one item. Reported per shape: input size, p50/p95 of the total, the median of each stage, and, measured in the same
 * run as the floor, the median time to count the input's tokens once with jtokkit.
 *
 * <pre>
 * ./mvnw -q -B test-compile exec:java@structured-latency -Dstructured-latency.args="30"
 * </pre>
 */
public final class StructuredLatencyBenchmark {
  private StructuredLatencyBenchmark() {}

  /** One input shape: a text and, per request number, a question about one of its items. */
  private record Shape(String name, String text, int budget, IntFunction<String> question) {}

  public static void main(String[] args) {
    int requests = args.length > 0 ? Integer.parseInt(args[0]) : 30;
    Random random = new Random(42);
    List<Shape> shapes = List.of(jsonRecords(random), jsonKeys(random), csv(random), log(random), code());
    System.out.println("| input | size | tokens | effort | p50 ms | p95 ms | segment | rank | summarise | refine | render "
        + "| count only |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
    var counter = Tokenizers.forEncoding("cl100k_base").orElseThrow();
    for (Shape shape : shapes) {
      int tokens = counter.count(shape.text());
      double[] count = new double[requests];
      for (int i = 0; i < requests; i++) {
        long t0 = System.nanoTime();
        counter.count(shape.text());
        count[i] = (System.nanoTime() - t0) / 1e6;
      }
      Arrays.sort(count);
      for (Effort effort : List.of(Effort.FAST, Effort.INSTANT)) {
        EngineSettings cold = EngineSettings.defaults().withVectorCacheEntries(0).withTokenCountCacheEntries(0);
        try (PrecisEngine engine = PrecisEngine.create(cold)) {
          for (int i = 0; i < 3; i++) run(engine, shape, i, effort); // JIT warm-up, not measured
          double[][] t = new double[6][requests];
          for (int i = 0; i < requests; i++) {
            Compression.StageTimings s = run(engine, shape, 1000 + i, effort).timings();
            double[] v = {s.totalMs(), s.segmentMs(), s.rankMs(), s.summariseMs(), s.refineMs(), s.renderMs()};
            for (int k = 0; k < v.length; k++) t[k][i] = v[k];
          }
          for (double[] row : t) Arrays.sort(row);
          List<String> cells = new ArrayList<>(List.of(shape.name(), size(shape.text().length()),
              Integer.toString(tokens), effort.name().toLowerCase(Locale.ROOT), fmt(t[0][requests / 2]),
              fmt(t[0][(int) Math.min(requests - 1, Math.ceil(requests * 0.95) - 1)])));
          for (int k = 1; k < 6; k++) cells.add(fmt(t[k][requests / 2]));
          cells.add(fmt(count[requests / 2]));
          System.out.println("| " + String.join(" | ", cells) + " |");
        }
      }
    }
  }

  private static Compression run(PrecisEngine engine, Shape shape, int i, Effort effort) {
    return engine.compress(new CompressionRequest(shape.question().apply(i), List.of(new SourceDocument(null, null,
        shape.text())), Budget.ofTokens(shape.budget()), "cl100k_base", effort, Order.ORIGINAL, "…", List.of(),
        false));
  }

  private static String size(int chars) {
    return chars >= 1 << 20 ? String.format(Locale.ROOT, "%.1f MB", chars / (double) (1 << 20))
        : String.format(Locale.ROOT, "%d KB", chars >> 10);
  }

  private static String fmt(double ms) {
    return String.format(Locale.ROOT, ms < 10 ? "%.2f" : "%.0f", ms);
  }

  static Shape jsonRecords(Random r) {
    StringBuilder b = new StringBuilder("[\n");
    int n = 0;
    while (b.length() < 1 << 20) {
      if (n > 0) b.append(",\n");
      b.append("  {\"id\": \"ORD-").append(100000 + n).append("\", \"status\": \"").append(r.nextInt(50) == 0 ? "failed"
          : "shipped").append("\", \"customer\": {\"name\": \"Customer ").append(n).append("\", \"email\": \"c")
          .append(n).append("@example.org\", \"tier\": \"").append(new String[] {"gold", "silver", "basic"}[n % 3])
          .append("\"}, \"items\": [");
      for (int k = 0; k < 3; k++) {
        b.append(k == 0 ? "" : ", ").append("{\"sku\": \"SKU-").append(r.nextInt(90000) + 10000).append("\", \"qty\": ")
            .append(1 + r.nextInt(4)).append(", \"price\": ").append(r.nextInt(20000) / 100.0).append('}');
      }
      b.append("], \"note\": \"").append("Left at the door. ".repeat(r.nextInt(4))).append("\"}");
      n++;
    }
    int records = n;
    return new Shape("JSON records", b.append("\n]").toString(), 500,
        i -> "What is the e-mail address of the customer of order ORD-" + (100000 + (i * 7919) % records) + "?");
  }

  static Shape jsonKeys(Random r) {
    StringBuilder b = new StringBuilder("{\n");
    String[] keys = new String[75];
    for (int i = 0; i < 75; i++) {
      keys[i] = new java.util.UUID(r.nextLong(), r.nextLong()).toString();
      b.append("  \"").append(keys[i]).append("\": \"").append(new java.util.UUID(r.nextLong(), r.nextLong()))
          .append(i < 74 ? "\",\n" : "\"\n");
    }
    return new Shape("JSON flat keys", b.append("}").toString(), 300,
        i -> "What is the value of key " + keys[i % 75] + "?");
  }

  static Shape csv(Random r) {
    StringBuilder b = new StringBuilder("city,country,population,elevation_m,founded\n");
    for (int i = 0; i < 500; i++) {
      b.append("Town").append(i).append(",Land").append(i % 40).append(',').append(1000 + r.nextInt(900000))
          .append(',').append(r.nextInt(3000)).append(',').append(900 + r.nextInt(1100)).append('\n');
    }
    return new Shape("CSV 500 rows", b.toString(), 300, i -> "What is the population of Town" + (i * 37 % 500) + "?");
  }

  static Shape log(Random r) {
    StringBuilder b = new StringBuilder();
    int failAt = 14_000;
    for (int i = 0; i < 20_000; i++) {
      String time = String.format(Locale.ROOT, "2026-12-06T10:%02d:%02d.%03dZ", (i / 600) % 60, (i / 10) % 60, i % 1000);
      if (i == failAt) {
        b.append(time).append(" ERROR [main] o.e.shop.Checkout - payment capture failed: gateway timeout after 30000 ms "
            + "(order ORD-7741)\n");
        b.append("java.net.SocketTimeoutException: Read timed out\n");
        for (int f = 0; f < 40; f++) b.append("\tat org.example.shop.Layer").append(f).append(".call(Layer.java:")
            .append(10 + f).append(")\n");
        continue;
      }
      switch (i % 4) {
        case 0 -> b.append(time).append(" INFO  [worker-").append(r.nextInt(8)).append("] o.e.shop.Cart - cart ")
            .append(Long.toHexString(r.nextLong())).append(" updated with ").append(r.nextInt(9)).append(" items\n");
        case 1 -> b.append(time).append(" DEBUG [worker-").append(r.nextInt(8)).append("] o.e.db.Pool - borrowed ")
            .append("connection ").append(r.nextInt(64)).append(" in ").append(r.nextInt(20)).append(" ms\n");
        case 2 -> b.append(time).append(" INFO  [http-").append(r.nextInt(32)).append("] o.e.web.Access - GET /api/items/")
            .append(r.nextInt(100000)).append(" 200 ").append(r.nextInt(300)).append(" ms\n");
        default -> b.append(time).append(" INFO  [scheduler] o.e.shop.Stock - synced ").append(r.nextInt(500))
            .append(" products from warehouse ").append(r.nextInt(6)).append('\n');
      }
    }
    return new Shape("log 20,000 lines", b.toString(), 300, i -> i % 2 == 0 ? "Why did the payment fail?"
        : "What error happened during checkout?");
  }

  static Shape code() {
    StringBuilder b = new StringBuilder("package org.example.shop;\n\nimport java.util.List;\nimport java.util.Map;\n\n"
        + "/** Order handling. */\npublic final class Orders {\n");
    for (int i = 0; i < 300; i++) {
      b.append("  /**\n   * Computes the ").append(i % 2 == 0 ? "discount" : "shipping fee").append(" for order batch ")
          .append(i).append(".\n   */\n  public static long compute").append(i).append("(List<Long> amounts, Map<String, "
          + "Long> rates) {\n    long total = 0;\n    for (long a : amounts) {\n      total += a * rates.getOrDefault(\"r")
          .append(i).append("\", 1L);\n    }\n    return total / ").append(1 + i).append(";\n  }\n\n");
    }
    return new Shape("Java 3,000 lines", b.append("}\n").toString(), 500,
        i -> "Which method computes the discount for order batch " + (i * 2 % 300) + "?");
  }
}
