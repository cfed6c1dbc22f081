package dev.precis.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.precis.quality.EvalExample;
import dev.precis.quality.EvalSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * End-to-end load benchmark of the packaged service over HTTP on loopback. For every variant it starts the jar
 * ({@code java [jvm options] [variant properties] -jar quarkus-run.jar}), measures <em>ready</em> (from just before
 * the process is started until the first {@code POST /v1/compress} that answers 200; <em>listening</em> is the
 * first answer of {@code GET /q/health/live}, and the CPU time the process used until ready), then replays the dev-set
 * requests (ratio 4, cl100k_base) at each fixed concurrency for a bounded time and count: throughput, p50/p95/p99
 * latency as the client sees it, errors (non-200 or I/O), the service's median {@code timings.totalMs}, and the
 * service process's resident memory (VmRSS polled every 50 ms from /proc; VmHWM at the end).
 *
 * <p>Variants: {@code fast} and {@code best} run with the vector and token-count caches off (nothing cached);
 * {@code warm} keeps the default cache and first replays every request once, so the measured requests repeat
 * documents seen before; {@code instant} sends {@code effort: instant} (no transformer pass, caches off); {@code bm25}
 * runs with the encoder disabled ({@code precis.encoder.enabled=false}).
 * Before measuring, {@code fast}, {@code best}, {@code instant} and {@code bm25} send {@code --warmup} seconds of requests at
 * concurrency 2 (JIT warm-up).
 *
 * <pre>
 * ./mvnw -B -ntp -DskipTests package
 * ./mvnw -q -B test-compile exec:java@load -Dload.args="--sets nq20 --variants fast,warm,best,bm25 --duration 10"
 * ./mvnw -q -B test-compile exec:java@load -Dload.args="--ready 10"      # start-up only: ready time, 10 starts
 * ./mvnw -q -B test-compile exec:java@load -Dload.args="--scaling 1000,4000,16000,64000,128000 --reps 5"
 * </pre>
 *
 * <p>{@code --scaling}: one service with the vector and token-count caches off; after the JIT warm-up, for each size
 * (cl100k_base tokens of the full context) and shape, {@code --scaling-warmup} [50] requests of that size and shape
 * over other text (nq20 passages; JIT warm-up of the long-document code paths, not measured), then {@code --reps}
 * requests one at a time (each with another question of the set): {@code single} is one document made of distinct
 * qasper papers joined (then nq20 passages from the end of the set, beyond the papers' 88k tokens) and cut at exactly
 * that many tokens, {@code many} is distinct nq20 passages (title and text) added until the size is reached. Reports
 * the client latency, the service's stage timings (medians) and the service's peak RSS.
 *
 * Options (defaults in brackets): {@code --jar} [target/quarkus-app/quarkus-run.jar], {@code --eval}
 * [../shared/eval], {@code --sets} [nq20], {@code --variants} [fast,warm,best,bm25], {@code --concurrency}
 * [1,4,16], {@code --duration} seconds per phase [10], {@code --max-requests} per phase [5000], {@code --warmup}
 * seconds [10], {@code --port} [18091], {@code --jvm-opts} [-Xmx256m], {@code --ratio} [4], {@code --ready} N
 * (only start the service N times and report ready times), {@code --train-requests} M (with {@code --ready}: then
 * send the first M requests of the first set, one at a time, before stopping: a training run for an AOT cache),
 * {@code --effort} [fast] (of the {@code --scaling} requests), {@code --env} K=V,K2=V2 (environment variables of the service, for example {@code MALLOC_ARENA_MAX=2}),
 * {@code --logs} [target/load].
 */
public final class HttpLoadBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern TOTAL_MS = Pattern.compile("\"totalMs\"\\s*:\\s*([0-9.]+)");
  private static final String PROBE = """
      {"query":"Which elements did Marie Curie discover?","documents":[
      {"id":"curie","title":"Marie Curie","text":"Marie Curie was a Polish and naturalised-French physicist and chemist. \
      She conducted pioneering research on radioactivity. With her husband Pierre she discovered two elements, polonium \
      and radium. She was the first woman to win a Nobel Prize."},
      {"id":"bohr","title":"Niels Bohr","text":"Niels Bohr was a Danish physicist. He made foundational contributions to \
      understanding atomic structure and quantum theory. He received the Nobel Prize in Physics in 1922."}],
      "budget":{"maxTokens":40}}""";

  private final Map<String, String> options;
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  private HttpLoadBenchmark(Map<String, String> options) {
    this.options = options;
  }

  /**
   * Service properties that turn off the vector caches (in memory and on disk), the token-count cache and the segment
   * cache: every request pays its full cost, also when an earlier run left vectors on disk.
   */
  static final List<String> NOTHING_CACHED =
      List.of("-Dprecis.encoder.cache-entries=0", "-Dprecis.encoder.vector-store-entries=0",
          "-Dprecis.tokens.count-cache-entries=0", "-Dprecis.segment.cache-chars=0");

  /** A service variant: its name, extra system properties for the service, the request effort, and cache warming. */
  record Variant(String name, List<String> properties, String effort, boolean warm) {
    static Variant named(String name) {
      return switch (name) {
        case "fast" -> new Variant(name, NOTHING_CACHED, "fast", false);
        case "best" -> new Variant(name, NOTHING_CACHED, "best", false);
        case "instant" -> new Variant(name, NOTHING_CACHED, "instant", false);
        case "warm" -> new Variant(name, List.of(), "fast", true);
        case "bm25" -> new Variant(name, List.of("-Dprecis.encoder.enabled=false"), "fast", false);
        default -> throw new IllegalArgumentException("unknown variant " + name + ", known: fast, best, instant, warm, bm25");
      };
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new LinkedHashMap<>(Map.of(
        "jar", "target/quarkus-app/quarkus-run.jar", "eval", "../shared/eval", "sets", "nq20",
        "variants", "fast,warm,best,bm25", "concurrency", "1,4,16", "duration", "10", "max-requests", "5000",
        "warmup", "10", "port", "18091", "jvm-opts", "-Xmx256m"));
    options.put("effort", "fast");
    options.put("ratio", "4");
    options.put("logs", "target/load");
    options.put("scaling-warmup", "50");
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --option value, got " + args[i]);
      }
      options.put(args[i].substring(2), args[++i]);
    }
    HttpLoadBenchmark bench = new HttpLoadBenchmark(options);
    System.out.println("# options " + options);
    System.out.println("# load at start: " + loadAverage());
    if (options.containsKey("ready")) {
      bench.readyOnly(Integer.parseInt(options.get("ready")));
    } else if (options.containsKey("scaling")) {
      bench.scaling();
    } else {
      bench.run();
    }
    System.out.println("# load at end: " + loadAverage());
  }

  private void run() throws Exception {
    Map<String, List<byte[]>> bodies = new LinkedHashMap<>();
    List<Row> rows = new ArrayList<>();
    List<String> starts = new ArrayList<>();
    for (String variantName : options.get("variants").split(",")) {
      Variant variant = Variant.named(variantName.trim());
      for (String set : options.get("sets").split(",")) {
        bodies.put(set + "/" + variant.effort(), bodies(set, variant.effort()));
      }
      try (Service service = start(variant.properties(), variant.name())) {
        RssPoller rss = service.rss;
        if (variant.warm()) {
          for (String set : options.get("sets").split(",")) {
            List<byte[]> list = bodies.get(set + "/" + variant.effort());
            phase(list, 2, 3_600, list.size()); // every request once: its vectors are cached
          }
        } else {
          List<byte[]> list = bodies.get(options.get("sets").split(",")[0] + "/" + variant.effort());
          phase(list, 2, Double.parseDouble(options.get("warmup")), Integer.MAX_VALUE);
        }
        for (String set : options.get("sets").split(",")) {
          List<byte[]> list = bodies.get(set + "/" + variant.effort());
          for (String c : options.get("concurrency").split(",")) {
            int concurrency = Integer.parseInt(c.trim());
            rss.resetPeak();
            Result r = phase(list, concurrency, Double.parseDouble(options.get("duration")),
                Integer.parseInt(options.get("max-requests")));
            Row row = new Row(variant.name(), set, concurrency, r, rss.peakKiB());
            rows.add(row);
            System.out.println("# " + row.markdown() + "  load " + loadAverage());
          }
        }
        starts.add(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %d | %d | %s |", variant.name(), service.readyMs,
            service.readyCpuMs,
            service.rss.hwmKiB() / 1024, service.rss.peakEverKiB() / 1024, service.jvmReported()));
      }
    }
    System.out.println();
    System.out.println("| variant | set | concurrency | requests | errors | req/s | p50 ms | p95 ms | p99 ms | max ms "
        + "| service totalMs p50 | peak RSS MiB |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (Row row : rows) System.out.println(row.markdown());
    System.out.println();
    System.out.println("| variant | ready ms | CPU to ready ms | VmHWM MiB | max VmRSS MiB | service log |");
    System.out.println("|---|---|---|---|---|---|");
    for (String s : starts) System.out.println(s);
  }

  private void readyOnly(int starts) throws Exception {
    double[] ready = new double[starts];
    double[] first = new double[starts];
    double[] cpu = new double[starts];
    double[] listening = new double[starts];
    int train = Integer.parseInt(options.getOrDefault("train-requests", "0"));
    List<byte[]> nq = train > 0 ? bodies(options.get("sets").split(",")[0], "fast") : List.of();
    for (int i = 0; i < starts; i++) {
      try (Service service = start(List.of(), "ready-" + i)) {
        ready[i] = service.readyMs;
        if (train > 0) {
          Result r = phase(nq, 1, 3_600, train);
          first[i] = r.clientMs()[r.clientMs().length / 2];
          System.out.println(String.format(Locale.ROOT, "# after ready: %d requests, p50 %.0f ms", r.requests(),
              first[i]));
        }
        cpu[i] = service.readyCpuMs;
        listening[i] = service.listeningMs;
        System.out.println(String.format(Locale.ROOT, "# start %d: listening %.0f ms, ready %.0f ms (CPU %.0f ms), "
                + "VmHWM %d MiB, %s", i, service.listeningMs, service.readyMs, service.readyCpuMs, service.rss.hwmKiB() / 1024, service.jvmReported()));
      }
    }
    Arrays.sort(ready);
    Arrays.sort(cpu);
    Arrays.sort(first);
    Arrays.sort(listening);
    System.out.println(String.format(Locale.ROOT, "| starts | listening p50 ms | ready p50 ms | min | max | CPU to ready "
            + "p50 ms | first requests p50 ms | jvm options |%n|---|---|---|---|---|---|---|---|%n"
            + "| %d | %.0f | %.0f | %.0f | %.0f | %.0f | %s | `%s` |", starts, listening[starts / 2], ready[starts / 2], ready[0], ready[starts - 1], cpu[starts / 2], train > 0 ? fmt(first[starts / 2]) : "-",
        options.get("jvm-opts")));
  }

  private void scaling() throws Exception {
    Path eval = Path.of(options.get("eval"));
    int reps = Integer.parseInt(options.getOrDefault("reps", "5"));
    dev.precis.tokens.Tokenizers.TokenCounter counter =
        dev.precis.tokens.Tokenizers.forEncoding("cl100k_base").orElseThrow();
    List<EvalExample> qasper = EvalSet.readDev(eval, "qasper").examples();
    List<EvalExample> nq20 = EvalSet.readDev(eval, "nq20").examples();
    ScalingDocument single = ScalingDocument.build(qasper, nq20, counter);
    List<EvalExample.Document> passages = single.passages();
    String allPapers = single.text();
    System.out.println("# single document source: " + counter.count(allPapers) + " tokens; distinct nq20 passages: "
        + passages.size());

    int scalingWarmup = Integer.parseInt(options.get("scaling-warmup"));
    List<String> rows = new ArrayList<>();
    try (Service service = start(NOTHING_CACHED, "scaling")) {
      phase(bodies("nq20", "fast"), 2, Double.parseDouble(options.get("warmup")), Integer.MAX_VALUE);
      for (String shape : options.getOrDefault("shapes", "single,many").split(",")) {
        for (String size : options.get("scaling").split(",")) {
          int tokens = Integer.parseInt(size.trim());
          List<Map<String, String>> docs = new ArrayList<>();
          List<EvalExample> questions;
          if (shape.equals("single")) {
            docs.add(Map.of("id", "paper", "text", counter.prefixWithin(allPapers, tokens)));
            questions = qasper;
          } else {
            int total = 0;
            for (int i = 0; i < passages.size() && total < tokens; i++) {
              EvalExample.Document d = passages.get(i);
              docs.add(Map.of("id", "p" + i, "title", d.title(), "text", d.text()));
              total += counter.count(d.render()) + 1;
            }
            questions = nq20;
          }
          // JIT warm-up at this size and shape on other text: the long-document code paths (sections, BM25 over
          // thousands of units, counting) are not exercised by the nq20 warm-up, and their first compilations would
          // otherwise be measured. Caches are off, so nothing of the warm-up text can help the measured requests.
          List<Map<String, String>> warmupDocs = scalingWarmup == 0 ? List.of()
              : warmupDocuments(shape, tokens, passages, counter);
          for (int w = 0; w < scalingWarmup; w++) post(scalingBody(nq20.get(w % nq20.size()).question(), warmupDocs));
          rss().resetPeak();
          double[] client = new double[reps];
          double[][] stages = new double[6][reps];
          int inputTokens = 0;
          String status = "";
          for (int r = 0; r < reps; r++) {
            String question = questions.get(r % questions.size()).question();
            long t0 = System.nanoTime();
            HttpResponse<String> response = post(scalingBody(question, docs));
            client[r] = (System.nanoTime() - t0) / 1e6;
            if (response.statusCode() != 200) {
              status = "HTTP " + response.statusCode() + ": " + response.body();
              break;
            }
            var tree = JSON.readTree(response.body());
            inputTokens = tree.path("usage").path("inputTokens").asInt();
            var t = tree.path("timings");
            String[] names = {"segmentMs", "rankMs", "summariseMs", "refineMs", "renderMs", "totalMs"};
            for (int k = 0; k < names.length; k++) stages[k][r] = t.path(names[k]).asDouble();
          }
          if (!status.isEmpty()) {
            rows.add("| " + shape + " | " + tokens + " | " + docs.size() + " | " + status + " |");
            continue;
          }
          Arrays.sort(client);
          String[] stageNames = {"segment", "rank", "summarise", "refine", "render"};
          double[] med = new double[6];
          int dominant = 0;
          for (int k = 0; k < 6; k++) {
            Arrays.sort(stages[k]);
            med[k] = stages[k][reps / 2];
            if (k < 5 && med[k] > med[dominant]) dominant = k;
          }
          String row = String.format(Locale.ROOT, "| %s | %d | %d | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s "
                  + "| %s (%.0f%%) | %d |", shape, tokens, inputTokens, docs.size(), fmt(client[reps / 2]),
              fmt(client[0]), fmt(client[reps - 1]), fmt(med[5]), fmt(med[0]), fmt(med[1]), fmt(med[2]),
              fmt(med[3]), fmt(med[4]), stageNames[dominant], 100 * med[dominant] / med[5], rss().peakKiB() / 1024);
          rows.add(row);
          System.out.println("# " + row + "  load " + loadAverage());
        }
      }
      System.out.println();
      System.out.println("| shape | size | input tokens | documents | client p50 ms | min | max | service total | "
          + "segment | rank | summarise | refine | render | dominant stage | peak RSS MiB |");
      System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
      for (String row : rows) System.out.println(row);
      System.out.println(String.format(Locale.ROOT, "%nservice: ready %.0f ms, VmHWM %d MiB", service.readyMs,
          service.rss.hwmKiB() / 1024));
    }
  }

  /** A {@code --scaling} request: the question over the documents, at {@code --ratio} and {@code --effort}. */
  private byte[] scalingBody(String question, List<Map<String, String>> documents) throws IOException {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("query", question);
    body.put("documents", documents);
    body.put("budget", Map.of("ratio", Double.parseDouble(options.get("ratio"))));
    body.put("effort", options.get("effort"));
    return JSON.writeValueAsBytes(body);
  }

  /**
   * Documents of {@code tokens} tokens for the JIT warm-up of one size, from text the measured requests do not hold:
   * {@code single} is nq20 passages joined (from the start of the set; the measured document takes them from the
   * end, and only beyond the qasper papers' 88k tokens) and cut at that size, {@code many} is nq20 passages from the
   * end of the set (the measured requests take them from the start).
   */
  private static List<Map<String, String>> warmupDocuments(String shape, int tokens,
      List<EvalExample.Document> passages, dev.precis.tokens.Tokenizers.TokenCounter counter) {
    List<Map<String, String>> docs = new ArrayList<>();
    if (shape.equals("single")) {
      StringBuilder joined = new StringBuilder();
      for (int i = 0; i < passages.size() && joined.length() < tokens * 6L; i++) {
        joined.append(joined.isEmpty() ? "" : "\n\n").append(passages.get(i).text());
      }
      docs.add(Map.of("id", "warmup", "text", counter.prefixWithin(joined.toString(), tokens)));
      return docs;
    }
    int total = 0;
    for (int i = passages.size() - 1; i >= 0 && total < tokens; i--) {
      EvalExample.Document d = passages.get(i);
      docs.add(Map.of("id", "w" + i, "title", d.title(), "text", d.text()));
      total += counter.count(d.render()) + 1;
    }
    return docs;
  }

  private RssPoller current;

  private RssPoller rss() {
    return current;
  }

  private List<byte[]> bodies(String set, String effort) throws IOException {
    List<byte[]> out = new ArrayList<>();
    for (EvalExample ex : EvalSet.readDev(Path.of(options.get("eval")), set).examples()) {
      List<Map<String, String>> docs = new ArrayList<>();
      for (EvalExample.Document d : ex.documents()) docs.add(Map.of("id", d.id(), "title", d.title(), "text", d.text()));
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("query", ex.question());
      body.put("documents", docs);
      body.put("budget", Map.of("ratio", Double.parseDouble(options.get("ratio"))));
      body.put("encoding", "cl100k_base");
      body.put("effort", effort);
      out.add(JSON.writeValueAsBytes(body));
    }
    return out;
  }

  private URI compressUri() {
    return URI.create("http://127.0.0.1:" + options.get("port") + "/v1/compress");
  }

  private HttpResponse<String> post(byte[] body) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(compressUri()).timeout(Duration.ofSeconds(120))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    return client.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** Sends requests from {@code concurrency} threads, cycling through the bodies, until the time or count is spent. */
  private Result phase(List<byte[]> bodies, int concurrency, double seconds, int maxRequests) throws Exception {
    AtomicInteger next = new AtomicInteger();
    AtomicLong errors = new AtomicLong();
    long deadline = System.nanoTime() + (long) (seconds * 1e9);
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    List<Future<double[][]>> futures = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int t = 0; t < concurrency; t++) {
      futures.add(pool.submit(() -> {
        List<double[]> samples = new ArrayList<>();
        int i;
        while (System.nanoTime() < deadline && (i = next.getAndIncrement()) < maxRequests) {
          long s = System.nanoTime();
          try {
            HttpResponse<String> response = post(bodies.get(i % bodies.size()));
            double ms = (System.nanoTime() - s) / 1e6;
            if (response.statusCode() != 200) {
              errors.incrementAndGet();
              continue;
            }
            Matcher m = TOTAL_MS.matcher(response.body());
            samples.add(new double[] {ms, m.find() ? Double.parseDouble(m.group(1)) : Double.NaN});
          } catch (IOException e) {
            errors.incrementAndGet();
          }
        }
        return samples.toArray(new double[0][]);
      }));
    }
    List<double[]> all = new ArrayList<>();
    for (Future<double[][]> f : futures) all.addAll(Arrays.asList(f.get()));
    double elapsed = (System.nanoTime() - t0) / 1e9;
    pool.shutdown();
    double[] client = all.stream().mapToDouble(s -> s[0]).sorted().toArray();
    double[] server = all.stream().mapToDouble(s -> s[1]).sorted().toArray();
    return new Result(client.length, errors.get(), client.length / elapsed, client, server);
  }

  record Result(int requests, long errors, double perSecond, double[] clientMs, double[] serverMs) {}

  record Row(String variant, String set, int concurrency, Result r, long peakRssKiB) {
    String markdown() {
      return String.format(Locale.ROOT, "| %s | %s | %d | %d | %d | %.1f | %s | %s | %s | %s | %s | %d |", variant, set,
          concurrency, r.requests(), r.errors(), r.perSecond(), fmt(pct(r.clientMs(), 50)), fmt(pct(r.clientMs(), 95)),
          fmt(pct(r.clientMs(), 99)), fmt(pct(r.clientMs(), 100)), fmt(pct(r.serverMs(), 50)), peakRssKiB / 1024);
    }
  }

  /** Nearest-rank percentile of sorted values; NaN when there are none. */
  static double pct(double[] sorted, double p) {
    if (sorted.length == 0) return Double.NaN;
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  static String fmt(double ms) {
    return Double.isNaN(ms) ? "-" : String.format(Locale.ROOT, ms < 10 ? "%.2f" : "%.0f", ms);
  }

  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }

  /**
   * CPU time (user + system, all threads) a process has used, from /proc/&lt;pid&gt;/stat in clock ticks of 10 ms:
   * unlike wall time it hardly depends on what else the machine runs.
   */
  static double cpuMs(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10.0; // utime, stime (fields 14, 15)
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  private Service start(List<String> properties, String name) throws Exception {
    Path logs = Path.of(options.get("logs"));
    Files.createDirectories(logs);
    Path log = logs.resolve(name + ".log");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("--enable-native-access=ALL-UNNAMED");
    for (String o : options.get("jvm-opts").trim().split("\\s+")) if (!o.isEmpty()) command.add(o);
    command.addAll(properties);
    // Its own collections and kept vectors, so that no run finds what another run (or the checkout's service) kept.
    command.add("-Dprecis.indexes.path=" + Files.createTempDirectory("precis-load-" + name + "-"));
    command.add("-Dquarkus.http.port=" + options.get("port"));
    command.add("-jar");
    command.add(options.get("jar"));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    for (String kv : options.getOrDefault("env", "").split(",")) {
      if (kv.contains("=")) pb.environment().put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
    }
    long t0 = System.nanoTime();
    Process process = pb.start();
    RssPoller rss = new RssPoller(process.pid());
    rss.start();
    current = rss;
    byte[] probe = PROBE.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    long deadline = t0 + 120_000_000_000L;
    double listeningMs = Double.NaN;
    HttpRequest live = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + options.get("port") + "/q/health/live"))
        .timeout(Duration.ofSeconds(120)).build();
    while (Double.isNaN(listeningMs) && process.isAlive() && System.nanoTime() < deadline) {
      try {
        client.send(live, HttpResponse.BodyHandlers.discarding());
        listeningMs = (System.nanoTime() - t0) / 1e6;
      } catch (IOException e) {
        Thread.sleep(10); // not listening yet
      }
    }
    while (true) {
      if (!process.isAlive()) throw new IllegalStateException("service died at start-up, see " + log);
      if (System.nanoTime() > deadline) {
        process.destroyForcibly();
        throw new IllegalStateException("service not ready after 120 s, see " + log);
      }
      try {
        if (post(probe).statusCode() == 200) break;
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(10);
    }
    double readyMs = (System.nanoTime() - t0) / 1e6;
    return new Service(process, rss, listeningMs, readyMs, cpuMs(process.pid()), log);
  }

  /** A started service process; closing it stops the process (SIGTERM, then SIGKILL after 20 s). */
  static final class Service implements AutoCloseable {
    final Process process;
    final RssPoller rss;
    final double listeningMs;
    final double readyMs;
    final double readyCpuMs;
    final Path log;

    Service(Process process, RssPoller rss, double listeningMs, double readyMs, double readyCpuMs, Path log) {
      this.process = process;
      this.rss = rss;
      this.listeningMs = listeningMs;
      this.readyMs = readyMs;
      this.readyCpuMs = readyCpuMs;
      this.log = log;
    }

    /** The service's own start-up lines: Quarkus "started in" and the engine's "ready in". */
    String jvmReported() {
      try {
        List<String> found = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
          Matcher m = Pattern.compile("(started in [0-9.]+s|engine ready in [0-9]+ ms)").matcher(line);
          if (m.find()) found.add(m.group(1));
        }
        return String.join(", ", found);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void close() throws InterruptedException {
      rss.sample();
      rss.interrupt();
      process.destroy();
      if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
    }
  }

  /** Polls VmRSS and VmHWM of a process from /proc/&lt;pid&gt;/status every 50 ms. */
  static final class RssPoller extends Thread {
    private final Path status;
    private volatile long peakKiB;
    private volatile long peakEverKiB;
    private volatile long hwmKiB;

    RssPoller(long pid) {
      super("rss-" + pid);
      setDaemon(true);
      this.status = Path.of("/proc", Long.toString(pid), "status");
    }

    @Override
    public void run() {
      while (!isInterrupted()) {
        sample();
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    synchronized void sample() {
      try {
        for (String line : Files.readAllLines(status)) {
          if (line.startsWith("VmRSS:")) {
            long kib = kib(line);
            peakKiB = Math.max(peakKiB, kib);
            peakEverKiB = Math.max(peakEverKiB, kib);
          } else if (line.startsWith("VmHWM:")) {
            hwmKiB = Math.max(hwmKiB, kib(line));
          }
        }
      } catch (IOException e) {
        // the process has ended
      }
    }

    private static long kib(String line) {
      return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }

    synchronized void resetPeak() {
      peakKiB = 0;
    }

    long peakKiB() {
      sample();
      return peakKiB;
    }

    long peakEverKiB() {
      return peakEverKiB;
    }

    long hwmKiB() {
      sample();
      return hwmKiB;
    }
  }
}
