package dev.precis.api.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.precis.api.CompressionLimiter;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URL;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The proxy takes its compressions from the same slots as {@code /v1/compress}: with every slot busy and no room to
 * queue, a chat request goes on uncompressed (fail-open, the default) and says so, instead of piling up latency.
 */
@QuarkusTest
@TestProfile(ProxyOverloadTest.OneSlot.class)
class ProxyOverloadTest {

  /** One compression at a time and no queue, so a slot the test holds leaves the proxy none. */
  public static class OneSlot extends WithFakeUpstream {
    @Override
    public Map<String, String> getConfigOverrides() {
      Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
      overrides.put("precis.limits.max-concurrent", "1");
      overrides.put("precis.limits.max-queued", "0");
      return overrides;
    }
  }

  @Inject CompressionLimiter limiter;

  @TestHTTPResource("/")
  URL root;

  final ProxyTest client = new ProxyTest();

  /** Posts a chat request while the test holds the one compression slot, so the proxy finds none free. */
  static HttpResponse<String> postHoldingTheOnlySlot(CompressionLimiter limiter, ProxyTest client, String body,
      String... headers) throws Exception {
    try (CompressionLimiter.Slot held = limiter.acquire(System.nanoTime() + 1_000_000_000L)) {
      return client.post("/v1/chat/completions", body, headers);
    }
  }

  @Test
  void busySlotsForwardTheRequestUncompressedAndSaySo() throws Exception {
    client.root = root;
    client.upstream.clear();
    String sent = ProxyTest.chatBody("gpt-4o", false);
    HttpResponse<String> r = postHoldingTheOnlySlot(limiter, client, sent, "X-Precis-Max-Context-Tokens", "60");
    assertEquals(200, r.statusCode(), r::body);
    assertEquals("overloaded", r.headers().firstValue(LlmProxy.SKIPPED).orElse(null));
    assertEquals(sent, client.upstream.take().bodyText(), "forwarded as the client sent it");

    HttpResponse<String> again = client.post("/v1/chat/completions", sent, "X-Precis-Max-Context-Tokens", "60");
    assertEquals(200, again.statusCode(), again::body);
    assertFalse(again.headers().firstValue(LlmProxy.SKIPPED).isPresent());
    String received = client.upstream.take().bodyText();
    assertTrue(received.length() < sent.length(), "compressed once the slot is free");
    assertEquals(0, limiter.inFlight());
  }
}
