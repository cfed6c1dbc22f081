package dev.precis.encode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.precis.tokens.TextKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskVectorStoreTest {
  @TempDir
  Path folder;

  static float[] vector(int seed) {
    float[] v = new float[8];
    for (int i = 0; i < v.length; i++) v[i] = (float) Math.sin(seed * 7 + i);
    return v;
  }

  static TextKey key(int i) {
    return VectorCache.key("m", "text " + i);
  }

  @Test
  void vectorsSurviveAReopenInHalfPrecision() throws Exception {
    Path file = folder.resolve("m.vectors");
    try (DiskVectorStore store = new DiskVectorStore(file, "m", 8, 100)) {
      store.putAll(new TextKey[] {key(1), key(2)}, new float[][] {vector(1), vector(2)});
    }
    try (DiskVectorStore store = new DiskVectorStore(file, "m", 8, 100)) {
      float[][] got = store.getAll(new TextKey[] {key(2), key(3), key(1)});
      assertArrayEquals(vector(2), got[0], 1e-3f);
      assertNull(got[1]);
      assertArrayEquals(vector(1), got[2], 1e-3f);
    }
    // a torn last record (a crash mid-append) is dropped, the rest kept
    Files.write(file, new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);
    try (DiskVectorStore store = new DiskVectorStore(file, "m", 8, 100)) {
      assertEquals(2, store.size());
    }
    // another model's file is set aside, not read as this one's
    try (DiskVectorStore store = new DiskVectorStore(file, "other", 8, 100)) {
      assertEquals(0, store.size());
    }
    assertTrue(Files.exists(folder.resolve("m.vectors.other")));
  }

  @Test
  void boundedByEntriesKeepingTheMostRecentlyUsed() {
    try (DiskVectorStore store = new DiskVectorStore(folder.resolve("m.vectors"), "m", 8, 10)) {
      for (int i = 0; i < 10; i++) store.putAll(new TextKey[] {key(i)}, new float[][] {vector(i)});
      store.getAll(new TextKey[] {key(0)}); // used: kept
      store.putAll(new TextKey[] {key(10)}, new float[][] {vector(10)});
      assertEquals(5, store.size(), "compacted to the most recently used half");
      assertArrayEquals(vector(0), store.getAll(new TextKey[] {key(0)})[0], 1e-3f);
      assertArrayEquals(vector(10), store.getAll(new TextKey[] {key(10)})[0], 1e-3f);
      assertNull(store.getAll(new TextKey[] {key(1)})[0]);
    }
  }

  @Test
  void oneProcessAtATime() {
    try (DiskVectorStore store = new DiskVectorStore(folder.resolve("m.vectors"), "m", 8, 10)) {
      // the same JVM holds the lock: a second opening is refused like another process would be
      assertThrows(RuntimeException.class, () -> new DiskVectorStore(folder.resolve("m.vectors"), "m", 8, 10));
    }
  }

  @Test
  void theEncoderAsksItsDelegateOnlyForWhatNoRunEmbeddedBefore() {
    AtomicInteger asked = new AtomicInteger();
    SentenceEncoder counting = new SentenceEncoder() {
      @Override
      public int dimension() {
        return 8;
      }

      @Override
      public String modelName() {
        return "m";
      }

      @Override
      public float[][] embed(List<String> texts) {
        asked.addAndGet(texts.size());
        float[][] out = new float[texts.size()][];
        for (int i = 0; i < out.length; i++) out[i] = vector(texts.get(i).hashCode());
        return out;
      }

      @Override
      public float[] embedQuery(String query) {
        return vector(query.hashCode());
      }

      @Override
      public void close() {}
    };
    List<String> texts = new ArrayList<>(List.of("a", "b", "c"));
    try (CachingSentenceEncoder first = new CachingSentenceEncoder(counting, new VectorCache(100),
        new DiskVectorStore(folder.resolve("m.vectors"), "m", 8, 100))) {
      first.embed(texts);
    }
    assertEquals(3, asked.get());
    try (CachingSentenceEncoder restarted = new CachingSentenceEncoder(counting, new VectorCache(100),
        new DiskVectorStore(folder.resolve("m.vectors"), "m", 8, 100))) {
      texts.add("d");
      float[][] v = restarted.embed(texts);
      assertEquals(4, asked.get(), "only d is new");
      assertEquals(3, restarted.diskHits());
      assertArrayEquals(vector("b".hashCode()), v[1], 1e-3f);
    }
  }
}
