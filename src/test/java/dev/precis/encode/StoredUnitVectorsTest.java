package dev.precis.encode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StoredUnitVectorsTest {
  private static final List<String> TEXTS =
      List.of("VACUUM: VACUUM reclaims storage.", "VACUUM: It can run in parallel.");

  private static float[][] vectors(long seed) {
    Random random = new Random(seed);
    float[][] v = new float[TEXTS.size()][384];
    for (float[] row : v) for (int d = 0; d < row.length; d++) row[d] = (float) random.nextGaussian() / 20;
    return v;
  }

  @Test
  void vectorsComeBackAtOneBytePerDimensionForTheSameModelAndTexts() {
    float[][] vectors = vectors(7);
    byte[] blob = StoredUnitVectors.encode("bge-small", TEXTS, vectors);
    assertEquals(4 + 2 + 9 + 4 + 4 + 16 + 2 * (4 + 384), blob.length);
    float[][] back = StoredUnitVectors.decode(blob, "bge-small", TEXTS);
    for (int i = 0; i < vectors.length; i++) {
      float max = 0;
      for (float x : vectors[i]) max = Math.max(max, Math.abs(x));
      for (int d = 0; d < 384; d++) {
        assertEquals(vectors[i][d], back[i][d], max / 254 + 1e-7, "unit " + i + " dimension " + d);
      }
      assertTrue(cosine(vectors[i], back[i]) > 0.9999, "unit " + i + ": cosine " + cosine(vectors[i], back[i]));
    }
  }

  /** A blob of half precision vectors, as kept before int8, is still read. */
  @Test
  void halfPrecisionBlobsWrittenBeforeAreRead() {
    float[][] vectors = vectors(7);
    java.nio.ByteBuffer old = java.nio.ByteBuffer.allocate(4 + 2 + 9 + 4 + 4 + 16 + 2 * 384 * 2);
    byte[] current = StoredUnitVectors.encode("bge-small", TEXTS, vectors);
    old.putInt(0x50555631).put(current, 4, 2 + 9 + 4 + 4 + 16); // the same header and fingerprint
    for (float[] v : vectors) for (float x : v) old.putShort(Float.floatToFloat16(x));
    float[][] back = StoredUnitVectors.decode(old.array(), "bge-small", TEXTS);
    for (int i = 0; i < vectors.length; i++) {
      for (int d = 0; d < 384; d++) assertEquals(vectors[i][d], back[i][d], 1e-3, "unit " + i + " dimension " + d);
    }
  }

  private static double cosine(float[] a, float[] b) {
    double ab = 0;
    double aa = 0;
    double bb = 0;
    for (int i = 0; i < a.length; i++) {
      ab += a[i] * b[i];
      aa += a[i] * a[i];
      bb += b[i] * b[i];
    }
    return ab / Math.sqrt(aa * bb);
  }

  @Test
  void aBlobOfOtherTextsAnotherModelOrCutShortIsNotUsed() {
    byte[] blob = StoredUnitVectors.encode("bge-small", TEXTS, vectors(7));
    assertNull(StoredUnitVectors.decode(blob, "bge-small", List.of(TEXTS.get(0), "VACUUM: It runs in parallel.")));
    assertNull(StoredUnitVectors.decode(blob, "bge-small", TEXTS.subList(0, 1)));
    assertNull(StoredUnitVectors.decode(blob, "minilm", TEXTS));
    assertNull(StoredUnitVectors.decode(Arrays.copyOf(blob, blob.length - 1), "bge-small", TEXTS));
    assertNull(StoredUnitVectors.decode(new byte[] {1, 2, 3}, "bge-small", TEXTS));
    assertNull(StoredUnitVectors.decode(null, "bge-small", TEXTS));
    Random random = new Random(11);
    for (int i = 0; i < 200; i++) {
      byte[] noise = new byte[random.nextInt(2000)];
      random.nextBytes(noise);
      assertNull(StoredUnitVectors.decode(noise, "bge-small", TEXTS));
    }
  }
}
