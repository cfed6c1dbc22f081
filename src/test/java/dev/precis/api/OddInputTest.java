package dev.precis.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.knuddels.jtokkit.Encodings;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Odd but valid requests that the fuzz suites found or aim at: each is served within its budget. */
@QuarkusTest
class OddInputTest {
  private static Response post(String body) {
    return given().contentType("application/json").body(body).post("/v1/compress");
  }

  private static void withinBudget(Response r, int maxTokens) {
    r.then().statusCode(200);
    String text = r.jsonPath().getString("text");
    int tokens = Encodings.newDefaultEncodingRegistry().getEncoding("cl100k_base").orElseThrow()
        .countTokensOrdinary(text);
    assertTrue(tokens <= maxTokens, tokens + " > " + maxTokens);
    assertEquals(tokens, r.jsonPath().getInt("usage.outputTokens"));
  }

  @Test
  void unpairedSurrogateEscapesAreReceivedAsReplacementCharacters() {
    // Found by EngineFuzzTest / HttpFuzzTest: "\ud800" in a JSON string reached jtokkit, whose cl100k parser threw
    // an AssertionError: a 500.
    Response r = post("{\"context\":\"Lone \\ud800 high and \\udc00 low surrogates, then a pair \\ud83d\\ude00. "
        + "Another sentence follows here.\",\"budget\":{\"maxTokens\":100}}");
    withinBudget(r, 100);
    String text = r.jsonPath().getString("text");
    assertTrue(text.contains("\uFFFD"), text);
    assertEquals(text, dev.precis.tokens.Tokenizers.wellFormed(text), "no unpaired surrogate is left");
  }

  @Test
  void oneHalfMegabyteWord() {
    withinBudget(post("{\"query\":\"aaa\",\"context\":\"" + "a".repeat(500_000) + "\",\"budget\":{\"maxTokens\":30}}"),
        30);
  }

  @Test
  void aThousandOneCharacterDocuments() {
    String docs = IntStream.range(0, 1_000).mapToObj(i -> "{\"text\":\"" + (char) ('a' + i % 26) + "\"}")
        .collect(Collectors.joining(",", "[", "]"));
    withinBudget(post("{\"query\":\"b\",\"documents\":" + docs + ",\"budget\":{\"maxTokens\":25},\"effort\":\"best\"}"),
        25);
  }
}
