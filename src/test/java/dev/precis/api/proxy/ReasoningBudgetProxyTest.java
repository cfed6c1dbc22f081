package dev.precis.api.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.precis.proxy.ReasoningBudget;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code X-Precis-Reasoning-Budget} through the proxy: a number, the fitted estimate, and TALE-EP's estimate asked of
 * the model first (one extra upstream call); what was applied comes back in a response header.
 */
@QuarkusTest
@TestProfile(WithFakeUpstream.class)
class ReasoningBudgetProxyTest {
  @TestHTTPResource("/")
  URL root;

  FakeUpstream upstream = FakeUpstream.shared();

  @BeforeEach
  void clear() {
    upstream.clear();
  }

  HttpResponse<String> chat(String budget) throws Exception {
    String body = "{\"model\": \"gpt-4o\", \"messages\": [{\"role\": \"user\", \"content\": \"When was Marie Curie "
        + "born?\"}]}";
    return ProxyTest.HTTP.send(HttpRequest.newBuilder(root.toURI().resolve("/v1/chat/completions"))
        .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
        .header(ReasoningBudget.HEADER, budget)
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aNumberGoesThroughTheProvidersKnob() throws Exception {
    HttpResponse<String> r = chat("350");
    assertEquals(200, r.statusCode(), r.body());
    JsonNode sent = upstream.take().json();
    assertEquals(350, sent.get("max_completion_tokens").asInt(), sent.toString());
    assertTrue(r.headers().firstValue(ReasoningBudget.APPLIED_HEADER).orElse("").contains("max_completion_tokens=350"),
        r.headers().map().toString());
  }

  @Test
  void autoUsesTheFittedEstimateAndAskAsksTheModelFirst() throws Exception {
    HttpResponse<String> fitted = chat("auto");
    assertTrue(fitted.headers().firstValue(ReasoningBudget.APPLIED_HEADER).orElse("").contains("estimated=fitted"),
        fitted.headers().map().toString());
    assertTrue(upstream.take().json().has("max_completion_tokens"));

    HttpResponse<String> asked = chat("auto:ask;via=instruction");
    assertEquals(200, asked.statusCode(), asked.body());
    String applied = asked.headers().firstValue(ReasoningBudget.APPLIED_HEADER).orElse("");
    assertTrue(applied.contains("estimated=ask") && applied.contains("123"), applied);
    assertTrue(upstream.take().bodyText().contains("estimate the minimum number of tokens"), "the estimation call");
    String question = upstream.take().json().at("/messages/0/content").asText();
    assertTrue(question.endsWith("use less than 123 tokens:"), question);
  }

  @Test
  void aBadValueIsRefusedInTheApisShape() throws Exception {
    HttpResponse<String> r = chat("lots");
    assertEquals(400, r.statusCode());
    JsonNode error = ProxyTest.JSON.readTree(r.body()).get("error");
    assertEquals(ReasoningBudget.HEADER, error.get("param").asText());
    assertTrue(error.get("message").asText().contains("auto:ask"), error.toString());
    assertEquals(0, upstream.pending());
  }
}
