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
      int mixed = 0;
      for (int i = 0; i < 150; i++) {
        long caseSeed = random.nextLong();
        Random r = new Random(caseSeed);
        List<SourceDocument> docs = withBlocks(EngineInvariantTest.randomDocuments(r), r);
        String replay = "seed " + seed + ", case " + i + " (case seed " + caseSeed + ")";
        Set<String> segmentedNow = new HashSet<>();
        for (SourceDocument d : docs) {
          StoredUnitVectors.Kept kept = maker.keptUnits(d);
          boolean prose = kept != null;
          if (prose) {
            assertTrue(restored.preload(d, kept.units()), () -> "tree not restored; " + replay);
            assertTrue(restored.unitsCached(d), () -> "restored but not cached; " + replay);
            trees++;
            if (dev.precis.segment.DocumentSegmenter.detect(d.text()) == dev.precis.segment.Format.MIXED) mixed++;
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
      assertTrue(trees > 150, "documents with a kept tree among the random ones: " + trees);
      assertTrue(mixed > 30, "mixed documents (prose with tables or code) among them: " + mixed);
    }
  }

  /** Some documents get a block large enough to be read in its own format (a mixed document). */
  private static List<SourceDocument> withBlocks(List<SourceDocument> docs, Random r) {
    List<SourceDocument> out = new ArrayList<>(docs.size());
    for (SourceDocument d : docs) {
      StringBuilder text = new StringBuilder(d.text());
      switch (r.nextInt(4)) {
        case 0 -> {
          text.append("\n\n```").append(r.nextBoolean() ? "python" : "").append('\n');
          for (int l = 0; l < 5 + r.nextInt(5); l++) {
            text.append("value_").append(l).append(" = compute(").append(r.nextInt(100)).append(")\n");
          }
          text.append("```\n\nThe code above runs once a day.");
        }
        case 1 -> {
          text.append("\n\n| name | count |\n|---|---|\n");
          for (int l = 0; l < 5 + r.nextInt(5); l++) text.append("| item ").append(l).append(" | ").append(r.nextInt(999))
              .append(" |\n");
          text.append("\nThe table lists every item.");
        }
        case 2 -> {
          text.append("\n\n```json\n{\"items\": [");
          for (int l = 0; l < 3 + r.nextInt(4); l++) {
            text.append(l == 0 ? "" : ", ").append("{\"id\": ").append(l).append(", \"size\": ").append(r.nextInt(5000))
                .append('}');
          }
          text.append("], \"status\": \"ok\"}\n```\n\nThat is the reply.");
        }
        default -> { }
      }
      out.add(new SourceDocument(d.id(), d.title(), text.toString()));
    }
    return out;
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

  /** Prose with a fenced code block, a table and a JSON block: only the blocks are read again. */
  @Test
  void aMixedDocumentKeepsItsProseAndReadsOnlyItsBlocksAgain() {
    String text = "# Backups\n\nRun the backup every night. It takes about twelve minutes on a small server. "
        + "Check the log afterwards.\n\n```sh\npg_dump -Fc mydb > mydb.dump\npg_restore -d mydb mydb.dump\n"
        + "ls -l *.dump\nrm old.dump\necho done\n```\n\nThe settings that matter:\n\n| setting | default |\n"
        + "|---|---|\n| timeout | 30 s |\n| retries | 3 |\n| compress | yes |\n| parallel | 2 |\n\n"
        + "A status reply looks like this:\n\n```json\n{\"status\": \"ok\", \"files\": [{\"name\": \"mydb.dump\", "
        + "\"size\": 1048576}, {\"name\": \"logs.tar\", \"size\": 2048}], \"took_ms\": 712000}\n```\n\n"
        + "Restores are tested every month. The last one took nine minutes.";
    SourceDocument doc = new SourceDocument("m", "Backups", text);
    assertEquals(dev.precis.segment.Format.MIXED, dev.precis.segment.DocumentSegmenter.detect(text));
    CompressionRequest request = new CompressionRequest("How long does the backup take?", List.of(doc),
        Budget.ofTokens(60), null, Effort.FAST, null, null, List.of(), false);
    try (PrecisEngine maker = PrecisEngine.create(lexical()); PrecisEngine restored = PrecisEngine.create(lexical())) {
      String expected = maker.compress(request).text();
      StoredUnitVectors.Kept kept = maker.keptUnits(doc);
      assertNotNull(kept, "a mixed document keeps a tree");
      assertTrue(restored.preload(doc, kept.units()));
      long segmented = restored.documentsSegmented();
      assertEquals(expected, restored.compress(request).text());
      assertEquals(segmented, restored.documentsSegmented(), "not segmented again");
      assertTrue(expected.contains("twelve minutes"), expected);
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
    byte[] halfPrecision = vectors.clone();
    java.nio.ByteBuffer.wrap(halfPrecision).putInt(0x50555631); // "PUV1": kept, alone, by a version without trees
    KeptUnits before = KeptUnits.split(halfPrecision);
    assertNull(before.tree());
    assertNotNull(before.vectors());
    KeptUnits noise = KeptUnits.split(new byte[] {9, 9, 9, 9, 9});
    assertNull(noise.tree());
    assertNull(noise.vectors());
  }
}
