package dev.precis.api.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.precis.api.CompressionLimiter;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URL;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With {@code precis.proxy.fail-open=false}, busy compression slots answer an OpenAI-shaped 429 with Retry-After. */
@QuarkusTest
@TestProfile(ProxyOverloadClosedTest.OneSlotClosed.class)
class ProxyOverloadClosedTest {

  public static class OneSlotClosed extends ProxyOverloadTest.OneSlot {
    @Override
    public Map<String, String> getConfigOverrides() {
      Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
      overrides.put("precis.proxy.fail-open", "false");
      return overrides;
    }
  }

  @Inject CompressionLimiter limiter;

  @TestHTTPResource("/")
  URL root;

  final ProxyTest client = new ProxyTest();

  @Test
  void busySlotsAnswer429InOpenAisShape() throws Exception {
    client.root = root;
    client.upstream.clear();
    HttpResponse<String> r =
        ProxyOverloadTest.postHoldingTheOnlySlot(limiter, client, ProxyTest.chatBody("gpt-4o", false));
    assertEquals(429, r.statusCode(), r::body);
    assertEquals("1", r.headers().firstValue("Retry-After").orElse(null));
    JsonNode error = ProxyTest.JSON.readTree(r.body()).get("error");
    assertEquals("precis_overloaded", error.get("code").asText());
    assertEquals("rate_limit_error", error.get("type").asText());
    assertTrue(error.get("message").asText().contains("precis.limits.max-concurrent"), r::body);
  }
}
