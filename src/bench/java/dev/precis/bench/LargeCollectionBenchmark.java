package dev.precis.bench;

import static dev.precis.bench.CollectionBenchmark.awaitWarmed;
import static dev.precis.bench.CollectionBenchmark.load;
import static dev.precis.bench.CollectionBenchmark.send;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.precis.bench.CollectionBenchmark.DocumentMaker;
import dev.precis.bench.CollectionBenchmark.NqSet;
import dev.precis.bench.CollectionBenchmark.Passage;
import dev.precis.bench.CollectionBenchmark.Question;
import dev.precis.bench.CollectionBenchmark.RanksAlone;
import dev.precis.bench.CollectionBenchmark.Service;
import dev.precis.encode.EncoderModel;
import dev.precis.encode.WordPieceTokenizer;
import dev.precis.engine.EngineSettings;
import dev.precis.engine.PrecisEngine;
import dev.precis.quality.EvalExample;
import dev.precis.quality.EvalSet;
import dev.precis.rank.Ranker;
import dev.precis.segment.DocumentSegmenter;
import dev.precis.segment.Format;
import dev.precis.segment.SegmentedDocument;
import dev.precis.segment.UnitKind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Issue 16's collection target at full size: retrieve 20 and compress on one collection of 100,000 documents with
 * vectors (the encoder on, default settings: a document's vector is the mean of its units' vectors, set by the
 * background warming), and recall@20 of dev-nq20's gold passage there, fused, vectors alone and BM25 alone.
 *
 * <p>The documents: every passage of dev-nq20's first N examples (deduplicated by title and text, with their titles
 * and the ids {@link CollectionBenchmark} gives them), at seeded random places among distractors up to the total.
 * A distractor is about 500 cl100k tokens of paragraphs of other sources (dev-hotpotqa's paragraphs, dev-qasper's
 * papers cut at their lines, headings and short lines dropped) joined by a seeded random, <b>without a title</b>, so
 * no distractor holds an nq passage. Untitled, a distractor's units are sentences that recur across documents, and a
 * unit's encoder text is the unit alone (a title would be put in front of each, {@link Ranker#encoderTextOf}): the
 * encoder's vector cache serves most of them, which is what makes a 100,000-document build take minutes and not the
 * hours of 100,000 distinct documents. The benchmark first counts, offline, the distinct encoder texts of the
 * paragraphs (segmented as the engine segments) and checks on a sample of distractors that their units are among
 * them, so the encoder's share of the build is known before it starts. <b>Its ingest rate is therefore not an
 * encoder-bound figure</b> and is not to be quoted as ingest speed.
 *
 * <ol>
 *   <li>First life, encoder on, {@code PRECIS_ENCODER_CACHE_ENTRIES} large enough for every distinct unit: the
 *       collection in batches of 50, then until {@code warming} is 0 (ingest and warming times, docs/s, the service's
 *       CPU seconds, the folder's size on disk, the process's peak RSS).
 *   <li>Second life on the same folder (the collection read back from disk, the service's caches cold; the OS page
 *       cache is not dropped): a warm-up on a small hotpotqa collection of its own (so no nq text is cached), then
 *       {@code POST /v1/collections/large/compress} k=20, 700 tokens, for every question, twice (first and repeated,
 *       {@link CollectionBenchmark#collectionCompress}), then recall@20 of each method alone from the ranks of a k=100
 *       {@code /search} ({@link CollectionBenchmark#ranksAlone}).
 *   <li>With Lucene, the service stopped: vectors alone exactly, against Lucene's HNSW search at several depths, over
 *       the same index read in process ({@link #exactNeighbours}).
 * </ol>
 *
 * <pre>
 * ./mvnw -q -B -o -DskipTests -DskipOpenSearch package
 * ./mvnw -q -B -o test-compile exec:java@large-collection-bench -Dlarge-collection.args="../shared/eval 100000"
 * </pre>
 *
 * Arguments: the eval folder; the total of documents (100000); nq20 examples (200; 0 for distractors alone, a trial
 * of the build); the indexes folder ({@code -}: a temporary one, deleted at the end; a folder given is kept, and a
 * collection already built there to the same total is measured without building it again); the jar. The vector cache
 * is {@code -Dlarge.cache-entries} (300000). With {@code -Dcollection.backend=opensearch} (and the zips, as for
 * {@link CollectionBenchmark}) the collections are in an OpenSearch node. The service's logs go to
 * {@code target/collection-benchmark-large-*.log}.
 */
public final class LargeCollectionBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Encoding CL100K = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
  private static final String NAME = "large";
  private static final int BATCH = 50;
  /** The encoder's speed on this machine (docs/collections-benchmark.md, session 10, {@code ingest-profile}). */
  private static final double PIECES_PER_SECOND = 5_200;
  /** Words of the shortest qasper line kept as a paragraph (shorter: headings, captions, table rows). */
  private static final int MIN_PARAGRAPH_WORDS = 20;

  private LargeCollectionBenchmark() {}

  public static void main(String[] args) throws Exception {
    CollectionBenchmark.chooseBackend();
    Path eval = Path.of(args.length > 0 ? args[0] : "../shared/eval");
    int total = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
    int n = args.length > 2 ? Integer.parseInt(args[2]) : 200;
    String folder = args.length > 3 ? args[3] : "-";
    Path jar = Path.of(args.length > 4 ? args[4] : "target/quarkus-app/quarkus-run.jar");
    int cacheEntries = Integer.getInteger("large.cache-entries", 300_000);
    if (!Files.exists(jar)) throw new IllegalStateException(jar + " is missing: run ./mvnw -B -DskipTests package");
    long started = System.nanoTime();
    System.out.printf(Locale.ROOT, "load average at the start: %s%n", load());

    NqSet nq = n > 0 ? NqSet.read(eval, n) : new NqSet(List.of(), List.of());
    List<Passage> distractorParagraphs = distractorParagraphs(eval);
    if (total < nq.passages().size()) {
      throw new IllegalArgumentException("illegal total: " + total + ", must be >= the " + nq.passages().size()
          + " nq passages");
    }
    encoderWork(nq.passages(), distractorParagraphs);

    boolean temporary = folder.equals("-");
    Path indexes = temporary ? Files.createTempDirectory("precis-large-") : Path.of(folder);
    Map<String, String> environment = Map.of("PRECIS_ENCODER_CACHE_ENTRIES", Integer.toString(cacheEntries));
    System.out.printf(Locale.ROOT, "%nindexes in %s (%s); PRECIS_ENCODER_CACHE_ENTRIES=%d; %d nq passages + %d "
        + "distractors%n", indexes, temporary ? "temporary" : "kept", cacheEntries, nq.passages().size(),
        total - nq.passages().size());
    List<EvalExample> warm = EvalSet.readDev(eval, "hotpotqa").limit(20).examples();

    List<String> phases = new ArrayList<>();
    StringBuilder build = new StringBuilder();
    StringBuilder latency = new StringBuilder();
    double[] fused = null;
    RanksAlone alone = null;
    String exact = "";
    try {
      // First life: the collection, until every document's units (and so its vector) are done.
      try (Service s = CollectionBenchmark.start(jar, indexes, true, "large-1", environment)) {
        long pid = s.process().pid();
        long existing = documents(s, NAME);
        if (existing == total) {
          System.out.printf(Locale.ROOT, "collection %s already holds %,d documents: not built again%n", NAME, total);
          build.append("| (built by an earlier run in this folder) | | | | | | |\n");
        } else if (existing >= 0) {
          throw new IllegalStateException("the folder holds a collection '" + NAME + "' of " + existing
              + " documents, not " + total + ": give another folder");
        } else {
          build(s, pid, indexes, nq.passages(), distractorParagraphs, total, build, phases);
        }
        if (!exists(s, "warm")) {
          CollectionBenchmark.warmUp(s, warm); // made here so that its units are warmed before the second life
          awaitWarmed(s);
        }
        System.out.printf(Locale.ROOT, "first life: %s; shutting down%n", memory(pid));
        long t0 = System.nanoTime();
        s.close();
        System.out.printf(Locale.ROOT, "shut down in %.1f s%n", (System.nanoTime() - t0) / 1e9);
      }
      System.out.println(sizes(indexes));

      // Second life, restarted on the same folder: caches cold.
      try (Service s = CollectionBenchmark.start(jar, indexes, true, "large-2", environment)) {
        long pid = s.process().pid();
        CollectionBenchmark.Sent opened = send(s, "GET", "/v1/collections/" + NAME, null, 200);
        System.out.printf(Locale.ROOT, "collection %s read back (opened in %.0f ms): %,d documents, warming %d%n",
            NAME, opened.millis(), opened.body().path("documents").asLong(), opened.body().path("warming").asInt());
        CollectionBenchmark.warmUp(s, warm);
        double settle = awaitIdle(pid);
        System.out.printf(Locale.ROOT, "warm-up done; the service idle after %.1f s more; warming %d%n", settle,
            send(s, "GET", "/v1/collections/" + NAME, null, 200).body().path("warming").asInt());
        if (!nq.questions().isEmpty()) {
          String before = load();
          fused = CollectionBenchmark.collectionCompress(s, NAME, nq.questions(), "fused (BM25 + vectors)", latency);
          phases.add("| collection compress k=20, first and repeated | " + before + " | " + load() + " |");
          before = load();
          alone = CollectionBenchmark.ranksAlone(s, NAME, nq.questions());
          phases.add("| recall of each method alone, k=100 /search | " + before + " | " + load() + " |");
        }
        System.out.printf(Locale.ROOT, "second life: %s%n", memory(pid));
      }
      if (alone != null && CollectionBenchmark.BACKEND.isEmpty()) {
        String before = load();
        exact = exactNeighbours(indexes.resolve(NAME).resolve("index"), nq.questions());
        phases.add("| exact nearest neighbours, in process, the service stopped | " + before + " | " + load() + " |");
      }
    } finally {
      if (temporary) CollectionBenchmark.deleteTree(indexes);
    }

    System.out.printf(Locale.ROOT, "%nload average at the end: %s; the whole run %.1f min%n", load(),
        (System.nanoTime() - started) / 60e9);
    System.out.printf(Locale.ROOT, "%n## Build: %,d documents (%d nq passages, titled; %,d untitled distractors), "
        + "batches of %d%n%n", total, nq.passages().size(), total - nq.passages().size(), BATCH);
    System.out.println("| documents | ingest s (acknowledged) | docs/s acknowledged | warming s after the last "
        + "acknowledgement | docs/s with the units | service CPU s (user + system) | on disk |");
    System.out.println("|---|---|---|---|---|---|---|");
    System.out.print(build);
    if (fused != null) {
      System.out.printf(Locale.ROOT, "%n## Retrieve 20 and compress, %,d documents, budget 700 tokens, one client "
          + "(ms)%n%n", total);
      System.out.println("| request | encoder | pass | requests | wall p50 / p95 | compression (timings.totalMs) "
          + "p50 / p95 | rest (retrieval, HTTP, JSON) p50 / p95 |");
      System.out.println("|---|---|---|---|---|---|---|");
      System.out.print(latency);
      System.out.printf(Locale.ROOT, "%n## Recall@20 of the gold passage, %d questions, %,d documents%n%n",
          nq.questions().size(), total);
      System.out.println("| retrieval | questions | gold passage in top 20 |");
      System.out.println("|---|---|---|");
      System.out.printf(Locale.ROOT, "| fused (BM25 + vectors), k=20 compress | %d | %.1f%% |%n", (int) fused[1],
          100 * fused[0] / fused[1]);
      System.out.printf(Locale.ROOT, "| vectors alone: vectorRank 1..20 of a k=100 search | %d of %d with all 20 "
          + "known | %.1f%% |%n", alone.vectorKnown(), alone.questions(), alone.vectorRecall());
      System.out.printf(Locale.ROOT, "| BM25 alone: bm25Rank 1..20 of the same | %d of %d with all 20 known | "
          + "%.1f%% |%n", alone.bm25Known(), alone.questions(), alone.bm25Recall());
      System.out.print(exact);
    }
    System.out.println("\n## Load average (1, 5, 15 minutes) at the start and end of each measured phase\n");
    System.out.println("| phase | start | end |");
    System.out.println("|---|---|---|");
    phases.forEach(System.out::println);
  }

  // ---- the documents ---------------------------------------------------------------------------------------------

  /**
   * The distractors' paragraphs, untitled, deduplicated: every hotpotqa paragraph, and every line of a qasper paper of
   * at least {@value #MIN_PARAGRAPH_WORDS} words (its running text; headings, captions and table rows dropped).
   */
  static List<Passage> distractorParagraphs(Path eval) {
    Set<String> seen = new LinkedHashSet<>();
    int hotpotqa = 0;
    for (EvalExample e : EvalSet.readDev(eval, "hotpotqa").examples()) {
      for (EvalExample.Document d : e.documents()) {
        if (!d.text().isBlank() && seen.add(d.text().strip())) hotpotqa++;
      }
    }
    int qasper = 0;
    for (EvalExample e : EvalSet.readDev(eval, "qasper").examples()) {
      for (EvalExample.Document d : e.documents()) {
        for (String line : d.text().split("\n")) {
          String p = line.strip();
          if (p.split("\\s+").length >= MIN_PARAGRAPH_WORDS && seen.add(p)) qasper++;
        }
      }
    }
    List<Passage> out = new ArrayList<>(seen.size());
    for (String text : seen) out.add(new Passage("x" + out.size(), null, text, CL100K.countTokens(text)));
    System.out.printf(Locale.ROOT, "distractor paragraphs: %,d (%,d of hotpotqa, %,d of qasper), %,d cl100k tokens%n",
        out.size(), hotpotqa, qasper, out.stream().mapToLong(Passage::tokens).sum());
    return out;
  }

  /**
   * The documents in the order they are sent: the nq passages at seeded random places among the distractors (each
   * slot is an nq passage with the probability of the nq passages left among the documents left).
   */
  static final class Documents {
    private final List<Passage> nq;
    private final DocumentMaker distractors;
    private final Random random = new Random(23);
    private final int total;
    private int sent;
    private int nqSent;

    Documents(List<Passage> nq, List<Passage> distractorParagraphs, int total) {
      this.nq = nq;
      this.distractors = new DocumentMaker(distractorParagraphs, 11);
      this.total = total;
    }

    boolean hasNext() {
      return sent < total;
    }

    ObjectNode next() {
      int left = total - sent++;
      if (random.nextInt(left) < nq.size() - nqSent) {
        Passage p = nq.get(nqSent++);
        ObjectNode d = JSON.createObjectNode();
        d.put("id", p.id());
        d.put("title", p.title());
        d.put("text", p.text());
        return d;
      }
      ObjectNode d = distractors.next("x-");
      d.remove("tokens");
      return d;
    }
  }

  /**
   * What the encoder will be given, counted before the service starts: the distinct encoder texts of the nq passages'
   * units (each with its title in front) and of the distractor paragraphs' units (no title), their word pieces, and
   * the seconds they take at {@link #PIECES_PER_SECOND}; and on the first 300 distractors as they will be sent,
   * whether their units are among the paragraphs' (that is, whether joining paragraphs makes units of its own).
   */
  private static void encoderWork(List<Passage> nq, List<Passage> paragraphs) throws IOException {
    EngineSettings settings = EngineSettings.defaults();
    DocumentSegmenter segmenter = new DocumentSegmenter(settings.maxUnitChars());
    EncoderModel model = EncoderModel.named(settings.encoderModel());
    WordPieceTokenizer tokenizer;
    try (InputStream json = LargeCollectionBenchmark.class.getResourceAsStream(model.tokenizerResource())) {
      if (json == null) throw new IllegalStateException(model.tokenizerResource() + " is not on the class path");
      tokenizer = WordPieceTokenizer.fromJson(json);
    }
    System.out.println("\n## What the encoder will be given (counted offline, segmented as the engine does)\n");
    System.out.println("| texts | documents | units | distinct encoder texts | their word pieces | seconds at "
        + "5,200 pieces/s |");
    System.out.println("|---|---|---|---|---|---|");
    Set<String> nqTexts = new HashSet<>();
    int nqUnits = 0;
    for (Passage p : nq) {
      List<String> texts = encoderTexts(segmenter, p.title(), p.text());
      nqUnits += texts.size();
      nqTexts.addAll(texts);
    }
    row("nq passages (titled)", nq.size(), nqUnits, nqTexts, tokenizer, model);
    Set<String> paragraphTexts = new HashSet<>();
    int paragraphUnits = 0;
    for (Passage p : paragraphs) {
      List<String> texts = encoderTexts(segmenter, null, p.text());
      paragraphUnits += texts.size();
      paragraphTexts.addAll(texts);
    }
    row("distractor paragraphs (untitled)", paragraphs.size(), paragraphUnits, paragraphTexts, tokenizer, model);

    DocumentMaker sample = new DocumentMaker(paragraphs, 11); // the same seed: the first distractors sent
    int units = 0;
    int among = 0;
    int structured = 0;
    int headings = 0;
    Set<String> outside = new LinkedHashSet<>();
    for (int i = 0; i < 300; i++) {
      SegmentedDocument d = segmenter.segment(0, null, sample.next("x-").get("text").asText(), Format.AUTO, false);
      if (d.structure() != null) structured++;
      for (int u = 0; u < d.units().size(); u++) {
        if (d.units().get(u).kind() == UnitKind.HEADING) headings++;
        String text = Ranker.encoderTextOf(d, u);
        units++;
        if (paragraphTexts.contains(text)) among++;
        else outside.add(text);
      }
    }
    System.out.printf(Locale.ROOT, "%nthe first 300 distractors as sent: %,d units, %,d (%.1f%%) among the paragraphs' "
        + "encoder texts; %d documents read as structured, %d heading units%n", units, among, 100.0 * among / units,
        structured, headings);
    outside.stream().limit(3).forEach(t -> System.out.printf(Locale.ROOT, "  not among them: \"%s\"%n",
        t.length() > 120 ? t.substring(0, 120) + "..." : t));
  }

  private static List<String> encoderTexts(DocumentSegmenter segmenter, String title, String text) {
    SegmentedDocument d = segmenter.segment(0, title, text, Format.AUTO, false);
    List<String> out = new ArrayList<>(d.units().size());
    for (int u = 0; u < d.units().size(); u++) out.add(Ranker.encoderTextOf(d, u));
    return out;
  }

  private static void row(String what, int documents, int units, Set<String> distinct, WordPieceTokenizer tokenizer,
      EncoderModel model) {
    long pieces = 0;
    for (String t : distinct) pieces += Math.min(tokenizer.encode(t, model.maxSequenceLength()).length,
        model.maxSequenceLength());
    System.out.printf(Locale.ROOT, "| %s | %,d | %,d | %,d | %,d | %.0f |%n", what, documents, units, distinct.size(),
        pieces, pieces / PIECES_PER_SECOND);
  }

  // ---- the build -------------------------------------------------------------------------------------------------

  private static void build(Service s, long pid, Path indexes, List<Passage> nq, List<Passage> paragraphs, int total,
      StringBuilder out, List<String> phases) throws Exception {
    CollectionBenchmark.create(s, NAME);
    Documents documents = new Documents(nq, paragraphs, total);
    double cpu0 = cpuSeconds(pid);
    String loadIngest = load();
    long t0 = System.nanoTime();
    long lastReport = t0;
    int sent = 0;
    int lastSent = 0;
    double slowest = 0;
    while (documents.hasNext()) {
      List<ObjectNode> batch = new ArrayList<>(BATCH);
      while (batch.size() < BATCH && documents.hasNext()) batch.add(documents.next());
      CollectionBenchmark.Sent r = CollectionBenchmark.put(s, NAME, batch);
      slowest = Math.max(slowest, r.millis());
      sent += batch.size();
      long now = System.nanoTime();
      if (now - lastReport > 60_000_000_000L || !documents.hasNext()) {
        System.out.printf(Locale.ROOT, "  %,d documents acknowledged after %.0f s (%.0f docs/s in the last interval; "
            + "slowest batch %.0f ms), warming %,d; load %s%n", sent, (now - t0) / 1e9,
            (sent - lastSent) / ((now - lastReport) / 1e9), slowest, r.body().path("warming").asInt(), load());
        lastReport = now;
        lastSent = sent;
        slowest = 0;
      }
    }
    double ingest = (System.nanoTime() - t0) / 1e9;
    double cpuIngest = cpuSeconds(pid) - cpu0;
    String loadWarm = load();
    phases.add("| ingest, batches of 50 | " + loadIngest + " | " + loadWarm + " |");
    long w0 = System.nanoTime();
    long lastWarmReport = w0;
    int lastWarming = send(s, "GET", "/v1/collections/" + NAME, null, 200).body().path("warming").asInt();
    int warming = lastWarming;
    while (warming > 0) {
      Thread.sleep(500);
      warming = send(s, "GET", "/v1/collections/" + NAME, null, 200).body().path("warming").asInt();
      long now = System.nanoTime();
      if (now - lastWarmReport > 30_000_000_000L || warming == 0) {
        System.out.printf(Locale.ROOT, "  warming %,d after %.0f s (%.1f docs/s in the last interval); load %s%n",
            warming, (now - w0) / 1e9, (lastWarming - warming) / ((now - lastWarmReport) / 1e9), load());
        lastWarmReport = now;
        lastWarming = warming;
      }
    }
    double warmed = (System.nanoTime() - w0) / 1e9;
    double cpu = cpuSeconds(pid) - cpu0;
    phases.add("| warming after the last acknowledgement | " + loadWarm + " | " + load() + " |");
    long onDisk = CollectionBenchmark.BACKEND.isEmpty() ? bytes(indexes) : openSearchBytes();
    System.out.printf(Locale.ROOT, "collection %s: %,d documents acknowledged in %.0f s (%.0f docs/s; service CPU "
        + "%.0f s), warmed %.0f s later (service CPU %.0f s in all); %s; %s%n", NAME, total, ingest, total / ingest,
        cpuIngest, warmed, cpu, memory(pid), onDisk < 0 ? "" : String.format(Locale.ROOT, "%.2f GB on disk",
        onDisk / 1e9));
    System.out.println(sizes(indexes));
    out.append(String.format(Locale.ROOT, "| %,d | %.0f | %.0f | %.0f | %.0f | %.0f | %s |%n", total, ingest,
        total / ingest, warmed, total / (ingest + warmed), cpu, onDisk < 0 ? "-" : String.format(Locale.ROOT,
        "%.2f GB", onDisk / 1e9)));
  }

  // ---- vectors alone, exactly ---------------------------------------------------------------------------------------

  /**
   * Vectors alone without the HNSW graph's approximation: the stopped service's index read in process, every live
   * document's vector, and each question embedded as the service embeds it; per question the exact top 20 by dot
   * product (the field's similarity), against Lucene's HNSW search 50 deep (as a k=20 retrieval), 100 deep (as the
   * k=100 search) and deeper. Says how much of vectors alone's recall at this size the graph loses, and how much the other
   * documents take (the nq passages alone, as at 3,978 passages, and the share of distractors in the exact top 20).
   */
  private static String exactNeighbours(Path index, List<Question> questions) throws Exception {
    List<String> ids = new ArrayList<>();
    List<float[]> vectors = new ArrayList<>();
    try (org.apache.lucene.store.Directory directory = org.apache.lucene.store.FSDirectory.open(index);
        org.apache.lucene.index.DirectoryReader reader = org.apache.lucene.index.DirectoryReader.open(directory);
        PrecisEngine engine = PrecisEngine.create(EngineSettings.defaults())) {
      for (org.apache.lucene.index.LeafReaderContext leaf : reader.leaves()) {
        org.apache.lucene.index.FloatVectorValues values = leaf.reader().getFloatVectorValues("vector");
        if (values == null) continue;
        org.apache.lucene.util.Bits live = leaf.reader().getLiveDocs();
        org.apache.lucene.index.StoredFields stored = leaf.reader().storedFields();
        for (int ord = 0; ord < values.size(); ord++) {
          int doc = values.ordToDoc(ord);
          if (live != null && !live.get(doc)) continue;
          ids.add(stored.document(doc).get("id"));
          vectors.add(values.vectorValue(ord).clone());
        }
      }
      org.apache.lucene.search.IndexSearcher searcher = new org.apache.lucene.search.IndexSearcher(reader);
      int n = questions.size();
      float[][] queries = new float[n][];
      for (int i = 0; i < n; i++) queries[i] = engine.encoder().embedQuery(questions.get(i).example().question());
      int exactHits = 0;
      int nqOnlyHits = 0;
      long distractors = 0;
      List<Set<String>> exactTops = new ArrayList<>();
      for (int qi = 0; qi < n; qi++) {
        float[] query = queries[qi];
        Integer[] order = new Integer[ids.size()];
        double[] score = new double[ids.size()];
        for (int i = 0; i < order.length; i++) {
          order[i] = i;
          float[] v = vectors.get(i);
          double dot = 0;
          for (int j = 0; j < v.length; j++) dot += v[j] * query[j];
          score[i] = dot;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(score[b], score[a]));
        Set<String> exact = new HashSet<>();
        Set<String> nqOnly = new HashSet<>();
        for (Integer i : order) {
          String id = ids.get(i);
          if (exact.size() < 20) {
            exact.add(id);
            if (id.startsWith("x-")) distractors++;
          }
          if (!id.startsWith("x-") && nqOnly.size() < 20) nqOnly.add(id);
          if (exact.size() == 20 && nqOnly.size() == 20) break;
        }
        Set<String> gold = questions.get(qi).gold();
        if (exact.stream().anyMatch(gold::contains)) exactHits++;
        if (nqOnly.stream().anyMatch(gold::contains)) nqOnlyHits++;
        exactTops.add(exact);
      }
      StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "| vectors alone, exact top 20 of the %,d "
          + "documents' vectors (in process) | %d | %.1f%% (distractors are %.1f%% of that top 20) |%n"
          + "| vectors alone, exact top 20 among the nq passages only (the 3,978-passage setting) | %d | %.1f%% |%n",
          ids.size(), n, 100.0 * exactHits / n, 100.0 * distractors / (20.0 * n), n, 100.0 * nqOnlyHits / n));
      for (int depth : new int[] {50, 100, 200, 400, 1000}) {
        int hits = 0;
        long overlap = 0;
        long t0 = System.nanoTime();
        for (int qi = 0; qi < n; qi++) {
          Set<String> top = knnTop20(searcher, queries[qi], depth);
          if (top.stream().anyMatch(questions.get(qi).gold()::contains)) hits++;
          overlap += top.stream().filter(exactTops.get(qi)::contains).count();
        }
        out.append(String.format(Locale.ROOT, "| vectors alone, Lucene HNSW %d deep, top 20 (in process, %d segments, "
            + "%.1f ms a query) | %d | %.1f%% (%.1f%% of the exact top 20) |%n", depth, reader.leaves().size(),
            (System.nanoTime() - t0) / 1e6 / n, n, 100.0 * hits / n, 100.0 * overlap / (20.0 * n)));
      }
      return out.toString();
    }
  }

  private static Set<String> knnTop20(org.apache.lucene.search.IndexSearcher searcher, float[] query, int depth)
      throws IOException {
    org.apache.lucene.search.ScoreDoc[] docs = searcher.search(
        new org.apache.lucene.search.KnnFloatVectorQuery("vector", query, depth), depth).scoreDocs;
    Set<String> out = new HashSet<>();
    for (int r = 0; r < Math.min(20, docs.length); r++) {
      out.add(searcher.storedFields().document(docs[r].doc).get("id"));
    }
    return out;
  }

  // ---- the service and the machine -------------------------------------------------------------------------------

  /** The documents of a collection, or -1 when there is none. */
  private static long documents(Service s, String name) throws Exception {
    JsonNode r = send(s, "GET", "/v1/collections/" + name, null, -1).body();
    return r.has("documents") && r.has("name") ? r.get("documents").asLong() : -1;
  }

  private static boolean exists(Service s, String name) throws Exception {
    return documents(s, name) >= 0;
  }

  /** The service's CPU time (user + system) from /proc, in seconds; 0 where there is no /proc. */
  static double cpuSeconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0; // utime, stime in ticks of 1/100 s
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /** The service's peak and current resident memory, from /proc. */
  static String memory(long pid) {
    try {
      String peak = "?";
      String now = "?";
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmHWM:")) peak = line.substring(6).strip();
        if (line.startsWith("VmRSS:")) now = line.substring(6).strip();
      }
      return "RSS peak " + peak + ", now " + now;
    } catch (IOException e) {
      return "RSS unknown";
    }
  }

  /** Seconds until the service used under 5% of a core over a second (at most 120 s): background work done. */
  static double awaitIdle(long pid) throws InterruptedException {
    long t0 = System.nanoTime();
    double before = cpuSeconds(pid);
    while (System.nanoTime() - t0 < 120_000_000_000L) {
      Thread.sleep(1000);
      double now = cpuSeconds(pid);
      if (now - before < 0.05) break;
      before = now;
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  /**
   * With the OpenSearch backend, the size on disk of this run's indexes in the node ({@code _cat/indices}, primaries
   * only: the benchmark's node has no replicas), printed per index; -1 when it cannot be read.
   */
  private static long openSearchBytes() {
    String url = CollectionBenchmark.BACKEND.get("PRECIS_INDEXES_OPENSEARCH_URLS");
    try {
      java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
          java.net.http.HttpRequest.newBuilder(java.net.URI.create(url + "/_cat/indices?format=json&bytes=b")).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      long sum = 0;
      for (JsonNode index : JSON.readTree(r.body())) {
        long bytes = index.path("pri.store.size").asLong();
        System.out.printf(Locale.ROOT, "  OpenSearch index %s: %,d documents (deleted %s), %.1f MB%n",
            index.path("index").asText(), index.path("docs.count").asLong(), index.path("docs.deleted").asText(),
            bytes / 1e6);
        sum += bytes;
      }
      return sum;
    } catch (IOException | InterruptedException | RuntimeException e) {
      return -1;
    }
  }

  /** The indexes folder's size per entry (two levels), like {@code du}. */
  static String sizes(Path root) throws IOException {
    StringBuilder out = new StringBuilder("on disk, " + root + ": " + String.format(Locale.ROOT, "%.2f GB in all",
        bytes(root) / 1e9));
    try (Stream<Path> top = Files.list(root)) {
      for (Path p : top.sorted().toList()) {
        out.append(String.format(Locale.ROOT, "%n  %s %.1f MB", root.relativize(p), bytes(p) / 1e6));
        if (Files.isDirectory(p)) {
          try (Stream<Path> inner = Files.list(p)) {
            for (Path q : inner.sorted().toList()) {
              if (Files.isDirectory(q)) {
                out.append(String.format(Locale.ROOT, "%n    %s %.1f MB", root.relativize(q), bytes(q) / 1e6));
              }
            }
          }
        }
      }
    }
    return out.toString();
  }

  /** Bytes of the files under {@code root}; -1 for null. */
  static long bytes(Path root) throws IOException {
    if (root == null) return -1;
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> {
        try {
          return Files.size(p);
        } catch (IOException gone) {
          return 0; // a file merged away while walking
        }
      }).sum();
    }
  }
}
