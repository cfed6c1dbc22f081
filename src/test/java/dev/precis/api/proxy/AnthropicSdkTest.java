package dev.precis.api.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.models.messages.CacheControlEphemeral;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.ToolResultBlockParam;
import com.anthropic.models.messages.ToolUseBlockParam;
import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The official Anthropic Java SDK with its base URL pointed at Precis: an agent's tool result is compressed on its
 * way to {@code /v1/messages}, the answer comes back plain and streamed, the Anthropic headers reach the upstream,
 * and a tool result the client marked for prompt caching is forwarded as it is.
 */
@QuarkusTest
@TestProfile(WithFakeUpstream.class)
class AnthropicSdkTest {
  static final String MODEL = "claude-sonnet-4-5";

  @TestHTTPResource("/")
  URL root;

  FakeUpstream upstream = FakeUpstream.shared();
  AnthropicClient client;

  @BeforeEach
  void connect() {
    upstream.clear();
    client = AnthropicOkHttpClient.builder()
        .baseUrl(root.toString().replaceAll("/$", ""))
        .apiKey("sk-ant-sdk-test")
        .putHeader("X-Precis-Max-Context-Tokens", "80")
        .putHeader("anthropic-beta", "prompt-caching-2024-07-31")
        .maxRetries(0)
        .build();
  }

  @AfterEach
  void close() {
    client.close();
  }

  /** A question, the model's tool call, and the tool's result holding the context. */
  static MessageCreateParams agentTurn(boolean cacheTheResult) {
    ToolResultBlockParam.Builder result = ToolResultBlockParam.builder().toolUseId("toolu_1")
        .content(ProxyTest.CONTEXT);
    if (cacheTheResult) result.cacheControl(CacheControlEphemeral.builder().build());
    return MessageCreateParams.builder()
        .model(MODEL)
        .maxTokens(50)
        .system("Answer from the search results only.")
        .addUserMessage(ProxyTest.QUESTION)
        .addAssistantMessageOfContentBlockParams(List.of(ContentBlockParam.ofToolUse(ToolUseBlockParam.builder()
            .id("toolu_1").name("search")
            .input(ToolUseBlockParam.Input.builder().putAdditionalProperty("query", JsonValue.from("Curie")).build())
            .build())))
        .addUserMessageOfContentBlockParams(List.of(ContentBlockParam.ofToolResult(result.build())))
        .build();
  }

  @Test
  void aToolResultIsCompressedAndTheMessageComesBack() throws Exception {
    Message message = client.messages().create(agentTurn(false));
    assertEquals(FakeUpstream.REPLY, message.content().get(0).text().orElseThrow().text());

    FakeUpstream.Received got = upstream.take();
    assertEquals("/v1/messages", got.path());
    String credentials = got.header("x-api-key") != null ? got.header("x-api-key") : got.header("authorization");
    assertTrue(credentials != null && credentials.endsWith("sk-ant-sdk-test"), got.headers().toString());
    assertEquals("prompt-caching-2024-07-31", got.header("anthropic-beta"));
    assertTrue(got.header("anthropic-version") != null, "the SDK's anthropic-version reaches the upstream");
    JsonNode messages = got.json().get("messages");
    String kept = messages.get(2).get("content").get(0).get("content").asText();
    assertTrue(ProxyTest.CL100K.countTokens(kept) <= 80, kept);
    assertTrue(kept.contains("polonium and radium"), kept);
    assertEquals(ProxyTest.QUESTION, messages.get(0).get("content").asText());
    assertEquals("toolu_1", messages.get(1).get("content").get(0).get("id").asText(), "the tool call as sent");
  }

  @Test
  void aStreamComesBackEventByEvent() throws Exception {
    List<String> deltas = new ArrayList<>();
    try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(agentTurn(false))) {
      stream.stream().forEach(event -> event.contentBlockDelta()
          .flatMap(d -> d.delta().text()).ifPresent(t -> deltas.add(t.text())));
    }
    assertEquals(FakeUpstream.REPLY, String.join("", deltas));
    assertTrue(upstream.take().json().get("stream").asBoolean(), "the SDK asked for a stream");
  }

  @Test
  void contextBeforeTheLastCacheBreakpointIsForwardedUnchanged() throws Exception {
    client.messages().create(agentTurn(true));
    JsonNode result = upstream.take().json().get("messages").get(2).get("content").get(0);
    assertEquals(ProxyTest.CONTEXT, result.get("content").asText());
    assertTrue(result.has("cache_control"));
  }

  @Test
  void errorsComeInAnthropicsShape() throws Exception {
    HttpResponse<String> r = ProxyTest.HTTP.send(HttpRequest.newBuilder(URI.create(root + "v1/messages"))
        .header("Content-Type", "application/json").header("x-api-key", "k")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\": \"" + MODEL + "\", \"max_tokens\": 5, "
            + "\"messages\": [{\"role\": \"system\", \"content\": \"hi\"}]}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(400, r.statusCode());
    JsonNode error = ProxyTest.JSON.readTree(r.body());
    assertEquals("error", error.get("type").asText());
    assertEquals("invalid_request_error", error.get("error").get("type").asText());
    assertEquals("messages.0.role must be user or assistant, not 'system'", error.get("error").get("message").asText());
    assertEquals(0, upstream.pending(), "a malformed request is not forwarded");

    try {
      client.messages().create(agentTurn(false).toBuilder().model("status-429").build());
      throw new AssertionError("a 429 must reach the SDK");
    } catch (com.anthropic.errors.RateLimitException e) {
      assertTrue(e.getMessage().contains("rate limit"), e.getMessage());
    }
  }

  /** Mid-stream precis_expand: one message_start, the next round's text block carried on as block 1. */
  @Test
  void anExpandCallInAStreamIsAnsweredAndTheStreamGoesOn() throws Exception {
    List<String> deltas = new ArrayList<>();
    List<Long> blocks = new ArrayList<>();
    int[] starts = new int[1];
    try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(
        agentTurn(false).toBuilder().model(FakeUpstream.EXPANDER).build())) {
      stream.stream().forEach(event -> {
        if (event.isMessageStart()) starts[0]++;
        event.contentBlockStart().ifPresent(b -> blocks.add(b.index()));
        event.contentBlockDelta().flatMap(d -> d.delta().text()).ifPresent(t -> deltas.add(t.text()));
      });
    }
    assertEquals(1, starts[0]);
    assertEquals(List.of(0L, 1L), blocks);
    assertEquals("Let me check. expanded: " + ProxyTest.CONTEXT, String.join("", deltas));
  }
}
