package dev.precis.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Every refused request: the status, an {@code application/problem+json} body (RFC 9457) whose detail names what to
 * change, and no Java internals.
 */
@QuarkusTest
class BadInputTest {
  static final String DOCS = "\"documents\":[{\"id\":\"a\",\"text\":\"Oslo is the capital of Norway. It lies at the "
      + "head of the Oslofjord.\"}]";
  static final String BUDGET = "\"budget\":{\"maxTokens\":10}";

  // --- the body is not a request

  @Test
  void malformedJson() {
    assertProblem(json("{\"documents\":[{\"text\":\"a\"}"), 400, "malformed JSON", "documents");
  }

  @Test
  void malformedJsonInsideAnObject() {
    assertProblem(json("{" + DOCS + ",\"budget\":{\"maxTokens\":10,}}"), 400, "malformed JSON", "line 1",
        "budget");
  }

  @Test
  void arrayInsteadOfObject() {
    assertProblem(json("[{" + DOCS + "," + BUDGET + "}]"), 400, "JSON object", "documents", "budget");
  }

  @Test
  void emptyBody() {
    assertProblem(json(""), 400, "empty", "documents", "budget");
  }

  @Test
  void wrongContentType() {
    Response r = given().contentType("text/plain").body("{" + DOCS + "," + BUDGET + "}").post("/v1/compress");
    assertProblem(r, 415, "application/json");
  }

  // --- the context

  @Test
  void neitherDocumentsNorContext() {
    assertProblem(json("{" + BUDGET + "}"), 400, "documents", "context");
  }

  @Test
  void bothDocumentsAndContext() {
    assertProblem(json("{" + DOCS + ",\"context\":\"Oslo.\"," + BUDGET + "}"), 400, "documents", "context",
        "one");
  }

  @Test
  void emptyDocumentsList() {
    assertProblem(json("{\"documents\":[]," + BUDGET + "}"), 400, "documents", "at least one");
  }

  @Test
  void documentWithoutText() {
    assertProblem(json("{\"documents\":[{\"id\":\"a\",\"title\":\"Oslo\"}]," + BUDGET + "}"), 400,
        "documents[0].text", "missing");
  }

  @Test
  void documentWithEmptyText() {
    assertProblem(json("{\"documents\":[{\"text\":\"Oslo.\"},{\"text\":\"\"}]," + BUDGET + "}"), 400,
        "documents[1].text", "empty");
  }

  @Test
  void emptyContext() {
    assertProblem(json("{\"context\":\"\"," + BUDGET + "}"), 400, "context", "empty");
  }

  // --- the budget

  @Test
  void missingBudget() {
    assertProblem(json("{" + DOCS + "}"), 400, "budget", "maxTokens", "ratio");
  }

  @Test
  void budgetWithBothMaxTokensAndRatio() {
    assertProblem(json("{" + DOCS + ",\"budget\":{\"maxTokens\":10,\"ratio\":2}}"), 400, "budget", "maxTokens",
        "ratio", "one");
  }

  @Test
  void budgetWithNeitherMaxTokensNorRatio() {
    assertProblem(json("{" + DOCS + ",\"budget\":{}}"), 400, "budget", "maxTokens", "ratio");
  }

  @Test
  void maxTokensZero() {
    assertProblem(json("{" + DOCS + ",\"budget\":{\"maxTokens\":0}}"), 400, "budget.maxTokens", "> 0");
  }

  @Test
  void maxTokensNegative() {
    assertProblem(json("{" + DOCS + ",\"budget\":{\"maxTokens\":-5}}"), 400, "budget.maxTokens", "-5", "> 0");
  }

  @Test
  void ratioBelowOne() {
    assertProblem(json("{" + DOCS + ",\"budget\":{\"ratio\":0.5}}"), 400, "budget.ratio", "0.5", ">= 1");
  }

  @Test
  void ratioNaNAsString() {
    assertProblem(json("{" + DOCS + ",\"budget\":{\"ratio\":\"NaN\"}}"), 400, "budget.ratio", "NaN", "finite");
  }

  @Test
  void ratioNaNAsBareToken() {
    assertProblem(json("{" + DOCS + ",\"budget\":{\"ratio\":NaN}}"), 400, "budget.ratio", "NaN", "finite");
  }

  @Test
  void ratioInfinityAsBareToken() {
    assertProblem(json("{" + DOCS + ",\"budget\":{\"ratio\":Infinity}}"), 400, "budget.ratio", "finite");
  }

  @Test
  void maxTokensAsString() {
    assertProblem(json("{" + DOCS + ",\"budget\":{\"maxTokens\":\"abc\"}}"), 400, "budget.maxTokens", "abc",
        "integer");
  }

  @Test
  void maxTokensFraction() {
    assertProblem(json("{" + DOCS + ",\"budget\":{\"maxTokens\":10.5}}"), 400, "budget.maxTokens", "integer");
  }

  @Test
  void maxTokensExponent() {
    assertProblem(json("{" + DOCS + ",\"budget\":{\"maxTokens\":1e99}}"), 400, "budget.maxTokens", "integer");
  }

  @Test
  void maxTokensHuge() {
    assertProblem(json("{" + DOCS + ",\"budget\":{\"maxTokens\":99999999999999999999999}}"), 400,
        "budget.maxTokens", "out of range", "2147483647");
  }

  @Test
  void maxTokensJustOverIntRange() {
    assertProblem(json("{" + DOCS + ",\"budget\":{\"maxTokens\":2147483648}}"), 400, "budget.maxTokens",
        "2147483647");
  }

  // --- encoding, model, effort, order

  @Test
  void unknownEncoding() {
    assertProblem(json("{" + DOCS + "," + BUDGET + ",\"encoding\":\"gpt2_base\"}"), 400, "encoding", "gpt2_base",
        "cl100k_base", "o200k_base", "p50k_base", "r50k_base");
  }

  @Test
  void unknownModel() {
    assertProblem(json("{" + DOCS + "," + BUDGET + ",\"model\":\"llama-3-70b\"}"), 400, "model", "llama-3-70b",
        "gpt-4o", "gpt-4", "gpt-3.5-turbo", "cl100k_base");
  }

  @Test
  void bothEncodingAndModel() {
    assertProblem(json("{" + DOCS + "," + BUDGET + ",\"encoding\":\"cl100k_base\",\"model\":\"gpt-4o\"}"), 400,
        "encoding", "model", "one");
  }

  @Test
  void unknownEffort() {
    assertProblem(json("{" + DOCS + "," + BUDGET + ",\"effort\":\"slow\"}"), 400, "effort", "slow", "fast",
        "best");
  }

  @Test
  void unknownOrder() {
    assertProblem(json("{" + DOCS + "," + BUDGET + ",\"order\":\"random\"}"), 400, "order", "random", "original",
        "relevance");
  }

  // --- fields and patterns

  @Test
  void unknownTopLevelField() {
    assertProblem(json("{" + DOCS + "," + BUDGET + ",\"max_tokens\":10}"), 400, "max_tokens", "budget");
  }

  @Test
  void unknownBudgetField() {
    assertProblem(json("{" + DOCS + ",\"budget\":{\"max_tokens\":10}}"), 400, "budget.max_tokens", "maxTokens");
  }

  @Test
  void fieldOfTheWrongType() {
    assertProblem(json("{" + DOCS + "," + BUDGET + ",\"keep\":\"Oslo\"}"), 400, "keep", "array");
  }

  @Test
  void invalidKeepPattern() {
    assertProblem(json("{" + DOCS + "," + BUDGET + ",\"keep\":[\"Oslo\"],\"keepPatterns\":[\"(\"]}"), 400,
        "keepPatterns[0]", "regular expression");
  }

  @Test
  void keepPatternThatRecursesTooDeeply() {
    // Found by BackPressureTest: java.util.regex overflowed the worker thread's stack, and the StackOverflowError
    // left as a 500 with a stack trace in the body.
    String body = "{\"context\":\"" + "a".repeat(30_000) + "!\",\"budget\":{\"maxTokens\":5},"
        + "\"keepPatterns\":[\"(a|aa)+$\"]}";
    assertProblem(json(body), 400, "keepPatterns", "simpler pattern");
  }

  // --- paths and methods

  @Test
  void unknownPath() {
    assertProblem(given().get("/v1/compression"), 404, "/v1/compress");
  }

  @Test
  void getOnCompress() {
    Response r = given().get("/v1/compress");
    assertProblem(r, 405, "GET", "/v1/compress", "POST");
    assertEquals("POST", r.header("Allow"));
  }

  // --- helpers

  static Response json(String body) {
    RequestSpecification request = given().contentType("application/json");
    if (!body.isEmpty()) request = request.body(body);
    return request.post("/v1/compress");
  }

  /**
   * The response is an RFC 9457 problem with this status, and its detail holds every fragment (what to change)
   * and nothing of Java.
   */
  static void assertProblem(Response r, int status, String... fragments) {
    r.then().statusCode(status).header("Content-Type", startsWith("application/problem+json"));
    assertEquals(status, r.jsonPath().getInt("status"), r.asString());
    assertFalse(r.jsonPath().getString("type").isBlank(), r.asString());
    assertFalse(r.jsonPath().getString("title").isBlank(), r.asString());
    String detail = r.jsonPath().getString("detail");
    assertTrue(detail != null && !detail.isBlank(), r.asString());
    for (String fragment : fragments) {
      assertTrue(detail.contains(fragment), () -> "detail lacks '" + fragment + "': " + detail);
    }
    for (String internal : List.of("Exception", "java.", "at dev.", "at io.", "com.fasterxml", "\tat ")) {
      assertFalse(detail.contains(internal), () -> "detail shows '" + internal + "': " + detail);
    }
    assertFalse(detail.toLowerCase(Locale.ROOT).contains("jackson"), detail);
  }
}
