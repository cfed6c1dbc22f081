package dev.precis.api;

import static dev.precis.api.BadInputTest.assertProblem;
import static dev.precis.api.BadInputTest.json;
import static dev.precis.api.Scientists.cl100k;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

/** {@code POST /v1/compress} with structured documents: formats detected or declared, valid output, clear refusals. */
@QuarkusTest
class StructuredApiTest {
  static final ObjectMapper JSON = new ObjectMapper();

  static String records() {
    StringBuilder b = new StringBuilder("[\n");
    String[] names = {"Oslo", "Lima", "Perth", "Quito", "Hanoi", "Dakar", "Porto", "Turin"};
    for (int i = 0; i < names.length; i++) {
      b.append("  {\"name\": \"").append(names[i]).append("\", \"code\": \"C-").append(100 + i)
          .append("\", \"mayor\": \"Mayor ").append(names[i]).append(" ").append(i).append("\", \"about\": \"")
          .append("Trade, fishing and crafts over many centuries. ".repeat(4)).append("\"}")
          .append(i < names.length - 1 ? ",\n" : "\n");
    }
    return b.append("]").toString();
  }

  @Test
  void aJsonContextComesBackAsValidJsonWithTheRecordAskedFor() throws Exception {
    String body = JSON.createObjectNode()
        .put("query", "Who is the mayor of the city with code C-105?")
        .put("context", records())
        .put("explain", true)
        .set("budget", JSON.createObjectNode().put("maxTokens", 60)).toString();
    Response r = json(body);
    r.then().statusCode(200);
    JsonNode out = JSON.readTree(r.asString());
    String text = out.get("text").asText();
    assertTrue(cl100k(text) <= 60, text);
    JsonNode parsed = JSON.readTree(text);
    assertTrue(parsed.isArray(), text);
    assertTrue(text.contains("Mayor Dakar 5"), text);
    assertEquals("json", out.get("documents").get(0).get("format").asText());
    boolean located = false;
    for (JsonNode u : out.get("units")) located |= u.path("locator").asText().equals("[5].mayor");
    assertTrue(located, "units carry their JSON path: " + out.get("units"));
  }

  @Test
  void aCsvDocumentKeepsItsHeaderAndCountsTheRowsLeftOut() throws Exception {
    StringBuilder csv = new StringBuilder("city,country,population\n");
    for (int i = 0; i < 120; i++) csv.append("Town").append(i).append(",Land").append(i % 7).append(',')
        .append(1000 + i * 31).append('\n');
    String body = JSON.createObjectNode()
        .put("query", "What is the population of Town77?")
        .set("documents", JSON.createArrayNode().add(JSON.createObjectNode().put("id", "towns")
            .put("text", csv.toString()).put("format", "csv")))
        .toString().replace("}]}", "}], \"budget\": {\"maxTokens\": 40}}");
    Response r = json(body);
    r.then().statusCode(200);
    String text = JSON.readTree(r.asString()).get("text").asText();
    assertTrue(text.startsWith("city,country,population\n"), text);
    assertTrue(text.contains("Town77,Land0," + (1000 + 77 * 31)), text);
    assertTrue(text.contains("more rows\",,"), text);
  }

  @Test
  void aDeclaredFormatThatDoesNotParseIsA400NamingLineAndColumn() {
    Response r = json("{\"documents\": [{\"id\": \"cfg\", \"text\": \"{\\n  \\\"a\\\": 1,\\n}\", \"format\": \"json\"}],"
        + " \"budget\": {\"maxTokens\": 10}}");
    assertProblem(r, 400, "document", "json", "line 3, column 1", "declare another format");
  }

  @Test
  void anUnknownFormatIsA400ListingTheKnownOnes() {
    Response r = json("{\"context\": \"a b c\", \"format\": \"yaml\", \"budget\": {\"maxTokens\": 10}}");
    assertProblem(r, 400, "unknown format 'yaml'", "json", "csv", "log");
  }
}
