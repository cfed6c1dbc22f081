package dev.precis.api.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The proxy against a real OpenAI-compatible server ({@link FakeUpstream}) on a loopback port: what the upstream
 * receives, what the client gets back, streaming, pass-through and the failure cases.
 */
@QuarkusTest
@TestProfile(WithFakeUpstream.class)
class ProxyTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Encoding O200K = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
  static final Encoding CL100K = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /** A retrieval-style context of four biographies; the answer to the question is in the second. */
  static final String CONTEXT = String.join("\n\n",
      "Ada Lovelace was an English mathematician and writer, chiefly known for her work on Charles Babbage's proposed "
          + "mechanical general-purpose computer, the Analytical Engine. She was the first to recognise that the "
          + "machine had applications beyond pure calculation. In 1843 she published what is often regarded as the "
          + "first algorithm intended to be carried out by such a machine.",
      "Marie Curie was a Polish and naturalised-French physicist and chemist who conducted pioneering research on "
          + "radioactivity. She was the first woman to win a Nobel Prize and the only person to win Nobel Prizes in "
          + "two scientific fields. In 1911 she won the Nobel Prize in Chemistry for her discovery of the elements "
          + "polonium and radium. During the First World War she developed mobile radiography units.",
      "Alan Turing was an English mathematician, computer scientist and logician. He formalised the concepts of "
          + "algorithm and computation with the Turing machine. During the Second World War he worked at Bletchley "
          + "Park, where he devised techniques for breaking German ciphers.",
      "Rosalind Franklin was an English chemist and X-ray crystallographer. Her work was central to the "
          + "understanding of the molecular structures of DNA, RNA, viruses, coal and graphite. Photo 51 was key "
          + "evidence for the double helix.");
  static final String QUESTION = "Which elements did Marie Curie discover?";

  @TestHTTPResource("/")
  URL root;

  FakeUpstream upstream = FakeUpstream.shared();

  @BeforeEach
  void clear() {
    assertEquals(upstream.baseUrl(), org.eclipse.microprofile.config.ConfigProvider.getConfig()
        .getValue("precis.upstream.url", String.class), "the test's upstream is the one Precis forwards to");
    upstream.clear();
  }

  /** A chat request: system prompt, the context in tags with the question, spaced and spelt as a client might. */
  static String chatBody(String model, boolean stream) {
    return "{\n  \"model\" : \"" + model + "\",\n  \"temperature\": 0.70,\n  \"stream\": " + stream + ",\n"
        + "  \"messages\": [\n    {\"role\": \"system\", \"content\": \"You answer from the context only. \\u00e9t\u00e9\"},\n"
        + "    {\"role\": \"user\", \"content\": " + JSON.valueToTree("<context>" + CONTEXT + "</context>\n\n"
        + QUESTION) + "}\n  ],\n  \"max_tokens\": 100\n}";
  }

  HttpResponse<String> post(String path, String body, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(root.toURI().resolve(path)).timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    b.header("Content-Type", "application/json");
    for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(root.toURI().resolve(path)).timeout(Duration.ofSeconds(30)).GET();
    for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  static String taggedContext(String body) {
    int open = body.indexOf("<context>");
    int close = body.indexOf("</context>");
    assertTrue(open >= 0 && close > open, () -> "context tags missing from " + body);
    return body.substring(open + "<context>".length(), close);
  }

  static int header(HttpResponse<?> r, String name) {
    return Integer.parseInt(r.headers().firstValue(name).orElseThrow(() -> new AssertionError(name + " missing")));
  }

  @Test
  void compressesTaggedContextToTheHeaderBudgetAndForwardsTheRestByteForByte() throws Exception {
    String sent = chatBody("gpt-4o", false);
    // Expandable elisions off: this request is forwarded with only its context changed (ExpandLoopTest has them on).
    HttpResponse<String> r = post("/v1/chat/completions", sent, "Authorization", "Bearer sk-test-123",
        "OpenAI-Organization", "org-7", "OpenAI-Project", "proj-9", "X-Precis-Max-Context-Tokens", "60",
        LlmProxy.EXPAND, "off");

    assertEquals(200, r.statusCode(), r::body);
    assertEquals(FakeUpstream.completion("gpt-4o"), r.body(), "the upstream's answer, as it sent it");
    assertEquals("fake", r.headers().firstValue("X-Upstream").orElse(null), "upstream headers come back");

    FakeUpstream.Received got = upstream.take();
    assertEquals("POST", got.method());
    assertEquals("/v1/chat/completions", got.path());
    assertEquals("Bearer sk-test-123", got.header("authorization"));
    assertEquals("org-7", got.header("openai-organization"));
    assertEquals("proj-9", got.header("openai-project"));
    assertNull(got.header("x-precis-max-context-tokens"), "Precis' own headers stay here");

    String received = got.bodyText();
    String kept = JSON.readTree("\"" + taggedContext(received) + "\"").asText();
    assertTrue(O200K.countTokens(kept) <= 60, () -> O200K.countTokens(kept) + " tokens over 60 (o200k): " + kept);
    assertTrue(kept.contains("polonium and radium"), () -> "the answer was dropped: " + kept);
    assertTrue(kept.length() < CONTEXT.length() / 2, kept);
    // Everything outside the context is the client's bytes: spacing, number spelling, escapes.
    String before = sent.substring(0, sent.indexOf("<context>"));
    String after = sent.substring(sent.indexOf("</context>"));
    assertTrue(received.startsWith(before), () -> "changed before the context: " + received);
    assertTrue(received.endsWith(after), () -> "changed after the context: " + received);

    int input = header(r, LlmProxy.INPUT_TOKENS);
    int output = header(r, LlmProxy.OUTPUT_TOKENS);
    assertEquals(O200K.countTokens(CONTEXT), input, "input counts the context in the model's encoding");
    assertEquals(O200K.countTokens(kept), output);
    assertEquals(input - output, header(r, LlmProxy.SAVED_TOKENS));
    assertTrue(Double.parseDouble(r.headers().firstValue(LlmProxy.COMPRESSION_MS).orElseThrow()) > 0);
  }

  @Test
  void aJsonToolResultIsCompressedToValidJson() throws Exception {
    StringBuilder records = new StringBuilder("[");
    for (int i = 0; i < 30; i++) {
      records.append(i == 0 ? "" : ",").append("{\"order\": \"A-").append(1000 + i).append("\", \"status\": \"")
          .append(i == 17 ? "failed" : "shipped").append("\", \"note\": \"")
          .append("Packed and handed to the carrier on time. ".repeat(3)).append("\"}");
    }
    String tool = records.append("]").toString();
    String sent = "{\"model\": \"gpt-4o\", \"messages\": ["
        + "{\"role\": \"user\", \"content\": \"Which order failed?\"},"
        + "{\"role\": \"assistant\", \"content\": null, \"tool_calls\": [{\"id\": \"c1\", \"type\": \"function\","
        + " \"function\": {\"name\": \"orders\", \"arguments\": \"{}\"}}]},"
        + "{\"role\": \"tool\", \"tool_call_id\": \"c1\", \"content\": " + JSON.valueToTree(tool) + "}]}";
    HttpResponse<String> r = post("/v1/chat/completions", sent, "X-Precis-Max-Context-Tokens", "80");
    assertEquals(200, r.statusCode(), r::body);
    String forwarded = JSON.readTree(upstream.take().bodyText()).get("messages").get(2).get("content").asText();
    assertTrue(O200K.countTokens(forwarded) <= 80, forwarded);
    JsonNode parsed = JSON.readTree(forwarded); // still JSON: the agent and the model can parse it
    assertTrue(parsed.isArray(), forwarded);
    assertTrue(forwarded.contains("\"A-1017\", \"status\": \"failed\""), forwarded);
  }

  @Test
  void aRequestThatFitsIsForwardedAsItsVeryBytes() throws Exception {
    String sent = chatBody("gpt-4o-mini", false);
    HttpResponse<String> r = post("/v1/chat/completions", sent, "X-Precis-Max-Context-Tokens", "5000");
    assertEquals(200, r.statusCode(), r::body);
    assertEquals(sent, upstream.take().bodyText());
    assertEquals(0, header(r, LlmProxy.SAVED_TOKENS));
    assertEquals(header(r, LlmProxy.INPUT_TOKENS), header(r, LlmProxy.OUTPUT_TOKENS));
  }

  @Test
  void withoutHeaderTheContextWindowTableSetsTheBudget() throws Exception {
    // tiny-window=1400: 1400 - max_tokens 100 - reserve 1024 - the other messages leaves under 276 tokens.
    String sent = chatBody("tiny-window", false);
    HttpResponse<String> r = post("/v1/chat/completions", sent);
    assertEquals(200, r.statusCode(), r::body);
    String kept = JSON.readTree("\"" + taggedContext(upstream.take().bodyText()) + "\"").asText();
    int tokens = CL100K.countTokens(kept);
    assertTrue(tokens > 100 && tokens <= 276, () -> tokens + " tokens (cl100k, the fallback): " + kept);
    assertEquals(tokens, header(r, LlmProxy.OUTPUT_TOKENS));
  }

  @Test
  void streamedChunksReachTheClientInOrderAndAsTheyAreSent() throws Exception {
    HttpRequest request = HttpRequest.newBuilder(root.toURI().resolve("/v1/chat/completions"))
        .header("Content-Type", "application/json").header("X-Precis-Max-Context-Tokens", "60")
        .POST(HttpRequest.BodyPublishers.ofString(chatBody("gpt-4o", true))).build();
    long t0 = System.nanoTime();
    HttpResponse<Stream<String>> r = HTTP.send(request, HttpResponse.BodyHandlers.ofLines());
    assertEquals(200, r.statusCode());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
    assertTrue(header(r, LlmProxy.SAVED_TOKENS) > 0, "the streamed request was compressed too");
    List<String> events = new ArrayList<>();
    List<Long> arrivals = new ArrayList<>();
    try (Stream<String> lines = r.body()) {
      lines.filter(l -> l.startsWith("data: ")).forEach(l -> {
        events.add(l.substring("data: ".length()));
        arrivals.add(System.nanoTime() - t0);
      });
    }
    assertEquals(FakeUpstream.CHUNKS + 1, events.size(), events::toString);
    for (int i = 0; i < FakeUpstream.CHUNKS; i++) {
      assertEquals(FakeUpstream.chunk("gpt-4o", i, FakeUpstream.CHUNKS), events.get(i), "chunk " + i);
    }
    assertEquals("[DONE]", events.get(FakeUpstream.CHUNKS));
    // The upstream spaces its chunks 300 ms apart: relayed as they come, the client sees them spread out the same
    // way; buffered, they would arrive together at the end.
    long spread = TimeUnit.NANOSECONDS.toMillis(arrivals.get(FakeUpstream.CHUNKS - 1) - arrivals.get(0));
    long sent = (FakeUpstream.CHUNKS - 1) * FakeUpstream.CHUNK_GAP_MILLIS;
    assertTrue(spread >= sent * 3 / 4, () -> "first to last chunk " + spread + " ms apart; upstream sent them "
        + sent + " ms apart: " + arrivals);
  }

  @Test
  void modelsAndOtherPathsPassThroughButPrecisOwnPathsStay() throws Exception {
    HttpResponse<String> models = get("/v1/models", "Authorization", "Bearer sk-models");
    assertEquals(200, models.statusCode());
    assertEquals("gpt-4o", JSON.readTree(models.body()).get("data").get(0).get("id").asText());
    FakeUpstream.Received got = upstream.take();
    assertEquals("GET", got.method());
    assertEquals("/v1/models", got.path());
    assertEquals("Bearer sk-models", got.header("authorization"));

    String embedding = "{\"model\":\"text-embedding-3-small\",\"input\":\"<context>untouched</context>\"}";
    HttpResponse<String> other = post("/v1/embeddings?api-version=2", embedding);
    assertEquals(200, other.statusCode());
    FakeUpstream.Received e = upstream.take();
    assertEquals("/v1/embeddings", e.path());
    assertEquals("api-version=2", e.query());
    assertEquals(embedding, e.bodyText());

    HttpResponse<String> encodings = get("/v1/encodings");
    assertEquals(200, encodings.statusCode());
    assertTrue(encodings.body().contains("o200k_base"), encodings::body);
    HttpResponse<String> compress = post("/v1/compress", "{\"context\":\"" + CONTEXT.replace("\n", "\\n")
        + "\",\"budget\":{\"maxTokens\":30}}");
    assertEquals(200, compress.statusCode(), compress::body);
    assertEquals(0, upstream.pending(), "Precis' own endpoints are not forwarded");
  }

  @Test
  void upstreamErrorsPassThroughWithTheirBody() throws Exception {
    HttpResponse<String> limited = post("/v1/chat/completions", chatBody("status-429", false));
    assertEquals(429, limited.statusCode());
    assertEquals(FakeUpstream.RATE_LIMIT_BODY, limited.body());
    assertEquals("7", limited.headers().firstValue("Retry-After").orElse(null));

    HttpResponse<String> failed = post("/v1/chat/completions", chatBody("status-500", false));
    assertEquals(500, failed.statusCode());
    assertEquals(FakeUpstream.SERVER_ERROR_BODY, failed.body());
  }

  @Test
  void aSilentUpstreamGives504NamingIt() throws Exception {
    long t0 = System.nanoTime();
    HttpResponse<String> r = post("/v1/chat/completions", chatBody("slow", false));
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertEquals(504, r.statusCode(), r::body);
    JsonNode error = JSON.readTree(r.body()).get("error");
    assertTrue(error.get("message").asText().contains(upstream.baseUrl()), r::body);
    assertEquals("upstream_timeout", error.get("code").asText());
    assertTrue(ms < FakeUpstream.SLOW_MILLIS, () -> "answered after " + ms + " ms, not at the timeout");
  }

  @Test
  void aClientLeavingMidStreamCancelsTheUpstreamCall() throws Exception {
    String body = chatBody("endless-stream", true);
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    try (Socket socket = new Socket(root.getHost(), root.getPort())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(bytes);
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      int events = 0;
      String line;
      while (events < 3 && (line = in.readLine()) != null) {
        if (line.startsWith("data: ")) events++;
      }
      assertEquals(3, events, "the stream started");
    }
    Integer sent = upstream.streamsCut.poll(10, TimeUnit.SECONDS);
    assertNotNull(sent, "the upstream kept streaming after the client left");
    assertTrue(sent < 100, () -> "the upstream sent " + sent + " chunks before it was cut");
  }

  @Test
  void bypassForwardsTheRequestUntouched() throws Exception {
    String sent = chatBody("gpt-4o", false);
    HttpResponse<String> r = post("/v1/chat/completions", sent, "X-Precis-Bypass", "true",
        "X-Precis-Max-Context-Tokens", "20");
    assertEquals(200, r.statusCode());
    assertEquals(sent, upstream.take().bodyText());
    assertEquals(0, header(r, LlmProxy.SAVED_TOKENS));
  }

  @Test
  void malformedRequestsGetAnOpenAiShaped400AndAreNotForwarded() throws Exception {
    assertBadRequest(post("/v1/chat/completions", "{\"model\": \"gpt-4o\", \"messages\": [}"), "not valid JSON",
        null);
    assertBadRequest(post("/v1/chat/completions", "{\"model\": \"gpt-4o\", \"messages\": \"hi\"}"),
        "messages must be an array", "messages");
    assertBadRequest(post("/v1/chat/completions", "{\"model\": \"gpt-4o\"}"), "messages is missing", "messages");
    assertBadRequest(post("/v1/chat/completions", "[1, 2]"), "must be a JSON object", null);
    assertBadRequest(post("/v1/chat/completions", chatBody("gpt-4o", false), "X-Precis-Max-Context-Tokens", "-3"),
        "X-Precis-Max-Context-Tokens", "X-Precis-Max-Context-Tokens");
    assertEquals(0, upstream.pending());
  }

  @Test
  void aChunkedBodyOverTheLimitGets413() throws Exception {
    byte[] big = ("{\"model\": \"gpt-4o\", \"messages\": [{\"role\": \"user\", \"content\": \""
        + "x".repeat(WithFakeUpstream.MAX_BODY_BYTES) + "\"}]}").getBytes(StandardCharsets.UTF_8);
    HttpRequest request = HttpRequest.newBuilder(root.toURI().resolve("/v1/chat/completions"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big))).build();
    HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    assertEquals(413, r.statusCode(), r::body);
    assertTrue(JSON.readTree(r.body()).get("error").get("message").asText().contains("precis.limits.max-body-bytes"));
    assertEquals(0, upstream.pending());
  }

  @Test
  void aDeclaredBodyOverTheLimitGets413InOpenAisShape() throws Exception {
    String big = "{\"model\": \"gpt-4o\", \"messages\": [{\"role\": \"user\", \"content\": \""
        + "x".repeat(WithFakeUpstream.MAX_BODY_BYTES) + "\"}]}";
    HttpResponse<String> r = post("/v1/chat/completions", big);
    assertEquals(413, r.statusCode(), r::body);
    JsonNode error = JSON.readTree(r.body()).get("error");
    assertEquals("request_too_large", error.get("code").asText(), r::body);
    assertTrue(error.get("message").asText().contains("precis.limits.max-body-bytes"), r::body);
    assertEquals(0, upstream.pending());
    // Precis' own API keeps answering problem details.
    HttpResponse<String> own = post("/v1/compress", big);
    assertEquals(413, own.statusCode(), own::body);
    assertTrue(own.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
  }

  private static void assertBadRequest(HttpResponse<String> r, String message, String param) throws IOException {
    assertEquals(400, r.statusCode(), r::body);
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    JsonNode error = JSON.readTree(r.body()).get("error");
    assertNotNull(error, r::body);
    assertTrue(error.get("message").asText().contains(message), r::body);
    assertEquals("invalid_request_error", error.get("type").asText());
    if (param == null) assertTrue(error.get("param").isNull(), r::body);
    else assertEquals(param, error.get("param").asText());
  }

  @Test
  void metricsCountProxiedTokensAndUpstreamStatuses() throws Exception {
    post("/v1/chat/completions", chatBody("gpt-4o", false), "X-Precis-Max-Context-Tokens", "60");
    post("/v1/chat/completions", chatBody("status-429", false));
    String metrics = get("/q/metrics").body();
    for (String name : List.of("precis_proxy_requests_total", "precis_proxy_tokens_input_total",
        "precis_proxy_tokens_output_total", "precis_proxy_tokens_saved_total",
        "precis_proxy_compression_duration_seconds_bucket", "precis_proxy_upstream_duration_seconds_bucket",
        "precis_proxy_upstream_responses_total")) {
      assertTrue(metrics.contains(name), () -> name + " missing from /q/metrics");
    }
    assertTrue(metrics.contains("precis_proxy_tokens_saved_total{model=\"gpt-4o\"}"), "saved tokens by model");
    assertTrue(metrics.contains("status=\"429\""), "upstream status codes");
    assertFalse(metrics.contains("sk-test"), "no credentials in metrics");
  }
}
