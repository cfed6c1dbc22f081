package dev.precis.index;

import static dev.precis.index.CollectionStore.bestFused;
import static dev.precis.index.CollectionStore.checkName;
import static dev.precis.index.CollectionStore.fusedScore;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.precis.encode.SentenceEncoder;
import dev.precis.encode.StoredUnitVectors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.hc.client5.http.auth.AuthScope;
import org.apache.hc.client5.http.auth.UsernamePasswordCredentials;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.auth.BasicCredentialsProvider;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.util.Timeout;
import org.opensearch.client.json.JsonData;
import org.opensearch.client.json.jackson.JacksonJsonpMapper;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch._types.ErrorCause;
import org.opensearch.client.opensearch._types.FieldValue;
import org.opensearch.client.opensearch._types.OpenSearchException;
import org.opensearch.client.opensearch._types.Refresh;
import org.opensearch.client.opensearch._types.Result;
import org.opensearch.client.opensearch._types.mapping.DynamicMapping;
import org.opensearch.client.opensearch._types.mapping.TypeMapping;
import org.opensearch.client.opensearch._types.query_dsl.Query;
import org.opensearch.client.opensearch.core.BulkResponse;
import org.opensearch.client.opensearch.core.SearchResponse;
import org.opensearch.client.opensearch.core.bulk.BulkOperation;
import org.opensearch.client.opensearch.core.bulk.BulkResponseItem;
import org.opensearch.client.opensearch.indices.IndexState;
import org.opensearch.client.opensearch.indices.TranslogDurability;
import org.opensearch.client.transport.OpenSearchTransport;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5TransportBuilder;

/**
 * Collections in an OpenSearch cluster, one index per collection ({@code <prefix><name>}), so that any number of
 * stateless Precis pods serve the same collections: title and text indexed for BM25 (English analysis), metadata as
 * {@code name=value} keywords for filters, one vector per document from the service's sentence encoder (made by
 * Precis, as {@link LuceneCollectionStore} makes it, {@link DocumentVectors}) in a {@code knn_vector} field (k-NN
 * plugin, Lucene HNSW engine, cosine), and the documents' unit vectors in a {@code binary} field
 * ({@link #keepVectors}). Search runs BM25 and k-NN as two queries and fuses their ranks here, exactly as the
 * Lucene store does, so the two backends answer alike.
 *
 * <p>Durability: indexes are created with {@code index.translog.durability: request} (each write is fsynced to the
 * translog before OpenSearch acknowledges it) and batches are written with {@code refresh=true}, so {@link #put}
 * returns once the batch is durable and searchable. A batch is one bulk request: OpenSearch applies it per document,
 * so unlike the Lucene store a batch that fails can leave part of it written; the error says so, and sending the batch
 * again is safe (writes are by id). Errors: a missing index is {@link NoSuchCollection}, an existing one
 * {@link CollectionExists}, a cluster that blocks writes for want of disk {@link StorageFull}, and a cluster that
 * cannot be reached or refuses the credentials {@link StorageUnavailable}, each naming what to check.
 */
public final class OpenSearchCollectionStore implements CollectionStore {
  /** Index name prefixes: what an index name may start with and still hold every collection name after it. */
  public static final Pattern PREFIX = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,63}|");
  private static final String ENCODER = "precis_encoder";
  private static final String DIMENSION = "precis_dimension";
  /** Fields a search or read leaves out of the documents it returns: vectors, filter keywords, unit vectors. */
  private static final List<String> NOT_RETURNED = List.of("vector", "meta", "units");

  /** What the index stores per document; {@code meta} holds the metadata as {@code name=value} keywords. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Indexed(String id, String title, String text, Map<String, String> metadata, List<String> meta,
      float[] vector) {}

  /** What a search or a read brings back: the vector and the keywords are left out. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Source(String id, String title, String text, Map<String, String> metadata) {
    StoredDocument document() {
      return new StoredDocument(id, title, text, metadata);
    }
  }

  /**
   * Where the cluster is and how the indexes are made.
   *
   * @param urls one or more nodes, e.g. {@code http://opensearch:9200}
   * @param indexPrefix put before each collection's name to make its index's name
   * @param username with {@code password}, sent as basic authentication; null for none
   * @param shards primary shards of each new index
   * @param replicas replicas of each new index (0 on a single node)
   * @param timeout for connecting and for each response
   * @param caFile PEM file of the certificate authorities an {@code https} cluster's certificate is checked against
   *     (e.g. the cluster's own CA), or null for the JVM's default trust store
   */
  public record Settings(List<URI> urls, String indexPrefix, String username, String password, int shards,
      int replicas, Duration timeout, Path caFile) {
    public Settings {
      if (urls == null || urls.isEmpty()) {
        throw new IllegalArgumentException("precis.indexes.opensearch.urls is not set: give the cluster's URLs, e.g. "
            + "http://opensearch:9200, with precis.indexes.backend=opensearch");
      }
      for (URI url : urls) {
        if (url.getScheme() == null || !(url.getScheme().equals("http") || url.getScheme().equals("https"))
            || url.getHost() == null) {
          throw new IllegalArgumentException("illegal precis.indexes.opensearch.urls entry: '" + url + "', must be an "
              + "http or https URL with a host, e.g. http://opensearch:9200");
        }
      }
      if (indexPrefix == null || !PREFIX.matcher(indexPrefix).matches()) {
        throw new IllegalArgumentException("illegal precis.indexes.opensearch.index-prefix: '" + indexPrefix + "', "
            + "use lowercase letters, digits, '.', '-' and '_', not starting with '.', '-' or '_'");
      }
      if ((username == null) != (password == null)) {
        throw new IllegalArgumentException("precis.indexes.opensearch.username and password go together: set both "
            + "or neither");
      }
      if (shards < 1) throw new IllegalArgumentException("illegal precis.indexes.opensearch.shards: " + shards
          + ", must be >= 1");
      if (replicas < 0) throw new IllegalArgumentException("illegal precis.indexes.opensearch.replicas: " + replicas
          + ", must be >= 0");
      if (timeout == null || timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("illegal precis.indexes.opensearch.timeout: " + timeout
            + ", must be positive");
      }
      urls = List.copyOf(urls);
    }
  }

  /** The TLS context that trusts the certificate authorities of a PEM file. */
  static SSLContext trusting(Path caFile) {
    try (InputStream in = Files.newInputStream(caFile)) {
      KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
      trusted.load(null, null);
      int n = 0;
      for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        trusted.setCertificateEntry("ca-" + n++, certificate);
      }
      if (n == 0) throw new GeneralSecurityException("no certificate in it");
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(trusted);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("illegal precis.indexes.opensearch.ca-file: " + caFile + " cannot be read "
          + "as PEM X.509 certificates (" + e.getMessage() + "); give the cluster's CA certificate in PEM");
    }
  }

  private final Settings settings;
  private final SentenceEncoder encoder;
  private final DocumentVectors documentVectors;
  private final OpenSearchTransport transport;
  private final OpenSearchClient client;
  /** Each collection's encoder and dimension (fixed for an index), read once: writes and searches need them. */
  private final Map<String, CollectionInfo> shapes = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * @param encoder the sentence encoder for vectors, or null for BM25 only
   */
  public OpenSearchCollectionStore(Settings settings, SentenceEncoder encoder) {
    this(settings, encoder, DocumentVectors.LEAD);
  }

  /**
   * @param encoder the sentence encoder for vectors, or null for BM25 only
   * @param documentVectors which vector stands for a document
   */
  public OpenSearchCollectionStore(Settings settings, SentenceEncoder encoder, DocumentVectors documentVectors) {
    this.settings = settings;
    this.encoder = encoder;
    this.documentVectors = documentVectors;
    HttpHost[] hosts = settings.urls().stream()
        .map(u -> new HttpHost(u.getScheme(), u.getHost(), u.getPort() < 0
            ? (u.getScheme().equals("https") ? 443 : 80) : u.getPort()))
        .toArray(HttpHost[]::new);
    Timeout timeout = Timeout.of(settings.timeout());
    SSLContext tls = settings.caFile() == null ? null : trusting(settings.caFile());
    this.transport = ApacheHttpClient5TransportBuilder.builder(hosts)
        .setMapper(new JacksonJsonpMapper())
        .setRequestConfigCallback(r -> r.setResponseTimeout(timeout).setConnectionRequestTimeout(timeout))
        .setHttpClientConfigCallback(http -> {
          if (settings.username() != null) {
            BasicCredentialsProvider credentials = new BasicCredentialsProvider();
            for (HttpHost host : hosts) {
              credentials.setCredentials(new AuthScope(host),
                  new UsernamePasswordCredentials(settings.username(), settings.password().toCharArray()));
            }
            http.setDefaultCredentialsProvider(credentials);
          }
          PoolingAsyncClientConnectionManagerBuilder connections = PoolingAsyncClientConnectionManagerBuilder.create();
          if (tls != null) connections.setTlsStrategy(ClientTlsStrategyBuilder.create().setSslContext(tls).build());
          return http.setConnectionManager(connections
              .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(timeout).build())
              .setMaxConnTotal(32)
              .setMaxConnPerRoute(32)
              .build());
        })
        .build();
    this.client = new OpenSearchClient(transport);
  }

  private String index(String name) {
    checkName(name);
    return settings.indexPrefix() + name;
  }

  /**
   * Writes go through an alias made with the index ({@code .} cannot occur in a collection's name, so no collection's
   * index takes it), with {@code require_alias}: a batch for a collection another replica has just dropped fails
   * instead of making OpenSearch create a bare index of that name.
   */
  private static String writeAlias(String index) {
    return index + ".w";
  }

  @Override
  public CollectionInfo create(String name) {
    String index = index(name);
    shapes.remove(name);
    int dimension = encoder == null ? 0 : encoder.dimension();
    TypeMapping.Builder mapping = new TypeMapping.Builder()
        .dynamic(DynamicMapping.Strict)
        .meta(ENCODER, JsonData.of(encoder == null ? "" : encoder.modelName()))
        .meta(DIMENSION, JsonData.of(dimension))
        .properties("id", p -> p.keyword(k -> k))
        .properties("title", p -> p.text(t -> t.analyzer("english")))
        .properties("text", p -> p.text(t -> t.analyzer("english")))
        .properties("metadata", p -> p.object(o -> o.enabled(false)))
        .properties("meta", p -> p.keyword(k -> k))
        .properties("units", p -> p.binary(b -> b.docValues(false)))
        .properties("warmed", p -> p.boolean_(b -> b));
    if (dimension > 0) {
      mapping.properties("vector", p -> p.knnVector(k -> k.dimension(dimension)
          .method(m -> m.name("hnsw").engine("lucene").spaceType("cosinesimil"))));
    }
    TypeMapping built = mapping.build();
    call("create the collection '" + name + "'", name, () -> client.indices().create(c -> c.index(index)
        .aliases(writeAlias(index), a -> a)
        .settings(s -> s.knn(dimension > 0).numberOfShards(settings.shards()).numberOfReplicas(settings.replicas())
            .translogDurability(TranslogDurability.Request))
        .mappings(built)));
    return new CollectionInfo(name, 0, encoder == null ? "" : encoder.modelName(), dimension);
  }

  @Override
  public boolean drop(String name) {
    String index = index(name);
    shapes.remove(name);
    try {
      call("delete the collection '" + name + "'", name, () -> client.indices().delete(d -> d.index(index)));
      return true;
    } catch (NoSuchCollection e) {
      return false;
    }
  }

  @Override
  public List<CollectionInfo> list() {
    Map<String, IndexState> indexes = call("list the collections", null, () -> client.indices()
        .get(g -> g.index(settings.indexPrefix() + "*").allowNoIndices(true).ignoreUnavailable(true))).result();
    TreeMap<String, IndexState> sorted = new TreeMap<>();
    for (Map.Entry<String, IndexState> e : indexes.entrySet()) {
      String name = e.getKey().substring(settings.indexPrefix().length());
      if (NAME.matcher(name).matches() && isCollection(e.getValue())) sorted.put(name, e.getValue());
    }
    List<CollectionInfo> out = new ArrayList<>();
    for (Map.Entry<String, IndexState> e : sorted.entrySet()) {
      try {
        out.add(info(e.getKey(), e.getValue()));
      } catch (NoSuchCollection gone) {
        // dropped between the two calls
      }
    }
    return out;
  }

  /** Only indexes this store made: a foreign index under the same prefix is not listed as a collection. */
  private static boolean isCollection(IndexState state) {
    return state.mappings() != null && state.mappings().meta() != null
        && state.mappings().meta().containsKey(ENCODER);
  }

  /** The collection's encoder and dimension, cached; its document count is not kept up to date. */
  private CollectionInfo shape(String name) {
    CollectionInfo known = shapes.get(name);
    if (known != null) return known;
    CollectionInfo read = info(name);
    shapes.put(name, read);
    return read;
  }

  @Override
  public CollectionInfo info(String name) {
    String index = index(name);
    IndexState state = call("read the collection '" + name + "'", name, () -> client.indices()
        .get(g -> g.index(index))).result().get(index);
    if (state == null || !isCollection(state)) throw new NoSuchCollection(name);
    return info(name, state);
  }

  private CollectionInfo info(String name, IndexState state) {
    Map<String, JsonData> meta = state.mappings().meta();
    long documents = call("count the collection '" + name + "'", name, () -> client.count(c -> c
        .index(settings.indexPrefix() + name))).count();
    return new CollectionInfo(name, documents, meta.get(ENCODER).to(String.class),
        meta.containsKey(DIMENSION) ? meta.get(DIMENSION).to(Integer.class) : 0);
  }

  /** Vectors are written and searched only when this service's encoder is the one the collection was made with. */
  private boolean vectorsUsable(CollectionInfo info) {
    return encoder != null && info.dimension() == encoder.dimension() && info.encoder().equals(encoder.modelName());
  }

  @Override
  public void put(String name, List<StoredDocument> documents) {
    String index = index(name);
    CollectionInfo info = shape(name);
    if (documents.isEmpty()) return;
    float[][] embedded = null;
    if (vectorsUsable(info) && documentVectors == DocumentVectors.LEAD) {
      List<String> texts = new ArrayList<>(documents.size());
      for (StoredDocument d : documents) texts.add(d.title() == null ? d.text() : d.title() + "\n" + d.text());
      embedded = encoder.embed(texts);
    }
    List<BulkOperation> operations = new ArrayList<>(documents.size());
    for (int i = 0; i < documents.size(); i++) {
      StoredDocument d = documents.get(i);
      List<String> keywords = new ArrayList<>();
      for (Map.Entry<String, String> e : new TreeMap<>(d.metadata()).entrySet()) {
        keywords.add(e.getKey() + "=" + e.getValue());
      }
      Indexed source = new Indexed(d.id(), d.title(), d.text(), new TreeMap<>(d.metadata()), keywords,
          embedded == null ? null : embedded[i]);
      operations.add(BulkOperation.of(op -> op.index(x -> x.index(writeAlias(index)).id(d.id()).document(source))));
    }
    BulkResponse response = call("write to the collection '" + name + "'", name, () -> client.bulk(b -> b
        .refresh(Refresh.True).requireAlias(true).operations(operations)));
    if (!response.errors()) return;
    List<String> failed = new ArrayList<>();
    ErrorCause first = null;
    for (BulkResponseItem item : response.items()) {
      if (item.error() == null) continue;
      failed.add(item.id());
      if (first == null) first = item.error();
    }
    String detail = failed.size() + " of " + documents.size() + " documents of the batch were not written to the "
        + "collection '" + name + "' (first: " + failed.get(0) + ", " + describe(first) + "); the others were: send "
        + "the batch again, documents are replaced by id";
    if (isDiskBlock(first)) throw new StorageFull(detail);
    if (first != null && "index_not_found_exception".equals(first.type())) throw new NoSuchCollection(name);
    throw new StorageUnavailable(detail);
  }

  @Override
  public Optional<StoredDocument> get(String name, String id) {
    String index = index(name);
    var response = call("read from the collection '" + name + "'", name, () -> client.get(g -> g.index(index).id(id)
        .sourceExcludes(NOT_RETURNED), Source.class));
    return response.found() && response.source() != null ? Optional.of(response.source().document())
        : Optional.empty();
  }

  @Override
  public Map<String, StoredDocument> getAll(String name, java.util.Collection<String> ids) {
    String index = index(name);
    Map<String, StoredDocument> out = new LinkedHashMap<>();
    if (ids.isEmpty()) return out;
    List<String> wanted = List.copyOf(new java.util.LinkedHashSet<>(ids));
    var response = call("read from the collection '" + name + "'", name, () -> client.mget(m -> m.index(index)
        .ids(wanted).sourceExcludes(NOT_RETURNED), Source.class));
    for (var item : response.docs()) {
      if (item.isFailure() && item.failure().error() != null
          && "index_not_found_exception".equals(item.failure().error().type())) {
        throw new NoSuchCollection(name);
      }
      if (item.isResult() && item.result().found() && item.result().source() != null) {
        out.put(item.result().id(), item.result().source().document());
      }
    }
    return out;
  }

  @Override
  public boolean delete(String name, String id) {
    String index = index(name);
    var response = call("delete from the collection '" + name + "'", name, () -> client.delete(d -> d.index(index)
        .id(id).refresh(Refresh.True)));
    return response.result() == Result.Deleted;
  }

  @Override
  public List<Hit> search(String name, String query, int k, Map<String, String> filter) {
    if (k < 1) throw new IllegalArgumentException("illegal k: " + k + ", must be >= 1");
    String index = index(name);
    CollectionInfo info = shape(name);
    List<Query> filters = new ArrayList<>();
    for (Map.Entry<String, String> e : (filter == null ? Map.<String, String>of() : filter).entrySet()) {
      String keyword = e.getKey() + "=" + e.getValue();
      filters.add(Query.of(q -> q.term(t -> t.field("meta").value(FieldValue.of(keyword)))));
    }
    int depth = Math.max(k, 50);
    Map<String, int[]> ranks = new LinkedHashMap<>(); // id -> {bm25 rank, vector rank}
    Map<String, StoredDocument> found = new LinkedHashMap<>();
    boolean hasQuery = query != null && !query.isBlank();
    if (hasQuery) {
      Query bm25 = Query.of(q -> q.bool(b -> b
          .should(s -> s.match(m -> m.field("text").query(FieldValue.of(query))))
          .should(s -> s.match(m -> m.field("title").query(FieldValue.of(query)).boost(2f)))
          .minimumShouldMatch("1")
          .filter(filters)));
      if (vectorsUsable(info)) {
        float[] vector = encoder.embedQuery(query);
        List<Float> values = new ArrayList<>(vector.length);
        for (float v : vector) values.add(v);
        Query knn = Query.of(q -> q.knn(n -> {
          n.field("vector").vector(values).k(Math.max(depth, VECTOR_SEARCH_BEAM));
          if (!filters.isEmpty()) n.filter(f -> f.bool(b -> b.filter(filters)));
          return n;
        }));
        // both searches in one round trip
        List<List<org.opensearch.client.opensearch.core.search.Hit<Source>>> both = searchBoth(name, index, bm25, knn,
            depth);
        collect(both.get(0), 0, ranks, found);
        collect(both.get(1), 1, ranks, found);
      } else {
        collect(searchFor(name, index, bm25, depth).hits().hits(), 0, ranks, found);
      }
    } else {
      Query all = filters.isEmpty() ? Query.of(q -> q.matchAll(m -> m)) : Query.of(q -> q.bool(b -> b.filter(filters)));
      collect(searchFor(name, index, all, k).hits().hits(), 0, ranks, found);
    }
    List<Hit> hits = new ArrayList<>();
    for (Map.Entry<String, int[]> e : bestFused(ranks, k)) {
      hits.add(new Hit(found.get(e.getKey()), fusedScore(e.getValue()), e.getValue()[0], e.getValue()[1]));
    }
    return hits;
  }

  /**
   * What is written beside a document once its units are embedded: their vectors as base64 (the JSON form of a
   * {@code binary} field), and the document's vector when it is the mean of its units' ({@link DocumentVectors#UNITS}).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Units(String units, float[] vector, Boolean warmed) {}

  @Override
  public void keepVectors(String name, Map<String, StoredUnitVectors.Kept> byId) {
    String index = index(name);
    if (byId.isEmpty()) return;
    boolean documents = documentVectors == DocumentVectors.UNITS && vectorsUsable(shape(name));
    List<BulkOperation> operations = new ArrayList<>(byId.size());
    for (Map.Entry<String, StoredUnitVectors.Kept> e : byId.entrySet()) {
      float[] mean = e.getValue().document();
      Units units = new Units(java.util.Base64.getEncoder().encodeToString(e.getValue().units()),
          documents && mean != null && mean.length == encoder.dimension() ? mean : null, true);
      operations.add(BulkOperation.of(op -> op.update(u -> u.index(writeAlias(index)).id(e.getKey())
          .document(units))));
    }
    // Items of documents deleted since fail with document_missing_exception: skipped, as the contract says. A
    // refresh only where documents get their vectors: vector search then finds them at once.
    call("keep unit vectors in the collection '" + name + "'", name, () -> client.bulk(b -> b.requireAlias(true)
        .refresh(documents ? Refresh.True : Refresh.False).operations(operations)));
  }

  @Override
  public Map<String, byte[]> unitVectors(String name, java.util.Collection<String> ids) {
    String index = index(name);
    Map<String, byte[]> out = new LinkedHashMap<>();
    if (ids.isEmpty()) return out;
    List<String> wanted = List.copyOf(new java.util.LinkedHashSet<>(ids));
    var response = call("read unit vectors of the collection '" + name + "'", name, () -> client.mget(m -> m
        .index(index).ids(wanted).sourceIncludes("units"), Units.class));
    for (var item : response.docs()) {
      if (item.isFailure() && item.failure().error() != null
          && "index_not_found_exception".equals(item.failure().error().type())) {
        throw new NoSuchCollection(name);
      }
      if (!item.isResult() || !item.result().found() || item.result().source() == null) continue;
      String units = item.result().source().units();
      if (units != null) out.put(item.result().id(), java.util.Base64.getDecoder().decode(units));
    }
    return out;
  }

  @Override
  public List<StoredDocument> withoutKeptVectors(String name, String afterId, int max) {
    String index = index(name);
    SearchResponse<Source> response = call("search the collection '" + name + "'", name, () -> client.search(s -> {
      s.index(index).size(max)
          .query(q -> q.bool(b -> b.mustNot(n -> n.term(t -> t.field("warmed").value(FieldValue.of(true))))))
          .sort(o -> o.field(f -> f.field("id").order(org.opensearch.client.opensearch._types.SortOrder.Asc)))
          .source(c -> c.filter(f -> f.excludes(NOT_RETURNED)));
      if (afterId != null) s.searchAfter(FieldValue.of(afterId));
      return s;
    }, Source.class));
    List<StoredDocument> out = new ArrayList<>();
    for (var hit : response.hits().hits()) if (hit.source() != null) out.add(hit.source().document());
    return out;
  }

  private SearchResponse<Source> searchFor(String name, String index, Query query, int size) {
    return call("search the collection '" + name + "'", name, () -> client.search(s -> s.index(index).query(query)
        .size(size).source(c -> c.filter(f -> f.excludes(NOT_RETURNED))), Source.class));
  }

  private List<List<org.opensearch.client.opensearch.core.search.Hit<Source>>> searchBoth(String name, String index,
      Query first, Query second, int size) {
    var response = call("search the collection '" + name + "'", name, () -> client.msearch(m -> m.index(index)
        .searches(r -> r.header(h -> h).body(b -> b.query(first).size(size)
            .source(c -> c.filter(f -> f.excludes(NOT_RETURNED)))))
        .searches(r -> r.header(h -> h).body(b -> b.query(second).size(size)
            .source(c -> c.filter(f -> f.excludes(NOT_RETURNED))))), Source.class));
    List<List<org.opensearch.client.opensearch.core.search.Hit<Source>>> out = new ArrayList<>();
    for (var item : response.responses()) {
      if (!item.isResult()) {
        ErrorCause error = item.failure() == null ? null : item.failure().error();
        if (error != null && "index_not_found_exception".equals(error.type())) {
          shapes.remove(name);
          throw new NoSuchCollection(name);
        }
        throw new StorageUnavailable("cannot search the collection '" + name + "': OpenSearch answered "
            + describe(error));
      }
      out.add(item.result().hits().hits());
    }
    return out;
  }

  private static void collect(List<org.opensearch.client.opensearch.core.search.Hit<Source>> hits, int which,
      Map<String, int[]> ranks, Map<String, StoredDocument> found) {
    for (int r = 0; r < hits.size(); r++) {
      Source source = hits.get(r).source();
      if (source == null) continue;
      ranks.computeIfAbsent(source.id(), d -> new int[2])[which] = r + 1;
      found.putIfAbsent(source.id(), source.document());
    }
  }

  /** One call to the cluster. */
  @FunctionalInterface
  private interface Call<T> {
    T run() throws IOException;
  }

  /**
   * Runs a call and turns the cluster's answers into the store's errors.
   *
   * @param collection the collection the call is about, for a missing index; null when none
   */
  private <T> T call(String what, String collection, Call<T> call) {
    try {
      return call.run();
    } catch (OpenSearchException e) {
      ErrorCause error = e.error();
      String type = error == null ? "" : error.type();
      if (collection != null && "index_not_found_exception".equals(type)) {
        shapes.remove(collection);
        throw new NoSuchCollection(collection);
      }
      if (collection != null && "resource_already_exists_exception".equals(type)) {
        throw new CollectionExists(collection);
      }
      if (isDiskBlock(error)) {
        throw new StorageFull("cannot " + what + ": OpenSearch refuses writes because its disk is full ("
            + describe(error) + "); free space on the cluster, nothing of this write was kept");
      }
      if (e.status() == 401 || e.status() == 403) {
        throw new StorageUnavailable("cannot " + what + ": OpenSearch refused the credentials (" + describe(error)
            + "); check precis.indexes.opensearch.username and password");
      }
      throw new StorageUnavailable("cannot " + what + ": OpenSearch answered " + e.status() + " ("
          + describe(error) + ")");
    } catch (IOException e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof javax.net.ssl.SSLException) {
          throw new StorageUnavailable("cannot " + what + ": the TLS handshake with OpenSearch at " + settings.urls()
              + " failed (" + t + "); set precis.indexes.opensearch.ca-file to the cluster's CA certificate (PEM)");
        }
      }
      throw new StorageUnavailable("cannot " + what + ": OpenSearch at " + settings.urls() + " cannot be reached ("
          + e + "); check precis.indexes.opensearch.urls and that the cluster is up");
    }
  }

  /** The flood-stage block OpenSearch puts on indexes when a node's disk is nearly full. */
  private static boolean isDiskBlock(ErrorCause error) {
    if (error == null) return false;
    String reason = error.reason() == null ? "" : error.reason().toLowerCase(Locale.ROOT);
    return "cluster_block_exception".equals(error.type())
        && (reason.contains("read-only-allow-delete") || reason.contains("read_only_allow_delete")
            || reason.contains("disk"));
  }

  private static String describe(ErrorCause error) {
    if (error == null) return "no reason given";
    return error.type() + ": " + error.reason();
  }

  @Override
  public void close() {
    try {
      transport.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
