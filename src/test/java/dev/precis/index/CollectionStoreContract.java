package dev.precis.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.precis.encode.SentenceEncoder;
import dev.precis.index.CollectionStore.Hit;
import dev.precis.index.CollectionStore.StoredDocument;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * What every {@link CollectionStore} does, run against each backend by a subclass: collections created, listed and
 * dropped; documents replaced by id, read, deleted and kept across a reopen; BM25 and vectors fused by reciprocal
 * rank with filters; a failed batch leaving nothing; concurrent ingest and queries.
 */
abstract class CollectionStoreContract {
  /**
   * A store over this test's own collections; called again in the same test, a store over the same ones (a restarted
   * process, another pod).
   *
   * @param encoder the encoder for vectors, or null for BM25 only
   */
  abstract CollectionStore open(SentenceEncoder encoder, CollectionStore.DocumentVectors documentVectors);

  /** A store whose documents' vectors are made from their text ({@link CollectionStore.DocumentVectors#LEAD}). */
  CollectionStore open(SentenceEncoder encoder) {
    return open(encoder, CollectionStore.DocumentVectors.LEAD);
  }

  /** How many documents a collection holds as a fresh process would read them. */
  long durableDocuments(String name) {
    try (CollectionStore fresh = open(new HashingEncoder())) {
      return fresh.info(name).documents();
    }
  }

  /** Bag of words hashed into 64 dimensions, unit length: enough for nearest neighbours among a few documents. */
  static final class HashingEncoder implements SentenceEncoder {
    final AtomicInteger calls = new AtomicInteger();
    int failOnCall = -1;

    @Override
    public int dimension() {
      return 64;
    }

    @Override
    public String modelName() {
      return "hashing-64";
    }

    @Override
    public float[][] embed(List<String> texts) {
      if (calls.incrementAndGet() == failOnCall) throw new IllegalStateException("encoder failed");
      float[][] out = new float[texts.size()][];
      for (int i = 0; i < texts.size(); i++) out[i] = vector(texts.get(i));
      return out;
    }

    @Override
    public float[] embedQuery(String query) {
      return vector(query);
    }

    static float[] vector(String text) {
      float[] v = new float[64];
      for (String w : text.toLowerCase(Locale.ROOT).split("\\W+")) if (!w.isEmpty()) v[Math.floorMod(w.hashCode(), 64)]++;
      double norm = 0;
      for (float x : v) norm += x * x;
      norm = Math.sqrt(norm);
      for (int i = 0; i < v.length; i++) v[i] = norm == 0 ? (i == 0 ? 1 : 0) : (float) (v[i] / norm);
      return v;
    }

    @Override
    public void close() {}
  }

  static List<StoredDocument> manuals() {
    return List.of(
        new StoredDocument("pg-vacuum", "VACUUM", "VACUUM reclaims storage occupied by dead tuples.",
            Map.of("product", "postgres")),
        new StoredDocument("pg-analyze", "ANALYZE", "ANALYZE collects statistics about the contents of tables.",
            Map.of("product", "postgres")),
        new StoredDocument("git-gc", "git gc", "git gc cleans up unnecessary files and optimizes the local repository.",
            Map.of("product", "git")));
  }

  @Test
  void collectionsAreCreatedListedAndDroppedAndNamesAreChecked() {
    try (CollectionStore store = open(new HashingEncoder())) {
      assertEquals(0, store.create("manuals").documents());
      assertThrows(CollectionStore.CollectionExists.class, () -> store.create("manuals"));
      assertEquals("illegal collection name: 'Bad Name', use 1 to 64 lowercase letters, digits, - and _, starting "
          + "with a letter or digit", assertThrows(IllegalArgumentException.class, () -> store.create("Bad Name"))
          .getMessage());
      assertThrows(IllegalArgumentException.class, () -> store.create("../etc"));
      store.create("notes");
      assertEquals(List.of("manuals", "notes"), store.list().stream().map(CollectionStore.CollectionInfo::name).toList());
      assertTrue(store.drop("notes"));
      assertFalse(store.drop("notes"));
      assertThrows(CollectionStore.NoSuchCollection.class, () -> store.put("notes", manuals()));
      assertEquals("hashing-64", store.info("manuals").encoder());
    }
  }

  @Test
  void documentsAreReplacedByIdReadDeletedAndSurviveAReopen() {
    try (CollectionStore store = open(new HashingEncoder())) {
      store.create("manuals");
      store.put("manuals", manuals());
      store.put("manuals", List.of(new StoredDocument("pg-vacuum", "VACUUM", "VACUUM FULL rewrites the table.",
          Map.of("product", "postgres"))));
      assertEquals(3, store.info("manuals").documents(), "replaced by id, not added");
      assertEquals("VACUUM FULL rewrites the table.", store.get("manuals", "pg-vacuum").orElseThrow().text());
      assertTrue(store.delete("manuals", "git-gc"));
      assertFalse(store.delete("manuals", "git-gc"));
      assertFalse(store.get("manuals", "git-gc").isPresent());
    }
    try (CollectionStore reopened = open(new HashingEncoder())) {
      assertEquals(2, reopened.info("manuals").documents(), "what was acknowledged is on disk");
      assertEquals(Map.of("product", "postgres"), reopened.get("manuals", "pg-analyze").orElseThrow().metadata());
    }
  }

  @Test
  void searchFusesBm25AndVectorsAndFilters() {
    try (CollectionStore store = open(new HashingEncoder())) {
      store.create("manuals");
      store.put("manuals", manuals());
      List<Hit> hits = store.search("manuals", "reclaims storage of dead tuples", 2, Map.of());
      assertEquals("pg-vacuum", hits.get(0).document().id());
      assertEquals(1, hits.get(0).bm25Rank());
      assertEquals(1, hits.get(0).vectorRank());
      assertEquals(2.0 / 61, hits.get(0).score(), 1e-9, "first by both: 1/61 + 1/61");
      List<Hit> git = store.search("manuals", "clean up files", 5, Map.of("product", "git"));
      assertEquals(List.of("git-gc"), git.stream().map(h -> h.document().id()).toList());
      assertTrue(store.search("manuals", "the of and", 5, Map.of("product", "none")).isEmpty());
    }
  }

  @Test
  void aBatchThatFailsLeavesNothingBehind() {
    HashingEncoder encoder = new HashingEncoder();
    try (CollectionStore store = open(encoder)) {
      store.create("manuals");
      store.put("manuals", manuals().subList(0, 1));
      encoder.failOnCall = encoder.calls.get() + 1;
      assertThrows(IllegalStateException.class, () -> store.put("manuals", manuals().subList(1, 3)));
      assertEquals(1, store.info("manuals").documents());
      assertEquals(1, durableDocuments("manuals"));
      store.put("manuals", manuals().subList(1, 3));
      assertEquals(3, store.info("manuals").documents(), "the store goes on after a failed batch");
    }
  }

  @Test
  void withoutAnEncoderSearchIsBm25Only() {
    try (CollectionStore store = open(null)) {
      store.create("manuals");
      store.put("manuals", manuals());
      Hit top = store.search("manuals", "statistics about tables", 3, null).get(0);
      assertEquals("pg-analyze", top.document().id());
      assertEquals(0, top.vectorRank());
    }
  }

  @Test
  void concurrentIngestAndQueries() throws Exception {
    try (CollectionStore store = open(new HashingEncoder())) {
      store.create("busy");
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
      java.util.Set<String> written = java.util.concurrent.ConcurrentHashMap.newKeySet();
      List<java.util.concurrent.Future<?>> work = new java.util.ArrayList<>();
      for (int w = 0; w < 2; w++) {
        int writer = w;
        work.add(pool.submit(() -> {
          for (int b = 0; b < 30; b++) {
            List<StoredDocument> batch = new java.util.ArrayList<>();
            for (int i = 0; i < 5; i++) {
              batch.add(new StoredDocument(writer + "-" + b + "-" + i, null, "vacuum reclaims storage " + b + " " + i,
                  Map.of("writer", Integer.toString(writer))));
            }
            store.put("busy", batch);
            batch.forEach(d -> written.add(d.id()));
          }
          return null;
        }));
      }
      for (int r = 0; r < 2; r++) {
        work.add(pool.submit(() -> {
          for (int q = 0; q < 60; q++) {
            for (Hit h : store.search("busy", "reclaims storage", 10, Map.of())) {
              assertTrue(store.get("busy", h.document().id()).isPresent());
            }
          }
          return null;
        }));
      }
      for (var f : work) f.get(120, java.util.concurrent.TimeUnit.SECONDS);
      pool.shutdown();
      assertEquals(300, written.size());
      assertEquals(300, store.info("busy").documents());
      for (String id : written) assertTrue(store.get("busy", id).isPresent(), id);
    }
  }

  @Test
  void aCollectionMadeWithAnotherEncoderIsSearchedByBm25Only() {
    try (CollectionStore store = open(null)) {
      store.create("manuals");
      store.put("manuals", manuals());
    }
    try (CollectionStore store = open(new HashingEncoder())) {
      assertEquals("", store.info("manuals").encoder());
      assertEquals(0, store.search("manuals", "reclaims storage", 3, null).get(0).vectorRank());
    }
  }

  @Test
  void unitVectorsAreKeptBesideTheirDocumentUntilItChanges() {
    try (CollectionStore store = open(new HashingEncoder())) {
      store.create("manuals");
      store.put("manuals", manuals());
      byte[] vacuum = {1, 2, 3};
      store.keepVectors("manuals", Map.of("pg-vacuum", kept(vacuum), "git-gc", kept(new byte[] {4}),
          "nobody", kept(new byte[] {5})));
      Map<String, byte[]> kept = store.unitVectors("manuals", List.of("pg-vacuum", "git-gc", "nobody", "pg-analyze"));
      assertEquals(java.util.Set.of("pg-vacuum", "git-gc"), kept.keySet(), "only stored documents, only with vectors");
      org.junit.jupiter.api.Assertions.assertArrayEquals(vacuum, kept.get("pg-vacuum"));
      assertEquals("VACUUM reclaims storage occupied by dead tuples.",
          store.get("manuals", "pg-vacuum").orElseThrow().text(), "the document is unchanged");
      Hit top = store.search("manuals", "reclaims storage", 1, Map.of()).get(0);
      assertEquals("pg-vacuum", top.document().id());
      assertEquals(1, top.vectorRank(), "the lead vector stays: the store makes documents' vectors from their text");
      store.put("manuals", List.of(new StoredDocument("pg-vacuum", "VACUUM", "VACUUM FULL rewrites the table.",
          Map.of())));
      assertTrue(store.delete("manuals", "git-gc"));
      assertTrue(store.unitVectors("manuals", List.of("pg-vacuum", "git-gc")).isEmpty(),
          "a replaced or deleted document's vectors go with it");
      assertThrows(CollectionStore.NoSuchCollection.class, () -> store.unitVectors("nowhere", List.of("x")));
    }
  }

  /**
   * With {@link CollectionStore.DocumentVectors#UNITS} a document has no vector until its units are kept: BM25 finds
   * it at once, vector search once the mean of its units is its vector.
   */
  @Test
  void documentsSearchedByTheMeanOfTheirUnitsAreFoundByVectorOnceKept() {
    try (CollectionStore store = open(new HashingEncoder(), CollectionStore.DocumentVectors.UNITS)) {
      store.create("manuals");
      store.put("manuals", manuals());
      Hit before = store.search("manuals", "reclaims storage of dead tuples", 1, Map.of()).get(0);
      assertEquals("pg-vacuum", before.document().id());
      assertEquals(1, before.bm25Rank());
      assertEquals(0, before.vectorRank(), "no vector before the units are kept");
      float[] mean = HashingEncoder.vector("VACUUM reclaims storage occupied by dead tuples.");
      store.keepVectors("manuals", Map.of("pg-vacuum", new dev.precis.encode.StoredUnitVectors.Kept(new byte[] {1},
          mean)));
      Hit after = store.search("manuals", "reclaims storage of dead tuples", 1, Map.of()).get(0);
      assertEquals("pg-vacuum", after.document().id());
      assertEquals(1, after.vectorRank());
      assertEquals(Map.of("product", "postgres"), store.get("manuals", "pg-vacuum").orElseThrow().metadata(),
          "the document rewritten with its vector keeps its fields");
      assertEquals(3, store.info("manuals").documents());
    }
  }

  private static dev.precis.encode.StoredUnitVectors.Kept kept(byte[] units) {
    return new dev.precis.encode.StoredUnitVectors.Kept(units, HashingEncoder.vector("unrelated words entirely"));
  }

  @Test
  void documentsWithoutKeptVectorsArePagedByIdUntilKept() {
    try (CollectionStore store = open(new HashingEncoder())) {
      store.create("many");
      List<StoredDocument> documents = new java.util.ArrayList<>();
      for (int i = 0; i < 25; i++) {
        documents.add(new StoredDocument(String.format(java.util.Locale.ROOT, "d%02d", i), null, "text " + i,
            Map.of()));
      }
      store.put("many", documents);
      store.keepVectors("many", Map.of("d03", kept(new byte[] {1}), "d10", kept(new byte[] {2})));
      assertTrue(store.delete("many", "d20"));
      List<String> seen = new java.util.ArrayList<>();
      String after = null;
      for (List<StoredDocument> page = store.withoutKeptVectors("many", null, 7); !page.isEmpty();
          page = store.withoutKeptVectors("many", after, 7)) {
        assertTrue(page.size() <= 7);
        page.forEach(d -> seen.add(d.id()));
        after = page.get(page.size() - 1).id();
      }
      List<String> expected = new java.util.ArrayList<>();
      for (StoredDocument d : documents) expected.add(d.id());
      expected.removeAll(List.of("d03", "d10", "d20"));
      assertEquals(expected, seen, "every document without kept vectors, once, in id order");
      assertEquals("text 4", store.withoutKeptVectors("many", "d03", 1).get(0).text());
    }
  }
}
