package dev.precis.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class JsonSplicerTest {
  static final ObjectMapper JSON = new ObjectMapper();

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void replacesOnlyTheAddressedStringsAndKeepsEveryOtherByte() {
    String json = "{ \"a\" : \"x\",\n \"n\":1.50e0, \"arr\":[ \"k\\u00e9\", {\"t\":\"\\\"q\\\"\"} ], \"z\":\"été\"}";
    Map<String, String> values = new LinkedHashMap<>();
    values.put("/arr/1/t", "new \"quoted\" \n line ✓");
    values.put("/a", "y");
    String out = new String(JsonSplicer.replace(utf8(json), values), StandardCharsets.UTF_8);
    assertEquals("{ \"a\" : \"y\",\n \"n\":1.50e0, \"arr\":[ \"k\\u00e9\", {\"t\":\"new \\\"quoted\\\" \\n line ✓\"} ], "
        + "\"z\":\"été\"}", out);
  }

  @Test
  void nothingToReplaceGivesTheSameArray() {
    byte[] json = utf8("{\"a\":\"b\"}");
    assertArrayEquals(json, JsonSplicer.replace(json, Map.of()));
  }

  @Test
  void aMissingPointerIsAnError() {
    assertThrows(IllegalStateException.class, () -> JsonSplicer.replace(utf8("{\"a\":\"b\"}"), Map.of("/c", "d")));
  }

  /** Random documents and replacements: the result parses to the same tree with the new values put in. */
  @Test
  void randomReplacementsMatchTreeEdits() throws Exception {
    long seed = Long.getLong("tests.seed", 0x5EED);
    Random random = new Random(seed);
    String[] strings = {"", "plain", "é ✓ 東京", "quote \" back \\ slash", "tab\tnew\nline", "\u0001ctl", "😀"};
    for (int n = 0; n < 200; n++) {
      StringBuilder json = new StringBuilder("{\"messages\":[");
      int messages = 1 + random.nextInt(5);
      for (int m = 0; m < messages; m++) {
        if (m > 0) json.append(random.nextBoolean() ? "," : " ,\n ");
        json.append("{\"role\":\"user\",  \"content\":")
            .append(JSON.writeValueAsString(strings[random.nextInt(strings.length)])).append(", \"n\": 1.0}");
      }
      json.append("]}");
      Map<String, String> values = new LinkedHashMap<>();
      var tree = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(json.toString());
      for (int m = 0; m < messages; m++) {
        if (random.nextBoolean()) {
          String v = strings[random.nextInt(strings.length)] + random.nextInt(100);
          values.put("/messages/" + m + "/content", v);
          ((com.fasterxml.jackson.databind.node.ObjectNode) tree.get("messages").get(m)).put("content", v);
        }
      }
      byte[] out = JsonSplicer.replace(utf8(json.toString()), values);
      int finalN = n;
      assertEquals(tree, JSON.readTree(out), () -> "seed " + seed + " case " + finalN + ": " + json);
    }
  }

  @Test
  void appendsToAnArrayOrAddsIt() throws Exception {
    String tool = "{\"n\":1}";
    assertEquals("{\"a\": 1, \"tools\": [ {\"n\":1}]}",
        new String(JsonSplicer.appendToArray(utf8("{\"a\": 1, \"tools\": [ ]}"), "tools", tool), StandardCharsets.UTF_8));
    assertEquals("{\"tools\": [{\"x\": [1, {}]} ,{\"n\":1}], \"b\": 2}",
        new String(JsonSplicer.appendToArray(utf8("{\"tools\": [{\"x\": [1, {}]} ], \"b\": 2}"), "tools", tool),
            StandardCharsets.UTF_8));
    assertEquals("{\"tools\":[{\"n\":1}],\"model\": \"m\", \"t\": {\"tools\": 5}}",
        new String(JsonSplicer.appendToArray(utf8("{\"model\": \"m\", \"t\": {\"tools\": 5}}"), "tools", tool),
            StandardCharsets.UTF_8), "a nested field of that name is not the root's");
    assertEquals("{\"tools\":[{\"n\":1}]}",
        new String(JsonSplicer.appendToArray(utf8("{}"), "tools", tool), StandardCharsets.UTF_8));
    assertEquals("{\"tools\": [{\"n\":1}]}",
        new String(JsonSplicer.appendToArray(utf8("{\"tools\": null}"), "tools", tool), StandardCharsets.UTF_8));
  }

  @Test
  void loneSurrogatesGoBackAsTheEscapesTheyCameAs() throws Exception {
    byte[] out = JsonSplicer.replace(utf8("{\"a\": \"x\"}"), Map.of("/a", "k\uDE6Fé\uD83D\uDE00\uD83D"));
    assertEquals("{\"a\": \"k\\ude6fé\uD83D\uDE00\\ud83d\"}", new String(out, StandardCharsets.UTF_8));
    assertEquals("k\uDE6Fé\uD83D\uDE00\uD83D", JSON.readTree(out).get("a").asText());
  }
}
