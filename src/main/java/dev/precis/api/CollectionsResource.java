package dev.precis.api;

import dev.precis.config.PrecisConfig;
import dev.precis.engine.Compression;
import dev.precis.engine.CompressionRequest;
import dev.precis.engine.WorkLimits;
import dev.precis.encode.StoredUnitVectors;
import dev.precis.index.CollectionStore;
import dev.precis.index.CollectionStore.CollectionInfo;
import dev.precis.index.CollectionStore.Hit;
import dev.precis.index.CollectionStore.StoredDocument;
import dev.precis.index.LuceneCollectionStore;
import dev.precis.index.OpenSearchCollectionStore;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * Collections of documents, kept on disk ({@link LuceneCollectionStore} under {@code precis.indexes.path}) or in an
 * OpenSearch cluster ({@link OpenSearchCollectionStore}, {@code precis.indexes.backend=opensearch}): create,
 * list and drop collections, add, read and delete documents, and retrieve-then-compress in one call.
 */
@Path("/v1/collections")
@Blocking
public class CollectionsResource {
  /** A batch of documents to add or replace. */
  public record DocumentsBody(List<DocumentBody> documents) {}

  public record DocumentBody(String id, String title, String text, Map<String, String> metadata) {}

  /** @param warming documents (of any collection) whose units are still being embedded in the background */
  public record CollectionBody(String name, long documents, String encoder, int warming) {
    static CollectionBody of(CollectionInfo i, int warming) {
      return new CollectionBody(i.name(), i.documents(), i.encoder().isEmpty() ? null : i.encoder(), warming);
    }
  }

  public record Listing(List<CollectionBody> collections) {}

  /** @param warming documents of any collection whose units are still being embedded in the background */
  public record Written(String collection, int documents, long total, int warming) {}

  /**
   * Retrieve then compress: the compression options of {@code /v1/compress} (budget, encoding or model, effort,
   * order, explain), with the documents retrieved from the collection.
   *
   * @param k how many documents to retrieve (default 20, at most 1000)
   * @param filter metadata values every retrieved document must have
   */
  public record CollectionCompressBody(String query, CompressRequestBody.BudgetBody budget, Integer k,
      Map<String, String> filter, String encoding, String model, String effort, String order, String elisionMarker,
      Boolean explain) {}

  /** A search: the query, how many documents (default 20, at most 1000) and metadata values they must have. */
  public record SearchBody(String query, Integer k, Map<String, String> filter) {}

  /** A document found, whole, with its fused score and ranks. */
  public record Found(String id, String title, String text, Map<String, String> metadata, double score, int bm25Rank,
      int vectorRank) {}

  /**
   * @param warming documents (of any collection) whose units are still being embedded: until they are, vector search
   *     does not find them (BM25 does)
   */
  public record SearchResponse(List<Found> documents, int warming) {}

  /** One retrieved document: its id, fused score and ranks by BM25 and by vectors (0: not found that way). */
  public record Retrieved(String id, double score, int bm25Rank, int vectorRank) {}

  /** The response of {@code /v1/compress}, with what was retrieved. */
  public record CollectionCompressResponse(String text, String encoding, List<CompressResponseBody.DocumentResult>
      documents, CompressResponseBody.Usage usage, CompressResponseBody.Timings timings,
      List<CompressResponseBody.UnitResult> units, List<Retrieved> retrieved, int warming) {}

  /** The one store of the service: Lucene on this machine's disk, or an OpenSearch cluster. */
  @ApplicationScoped
  static class StoreProducer {
    private CollectionStore store;

    @jakarta.enterprise.inject.Produces
    @ApplicationScoped
    CollectionStore store(PrecisConfig config, EngineProducer engines) {
      dev.precis.encode.SentenceEncoder encoder = engines.engine().encoder();
      if (encoder instanceof dev.precis.encode.CachingSentenceEncoder caching) encoder = caching.forStoredDocuments();
      store = switch (config.indexes().backend()) {
        case LUCENE -> new LuceneCollectionStore(Paths.get(config.indexes().path()), encoder,
            config.indexes().documentVector());
        case OPENSEARCH -> new OpenSearchCollectionStore(openSearch(config), encoder,
            config.indexes().documentVector());
      };
      return store;
    }

    /** A misconfigured cluster stops the service at startup, with the setting to fix, rather than at first use. */
    void check(@jakarta.enterprise.event.Observes io.quarkus.runtime.StartupEvent started, PrecisConfig config) {
      if (config.indexes().backend() == PrecisConfig.Indexes.Backend.OPENSEARCH) {
        new OpenSearchCollectionStore(openSearch(config), null).close(); // connects to nothing yet
      }
    }

    static OpenSearchCollectionStore.Settings openSearch(PrecisConfig config) {
      PrecisConfig.Indexes.OpenSearch c = config.indexes().opensearch();
      List<URI> urls = new ArrayList<>();
      for (String url : c.urls().orElse(List.of())) {
        try {
          urls.add(new URI(url.trim()));
        } catch (URISyntaxException e) {
          throw new IllegalArgumentException("illegal precis.indexes.opensearch.urls entry: '" + url + "', must be "
              + "an http or https URL, e.g. http://opensearch:9200");
        }
      }
      return new OpenSearchCollectionStore.Settings(urls, c.indexPrefix(), c.username().orElse(null),
          c.password().orElse(null), c.shards(), c.replicas(), c.timeout(), c.caFile().map(Paths::get).orElse(null));
    }

    @PreDestroy
    void close() {
      if (store != null) store.close();
    }
  }

  private final CollectionStore store;
  private final EngineProducer engines;
  private final RequestMapper mapper;
  private final PrecisConfig config;
  private final CompressionLimiter limiter;
  private final Warming warming;

  /**
   * Segments, counts and embeds stored documents' units after their batch is acknowledged, one batch at a time, each
   * taking a compression slot (so requests go first), and keeps the tree, the counts and the vectors beside the
   * documents in the collection ({@link CollectionStore#keepVectors}, {@link dev.precis.engine.PrecisEngine#keptUnits}),
   * so that compressing them by reference segments and embeds nothing, on any replica and after any restart (each
   * request preloads what was kept of the documents it compresses). The
   * acknowledgement waits for the commit and the documents' own vectors, not for this: ingest runs at the speed of
   * one embedding per document, and the units follow in the pauses of ingest (between two documents the warming
   * waits until no batch is in flight and none has ended for 250 ms). Past 10,000 documents waiting, a batch is
   * warmed before it is acknowledged (back-pressure).
   */
  @ApplicationScoped
  static class Warming {
    private static final int MAX_WAITING = 10_000;
    private static final long INGEST_PAUSE_NANOS = 250_000_000L;
    private final java.util.concurrent.ExecutorService worker = java.util.concurrent.Executors.newSingleThreadExecutor(
        r -> Thread.ofPlatform().name("precis-warming").daemon(true).unstarted(r));
    private final java.util.concurrent.atomic.AtomicInteger waiting = new java.util.concurrent.atomic.AtomicInteger();
    private final EngineProducer engines;
    private final CompressionLimiter limiter;
    private final PrecisConfig config;
    private final CollectionStore store;

    Warming(EngineProducer engines, CompressionLimiter limiter, PrecisConfig config, CollectionStore store) {
      this.engines = engines;
      this.limiter = limiter;
      this.config = config;
      this.store = store;
    }

    /** Ingest requests in flight, and when the last one ended: the warming waits for a pause in ingest. */
    private final java.util.concurrent.atomic.AtomicInteger ingesting = new java.util.concurrent.atomic.AtomicInteger();
    private volatile long lastIngestEnded = System.nanoTime();

    void ingestStarted() {
      ingesting.incrementAndGet();
    }

    void ingestEnded() {
      lastIngestEnded = System.nanoTime();
      ingesting.decrementAndGet();
    }

    void warm(String collection, List<dev.precis.engine.SourceDocument> documents) {
      if (waiting.get() + documents.size() > MAX_WAITING) {
        try {
          keep(collection, documents, false);
        } catch (RuntimeException | InterruptedException e) {
          // the units are embedded when first compressed
        }
        return;
      }
      waiting.addAndGet(documents.size());
      worker.submit(() -> {
        try {
          keep(collection, documents, true);
        } catch (RuntimeException e) {
          // busy past the time limit, an engine that is gone, a store that cannot be written: the units are
          // embedded when first compressed
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          waiting.addAndGet(-documents.size());
        }
      });
    }

    /**
     * Waits, between documents, until no batch is being ingested and none has ended for a moment (a client sending
     * batches back to back leaves only short gaps): the cores go to acknowledging batches first.
     */
    private void awaitIngestPause() throws InterruptedException {
      while (ingesting.get() > 0 || System.nanoTime() - lastIngestEnded < INGEST_PAUSE_NANOS) {
        Thread.sleep(20);
      }
    }

    /**
     * Embeds the documents' units (into the caches) and keeps their vectors beside them in the collection.
     *
     * @param behindIngest in the background: each document after a pause in ingest, in a compression slot
     */
    private void keep(String collection, List<dev.precis.engine.SourceDocument> documents, boolean behindIngest)
        throws InterruptedException {
      Map<String, StoredUnitVectors.Kept> vectors = new java.util.LinkedHashMap<>();
      for (dev.precis.engine.SourceDocument d : documents) {
        if (behindIngest) awaitIngestPause();
        try (CompressionLimiter.Slot slot = behindIngest
            ? limiter.acquire(System.nanoTime() + config.limits().requestTimeout().toNanos()) : null) {
          StoredUnitVectors.Kept kept = engines.engine().keptUnits(d);
          if (kept != null) vectors.put(d.id(), kept);
        }
      }
      if (!vectors.isEmpty()) store.keepVectors(collection, vectors);
    }

    /**
     * At start, the documents a stopped process acknowledged but did not warm (their units, and with
     * {@code document-vector=units} their vector for search, were lost with its queue): found in every collection,
     * page by page, and warmed as ingested ones are, behind ingest. Retried every minute while the store cannot be
     * read (an OpenSearch cluster not up yet).
     */
    void sweepAtStart(@jakarta.enterprise.event.Observes io.quarkus.runtime.StartupEvent started) {
      Thread.ofPlatform().name("precis-warming-sweep").daemon(true).start(() -> {
        for (int attempt = 0; attempt < 60; attempt++) {
          try {
            sweep();
            return;
          } catch (RuntimeException unavailable) {
            try {
              Thread.sleep(60_000);
            } catch (InterruptedException e) {
              return;
            }
          }
        }
      });
    }

    private void sweep() {
      for (CollectionInfo collection : store.list()) {
        String after = null;
        while (true) {
          List<StoredDocument> page = store.withoutKeptVectors(collection.name(), after, 50);
          if (page.isEmpty()) break;
          after = page.get(page.size() - 1).id();
          while (waiting.get() > MAX_WAITING / 2) {
            try {
              Thread.sleep(200);
            } catch (InterruptedException e) {
              return;
            }
          }
          warm(collection.name(), page.stream().map(CollectionsResource::source).toList());
        }
      }
    }

    /** Documents stored whose units are not embedded yet. */
    int waiting() {
      return waiting.get();
    }

    @PreDestroy
    void stop() {
      worker.shutdownNow();
    }
  }

  public CollectionsResource(CollectionStore store, EngineProducer engines, PrecisConfig config,
      CompressionLimiter limiter, Warming warming) {
    this.warming = warming;
    this.store = store;
    this.engines = engines;
    this.config = config;
    this.mapper = new RequestMapper(config, store, engines::engine);
    this.limiter = limiter;
  }

  @GET
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(summary = "List the collections")
  public Listing list() {
    return new Listing(store.list().stream().map(i -> CollectionBody.of(i, warming.waiting())).toList());
  }

  @PUT
  @Path("/{name}")
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(summary = "Create a collection (409 when it exists)")
  public Response create(@PathParam("name") String name) {
    try {
      return Response.status(201).entity(CollectionBody.of(guard(() -> store.create(name)), warming.waiting())).build();
    } catch (CollectionStore.CollectionExists e) {
      throw new ProblemException(409, "Conflict", e.getMessage());
    }
  }

  @GET
  @Path("/{name}")
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(summary = "A collection's size and encoder")
  public CollectionBody info(@PathParam("name") String name) {
    return guard(() -> CollectionBody.of(store.info(name), warming.waiting()));
  }

  @DELETE
  @Path("/{name}")
  @Operation(summary = "Drop a collection and its documents")
  public Response drop(@PathParam("name") String name) {
    boolean existed = guard(() -> store.drop(name));
    if (!existed) throw ProblemException.notFound(new CollectionStore.NoSuchCollection(name).getMessage());
    return Response.noContent().build();
  }

  @POST
  @Path("/{name}/documents")
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(summary = "Add or replace (by id) a batch of documents; answers once they are on disk")
  public Written put(@PathParam("name") String name, DocumentsBody body) {
    if (body == null || body.documents() == null || body.documents().isEmpty()) {
      throw ProblemException.badRequest("send {\"documents\": [{\"id\", \"text\", \"title\", \"metadata\"}, ...]} "
          + "with at least one document");
    }
    if (body.documents().size() > config.limits().maxDocuments()) {
      throw ProblemException.tooLarge("the batch has " + body.documents().size() + " documents: send at most "
          + config.limits().maxDocuments() + " per request (precis.limits.max-documents)");
    }
    List<StoredDocument> documents = new ArrayList<>();
    long chars = 0;
    for (int i = 0; i < body.documents().size(); i++) {
      DocumentBody d = body.documents().get(i);
      if (d == null) throw ProblemException.badRequest("documents[" + i + "] is null: send an object with id and text");
      chars += (d.text() == null ? 0 : d.text().length()) + (d.title() == null ? 0 : d.title().length());
      try {
        documents.add(new StoredDocument(d.id(), d.title(), d.text(), d.metadata()));
      } catch (IllegalArgumentException e) {
        throw ProblemException.badRequest("documents[" + i + "]: " + e.getMessage());
      }
    }
    if (chars > config.limits().maxInputChars()) {
      throw ProblemException.tooLarge("the batch holds " + chars + " characters: send at most "
          + config.limits().maxInputChars() + " per request (precis.limits.max-input-chars)");
    }
    // Embedding takes the cores as compressing does: the same slots, so that ingest cannot starve requests.
    long deadline = System.nanoTime() + config.limits().requestTimeout().toNanos();
    warming.ingestStarted();
    try (CompressionLimiter.Slot slot = limiter.acquire(deadline)) {
      guard(() -> {
        store.put(name, documents);
        return null;
      });
    } finally {
      warming.ingestEnded();
    }
    warming.warm(name, documents.stream().map(CollectionsResource::source).toList());
    return new Written(name, documents.size(), store.info(name).documents(), warming.waiting());
  }

  @GET
  @Path("/{name}/documents/{id}")
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(summary = "One stored document")
  public DocumentBody document(@PathParam("name") String name, @PathParam("id") String id) {
    StoredDocument d = guard(() -> store.get(name, id)).orElseThrow(() -> ProblemException.notFound(
        "the collection '" + name + "' has no document '" + id + "'"));
    return new DocumentBody(d.id(), d.title(), d.text(), d.metadata());
  }

  @DELETE
  @Path("/{name}/documents/{id}")
  @Operation(summary = "Delete one stored document")
  public Response deleteDocument(@PathParam("name") String name, @PathParam("id") String id) {
    if (!guard(() -> store.delete(name, id))) {
      throw ProblemException.notFound("the collection '" + name + "' has no document '" + id + "'");
    }
    return Response.noContent().build();
  }

  @POST
  @Path("/{name}/search")
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(summary = "Retrieve from the collection (BM25 and vectors, fused) without compressing")
  public SearchResponse search(@PathParam("name") String name, SearchBody body) {
    if (body == null || body.query() == null || body.query().isBlank()) {
      throw ProblemException.badRequest("send a query to search the collection");
    }
    int k = body.k() == null ? 20 : body.k();
    if (k < 1 || k > 1000) throw ProblemException.badRequest("k is " + k + ": retrieve between 1 and 1000 documents");
    List<Hit> hits = guard(() -> store.search(name, body.query(), k, body.filter()));
    return new SearchResponse(hits.stream().map(h -> new Found(h.document().id(), h.document().title(),
        h.document().text(), h.document().metadata(), Math.round(h.score() * 1e6) / 1e6, h.bm25Rank(),
        h.vectorRank())).toList(), warming.waiting());
  }

  @POST
  @Path("/{name}/compress")
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(summary = "Retrieve from the collection (BM25 and vectors, fused) and compress what was found")
  public CollectionCompressResponse compress(@PathParam("name") String name, CollectionCompressBody body) {
    if (body == null || body.query() == null || body.query().isBlank()) {
      throw ProblemException.badRequest("send a query (and a budget) to retrieve and compress");
    }
    int k = body.k() == null ? 20 : body.k();
    if (k < 1 || k > 1000) throw ProblemException.badRequest("k is " + k + ": retrieve between 1 and 1000 documents");
    List<Hit> hits = guard(() -> store.search(name, body.query(), k, body.filter()));
    if (hits.isEmpty()) {
      throw ProblemException.notFound("nothing in the collection '" + name + "' matches the query and filter");
    }
    List<CompressRequestBody.DocumentBody> documents = new ArrayList<>();
    Map<String, dev.precis.engine.SourceDocument> byId = new java.util.LinkedHashMap<>();
    for (Hit h : hits) {
      documents.add(new CompressRequestBody.DocumentBody(h.document().id(), h.document().title(),
          h.document().text(), null, null));
      byId.put(h.document().id(), source(h.document()));
    }
    mapper.preloadUnitVectors(name, byId);
    CompressionRequest request = mapper.toRequest(new CompressRequestBody(body.query(), documents, null, body.budget(),
        body.encoding(), body.model(), body.effort(), body.order() == null ? "relevance" : body.order(),
        body.elisionMarker(), null, null, body.explain(), null, null, null));
    long deadline = System.nanoTime() + config.limits().requestTimeout().toNanos();
    Compression c;
    try (CompressionLimiter.Slot slot = limiter.acquire(deadline)) {
      c = engines.engine().compress(request, WorkLimits.until(deadline, config.limits().maxInputTokens()));
    } catch (WorkLimits.DeadlineExceededException e) {
      throw ProblemException.unavailable("the compression did not finish within the time limit "
          + "(precis.limits.request-timeout): retrieve fewer documents (k)", CompressionLimiter.RETRY_AFTER_SECONDS);
    } catch (WorkLimits.InputTooLargeException e) {
      throw ProblemException.tooLarge("the retrieved documents hold " + e.tokens() + " tokens: retrieve fewer (k)");
    }
    CompressResponseBody r = CompressResponseBody.from(c, request.encoding(), request.explain());
    List<Retrieved> retrieved = hits.stream()
        .map(h -> new Retrieved(h.document().id(), Math.round(h.score() * 1e6) / 1e6, h.bm25Rank(), h.vectorRank()))
        .toList();
    return new CollectionCompressResponse(r.text(), r.encoding(), r.documents(), r.usage(), r.timings(), r.units(),
        retrieved, warming.waiting());
  }

  /** A stored document as the engine compresses it (and as its units are warmed and kept). */
  static dev.precis.engine.SourceDocument source(StoredDocument d) {
    return new dev.precis.engine.SourceDocument(d.id(), d.title(), d.text());
  }

  /** Runs a store call, turning its refusals into problems: 404 unknown collection, 400 bad name, 507 disk full. */
  private static <T> T guard(java.util.function.Supplier<T> call) {
    try {
      return call.get();
    } catch (CollectionStore.NoSuchCollection e) {
      throw ProblemException.notFound(e.getMessage());
    } catch (CollectionStore.StorageFull e) {
      throw new ProblemException(507, "Insufficient Storage", e.getMessage());
    } catch (CollectionStore.StorageUnavailable e) {
      throw ProblemException.unavailable(e.getMessage(), 0);
    } catch (IllegalArgumentException e) {
      throw ProblemException.badRequest(e.getMessage());
    }
  }
}
