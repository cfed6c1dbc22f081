package dev.precis.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import dev.precis.engine.Budget;
import dev.precis.engine.Compression;
import dev.precis.engine.CompressionRequest;
import dev.precis.engine.Effort;
import dev.precis.engine.EngineSettings;
import dev.precis.engine.Order;
import dev.precis.engine.PrecisEngine;
import dev.precis.engine.SourceDocument;
import dev.precis.tokens.Tokenizers;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hostile and odd text straight into the engine: no exception, bounded time, output within the budget (recounted
 * with jtokkit), reported count right, every output line a verbatim piece of the input, and the heap back near its
 * baseline afterwards. Short and seeded in the build; longer on demand:
 * {@code ./mvnw test -Dtest=EngineFuzzTest -Dfuzz.iterations=2000 -Dfuzz.seed=<any> -Dfuzz.max-chars=500000}.
 * A failure prints the case seed: replay it with {@code -Dfuzz.case=<case seed>}, then add it to
 * {@link #REGRESSION_SEEDS}.
 */
class EngineFuzzTest {
  private static final EncodingRegistry REGISTRY = Encodings.newDefaultEncodingRegistry();
  private static final List<String> ENCODINGS = List.of("cl100k_base", "o200k_base", "p50k_base", "r50k_base");
  private static final String MARKER = "⟪…⟫";
  /** Longest time one case may take; a hang or a super-linear blow-up fails the case. */
  static final long CASE_LIMIT_MS = Long.getLong("fuzz.case-limit-ms", 60_000);

  /**
   * Case seeds that once failed (and the bug they found); replayed in every run. The bugs found so far have named
   * tests instead: {@code TokenizersTest.unpairedSurrogatesCountAsTheReplacementCharacter} and
   * {@code BadInputTest.keepPatternThatRecursesTooDeeply}.
   */
  static final long[] REGRESSION_SEEDS = {};

  private static PrecisEngine lexical;
  private static PrecisEngine withEncoder;

  @BeforeAll
  static void engines() {
    lexical = PrecisEngine.create(EngineSettings.defaults().withEncoder(false));
    withEncoder = PrecisEngine.create(EngineSettings.defaults().withVectorCacheEntries(1_000));
  }

  @AfterAll
  static void close() {
    lexical.close();
    withEncoder.close();
  }

  static long seed() {
    return Long.decode(System.getProperty("fuzz.seed", "0x0F0220"));
  }

  static int maxChars() {
    return Integer.getInteger("fuzz.max-chars", 20_000);
  }

  @Test
  void hostileTextWithoutEncoder() {
    run(lexical, seed(), Integer.getInteger("fuzz.iterations", 60));
  }

  @Test
  void hostileTextWithEncoder() {
    run(withEncoder, seed() ^ 0x5A5A, Math.max(1, Integer.getInteger("fuzz.iterations", 60) / 12));
  }

  @Test
  void regressionSeeds() {
    for (long caseSeed : REGRESSION_SEEDS) {
      check(lexical, caseSeed, "regression");
      check(withEncoder, caseSeed, "regression");
    }
  }

  @Test
  void oneHalfMegabyteWord() {
    List<String> words = new ArrayList<>(List.of("a".repeat(500_000)));
    if (maxChars() >= 500_000) words.add(HostileText.oneWord(new Random(seed()), 500_000)); // long runs only
    for (String word : words) {
      Compression c = verify(lexical, new CompressionRequest("what is a", List.of(new SourceDocument("w", null,
          word)), Budget.ofTokens(50), "cl100k_base", Effort.FAST, Order.ORIGINAL, MARKER, List.of(), false),
          "500 KB word");
      System.out.println("EngineFuzzTest: 500 KB word " + c.timings());
    }
  }

  @Test
  void thousandsOfOneCharacterDocuments() {
    List<SourceDocument> docs = new ArrayList<>();
    for (int i = 0; i < 3_000; i++) docs.add(new SourceDocument(null, null, String.valueOf((char) ('a' + i % 26))));
    verify(withEncoder, new CompressionRequest("b", docs, Budget.ofTokens(40), "cl100k_base", Effort.BEST,
        Order.RELEVANCE, MARKER, List.of(), true), "3000 one-character documents");
  }

  private static void run(PrecisEngine engine, long seed, int iterations) {
    Long only = Long.getLong("fuzz.case");
    if (only != null) {
      check(engine, only, "replay");
      return;
    }
    Tokenizers.warmUp(); // rank tables load once: not growth
    long before = usedHeapAfterGc();
    Random random = new Random(seed);
    long slowest = 0;
    for (int i = 0; i < iterations; i++) {
      long t0 = System.nanoTime();
      check(engine, random.nextLong(), "seed " + seed + " case " + i);
      slowest = Math.max(slowest, (System.nanoTime() - t0) / 1_000_000);
    }
    long after = usedHeapAfterGc();
    System.out.printf(Locale.ROOT, "EngineFuzzTest: %d cases (seed %d, encoder %s), slowest %d ms, heap %d -> %d MB%n",
        iterations, seed, engine.encoder() != null, slowest, before >> 20, after >> 20);
    assertTrue(after - before < 64L << 20, "the heap grew from " + (before >> 20) + " to " + (after >> 20) + " MB");
  }

  /** One random case, built from its own seed only, so that it replays alone. */
  static void check(PrecisEngine engine, long caseSeed, String where) {
    Random r = new Random(caseSeed);
    int documents = r.nextInt(10) == 0 ? 200 + r.nextInt(800) : 1 + r.nextInt(6);
    int perDocument = documents > 100 ? 1 + r.nextInt(3) : size(r);
    List<SourceDocument> docs = new ArrayList<>();
    StringBuilder kinds = new StringBuilder();
    for (int d = 0; d < documents; d++) {
      String kind = HostileText.KINDS.get(r.nextInt(HostileText.KINDS.size()));
      if (d < 3) kinds.append(d == 0 ? "" : ",").append(kind);
      String title = r.nextInt(3) == 0 ? HostileText.of(kind, r, 1 + r.nextInt(40)) : null;
      docs.add(new SourceDocument("d" + d, title, HostileText.of(kind, r, perDocument)));
    }
    String query = switch (r.nextInt(4)) {
      case 0 -> null;
      case 1 -> HostileText.any(r, 1 + r.nextInt(60));
      default -> docs.get(0).text().substring(0, Math.min(40, docs.get(0).text().length()));
    };
    String encoding = ENCODINGS.get(r.nextInt(ENCODINGS.size()));
    Budget budget = r.nextInt(4) == 0 ? Budget.ofRatio(1 + r.nextDouble() * 20)
        : Budget.ofTokens(r.nextInt(3) == 0 ? 1 + r.nextInt(5) : 1 + r.nextInt(2_000));
    String marker = r.nextInt(5) == 0 ? "" : MARKER;
    List<String> keep = r.nextInt(6) == 0 ? List.of(java.util.regex.Pattern.quote(
        docs.get(0).text().substring(0, Math.min(3, docs.get(0).text().length())))) : List.of();
    CompressionRequest request = new CompressionRequest(query, docs, budget, encoding,
        r.nextBoolean() ? Effort.FAST : Effort.BEST, r.nextInt(3) == 0 ? Order.RELEVANCE : Order.ORIGINAL, marker,
        keep, r.nextInt(8) == 0);
    verify(engine, request, where + " (case seed " + caseSeed + ": " + documents + " documents of " + perDocument
        + " chars, kinds " + kinds + ", " + encoding + ", " + budget + ")");
  }

  private static int size(Random r) {
    return switch (r.nextInt(10)) {
      case 0 -> 1 + r.nextInt(3);
      case 1 -> 1 + r.nextInt(maxChars());
      default -> 1 + r.nextInt(2_000);
    };
  }

  static Compression verify(PrecisEngine engine, CompressionRequest request, String replay) {
    Compression c = verifyCounts(engine, request, replay);
    if (!request.elisionMarker().isEmpty()) assertVerbatim(c.text(), request.documents(), request.elisionMarker(),
        replay);
    return c;
  }

  /** No failure, bounded time, within the budget recounted with jtokkit, the count reported right. */
  static Compression verifyCounts(PrecisEngine engine, CompressionRequest request, String replay) {
    long t0 = System.nanoTime();
    Compression c;
    try {
      c = engine.compress(request);
    } catch (RuntimeException | Error e) { // jtokkit signalled bad input with an AssertionError once
      throw new AssertionError("compress failed: " + replay, e);
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(ms <= CASE_LIMIT_MS, "took " + ms + " ms: " + replay);
    Encoding encoding = REGISTRY.getEncoding(request.encoding()).orElseThrow();
    // As the model sees it: an unpaired surrogate travels as U+FFFD (jtokkit's cl100k parser rejects it as is).
    int tokens = c.text().isEmpty() ? 0 : encoding.countTokensOrdinary(Tokenizers.wellFormed(c.text()));
    int budget = c.usage().maxTokens();
    assertTrue(tokens <= budget, "over budget: " + tokens + " > " + budget + ": " + replay);
    assertEquals(tokens, c.usage().outputTokens(), "reported output tokens wrong: " + replay);
    assertEquals(request.documents().size(), c.documents().size(), "one outcome per document: " + replay);
    return c;
  }

  /** Every line of the output, cut at the markers, is a verbatim piece of one document's title or text. */
  static void assertVerbatim(String output, List<SourceDocument> docs, String marker, String replay) {
    for (String piece : output.split(java.util.regex.Pattern.quote(marker))) {
      for (String line : piece.split("\n")) {
        String t = line.strip();
        if (t.isEmpty()) continue;
        boolean found = false;
        for (SourceDocument d : docs) {
          if (d.text().contains(t) || (d.title() != null && d.title().contains(t))) {
            found = true;
            break;
          }
        }
        if (!found) fail("not verbatim: '" + shown(t) + "': " + replay);
      }
    }
  }

  private static String shown(String s) {
    return s.length() <= 120 ? s : s.substring(0, 120) + "…";
  }

  static long usedHeapAfterGc() {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return rt.totalMemory() - rt.freeMemory();
  }
}
