package dev.precis.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.precis.engine.Budget;
import dev.precis.engine.Compression;
import dev.precis.engine.CompressionRequest;
import dev.precis.engine.Effort;
import dev.precis.engine.EngineSettings;
import dev.precis.engine.Order;
import dev.precis.engine.PrecisEngine;
import dev.precis.engine.SourceDocument;
import dev.precis.segment.Format;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Structured input at its worst, into the engine: random JSON (valid, truncated, pretty and compact), JSON Lines,
 * CSV with quotes and ragged rows, and the shapes that break naive parsers (10,000 levels of nesting, a million-item
 * array, one 5 MB string, a 2 MB line). Each must give a correct result (within the budget recounted with jtokkit;
 * a JSON input's output parses strictly) or a clear refusal, in bounded time. Seeded like {@link EngineFuzzTest}:
 * {@code -Dfuzz.seed}, {@code -Dfuzz.iterations}.
 */
class StructuredFuzzTest {
  private static final ObjectMapper STRICT = new ObjectMapper(JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(2_000)
          .maxStringLength(Integer.MAX_VALUE).build())
      .build());
  private static PrecisEngine engine;

  @BeforeAll
  static void start() {
    engine = PrecisEngine.create(EngineSettings.defaults().withEncoder(false));
  }

  @AfterAll
  static void stop() {
    engine.close();
  }

  @Test
  void randomStructuredDocuments() {
    long seed = EngineFuzzTest.seed() ^ 0x57C;
    Random random = new Random(seed);
    int iterations = Integer.getInteger("fuzz.iterations", 60);
    for (int i = 0; i < iterations; i++) {
      long caseSeed = random.nextLong();
      check(caseSeed, "seed " + seed + " case " + i + " (case seed " + caseSeed + ")");
    }
  }

  private static void check(long caseSeed, String replay) {
    Random r = new Random(caseSeed);
    int shape = r.nextInt(4);
    String text = switch (shape) {
      case 0 -> json(r, 0, r.nextBoolean(), 1 + r.nextInt(40));
      case 1 -> jsonLines(r);
      case 2 -> csv(r);
      default -> truncated(json(r, 0, r.nextBoolean(), 1 + r.nextInt(40)), r);
    };
    String query = r.nextInt(4) == 0 ? null : "value of k" + r.nextInt(20) + " id-" + r.nextInt(50);
    int budget = r.nextInt(3) == 0 ? 1 + r.nextInt(10) : 5 + r.nextInt(400);
    String marker = r.nextInt(5) == 0 ? "" : "…";
    Compression c = EngineFuzzTest.verifyCounts(engine, new CompressionRequest(query,
        List.of(new SourceDocument("d", null, text)), Budget.ofTokens(budget), "cl100k_base",
        r.nextBoolean() ? Effort.FAST : Effort.INSTANT, Order.ORIGINAL, marker, List.of(), r.nextInt(5) == 0),
        replay);
    if (c.documents().get(0).format() == Format.JSON && !c.text().isEmpty()) assertJson(c.text(), replay);
  }

  @Test
  void tenThousandLevelsOfNesting() {
    String deep = "[".repeat(10_000) + "1" + "]".repeat(10_000);
    Compression c = compress(deep, Format.AUTO, 50); // too deep for JSON: read as text
    assertEquals(Format.TEXT, c.documents().get(0).format());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> engine.compress(
        CompressionRequest.of("q", List.of(new SourceDocument("d", null, deep, Format.JSON)), Budget.ofTokens(50))));
    assertTrue(e.getMessage().contains("line 1, column 513: nested deeper than 512 levels"), e.getMessage());
  }

  @Test
  void aMillionItemArray() {
    StringBuilder b = new StringBuilder(2_100_000).append('[');
    for (int i = 0; i < 1_000_000; i++) b.append(i == 0 ? "" : ",").append(i % 97);
    long t0 = System.nanoTime();
    Compression c = compress(b.append(']').toString(), Format.AUTO, 100);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertJson(c.text(), "million items");
    System.out.printf(Locale.ROOT, "StructuredFuzzTest: 1,000,000 items in %d ms -> %d tokens%n", ms,
        c.usage().outputTokens());
    assertTrue(ms < EngineFuzzTest.CASE_LIMIT_MS, ms + " ms");
  }

  @Test
  void oneFiveMegabyteString() {
    String text = "{\"id\": \"x-1\", \"blob\": \"" + "ab".repeat(2_500_000) + "\", \"tail\": 7}";
    Compression c = compress(text, Format.JSON, 60);
    assertJson(c.text(), "5 MB string");
    assertTrue(!c.text().contains("abab"), "a value was cut: " + c.text());
    assertTrue(c.text().contains("\"tail\": 7"), c.text());
  }

  @Test
  void oneTwoMegabyteLine() {
    Random r = new Random(3);
    StringBuilder line = new StringBuilder(2_000_000);
    while (line.length() < 2_000_000) line.append("ERROR token=").append(Long.toHexString(r.nextLong())).append(' ');
    Compression c = compress("2026-12-06T10:00:00Z " + line, Format.AUTO, 80);
    assertTrue(c.usage().outputTokens() <= 80);
  }

  private static Compression compress(String text, Format format, int budget) {
    return EngineFuzzTest.verifyCounts(engine, new CompressionRequest("what failed", List.of(
        new SourceDocument("d", null, text, format)), Budget.ofTokens(budget), "cl100k_base", Effort.FAST,
        Order.ORIGINAL, "…", List.of(), false), format + " document of " + text.length() + " chars");
  }

  private static void assertJson(String text, String replay) {
    try {
      STRICT.readTree(text);
    } catch (Exception e) {
      throw new AssertionError("output is not valid JSON (" + e.getMessage() + "): " + replay + "\n"
          + (text.length() > 2_000 ? text.substring(0, 2_000) + "…" : text), e);
    }
  }

  private static String json(Random r, int depth, boolean pretty, int width) {
    String nl = pretty ? "\n" + "  ".repeat(depth + 1) : "";
    String end = pretty ? "\n" + "  ".repeat(depth) : "";
    int kind = depth >= 4 ? 2 : depth == 0 ? r.nextInt(2) : r.nextInt(3);
    if (kind == 0) {
      List<String> members = new ArrayList<>();
      int n = r.nextInt(depth == 0 ? width : 6);
      for (int i = 0; i < n; i++) {
        members.add(nl + "\"k" + i + (r.nextInt(6) == 0 ? "\\\"é\\n" : "") + "\": " + json(r, depth + 1, pretty, 6));
      }
      return "{" + String.join(",", members) + (n > 0 ? end : "") + "}";
    }
    if (kind == 1) {
      List<String> items = new ArrayList<>();
      int n = r.nextInt(depth == 0 ? width : 6);
      for (int i = 0; i < n; i++) items.add(nl + json(r, depth + 1, pretty, 6));
      return "[" + String.join(",", items) + (n > 0 ? end : "") + "]";
    }
    return switch (r.nextInt(6)) {
      case 0 -> "\"id-" + r.nextInt(50) + "\"";
      case 1 -> Integer.toString(r.nextInt(1_000_000) - 1000);
      case 2 -> "\"" + HostileText.any(r, 1 + r.nextInt(200)).replace("\\", "\\\\").replace("\"", "\\\"")
          .replaceAll("[\\x00-\\x1f]", " ") + "\"";
      case 3 -> r.nextBoolean() ? "true" : "null";
      case 4 -> "-0.5e-3";
      default -> "\"ERROR: failed " + r.nextInt(9) + "\"";
    };
  }

  private static String jsonLines(Random r) {
    StringBuilder b = new StringBuilder();
    int n = 2 + r.nextInt(60);
    for (int i = 0; i < n; i++) b.append(json(r, 1, false, 6).replace('\n', ' ')).append(r.nextInt(8) == 0 ? "\n\n" : "\n");
    return b.toString();
  }

  private static String csv(Random r) {
    StringBuilder b = new StringBuilder("id,name,note,value\n");
    int n = 3 + r.nextInt(200);
    for (int i = 0; i < n; i++) {
      b.append("id-").append(i).append(',').append(r.nextBoolean() ? "\"Smith, J\"" : "Ann")
          .append(',').append(r.nextInt(10) == 0 ? "\"multi\nline \"\"quoted\"\"\"" : "plain")
          .append(r.nextInt(20) == 0 ? "" : "," + r.nextInt(1000)).append(r.nextBoolean() ? "\r\n" : "\n");
    }
    return b.toString();
  }

  private static String truncated(String text, Random r) {
    return text.length() < 2 ? text + "{" : text.substring(0, 1 + r.nextInt(text.length() - 1));
  }
}
