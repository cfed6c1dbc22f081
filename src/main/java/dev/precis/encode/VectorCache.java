package dev.precis.encode;

import dev.precis.tokens.TextKey;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A bounded least-recently-used map from a 128-bit text key to a vector. Keys are hashes of (model name, text), so
 * the cache holds no texts: a 384-dimensional entry takes about 1.6 KB (the vector plus about 100 bytes of key and
 * map entry). Two independent 64-bit hashes make an accidental collision negligible (about n²/2¹²⁹ for n entries).
 *
 * <p>Thread-safe: one lock, taken once per {@link #getAll}/{@link #putAll} batch. Vectors are copied in and out, so
 * callers may modify what they pass or receive.
 */
public final class VectorCache {
  private static final char DOCUMENT = 'D';
  private static final char QUERY = 'Q';

  private final int maxEntries;
  private final LinkedHashMap<TextKey, float[]> entries;

  public VectorCache(int maxEntries) {
    if (maxEntries < 1) throw new IllegalArgumentException("illegal maxEntries: " + maxEntries + ", must be >= 1");
    this.maxEntries = maxEntries;
    this.entries =
        new LinkedHashMap<>(Math.min(maxEntries, 1 << 16) * 4 / 3 + 1, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<TextKey, float[]> eldest) {
            return size() > VectorCache.this.maxEntries;
          }
        };
  }

  /** The key of {@code text} embedded as a document by model {@code modelName}. */
  public static TextKey key(String modelName, String text) {
    return TextKey.of(DOCUMENT, modelName, text);
  }

  /** The key of {@code query} embedded as a query (with the model's query prefix) by model {@code modelName}. */
  public static TextKey queryKey(String modelName, String query) {
    return TextKey.of(QUERY, modelName, query);
  }

  /** A copy of the vector under {@code key}, or null. Counts as a use. */
  public float[] get(TextKey key) {
    Objects.requireNonNull(key, "key");
    synchronized (entries) {
      float[] v = entries.get(key);
      return v == null ? null : v.clone();
    }
  }

  /** Copies of the vectors under {@code keys}, null where absent. */
  public float[][] getAll(TextKey[] keys) {
    float[][] out = new float[keys.length][];
    synchronized (entries) {
      for (int i = 0; i < keys.length; i++) {
        float[] v = entries.get(keys[i]);
        if (v != null) out[i] = v;
      }
    }
    for (int i = 0; i < out.length; i++) {
      if (out[i] != null) out[i] = out[i].clone();
    }
    return out;
  }

  /** Stores a copy of {@code vector} under {@code key}, evicting the least recently used entry when full. */
  public void put(TextKey key, float[] vector) {
    Objects.requireNonNull(key, "key");
    float[] copy = vector.clone();
    synchronized (entries) {
      entries.put(key, copy);
    }
  }

  /** Stores copies of {@code vectors[i]} under {@code keys[i]}. */
  public void putAll(TextKey[] keys, float[][] vectors) {
    if (keys.length != vectors.length) {
      throw new IllegalArgumentException(keys.length + " keys but " + vectors.length + " vectors");
    }
    float[][] copies = new float[vectors.length][];
    for (int i = 0; i < vectors.length; i++) copies[i] = vectors[i].clone();
    synchronized (entries) {
      for (int i = 0; i < keys.length; i++) entries.put(Objects.requireNonNull(keys[i], "key"), copies[i]);
    }
  }

  public int size() {
    synchronized (entries) {
      return entries.size();
    }
  }

  public int maxEntries() {
    return maxEntries;
  }

  public void clear() {
    synchronized (entries) {
      entries.clear();
    }
  }
}
