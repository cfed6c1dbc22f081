package dev.precis.api;

import static dev.precis.api.BadInputTest.assertProblem;
import static dev.precis.api.BadInputTest.json;
import static io.restassured.RestAssured.given;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Requests over the configured limits get a 413 problem that states the limit (small limits keep this quick). */
@QuarkusTest
@TestProfile(LimitsTest.SmallLimits.class)
class LimitsTest {
  public static class SmallLimits implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "precis.limits.max-documents", "5",
          "precis.limits.max-body-bytes", "20000",
          "precis.limits.max-input-chars", "5000",
          "precis.limits.max-input-tokens", "300");
    }
  }

  private static final String SENTENCE = "Oslo is the capital of Norway and lies at the head of the Oslofjord. ";

  @Test
  void atTheDocumentLimitIsAccepted() {
    given().contentType("application/json").body(documents(5)).post("/v1/compress").then().statusCode(200);
  }

  @Test
  void tooManyDocuments() {
    assertProblem(json(documents(6)), 413, "6 documents", "at most 5", "precis.limits.max-documents");
  }

  @Test
  void bodyOverMaxBodyBytes() {
    // 24000 characters of context: over 20000 bytes, but the body limit must refuse it before the characters are
    // counted.
    String body = "{\"context\":\"" + SENTENCE.repeat(24_000 / SENTENCE.length()) + "\","
        + "\"budget\":{\"maxTokens\":10}}";
    assertProblem(json(body), 413, "bytes", "at most 20000", "precis.limits.max-body-bytes");
  }

  @Test
  void inputCharactersOverTheLimit() {
    String context = SENTENCE.repeat(6_000 / SENTENCE.length());
    assertProblem(json("{\"context\":\"" + context + "\",\"budget\":{\"maxTokens\":10}}"), 413,
        context.length() + " characters", "at most 5000", "precis.limits.max-input-chars");
  }

  @Test
  void inputCharactersCountAcrossDocuments() {
    String text = SENTENCE.repeat(1_100 / SENTENCE.length());
    String docs = IntStream.range(0, 5).mapToObj(i -> "{\"text\":\"" + text + "\"}")
        .collect(Collectors.joining(",", "[", "]"));
    assertProblem(json("{\"documents\":" + docs + ",\"budget\":{\"maxTokens\":10}}"), 413, "at most 5000",
        "precis.limits.max-input-chars");
  }

  @Test
  void inputTokensOverTheLimit() {
    // About 4000 characters (under the character limit) but about 900 tokens.
    String context = SENTENCE.repeat(4_000 / SENTENCE.length());
    assertProblem(json("{\"context\":\"" + context + "\",\"budget\":{\"maxTokens\":10}}"), 413, "tokens in cl100k_base",
        "at most 300", "precis.limits.max-input-tokens");
  }

  private static String documents(int n) {
    String docs = IntStream.range(0, n).mapToObj(i -> "{\"id\":\"d" + i + "\",\"text\":\"" + SENTENCE + "\"}")
        .collect(Collectors.joining(",", "[", "]"));
    return "{\"query\":\"capital of Norway\",\"documents\":" + docs + ",\"budget\":{\"maxTokens\":20}}";
  }
}
