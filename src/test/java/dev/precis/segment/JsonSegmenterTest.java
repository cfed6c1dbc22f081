package dev.precis.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class JsonSegmenterTest {
  private static final ObjectMapper STRICT = new ObjectMapper(JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());

  private static SegmentedDocument segment(String text, int maxUnitChars) {
    var s = new JsonSegmenter(maxUnitChars, false).segment(text);
    return new SegmentedDocument(0, null, text, s.units(), s.structure());
  }

  private static String render(SegmentedDocument doc, BitSet kept, String marker) {
    StringBuilder out = new StringBuilder();
    doc.structure().render(doc, kept, marker, out);
    return out.toString();
  }

  private static void assertStrictJson(String json) {
    try {
      STRICT.readTree(json);
    } catch (Exception e) {
      throw new AssertionError("not valid JSON: " + e.getMessage() + "\n" + json, e);
    }
  }

  @Test
  void membersAndElementsAreUnitsAtTheDepthThatFits() {
    String text = "{\"a\": 1, \"b\": {\"c\": [1, 2]}}";
    SegmentedDocument doc = segment(text, 12);
    assertEquals(List.of("\"a\": 1", "\"c\": [1, 2]"), JsonSegmenter.texts(text, doc.units()));
    assertEquals("b.c: [1, 2]", doc.rankText(1));
    assertEquals("b.c", doc.structure().locator(1));
  }

  @Test
  void aRecordNamedByAMemberObjectIsNamedByThatObjectsName() {
    String text = """
        [
          {"cca2": "DK", "name": {"common": "Denmark", "official": "Kingdom of Denmark"}, "area": 43094},
          {"cca2": "FI", "name": {"common": "Finland", "official": "Republic of Finland"}, "area": 338424}
        ]""";
    SegmentedDocument doc = segment(text, 70);
    List<String> texts = JsonSegmenter.texts(text, doc.units());
    int area = texts.indexOf("\"area\": 43094");
    int name = texts.indexOf("\"name\": {\"common\": \"Denmark\", \"official\": \"Kingdom of Denmark\"}");
    assertTrue(area > 0 && name > 0, texts.toString());
    assertEquals(name, doc.anchor(area));
    assertEquals("common: \"Denmark\"; [0].area: 43094", doc.rankText(area));
  }

  @Test
  void aRecordWrappedInAnEnvelopeIsNamedByItsIdAndTheNameInside() {
    String text = """
        {"data": [
          {"type": "country", "id": "ZA", "attributes": {"name": "South Africa", "cca3": "ZAF", "region": "Africa"}},
          {"type": "country", "id": "SN", "attributes": {"name": "Senegal", "cca3": "SEN", "region": "Africa"}}
        ]}""";
    SegmentedDocument doc = segment(text, 40);
    List<String> texts = JsonSegmenter.texts(text, doc.units());
    int cca3 = texts.indexOf("\"cca3\": \"ZAF\"");
    int name = texts.indexOf("\"name\": \"South Africa\"");
    int id = texts.indexOf("\"id\": \"ZA\"");
    assertTrue(cca3 > 0 && name > 0 && id >= 0, texts.toString());
    assertEquals("id: \"ZA\"; name: \"South Africa\"; data[0].attributes.cca3: \"ZAF\"", doc.rankText(cca3));
    assertEquals(name, doc.anchor(cca3));
    assertEquals(id, doc.anchor(name));
    assertEquals(-1, doc.anchor(id));
  }

  @Test
  void aNameObjectInsideAnEnvelopeNamesItsRecord() {
    String text = """
        {"items": [
          {"id": "c1", "attributes": {"name": {"common": "Monaco", "official": "Principality of Monaco"},
            "telecom": {"diallingPrefix": "+377", "tld": ".mc"}}},
          {"id": "c2", "attributes": {"name": {"common": "Palau", "official": "Republic of Palau"},
            "telecom": {"diallingPrefix": "+680", "tld": ".pw"}}}
        ]}""";
    SegmentedDocument doc = segment(text, 60);
    List<String> texts = JsonSegmenter.texts(text, doc.units());
    int telecom = texts.indexOf("\"telecom\": {\"diallingPrefix\": \"+377\", \"tld\": \".mc\"}");
    assertTrue(telecom > 0, texts.toString());
    assertTrue(doc.rankText(telecom).startsWith("id: \"c1\"; common: \"Monaco\"; items[0].attributes.telecom"),
        doc.rankText(telecom));
    assertTrue(doc.unitText(doc.anchor(telecom)).contains("Monaco"), doc.unitText(doc.anchor(telecom)));
  }

  @Test
  void aRecordMemberComesWithItsIdentifyingMember() {
    String text = """
        {"orders": [
          {"total": 12.5, "id": "A-16", "customer": {"email": "ann@example.org", "name": "Ann"}},
          {"total": 99.0, "id": "A-17", "customer": {"email": "bob@example.org", "name": "Bob"}}
        ]}""";
    SegmentedDocument doc = segment(text, 30);
    List<String> texts = JsonSegmenter.texts(text, doc.units());
    int email = texts.indexOf("\"email\": \"bob@example.org\"");
    int id = texts.indexOf("\"id\": \"A-17\"");
    assertTrue(email > 0 && id > 0, texts.toString());
    assertEquals(id, doc.anchor(email));
    assertEquals("id: \"A-17\"; orders[1].customer.email: \"bob@example.org\"", doc.rankText(email));
    BitSet kept = new BitSet();
    kept.set(id);
    kept.set(email);
    String out = render(doc, kept, "…");
    assertStrictJson(out);
    assertEquals("""
        {"orders": [
          "… 1 more item",
          {"…": "1 more key", "id": "A-17", "customer": {"email": "bob@example.org", "…": "1 more key"}}
        ]}""", out);
  }

  @Test
  void keptWholeIsTheTextAndNothingKeptAnywhereIsValid() {
    String text = "  [ {\"x\" : 1 , \"y\":2}, 3 ,4 ]  \n";
    SegmentedDocument doc = segment(text, 4);
    BitSet all = new BitSet();
    all.set(0, doc.units().size());
    assertEquals(text.strip(), render(doc, all, "…"));
    BitSet one = new BitSet();
    one.set(doc.units().size() - 1);
    String out = render(doc, one, "…");
    assertStrictJson(out);
    assertEquals("[ \"… 2 more items\",4 ]", out);
    assertEquals("[4 ]", render(doc, one, "")); // 4 had no space before it
  }

  @Test
  void compactStyleWritesAnArrayOfFlatRecordsAsATable() {
    StringBuilder b = new StringBuilder("[\n");
    for (int i = 0; i < 6; i++) {
      b.append("  {\"order_identifier\": \"A-").append(i).append("\", \"customer_name\": \"Name ").append(i)
          .append("\", \"quantity_ordered\": ").append(i)
          .append(i < 5 ? "},\n" : "}\n");
    }
    String text = b.append("]").toString();
    var s = new JsonSegmenter(600, false, true).segment(text);
    SegmentedDocument doc = new SegmentedDocument(0, null, text, s.units(), s.structure());
    BitSet kept = new BitSet();
    kept.set(1);
    kept.set(2);
    kept.set(5);
    String out = render(doc, kept, "…");
    assertStrictJson(out);
    assertEquals("{\"columns\": [\"order_identifier\", \"customer_name\", \"quantity_ordered\"], \"rows\": [\"… 1 more item\", [\"A-1\", \"Name 1\", 1], "
        + "[\"A-2\", \"Name 2\", 2], \"… 2 more items\", [\"A-5\", \"Name 5\", 5]]}", out);
    var preserved = new JsonSegmenter(600, false, false).segment(text);
    String shaped = render(new SegmentedDocument(0, null, text, preserved.units(), preserved.structure()), kept, "…");
    assertTrue(out.length() <= 0.7 * shaped.length(), out.length() + " vs " + shaped.length());
  }

  @Test
  void compactStyleLeavesMixedArraysInTheirShape() {
    String text = "[{\"id\": 1, \"a\": 2}, {\"id\": 2, \"b\": 3}, {\"id\": 3, \"a\": 4}]";
    var s = new JsonSegmenter(600, false, true).segment(text);
    SegmentedDocument doc = new SegmentedDocument(0, null, text, s.units(), s.structure());
    BitSet kept = new BitSet();
    kept.set(0);
    assertEquals("[{\"id\": 1, \"a\": 2}, \"… 2 more items\"]", render(doc, kept, "…"));
  }

  @Test
  void jsonLinesAreRecords() {
    String text = "{\"id\": 1, \"msg\": \"a\"}\n\n{\"id\": 2, \"msg\": \"b\"}\n{\"id\": 3, \"msg\": \"c\"}\n";
    var s = new JsonSegmenter(600, true).segment(text);
    SegmentedDocument doc = new SegmentedDocument(0, null, text, s.units(), s.structure());
    assertEquals(3, doc.units().size());
    assertEquals(UnitKind.ROW, doc.units().get(0).kind());
    BitSet kept = new BitSet();
    kept.set(1);
    assertEquals("\"… 1 more line\"\n{\"id\": 2, \"msg\": \"b\"}\n\"… 1 more line\"", render(doc, kept, "…"));
    assertEquals("line 3: [1]", doc.structure().locator(1));
  }

  @Test
  void invalidJsonNamesLineAndColumn() {
    FormatException e = assertThrows(FormatException.class,
        () -> new JsonSegmenter(600, false).segment("{\n  \"a\": 1,\n  \"b\": }"));
    assertEquals(3, e.line());
    assertEquals(8, e.column());
    assertThrows(FormatException.class, () -> new JsonSegmenter(600, false).segment("{\"a\": 1} {\"b\": 2}"));
    assertThrows(FormatException.class, () -> new JsonSegmenter(600, false).segment("{\"a\": [1, 2"));
    assertThrows(FormatException.class, () -> new JsonSegmenter(600, false).segment("   "));
  }

  @Test
  void deepNestingIsRefusedWithoutStackOverflow() {
    String deep = "[".repeat(10_000) + "]".repeat(10_000);
    FormatException e = assertThrows(FormatException.class, () -> new JsonSegmenter(600, false).segment(deep));
    assertTrue(e.getMessage().contains("nested deeper than 512 levels"), e.getMessage());
    String ok = "[".repeat(500) + "1" + "]".repeat(500);
    assertEquals(1, new JsonSegmenter(600, false).segment(ok).units().size());
  }

  @Test
  void aHugeStringIsOneUnitNeverCut() {
    String big = "x".repeat(5_000_000);
    String text = "{\"a\": \"" + big + "\", \"b\": 2}";
    SegmentedDocument doc = segment(text, 600);
    assertEquals(2, doc.units().size());
    assertEquals(text.length() - 9, doc.units().get(0).end());
    assertTrue(doc.rankText(0).length() < 3_000);
  }

  @Test
  void aMillionItemsSegmentInBoundedTime() {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < 1_000_000; i++) b.append(i == 0 ? "" : ",").append(i % 10);
    String text = b.append(']').toString();
    long t0 = System.nanoTime();
    SegmentedDocument doc = segment(text, 600);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertEquals(1_000_000, doc.units().size());
    assertTrue(ms < 5_000, ms + " ms");
  }

  /** Random documents, random kept subsets: the output always parses, keeps each kept unit verbatim. */
  @Test
  void randomSubsetsAlwaysRenderValidJson() {
    long seed = Long.getLong("tests.seed", System.nanoTime());
    Random random = new Random(seed);
    for (int round = 0; round < 300; round++) {
      String text = randomJson(random, 0, random.nextBoolean());
      SegmentedDocument doc = segment(text, 1 + random.nextInt(80));
      BitSet kept = new BitSet();
      for (int u = 0; u < doc.units().size(); u++) if (random.nextInt(3) == 0) kept.set(u);
      // anchors come along, as the planner keeps them
      for (int u = kept.nextSetBit(0); u >= 0; u = kept.nextSetBit(u + 1)) {
        for (int a = doc.anchor(u); a >= 0; a = doc.anchor(a)) kept.set(a);
      }
      String marker = random.nextBoolean() ? "…" : "";
      String out = render(doc, kept, marker);
      String context = "seed " + seed + " round " + round + "\n" + text + "\n->\n" + out;
      try {
        STRICT.readTree(out.isEmpty() ? "null" : out);
      } catch (Exception e) {
        throw new AssertionError("invalid JSON, " + context, e);
      }
      for (int u = kept.nextSetBit(0); u >= 0; u = kept.nextSetBit(u + 1)) {
        assertTrue(out.contains(doc.unitText(u)), context);
      }
      for (int u = 0; u < doc.units().size(); u++) {
        String t = doc.unitText(u);
        assertFalse(Character.isWhitespace(t.charAt(0)) || Character.isWhitespace(t.charAt(t.length() - 1)), context);
      }
    }
  }

  private static String randomJson(Random random, int depth, boolean pretty) {
    int kind = depth > 4 ? 2 : random.nextInt(depth == 0 ? 2 : 4);
    String nl = pretty ? "\n" + "  ".repeat(depth + 1) : "";
    String end = pretty ? "\n" + "  ".repeat(depth) : "";
    switch (kind) {
      case 0 -> {
        List<String> members = new ArrayList<>();
        int n = random.nextInt(6);
        for (int i = 0; i < n; i++) {
          members.add(nl + "\"k" + i + (random.nextInt(5) == 0 ? " odd\\\"key" : "") + "\": "
              + randomJson(random, depth + 1, pretty));
        }
        return "{" + String.join(",", members) + (n > 0 ? end : "") + "}";
      }
      case 1 -> {
        List<String> items = new ArrayList<>();
        int n = random.nextInt(7);
        for (int i = 0; i < n; i++) items.add(nl + randomJson(random, depth + 1, pretty));
        return "[" + String.join(",", items) + (n > 0 ? end : "") + "]";
      }
      case 2 -> {
        return switch (random.nextInt(5)) {
          case 0 -> "\"s" + random.nextInt(1000) + " \\\" é\\u00e9\"";
          case 1 -> Integer.toString(random.nextInt(100000) - 500);
          case 2 -> "-1.5e3";
          case 3 -> random.nextBoolean() ? "true" : "null";
          default -> "\"id-" + Long.toHexString(random.nextLong()) + "\"";
        };
      }
      default -> {
        return randomJson(random, depth + 1, pretty);
      }
    }
  }
}
