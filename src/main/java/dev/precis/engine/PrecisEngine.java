package dev.precis.engine;

import dev.precis.encode.CachingSentenceEncoder;
import dev.precis.encode.EncoderModel;
import dev.precis.encode.OnnxSentenceEncoder;
import dev.precis.encode.SentenceEncoder;
import dev.precis.encode.StaticEncoder;
import dev.precis.encode.WordPieceTokenizer;
import dev.precis.plan.Plan;
import dev.precis.plan.Planner;
import dev.precis.plan.Reason;
import dev.precis.plan.Selection;
import dev.precis.rank.Bm25Scorer;
import dev.precis.rank.Prefetch;
import dev.precis.rank.Ranker;
import dev.precis.rank.Ranking;
import dev.precis.render.BudgetFitter;
import dev.precis.render.Renderer;
import dev.precis.segment.DocumentSegmenter;
import dev.precis.segment.Format;
import dev.precis.segment.FormatException;
import dev.precis.segment.Passages;
import dev.precis.segment.SegmentedDocument;
import dev.precis.tokens.TokenCountCache;
import dev.precis.tokens.Tokenizers;
import dev.precis.tokens.Tokenizers.TokenCounter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;

/**
 * The compression pipeline: segment, rank, summarise coarsely, refine, render to the exact budget. Thread-safe;
 * one instance serves all requests. Close it to release the encoder's native session.
 */
public final class PrecisEngine implements Compressor, AutoCloseable {
  private static final long KEEP_PATTERN_BUDGET_MILLIS = 200;

  private final EngineSettings settings;
  private final DocumentSegmenter segmenter;
  private final SentenceEncoder encoder;
  private final Ranker ranker;
  /** Embeds a request's question while its units are scored cheaply (null without an encoder). */
  private final ExecutorService ahead;
  private final Planner planner;
  private final BudgetFitter fitter;
  private final Renderer renderer = new Renderer();
  private final boolean ownsEncoder;
  /** Counts of units and documents seen recently, or null when disabled. */
  private final TokenCountCache counts;
  /** Documents segmented recently, by content, or null when disabled. */
  private final SegmentCache segments;
  /** Documents cut by the segmenter, and stored documents whose tree or vectors were restored, since start. */
  private final java.util.concurrent.atomic.LongAdder segmented = new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder treesRestored = new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder vectorsRestored = new java.util.concurrent.atomic.LongAdder();
  /** Raise whenever prose segmentation changes in a way the canary might not show; kept trees are then ignored. */
  private static final int SEGMENTER_VERSION = 1;
  /** {@link #segmenterFingerprint}, computed when first asked. */
  private volatile byte[] segmenterFingerprint;

  /** @param tokenizer the encoder's tokenizer, reused by the static vectors; null to read it again */
  private PrecisEngine(
      EngineSettings settings, SentenceEncoder encoder, boolean ownsEncoder, WordPieceTokenizer tokenizer) {
    this.settings = settings;
    this.ownsEncoder = ownsEncoder;
    this.segmenter = new DocumentSegmenter(settings.maxUnitChars());
    this.counts = settings.tokenCountCacheEntries() > 0 ? new TokenCountCache(settings.tokenCountCacheEntries()) : null;
    this.segments = settings.segmentCacheChars() > 0 ? new SegmentCache(settings.segmentCacheChars()) : null;
    this.encoder = encoder;
    Bm25Scorer bm25 = settings.bm25() ? new Bm25Scorer(1.2f, 0.75f, 0.5f) : null;
    StaticEncoder staticVectors = encoder != null && settings.staticVectors()
        ? StaticEncoder.load(EncoderModel.named(settings.encoderModel()), settings.modelDirectory(), tokenizer)
        : null;
    this.ahead = encoder == null ? null : Executors.newFixedThreadPool(settings.encoderThreads(),
        Thread.ofPlatform().name("precis-question-", 1).daemon(true).factory());
    this.ranker = new Ranker(bm25, encoder, staticVectors, ahead);
    this.planner = new Planner(settings.plan());
    this.fitter = new BudgetFitter(settings.maxFillAttempts());
  }

  /** An engine with its own encoder, loaded from the settings' model directory or the classpath. */
  public static PrecisEngine create(EngineSettings settings) {
    if (!settings.encoder()) return new PrecisEngine(settings, null, true, null);
    OnnxSentenceEncoder onnx = onnxFor(settings);
    return new PrecisEngine(settings, withCache(onnx, settings), true, onnx.tokenizer());
  }

  /**
   * An engine whose unit vectors are also kept on disk, in {@code folder} (one file per model, at most
   * {@code entries} vectors, see {@link dev.precis.encode.DiskVectorStore}): a restarted service finds what it
   * embedded before.
   */
  public static PrecisEngine create(EngineSettings settings, java.nio.file.Path folder, int entries) {
    if (!settings.encoder() || folder == null || entries <= 0) return create(settings);
    OnnxSentenceEncoder onnx = onnxFor(settings);
    dev.precis.encode.DiskVectorStore disk;
    try {
      disk = new dev.precis.encode.DiskVectorStore(folder.resolve(onnx.modelName() + ".vectors"), onnx.modelName(),
          onnx.dimension(), entries);
    } catch (RuntimeException e) {
      System.getLogger(PrecisEngine.class.getName()).log(System.Logger.Level.WARNING,
          "vectors are kept in memory only: " + e.getMessage());
      return new PrecisEngine(settings, withCache(onnx, settings), true, onnx.tokenizer());
    }
    SentenceEncoder encoder = new CachingSentenceEncoder(onnx,
        new dev.precis.encode.VectorCache(Math.max(1, settings.vectorCacheEntries())), disk);
    return new PrecisEngine(settings, encoder, true, onnx.tokenizer());
  }

  /** The texts the encoder is given for a document's units, segmented as a request would segment it (cached). */
  public List<String> encoderTextsOf(SourceDocument source) {
    return encoderTextsOf(segmented(source));
  }

  /** Unit by unit, as the ranker gives them to the encoder: in the passage the document's units fall in. */
  private static List<String> encoderTextsOf(SegmentedDocument d) {
    Passages passages = Passages.of(List.of(d.index() == 0 ? d : d.withIndex(0)));
    List<String> texts = new ArrayList<>(d.units().size());
    for (int u = 0; u < d.units().size(); u++) {
      texts.add(dev.precis.rank.Ranker.encoderTextOf(passages.list().get(passages.passage(0, u)),
          passages.passageUnit(0, u)));
    }
    return texts;
  }

  /** A document as a request segments it, at index 0: from the cache, or segmented now (and cached). */
  private SegmentedDocument segmented(SourceDocument source) {
    return segments == null ? cut(0, source, false)
        : segments.get(0, source.title(), source.text(), source.format(), false, () -> cut(0, source, false));
  }

  /** Runs the segmenter (counted: {@link #documentsSegmented}). */
  private SegmentedDocument cut(int index, SourceDocument source, boolean compactJson) {
    segmented.increment();
    return segmenter.segment(index, source.title(), source.text(), source.format(), compactJson);
  }

  /**
   * Empties the segment and token count caches: the engine then sees every document as a replica that never saw it
   * (for tests and benchmarks; the vector cache is the encoder's own).
   */
  public void forgetDocuments() {
    if (segments != null) segments.clear();
    if (counts != null) counts.clear();
  }

  /** How many times a document was segmented (not served by the segment cache or a kept tree) since start. */
  public long documentsSegmented() {
    return segmented.sum();
  }

  /**
   * What a collection keeps beside a stored document so that compressing it segments, counts and embeds none of it:
   * its tree with its token counts (prose and mixed documents, {@link StoredTree}) and its units' vectors, embedded
   * where not cached ({@link dev.precis.encode.StoredUnitVectors}), with their mean, normalised (a vector for the
   * whole document). Null when there is nothing to keep (a wholly structured document without an encoder).
   */
  public dev.precis.encode.StoredUnitVectors.Kept keptUnits(SourceDocument source) {
    SegmentedDocument d = segmented(source);
    List<DocumentSegmenter.KeptPart> parts = d.structure() == null ? null : segmenter.keptParts(d);
    byte[] tree = d.structure() == null || parts != null ? treeOf(d, parts, source.format()) : null;
    byte[] vectors = null;
    float[] mean = null;
    if (encoder != null) {
      List<String> texts = encoderTextsOf(d);
      float[][] embedded = new float[texts.size()][];
      for (int from = 0; from < texts.size(); from += 256) {
        float[][] part = encoder.embed(texts.subList(from, Math.min(texts.size(), from + 256)));
        System.arraycopy(part, 0, embedded, from, part.length);
      }
      vectors = dev.precis.encode.StoredUnitVectors.encode(encoder.modelName(), texts, embedded);
      mean = dev.precis.encode.StoredUnitVectors.mean(embedded);
    }
    if (tree == null && vectors == null) return null;
    return new dev.precis.encode.StoredUnitVectors.Kept(new KeptUnits(tree, vectors).join(), mean);
  }

  /** The encodings whose counts a kept tree carries (current OpenAI models'); others are counted when asked. */
  static final List<String> KEPT_ENCODINGS = List.of("cl100k_base", "o200k_base");

  private byte[] treeOf(SegmentedDocument d, List<DocumentSegmenter.KeptPart> parts, Format format) {
    Map<String, int[]> unitCounts = new java.util.LinkedHashMap<>();
    Map<String, Integer> documentCounts = new java.util.LinkedHashMap<>();
    for (String encoding : KEPT_ENCODINGS) {
      TokenCounter counter = Tokenizers.forEncoding(encoding).orElseThrow();
      int[] units = new int[d.units().size()];
      for (int u = 0; u < units.length; u++) units[u] = count(counter, countedText(d, u));
      unitCounts.put(encoding, units);
      documentCounts.put(encoding, count(counter, renderedAlone(d)));
    }
    return StoredTree.encode(d, parts, segmenterFingerprint(), format, unitCounts, documentCounts);
  }

  /** The text of a unit whose tokens are counted: what the output writes for it. */
  private static String countedText(SegmentedDocument d, int u) {
    return d.structure() == null ? d.unitText(u) : d.structure().keptText(d, u);
  }

  /** A document rendered alone, in full: what its count before compression is of. */
  private String renderedAlone(SegmentedDocument d) {
    return renderer.render(List.of(reindexed(d)), List.of(all(d.units().size())), new int[] {0}, "", null);
  }

  /**
   * Whether compressing the document would segment and embed none of it: it is in the segment cache and all its
   * units' vectors are in the memory cache. Never segments (a kept tree spares that).
   */
  public boolean unitsCached(SourceDocument source) {
    SegmentedDocument d = segments == null ? null : segments.peek(source.title(), source.text(), source.format());
    if (d == null) return false;
    if (!(encoder instanceof dev.precis.encode.CachingSentenceEncoder caching)) return true;
    return caching.cachedAll(encoderTextsOf(d));
  }

  /**
   * Puts what a collection kept for a document ({@link #keptUnits}) in the caches: its tree and counts, so that it
   * is not segmented or counted, and its units' vectors, so that none is embedded.
   *
   * @return false when nothing of the blob is of this document as this engine segments and embeds it (the document
   *     replaced since, another segmenter or model): it is then ignored
   */
  public boolean preload(SourceDocument source, byte[] blob) {
    KeptUnits kept = KeptUnits.split(blob);
    boolean tree = kept.tree() != null && restoreTree(source, kept.tree());
    if (kept.vectors() == null || !(encoder instanceof dev.precis.encode.CachingSentenceEncoder caching)) return tree;
    List<String> texts = encoderTextsOf(source);
    float[][] vectors = dev.precis.encode.StoredUnitVectors.decode(kept.vectors(), encoder.modelName(), texts);
    if (vectors == null) return tree;
    caching.preload(texts, vectors);
    vectorsRestored.increment();
    return true;
  }

  /** Stored documents whose kept tree was put in the caches ({@link #preload}) since start. */
  public long keptTreesRestored() {
    return treesRestored.sum();
  }

  /** Stored documents whose kept unit vectors were put in the cache ({@link #preload}) since start. */
  public long keptVectorsRestored() {
    return vectorsRestored.sum();
  }

  private boolean restoreTree(SourceDocument source, byte[] blob) {
    if (segments == null) return false;
    StoredTree.Decoded decoded = StoredTree.decode(blob, segmenterFingerprint(), source.title(), source.text(),
        source.format());
    if (decoded == null) return false;
    SegmentedDocument d = decoded.parts() == null
        ? new SegmentedDocument(0, source.title(), source.text(), decoded.units())
        : segmenter.restoreMixed(0, source.title(), source.text(), decoded.parts());
    if (d == null || !d.units().equals(decoded.units())) return false;
    segments.put(source.title(), source.text(), source.format(), false, d);
    // prose segments the same whatever the JSON style; a mixed document was kept with JSON as it is
    if (decoded.parts() == null) segments.put(source.title(), source.text(), source.format(), true, d);
    if (counts != null) {
      String alone = null;
      for (Map.Entry<String, int[]> e : decoded.unitCounts().entrySet()) {
        TokenCounter counter = Tokenizers.forEncoding(e.getKey()).orElse(null);
        if (counter == null) continue;
        for (int u = 0; u < e.getValue().length; u++) counts.put(counter.name(), countedText(d, u), e.getValue()[u]);
        if (alone == null) alone = renderedAlone(d);
        counts.put(counter.name(), alone, decoded.documentCounts().get(e.getKey()));
      }
    }
    treesRestored.increment();
    return true;
  }

  /**
   * Changes whenever the way this engine cuts prose would: the segmenter's version and unit limit, and what it makes
   * of a text that exercises headings, lists, code, tables, abbreviations and a sentence past the unit limit. A kept
   * tree of another fingerprint is ignored.
   */
  public byte[] segmenterFingerprint() {
    byte[] f = segmenterFingerprint;
    if (f == null) {
      java.security.MessageDigest sha = StoredTree.sha256();
      sha.update((SEGMENTER_VERSION + "/" + settings.maxUnitChars()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      String canary = SegmenterCanary.TEXT;
      for (var u : segmenter.segment(0, "Canary", canary, Format.AUTO, false).units()) {
        sha.update((u.kind() + ":" + u.start() + ":" + u.end() + ":" + u.paragraph() + ":" + u.section() + ";")
            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
      segmenterFingerprint = f = Arrays.copyOf(sha.digest(), StoredTree.FINGERPRINT_BYTES);
    }
    return f.clone();
  }

  /**
   * An engine that ranks with an encoder it shares with others (benchmarks comparing settings over one vector
   * cache); closing the engine leaves the encoder open. {@code settings.encoder()} false ignores it.
   */
  public static PrecisEngine sharing(EngineSettings settings, SentenceEncoder encoder) {
    return new PrecisEngine(settings, settings.encoder() ? encoder : null, false, null);
  }

  /** The encoder {@link #create} would build for these settings, cache included. */
  public static SentenceEncoder encoderFor(EngineSettings settings) {
    return withCache(onnxFor(settings), settings);
  }

  private static OnnxSentenceEncoder onnxFor(EngineSettings settings) {
    return new OnnxSentenceEncoder(EncoderModel.named(settings.encoderModel()), settings.modelDirectory(),
        settings.encoderThreads(), settings.encoderBatchSize());
  }

  private static SentenceEncoder withCache(SentenceEncoder encoder, EngineSettings settings) {
    return settings.vectorCacheEntries() > 0
        ? new CachingSentenceEncoder(encoder, settings.vectorCacheEntries())
        : encoder;
  }

  public static PrecisEngine createDefault() {
    return create(EngineSettings.defaults());
  }

  public EngineSettings settings() {
    return settings;
  }

  /** The encoder in use, or null when the engine ranks without one. */
  public SentenceEncoder encoder() {
    return encoder;
  }

  @Override
  public Compression compress(CompressionRequest request) {
    return compress(request, WorkLimits.NONE);
  }

  /**
   * Compresses within limits: the deadline is checked between stages (and between documents while segmenting), so
   * work past it stops at the next check; the token limit is checked once the input is counted.
   *
   * @throws WorkLimits.DeadlineExceededException when the deadline passes before the work is done
   * @throws WorkLimits.InputTooLargeException when the input has more tokens than the limit
   */
  public Compression compress(CompressionRequest request, WorkLimits limits) {
    long t0 = System.nanoTime();
    TokenCounter counter = counterFor(request.encoding());
    KeepPatterns keep = KeepPatterns.compile(request.keepPatterns(), KEEP_PATTERN_BUDGET_MILLIS);

    List<SegmentedDocument> documents = segment(request, limits);
    long t1 = System.nanoTime();

    int[] inputOrder = IntStream.range(0, documents.size()).toArray();
    List<BitSet> everything = everything(documents);
    String full = renderer.render(documents, everything, inputOrder, "", null);
    int inputTokens = count(counter, full);
    limits.checkInputTokens(inputTokens, request.encoding());
    int budget = request.budget().resolve(inputTokens);
    if (inputTokens > budget) finerForBudget(documents, budget);
    // Planning needs every unit's count; they are counted on another core while this one ranks (BM25 and the static
    // soft match run on one thread). A 100k-token document: 183-191 -> 163-174 ms p50; 16k: within the noise.
    Prefetch<int[][]> unitCounts = inputTokens > budget && ahead != null
        ? Prefetch.start(() -> unitTokens(documents, counter), ahead) : null;

    Passages passages = Passages.of(documents);
    Ranking ranking = null;
    boolean fits = inputTokens <= budget;
    if (!fits || request.explain() || request.order() == Order.RELEVANCE) {
      limits.check("ranking");
      ranking = ranker.rank(request.query(), passages.list(), settings.rank(), encoderTextLimit(request.effort()));
    }
    long t2 = System.nanoTime();

    double[] documentScores = ranking == null ? null : documentScores(passages, ranking, documents.size());
    int[] order = ranking != null && request.order() == Order.RELEVANCE ? byRelevance(documentScores) : inputOrder;
    String marker = request.elisionMarker();
    String text;
    int outputTokens;
    List<Selection> kept;
    Renderer.Cut cut = null;
    long t3;
    if (fits) {
      text = order == inputOrder ? full : renderer.render(documents, everything, order, "", null);
      outputTokens = order == inputOrder ? inputTokens : counter.count(text);
      kept = allUnits(documents);
      if (outputTokens > budget) { // relevance order changed the joints between documents: fit properly instead
        fits = false;
      }
      t3 = System.nanoTime();
    } else {
      outputTokens = 0;
      text = "";
      kept = List.of();
      t3 = t2;
    }
    long t4 = t3;
    Set<Long> duplicates = new HashSet<>();
    if (!fits) {
      limits.check("planning");
      int[][] unitTokens = unitCounts != null ? unitCounts.get() : unitTokens(documents, counter);
      List<SegmentedDocument> parts = passages.list();
      int[][] passageTokens = new int[parts.size()][];
      int[] headerTokens = new int[parts.size()];
      boolean[] headingHeaders = new boolean[parts.size()];
      for (SegmentedDocument passage : parts) {
        int p = passage.index();
        int d = passages.document(p);
        passageTokens[p] = new int[passage.units().size()];
        for (int u = 0; u < passageTokens[p].length; u++) {
          passageTokens[p][u] = unitTokens[d][passages.documentUnit(p, u)];
        }
        // A passage titled by its own title line keeps that line as its header.
        headingHeaders[p] = passages.titledBySection(p);
        headerTokens[p] = 1 + (headingHeaders[p] ? passageTokens[p][0] + 1
            : passage.title() == null ? 0 : count(counter, passage.title() + "\n"));
      }
      int markerTokens = marker.isEmpty() ? 0 : counter.count(" " + marker);
      Plan plan = toDocuments(passages, planner.plan(parts, ranking, passageTokens, headerTokens, markerTokens,
          budget, passages.toPassages(keep.forcedUnits(documents)), headingHeaders));
      for (int[] x : plan.duplicates()) duplicates.add(key(x[0], x[1]));
      t3 = System.nanoTime();
      limits.check("rendering");
      BudgetFitter.Fitted fitted = fitter.fit(documents, plan, order, marker, budget, unitTokens, counter);
      text = fitted.text();
      outputTokens = fitted.tokens();
      kept = fitted.selections();
      cut = fitted.cut();
      t4 = System.nanoTime();
    }

    List<Compression.DocumentOutcome> outcomes =
        outcomes(request, documents, documentScores, kept, cut, inputTokens, outputTokens, counter);
    List<Compression.UnitExplanation> explanations =
        request.explain() ? explain(documents, passages, ranking, kept, duplicates) : List.of();
    List<Compression.SectionExplanation> sectionExplanations =
        request.explain() && ranking != null ? explainSections(documents, passages, ranking, kept) : List.of();
    long t5 = System.nanoTime();
    double ratio = outputTokens == 0 ? 0 : (double) inputTokens / outputTokens;
    Compression.StageTimings timings = new Compression.StageTimings(
        ms(t1 - t0), ms(t2 - t1), ms(t3 - t2), ms(t4 - t3), ms(t5 - t4), ms(t5 - t0));
    return new Compression(text, outcomes,
        new Compression.Usage(inputTokens, outputTokens, budget, ratio), timings, explanations, sectionExplanations);
  }

  /**
   * The request's documents, segmented.
   *
   * @throws IllegalArgumentException when a document is not in the format it is declared in
   */
  private List<SegmentedDocument> segment(CompressionRequest request, WorkLimits limits) {
    List<SegmentedDocument> documents = new ArrayList<>(request.documents().size());
    for (int d = 0; d < request.documents().size(); d++) {
      SourceDocument source = request.documents().get(d);
      limits.check("segmenting document " + d);
      try {
        int index = d;
        documents.add(segments == null ? cut(d, source, request.compactJson())
            : segments.get(d, source.title(), source.text(), source.format(), request.compactJson(),
                () -> cut(index, source, request.compactJson())));
      } catch (FormatException e) {
        String which = request.documents().size() == 1 ? "the document" : "document " + d
            + (source.id() == null ? "" : " (id '" + source.id() + "')");
        throw new IllegalArgumentException(which + " is declared " + e.format().label() + " but is " + e.getMessage()
            + ": fix the text, or declare another format (or auto to detect it)", e);
      }
    }
    return documents;
  }

  /**
   * The passages a request is ranked as and their ranking, as {@link #compress} makes them when the input is over
   * budget: for fitting and auditing the ranking offline.
   */
  public RankedPassages rank(CompressionRequest request) {
    TokenCounter counter = counterFor(request.encoding());
    List<SegmentedDocument> documents = segment(request, WorkLimits.NONE);
    int[] inputOrder = IntStream.range(0, documents.size()).toArray();
    int inputTokens = count(counter, renderer.render(documents, everything(documents), inputOrder, "", null));
    int budget = request.budget().resolve(inputTokens);
    if (inputTokens > budget) finerForBudget(documents, budget);
    Passages passages = Passages.of(documents);
    return new RankedPassages(passages.list(),
        ranker.rank(request.query(), passages.list(), settings.rank(), encoderTextLimit(request.effort())));
  }

  private static TokenCounter counterFor(String encoding) {
    return Tokenizers.forEncoding(encoding).orElseThrow(() ->
        new IllegalArgumentException("unknown encoding '" + encoding + "', known: " + Tokenizers.ENCODINGS));
  }

  /** How many units the encoder may embed at this effort (0: no transformer pass). */
  private int encoderTextLimit(Effort effort) {
    return switch (effort) {
      case INSTANT -> 0;
      case FAST -> settings.rank().encoderTextLimit();
      case BEST -> settings.rank().bestEncoderTextLimit();
    };
  }

  /**
   * @param passages the units ranked, per passage
   * @param ranking their scores, {@code ranking.documents().get(p)} for passage {@code p}
   */
  public record RankedPassages(List<SegmentedDocument> passages, Ranking ranking) {
    public RankedPassages {
      passages = List.copyOf(passages);
    }
  }

  /**
   * Structured documents whose units are large for the budget are cut finer (a JSON record into its members): a unit
   * holds at most about a quarter of the budget (at about four chars per token, {@code budget} chars), so that a
   * tight budget still keeps what the question needs instead of nothing.
   */
  private void finerForBudget(List<SegmentedDocument> documents, int budget) {
    int limit = Math.max(MIN_STRUCTURED_UNIT_CHARS, budget);
    if (limit >= settings.maxUnitChars()) return;
    for (int d = 0; d < documents.size(); d++) {
      SegmentedDocument doc = documents.get(d);
      if (doc.structure() == null) continue;
      var finer = doc.structure().withUnitLimit(limit);
      if (finer != null) {
        documents.set(d, new SegmentedDocument(d, doc.title(), doc.text(), finer.units(), finer.structure()));
      }
    }
  }

  private static final int MIN_STRUCTURED_UNIT_CHARS = 40;

  private static double ms(long nanos) {
    return Math.round(nanos / 1_000.0) / 1_000.0;
  }

  private static List<BitSet> everything(List<SegmentedDocument> documents) {
    List<BitSet> all = new ArrayList<>(documents.size());
    for (SegmentedDocument doc : documents) {
      BitSet units = new BitSet();
      units.set(0, doc.units().size());
      all.add(units);
    }
    return all;
  }

  private static List<Selection> allUnits(List<SegmentedDocument> documents) {
    List<Selection> all = new ArrayList<>();
    for (SegmentedDocument doc : documents) {
      for (int u = 0; u < doc.units().size(); u++) all.add(new Selection(doc.index(), u, Reason.REFINED));
    }
    return all;
  }

  private static int[] byRelevance(double[] documentScores) {
    return IntStream.range(0, documentScores.length).boxed()
        .sorted(Comparator.comparingDouble((Integer d) -> -documentScores[d]).thenComparingInt(d -> d))
        .mapToInt(Integer::intValue)
        .toArray();
  }

  /** Each document's score: its passage's, or the best of its sections' when it was ranked section by section. */
  private static double[] documentScores(Passages passages, Ranking ranking, int documents) {
    double[] scores = new double[documents];
    Arrays.fill(scores, Double.NEGATIVE_INFINITY);
    for (Ranking.DocumentRanking r : ranking.documents()) {
      int d = passages.document(r.index());
      scores[d] = Math.max(scores[d], r.score());
    }
    return scores;
  }

  /** A plan over passages as the same plan over their documents' units. */
  private static Plan toDocuments(Passages passages, Plan plan) {
    if (!passages.split()) return plan;
    List<Selection> selections = new ArrayList<>(plan.selections().size());
    for (Selection s : plan.selections()) {
      selections.add(new Selection(passages.document(s.document()), passages.documentUnit(s.document(), s.unit()),
          s.reason()));
    }
    return new Plan(selections, toDocuments(passages, plan.leftovers()), toDocuments(passages, plan.duplicates()));
  }

  private static List<int[]> toDocuments(Passages passages, List<int[]> units) {
    List<int[]> out = new ArrayList<>(units.size());
    for (int[] x : units) {
      int[] mapped = new int[x.length];
      mapped[0] = passages.document(x[0]);
      for (int i = 1; i < x.length; i++) mapped[i] = passages.documentUnit(x[0], x[i]);
      out.add(mapped);
    }
    return out;
  }

  /** The exact count of a unit, a document or the whole input, from the cache when it was counted recently. */
  private int count(TokenCounter counter, String text) {
    return counts != null ? counts.count(counter, text) : counter.count(text);
  }

  private int[][] unitTokens(List<SegmentedDocument> documents, TokenCounter counter) {
    int[][] tokens = new int[documents.size()][];
    for (SegmentedDocument doc : documents) {
      int[] unitCounts = new int[doc.units().size()];
      for (int u = 0; u < unitCounts.length; u++) {
        unitCounts[u] = count(counter, doc.structure() == null ? doc.unitText(u) : doc.structure().keptText(doc, u));
      }
      tokens[doc.index()] = unitCounts;
    }
    return tokens;
  }

  private List<Compression.DocumentOutcome> outcomes(
      CompressionRequest request, List<SegmentedDocument> documents, double[] documentScores, List<Selection> kept,
      Renderer.Cut cut, int inputTokens, int outputTokens, TokenCounter counter) {
    Map<Integer, BitSet> keptByDocument = new HashMap<>();
    Map<Integer, Boolean> beyondSummary = new HashMap<>();
    for (Selection s : kept) {
      keptByDocument.computeIfAbsent(s.document(), d -> new BitSet()).set(s.unit());
      if (s.reason() != Reason.SUMMARY) beyondSummary.put(s.document(), true);
    }
    double top = 0;
    if (documentScores != null) for (double score : documentScores) top = Math.max(top, score);
    List<Compression.DocumentOutcome> outcomes = new ArrayList<>(documents.size());
    for (SegmentedDocument doc : documents) {
      int d = doc.index();
      BitSet units = keptByDocument.getOrDefault(d, new BitSet());
      int total = doc.units().size();
      // A single document renders alone exactly as the input and the output do: no need to count it again.
      boolean alone = documents.size() == 1;
      int before = alone ? inputTokens
          : count(counter, renderer.render(List.of(reindexed(doc)), List.of(all(total)), new int[] {0}, "", null));
      // A cut unit is the whole output, rendered in whatever frame fit: its count is the output's.
      int after = units.isEmpty() ? 0 : cut != null || alone ? outputTokens
          : counter.count(renderer.render(List.of(reindexed(doc)), List.of(units), new int[] {0},
              request.elisionMarker(), null));
      Decision decision;
      if (units.isEmpty()) decision = Decision.DROPPED;
      else if (units.cardinality() == total && (cut == null || cut.document() != d)) decision = Decision.FULL;
      else if (!beyondSummary.getOrDefault(d, false)) decision = Decision.SUMMARY;
      else decision = Decision.PARTIAL;
      Double score = documentScores == null ? null : top > 0 ? round(documentScores[d] / top) : 0.0;
      String id = request.documents().get(d).id();
      outcomes.add(new Compression.DocumentOutcome(id, d, decision, before, after, score, doc.format()));
    }
    return outcomes;
  }

  private static SegmentedDocument reindexed(SegmentedDocument doc) {
    return new SegmentedDocument(0, doc.title(), doc.text(), doc.units());
  }

  private static BitSet all(int n) {
    BitSet b = new BitSet();
    b.set(0, n);
    return b;
  }

  private static double round(double v) {
    return Math.round(v * 10_000.0) / 10_000.0;
  }

  private List<Compression.UnitExplanation> explain(
      List<SegmentedDocument> documents, Passages passages, Ranking ranking, List<Selection> kept,
      Set<Long> duplicates) {
    Map<Long, Selection> byUnit = new HashMap<>();
    for (Selection s : kept) byUnit.put(key(s.document(), s.unit()), s);
    List<Compression.UnitExplanation> out = new ArrayList<>();
    for (SegmentedDocument doc : documents) {
      boolean documentKept = false;
      for (int u = 0; u < doc.units().size() && !documentKept; u++) {
        documentKept = byUnit.containsKey(key(doc.index(), u));
      }
      for (int u = 0; u < doc.units().size(); u++) {
        Selection s = byUnit.get(key(doc.index(), u));
        String reason = s != null ? s.reason().label()
            : duplicates.contains(key(doc.index(), u)) ? "dropped-duplicate"
            : documentKept ? "dropped-budget" : "dropped-document";
        var unit = doc.units().get(u);
        int p = passages.passage(doc.index(), u);
        int pu = passages.passageUnit(doc.index(), u);
        var structure = doc.structure();
        out.add(new Compression.UnitExplanation(doc.index(), unit.start(), unit.end(), s != null, reason,
            ranking.unitScore(p, pu), ranking.explain(p, pu, settings.rank()),
            structure == null ? null : structure.locator(u), structure == null ? null : structure.note(u)));
      }
    }
    return out;
  }

  /** Each section of a long passage, with its score and what became of it. */
  private static List<Compression.SectionExplanation> explainSections(
      List<SegmentedDocument> documents, Passages passages, Ranking ranking, List<Selection> kept) {
    Map<Long, Reason> reasons = new HashMap<>();
    for (Selection s : kept) reasons.put(key(s.document(), s.unit()), s.reason());
    List<Compression.SectionExplanation> out = new ArrayList<>();
    for (Ranking.DocumentRanking r : ranking.documents()) {
      if (r.sections() == null || !r.sections().divided()) continue;
      int p = r.index();
      int d = passages.document(p);
      SegmentedDocument doc = documents.get(d);
      for (int s = 0; s < r.sections().count(); s++) {
        var section = r.sections().get(s);
        int keptUnits = 0;
        boolean refined = false;
        boolean summarised = false;
        for (int u = section.first(); u < section.end(); u++) {
          Reason reason = reasons.get(key(d, passages.documentUnit(p, u)));
          if (reason == null) continue;
          keptUnits++;
          if (reason == Reason.SUMMARY) summarised = true;
          else if (reason != Reason.HEADING) refined = true;
        }
        String decision = refined ? "opened" : summarised ? "summarised" : keptUnits > 0 ? "heading" : "dropped";
        int firstUnit = passages.documentUnit(p, section.first());
        int lastUnit = passages.documentUnit(p, section.end() - 1);
        String heading = section.heading() < 0 ? null : doc.unitText(passages.documentUnit(p, section.heading()));
        out.add(new Compression.SectionExplanation(d, doc.units().get(firstUnit).start(),
            doc.units().get(lastUnit).end(), heading, round(r.sectionScores()[s]), section.size(), keptUnits,
            decision));
      }
    }
    return out;
  }

  private static long key(int document, int unit) {
    return ((long) document << 32) | (unit & 0xFFFFFFFFL);
  }

  @Override
  public void close() {
    if (ahead != null) ahead.shutdown();
    if (encoder != null && ownsEncoder) encoder.close();
  }
}
