package dev.precis.encode;

import dev.precis.tokens.TextKey;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CachingSentenceEncoderTest {
  private static OnnxSentenceEncoder onnx;

  @BeforeAll
  static void load() {
    onnx = new OnnxSentenceEncoder(EncoderModel.ALL_MINILM_L6_V2_Q, Path.of("models"), 2, 16);
  }

  @AfterAll
  static void close() {
    onnx.close();
  }

  /** Wraps the shared ONNX encoder without closing it, counting the texts it is asked for. */
  private static final class Counting implements SentenceEncoder {
    final List<String> asked = new ArrayList<>();
    int queries;

    @Override
    public int dimension() {
      return onnx.dimension();
    }

    @Override
    public String modelName() {
      return onnx.modelName();
    }

    @Override
    public synchronized float[][] embed(List<String> texts) {
      asked.addAll(texts);
      return onnx.embed(texts);
    }

    @Override
    public synchronized float[] embedQuery(String query) {
      queries++;
      return onnx.embedQuery(query);
    }

    @Override
    public void close() {}
  }

  @Test
  void secondCallHitsTheCache() {
    Counting delegate = new Counting();
    CachingSentenceEncoder cached = new CachingSentenceEncoder(delegate, 100);
    List<String> texts = List.of("The cat sits on the mat", "Stock markets fell sharply today");
    long before = onnx.embeddedTexts();
    float[][] first = cached.embed(texts);
    assertEquals(before + 2, onnx.embeddedTexts());
    float[][] second = cached.embed(texts);
    assertEquals(before + 2, onnx.embeddedTexts());
    assertEquals(2, delegate.asked.size());
    assertEquals(2, cached.hits());
    assertEquals(2, cached.misses());
    assertEquals(2, cached.size());
    for (int i = 0; i < texts.size(); i++) {
      assertArrayEquals(first[i], second[i]);
      assertNotSame(first[i], second[i]);
    }
    // Callers cannot corrupt the cache through the arrays they get.
    second[0][0] = 42f;
    assertNotEquals(42f, cached.embed(List.of(texts.get(0)))[0][0]);

    float[] q1 = cached.embedQuery("where is the cat?");
    float[] q2 = cached.embedQuery("where is the cat?");
    assertArrayEquals(q1, q2);
    assertEquals(1, delegate.queries);
  }

  @Test
  void evictsLeastRecentlyUsedAtTheBound() {
    Counting delegate = new Counting();
    CachingSentenceEncoder cached = new CachingSentenceEncoder(delegate, 3);
    cached.embed(List.of("alpha", "beta", "gamma"));
    assertEquals(3, cached.size());
    cached.embed(List.of("alpha")); // alpha is now the most recent; beta the eldest
    cached.embed(List.of("delta")); // evicts beta
    assertEquals(3, cached.size());
    delegate.asked.clear();
    cached.embed(List.of("alpha", "gamma", "delta"));
    assertEquals(List.of(), delegate.asked);
    cached.embed(List.of("beta"));
    assertEquals(List.of("beta"), delegate.asked);
    assertEquals(3, cached.size());
  }

  @Test
  void mixedHitsAndMissesKeepInputOrder() {
    Counting delegate = new Counting();
    CachingSentenceEncoder cached = new CachingSentenceEncoder(delegate, 100);
    List<String> warm = List.of("one apple", "two pears are here", "three plums");
    cached.embed(warm);
    delegate.asked.clear();
    List<String> mixed =
        List.of("four figs", "one apple", "five kiwis and a very long tail of words", "three plums", "four figs",
            "two pears are here", "six limes");
    float[][] got = cached.embed(mixed);
    assertEquals(List.of("four figs", "five kiwis and a very long tail of words", "six limes"), delegate.asked);
    assertEquals(mixed.size(), got.length);
    // The quantised model's vectors shift slightly with their batch neighbours (cosine about 0.99), so check that
    // each vector is its own text's, not another one's.
    for (int i = 0; i < mixed.size(); i++) {
      float[] own = onnx.embed(List.of(mixed.get(i)))[0];
      double ownCosine = EncoderReferenceTest.cosine(own, got[i]);
      assertTrue(ownCosine > 0.98, mixed.get(i) + ": " + ownCosine);
      for (String other : mixed) {
        if (other.equals(mixed.get(i))) continue;
        double otherCosine = EncoderReferenceTest.cosine(onnx.embed(List.of(other))[0], got[i]);
        assertTrue(ownCosine > otherCosine + 0.05, mixed.get(i) + " vs " + other);
      }
    }
    assertArrayEquals(got[0], got[4]);
    assertNotSame(got[0], got[4]);
    assertEquals(3 + 3, cached.misses());
    assertEquals(4, cached.hits());
  }

  @Test
  void keysDependOnModelAndText() {
    assertEquals(VectorCache.key("m", "text"), VectorCache.key("m", "text"));
    assertNotEquals(VectorCache.key("m", "text"), VectorCache.key("n", "text"));
    assertNotEquals(VectorCache.key("m", "text"), VectorCache.key("m", "text "));
    assertNotEquals(VectorCache.key("ab", "c"), VectorCache.key("a", "bc"));
    assertNotEquals(VectorCache.key("m", "text"), VectorCache.queryKey("m", "text"));
    Set<TextKey> seen = new HashSet<>();
    for (int i = 0; i < 200_000; i++) assertTrue(seen.add(VectorCache.key("m", "text " + i)));
  }

  @Test
  void emptyListGivesEmptyArray() {
    Counting delegate = new Counting();
    CachingSentenceEncoder cached = new CachingSentenceEncoder(delegate, 10);
    assertEquals(0, cached.embed(List.of()).length);
    assertEquals(0, delegate.asked.size());
  }
}
