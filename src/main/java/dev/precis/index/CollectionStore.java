package dev.precis.index;

import dev.precis.encode.StoredUnitVectors;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Named collections of documents kept by the service, searched by BM25 and by vectors, so that a request can compress
 * stored documents by reference or retrieve from a collection and compress what it found. Implementations are
 * thread-safe, and a write they acknowledge is durable.
 *
 * <p>Example: {@code create("manuals")}, {@code put("manuals", List.of(new StoredDocument("pg-vacuum", "VACUUM",
 * "VACUUM reclaims storage…", Map.of("product", "postgres"))))}, then {@code search("manuals", "reclaim space", 20,
 * Map.of("product", "postgres"))}.
 */
public interface CollectionStore extends AutoCloseable {
  /** Names: lowercase letters, digits, {@code -} and {@code _}, starting with a letter or digit, 1 to 64 long. */
  Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
  /** Document ids: 1 to 256 characters without control characters. */
  Pattern ID = Pattern.compile("[^\\p{Cntrl}]{1,256}");
  /** The constant of reciprocal rank fusion: a document's fused score is the sum of {@code 1 / (60 + rank)}. */
  int RRF_K = 60;

  /**
   * How many nearest neighbours a vector search looks for (the graph search's beam) before its best ranks are fused,
   * at least the k asked for: a wider beam finds more of the exact nearest neighbours in a large collection. On
   * 100,000 documents (docs/collections-benchmark.md, session 11) a 50-wide beam's top 20 held 77.8% of the exact top
   * 20 (2.0 ms a search), a 200-wide one 86.9% (2.4 ms).
   */
  int VECTOR_SEARCH_BEAM = 200;

  /** @throws IllegalArgumentException naming the rule, for a name that is not a collection name */
  static void checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("illegal collection name: '" + name + "', use 1 to 64 lowercase letters, "
          + "digits, - and _, starting with a letter or digit");
    }
  }

  /**
   * The {@code k} best documents of a search by their fused score, ties by key: each key's ranks by BM25 and by
   * vectors.
   */
  static <K extends Comparable<K>> List<Map.Entry<K, int[]>> bestFused(Map<K, int[]> ranks, int k) {
    List<Map.Entry<K, int[]>> fused = new java.util.ArrayList<>(ranks.entrySet());
    fused.sort((a, b) -> {
      int c = Double.compare(fusedScore(b.getValue()), fusedScore(a.getValue()));
      return c != 0 ? c : a.getKey().compareTo(b.getKey());
    });
    return fused.subList(0, Math.min(k, fused.size()));
  }

  /** The fused score of a document's ranks (1 = first; 0 where a method did not find it). */
  static double fusedScore(int... ranks) {
    double score = 0;
    for (int rank : ranks) if (rank > 0) score += 1.0 / (RRF_K + rank);
    return score;
  }

  /**
   * One stored document.
   *
   * @param title its title, or null
   * @param metadata string fields a search can filter on (names as document ids, values at most 1,024 characters)
   */
  record StoredDocument(String id, String title, String text, Map<String, String> metadata) {
    public StoredDocument {
      if (id == null || !ID.matcher(id).matches()) {
        throw new IllegalArgumentException("illegal id: '" + id + "', must be 1 to 256 characters without control "
            + "characters");
      }
      if (text == null || text.isBlank()) {
        throw new IllegalArgumentException("illegal text of document '" + id + "': must not be empty");
      }
      metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
      for (Map.Entry<String, String> e : metadata.entrySet()) {
        if (!NAME.matcher(e.getKey()).matches() || e.getValue() == null || e.getValue().length() > 1024) {
          throw new IllegalArgumentException("illegal metadata '" + e.getKey() + "' of document '" + id + "': names "
              + "as collection names (lowercase letters, digits, - and _), values strings of at most 1024 characters");
        }
      }
    }
  }

  /** Which vector stands for a stored document in vector search. */
  enum DocumentVectors {
    /**
     * Its title and text as far as the encoder reads (128 word pieces: the title and about the first 100 words),
     * embedded before the batch is acknowledged: vector search finds a document as soon as it is acknowledged, and
     * ingest pays one embedding of 128 word pieces per document.
     */
    LEAD,
    /**
     * The mean of its units' vectors, set when they are embedded after the acknowledgement (they are embedded for
     * compression anyway): no embedding before the acknowledgement, the whole document represented rather than its
     * beginning; vector search finds a document once its units are embedded (BM25 at once).
     */
    UNITS
  }

  /** A collection: its name, how many documents it holds, and the encoder its vectors come from. */
  record CollectionInfo(String name, long documents, String encoder, int dimension) {}

  /**
   * A document found by a search.
   *
   * @param score the fused score: the sum over BM25 and vectors of {@code 1 / (60 + rank)} (reciprocal rank fusion)
   * @param bm25Rank its rank by BM25 (1 = first), or 0 when BM25 did not find it
   * @param vectorRank its rank by vector similarity, or 0 when the vector search did not find it
   */
  record Hit(StoredDocument document, double score, int bm25Rank, int vectorRank) {}

  /** The collection does not exist. */
  final class NoSuchCollection extends RuntimeException {
    public NoSuchCollection(String name) {
      super("there is no collection '" + name + "': create it with PUT /v1/collections/" + name, null, false, false);
    }
  }

  /** The collection exists already. */
  final class CollectionExists extends RuntimeException {
    public CollectionExists(String name) {
      super("the collection '" + name + "' exists already: use it, or DELETE it first", null, false, false);
    }
  }

  /** Collections cannot be kept here (the folder cannot be made or written); the message says what to set. */
  final class StorageUnavailable extends RuntimeException {
    public StorageUnavailable(String detail) {
      super(detail, null, false, false);
    }
  }

  /** The disk is full: nothing of the write was kept. */
  final class StorageFull extends RuntimeException {
    public StorageFull(String detail) {
      super(detail, null, false, false);
    }
  }

  /** @throws IllegalArgumentException for a bad name; @throws CollectionExists when it exists */
  CollectionInfo create(String name);

  /** @return whether it existed */
  boolean drop(String name);

  List<CollectionInfo> list();

  /** @throws NoSuchCollection */
  CollectionInfo info(String name);

  /**
   * Adds or replaces (by id) a batch of documents, all or none, and returns once they are on disk.
   *
   * @throws NoSuchCollection
   */
  void put(String name, List<StoredDocument> documents);

  /** @throws NoSuchCollection */
  Optional<StoredDocument> get(String name, String id);

  /**
   * The stored documents of these ids, by id, in one read where the store can; ids not stored are left out.
   *
   * @throws NoSuchCollection
   */
  default Map<String, StoredDocument> getAll(String name, java.util.Collection<String> ids) {
    Map<String, StoredDocument> out = new java.util.LinkedHashMap<>();
    for (String id : ids) get(name, id).ifPresent(d -> out.put(id, d));
    return out;
  }

  /**
   * @return whether it existed
   * @throws NoSuchCollection
   */
  boolean delete(String name, String id);

  /**
   * The {@code k} best documents for a query, by BM25 over title and text and by the similarity of their vectors to
   * the query's, fused by reciprocal rank; only documents whose metadata has every {@code filter} value.
   *
   * @throws NoSuchCollection
   */
  List<Hit> search(String name, String query, int k, Map<String, String> filter);

  /**
   * Keeps, beside stored documents, the vectors of their units ({@link StoredUnitVectors.Kept#units()}), replacing
   * what was kept, and, where documents are searched by the mean of their units ({@link DocumentVectors#UNITS}),
   * makes {@link StoredUnitVectors.Kept#document()} the document's vector; ids not stored are skipped. Not made
   * durable one by one: vectors lost are computed again, and a blob of a document replaced since is recognised by its
   * fingerprint and ignored (and its mean replaced when the new version's units are kept).
   *
   * @throws NoSuchCollection
   */
  void keepVectors(String name, Map<String, StoredUnitVectors.Kept> byId);

  /**
   * The unit vectors kept beside these documents, by id; documents without any are left out.
   *
   * @throws NoSuchCollection
   */
  Map<String, byte[]> unitVectors(String name, java.util.Collection<String> ids);

  /**
   * Stored documents whose unit vectors are not kept (acknowledged, but the process stopped before it embedded
   * them), in the order of their ids, so that a sweep can page through them.
   *
   * @param afterId the last id of the previous page, or null from the first
   * @throws NoSuchCollection
   */
  List<StoredDocument> withoutKeptVectors(String name, String afterId, int max);

  @Override
  void close();
}
