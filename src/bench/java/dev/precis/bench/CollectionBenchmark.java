package dev.precis.bench;

import static dev.precis.bench.Latencies.p50p95;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.precis.quality.EvalExample;
import dev.precis.quality.EvalSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Collections measured over HTTP: the packaged application ({@code target/quarkus-app/quarkus-run.jar}) started as
 * its own process with {@code PRECIS_INDEXES_PATH} in a temporary folder, driven by one client over loopback.
 *
 * <ol>
 *   <li>Ingest: documents of about 500 cl100k tokens (nq20 passages joined), batches of 50 and of 1, with the
 *       encoder on (one vector per document) and off ({@code PRECIS_ENCODER_ENABLED=false}: BM25 only), so the
 *       encoder's share and the commit's share of a batch show apart; a {@code GET} of one document is the HTTP
 *       floor.
 *   <li>Retrieval recall@20 on dev-nq20: every passage of the first N examples (deduplicated by title and text) in
 *       one collection; per question, whether a gold passage is among the k=20 retrieved. Fused (encoder on), BM25
 *       alone (encoder off), and vectors alone read from the ranks of a k=100 request (see below).
 *   <li>Latency p50/p95 (after a warm-up on hotpotqa): {@code /v1/collections/nq/compress} (k=20, 700 tokens), and
 *       {@code /v1/compress} with the example's 20 passages by {@code ref} and inline, first sight and repeated;
 *       the service is restarted on the same folder between the two so each first pass finds cold caches. Then a
 *       larger collection: as many ~500-token documents as ingest takes in the given seconds with vectors, and up to
 *       the given count with the encoder off.
 * </ol>
 *
 * <p>Vectors alone: the API returns only the fused top k, each with its BM25 and vector rank. With a k=100
 * {@code /search} the store searches both ways 100 deep; the vector top 20 is then the found documents with vectorRank
 * 1..20, known exactly when all 20 of them are among the fused 100 (counted and printed; a question where they are not
 * is left out, not guessed).
 *
 * <pre>
 * ./mvnw -B -DskipTests package
 * ./mvnw -q -B test-compile exec:java@collection-bench -Dcollection.args="../shared/eval 200 300 100000"
 * </pre>
 *
 * Arguments: eval folder, N examples of nq20 (200), seconds of ingest for the large collection with vectors (300),
 * most documents of the large BM25-only collection (100000), the jar.
 */
public final class CollectionBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Encoding CL100K = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private static final int BUDGET = 700;
  private static final int K = 20;
  private static final int DOC_TOKENS = 500;

  private CollectionBenchmark() {}

  /** A passage of the nq collection: its id there, title, text and cl100k tokens (title + "\n" + text). */
  record Passage(String id, String title, String text, int tokens) {}

  /** One nq example with the ids of its passages in the collection and of its gold ones. */
  record Question(EvalExample example, List<Passage> passages, Set<String> gold) {}

  /**
   * The passages of the first N examples of dev-nq20, deduplicated by title and text, with the ids they have in the
   * collection ({@code p0}, {@code p1}, ... in order of first appearance), and the questions with their gold ids.
   */
  record NqSet(List<Passage> passages, List<Question> questions) {
    static NqSet read(Path eval, int n) {
      Map<String, Passage> byContent = new LinkedHashMap<>();
      List<Question> questions = new ArrayList<>();
      for (EvalExample e : EvalSet.readDev(eval, "nq20").limit(n).examples()) {
        List<Passage> own = new ArrayList<>();
        Set<String> gold = new HashSet<>();
        for (EvalExample.Document d : e.documents()) {
          Passage p = byContent.computeIfAbsent(d.title() + "\u0000" + d.text(), key -> new Passage(
              "p" + byContent.size(), d.title(), d.text(), CL100K.countTokens(d.render())));
          own.add(p);
          if (d.isGold()) gold.add(p.id());
        }
        questions.add(new Question(e, own, gold));
      }
      return new NqSet(List.copyOf(byContent.values()), questions);
    }
  }

  /** A running service. */
  record Service(Process process, String base) implements AutoCloseable {
    @Override
    public void close() throws InterruptedException {
      process.destroy();
      process.waitFor();
    }
  }

  record Sent(JsonNode body, double millis) {}

  /**
   * The collections' backend: Lucene in the temporary folder, or with {@code -Dcollection.backend=opensearch} a real
   * OpenSearch node started from the build's zips (the tests' {@code OpenSearchNode}; pass the same
   * {@code -Dtest.opensearch.zip=... -Dtest.opensearch.knn-zip=...} as Surefire), each service's indexes under a
   * prefix of its own.
   */
  static final Map<String, String> BACKEND = new HashMap<>();

  static void chooseBackend() {
    if (!"opensearch".equals(System.getProperty("collection.backend"))) return;
    dev.precis.index.OpenSearchNode node = dev.precis.index.OpenSearchNode.shared();
    BACKEND.put("PRECIS_INDEXES_BACKEND", "opensearch");
    BACKEND.put("PRECIS_INDEXES_OPENSEARCH_URLS", node.baseUrl());
    BACKEND.put("PRECIS_INDEXES_OPENSEARCH_REPLICAS", "0");
    System.out.println("collections in OpenSearch at " + node.baseUrl());
  }

  public static void main(String[] args) throws Exception {
    chooseBackend();
    Path eval = Path.of(args.length > 0 ? args[0] : "../shared/eval");
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    int largeSeconds = args.length > 2 ? Integer.parseInt(args[2]) : 300;
    int bm25Docs = args.length > 3 ? Integer.parseInt(args[3]) : 100_000;
    Path jar = Path.of(args.length > 4 ? args[4] : "target/quarkus-app/quarkus-run.jar");
    if (!Files.exists(jar)) throw new IllegalStateException(jar + " is missing: run ./mvnw -B -DskipTests package");

    NqSet nq = NqSet.read(eval, n);
    List<Question> questions = nq.questions();
    List<Passage> passages = nq.passages();
    List<EvalExample> warm = EvalSet.readDev(eval, "hotpotqa").limit(40).examples();

    Path root = Files.createTempDirectory("precis-collbench-");
    Path vectorsDir = root.resolve("vectors");
    Path bm25Dir = root.resolve("bm25");
    System.out.printf(Locale.ROOT, "nq20: %d examples, %d passages (deduplicated by title and text) of %.0f cl100k "
        + "tokens on average; indexes under %s%n%n", questions.size(), passages.size(),
        passages.stream().mapToInt(Passage::tokens).average().orElse(0), root);

    StringBuilder ingest = new StringBuilder();
    StringBuilder recall = new StringBuilder();
    StringBuilder latency = new StringBuilder();
    StringBuilder large = new StringBuilder();
    double[] recallFused;
    double[] recallBm25;
    try {
      // Encoder on, first life: ingest, the nq collection, and /v1/compress by ref and inline from cold caches.
      try (Service s = start(jar, vectorsDir, true, "vectors-1")) {
        ingest(s, passages, "on", ingest);
        build(s, "nq", passages, 50);
        warmUp(s, warm);
        refVersusInline(s, questions, latency);
      }
      // Encoder on, restarted on the same folder (the collection is read back from disk, caches are cold).
      try (Service s = start(jar, vectorsDir, true, "vectors-2")) {
        warmUp(s, warm);
        recallFused = collectionCompress(s, "nq", questions, "fused (BM25 + vectors)", latency);
        vectorsAlone(s, questions, recall);
        int docs = buildLarge(s, "large", passages, Long.MAX_VALUE, largeSeconds, large, "on");
        largeLatency(s, "large", questions, docs, "on", large);
      }
      // Encoder off: BM25 only, in the store and in the compression.
      try (Service s = start(jar, bm25Dir, false, "bm25")) {
        ingest(s, passages, "off", ingest);
        build(s, "nq", passages, 50);
        warmUp(s, warm);
        recallBm25 = collectionCompress(s, "nq", questions, "BM25 alone (encoder off)", latency);
        int docs = buildLarge(s, "large", passages, bm25Docs, 4L * Math.max(largeSeconds, 60), large, "off");
        largeLatency(s, "large", questions, docs, "off", large);
      }
    } finally {
      deleteTree(root);
    }
    recall.insert(0, String.format(Locale.ROOT, "| fused (BM25 + vectors, the default), k=20 | %d | %.1f%% |%n"
        + "| BM25 alone (encoder off), k=20 | %d | %.1f%% |%n", (int) recallFused[1],
        100 * recallFused[0] / recallFused[1], (int) recallBm25[1], 100 * recallBm25[0] / recallBm25[1]));

    System.out.printf(Locale.ROOT, "%nload average at the end: %s%n", load());
    System.out.println("\n## Ingest (documents of about 500 cl100k tokens, one client)\n");
    System.out.println("| encoder | batch | requests | documents | docs/s | ms per request p50 / p95 |");
    System.out.println("|---|---|---|---|---|---|");
    System.out.print(ingest);
    System.out.printf(Locale.ROOT, "%n## Retrieval recall@20 on dev-nq20 (%d questions, %d passages in one "
        + "collection)%n%n", questions.size(), passages.size());
    System.out.println("| retrieval | questions | gold passage in top 20 |");
    System.out.println("|---|---|---|");
    System.out.print(recall);
    System.out.printf(Locale.ROOT, "%n## Latency over HTTP, one client, budget %d tokens (ms)%n%n", BUDGET);
    System.out.println("| request | encoder | pass | requests | wall p50 / p95 | compression (timings.totalMs) p50 / p95 "
        + "| rest (retrieval or lookup, HTTP, JSON) p50 / p95 |");
    System.out.println("|---|---|---|---|---|---|---|");
    System.out.print(latency);
    System.out.println("\n## Larger collections (documents of about 500 tokens, batches of 50)\n");
    System.out.println("| encoder | documents | ingest s | docs/s | pass | collection compress k=20 wall p50 / p95 | "
        + "compression p50 / p95 | retrieval and the rest p50 / p95 |");
    System.out.println("|---|---|---|---|---|---|---|---|");
    System.out.print(large);
  }

  // ---- ingest ----------------------------------------------------------------------------------------------------

  /** Batches of 50 and of 1 into fresh collections, then one GET per document as the HTTP floor. */
  private static void ingest(Service s, List<Passage> passages, String encoder, StringBuilder out) throws Exception {
    DocumentMaker maker = new DocumentMaker(passages, 7);
    create(s, "ingest50");
    int batches = 10;
    double[] ms = new double[batches];
    long tokens = 0;
    for (int b = 0; b < batches; b++) {
      List<ObjectNode> docs = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        ObjectNode d = maker.next("b50-");
        tokens += d.get("tokens").asInt();
        d.remove("tokens");
        docs.add(d);
      }
      ms[b] = put(s, "ingest50", docs).millis();
    }
    out.append(String.format(Locale.ROOT, "| %s | 50 | %d | %d (%.0f tokens each) | %.1f | %s |%n", encoder, batches,
        batches * 50, tokens / (batches * 50.0), batches * 50 / (sum(ms) / 1000), p50p95(ms)));
    if (encoder.equals("on")) {
      // The units are embedded after the acknowledgements, in the pauses of ingest: how long until all are done.
      long t0 = System.nanoTime();
      while (send(s, "GET", "/v1/collections/ingest50", null, 200).body().path("warming").asInt() > 0) {
        Thread.sleep(50);
      }
      double warmS = (System.nanoTime() - t0) / 1e9;
      out.append(String.format(Locale.ROOT, "| %s | 50, then the units warmed | %d | %d | %.1f (units done %.1f s "
          + "after the last acknowledgement) | - |%n", encoder, batches, batches * 50,
          batches * 50 / (sum(ms) / 1000 + warmS), warmS));
    }
    create(s, "ingest1");
    int singles = 100;
    double[] one = new double[singles];
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < singles; i++) {
      ObjectNode d = maker.next("b1-");
      d.remove("tokens");
      ids.add(d.get("id").asText());
      one[i] = put(s, "ingest1", List.of(d)).millis();
    }
    out.append(String.format(Locale.ROOT, "| %s | 1 | %d | %d | %.1f | %s |%n", encoder, singles, singles,
        singles / (sum(one) / 1000), p50p95(one)));
    double[] get = new double[ids.size()];
    for (int i = 0; i < ids.size(); i++) {
      long t0 = System.nanoTime();
      send(s, "GET", "/v1/collections/ingest1/documents/" + ids.get(i), null, 200);
      get[i] = (System.nanoTime() - t0) / 1e6;
    }
    out.append(String.format(Locale.ROOT, "| %s | (GET one document, the HTTP floor) | %d | - | - | %s |%n", encoder,
        ids.size(), p50p95(get)));
  }

  /**
   * Documents of about {@link #DOC_TOKENS} tokens: passages picked by a seeded random, joined by blank lines, titled
   * with the first one's title (none when it has none).
   */
  static final class DocumentMaker {
    private final List<Passage> passages;
    private final Random random;
    private long made;

    DocumentMaker(List<Passage> passages, long seed) {
      this.passages = passages;
      this.random = new Random(seed);
    }

    ObjectNode next(String prefix) {
      Passage first = passages.get(random.nextInt(passages.size()));
      StringBuilder text = new StringBuilder(first.text());
      int tokens = first.tokens();
      while (tokens < DOC_TOKENS - 60) {
        Passage p = passages.get(random.nextInt(passages.size()));
        text.append("\n\n").append(p.text());
        tokens += p.tokens() + 1;
      }
      ObjectNode d = JSON.createObjectNode();
      d.put("id", prefix + made++);
      if (first.title() != null) d.put("title", first.title());
      d.put("text", text.toString());
      d.put("tokens", tokens);
      return d;
    }
  }

  private static void build(Service s, String name, List<Passage> passages, int batch) throws Exception {
    create(s, name);
    long t0 = System.nanoTime();
    for (int from = 0; from < passages.size(); from += batch) {
      List<ObjectNode> docs = new ArrayList<>();
      for (Passage p : passages.subList(from, Math.min(passages.size(), from + batch))) {
        ObjectNode d = JSON.createObjectNode();
        d.put("id", p.id());
        d.put("title", p.title());
        d.put("text", p.text());
        docs.add(d);
      }
      put(s, name, docs);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    double warmed = awaitWarmed(s);
    System.out.printf(Locale.ROOT, "collection %s: %d passages in %.1f s (%.0f docs/s), their units embedded %.1f s "
        + "later%n", name, passages.size(), seconds, passages.size() / seconds, warmed);
  }

  /** Seconds until no stored document waits for its units (and, with document-vector=units, its vector). */
  static double awaitWarmed(Service s) throws Exception {
    long t0 = System.nanoTime();
    while (send(s, "GET", "/v1/collections", null, 200).body().path("collections").path(0).path("warming").asInt()
        > 0) {
      Thread.sleep(100);
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  /** Documents of ~500 tokens in batches of 50 until {@code most} or {@code seconds}, whichever comes first. */
  private static int buildLarge(Service s, String name, List<Passage> passages, long most, long seconds,
      StringBuilder out, String encoder) throws Exception {
    create(s, name);
    DocumentMaker maker = new DocumentMaker(passages, 11);
    long t0 = System.nanoTime();
    long deadline = t0 + seconds * 1_000_000_000L;
    int docs = 0;
    long lastReport = t0;
    while (docs < most && System.nanoTime() < deadline) {
      List<ObjectNode> batch = new ArrayList<>();
      for (int i = 0; i < 50 && docs + i < most; i++) {
        ObjectNode d = maker.next("l-");
        d.remove("tokens");
        batch.add(d);
      }
      put(s, name, batch);
      docs += batch.size();
      if (System.nanoTime() - lastReport > 30_000_000_000L) {
        lastReport = System.nanoTime();
        System.out.printf(Locale.ROOT, "  %s (encoder %s): %d documents after %.0f s%n", name, encoder, docs,
            (lastReport - t0) / 1e9);
      }
    }
    double took = (System.nanoTime() - t0) / 1e9;
    double warmed = awaitWarmed(s);
    System.out.printf(Locale.ROOT, "collection %s (encoder %s): %d documents in %.0f s, units embedded %.0f s later; "
        + "load average %s%n", name, encoder, docs, took, warmed, load());
    out.append(String.format(Locale.ROOT, "| %s | %,d | %.0f (+ %.0f s for the units) | %.0f (%.1f with the units) |",
        encoder, docs, took, warmed, docs / took, docs / (took + warmed)));
    return docs;
  }

  // ---- retrieval and latency -------------------------------------------------------------------------------------

  /** JIT warm-up on other text: a hotpotqa collection, retrieved from, and its passages by ref and inline. */
  static void warmUp(Service s, List<EvalExample> warm) throws Exception {
    JsonNode listing = send(s, "GET", "/v1/collections", null, 200).body();
    boolean exists = false;
    for (JsonNode c : listing.get("collections")) exists |= c.get("name").asText().equals("warm");
    if (!exists) {
      create(s, "warm");
      for (int i = 0; i < warm.size(); i++) {
        List<ObjectNode> docs = new ArrayList<>();
        for (EvalExample.Document d : warm.get(i).documents()) docs.add(inline("w" + i + "-" + d.id(), d));
        put(s, "warm", docs);
      }
    }
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < warm.size(); i++) {
        EvalExample e = warm.get(i);
        send(s, "POST", "/v1/collections/warm/compress", collectionBody(e.question(), K, null), 200);
        ObjectNode byRef = compressBody(e.question());
        ObjectNode inline = compressBody(e.question());
        for (EvalExample.Document d : e.documents()) {
          byRef.withArray("documents").addObject().put("ref", "warm/w" + i + "-" + d.id());
          inline.withArray("documents").add(inline("w" + i + "-" + d.id(), d));
        }
        send(s, "POST", "/v1/compress", byRef, 200);
        send(s, "POST", "/v1/compress", inline, 200);
      }
    }
  }

  /**
   * {@code /v1/compress} with the example's 20 passages by ref and inline. First sight: even examples by ref first,
   * odd ones inline first, so each first pass meets cold caches; then both again for every example (repeated).
   */
  private static void refVersusInline(Service s, List<Question> questions, StringBuilder out) throws Exception {
    List<double[]> firstRef = new ArrayList<>();
    List<double[]> firstInline = new ArrayList<>();
    for (int i = 0; i < questions.size(); i++) {
      Question q = questions.get(i);
      if (i % 2 == 0) {
        firstRef.add(timed(s, "/v1/compress", byRef(q)));
        timed(s, "/v1/compress", inline(q));
      } else {
        firstInline.add(timed(s, "/v1/compress", inline(q)));
        timed(s, "/v1/compress", byRef(q));
      }
    }
    List<double[]> againRef = new ArrayList<>();
    List<double[]> againInline = new ArrayList<>();
    for (Question q : questions) {
      againRef.add(timed(s, "/v1/compress", byRef(q)));
      againInline.add(timed(s, "/v1/compress", inline(q)));
    }
    row(out, "/v1/compress, 20 passages by ref", "on", "first", firstRef);
    row(out, "/v1/compress, the same 20 inline", "on", "first", firstInline);
    row(out, "/v1/compress, 20 passages by ref", "on", "repeated", againRef);
    row(out, "/v1/compress, the same 20 inline", "on", "repeated", againInline);
  }

  /** Retrieve k=20 and compress, every question twice; returns {hits, questions} of the first pass. */
  static double[] collectionCompress(Service s, String name, List<Question> questions, String label,
      StringBuilder out) throws Exception {
    String encoder = label.startsWith("BM25") ? "off" : "on";
    int hits = 0;
    for (int pass = 0; pass < 2; pass++) {
      List<double[]> times = new ArrayList<>();
      for (Question q : questions) {
        long t0 = System.nanoTime();
        JsonNode r = send(s, "POST", "/v1/collections/" + name + "/compress", collectionBody(q.example().question(),
            K, null), 200).body();
        double wall = (System.nanoTime() - t0) / 1e6;
        times.add(new double[] {wall, r.get("timings").get("totalMs").asDouble()});
        if (pass == 0) {
          for (JsonNode h : r.get("retrieved")) {
            if (q.gold().contains(h.get("id").asText())) {
              hits++;
              break;
            }
          }
        }
      }
      row(out, "/v1/collections/" + name + "/compress, k=20 (" + label + ")", encoder, pass == 0 ? "first"
          : "repeated", times);
    }
    return new double[] {hits, questions.size()};
  }

  /** Recall@20 of each method alone: questions whose top 20 was known, and of those, with a gold passage in it. */
  record RanksAlone(int questions, int vectorKnown, int vectorHits, int bm25Known, int bm25Hits) {
    double vectorRecall() {
      return 100.0 * vectorHits / vectorKnown;
    }

    double bm25Recall() {
      return 100.0 * bm25Hits / bm25Known;
    }
  }

  /**
   * Per question, whether a gold passage is in the top 20 of each method alone, read from the ranks of a k=100
   * {@code /search} (the same retrieval as a compress, without the compression): the store searches both ways 100
   * deep and fuses, so the vector top 20 is the found documents with vectorRank 1..20 and the BM25 top 20 those with
   * bm25Rank 1..20, known exactly when all 20 are among the fused 100; a question where they are not is left out of
   * that method's figure (not guessed), and its {@code known} count says how many were kept.
   */
  static RanksAlone ranksAlone(Service s, String collection, List<Question> questions) throws Exception {
    int vectorKnown = 0;
    int vectorHits = 0;
    int bm25Known = 0;
    int bm25Hits = 0;
    for (Question q : questions) {
      ObjectNode body = JSON.createObjectNode().put("query", q.example().question()).put("k", 100);
      JsonNode r = send(s, "POST", "/v1/collections/" + collection + "/search", body, 200).body();
      Set<String> vector = new HashSet<>();
      Set<String> bm25 = new HashSet<>();
      for (JsonNode h : r.get("documents")) {
        int v = h.get("vectorRank").asInt();
        int b = h.get("bm25Rank").asInt();
        if (v >= 1 && v <= K) vector.add(h.get("id").asText());
        if (b >= 1 && b <= K) bm25.add(h.get("id").asText());
      }
      if (vector.size() == K) {
        vectorKnown++;
        if (vector.stream().anyMatch(q.gold()::contains)) vectorHits++;
      }
      if (bm25.size() == K) {
        bm25Known++;
        if (bm25.stream().anyMatch(q.gold()::contains)) bm25Hits++;
      }
    }
    return new RanksAlone(questions.size(), vectorKnown, vectorHits, bm25Known, bm25Hits);
  }

  /** Vectors alone (and BM25 alone, as a check) from the ranks of a k=100 search of the nq collection. */
  private static void vectorsAlone(Service s, List<Question> questions, StringBuilder out) throws Exception {
    RanksAlone r = ranksAlone(s, "nq", questions);
    out.append(String.format(Locale.ROOT, "| vectors alone: vectorRank 1..20 among a fused k=100 (encoder on) | %d "
        + "of %d with all 20 known | %.1f%% |%n", r.vectorKnown(), r.questions(), r.vectorRecall()));
    out.append(String.format(Locale.ROOT, "| BM25 alone: bm25Rank 1..20 among the same (a check of the row above) | "
        + "%d of %d with all 20 known | %.1f%% |%n", r.bm25Known(), r.questions(), r.bm25Recall()));
  }

  private static void largeLatency(Service s, String name, List<Question> questions, int docs, String encoder,
      StringBuilder out) throws Exception {
    // A short warm-up on this collection (its searcher and segments), with questions read backwards.
    for (int i = 0; i < 20; i++) {
      String reversed = new StringBuilder(questions.get(i % questions.size()).example().question()).reverse()
          .toString();
      send(s, "POST", "/v1/collections/" + name + "/compress", collectionBody(reversed + " a", K, null), -1);
    }
    for (int pass = 0; pass < 2; pass++) {
      List<double[]> times = new ArrayList<>();
      for (Question q : questions) {
        times.add(timed(s, "/v1/collections/" + name + "/compress", collectionBody(q.example().question(), K, null)));
      }
      if (pass == 1) out.append(String.format(Locale.ROOT, "| %s | %,d | | |", encoder, docs));
      double[] wall = times.stream().mapToDouble(t -> t[0]).toArray();
      double[] compression = times.stream().mapToDouble(t -> t[1]).toArray();
      double[] rest = times.stream().mapToDouble(t -> t[0] - t[1]).toArray();
      out.append(String.format(Locale.ROOT, " %s | %s | %s | %s |%n", pass == 0 ? "first" : "repeated", p50p95(wall),
          p50p95(compression), p50p95(rest)));
    }
  }

  // ---- requests --------------------------------------------------------------------------------------------------

  private static ObjectNode compressBody(String query) {
    ObjectNode b = JSON.createObjectNode();
    b.put("query", query);
    b.putArray("documents");
    b.putObject("budget").put("maxTokens", BUDGET);
    return b;
  }

  static ObjectNode collectionBody(String query, int k, String effort) {
    ObjectNode b = JSON.createObjectNode();
    b.put("query", query);
    b.putObject("budget").put("maxTokens", BUDGET);
    b.put("k", k);
    if (effort != null) b.put("effort", effort);
    return b;
  }

  private static ObjectNode byRef(Question q) {
    ObjectNode b = compressBody(q.example().question());
    for (Passage p : q.passages()) b.withArray("documents").addObject().put("ref", "nq/" + p.id());
    return b;
  }

  private static ObjectNode inline(Question q) {
    ObjectNode b = compressBody(q.example().question());
    for (Passage p : q.passages()) {
      b.withArray("documents").addObject().put("id", p.id()).put("title", p.title()).put("text", p.text());
    }
    return b;
  }

  private static ObjectNode inline(String id, EvalExample.Document d) {
    ObjectNode o = JSON.createObjectNode();
    o.put("id", id);
    if (!d.title().isBlank()) o.put("title", d.title());
    o.put("text", d.text());
    return o;
  }

  static void create(Service s, String name) throws Exception {
    send(s, "PUT", "/v1/collections/" + name, null, 201);
  }

  static Sent put(Service s, String name, List<ObjectNode> docs) throws Exception {
    ObjectNode body = JSON.createObjectNode();
    ArrayNode array = body.putArray("documents");
    docs.forEach(array::add);
    return send(s, "POST", "/v1/collections/" + name + "/documents", body, 200);
  }

  /** {wall ms, timings.totalMs} of one compression. */
  static double[] timed(Service s, String path, ObjectNode body) throws Exception {
    Sent r = send(s, "POST", path, body, 200);
    return new double[] {r.millis(), r.body().get("timings").get("totalMs").asDouble()};
  }

  /** Sends a request and checks its status ({@code -1}: any); the time covers sending and reading the answer. */
  static Sent send(Service s, String method, String path, JsonNode body, int status) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.base() + path)).timeout(Duration.ofSeconds(120));
    if (body != null) {
      b.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body), StandardCharsets.UTF_8));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    long t0 = System.nanoTime();
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    double ms = (System.nanoTime() - t0) / 1e6;
    if (status > 0 && r.statusCode() != status) {
      throw new IllegalStateException(method + " " + path + ": status " + r.statusCode() + ": " + r.body());
    }
    return new Sent(r.body().isEmpty() ? JSON.nullNode() : JSON.readTree(r.body()), ms);
  }

  // ---- the process -----------------------------------------------------------------------------------------------

  private static Service start(Path jar, Path indexes, boolean encoder, String log) throws Exception {
    return start(jar, indexes, encoder, log, Map.of());
  }

  /** Starts the jar on {@code indexes} with {@code environment} added (settings of the run, such as cache sizes). */
  static Service start(Path jar, Path indexes, boolean encoder, String log, Map<String, String> environment)
      throws Exception {
    int port = PrecisProcess.freePort();
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--enable-native-access=ALL-UNNAMED", "-jar", jar.toString());
    pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
    pb.environment().put("PRECIS_INDEXES_PATH", indexes.toString());
    pb.environment().put("PRECIS_ENCODER_ENABLED", Boolean.toString(encoder));
    pb.environment().putAll(BACKEND);
    pb.environment().putAll(environment);
    if (!BACKEND.isEmpty()) {
      // one namespace per folder: the restarted service finds its collections, the BM25-only one has its own
      pb.environment().put("PRECIS_INDEXES_OPENSEARCH_INDEX_PREFIX", "bench-" + ProcessHandle.current().pid() + "-"
          + indexes.getFileName() + "-");
    }
    pb.environment().remove("CLASSPATH");
    Path logFile = Path.of("target", "collection-benchmark-" + log + ".log");
    pb.redirectErrorStream(true).redirectOutput(logFile.toFile());
    Process process = pb.start();
    String base = "http://127.0.0.1:" + port;
    long t0 = System.nanoTime();
    PrecisProcess.waitReady(base, process, logFile);
    System.out.printf(Locale.ROOT, "Precis pid %d on port %d (encoder %s), ready in %.1f s; load average %s%n",
        process.pid(), port, encoder ? "on" : "off", (System.nanoTime() - t0) / 1e9, load());
    return new Service(process, base);
  }



  /** The machine's load averages (1, 5, 15 minutes), from /proc/loadavg where there is one. */
  static String load() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }


  static void deleteTree(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(f -> {
        try {
          Files.delete(f);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
  }

  // ---- numbers ---------------------------------------------------------------------------------------------------

  static void row(StringBuilder out, String request, String encoder, String pass, List<double[]> times) {
    double[] wall = times.stream().mapToDouble(t -> t[0]).toArray();
    double[] compression = times.stream().mapToDouble(t -> t[1]).toArray();
    double[] rest = times.stream().mapToDouble(t -> t[0] - t[1]).toArray();
    out.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %s | %s | %s |%n", request, encoder, pass,
        times.size(), p50p95(wall), p50p95(compression), p50p95(rest)));
  }

  private static double sum(double[] v) {
    return Arrays.stream(v).sum();
  }


}
