package dev.precis.encode;

import dev.precis.tokens.TextKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * A {@link SentenceEncoder} that remembers vectors in a {@link VectorCache} and asks its delegate only for the texts
 * it has not seen, in one batch call. Thread-safe when the delegate is; two threads missing the same text at the same
 * time may both compute it. Closing it closes the delegate.
 */
public final class CachingSentenceEncoder implements SentenceEncoder {
  public static final int DEFAULT_MAX_ENTRIES = 20_000;

  private final SentenceEncoder delegate;
  private final VectorCache cache;
  private final DiskVectorStore disk;
  private final LongAdder hits = new LongAdder();
  private final LongAdder diskHits = new LongAdder();
  private final LongAdder misses = new LongAdder();

  /** Caches at most {@code maxEntries} vectors of {@code delegate}. */
  public CachingSentenceEncoder(SentenceEncoder delegate, int maxEntries) {
    this(delegate, new VectorCache(maxEntries));
  }

  /** Caches vectors of {@code delegate} in {@code cache}, which may be shared: its keys include the model name. */
  public CachingSentenceEncoder(SentenceEncoder delegate, VectorCache cache) {
    this(delegate, cache, null);
  }

  /**
   * With a second tier on disk: a text missing from {@code cache} is looked up in {@code disk} before the delegate
   * is asked, and what the delegate computes goes to both (queries stay in memory only).
   */
  public CachingSentenceEncoder(SentenceEncoder delegate, VectorCache cache, DiskVectorStore disk) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.cache = Objects.requireNonNull(cache, "cache");
    this.disk = disk;
  }

  @Override
  public int dimension() {
    return delegate.dimension();
  }

  @Override
  public String modelName() {
    return delegate.modelName();
  }

  @Override
  public float[][] embed(List<String> texts) {
    Objects.requireNonNull(texts, "texts");
    int n = texts.size();
    if (n == 0) return new float[0][];
    String model = delegate.modelName();
    TextKey[] keys = new TextKey[n];
    for (int i = 0; i < n; i++) {
      keys[i] = VectorCache.key(model, Objects.requireNonNull(texts.get(i), "texts[" + i + "]"));
    }
    float[][] out = cache.getAll(keys);

    // The distinct missing texts, each embedded once.
    Map<TextKey, Integer> missIndex = new HashMap<>();
    List<String> missTexts = new ArrayList<>();
    List<TextKey> missKeys = new ArrayList<>();
    int[] missOf = new int[n];
    Arrays.fill(missOf, -1);
    for (int i = 0; i < n; i++) {
      if (out[i] != null) continue;
      Integer index = missIndex.get(keys[i]);
      if (index == null) {
        index = missTexts.size();
        missIndex.put(keys[i], index);
        missTexts.add(texts.get(i));
        missKeys.add(keys[i]);
      }
      missOf[i] = index;
    }

    if (!missTexts.isEmpty() && disk != null) {
      // The second tier: what an earlier run of the service embedded.
      TextKey[] wanted = missKeys.toArray(TextKey[]::new);
      float[][] stored = disk.getAll(wanted);
      List<String> stillTexts = new ArrayList<>();
      List<TextKey> stillKeys = new ArrayList<>();
      int[] remap = new int[wanted.length];
      List<TextKey> foundKeys = new ArrayList<>();
      List<float[]> found = new ArrayList<>();
      for (int m = 0; m < wanted.length; m++) {
        if (stored[m] != null) {
          remap[m] = -1;
          foundKeys.add(wanted[m]);
          found.add(stored[m]);
        } else {
          remap[m] = stillTexts.size();
          stillTexts.add(missTexts.get(m));
          stillKeys.add(wanted[m]);
        }
      }
      if (!found.isEmpty()) {
        cache.putAll(foundKeys.toArray(TextKey[]::new), found.toArray(float[][]::new));
        diskHits.add(found.size());
        for (int i = 0; i < n; i++) {
          int m = missOf[i];
          if (m < 0) continue;
          if (remap[m] < 0) {
            out[i] = stored[m].clone();
            missOf[i] = -1;
          } else {
            missOf[i] = remap[m];
          }
        }
        missTexts = stillTexts;
        missKeys = stillKeys;
      }
    }

    if (!missTexts.isEmpty()) {
      float[][] fresh = delegate.embed(missTexts);
      if (fresh.length != missTexts.size()) {
        throw new IllegalStateException(
            "encoder '" + model + "' returned " + fresh.length + " vectors for " + missTexts.size() + " texts");
      }
      cache.putAll(missKeys.toArray(TextKey[]::new), fresh);
      if (disk != null) disk.putAll(missKeys.toArray(TextKey[]::new), fresh);
      boolean[] handedOut = new boolean[fresh.length];
      for (int i = 0; i < n; i++) {
        int index = missOf[i];
        if (index < 0) continue;
        out[i] = handedOut[index] ? fresh[index].clone() : fresh[index];
        handedOut[index] = true;
      }
    }
    misses.add(missTexts.size());
    hits.add(n - missTexts.size());
    return out;
  }

  @Override
  public float[] embedQuery(String query) {
    Objects.requireNonNull(query, "query");
    TextKey key = VectorCache.queryKey(delegate.modelName(), query);
    float[] cached = cache.get(key);
    if (cached != null) {
      hits.increment();
      return cached;
    }
    float[] fresh = delegate.embedQuery(query);
    cache.put(key, fresh);
    misses.increment();
    return fresh;
  }

  /** Whether the memory cache holds the vectors of all these texts (as {@link #embed} would look them up). */
  public boolean cachedAll(List<String> texts) {
    String model = delegate.modelName();
    for (String text : texts) if (cache.get(VectorCache.key(model, text)) == null) return false;
    return true;
  }

  /**
   * A view for a store of documents: a document's own vector is of its whole text, a key no request looks up again,
   * so {@link SentenceEncoder#embed} goes past the caches (storing documents does not push units' vectors out of
   * them), while {@link SentenceEncoder#embedQuery} is this encoder's, cached: a search and the compression of what
   * it found embed the question once. Closing the view closes nothing.
   */
  public SentenceEncoder forStoredDocuments() {
    CachingSentenceEncoder queries = this;
    return new SentenceEncoder() {
      @Override
      public int dimension() {
        return delegate.dimension();
      }

      @Override
      public String modelName() {
        return delegate.modelName();
      }

      @Override
      public float[][] embed(List<String> texts) {
        return delegate.embed(texts);
      }

      @Override
      public float[] embedQuery(String query) {
        return queries.embedQuery(query);
      }

      @Override
      public void close() {}
    };
  }

  /** Texts and queries answered without the delegate (a repeat within one call counts as a hit). */
  /**
   * Puts vectors computed elsewhere (kept with a stored document) in the memory cache, not on disk: their keeper has
   * them.
   */
  public void preload(List<String> texts, float[][] vectors) {
    if (texts.size() != vectors.length) {
      throw new IllegalArgumentException("illegal vectors: " + vectors.length + " for " + texts.size() + " texts");
    }
    String model = delegate.modelName();
    TextKey[] keys = new TextKey[texts.size()];
    for (int i = 0; i < keys.length; i++) keys[i] = VectorCache.key(model, texts.get(i));
    cache.putAll(keys, vectors);
  }

  public long hits() {
    return hits.sum();
  }

  /** Texts found in the disk tier (computed by an earlier run). */
  public long diskHits() {
    return diskHits.sum();
  }

  /** Texts and queries the delegate was asked to embed. */
  public long misses() {
    return misses.sum();
  }

  /** Vectors in the cache now. */
  public int size() {
    return cache.size();
  }

  public VectorCache cache() {
    return cache;
  }

  public SentenceEncoder delegate() {
    return delegate;
  }

  @Override
  public void close() {
    if (disk != null) disk.close();
    delegate.close();
  }
}
