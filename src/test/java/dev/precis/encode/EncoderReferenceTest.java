package dev.precis.encode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EncoderReferenceTest {
  private static final String CAT = "The cat sits on the mat";
  private static final String RUG = "A cat is sitting on a rug";
  private static final String STOCKS = "Stock markets fell sharply today";

  private static OnnxSentenceEncoder minilm;
  private static OnnxSentenceEncoder bge;

  @BeforeAll
  static void load() {
    minilm = new OnnxSentenceEncoder(EncoderModel.ALL_MINILM_L6_V2_Q, Path.of("models"), 2, 32);
    bge = new OnnxSentenceEncoder(EncoderModel.BGE_SMALL_EN_V15_Q, Path.of("models"), 2, 32);
  }

  @AfterAll
  static void close() {
    minilm.close();
    bge.close();
  }

  static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  @Test
  void minilmMatchesReferenceCosines() {
    float[][] v = minilm.embed(List.of(CAT, RUG, STOCKS));
    double rug = cosine(v[0], v[1]);
    double stocks = cosine(v[0], v[2]);
    System.out.printf("MiniLM-q: cos(cat, rug) = %.4f, cos(cat, stocks) = %.4f%n", rug, stocks);
    assertEquals(0.7565, rug, 0.01);
    assertEquals(0.0753, stocks, 0.01);
    assertEquals(384, minilm.dimension());
    assertEquals("all-minilm-l6-v2-q", minilm.modelName());
  }

  @Test
  void bgeSeparatesRelatedFromUnrelated() {
    float[][] v = bge.embed(List.of(CAT, RUG, STOCKS));
    double rug = cosine(v[0], v[1]);
    double stocks = cosine(v[0], v[2]);
    float[] query = bge.embedQuery("where is the cat sitting?");
    System.out.printf(
        "bge-small-q: cos(cat, rug) = %.4f, cos(cat, stocks) = %.4f, cos(query, cat) = %.4f, cos(query, stocks) ="
            + " %.4f%n",
        rug, stocks, cosine(query, v[0]), cosine(query, v[2]));
    assertTrue(rug > stocks + 0.3, "cat/rug " + rug + " vs cat/stocks " + stocks);
    assertTrue(cosine(query, v[0]) > cosine(query, v[2]));
  }

  @Test
  void vectorsHaveUnitLength() {
    for (OnnxSentenceEncoder encoder : List.of(minilm, bge)) {
      float[][] v = encoder.embed(List.of(CAT, "", "x", "A much longer sentence. ".repeat(40)));
      for (float[] vector : v) {
        assertEquals(384, vector.length);
        double norm = 0;
        for (float x : vector) norm += (double) x * x;
        assertEquals(1.0, Math.sqrt(norm), 1e-4, encoder.modelName());
      }
    }
  }

  /**
   * The quantised models quantise activations per tensor, so a vector shifts slightly with its batch neighbours (not
   * only with padding); it stays the same text's vector.
   */
  @Test
  void batchedEqualsAlone() {
    List<String> similar =
        List.of(
            "The cat sits on the mat",
            "A dog lies on the sofa",
            "The bird sings in a tree",
            "Two fish swim in a bowl",
            "The sun rises in the east");
    for (OnnxSentenceEncoder encoder : List.of(minilm, bge)) {
      float[][] batch = encoder.embed(similar);
      for (int i = 0; i < similar.size(); i++) {
        float[] alone = encoder.embed(List.of(similar.get(i)))[0];
        double c = cosine(alone, batch[i]);
        assertTrue(c > 0.99, encoder.modelName() + " text " + i + " cosine " + c);
      }
    }
  }

  @Test
  void orderIsPreservedForMixedLengths() {
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      texts.add(("sentence number " + i + " about topic " + (i % 7) + ". ").repeat(1 + (i * 7) % 11));
    }
    OnnxSentenceEncoder small = new OnnxSentenceEncoder(EncoderModel.ALL_MINILM_L6_V2_Q, Path.of("models"), 2, 4);
    try {
      long textsBefore = small.embeddedTexts();
      float[][] batch = small.embed(texts);
      assertEquals(texts.size(), batch.length);
      assertEquals(textsBefore + texts.size(), small.embeddedTexts());
      for (int i = 0; i < texts.size(); i++) {
        float[] alone = small.embed(List.of(texts.get(i)))[0];
        double c = cosine(alone, batch[i]);
        assertTrue(c > 0.98, "text " + i + " cosine " + c);
      }
      long expectedPieces = 0;
      for (String t : texts) expectedPieces += small.tokenizer().encode(t, 128).length;
      assertEquals(2 * expectedPieces, small.embeddedWordPieces());
    } finally {
      small.close();
    }
  }

  @Test
  void batchesRunSideBySideGiveTheSameVectorsUnderConcurrentCallers() throws Exception {
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 48; i++) {
      texts.add(("clause " + i + " of a paragraph on subject " + (i % 5) + ", ").repeat(1 + (i * 5) % 9));
    }
    OnnxSentenceEncoder parallel = new OnnxSentenceEncoder(EncoderModel.ALL_MINILM_L6_V2_Q, Path.of("models"), 3, 8);
    try {
      float[][] expected = parallel.embed(texts);
      var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
      try {
        List<java.util.concurrent.Future<float[][]>> results = new ArrayList<>();
        for (int call = 0; call < 12; call++) results.add(pool.submit(() -> parallel.embed(texts)));
        for (var result : results) {
          float[][] vectors = result.get();
          for (int i = 0; i < texts.size(); i++) {
            assertTrue(java.util.Arrays.equals(expected[i], vectors[i]), "text " + i + " differs between calls");
          }
        }
      } finally {
        pool.shutdownNow();
      }
    } finally {
      parallel.close();
    }
    assertThrows(IllegalStateException.class, () -> parallel.embed(texts));
  }

  @Test
  void withTextsRunAloneAVectorDoesNotDependOnTheTextsEmbeddedWithIt() {
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      texts.add(("sentence " + i + " about topic " + (i % 4) + " and more, ").repeat(1 + (i * 7) % 6));
    }
    try (OnnxSentenceEncoder alone = new OnnxSentenceEncoder(EncoderModel.BGE_SMALL_EN_V15_Q, Path.of("models"), 2, 1);
        OnnxSentenceEncoder batched =
            new OnnxSentenceEncoder(EncoderModel.BGE_SMALL_EN_V15_Q, Path.of("models"), 1, 32)) {
      float[][] together = alone.embed(texts);
      float[][] inBatches = batched.embed(texts);
      int differingInBatches = 0;
      for (int i = 0; i < texts.size(); i++) {
        float[] single = alone.embed(List.of(texts.get(i)))[0];
        assertTrue(java.util.Arrays.equals(single, together[i]), "text " + i + " differs with other texts beside it");
        assertTrue(java.util.Arrays.equals(single, alone.embed(List.of(texts.get((i + 1) % 24), texts.get(i)))[1]),
            "text " + i + " differs beside one other text");
        if (!java.util.Arrays.equals(single, inBatches[i])) differingInBatches++;
      }
      // The reason for running texts alone: in a shared batch the quantised activations differ.
      assertTrue(differingInBatches > 0, "batched vectors were all identical to single ones");
    }
  }

  @Test
  void emptyListGivesEmptyArray() {
    assertEquals(0, minilm.embed(List.of()).length);
    assertEquals(0, bge.embed(List.of()).length);
  }

  @Test
  void queryPrefixIsApplied() {
    assertEquals("", EncoderModel.ALL_MINILM_L6_V2_Q.queryPrefix());
    float[] q = minilm.embedQuery(CAT);
    assertTrue(cosine(q, minilm.embed(List.of(CAT))[0]) > 0.9999);
    float[] bq = bge.embedQuery(CAT);
    float[] prefixed = bge.embed(List.of(EncoderModel.BGE_SMALL_EN_V15_Q.queryPrefix() + CAT))[0];
    assertTrue(cosine(bq, prefixed) > 0.9999);
  }

  @Test
  void missingModelFailsClearly() {
    EncoderModel absent =
        new EncoderModel("absent", "absent.onnx", "absent-tokenizer.json", EncoderModel.Pooling.MEAN, 384, 128, "");
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> new OnnxSentenceEncoder(absent, Path.of("models"), 1, 8));
    assertTrue(e.getMessage().contains("run ./mvnw generate-resources"), e.getMessage());
    assertTrue(e.getMessage().contains("absent.onnx"), e.getMessage());
    assertTrue(e.getMessage().contains("classpath:/models/absent.onnx"), e.getMessage());
  }

  @Test
  void closedEncoderRejectsCalls() {
    OnnxSentenceEncoder encoder = new OnnxSentenceEncoder(EncoderModel.ALL_MINILM_L6_V2_Q, Path.of("models"), 1, 8);
    encoder.close();
    encoder.close();
    assertThrows(IllegalStateException.class, () -> encoder.embed(List.of("x")));
  }
}
