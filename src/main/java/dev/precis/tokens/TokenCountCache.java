package dev.precis.tokens;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Exact token counts of texts seen recently, by content hash: a request whose documents were seen before (a RAG
 * pipeline re-sending popular passages, a chat resending its history) does not run the BPE tokenizer over them again.
 * A bounded least-recently-used map of {@link TextKey} (encoding, text) to count, about 100 bytes per entry; it holds
 * no texts. Thread-safe: one lock, held only for the map operation, never while counting.
 */
public final class TokenCountCache {
  private static final char COUNT = 'T';

  private final int maxEntries;
  private final LinkedHashMap<TextKey, Integer> entries;

  public TokenCountCache(int maxEntries) {
    if (maxEntries < 1) throw new IllegalArgumentException("illegal maxEntries: " + maxEntries + ", must be >= 1");
    this.maxEntries = maxEntries;
    this.entries =
        new LinkedHashMap<>(Math.min(maxEntries, 1 << 16) * 4 / 3 + 1, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<TextKey, Integer> eldest) {
            return size() > TokenCountCache.this.maxEntries;
          }
        };
  }

  /** {@code counter.count(text)}, from the cache when this text was counted in this encoding before. */
  public int count(Tokenizers.TokenCounter counter, String text) {
    Objects.requireNonNull(counter, "counter");
    if (text.isEmpty()) return 0;
    TextKey key = TextKey.of(COUNT, counter.name(), text);
    synchronized (entries) {
      Integer cached = entries.get(key);
      if (cached != null) return cached;
    }
    int count = counter.count(text);
    synchronized (entries) {
      entries.put(key, count);
    }
    return count;
  }

  /** Remembers a count made elsewhere (kept with a stored document) of {@code text} in the encoding {@code counter}. */
  public void put(String counter, String text, int count) {
    if (count < 0) throw new IllegalArgumentException("illegal count: " + count + ", must be >= 0");
    if (text.isEmpty()) return;
    TextKey key = TextKey.of(COUNT, counter, text);
    synchronized (entries) {
      entries.put(key, count);
    }
  }

  public void clear() {
    synchronized (entries) {
      entries.clear();
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
}
