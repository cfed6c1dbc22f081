package dev.precis.encode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

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
  void vectorsComeBackInHalfPrecisionForTheSameModelAndTexts() {
    float[][] vectors = vectors(7);
    byte[] blob = StoredUnitVectors.encode("bge-small", TEXTS, vectors);
    assertEquals(4 + 2 + 9 + 4 + 4 + 16 + 2 * 384 * 2, blob.length);
    float[][] back = StoredUnitVectors.decode(blob, "bge-small", TEXTS);
    for (int i = 0; i < vectors.length; i++) {
      for (int d = 0; d < 384; d++) assertEquals(vectors[i][d], back[i][d], 1e-3, "unit " + i + " dimension " + d);
    }
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
