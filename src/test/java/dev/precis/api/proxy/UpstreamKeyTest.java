package dev.precis.api.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * With precis.upstream.api-key (OpenAI) or precis.upstream.anthropic-api-key set, the upstream sees Precis' key instead
 * of the client's, in its API's header.
 */
@QuarkusTest
@TestProfile(UpstreamKeyTest.OwnKey.class)
class UpstreamKeyTest {
  public static class OwnKey implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("precis.upstream.url", FakeUpstream.shared().baseUrl(), "precis.upstream.api-key", "sk-precis-own",
          "precis.upstream.anthropic-url", FakeUpstream.shared().rootUrl(),
          "precis.upstream.anthropic-api-key", "sk-ant-precis-own");
    }
  }

  @TestHTTPResource("/")
  URL root;

  @Test
  void theConfiguredKeyReplacesTheClients() throws Exception {
    FakeUpstream upstream = FakeUpstream.shared();
    upstream.clear();
    for (String path : new String[] {"/v1/chat/completions", "/v1/models"}) {
      HttpRequest.Builder b = HttpRequest.newBuilder(root.toURI().resolve(path))
          .header("Authorization", "Bearer sk-client").header("OpenAI-Organization", "org-1");
      b = path.endsWith("models") ? b.GET()
          : b.POST(HttpRequest.BodyPublishers.ofString(ProxyTest.chatBody("gpt-4o", false)));
      HttpResponse<String> r = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r::body);
      FakeUpstream.Received got = upstream.take();
      assertEquals("Bearer sk-precis-own", got.header("authorization"));
      assertEquals("org-1", got.header("openai-organization"));
    }
  }

  @Test
  void theConfiguredAnthropicKeyReplacesTheClients() throws Exception {
    FakeUpstream upstream = FakeUpstream.shared();
    upstream.clear();
    HttpRequest request = HttpRequest.newBuilder(root.toURI().resolve("/v1/messages"))
        .header("x-api-key", "sk-ant-client").header("Authorization", "Bearer sk-ant-client")
        .header("anthropic-version", "2023-06-01")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\": \"claude-sonnet-4-5\", \"max_tokens\": 5, "
            + "\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}")).build();
    HttpResponse<String> r = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r::body);
    FakeUpstream.Received got = upstream.take();
    assertEquals("/v1/messages", got.path());
    assertEquals("sk-ant-precis-own", got.header("x-api-key"));
    assertEquals(null, got.header("authorization"), "the client's credentials stay with Precis");
    assertEquals("2023-06-01", got.header("anthropic-version"));
  }
}
