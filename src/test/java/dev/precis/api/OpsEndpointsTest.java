package dev.precis.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Health, OpenAPI, Prometheus metrics and the encodings listing. */
@QuarkusTest
class OpsEndpointsTest {

  @Test
  void readinessIsUpWithTheEngineCheck() {
    EngineReady.await(); // the engine loads in the background after start-up
    given().get("/q/health/ready").then().statusCode(200)
        .body("status", equalTo("UP"))
        .body("checks.name", hasItems("compression-engine"));
  }

  @Test
  void livenessIsUp() {
    given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
  }

  @Test
  void openApiDescribesCompress() {
    given().get("/q/openapi").then().statusCode(200)
        .body(containsString("/v1/compress"))
        .body(containsString("/v1/encodings"));
  }

  @Test
  void metricsCountTokensAndStagesAfterACompression() {
    double savedBefore = savedTokens(given().get("/q/metrics").then().statusCode(200).extract().asString());
    Map<String, Object> body = CompressResourceTest.request(100);
    CompressResourceTest.compress(body);
    int saved = CompressResourceTest.compress(body).get("usage").get("savedTokens").asInt();

    String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
    for (String name : new String[] {"precis_compress_requests_total", "precis_tokens_input_total",
        "precis_tokens_output_total", "precis_tokens_saved_total", "precis_stage_duration_seconds",
        "precis_documents_segmented_total", "precis_encoder_embedded_total", "precis_encoder_memory_hits_total",
        "precis_kept_trees_restored_total"}) {
      assertTrue(metrics.contains(name), () -> name + " missing from /q/metrics");
    }
    assertTrue(metrics.contains("stage=\"rank\""), "per-stage timer");
    double savedAfter = savedTokens(metrics);
    assertTrue(savedAfter - savedBefore >= 2.0 * saved,
        () -> "precis_tokens_saved_total grew by " + (savedAfter - savedBefore) + ", expected >= 2 x " + saved);
  }

  @Test
  void encodingsListsTheFourAndMapsModels() {
    given().get("/v1/encodings").then().statusCode(200)
        .header("Content-Type", startsWith("application/json"))
        .body("encodings", hasItems("cl100k_base", "o200k_base", "p50k_base", "r50k_base"))
        .body("defaultEncoding", equalTo("cl100k_base"))
        .body("models.'gpt-4o'", equalTo("o200k_base"))
        .body("models.'gpt-4'", equalTo("cl100k_base"));
  }

  private static final Pattern SAVED =
      Pattern.compile("(?m)^precis_tokens_saved_total\\{encoding=\"cl100k_base\"[^}]*}\\s+(\\S+)$");

  private static double savedTokens(String metrics) {
    Matcher m = SAVED.matcher(metrics);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }
}
