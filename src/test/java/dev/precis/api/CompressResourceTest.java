package dev.precis.api;

import static dev.precis.api.Scientists.ANSWER;
import static dev.precis.api.Scientists.DOCS;
import static dev.precis.api.Scientists.INITIALS;
import static dev.precis.api.Scientists.INITIALS_SENTENCE;
import static dev.precis.api.Scientists.PHOTO_SENTENCE;
import static dev.precis.api.Scientists.QUESTION;
import static dev.precis.api.Scientists.cl100k;
import static dev.precis.api.Scientists.o200k;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code POST /v1/compress} answered with 200: budgets held (counted here, with jtokkit), answers kept, options. */
@QuarkusTest
class CompressResourceTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Set<String> DECISIONS = Set.of("full", "partial", "summary", "dropped");
  static final Set<String> REASONS =
      Set.of("summary", "refined", "forced", "whole", "dropped-budget", "dropped-document");

  @Test
  void multiDocumentRequestKeepsTheAnswerWithinTheBudget() {
    JsonNode r = compress(request(100));

    String text = r.get("text").asText();
    assertTrue(cl100k(text) <= 100, () -> "over budget: " + cl100k(text) + " tokens: " + text);
    assertTrue(text.contains(ANSWER), () -> "answer sentence lost: " + text);
    assertEquals("cl100k_base", r.get("encoding").asText());
    assertFalse(r.has("units"), "units are returned only with explain");

    JsonNode usage = r.get("usage");
    assertUsageConsistent(usage, cl100k(text), cl100k(Scientists.rendered()));
    assertEquals(100, usage.get("maxTokens").asInt());
    assertTrue(usage.get("savedTokens").asInt() > 0);

    JsonNode docs = r.get("documents");
    assertDocumentsConsistent(docs);
    assertNotEquals("dropped", docs.get(1).get("decision").asText(), "the document holding the answer");
    assertNotEquals("full", docs.get(1).get("decision").asText(), "a 100-token budget cannot keep it whole");
    assertEquals(1.0, docs.get(1).get("score").asDouble(), 1e-9, "the answer's document ranks first");
    for (String stage : List.of("segmentMs", "rankMs", "summariseMs", "refineMs", "renderMs", "totalMs")) {
      assertTrue(r.get("timings").get(stage).asDouble() >= 0, stage);
    }
  }

  @Test
  void ratioBudgetIsTheInputDividedByTheRatio() {
    Map<String, Object> body = request(0);
    body.put("budget", Map.of("ratio", 4));
    JsonNode r = compress(body);

    String text = r.get("text").asText();
    int input = cl100k(Scientists.rendered());
    int budget = input / 4;
    JsonNode usage = r.get("usage");
    assertEquals(budget, usage.get("maxTokens").asInt());
    assertTrue(cl100k(text) <= budget, () -> cl100k(text) + " tokens over " + budget + ": " + text);
    assertUsageConsistent(usage, cl100k(text), input);
    assertTrue(text.contains(ANSWER), () -> "answer sentence lost: " + text);
  }

  @Test
  void contextInsteadOfDocuments() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("query", QUESTION);
    body.put("context", Scientists.context());
    body.put("budget", Map.of("maxTokens", 60));
    JsonNode r = compress(body);

    String text = r.get("text").asText();
    assertTrue(cl100k(text) <= 60, () -> cl100k(text) + " tokens: " + text);
    assertTrue(text.contains(ANSWER), () -> "answer sentence lost: " + text);
    assertUsageConsistent(r.get("usage"), cl100k(text), cl100k(Scientists.context()));
    JsonNode docs = r.get("documents");
    assertEquals(1, docs.size(), "a context is one document");
    assertEquals(0, docs.get(0).get("index").asInt());
    assertTrue(docs.get(0).get("id").isNull(), "a context has no id");
    assertEquals("partial", docs.get(0).get("decision").asText());
  }

  @Test
  void withoutAQueryTheOutputIsMadeOfInputText() {
    Map<String, Object> body = request(80);
    body.remove("query");
    JsonNode r = compress(body);

    String text = r.get("text").asText();
    assertTrue(cl100k(text) <= 80, () -> cl100k(text) + " tokens: " + text);
    assertFalse(text.isBlank());
    assertUsageConsistent(r.get("usage"), cl100k(text), cl100k(Scientists.rendered()));
    assertDocumentsConsistent(r.get("documents"));
    for (String piece : text.split("…|\n")) {
      if (piece.isBlank()) continue;
      assertTrue(Scientists.rendered().contains(piece.strip()), () -> "not input text: '" + piece + "'");
    }
  }

  @Test
  void modelGpt4oCountsInO200k() {
    Map<String, Object> body = request(100);
    body.put("model", "gpt-4o");
    JsonNode r = compress(body);

    String text = r.get("text").asText();
    assertEquals("o200k_base", r.get("encoding").asText());
    assertTrue(o200k(text) <= 100, () -> o200k(text) + " o200k tokens: " + text);
    assertUsageConsistent(r.get("usage"), o200k(text), o200k(Scientists.rendered()));
    assertTrue(text.contains(ANSWER), () -> "answer sentence lost: " + text);
  }

  @Test
  void relevanceOrderPutsTheBestDocumentFirst() {
    Map<String, Object> body = request(250);
    body.put("order", "relevance");
    JsonNode r = compress(body);

    String text = r.get("text").asText();
    assertTrue(cl100k(text) <= 250);
    assertTrue(text.startsWith("Marie Curie\n"), () -> "the answer's document is not first: " + text);
    JsonNode docs = r.get("documents");
    assertDocumentsConsistent(docs); // still in input order
    List<JsonNode> kept = new ArrayList<>();
    docs.forEach(d -> {
      if (!d.get("decision").asText().equals("dropped")) kept.add(d);
    });
    assertTrue(kept.size() >= 2, () -> "a 250-token budget keeps more than one document: " + docs);
    kept.sort(Comparator.comparingDouble((JsonNode d) -> -d.get("score").asDouble())
        .thenComparingInt(d -> d.get("index").asInt()));
    int from = -1;
    for (JsonNode d : kept) {
      String title = DOCS.get(d.get("index").asInt()).title() + "\n";
      int at = text.indexOf(title);
      assertTrue(at > from, () -> "documents not in relevance order " + kept + ": " + text);
      from = at;
    }
  }

  @Test
  void explainReturnsUnitsWhoseExplanationSumsToTheirScore() {
    Map<String, Object> body = request(100);
    body.put("explain", true);
    JsonNode r = compress(body);

    JsonNode units = r.get("units");
    assertTrue(units.isArray() && !units.isEmpty(), "units with explain");
    boolean answerKept = false;
    int keptUnits = 0;
    for (JsonNode u : units) {
      JsonNode explanation = u.get("explanation");
      assertEquals(u.get("score").asDouble(), explanation.get("value").asDouble(), 1e-6, u::toString);
      assertFalse(explanation.get("description").asText().isBlank(), u::toString);
      assertTrue(explanation.get("details").isArray(), u::toString);
      assertTrue(REASONS.contains(u.get("reason").asText()), u::toString);
      assertEquals(u.get("kept").asBoolean(), !u.get("reason").asText().startsWith("dropped"), u::toString);
      String docText = DOCS.get(u.get("document").asInt()).text();
      int start = u.get("start").asInt();
      int end = u.get("end").asInt();
      assertTrue(0 <= start && start < end && end <= docText.length(), u::toString);
      if (u.get("kept").asBoolean()) keptUnits++;
      if (docText.substring(start, end).contains(ANSWER)) answerKept = u.get("kept").asBoolean();
    }
    assertTrue(answerKept, "the answer's unit is kept");
    assertTrue(keptUnits < units.size(), "a 100-token budget drops units");
  }

  @Test
  void instantEffortRanksWithoutTheTransformerAndSaysSo() {
    Map<String, Object> body = request(100);
    body.put("effort", "instant");
    body.put("explain", true);
    JsonNode r = compress(body);

    String text = r.get("text").asText();
    assertTrue(cl100k(text) <= 100, () -> cl100k(text) + " tokens: " + text);
    assertTrue(text.contains(ANSWER), () -> "answer sentence lost: " + text);
    boolean staticSemantic = false;
    for (JsonNode u : r.get("units")) {
      assertFalse(u.get("explanation").toString().contains("encoder cosine"), u::toString);
      staticSemantic |= u.get("explanation").toString().contains("static vectors (no transformer)");
    }
    assertTrue(staticSemantic, "the explanation names the static soft match");
  }

  @Test
  void keepKeepsALowRelevanceSentence() {
    Map<String, Object> plain = request(100);
    assertFalse(compress(plain).get("text").asText().contains(INITIALS), "without keep the sentence is dropped");

    Map<String, Object> body = request(100);
    body.put("keep", List.of(INITIALS));
    body.put("explain", true);
    JsonNode r = compress(body);

    String text = r.get("text").asText();
    assertTrue(cl100k(text) <= 100);
    assertTrue(text.contains(INITIALS_SENTENCE), () -> "kept literal lost: " + text);
    assertNotEquals("dropped", r.get("documents").get(0).get("decision").asText());
    boolean forced = false;
    for (JsonNode u : r.get("units")) {
      String unit = DOCS.get(u.get("document").asInt()).text().substring(u.get("start").asInt(), u.get("end").asInt());
      if (unit.contains(INITIALS)) forced = u.get("reason").asText().equals("forced");
    }
    assertTrue(forced, "the unit holding the literal is kept as forced");
  }

  @Test
  void keepPatternsKeepAMatchingSentence() {
    Map<String, Object> body = request(100);
    body.put("keepPatterns", List.of("Photo \\d+"));
    JsonNode r = compress(body);

    String text = r.get("text").asText();
    assertTrue(cl100k(text) <= 100);
    assertTrue(text.contains(PHOTO_SENTENCE), () -> "sentence matching the pattern lost: " + text);
  }

  @Test
  void elisionMarkerMarksRemovedText() {
    Map<String, Object> body = request(100);
    body.put("elisionMarker", "[...]");
    JsonNode r = compress(body);

    String text = r.get("text").asText();
    assertTrue(cl100k(text) <= 100);
    assertTrue(text.contains("[...]"), () -> "no marker: " + text);
    assertFalse(text.contains("…"), () -> "the default marker is used too: " + text);
    assertTrue(text.contains(ANSWER), () -> "answer sentence lost: " + text);
  }

  @Test
  void budgetLargerThanTheInputReturnsTheInputUnchanged() {
    JsonNode r = compress(request(5000));

    assertEquals(Scientists.rendered(), r.get("text").asText());
    int input = cl100k(Scientists.rendered());
    JsonNode usage = r.get("usage");
    assertUsageConsistent(usage, input, input);
    assertEquals(0, usage.get("savedTokens").asInt());
    assertEquals(5000, usage.get("maxTokens").asInt());
    for (JsonNode d : r.get("documents")) {
      assertEquals("full", d.get("decision").asText(), d::toString);
      assertEquals(d.get("tokensBefore").asInt(), d.get("tokensAfter").asInt(), d::toString);
    }

    Map<String, Object> context = new LinkedHashMap<>();
    context.put("query", QUESTION);
    context.put("context", Scientists.context());
    context.put("budget", Map.of("maxTokens", 5000));
    assertEquals(Scientists.context(), compress(context).get("text").asText());
  }

  @Test
  void tinyBudgetIsHeld() {
    JsonNode r = compress(request(3));

    String text = r.get("text").asText();
    assertTrue(cl100k(text) <= 3, () -> cl100k(text) + " tokens: '" + text + "'");
    assertTrue(r.get("usage").get("outputTokens").asInt() <= 3);
    assertEquals(3, r.get("usage").get("maxTokens").asInt());
    assertEquals(cl100k(text), r.get("usage").get("outputTokens").asInt());
  }

  @Test
  void sameRequestTwiceGivesTheSameAnswer() {
    Map<String, Object> body = request(100);
    body.put("explain", true);
    String first = post(body);
    String second = post(body);

    // Byte for byte the same, but for the wall-clock timings.
    assertTrue(TIMINGS.matcher(first).find(), first);
    assertEquals(stripTimings(first), stripTimings(second));
  }

  // --- helpers

  /** The question, the four documents and a maxTokens budget (0: no budget yet). */
  static Map<String, Object> request(int maxTokens) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("query", QUESTION);
    body.put("documents", Scientists.documents());
    if (maxTokens > 0) body.put("budget", Map.of("maxTokens", maxTokens));
    return body;
  }

  static String post(Map<String, Object> body) {
    String json;
    try {
      json = JSON.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
    return given().contentType("application/json").body(json)
        .when().post("/v1/compress")
        .then().statusCode(200).header("Content-Type", org.hamcrest.Matchers.startsWith("application/json"))
        .extract().asString();
  }

  static JsonNode compress(Map<String, Object> body) {
    try {
      return JSON.readTree(post(body));
    } catch (JsonProcessingException e) {
      throw new AssertionError("the response is not JSON", e);
    }
  }

  private static final Pattern TIMINGS = Pattern.compile("\"timings\":\\{[^}]*}");

  /** The raw response bytes with the timings object blanked out. */
  private static String stripTimings(String json) {
    return TIMINGS.matcher(json).replaceAll("\"timings\":{}");
  }

  /** usage agrees with the text (counted independently) and with itself. */
  static void assertUsageConsistent(JsonNode usage, int outputTokens, int inputTokens) {
    int input = usage.get("inputTokens").asInt();
    int output = usage.get("outputTokens").asInt();
    assertEquals(inputTokens, input, "inputTokens: " + usage);
    assertEquals(outputTokens, output, "outputTokens: " + usage);
    assertTrue(output <= usage.get("maxTokens").asInt(), "output over maxTokens: " + usage);
    assertEquals(input - output, usage.get("savedTokens").asInt(), "savedTokens: " + usage);
    assertEquals(output == 0 ? 0 : (double) input / output, usage.get("ratio").asDouble(), 1e-3, "ratio: " + usage);
  }

  /** One outcome per input document, in input order, each within its own bounds. */
  static void assertDocumentsConsistent(JsonNode docs) {
    assertEquals(DOCS.size(), docs.size(), docs::toString);
    for (int i = 0; i < DOCS.size(); i++) {
      JsonNode d = docs.get(i);
      String where = "documents[" + i + "]: " + d;
      assertEquals(i, d.get("index").asInt(), where);
      assertEquals(DOCS.get(i).id(), d.get("id").asText(), where);
      String decision = d.get("decision").asText();
      assertTrue(DECISIONS.contains(decision), where);
      int before = d.get("tokensBefore").asInt();
      int after = d.get("tokensAfter").asInt();
      assertEquals(cl100k(DOCS.get(i).title() + "\n" + DOCS.get(i).text()), before, where);
      assertTrue(0 <= after && after <= before, where);
      assertEquals(decision.equals("dropped"), after == 0, where);
      assertEquals(decision.equals("full"), after == before, where);
      double score = d.get("score").asDouble();
      assertTrue(0 <= score && score <= 1, where);
    }
  }
}
