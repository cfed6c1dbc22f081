package dev.precis.bench;

import static dev.precis.bench.Latencies.ms;
import static dev.precis.bench.Latencies.p50p95;
import static dev.precis.bench.Latencies.percentile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Agent traces ({@link AgentTraces}) replayed through the packaged application, as the upstream sees them: the jar
 * ({@code target/quarkus-app/quarkus-run.jar}) is started as its own process and forwards to a recording upstream
 * of this class (the JDK's HTTP server on loopback, which keeps every request body and answers at once with a
 * minimal valid chat completion, Anthropic message or Responses object).
 *
 * <pre>
 * ./mvnw -B -o -DskipTests package
 * ./mvnw -q -B -o test-compile exec:java@trace-bench -Dtrace-bench.args="eval/traces chat,messages,responses"
 * ./mvnw -q -B -o test-compile exec:java@trace-bench -Dtrace-bench.args="eval/traces chat 8192"
 * ./mvnw -q -B -o test-compile exec:java@trace-bench \
 *     -Dtrace-bench.args="eval/traces chat - target/quarkus-app/quarkus-run.jar PRECIS_PROXY_OLDER_TURN_WEIGHT=1"
 * </pre>
 *
 * <p>Arguments: the traces directory (default {@code target/traces}), the APIs ({@code chat}, {@code messages},
 * {@code responses}, comma-separated; default all three), the context budget sent as
 * {@code X-Precis-Max-Context-Tokens} ({@code -} or absent: none, so the service's
 * {@code precis.proxy.default-context-tokens} applies), the jar, then any number of Precis settings as
 * {@code NAME=value} environment variables or {@code -Dkey=value} system properties of the jar.
 *
 * <p>For every trace and API, a request is sent at every assistant step of the trace, holding every step before it,
 * rendered by {@link TraceApi} (model {@code gpt-4o}, or {@code claude-sonnet-4-5} for {@code messages}). Each
 * request goes twice, first with {@code X-Precis-Bypass: true} (what the upstream gets without Precis), then
 * normally; the recorder's copies are measured. Reported per trace and API, as a Markdown table:
 *
 * <ul>
 *   <li>input tokens received upstream over all requests, without and with Precis, and the reduction: o200k_base
 *       tokens (jtokkit; for Claude too, as an approximation) of the canonical prompt text ({@link TraceApi#canonical});
 *   <li>the cache-eligible share ({@link CacheShare}): tokens of each request's longest common prefix with the
 *       previous request of the same conversation, over the input tokens; and the ratio with / without Precis;
 *   <li>answer kept: of the requests whose next assistant step's text (the rag-chat answers are sentences of the
 *       retrieved passages) is in what the upstream receives without Precis, those where it is there with Precis too;
 *   <li>re-compactions: responses with {@code X-Precis-Recompacted: true} ("n/a" when no response has the header),
 *       and the values of {@code X-Precis-Compaction-Level} seen;
 *   <li>latency, client side, p50 / p95 ms: bypassed, compressing, and for the requests Precis left unchanged
 *       ({@code X-Precis-Saved-Tokens: 0}) their time against their own bypassed time (the paired difference's p50
 *       is the cost of a context that needs no compression).
 * </ul>
 *
 * <p>An API that Precis answers with 404 or 405, or that it passed through without reading (an Anthropic request
 * arriving at the OpenAI upstream, or every compressing response reporting {@code X-Precis-Input-Tokens: 0} with
 * the body forwarded unchanged), is reported as not supported by this build. Before the measured requests, 12
 * requests of a warm-up conversation (the first trace with every text reversed) go through each API, bypassed and
 * compressing, for the JIT. Each API is replayed by a fresh Precis process (logs in
 * {@code target/trace-benchmark-precis-<api>.log}), so none finds the segments of another's replay already
 * compressed in its memory.
 */
public final class TraceBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Encoding O200K = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  static final String OPENAI_PREFIX = "/openai";
  static final String ANTHROPIC_PREFIX = "/anthropic";
  static final int WARM_UP_REQUESTS = 12;
  /** {@code precis.proxy.default-context-tokens}' default, printed when neither the header nor a setting is given. */
  static final int SERVICE_DEFAULT_BUDGET = 4096;

  private TraceBenchmark() {}

  /** What the upstream received for one request, and Precis' answer headers and time. */
  record Exchange(String path, String body, double millis, Map<String, List<String>> headers) {
    Optional<String> header(String name) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey() != null && e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
          return Optional.of(e.getValue().get(0));
        }
      }
      return Optional.empty();
    }
  }

  /** One request of a replay, without and with Precis. */
  /**
   * One request bypassed and compressing, and the text of the assistant step that followed it in the trace (the
   * rag-chat answers are sentences of the retrieved passages), or null.
   */
  record Pair(Exchange bypass, Exchange compressing, String answer) {
    Pair(Exchange bypass, Exchange compressing) {
      this(bypass, compressing, null);
    }
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : "target/traces");
    List<TraceApi> apis = new ArrayList<>();
    for (String a : (args.length > 1 ? args[1] : "chat,messages,responses").split(",")) apis.add(TraceApi.named(a));
    Integer budget = args.length > 2 && !args[2].equals("-") ? Integer.valueOf(args[2]) : null;
    Path jar = Path.of(args.length > 3 ? args[3] : "target/quarkus-app/quarkus-run.jar");
    List<String> settings = args.length > 4 ? List.of(args).subList(4, args.length) : List.of();
    if (!Files.exists(jar)) throw new IllegalStateException(jar + " is missing: run ./mvnw -B -DskipTests package");
    List<Trace> traces = new ArrayList<>();
    for (Path f : Trace.files(dir)) traces.add(Trace.read(f));
    if (traces.isEmpty()) {
      throw new IllegalStateException("no traces in " + dir + ": run ./mvnw -q -B test-compile exec:java@agent-traces");
    }

    try (Recorder recorder = new Recorder()) {
      System.out.printf(Locale.ROOT, "Jar %s, recording upstream %s; %s; traces %s; context budget: %s; tokens: "
          + "o200k_base for every model; one Precis process per API%n%n", jar, recorder.base(), LocalDate.now(), dir,
          budgetText(budget, settings));
      System.out.println("| trace | API | requests | budget | input tokens without | with | reduction | "
          + "cache share without | with | ratio with/without | answer kept | re-compactions | compaction levels | "
          + "bypass p50/p95 ms | compressing p50/p95 ms | unchanged: n, p50/p95 ms | their bypass p50/p95 ms | "
          + "added p50 ms |");
      System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
      Trace warmUp = reversed(traces.get(0));
      for (TraceApi api : apis) {
        // a fresh process per API, so no API finds the segments of another's replay already compressed
        Process precis = null;
        try {
          int port = PrecisProcess.freePort();
          String base = "http://127.0.0.1:" + port;
          Path log = Path.of("target", "trace-benchmark-precis-" + api.id + ".log");
          precis = start(jar, settings, recorder, port, log);
          PrecisProcess.waitReady(base, precis, log);
          String unsupported = warmUp(base, recorder, api, warmUp, budget);
          recorder.clear();
          for (Trace t : traces) {
            if (unsupported == null) {
              List<Pair> pairs = replay(base, recorder, api, t, budget);
              unsupported = unsupported(api, pairs);
              if (unsupported == null) {
                System.out.println(row(t.name(), api, budgetText(budget, settings), pairs));
                continue;
              }
            }
            System.out.printf(Locale.ROOT, "| %s | %s | not supported by this build (%s) |%n", t.name(), api.id,
                unsupported);
          }
        } finally {
          if (precis != null) {
            precis.destroy();
            if (!precis.waitFor(20, TimeUnit.SECONDS)) precis.destroyForcibly().waitFor();
          }
        }
      }
    }
  }

  /** The jar as its own process, forwarding to the recorder; settings are NAME=value (env) or -Dkey=value. */
  static Process start(Path jar, List<String> settings, Recorder recorder, int port, Path log) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString(), "--enable-native-access=ALL-UNNAMED"));
    ProcessBuilder pb = new ProcessBuilder();
    for (String s : settings) {
      if (s.startsWith("-D")) command.add(s);
      else if (s.contains("=")) pb.environment().put(s.substring(0, s.indexOf('=')), s.substring(s.indexOf('=') + 1));
      else throw new IllegalArgumentException("setting '" + s + "' is neither NAME=value nor -Dkey=value");
    }
    command.addAll(List.of("-jar", jar.toString()));
    pb.command(command);
    pb.environment().put("PRECIS_UPSTREAM_URL", recorder.base() + OPENAI_PREFIX + "/v1");
    pb.environment().put("PRECIS_UPSTREAM_ANTHROPIC_URL", recorder.base() + ANTHROPIC_PREFIX);
    pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
    pb.environment().remove("CLASSPATH");
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    return pb.start();
  }

  static String budgetText(Integer budget, List<String> settings) {
    if (budget != null) return budget + " (X-Precis-Max-Context-Tokens)";
    for (String s : settings) {
      if (s.startsWith("PRECIS_PROXY_DEFAULT_CONTEXT_TOKENS=") || s.startsWith("-Dprecis.proxy.default-context-tokens=")) {
        return s.substring(s.indexOf('=') + 1) + " (precis.proxy.default-context-tokens)";
      }
    }
    return SERVICE_DEFAULT_BUDGET + " (service default)";
  }

  /** The trace with every text reversed: the same shapes and sizes, other words. */
  static Trace reversed(Trace t) {
    List<Trace.Step> steps = new ArrayList<>();
    for (Trace.Step s : t.steps()) {
      steps.add(new Trace.Step(s.role(), reverse(s.text()), reverse(s.context()), s.toolCalls(), s.toolCallId(),
          s.name(), reverse(s.content())));
    }
    return new Trace(t.name() + "-warm-up", t.sources(), t.licence(), t.system(), t.tools(), steps);
  }

  private static String reverse(String s) {
    return s == null ? null : new StringBuilder(s).reverse().toString();
  }

  /** Sends the first requests of the warm-up conversation; the reason when Precis does not serve the API. */
  static String warmUp(String base, Recorder recorder, TraceApi api, Trace warmUp, Integer budget) throws Exception {
    List<Integer> points = warmUp.requestPoints();
    for (int i = 0; i < Math.min(WARM_UP_REQUESTS, points.size()); i++) {
      String body = JSON.writeValueAsString(api.request(warmUp, points.get(i)));
      for (boolean bypass : new boolean[] {true, false}) {
        HttpResponse<String> r = post(base, api, body, budget, bypass);
        if (r.statusCode() == 404 || r.statusCode() == 405) return "Precis answers " + r.statusCode();
        if (r.statusCode() != 200) {
          throw new IllegalStateException(api.id + ": status " + r.statusCode() + ": " + r.body());
        }
        recorder.take();
      }
    }
    return null;
  }

  /** Every request of the trace for one API, bypassed then compressing. */
  static List<Pair> replay(String base, Recorder recorder, TraceApi api, Trace trace, Integer budget)
      throws Exception {
    List<Pair> pairs = new ArrayList<>();
    for (int point : trace.requestPoints()) {
      String body = JSON.writeValueAsString(api.request(trace, point));
      Exchange bypass = exchange(base, recorder, api, body, budget, true);
      Exchange compressing = exchange(base, recorder, api, body, budget, false);
      // rag-chat's answers are a retrieved sentence followed by its source page in parentheses
      String answer = trace.steps().get(point).text();
      if (answer != null) answer = answer.replaceAll("\\s*\\([^()]*\\)\\s*$", "");
      pairs.add(new Pair(bypass, compressing, answer == null || answer.isBlank() ? null : answer));
    }
    return pairs;
  }

  private static Exchange exchange(String base, Recorder recorder, TraceApi api, String body, Integer budget,
      boolean bypass) throws Exception {
    long t0 = System.nanoTime();
    HttpResponse<String> r = post(base, api, body, budget, bypass);
    double ms = (System.nanoTime() - t0) / 1e6;
    if (r.statusCode() != 200) {
      throw new IllegalStateException(api.id + (bypass ? " bypassed" : "") + ": status " + r.statusCode() + ": "
          + r.body());
    }
    Recorder.Received received = recorder.take();
    return new Exchange(received.path(), received.body(), ms, r.headers().map());
  }

  private static HttpResponse<String> post(String base, TraceApi api, String body, Integer budget, boolean bypass)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + api.path)).timeout(Duration.ofSeconds(300))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (api == TraceApi.MESSAGES) b.header("anthropic-version", "2023-06-01").header("x-api-key", "test-key");
    else b.header("Authorization", "Bearer test-key");
    if (budget != null) b.header("X-Precis-Max-Context-Tokens", Integer.toString(budget));
    if (bypass) b.header("X-Precis-Bypass", "true");
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  /** Why a replay shows that Precis does not handle the API, or null when it does. */
  static String unsupported(TraceApi api, List<Pair> pairs) {
    String expected = (api == TraceApi.MESSAGES ? ANTHROPIC_PREFIX : OPENAI_PREFIX) + api.path;
    for (Pair p : pairs) {
      if (!p.compressing().path().equals(expected)) {
        return "forwarded to " + p.compressing().path() + ", not " + expected;
      }
    }
    boolean read = pairs.stream().anyMatch(p -> p.compressing().header("X-Precis-Input-Tokens")
        .map(v -> !v.trim().equals("0")).orElse(false) || !p.compressing().body().equals(p.bypass().body()));
    return read ? null : "passed through without reading: X-Precis-Input-Tokens 0 and the body unchanged on every "
        + "request";
  }

  /** One table row. */
  static String row(String trace, TraceApi api, String budget, List<Pair> pairs) throws IOException {
    List<String> without = new ArrayList<>();
    List<String> with = new ArrayList<>();
    for (Pair p : pairs) {
      without.add(api.canonical(JSON.readTree(p.bypass().body())));
      with.add(api.canonical(JSON.readTree(p.compressing().body())));
    }
    // Answer kept: the next assistant text is in what the upstream received, counted where it is without Precis.
    int answerable = 0;
    int kept = 0;
    for (int i = 0; i < pairs.size(); i++) {
      String answer = pairs.get(i).answer();
      if (answer == null) continue;
      dev.precis.quality.AnswerMatcher matcher = dev.precis.quality.AnswerMatcher.of(List.of(answer));
      if (!matcher.matches(without.get(i))) continue;
      answerable++;
      if (matcher.matches(with.get(i))) kept++;
    }
    String answerKept = answerable == 0 ? "-" : String.format(Locale.ROOT, "%d/%d", kept, answerable);
    CacheShare w0 = CacheShare.of(without, TraceBenchmark::tokens);
    CacheShare w1 = CacheShare.of(with, TraceBenchmark::tokens);
    int n = pairs.size();
    int recompacted = 0;
    boolean recompactHeader = false;
    Map<String, Integer> levels = new TreeMap<>(TraceBenchmark::compareLevels);
    double[] bypass = new double[n];
    double[] compressing = new double[n];
    List<Double> unchanged = new ArrayList<>();
    List<Double> unchangedBypass = new ArrayList<>();
    List<Double> added = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Pair p = pairs.get(i);
      Optional<String> r = p.compressing().header("X-Precis-Recompacted");
      if (r.isPresent()) {
        recompactHeader = true;
        if (r.get().trim().equalsIgnoreCase("true")) recompacted++;
      }
      p.compressing().header("X-Precis-Compaction-Level").ifPresent(l -> levels.merge(l.trim(), 1, Integer::sum));
      bypass[i] = p.bypass().millis();
      compressing[i] = p.compressing().millis();
      if (p.compressing().header("X-Precis-Saved-Tokens").map(v -> v.trim().equals("0")).orElse(false)) {
        unchanged.add(compressing[i]);
        unchangedBypass.add(bypass[i]);
        added.add(compressing[i] - bypass[i]);
      }
    }
    StringBuilder lv = new StringBuilder();
    levels.forEach((k, v) -> lv.append(lv.length() == 0 ? "" : ", ").append(k).append(" \u00d7").append(v));
    double ratio = w0.share() == 0 ? 0 : w1.share() / w0.share();
    return String.format(Locale.ROOT, "| %s | %s | %d | %s | %,d | %,d | %.1f%% | %.1f%% | %.1f%% | %.2f | %s | %s "
        + "| %s | %s | %s | %d, %s | %s | %s |", trace, api.id, n, budget, w0.inputTokens(), w1.inputTokens(),
        100.0 * (w0.inputTokens() - w1.inputTokens()) / Math.max(1, w0.inputTokens()), 100 * w0.share(),
        100 * w1.share(), ratio, answerKept, recompactHeader ? Integer.toString(recompacted) : "n/a",
        levels.isEmpty() ? "n/a" : lv.toString(), p50p95(bypass), p50p95(compressing), unchanged.size(),
        p50p95(unboxed(unchanged)), p50p95(unboxed(unchangedBypass)), added.isEmpty() ? "-" : ms(percentile(unboxed(added), 0.5)));
  }

  /** Numbers in numeric order, anything else after them in text order. */
  static int compareLevels(String a, String b) {
    boolean na = a.matches("-?\\d{1,9}");
    boolean nb = b.matches("-?\\d{1,9}");
    if (na && nb) return Integer.compare(Integer.parseInt(a), Integer.parseInt(b));
    if (na != nb) return na ? -1 : 1;
    return a.compareTo(b);
  }

  static int tokens(String text) {
    return text.isEmpty() ? 0 : O200K.countTokensOrdinary(text);
  }

  private static double[] unboxed(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).toArray();
  }






  /**
   * The recording upstream: keeps each POST's path and body in arrival order and answers 200 with a minimal valid
   * body of the API its path names ({@code .../chat/completions}, {@code .../messages}, {@code .../responses}),
   * else 404.
   */
  static final class Recorder implements AutoCloseable {
    record Received(String path, String body) {}

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();

    Recorder() throws IOException {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
      server.createContext("/", this::handle);
      server.setExecutor(executor);
      server.start();
    }

    String base() {
      return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Forgets what was received and not taken. */
    void clear() {
      received.clear();
    }

    /** The next request received, waiting up to 60 s. */
    Received take() throws InterruptedException {
      Received r = received.poll(60, TimeUnit.SECONDS);
      if (r == null) throw new IllegalStateException("the recording upstream received nothing within 60 s");
      return r;
    }

    private void handle(HttpExchange ex) throws IOException {
      try (ex) {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String path = ex.getRequestURI().getPath();
        received.add(new Received(path, body));
        String answer = answer(path);
        byte[] bytes = (answer == null ? "{\"error\":\"not found\"}" : answer).getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(answer == null ? 404 : 200, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
          out.write(bytes);
        }
      }
    }

    static String answer(String path) {
      if (path.endsWith("/chat/completions")) {
        return "{\"id\":\"chatcmpl-rec\",\"object\":\"chat.completion\",\"created\":1700000000,\"model\":\"gpt-4o\","
            + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},"
            + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,"
            + "\"total_tokens\":2}}";
      }
      if (path.endsWith("/messages")) {
        return "{\"id\":\"msg_rec\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\","
            + "\"content\":[{\"type\":\"text\",\"text\":\"ok\"}],\"stop_reason\":\"end_turn\","
            + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}";
      }
      if (path.endsWith("/responses")) {
        return "{\"id\":\"resp_rec\",\"object\":\"response\",\"created_at\":1700000000,\"status\":\"completed\","
            + "\"model\":\"gpt-4o\",\"output\":[{\"type\":\"message\",\"id\":\"msg_rec\",\"status\":\"completed\","
            + "\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"ok\",\"annotations\":[]}]}],"
            + "\"usage\":{\"input_tokens\":1,\"output_tokens\":1,\"total_tokens\":2}}";
      }
      return null;
    }

    @Override
    public void close() {
      server.stop(0);
      executor.shutdownNow();
    }
  }
}
