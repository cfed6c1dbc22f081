package dev.precis.api.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.precis.proxy.ApiFamily;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Expandable elisions end to end: the compressed tool result's markers carry a reference, the request gets the
 * {@code precis_expand} tool, the fake model calls it, Precis answers the call from what it elided and continues the
 * conversation upstream, and the client gets one ordinary response. References are readable only with the key that
 * made them.
 */
@QuarkusTest
@TestProfile(WithFakeUpstream.class)
class ExpandLoopTest {
  static final Pattern REF = Pattern.compile("\\[… ref ([0-9a-f]{8})\\]");

  @TestHTTPResource("/")
  URL root;

  FakeUpstream upstream = FakeUpstream.shared();

  @BeforeEach
  void clear() {
    upstream.clear();
  }

  /** A question, a search call and its result holding the context, in each API's shape. */
  static String agentTurn(ApiFamily family, String model, boolean stream) {
    ObjectNode root = ProxyTest.JSON.createObjectNode().put("model", model).put("stream", stream);
    switch (family) {
      case CHAT_COMPLETIONS -> {
        var messages = root.putArray("messages");
        messages.addObject().put("role", "user").put("content", ProxyTest.QUESTION);
        ObjectNode call = messages.addObject().put("role", "assistant");
        call.putNull("content");
        call.putArray("tool_calls").addObject().put("id", "call_1").put("type", "function").putObject("function")
            .put("name", "search").put("arguments", "{\"q\": \"Curie\"}");
        messages.addObject().put("role", "tool").put("tool_call_id", "call_1").put("content", ProxyTest.CONTEXT);
        root.putArray("tools").addObject().put("type", "function").putObject("function").put("name", "search");
      }
      case RESPONSES -> {
        var input = root.putArray("input");
        input.addObject().put("role", "user").put("content", ProxyTest.QUESTION);
        input.addObject().put("type", "function_call").put("call_id", "call_1").put("name", "search")
            .put("arguments", "{\"q\": \"Curie\"}");
        input.addObject().put("type", "function_call_output").put("call_id", "call_1")
            .put("output", ProxyTest.CONTEXT);
      }
      case MESSAGES -> {
        root.put("max_tokens", 100);
        var messages = root.putArray("messages");
        messages.addObject().put("role", "user").put("content", ProxyTest.QUESTION);
        ObjectNode use = messages.addObject().put("role", "assistant").putArray("content").addObject()
            .put("type", "tool_use").put("id", "toolu_1").put("name", "search");
        use.putObject("input").put("q", "Curie");
        messages.addObject().put("role", "user").putArray("content").addObject().put("type", "tool_result")
            .put("tool_use_id", "toolu_1").put("content", ProxyTest.CONTEXT);
      }
    }
    return root.toString();
  }

  HttpResponse<String> send(ApiFamily family, String body, String key, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(root.toURI().resolve(family.path()))
        .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
        .header("X-Precis-Max-Context-Tokens", "40")
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (family == ApiFamily.MESSAGES) b.header("x-api-key", key).header("anthropic-version", "2023-06-01");
    else b.header("Authorization", "Bearer " + key);
    for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
    return ProxyTest.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  /** The reply text of a response in the family's shape. */
  static String replyText(ApiFamily family, JsonNode response) {
    return switch (family) {
      case CHAT_COMPLETIONS -> response.path("choices").path(0).path("message").path("content").asText();
      case RESPONSES -> response.path("output").path(0).path("content").path(0).path("text").asText();
      case MESSAGES -> response.path("content").path(0).path("text").asText();
    };
  }

  @ParameterizedTest
  @EnumSource(ApiFamily.class)
  void theModelsExpandCallIsAnsweredByPrecisAndTheClientGetsOneResponse(ApiFamily family) throws Exception {
    HttpResponse<String> r = send(family, agentTurn(family, FakeUpstream.EXPANDER, false), "sk-expand-a");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("1", r.headers().firstValue(LlmProxy.EXPANSIONS).orElse(null), r.body());
    String reply = replyText(family, ProxyTest.JSON.readTree(r.body()));
    assertEquals("expanded: " + ProxyTest.CONTEXT, reply, r.body());

    FakeUpstream.Received first = upstream.take();
    Matcher ref = REF.matcher(first.bodyText());
    boolean found;
    do {
      found = ref.find();
    } while (found && ref.group(1).equals("3f9c01d2")); // the tool description's example
    assertTrue(found, "the compressed result's markers carry a reference: " + first.bodyText());
    assertTrue(first.bodyText().contains("\"precis_expand\""), "the request got the tool");
    FakeUpstream.Received second = upstream.take();
    assertTrue(second.bodyText().contains(ProxyTest.CONTEXT.substring(0, 80).replace("'", "'")),
        "the follow-up carries the expanded text");
    assertEquals(0, upstream.pending(), "two upstream calls, nothing else");

    // The reference is the caller's: readable with its key, not with another one.
    HttpResponse<String> mine = ProxyTest.HTTP.send(HttpRequest.newBuilder(root.toURI().resolve("/v1/elisions/"
        + ref.group(1))).header(family == ApiFamily.MESSAGES ? "x-api-key" : "Authorization",
        family == ApiFamily.MESSAGES ? "sk-expand-a" : "Bearer sk-expand-a").GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, mine.statusCode(), mine.body());
    assertEquals(ProxyTest.CONTEXT, ProxyTest.JSON.readTree(mine.body()).get("text").asText());
    HttpResponse<String> theirs = ProxyTest.HTTP.send(HttpRequest.newBuilder(root.toURI().resolve("/v1/elisions/"
        + ref.group(1))).header("Authorization", "Bearer sk-expand-b").GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(404, theirs.statusCode(), theirs.body());
    assertTrue(theirs.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
  }

  @Test
  void noToolWhenTheRequestFixesItsToolOrSaysOff() throws Exception {
    for (String body : new String[] {
        agentTurn(ApiFamily.CHAT_COMPLETIONS, "gpt-4o", false).replace("\"stream\":false",
            "\"stream\":false,\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"search\"}}"),
        agentTurn(ApiFamily.CHAT_COMPLETIONS, "gpt-4o", false).replace("\"stream\":false",
            "\"stream\":false,\"tool_choice\":\"none\"")}) {
      HttpResponse<String> r = send(ApiFamily.CHAT_COMPLETIONS, body, "sk-expand-a");
      assertEquals(200, r.statusCode(), r.body());
      String sent = upstream.take().bodyText();
      assertFalse(sent.contains("precis_expand"), sent);
      assertFalse(REF.matcher(sent).find(), sent);
      assertTrue(sent.contains("…"), "still compressed: " + sent);
    }
    send(ApiFamily.CHAT_COMPLETIONS, agentTurn(ApiFamily.CHAT_COMPLETIONS, "gpt-4o", false), "k",
        LlmProxy.EXPAND, "off");
    assertFalse(upstream.take().bodyText().contains("precis_expand"));
  }

  @Test
  void aResponseThatAlsoCallsTheClientsToolsReachesItWithoutTheExpandCall() throws Exception {
    // gpt-4o answers with the canned completion: no tool calls, forwarded as the upstream sent it
    HttpResponse<String> plain = send(ApiFamily.CHAT_COMPLETIONS,
        agentTurn(ApiFamily.CHAT_COMPLETIONS, "gpt-4o", false), "k");
    assertEquals(FakeUpstream.completion("gpt-4o"), plain.body());
    assertEquals("0", plain.headers().firstValue(LlmProxy.EXPANSIONS).orElse(null));
  }

  @Test
  void compressReturnsARefWhenAskedAndElisionsServesIt() throws Exception {
    String request = "{\"query\": " + ProxyTest.JSON.writeValueAsString(ProxyTest.QUESTION) + ", \"context\": "
        + ProxyTest.JSON.writeValueAsString(ProxyTest.CONTEXT) + ", \"budget\": {\"maxTokens\": 40}, "
        + "\"expandable\": true}";
    HttpResponse<String> r = ProxyTest.HTTP.send(HttpRequest.newBuilder(root.toURI().resolve("/v1/compress"))
        .header("Content-Type", "application/json").header("Authorization", "Bearer sk-rest")
        .POST(HttpRequest.BodyPublishers.ofString(request)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    JsonNode body = ProxyTest.JSON.readTree(r.body());
    String ref = body.get("ref").asText();
    assertTrue(body.get("text").asText().contains("[… ref " + ref + "]"), body.get("text").asText());
    HttpResponse<String> got = ProxyTest.HTTP.send(HttpRequest.newBuilder(root.toURI().resolve("/v1/elisions/" + ref))
        .header("Authorization", "Bearer sk-rest").GET().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, got.statusCode(), got.body());
    assertEquals(ProxyTest.CONTEXT, ProxyTest.JSON.readTree(got.body()).get("text").asText());
    assertEquals(ProxyTest.QUESTION, ProxyTest.JSON.readTree(got.body()).get("query").asText());
    HttpResponse<String> bad = ProxyTest.HTTP.send(HttpRequest.newBuilder(root.toURI().resolve("/v1/elisions/xyz"))
        .GET().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(400, bad.statusCode(), bad.body());
    HttpResponse<String> plain = ProxyTest.HTTP.send(HttpRequest.newBuilder(root.toURI().resolve("/v1/compress"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(request.replace("\"expandable\": true", "\"expandable\": false")))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertFalse(ProxyTest.JSON.readTree(plain.body()).has("ref"), plain.body());
  }
}
