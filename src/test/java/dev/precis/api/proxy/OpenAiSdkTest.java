package dev.precis.api.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The official OpenAI Java SDK with its base URL pointed at Precis, as an application in the same pod would be:
 * one completion, one stream. The upstream receives the context compressed.
 */
@QuarkusTest
@TestProfile(WithFakeUpstream.class)
class OpenAiSdkTest {
  @TestHTTPResource("/")
  URL root;

  FakeUpstream upstream = FakeUpstream.shared();
  OpenAIClient client;

  @BeforeEach
  void connect() {
    upstream.clear();
    client = OpenAIOkHttpClient.builder()
        .baseUrl(root.toString().replaceAll("/$", "") + "/v1")
        .apiKey("sk-sdk-test")
        .putHeader("X-Precis-Max-Context-Tokens", "60")
        .maxRetries(0)
        .build();
  }

  @AfterEach
  void close() {
    client.close();
  }

  static ChatCompletionCreateParams params() {
    return ChatCompletionCreateParams.builder()
        .model("gpt-4o-mini")
        .addSystemMessage("Answer from the context only.")
        .addUserMessage("<context>" + ProxyTest.CONTEXT + "</context>\n\n" + ProxyTest.QUESTION)
        .maxCompletionTokens(50)
        .build();
  }

  @Test
  void aCompletionThroughPrecis() throws Exception {
    ChatCompletion completion = client.chat().completions().create(params());
    assertEquals(FakeUpstream.REPLY, completion.choices().get(0).message().content().orElseThrow());

    FakeUpstream.Received got = upstream.take();
    assertEquals("Bearer sk-sdk-test", got.header("authorization"));
    String user = got.json().get("messages").get(1).get("content").asText();
    String kept = user.substring("<context>".length(), user.indexOf("</context>"));
    assertTrue(ProxyTest.O200K.countTokens(kept) <= 60, kept);
    assertTrue(user.endsWith(ProxyTest.QUESTION), user);
    assertEquals("Answer from the context only.", got.json().get("messages").get(0).get("content").asText());
  }

  @Test
  void aStreamThroughPrecis() throws Exception {
    List<String> deltas = new ArrayList<>();
    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params())) {
      stream.stream().forEach(chunk -> chunk.choices().forEach(c -> c.delta().content().ifPresent(deltas::add)));
    }
    assertEquals(FakeUpstream.REPLY, String.join("", deltas));
    assertTrue(upstream.take().json().get("stream").asBoolean(), "the SDK asked for a stream");
  }

  /** The model calls precis_expand mid-stream; Precis answers it and the client reads one stream, text only. */
  @Test
  void anExpandCallInAStreamIsAnsweredAndTheStreamGoesOn() throws Exception {
    List<String> deltas = new ArrayList<>();
    List<Object> toolCalls = new ArrayList<>();
    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(
        params().toBuilder().model(FakeUpstream.EXPANDER).build())) {
      stream.stream().forEach(chunk -> chunk.choices().forEach(c -> {
        c.delta().content().ifPresent(deltas::add);
        c.delta().toolCalls().ifPresent(toolCalls::addAll);
      }));
    }
    assertEquals("Let me check. expanded: " + ProxyTest.CONTEXT, String.join("", deltas));
    assertTrue(toolCalls.isEmpty(), "the client never sees precis_expand: " + toolCalls);
    assertTrue(upstream.take().bodyText().contains("precis_expand"));
    assertTrue(upstream.take().bodyText().contains("\"tool_call_id\":\"call_x1\""), "the follow-up");
  }
}
