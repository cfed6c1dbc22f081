package dev.precis.api.proxy;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** The default configuration has no upstream: the service runs and the proxy says how to configure it. */
@QuarkusTest
class ProxyNotConfiguredTest {
  @Test
  void withoutUpstreamTheProxyAnswers503SayingWhatToSet() {
    given().contentType("application/json").body(ProxyTest.chatBody("gpt-4o", false))
        .post("/v1/chat/completions").then().statusCode(503)
        .body("error.code", equalTo("upstream_not_configured"))
        .body("error.message", containsString("PRECIS_UPSTREAM_URL"));
    given().get("/v1/models").then().statusCode(503).body("error.message", containsString("precis.upstream.url"));
  }

  @Test
  void compressStillWorks() {
    given().get("/v1/encodings").then().statusCode(200);
  }
}
