package dev.precis.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.precis.segment.DocumentSegmenter;
import dev.precis.segment.Format;
import dev.precis.segment.SegmentedDocument;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SegmentCacheTest {
  private final DocumentSegmenter segmenter = new DocumentSegmenter(600);
  private final AtomicInteger segmented = new AtomicInteger();

  private SegmentedDocument get(SegmentCache cache, int index, String text) {
    return cache.get(index, null, text, Format.AUTO, false, () -> {
      segmented.incrementAndGet();
      return segmenter.segment(index, null, text, Format.AUTO, false);
    });
  }

  @Test
  void aDocumentSeenAgainIsNotSegmentedAgainAtAnyIndex() {
    SegmentCache cache = new SegmentCache(1_000);
    SegmentedDocument first = get(cache, 0, "One sentence. Another one.");
    SegmentedDocument again = get(cache, 0, "One sentence. Another one.");
    SegmentedDocument elsewhere = get(cache, 3, "One sentence. Another one.");
    assertEquals(1, segmented.get());
    assertSame(first, again);
    assertEquals(3, elsewhere.index());
    assertEquals(first.units(), elsewhere.units());
    assertEquals(2, cache.hits());
  }

  @Test
  void textsWithTheSameHashAreNotConfused() {
    assertEquals("Aa".hashCode(), "BB".hashCode());
    SegmentCache cache = new SegmentCache(1_000);
    SegmentedDocument aa = get(cache, 0, "Aa");
    SegmentedDocument bb = get(cache, 0, "BB");
    assertNotSame(aa, bb);
    assertEquals("BB", bb.text());
    assertEquals(2, segmented.get());
  }

  @Test
  void theLeastRecentlyUsedGoFirstPastTheCharacterBound() {
    SegmentCache cache = new SegmentCache(30);
    get(cache, 0, "First text, ten.");   // 16 chars
    get(cache, 0, "Second text.");       // 12 chars: 28 in all
    get(cache, 0, "First text, ten.");   // a hit: now the most recent
    get(cache, 0, "Third one.");         // 10 chars: 38 > 30, "Second text." goes
    assertEquals(2, cache.size());
    int before = segmented.get();
    get(cache, 0, "First text, ten.");
    assertEquals(before, segmented.get(), "still cached");
    get(cache, 0, "Second text.");
    assertEquals(before + 1, segmented.get(), "evicted, segmented again");
  }

  @Test
  void aTextLongerThanTheBoundIsNeverCached() {
    SegmentCache cache = new SegmentCache(10);
    get(cache, 0, "This text is longer than ten characters.");
    assertEquals(0, cache.size());
    assertThrows(IllegalArgumentException.class, () -> new SegmentCache(0));
  }
}
