package dev.precis.engine;

import dev.precis.segment.Format;
import dev.precis.segment.SegmentedDocument;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Recently segmented documents by their content (text, title, declared format, JSON style), so that a long document
 * asked many questions, or resent at every turn of a conversation, is segmented once. Bounded by the characters of the
 * cached texts; the least recently used go first. A hit compares the whole text (its hash is cached by {@link String}),
 * so two texts that collide are never confused. Thread-safe.
 */
final class SegmentCache {
  private record Key(String text, String title, Format format, boolean compactJson) {}

  private final long maxChars;
  private final LinkedHashMap<Key, SegmentedDocument> entries = new LinkedHashMap<>(64, 0.75f, true);
  private long chars;
  private long hits;

  /** @param maxChars the most characters of text kept; a document longer than that is never cached */
  SegmentCache(long maxChars) {
    if (maxChars <= 0) throw new IllegalArgumentException("illegal maxChars: " + maxChars + ", must be > 0");
    this.maxChars = maxChars;
  }

  /**
   * The segmented document for this content, at index {@code index}: from the cache, or made by {@code segment} (outside
   * the lock, so documents are segmented in parallel) and remembered.
   */
  SegmentedDocument get(int index, String title, String text, Format format, boolean compactJson,
      Supplier<SegmentedDocument> segment) {
    Key key = new Key(text, title, format, compactJson);
    SegmentedDocument cached = lookup(key);
    if (cached != null) return cached.index() == index ? cached : cached.withIndex(index);
    SegmentedDocument made = segment.get();
    if (text.length() <= maxChars) {
      synchronized (this) {
        if (entries.put(key, made) == null) chars += text.length();
        evict();
      }
    }
    return made;
  }

  /** The cached document for this content (at the index it was cached at), or null; a hit like {@link #get}'s. */
  SegmentedDocument peek(String title, String text, Format format) {
    return lookup(new Key(text, title, format, false));
  }

  private synchronized SegmentedDocument lookup(Key key) {
    SegmentedDocument cached = entries.get(key);
    if (cached != null) hits++;
    return cached;
  }

  /** Remembers a document segmented elsewhere (a kept tree) for this content. */
  void put(String title, String text, Format format, boolean compactJson, SegmentedDocument document) {
    if (text.length() > maxChars) return;
    synchronized (this) {
      if (entries.put(new Key(text, title, format, compactJson), document) == null) chars += text.length();
      evict();
    }
  }

  private void evict() {
    Iterator<Map.Entry<Key, SegmentedDocument>> oldest = entries.entrySet().iterator();
    while (chars > maxChars && oldest.hasNext()) {
      chars -= oldest.next().getKey().text().length();
      oldest.remove();
    }
  }

  synchronized void clear() {
    entries.clear();
    chars = 0;
  }

  synchronized long hits() {
    return hits;
  }

  synchronized int size() {
    return entries.size();
  }
}
