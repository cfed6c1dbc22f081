package dev.precis.api.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An upstream that nothing listens on: 502 in OpenAI's shape, naming the upstream. */
@QuarkusTest
@TestProfile(ProxyUpstreamDownTest.Down.class)
class ProxyUpstreamDownTest {
  static final String URL_DOWN = "http://127.0.0.1:" + closedPort() + "/v1";

  public static class Down implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("precis.upstream.url", URL_DOWN);
    }
  }

  static int closedPort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @TestHTTPResource("/")
  URL root;

  @Test
  void anUnreachableUpstreamGives502NamingIt() throws Exception {
    for (String path : new String[] {"/v1/chat/completions", "/v1/models"}) {
      HttpRequest.Builder b = HttpRequest.newBuilder(root.toURI().resolve(path));
      b = path.endsWith("models") ? b.GET()
          : b.POST(HttpRequest.BodyPublishers.ofString(ProxyTest.chatBody("gpt-4o", false)));
      HttpResponse<String> r = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(502, r.statusCode(), r::body);
      JsonNode error = ProxyTest.JSON.readTree(r.body()).get("error");
      assertTrue(error.get("message").asText().contains(URL_DOWN), r::body);
      assertEquals("upstream_unreachable", error.get("code").asText());
      assertEquals("upstream_error", error.get("type").asText());
    }
  }
}
