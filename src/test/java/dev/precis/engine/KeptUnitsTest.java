package dev.precis.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.precis.encode.CachingSentenceEncoder;
import dev.precis.encode.StoredUnitVectors;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What a collection keeps beside a stored document ({@link PrecisEngine#keptUnits}): restored into an engine that
 * never saw the document, it compresses exactly as segmenting would, without segmenting, counting or embedding it;
 * a kept blob of another text or segmenter, or a damaged one, is ignored, never misread. Random but replayable
 * documents ({@code -Dtests.seed=<seed>}).
 */
class KeptUnitsTest {
  private static long seed() {
    String s = System.getProperty("tests.seed");
    return s == null || s.isBlank() ? 0x7EEDL : Long.decode(s);
  }

  private static EngineSettings lexical() {
    return EngineSettings.defaults().withEncoder(false);
  }

  @Test
  void aKeptTreeCompressesAsSegmentingWouldWithoutSegmenting() {
    long seed = seed();
    Random random = new Random(seed);
    try (PrecisEngine maker = PrecisEngine.create(lexical());
        PrecisEngine reference = PrecisEngine.create(lexical());
        PrecisEngine restored = PrecisEngine.create(lexical())) {
      int trees = 0;
      for (int i = 0; i < 150; i++) {
        long caseSeed = random.nextLong();
        Random r = new Random(caseSeed);
        List<SourceDocument> docs = EngineInvariantTest.randomDocuments(r);
        String replay = "seed " + seed + ", case " + i + " (case seed " + caseSeed + ")";
        Set<String> segmentedNow = new HashSet<>();
        for (SourceDocument d : docs) {
          StoredUnitVectors.Kept kept = maker.keptUnits(d);
          boolean prose = kept != null;
          if (prose) {
            assertTrue(restored.preload(d, kept.units()), () -> "tree not restored; " + replay);
            assertTrue(restored.unitsCached(d), () -> "restored but not cached; " + replay);
            trees++;
          } else {
            segmentedNow.add(d.title() + "\u0000" + d.text());
          }
        }
        CompressionRequest request = new CompressionRequest(r.nextBoolean() ? "museum river capital" : null, docs,
            Budget.ofTokens(1 + r.nextInt(300)), r.nextBoolean() ? "cl100k_base" : "o200k_base", Effort.FAST, null,
            null, List.of(), false);
        Compression expected = reference.compress(request);
        long before = restored.documentsSegmented();
        Compression actual = restored.compress(request);
        assertEquals(expected.text(), actual.text(), () -> "another output; " + replay);
        assertEquals(expected.usage(), actual.usage(), () -> "another usage; " + replay);
        assertEquals(expected.documents(), actual.documents(), () -> "other outcomes; " + replay);
        assertEquals(segmentedNow.size(), restored.documentsSegmented() - before,
            () -> "segmented what a tree was kept for; " + replay);
      }
      assertTrue(trees > 150, "prose documents among the random ones: " + trees);
    }
  }

  @Test
  void withTheEncoderOnlyTheQuestionIsEmbedded() {
    Random r = new Random(seed() + 1);
    try (PrecisEngine maker = PrecisEngine.create(EngineSettings.defaults().withVectorCacheEntries(1000));
        PrecisEngine restored = PrecisEngine.create(EngineSettings.defaults().withVectorCacheEntries(1000))) {
      CachingSentenceEncoder encoder = (CachingSentenceEncoder) restored.encoder();
      for (int i = 0; i < 10; i++) {
        List<SourceDocument> docs = new ArrayList<>();
        for (SourceDocument d : EngineInvariantTest.randomDocuments(r)) {
          StoredUnitVectors.Kept kept = maker.keptUnits(d);
          if (kept == null) continue; // structured: no tree, left out of this request
          assertTrue(restored.preload(d, kept.units()));
          docs.add(d);
        }
        if (docs.isEmpty()) continue;
        long segmented = restored.documentsSegmented();
        long misses = encoder.misses();
        restored.compress(new CompressionRequest("Which museum was founded in 1887?", docs, Budget.ofTokens(60),
            null, Effort.FAST, null, null, List.of(), false));
        assertEquals(segmented, restored.documentsSegmented(), "nothing segmented, case " + i);
        assertTrue(encoder.misses() - misses <= 1, "only the question embedded, case " + i);
      }
    }
  }

  @Test
  void aTreeOfAnotherTextOrSegmenterIsIgnored() {
    SourceDocument doc = new SourceDocument("d", "Guide", "# Install\n\nRun the installer. Then reboot.\n\n"
        + "## Use\n\nOpen the app. Dr. Smith wrote it in the U.S. in 2019.");
    try (PrecisEngine maker = PrecisEngine.create(lexical());
        PrecisEngine same = PrecisEngine.create(lexical());
        PrecisEngine shorterUnits = PrecisEngine.create(new EngineSettings(true, false, true,
            lexical().encoderModel(), null, 1, 32, 1000, 1000, 40, 1_000_000, 8, lexical().rank(),
            lexical().plan()))) {
      byte[] blob = maker.keptUnits(doc).units();
      assertFalse(same.preload(new SourceDocument("d", "Guide", doc.text() + " More."), blob), "another text");
      assertFalse(same.preload(new SourceDocument("d", "Handbook", doc.text()), blob), "another title");
      assertFalse(shorterUnits.preload(doc, blob), "another segmenter (units of at most 40 characters)");
      assertFalse(java.util.Arrays.equals(maker.segmenterFingerprint(), shorterUnits.segmenterFingerprint()));
      assertArrayEquals(maker.segmenterFingerprint(), same.segmenterFingerprint());
      assertTrue(same.preload(doc, blob));
    }
  }

  /** Every byte of a kept blob changed in turn, and every cut: never an exception, never another compression. */
  @Test
  void aDamagedBlobIsIgnoredNotMisread() {
    SourceDocument doc = new SourceDocument("d", "Guide", "Run the installer. Then reboot.\n\nOpen the app. It "
        + "asks for a licence key. Enter it and press OK.");
    CompressionRequest request = new CompressionRequest("licence key", List.of(doc), Budget.ofTokens(12), null,
        Effort.FAST, null, null, List.of(), false);
    try (PrecisEngine maker = PrecisEngine.create(lexical())) {
      byte[] blob = maker.keptUnits(doc).units();
      String expected = maker.compress(request).text();
      for (int at = 0; at <= blob.length; at++) {
        List<byte[]> damaged = new ArrayList<>();
        damaged.add(java.util.Arrays.copyOf(blob, at));
        if (at < blob.length) {
          byte[] flipped = blob.clone();
          flipped[at] ^= 0x5A;
          damaged.add(flipped);
        }
        for (byte[] b : damaged) {
          try (PrecisEngine restored = PrecisEngine.create(lexical())) {
            boolean used = restored.preload(doc, b);
            long segmented = restored.documentsSegmented();
            assertEquals(expected, restored.compress(request).text(), "byte " + at);
            assertEquals(used ? segmented : segmented + 1, restored.documentsSegmented(), "byte " + at);
          }
        }
      }
    }
  }

  @Test
  void partsSplitAsJoinedAndVectorsAloneReadAsBefore() {
    byte[] tree = {1, 2, 3};
    byte[] vectors = StoredUnitVectors.encode("m", List.of("a"), new float[][] {{1f, 0f}});
    KeptUnits both = KeptUnits.split(new KeptUnits(tree, vectors).join());
    assertArrayEquals(tree, both.tree());
    assertArrayEquals(vectors, both.vectors());
    KeptUnits treeOnly = KeptUnits.split(new KeptUnits(tree, null).join());
    assertArrayEquals(tree, treeOnly.tree());
    assertNull(treeOnly.vectors());
    KeptUnits before = KeptUnits.split(vectors); // kept by a version without trees
    assertNull(before.tree());
    assertNotNull(before.vectors());
    KeptUnits noise = KeptUnits.split(new byte[] {9, 9, 9, 9, 9});
    assertNull(noise.tree());
    assertNull(noise.vectors());
  }
}
