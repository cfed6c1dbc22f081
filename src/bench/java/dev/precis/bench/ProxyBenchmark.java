package dev.precis.bench;

import static dev.precis.bench.Latencies.p50p95;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.precis.api.proxy.FakeUpstream;
import dev.precis.quality.AnswerMatcher;
import dev.precis.quality.EvalExample;
import dev.precis.quality.EvalSet;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The proxy hop measured end to end: the packaged application ({@code target/quarkus-app/quarkus-run.jar}) started
 * as its own process, forwarding to the tests' fake upstream (which answers at once), and driven over loopback
 * with the dev sets as chat requests ({@code <context>} + question, model {@code gpt-4} so tokens are cl100k, budget
 * header {@code floor(context tokens / 4)}), one request at a time.
 *
 * <p>Per set: latency straight to the upstream, through Precis with {@code X-Precis-Bypass: true} (the hop alone),
 * and through Precis compressing (first sight of every context: the vector cache is cold for it), as p50/p95 of the
 * whole request and of the time added over the direct call; then the tokens in, out and saved as the response
 * headers report them, answer kept in what the upstream received, and outputs over budget (counted here). The
 * process' resident memory (ps -o rss) after start and at its peak is printed too; with a fourth argument N > 1,
 * N clients then send the first set's requests at once and the peak resident memory under that load is printed.
 *
 * <pre>
 * ./mvnw -B -DskipTests package
 * ./mvnw -q -B test-compile exec:java@proxy -Dproxy.args="../shared/eval nq20,hotpotqa,qasper 100 8"
 * </pre>
 */
public final class ProxyBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Encoding CL100K = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private ProxyBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path eval = Path.of(args.length > 0 ? args[0] : "../shared/eval");
    String[] sets = (args.length > 1 ? args[1] : "nq20,hotpotqa,qasper").split(",");
    int limit = args.length > 2 ? Integer.parseInt(args[2]) : 100;
    int concurrency = args.length > 3 ? Integer.parseInt(args[3]) : 1;
    Path jar = Path.of(args.length > 4 ? args[4] : "target/quarkus-app/quarkus-run.jar");
    if (!Files.exists(jar)) throw new IllegalStateException(jar + " is missing: run ./mvnw -B -DskipTests package");

    FakeUpstream upstream = FakeUpstream.shared();
    int port = PrecisProcess.freePort();
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--enable-native-access=ALL-UNNAMED", "-jar", jar.toString());
    pb.environment().put("PRECIS_UPSTREAM_URL", upstream.baseUrl());
    pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
    pb.environment().remove("CLASSPATH");
    pb.redirectErrorStream(true).redirectOutput(Path.of("target", "proxy-benchmark-precis.log").toFile());
    Process precis = pb.start();
    try {
      String base = "http://127.0.0.1:" + port;
      PrecisProcess.waitReady(base, precis, Path.of("target", "proxy-benchmark-precis.log"));
      long rssStart = rssKb(precis.pid());
      long rssMax = rssStart;
      System.out.printf(Locale.ROOT, "Precis pid %d on port %d, upstream %s; RSS after start %d MiB%n%n",
          precis.pid(), port, upstream.baseUrl(), rssStart / 1024);
      System.out.println("| set | requests | direct p50/p95 ms | bypass p50/p95 ms | added by hop p50/p95 ms | "
          + "compressing p50/p95 ms | added with compression p50/p95 ms | context tokens in | out | saved | "
          + "answer kept | over budget |");
      System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
      for (String set : sets) {
        List<EvalExample> examples = EvalSet.readDev(eval, set).limit(limit).examples();
        // JIT warm-up of the hop and the engine, compressing other text than the measured requests (reversed).
        for (int i = 0; i < 20; i++) {
          EvalExample e = examples.get(i % examples.size());
          send(base, chat(e, true), Math.max(1, CL100K.countTokens(e.fullContext()) / 4), false);
        }
        upstream.clear();
        int n = examples.size();
        double[] direct = new double[n];
        double[] bypass = new double[n];
        double[] compressing = new double[n];
        long in = 0;
        long out = 0;
        long saved = 0;
        int kept = 0;
        int withAnswer = 0;
        int over = 0;
        for (int i = 0; i < n; i++) {
          EvalExample e = examples.get(i);
          String body = chat(e, false);
          int budget = Math.max(1, CL100K.countTokens(e.fullContext()) / 4);
          direct[i] = send(upstream.baseUrl().replace("/v1", ""), body, budget, false).millis();
          upstream.take();
          bypass[i] = send(base, body, budget, true).millis();
          upstream.take();
          Sent s = send(base, body, budget, false);
          compressing[i] = s.millis();
          String received = upstream.take().bodyText();
          String user = JSON.readTree(received).get("messages").get(1).get("content").asText();
          String context = user.substring("<context>".length(), user.indexOf("</context>"));
          in += header(s.response(), "X-Precis-Input-Tokens");
          out += header(s.response(), "X-Precis-Output-Tokens");
          saved += header(s.response(), "X-Precis-Saved-Tokens");
          if (CL100K.countTokens(context) > budget) over++;
          AnswerMatcher answers = AnswerMatcher.of(e.answers());
          if (answers.matches(e.fullContext())) {
            withAnswer++;
            if (answers.matches(context)) kept++;
          }
          rssMax = Math.max(rssMax, rssKb(precis.pid()));
        }
        double[] hop = minus(bypass, direct);
        double[] withCompression = minus(compressing, direct);
        System.out.printf(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s | %d | %d | %d (%.1f%%) | %.1f%% | %d |%n",
            set, n, p50p95(direct), p50p95(bypass), p50p95(hop), p50p95(compressing), p50p95(withCompression), in,
            out, saved, 100.0 * saved / in, 100.0 * kept / withAnswer, over);
      }
      System.out.printf(Locale.ROOT, "%nRSS: %d MiB after start, %d MiB at most during the run%n",
          rssStart / 1024, rssMax / 1024);
      if (concurrency > 1) {
        // Memory under load: `concurrency` clients at once, each sending every example of the first set compressed.
        List<EvalExample> examples = EvalSet.readDev(eval, sets[0]).limit(limit).examples();
        java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(concurrency);
        java.util.concurrent.atomic.AtomicLong peak = new java.util.concurrent.atomic.AtomicLong(rssMax);
        long t0 = System.nanoTime();
        List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
        for (int c = 0; c < concurrency; c++) {
          int offset = c;
          done.add(clients.submit(() -> {
            for (int i = 0; i < examples.size(); i++) {
              EvalExample e = examples.get((i + offset * 7) % examples.size());
              send(base, chat(e, offset % 2 == 1), Math.max(1, CL100K.countTokens(e.fullContext()) / 4), false);
              peak.accumulateAndGet(rssKb(precis.pid()), Math::max);
            }
            return null;
          }));
        }
        while (!done.isEmpty()) {
          upstream.clear();
          if (done.get(0).isDone()) done.remove(0).get();
          else Thread.sleep(50);
        }
        clients.shutdown();
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "Under load: %d clients x %d compressed requests (%s) in %.0f s (%.1f req/s); "
            + "RSS at most %d MiB%n", concurrency, examples.size(), sets[0], seconds,
            concurrency * examples.size() / seconds, peak.get() / 1024);
      }
    } finally {
      precis.destroy();
      precis.waitFor();
      upstream.close();
    }
  }

  record Sent(HttpResponse<String> response, double millis) {}

  private static Sent send(String base, String body, int budget, boolean bypass) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(120)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (budget > 0) b.header("X-Precis-Max-Context-Tokens", Integer.toString(budget));
    if (bypass) b.header("X-Precis-Bypass", "true");
    long t0 = System.nanoTime();
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    double ms = (System.nanoTime() - t0) / 1e6;
    if (r.statusCode() != 200) throw new IllegalStateException("status " + r.statusCode() + ": " + r.body());
    return new Sent(r, ms);
  }

  /** A chat request holding the example's context in tags, then the question. */
  static String chat(EvalExample e, boolean warmUp) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("model", "gpt-4");
    ArrayNode messages = root.putArray("messages");
    messages.addObject().put("role", "system").put("content", "Answer the question from the context.");
    String context = warmUp ? new StringBuilder(e.fullContext()).reverse().toString() : e.fullContext();
    messages.addObject().put("role", "user")
        .put("content", "<context>" + context + "</context>\n\nQuestion: " + e.question());
    root.put("max_tokens", 64);
    return JSON.writeValueAsString(root);
  }

  private static int header(HttpResponse<?> r, String name) {
    return Integer.parseInt(r.headers().firstValue(name).orElseThrow());
  }

  private static double[] minus(double[] a, double[] b) {
    double[] d = new double[a.length];
    for (int i = 0; i < a.length; i++) d[i] = a[i] - b[i];
    return d;
  }





  private static long rssKb(long pid) throws Exception {
    Process ps = new ProcessBuilder("ps", "-o", "rss=", "-p", Long.toString(pid)).start();
    String out = new String(ps.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    ps.waitFor();
    return out.isEmpty() ? 0 : Long.parseLong(out);
  }

}
