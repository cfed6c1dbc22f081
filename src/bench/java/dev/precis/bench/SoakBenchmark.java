package dev.precis.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.precis.quality.EvalExample;
import dev.precis.quality.EvalSet;
import dev.precis.quality.RegressionSet;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A bounded soak run against a running service on loopback: a fixed number of clients send nq20-sized requests
 * (the dev sets, ratio 4) back to back for a fixed time, and the run reports errors and latency per time window,
 * and the service's heap (after a full GC, by jcmd) and RSS before and after. Part of the requests carry a fresh
 * title per request, so their units miss the vector cache and go through the encoder (the cache fills up to its
 * bound instead of serving everything).
 *
 * <pre>
 * ./mvnw -q -B test-compile exec:java@soak -Dsoak.args="--url http://127.0.0.1:18071 --pid 12345 \
 *     --duration 180 --concurrency 4 --window 30 --eval ../shared/eval --fresh 0.5"
 * </pre>
 *
 * Without {@code --eval} (or when it is missing) the requests come from the regression set in the test resources.
 * Exit status 1 when any request failed.
 */
public final class SoakBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SoakBenchmark() {}

  record Sample(long atNanos, long latencyNanos, int status) {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opt = options(args);
    String url = opt.getOrDefault("url", "http://127.0.0.1:18071");
    long pid = Long.parseLong(opt.getOrDefault("pid", "0"));
    int seconds = Integer.parseInt(opt.getOrDefault("duration", "180"));
    int concurrency = Integer.parseInt(opt.getOrDefault("concurrency", "4"));
    int window = Integer.parseInt(opt.getOrDefault("window", "30"));
    double fresh = Double.parseDouble(opt.getOrDefault("fresh", "0.5"));
    List<EvalExample> examples = examples(opt.get("eval"), opt.getOrDefault("sets", "nq20"));
    System.out.printf(Locale.ROOT, "soak: %s, %d clients, %d s, windows of %d s, %d examples, fresh share %.2f%n",
        url, concurrency, seconds, window, examples.size(), fresh);

    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    URI compress = URI.create(url + "/v1/compress");
    // Warm-up (not measured): the first 20 examples once.
    for (int i = 0; i < Math.min(20, examples.size()); i++) send(client, compress, body(examples.get(i), -1));
    Memory before = memory(client, url, pid);
    System.out.println("before: " + before);

    ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
    AtomicLong counter = new AtomicLong();
    Map<Integer, String> firstErrors = new java.util.concurrent.ConcurrentHashMap<>();
    long start = System.nanoTime();
    long end = start + TimeUnit.SECONDS.toNanos(seconds);
    // RSS and heap in use (no GC forced) at the end of every window, to see whether memory levels off.
    List<String> memoryByWindow = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.concurrent.ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
    sampler.scheduleAtFixedRate(() -> {
      try {
        memoryByWindow.add(String.format(Locale.ROOT, "| %d s | %.1f | %.1f |",
            Math.round((System.nanoTime() - start) / 1e9), rssBytes(pid) / 1048576.0,
            heapSum(metrics(client, url), "jvm_memory_used_bytes") / 1048576.0));
      } catch (Exception e) {
        memoryByWindow.add("| sample failed: " + e + " |");
      }
    }, window, window, TimeUnit.SECONDS);
    try (ExecutorService pool = Executors.newFixedThreadPool(concurrency)) {
      for (int c = 0; c < concurrency; c++) {
        pool.submit(() -> {
          while (System.nanoTime() < end) {
            long n = counter.getAndIncrement();
            EvalExample example = examples.get((int) (n % examples.size()));
            boolean isFresh = (n * 0x9E3779B97F4A7C15L >>> 40) % 1000 < fresh * 1000;
            long t0 = System.nanoTime();
            int status;
            String error = null;
            try {
              HttpResponse<String> r = send(client, compress, body(example, isFresh ? n : -1));
              status = r.statusCode();
              if (status != 200) error = r.body();
            } catch (Exception e) {
              status = -1;
              error = e.toString();
            }
            long t1 = System.nanoTime();
            samples.add(new Sample(t0 - start, t1 - t0, status));
            if (error != null) firstErrors.putIfAbsent(status, error);
          }
          return null;
        });
      }
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    sampler.shutdownNow();
    Memory after = memory(client, url, pid);

    List<Sample> all = new ArrayList<>(samples);
    System.out.println();
    System.out.println("| window | requests | errors | req/s | p50 ms | p95 ms | p99 ms | max ms |");
    System.out.println("|---|---|---|---|---|---|---|---|");
    long windowNanos = TimeUnit.SECONDS.toNanos(window);
    for (long w = 0; w * windowNanos < all.stream().mapToLong(Sample::atNanos).max().orElse(0) + 1; w++) {
      long from = w * windowNanos;
      List<Sample> in = all.stream().filter(s -> s.atNanos() >= from && s.atNanos() < from + windowNanos).toList();
      if (in.isEmpty()) continue;
      row(String.format(Locale.ROOT, "%d-%d s", w * window, (w + 1) * window), in, window);
    }
    row("all", all, elapsed);
    System.out.println();
    System.out.println("| status | requests | p50 ms | p99 ms | max ms |");
    System.out.println("|---|---|---|---|---|");
    all.stream().map(Sample::status).distinct().sorted().forEach(status -> {
      long[] ms = all.stream().filter(x -> x.status() == status).mapToLong(Sample::latencyNanos).sorted().toArray();
      System.out.printf(Locale.ROOT, "| %d | %d | %.1f | %.1f | %.1f |%n", status, ms.length, pct(ms, 0.5),
          pct(ms, 0.99), ms[ms.length - 1] / 1e6);
    });
    long errors = all.stream().filter(s -> s.status() != 200).count();
    System.out.println();
    System.out.println("| at | RSS MiB | heap used MiB (no GC) |");
    System.out.println("|---|---|---|");
    memoryByWindow.forEach(System.out::println);
    System.out.println();
    System.out.println("before: " + before);
    System.out.println("after:  " + after);
    System.out.printf(Locale.ROOT, "errors: %d of %d%n", errors, all.size());
    firstErrors.forEach((status, body) -> System.out.println("first error with status " + status + ": "
        + (body.length() > 300 ? body.substring(0, 300) : body)));
    System.exit(errors == 0 ? 0 : 1);
  }

  private static void row(String label, List<Sample> in, double seconds) {
    long[] ms = in.stream().mapToLong(s -> s.latencyNanos()).sorted().toArray();
    long errors = in.stream().filter(s -> s.status() != 200).count();
    System.out.printf(Locale.ROOT, "| %s | %d | %d | %.1f | %.1f | %.1f | %.1f | %.1f |%n", label, in.size(), errors,
        in.size() / seconds, pct(ms, 0.50), pct(ms, 0.95), pct(ms, 0.99), ms[ms.length - 1] / 1e6);
  }

  private static double pct(long[] sorted, double p) {
    int i = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
  }

  private static HttpResponse<String> send(HttpClient client, URI uri, String body) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    return client.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** The request of an example at ratio 4; with {@code fresh >= 0} every title carries that number (a cache miss). */
  static String body(EvalExample example, long fresh) throws IOException {
    ObjectNode request = JSON.createObjectNode();
    request.put("query", example.question());
    ArrayNode documents = request.putArray("documents");
    for (EvalExample.Document d : example.documents()) {
      ObjectNode doc = documents.addObject();
      doc.put("id", d.id());
      String title = fresh >= 0 ? (d.title().isEmpty() ? "" : d.title() + " ") + "#" + fresh : d.title();
      if (!title.isEmpty()) doc.put("title", title);
      doc.put("text", d.text());
    }
    request.putObject("budget").put("ratio", 4.0);
    return JSON.writeValueAsString(request);
  }

  private static List<EvalExample> examples(String eval, String sets) {
    List<EvalExample> out = new ArrayList<>();
    if (eval != null && Files.isDirectory(Path.of(eval))) {
      for (String set : sets.split(",")) out.addAll(EvalSet.readDev(Path.of(eval), set).examples());
    } else {
      out.addAll(RegressionSet.examples());
    }
    return out;
  }

  record Memory(long heapAfterGcBytes, long heapCommittedBytes, long rssBytes, long hwmBytes) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "heap after full GC %.1f MiB (committed %.1f MiB), RSS %.1f MiB (peak %.1f "
          + "MiB)", heapAfterGcBytes / 1048576.0, heapCommittedBytes / 1048576.0, rssBytes / 1048576.0,
          hwmBytes / 1048576.0);
    }
  }

  /** Heap used after a full GC (jcmd GC.run, then the service's own heap gauge) and RSS from /proc. */
  private static Memory memory(HttpClient client, String url, long pid) throws Exception {
    long rss = -1;
    long hwm = -1;
    if (pid > 0) {
      new ProcessBuilder("jcmd", Long.toString(pid), "GC.run").redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(30, TimeUnit.SECONDS);
      Thread.sleep(500);
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) rss = kib(line) * 1024;
        if (line.startsWith("VmHWM:")) hwm = kib(line) * 1024;
      }
    }
    String metrics = metrics(client, url);
    return new Memory(heapSum(metrics, "jvm_memory_used_bytes"), heapSum(metrics, "jvm_memory_committed_bytes"), rss,
        hwm);
  }

  private static String metrics(HttpClient client, String url) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create(url + "/q/metrics")).GET().build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  private static long rssBytes(long pid) throws IOException {
    if (pid <= 0) return -1;
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) return kib(line) * 1024;
    }
    return -1;
  }

  private static long heapSum(String metrics, String name) {
    long sum = 0;
    Matcher m = Pattern.compile("(?m)^" + name + "\\{area=\"heap\"[^}]*} ([0-9.E+-]+)").matcher(metrics);
    while (m.find()) sum += (long) Double.parseDouble(m.group(1));
    return sum;
  }

  private static long kib(String statusLine) {
    return Long.parseLong(statusLine.replaceAll("[^0-9]", ""));
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> out = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) throw new IllegalArgumentException("expected --name value, got " + args[i]);
      out.put(args[i].substring(2), args[i + 1]);
    }
    if (args.length % 2 != 0) throw new IllegalArgumentException("odd arguments: " + Arrays.toString(args));
    return out;
  }
}
