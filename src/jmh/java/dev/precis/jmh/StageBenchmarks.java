package dev.precis.jmh;

import dev.precis.encode.EncoderModel;
import dev.precis.encode.StaticEncoder;
import dev.precis.encode.WordPieceTokenizer;
import dev.precis.engine.PrecisEngine;
import dev.precis.engine.EngineSettings;
import dev.precis.plan.Plan;
import dev.precis.plan.PlanSettings;
import dev.precis.plan.Planner;
import dev.precis.quality.EvalExample;
import dev.precis.rank.Bm25Scorer;
import dev.precis.rank.RankSettings;
import dev.precis.rank.Ranker;
import dev.precis.rank.Ranking;
import dev.precis.segment.SegmentedDocument;
import dev.precis.segment.Segmenter;
import dev.precis.tokens.Tokenizers;
import java.io.IOException;
import java.io.InputStream;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The CPU stages of one nq20-sized request (20 passages, about 2.8k tokens), without the encoder: segmentation,
 * per-request BM25 index and search, WordPiece tokenisation of every unit as the encoder would see it, planning
 * to a 4x budget, and exact token counting of the rendered output. Every benchmark returns or consumes its result.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx1g"})
public class StageBenchmarks {
  private EvalExample example;
  private List<SegmentedDocument> documents;
  private List<String> encoderTexts;
  private Segmenter segmenter;
  private Bm25Scorer bm25;
  private WordPieceTokenizer wordPiece;
  private StaticEncoder staticVectors;
  private Planner planner;
  private Ranking ranking;
  private int[][] unitTokens;
  private int[] headerTokens;
  private int markerTokens;
  private int budget;
  private BitSet[] forced;
  private Tokenizers.TokenCounter counter;
  private String rendered;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    example = NqRequest.examples(1).get(0);
    documents = NqRequest.segmented(example);
    encoderTexts = NqRequest.encoderTexts(documents);
    segmenter = new Segmenter(NqRequest.MAX_UNIT_CHARS);
    bm25 = new Bm25Scorer(1.2f, 0.75f, 0.5f);
    try (InputStream in = getClass().getResourceAsStream(EncoderModel.BGE_SMALL_EN_V15_Q.tokenizerResource())) {
      if (in == null) throw new IllegalStateException("no tokenizer file: run ./mvnw process-resources first");
      wordPiece = WordPieceTokenizer.fromJson(in);
    }
    staticVectors = StaticEncoder.load(EncoderModel.BGE_SMALL_EN_V15_Q, null, wordPiece);
    counter = Tokenizers.forEncoding("cl100k_base").orElseThrow();
    planner = new Planner(PlanSettings.defaults());
    ranking = new Ranker(bm25, null).rank(example.question(), documents, RankSettings.defaults(),
        RankSettings.defaults().encoderTextLimit());
    unitTokens = new int[documents.size()][];
    headerTokens = new int[documents.size()];
    forced = new BitSet[documents.size()];
    int input = 0;
    for (SegmentedDocument doc : documents) {
      unitTokens[doc.index()] = new int[doc.units().size()];
      for (int u = 0; u < doc.units().size(); u++) {
        unitTokens[doc.index()][u] = counter.count(doc.unitText(u));
        input += unitTokens[doc.index()][u];
      }
      headerTokens[doc.index()] = 1 + counter.count(doc.title() + "\n");
      forced[doc.index()] = new BitSet();
    }
    markerTokens = counter.count(" …");
    budget = input / 4;
    try (PrecisEngine engine = PrecisEngine.create(EngineSettings.defaults().withEncoder(false))) {
      rendered = engine.compress(NqRequest.request(example)).text();
    }
    if (rendered.isEmpty()) throw new IllegalStateException("empty rendered output");
  }

  /** Segments the 20 passages into units. */
  @Benchmark
  public void segment(Blackhole bh) {
    for (EvalExample.Document d : example.documents()) bh.consume(segmenter.segment(d.text()));
  }

  /** Analyses every unit once and scores every unit and document against the question with Lucene's BM25. */
  @Benchmark
  public Bm25Scorer.Scores bm25() {
    return bm25.score(example.question(), documents);
  }

  /** Static-vector soft term match of every unit (title in front) against the question, tokenisation included. */
  @Benchmark
  public float[] softMatch() {
    int[][] ids = staticVectors.tokenize(encoderTexts);
    return staticVectors.softMatch(wordPiece.wordPieceIds(example.question()), ids, staticVectors.requestWeights(ids));
  }

  /** WordPiece token ids of every unit with its title in front (about 130 texts), as the encoder gets them. */
  @Benchmark
  public int wordPiece() {
    int pieces = 0;
    for (String text : encoderTexts) pieces += wordPiece.encode(text, 128).length;
    return pieces;
  }

  /** Coarse summaries and refinement to a 4x budget, from a BM25 ranking. */
  @Benchmark
  public Plan plan() {
    return planner.plan(documents, ranking, unitTokens, headerTokens, markerTokens, budget, forced);
  }

  /** Exact cl100k_base count of a rendered 4x output (about 700 tokens). */
  @Benchmark
  public int countRenderedOutput() {
    return counter.count(rendered);
  }

  /** Exact cl100k_base count of every unit, as the engine does before planning. */
  @Benchmark
  public int countUnits() {
    int total = 0;
    for (SegmentedDocument doc : documents) {
      for (int u = 0; u < doc.units().size(); u++) total += counter.count(doc.unitText(u));
    }
    return total;
  }

  @TearDown(Level.Trial)
  public void check() {
    if (documents.isEmpty() || encoderTexts.isEmpty()) throw new IllegalStateException("no input");
  }
}
