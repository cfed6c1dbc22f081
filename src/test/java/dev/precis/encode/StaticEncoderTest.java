package dev.precis.encode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.precis.encode.StaticVectorsBuilder.Encoding;
import dev.precis.encode.StaticVectorsBuilder.Options;
import dev.precis.encode.StaticVectorsBuilder.Reduction;
import dev.precis.encode.StaticVectorsBuilder.Source;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StaticEncoderTest {
  private static final Path MODELS = Path.of("models");
  private static final EncoderModel MINILM = EncoderModel.ALL_MINILM_L6_V2_Q;

  private static WordPieceTokenizer tokenizer;
  private static String[] vocab;

  @BeforeAll
  static void loadTokenizer() throws IOException {
    Path json = MODELS.resolve(MINILM.tokenizerFile());
    try (InputStream a = Files.newInputStream(json);
        InputStream b = Files.newInputStream(json)) {
      tokenizer = WordPieceTokenizer.fromJson(a);
      vocab = StaticVectorsBuilder.readVocab(b);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Tokenizer addition

  @Test
  void wordPieceIdsAreEncodeWithoutSpecials() {
    for (String text : List.of("", "Hello, world!", "Unaffordable tokenisation of ümlauts", "a [SEP] b")) {
      int[] withSpecials = tokenizer.encode(text, 10_000);
      int[] ids = tokenizer.wordPieceIds(text);
      assertArrayEquals(java.util.Arrays.copyOfRange(withSpecials, 1, withSpecials.length - 1), ids, text);
      assertEquals(tokenizer.countWordPieces(text), ids.length);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Builder pieces

  @Test
  void ranksExcludeSpecialsAndPutSingleCharactersFirst() {
    int[] ranks = StaticVectorsBuilder.ranks(vocab);
    assertEquals(0, ranks[tokenizer.padId()]);
    assertEquals(0, ranks[tokenizer.unkId()]);
    assertEquals(0, ranks[tokenizer.clsId()]);
    assertEquals(0, ranks[tokenizer.sepId()]);
    assertEquals(1, ranks[tokenizer.wordPieceIds(".")[0]]);
    int the = tokenizer.wordPieceIds("the")[0];
    int rare = tokenizer.wordPieceIds("necessitated")[0];
    assertEquals(1, ranks[the]);
    assertTrue(ranks[rare] > 20_000, "rank of a rare word: " + ranks[rare]);
  }

  @Test
  void eigenDecomposesASymmetricMatrix() {
    Random random = new Random(7);
    int n = 24;
    double[][] a = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j <= i; j++) {
        a[i][j] = random.nextGaussian();
        a[j][i] = a[i][j];
      }
    }
    StaticVectorsBuilder.Eigen eigen = StaticVectorsBuilder.symmetricEigen(a);
    for (int k = 0; k < n; k++) {
      if (k > 0) assertTrue(eigen.values()[k] <= eigen.values()[k - 1], "eigenvalues fall");
      double[] v = eigen.vectors()[k];
      for (int i = 0; i < n; i++) {
        double av = 0;
        for (int j = 0; j < n; j++) av += a[i][j] * v[j];
        assertEquals(eigen.values()[k] * v[i], av, 1e-9);
      }
      for (int m = 0; m < n; m++) {
        double dot = 0;
        for (int j = 0; j < n; j++) dot += v[j] * eigen.vectors()[m][j];
        assertEquals(k == m ? 1.0 : 0.0, dot, 1e-9);
      }
    }
  }

  @Test
  void postprocessGivesUnitRowsAndZeroSpecials() {
    Random random = new Random(3);
    int n = 400;
    int[] ranks = new int[n];
    float[][] raw = new float[n][];
    for (int i = 0; i < n; i++) {
      ranks[i] = i < 10 ? 0 : i;
      if (i % 50 == 49) continue; // no output for this id
      raw[i] = new float[32];
      for (int d = 0; d < 32; d++) raw[i][d] = (float) (random.nextGaussian() + 3); // a big common component
    }
    for (Reduction reduction : Reduction.values()) {
      float[][] rows = StaticVectorsBuilder.postprocess(raw, ranks, reduction, 16);
      int dim = reduction == Reduction.PCA || reduction == Reduction.WHITEN ? 16 : 32;
      for (int i = 0; i < n; i++) {
        assertEquals(dim, rows[i].length);
        double norm = 0;
        for (float x : rows[i]) norm += x * x;
        boolean zero = ranks[i] == 0 || raw[i] == null;
        assertEquals(zero ? 0.0 : 1.0, norm, 1e-4, reduction + " row " + i);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // File format and embedding, on synthetic vectors

  /** A synthetic file: vocabulary-sized, 8 dimensions, random rows (zero for the specials). */
  private static StaticEncoder synthetic(Encoding encoding, float[][] rowsOut) throws IOException {
    Random random = new Random(11);
    int[] ranks = StaticVectorsBuilder.ranks(vocab);
    float[][] rows = new float[vocab.length][8];
    for (int i = 0; i < rows.length; i++) {
      if (ranks[i] == 0) continue;
      for (int d = 0; d < 8; d++) rows[i][d] = (float) random.nextGaussian();
      StaticVectorsBuilder.normalise(rows[i]);
    }
    System.arraycopy(rows, 0, rowsOut, 0, rows.length);
    Path file = Files.createTempFile("static", ".bin");
    try {
      StaticVectorsBuilder.write(file, "synthetic", "test", rows, ranks, encoding);
      try (InputStream in = Files.newInputStream(file)) {
        return StaticEncoder.read(in, tokenizer);
      }
    } finally {
      Files.deleteIfExists(file);
    }
  }

  @Test
  void embedsTheWeightedMeanOfThePieces() throws IOException {
    for (Encoding encoding : Encoding.values()) {
      float[][] rows = new float[vocab.length][];
      StaticEncoder enc = synthetic(encoding, rows);
      assertEquals("synthetic", enc.modelName());
      assertEquals("test", enc.variant());
      assertEquals(8, enc.dimension());
      String text = "The whale swam past [UNK] the ship.";
      int[] ids = tokenizer.wordPieceIds(text);
      float[] weights = enc.priorWeights();
      float[] expected = new float[8];
      for (int id : ids) {
        for (int d = 0; d < 8; d++) expected[d] += weights[id] * rows[id][d];
      }
      StaticVectorsBuilder.normalise(expected);
      float[] actual = enc.embed(List.of(text), null)[0];
      float tolerance = encoding == Encoding.INT8 ? 0.02f : 0.002f;
      assertArrayEquals(expected, actual, tolerance, encoding.name());
      assertArrayEquals(actual, enc.embedQuery(text), 0f);
    }
  }

  @Test
  void idfWeighsRequestWordsByRarityAndSpecialsZero() throws IOException {
    StaticEncoder enc = synthetic(Encoding.INT8, new float[vocab.length][]);
    List<String> texts = List.of("the cat sat", "the dog ran", "the cat ran");
    float[] idf = enc.idf(texts);
    int the = tokenizer.wordPieceIds("the")[0];
    int cat = tokenizer.wordPieceIds("cat")[0];
    int sat = tokenizer.wordPieceIds("sat")[0];
    int absent = tokenizer.wordPieceIds("whale")[0];
    assertTrue(idf[the] < idf[cat] && idf[cat] < idf[sat] && idf[sat] < idf[absent]);
    assertEquals(Math.log(4 / 3.5), idf[the], 1e-6);
    assertEquals(0f, idf[tokenizer.unkId()]);
    assertEquals(0f, idf[tokenizer.clsId()]);
  }

  @Test
  void textWithoutWeightedPiecesGivesAZeroVector() throws IOException {
    StaticEncoder enc = synthetic(Encoding.INT8, new float[vocab.length][]);
    float[][] vectors = enc.embed(List.of("", "[UNK] [CLS]"), null);
    for (float[] v : vectors) assertArrayEquals(new float[8], v, 0f);
    assertEquals(0, enc.embed(List.of(), null).length);
  }

  @Test
  void softMatchCountsQueryPiecesByTheirBestMatch() throws IOException {
    StaticEncoder enc = synthetic(Encoding.INT8, new float[vocab.length][]);
    List<String> texts = List.of("the whale swam", "stocks fell", "a whale and a ship");
    int[][] ids = enc.tokenize(texts);
    float[] weights = enc.requestWeights(ids);
    int whale = tokenizer.wordPieceIds("whale")[0];
    int ship = tokenizer.wordPieceIds("ship")[0];
    float[] scores = enc.softMatch(tokenizer.wordPieceIds("whale ship [UNK]"), ids, weights);
    // Text 2 holds both query pieces, text 0 one of them (plus the other's best similarity there).
    assertEquals(weights[whale] + weights[ship], scores[2], 0.02f);
    assertTrue(scores[0] >= weights[whale] - 0.02f);
    assertTrue(scores[2] > scores[0] && scores[2] > scores[1]);
    float[] row = enc.row(whale);
    assertEquals(1.0, StaticEncoder.dot(row, row), 0.02);
    assertArrayEquals(new float[3], enc.softMatch(new int[0], ids, weights), 0f);
  }

  @Test
  void embedRequestUsesTheRequestWeightsForTextsAndQuery() throws IOException {
    StaticEncoder enc = synthetic(Encoding.INT8, new float[vocab.length][]);
    List<String> texts = List.of("the whale swam", "stocks fell today");
    StaticEncoder.Embedded e = enc.embedRequest(texts, "where did the whale swim");
    float[] weights = enc.requestWeights(texts);
    assertArrayEquals(weights, e.weights(), 0f);
    float[][] vectors = enc.embed(texts, weights);
    float[] q = enc.embedQuery("where did the whale swim", weights);
    for (int i = 0; i < texts.size(); i++) assertArrayEquals(vectors[i], e.texts()[i], 0f);
    assertArrayEquals(q, e.query(), 0f);
    assertEquals(StaticEncoder.dot(q, vectors[1]), e.scores()[1], 1e-6f);
    float[] idf = enc.idf(texts);
    float[] prior = enc.priorWeights();
    int whale = tokenizer.wordPieceIds("whale")[0];
    assertEquals(idf[whale] * prior[whale], weights[whale], 1e-6f);
  }

  @Test
  void rejectsBadFiles() {
    assertThrows(IOException.class, () -> StaticEncoder.read(new ByteArrayInputStream(new byte[20]), tokenizer));
    byte[] truncated = new byte[] {'P', 'R', 'E', 'C', 'I', 'S', 'S', 'V', 0, 0, 0, 1, 0, 1, 'x', 0, 1, 'y'};
    assertThrows(IOException.class, () -> StaticEncoder.read(new ByteArrayInputStream(truncated), tokenizer));
  }

  @Test
  void isThreadSafe() throws Exception {
    StaticEncoder enc = synthetic(Encoding.INT8, new float[vocab.length][]);
    List<String> texts = List.of("Moby-Dick is a novel by Herman Melville.", "It was published in 1851.");
    float[][] expected = enc.embed(texts, null);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<float[][]>> results = new java.util.ArrayList<>();
      for (int i = 0; i < 16; i++) results.add(pool.submit(() -> enc.embed(texts, null)));
      for (Future<float[][]> f : results) {
        float[][] got = f.get();
        for (int i = 0; i < expected.length; i++) assertArrayEquals(expected[i], got[i], 0f);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // The builder on the real model, for a small id range (the whole vocabulary takes tens of seconds)

  @Test
  void buildsFromTheModelForAnIdRange(@TempDir Path dir) throws IOException {
    Path file = dir.resolve(StaticEncoder.fileName(MINILM.name()));
    // The 400 most frequent words; PCA to 32 dimensions keeps the test small.
    Options options = new Options(Source.TOKEN, Reduction.PCA, 32, Encoding.INT8);
    StaticVectorsBuilder.build(MINILM, MODELS, file, options, 1996, 2396, 2);
    Path onnx = MODELS.resolve(MINILM.onnxFile());
    String partial = options.describe() + " ids 1996:2396";
    assertTrue(StaticVectorsBuilder.upToDate(file, MINILM.name(), partial, onnx));
    assertTrue(!StaticVectorsBuilder.upToDate(file, MINILM.name(), options.describe(), onnx), "partial is not full");
    assertTrue(!StaticVectorsBuilder.upToDate(file, MINILM.name(), "pooled/none/int8", onnx));
    assertTrue(!StaticVectorsBuilder.upToDate(file, "other-model", partial, onnx));

    StaticEncoder enc = StaticEncoder.load(MINILM, dir);
    assertEquals(MINILM.name(), enc.modelName());
    assertEquals(32, enc.dimension());
    // Ids outside the range have zero vectors: a text of such pieces only has a zero vector.
    assertArrayEquals(new float[32], enc.embedQuery("necessitated"), 0f);
    float[] he = enc.embedQuery("he");
    float[] she = enc.embedQuery("she");
    float[] after = enc.embedQuery("after");
    assertEquals(1.0, StaticEncoder.dot(he, he), 1e-4);
    assertTrue(
        StaticEncoder.dot(he, she) > StaticEncoder.dot(he, after),
        "he~she " + StaticEncoder.dot(he, she) + " vs he~after " + StaticEncoder.dot(he, after));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // The real files, when the build has made them

  @Test
  void realVectorsRankRelatedSentencesFirst() {
    List<String> texts = List.of(
        "Herman Melville's book follows a sea captain hunting a great sperm whale.",
        "The stock market fell sharply on Tuesday after the bank report.",
        "Paris is the largest city and the seat of the French government.",
        "The recipe needs two cups of flour and an egg.",
        "Immunisation trains the immune system to recognise a virus.",
        "The football club signed a new striker in the summer transfer window.");
    String[] questions = {
      "Who wrote the novel about the white whale?",
      "What is the capital city of France?",
      "How do vaccines protect against disease?",
      "Which team bought a new forward?",
      "How much flour goes into the cake?",
      "Why did share prices drop?"
    };
    int[] related = {0, 2, 4, 5, 3, 1};
    int checked = 0;
    for (EncoderModel model : EncoderModel.known()) {
      Path file = MODELS.resolve(StaticEncoder.fileName(model.name()));
      boolean onClasspath = StaticEncoder.class.getResource("/models/" + StaticEncoder.fileName(model.name())) != null;
      if (!Files.isRegularFile(file) && !onClasspath) continue;
      checked++;
      StaticEncoder enc = StaticEncoder.load(model, MODELS);
      assertEquals(30_522, enc.vocabSize());
      int[][] ids = enc.tokenize(texts);
      float[] weights = enc.requestWeights(ids);
      for (int q = 0; q < questions.length; q++) {
        float[] prior = new float[texts.size()];
        float[][] priorVectors = enc.embed(texts, null);
        float[] priorQuery = enc.embedQuery(questions[q]);
        for (int i = 0; i < prior.length; i++) prior[i] = StaticEncoder.dot(priorQuery, priorVectors[i]);
        float[] request = enc.embedRequest(texts, questions[q]).scores();
        float[] soft = enc.softMatch(tokenizer.wordPieceIds(questions[q]), ids, weights);
        for (float[] scores : List.of(prior, request, soft)) {
          assertEquals(
              related[q], argmax(scores),
              model.name() + ": '" + questions[q] + "' scores " + java.util.Arrays.toString(scores));
        }
      }
    }
    assumeTrue(checked > 0, "no static vectors file built yet (./mvnw process-classes)");
  }

  private static int argmax(float[] values) {
    int best = 0;
    for (int i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
    return best;
  }

  @Test
  void loadNamesThePathsItTried(@TempDir Path dir) {
    EncoderModel absent = new EncoderModel("absent-model", "absent.onnx", MINILM.tokenizerFile(),
        EncoderModel.Pooling.MEAN, 384, 128, "");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> StaticEncoder.load(absent, MODELS));
    assertTrue(e.getMessage().contains("absent-model.static.bin"), e.getMessage());
  }
}
