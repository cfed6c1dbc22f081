package dev.precis.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.precis.segment.Format;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Structured documents through the whole engine: detected, ranked by what names them, written back valid. */
class StructuredContextTest {
  private static final ObjectMapper STRICT = new ObjectMapper(JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());
  private static PrecisEngine engine;

  @BeforeAll
  static void start() {
    engine = PrecisEngine.createDefault();
  }

  @AfterAll
  static void stop() {
    engine.close();
  }

  private static Compression compress(String query, String text, int budget, Effort effort) {
    return engine.compress(new CompressionRequest(query, List.of(new SourceDocument(null, null, text)),
        Budget.ofTokens(budget), null, effort, null, null, null, true));
  }

  @Test
  void aFlatObjectOfIdentifiersKeepsTheKeyAskedFor() {
    Random random = new Random(7);
    StringBuilder json = new StringBuilder("{\n");
    String[] keys = new String[75];
    String[] values = new String[75];
    for (int i = 0; i < 75; i++) {
      keys[i] = new UUID(random.nextLong(), random.nextLong()).toString();
      values[i] = new UUID(random.nextLong(), random.nextLong()).toString();
      json.append("  \"").append(keys[i]).append("\": \"").append(values[i]).append('"')
          .append(i < 74 ? ",\n" : "\n");
    }
    String text = json.append("}").toString();
    for (Effort effort : Effort.values()) {
      for (int k : new int[] {0, 17, 38, 74}) {
        Compression c = compress("What is the value of key " + keys[k] + "?", text, 300, effort);
        assertTrue(c.usage().outputTokens() <= 300);
        assertTrue(c.text().contains(values[k]), effort + " key " + k + ": " + c.text());
        assertValidJson(c.text());
        assertEquals(Format.JSON, c.documents().get(0).format());
      }
    }
  }

  @Test
  void aRecordIsFoundByItsNameAndComesWithIt() throws Exception {
    StringBuilder json = new StringBuilder("[");
    String[] cities = {"Oslo", "Lima", "Perth", "Quito", "Hanoi", "Dakar", "Porto", "Turin", "Cusco", "Tromso"};
    for (int i = 0; i < cities.length; i++) {
      if (i > 0) json.append(",\n");
      json.append("{\"name\": \"").append(cities[i]).append("\", \"population\": ").append(100_000 + i * 7919)
          .append(", \"founded\": ").append(1000 + i * 37).append(", \"notes\": \"")
          .append("A city with a long history of trade, fishing and crafts. ".repeat(12)).append("\"}");
    }
    String text = json.append("]").toString();
    Compression c = compress("When was Cusco founded?", text, 120, Effort.FAST);
    assertValidJson(c.text());
    assertTrue(c.text().contains("\"founded\": " + (1000 + 8 * 37)), c.text());
    assertTrue(c.text().contains("\"name\": \"Cusco\""), c.text());
  }

  @Test
  void aDeclaredFormatThatDoesNotParseIsRefusedWithLineAndColumn() {
    var request = new CompressionRequest("q", List.of(new SourceDocument("cfg", null, "{\n\"a\": 1,\n}", Format.JSON)),
        Budget.ofTokens(10), null, null, null, null, null, false);
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> engine.compress(request));
    assertTrue(e.getMessage().contains("line 3, column 1"), e.getMessage());
  }

  @Test
  void invalidJsonLeftToDetectionIsText() {
    Compression c = compress("q", "{\"a\": 1, \"b\": [1, 2", 100, Effort.FAST);
    assertEquals(Format.TEXT, c.documents().get(0).format());
  }

  @Test
  void aFencedJsonBlockInProseComesBackValidInsideItsFence() throws Exception {
    StringBuilder json = new StringBuilder("{\n");
    for (int i = 0; i < 40; i++) {
      json.append("  \"service-").append(i).append("\": {\"port\": ").append(8000 + i).append(", \"owner\": \"team-")
          .append(i % 5).append("\"}").append(i < 39 ? ",\n" : "\n");
    }
    json.append("}");
    String context = "The platform runs forty services behind one gateway. Each service listens on its own port and "
        + "belongs to one team, which answers its pages.\n\nHere is the current registry:\n\n```json\n" + json
        + "\n```\n\nPorts below 8000 are reserved for the gateway itself. Teams review the registry every quarter.";
    Compression c = compress("Which port does service-27 listen on?", context, 60, Effort.FAST);
    assertEquals(Format.MIXED, c.documents().get(0).format());
    String text = c.text();
    int open = text.indexOf("```json\n");
    int close = text.indexOf("\n```", open + 1);
    assertTrue(open >= 0 && close > open, text);
    String block = text.substring(open + "```json\n".length(), close);
    assertValidJson(block);
    assertTrue(block.contains("\"port\": 8027"), text);
    BitSetCheck.noOverlap(c);
  }

  /** Units of a document never overlap and stay inside its text. */
  private static final class BitSetCheck {
    static void noOverlap(Compression c) {
      int end = -1;
      for (Compression.UnitExplanation u : c.units()) {
        assertTrue(u.start() >= end, "overlapping units at " + u.start());
        end = u.end();
      }
    }
  }

  @Test
  void proseContextsStayProse() {
    Compression c = compress("Where was Marie Curie born?", "Marie Curie was born in Warsaw in 1867.\n\n"
        + "She moved to Paris in 1891, where she studied physics and mathematics.", 12, Effort.FAST);
    assertEquals(Format.TEXT, c.documents().get(0).format());
  }

  private static void assertValidJson(String text) {
    try {
      STRICT.readTree(text);
    } catch (Exception e) {
      throw new AssertionError("not valid JSON: " + e.getMessage() + "\n" + text, e);
    }
  }
}
