package dev.precis.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReasoningJsonFieldsTest {
  static final ObjectMapper JSON = new ObjectMapper();

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String set(String json, String pointer, Map<String, String> values) {
    return new String(JsonFields.set(utf8(json), pointer, values), StandardCharsets.UTF_8);
  }

  @Test
  void replacesAnExistingValueOfAnyTypeAndKeepsEveryOtherByte() {
    String json = "{ \"model\" : \"m\",\n  \"max_tokens\" :1024 , \"t\":1.50e0, \"o\": {\"a\": [1, {\"b\":2}]},"
        + " \"s\":\"x\\u00e9\", \"n\":null}";
    Map<String, String> values = new LinkedHashMap<>();
    values.put("max_tokens", "300");
    values.put("o", "{\"effort\":\"low\"}");
    values.put("n", "true");
    values.put("s", "\"y\"");
    assertEquals("{ \"model\" : \"m\",\n  \"max_tokens\" :300 , \"t\":1.50e0, \"o\": {\"effort\":\"low\"},"
        + " \"s\":\"y\", \"n\":true}", set(json, "", values));
  }

  @Test
  void insertsAMissingFieldRightAfterTheOpeningBrace() {
    Map<String, String> values = new LinkedHashMap<>();
    values.put("stream", "true");
    values.put("max_tokens", "300");
    assertEquals("{\"stream\":true,\"model\" : \"m\",  \"max_tokens\":300}",
        set("{\"model\" : \"m\",  \"max_tokens\":1024}", "", values));
    assertEquals("  {\"a\":1}\n", set("  {}\n", "", Map.of("a", "1")));
    assertEquals("{\"a\":1,\"b\":2}", set("{\"b\":2}", "", Map.of("a", "1")));
  }

  @Test
  void setsFieldsOfANestedObjectOnly() {
    String json = "{\"budget_tokens\":5,\"thinking\":{ \"type\":\"enabled\", \"budget_tokens\": 10000 },"
        + "\"messages\":[{\"budget_tokens\":7}]}";
    assertEquals("{\"budget_tokens\":5,\"thinking\":{ \"type\":\"enabled\", \"budget_tokens\": 2048 },"
        + "\"messages\":[{\"budget_tokens\":7}]}", set(json, "/thinking", Map.of("budget_tokens", "2048")));
    assertEquals("{\"reasoning\":{\"effort\":\"low\", \"summary\":\"auto\"}}",
        set("{\"reasoning\":{ \"summary\":\"auto\"}}", "/reasoning", Map.of("effort", "\"low\"")).replace("{ ", "{"));
  }

  @Test
  void everyOccurrenceOfADuplicatedFieldIsSet() {
    assertEquals("{\"a\":3,\"a\":3}", set("{\"a\":1,\"a\":2}", "", Map.of("a", "3")));
  }

  @Test
  void theResultIsValidJsonWithTheNewValues() throws Exception {
    String json = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi } ] , \\\" {\"}],\"max_tokens\":-0.0e+1,"
        + "\"x\":[]}";
    String out = set(json, "", Map.of("max_tokens", "12", "y", "{}"));
    assertEquals(12, JSON.readTree(out).get("max_tokens").asInt());
    assertEquals(JSON.readTree(json).get("messages"), JSON.readTree(out).get("messages"));
  }

  @Test
  void nothingToSetGivesTheSameArrayAndAMissingObjectIsAnError() {
    byte[] json = utf8("{\"a\":1}");
    assertArrayEquals(json, JsonFields.set(json, "", Map.of()));
    assertThrows(IllegalStateException.class, () -> JsonFields.set(json, "/b", Map.of("c", "1")));
  }

  @Test
  void literalsAreQuoted() {
    assertEquals("\"a \\\"b\\\"\\n\"", JsonFields.string("a \"b\"\n"));
    assertEquals("350", JsonFields.number(350));
  }
}
