package dev.precis.api.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseStreamEvent;
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
 * The official OpenAI Java SDK's Responses API through Precis: a function call's output is compressed on its way to
 * {@code /v1/responses}; the response comes back plain and streamed.
 */
@QuarkusTest
@TestProfile(WithFakeUpstream.class)
class ResponsesSdkTest {
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
        .putHeader("X-Precis-Max-Context-Tokens", "80")
        .maxRetries(0)
        .build();
  }

  @AfterEach
  void close() {
    client.close();
  }

  static ResponseCreateParams agentTurn() {
    List<ResponseInputItem> input = List.of(
        ResponseInputItem.ofMessage(ResponseInputItem.Message.builder().role(ResponseInputItem.Message.Role.USER)
            .addInputTextContent(ProxyTest.QUESTION).build()),
        ResponseInputItem.ofFunctionCall(ResponseFunctionToolCall.builder().callId("call_1").name("search")
            .arguments("{\"query\": \"Curie\"}").build()),
        ResponseInputItem.ofFunctionCallOutput(ResponseInputItem.FunctionCallOutput.builder().callId("call_1")
            .output(ProxyTest.CONTEXT).build()));
    return ResponseCreateParams.builder().model("gpt-4o").instructions("Answer from the search results only.")
        .inputOfResponse(input).maxOutputTokens(50).build();
  }

  @Test
  void aFunctionCallOutputIsCompressedAndTheResponseComesBack() throws Exception {
    Response response = client.responses().create(agentTurn());
    assertEquals(FakeUpstream.REPLY, response.output().get(0).asMessage().content().get(0).asOutputText().text());

    FakeUpstream.Received got = upstream.take();
    assertEquals("/v1/responses", got.path());
    assertEquals("Bearer sk-sdk-test", got.header("authorization"));
    JsonNode input = got.json().get("input");
    String kept = input.get(2).get("output").asText();
    assertTrue(ProxyTest.O200K.countTokens(kept) <= 80, kept);
    assertTrue(kept.contains("polonium and radium"), kept);
    assertEquals("Answer from the search results only.", got.json().get("instructions").asText());
    assertEquals("{\"query\": \"Curie\"}", input.get(1).get("arguments").asText(), "the call as sent");
  }

  @Test
  void aStreamComesBackEventByEvent() throws Exception {
    List<String> deltas = new ArrayList<>();
    try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(agentTurn())) {
      stream.stream().forEach(event -> event.outputTextDelta().ifPresent(d -> deltas.add(d.delta())));
    }
    assertEquals(FakeUpstream.REPLY, String.join("", deltas));
    assertTrue(upstream.take().json().get("stream").asBoolean(), "the SDK asked for a stream");
  }

  /** Mid-stream precis_expand: the client reads one response whose text is the next round's. */
  @Test
  void anExpandCallInAStreamIsAnsweredAndTheStreamGoesOn() throws Exception {
    List<String> deltas = new ArrayList<>();
    int[] created = new int[1];
    try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(
        agentTurn().toBuilder().model(FakeUpstream.EXPANDER).build())) {
      stream.stream().forEach(event -> {
        if (event.isCreated()) created[0]++;
        event.outputTextDelta().ifPresent(d -> deltas.add(d.delta()));
      });
    }
    assertEquals(1, created[0]);
    assertEquals("expanded: " + ProxyTest.CONTEXT, String.join("", deltas));
  }
}
