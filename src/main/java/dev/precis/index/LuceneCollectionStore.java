package dev.precis.index;

import static dev.precis.index.CollectionStore.bestFused;
import static dev.precis.index.CollectionStore.checkName;
import static dev.precis.index.CollectionStore.fusedScore;

import dev.precis.encode.SentenceEncoder;
import dev.precis.encode.StoredUnitVectors;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.QueryBuilder;

/**
 * Collections as Lucene indexes on local disk, one folder per collection under a root ({@code indexes/} by default):
 * each document is one Lucene document with its id, title, text and metadata stored, title and text indexed for BM25
 * (English analysis), and one vector from the service's sentence encoder ({@link DocumentVectors}: of its title and
 * text as far as the model reads, or the mean of its units' vectors), HNSW, dot product of unit vectors; beside each
 * collection's index, an index of the documents' unit vectors ({@link #keepVectors}). A batch is
 * committed (fsync) before {@link #put} returns. Thread-safe: one writer per collection, searches on a searcher
 * refreshed after each commit.
 */
public final class LuceneCollectionStore implements CollectionStore {
  static final String SETTINGS = "collection.properties";
  static final String INDEX = "index";
  /** The unit vectors kept beside the documents: an index of its own, so that writing them rewrites no document. */
  static final String UNITS = "units";

  private final Path root;
  private final SentenceEncoder encoder;
  private final DocumentVectors documentVectors;
  private final Analyzer analyzer = new EnglishAnalyzer();
  private final Map<String, Open> open = new HashMap<>();

  /** An open collection. */
  private static final class Open {
    final String name;
    final Directory directory;
    final IndexWriter writer;
    final SearcherManager searchers;
    final String encoder;
    final int dimension;
    final Directory unitsDirectory;
    final IndexWriter unitsWriter;
    final SearcherManager unitsSearchers;

    Open(String name, Directory directory, IndexWriter writer, SearcherManager searchers, String encoder,
        int dimension, Directory unitsDirectory, IndexWriter unitsWriter, SearcherManager unitsSearchers) {
      this.name = name;
      this.directory = directory;
      this.writer = writer;
      this.searchers = searchers;
      this.encoder = encoder;
      this.dimension = dimension;
      this.unitsDirectory = unitsDirectory;
      this.unitsWriter = unitsWriter;
      this.unitsSearchers = unitsSearchers;
    }
  }

  /**
   * @param root where the collections live (created when missing)
   * @param encoder the sentence encoder for vectors, or null for BM25 only
   */
  public LuceneCollectionStore(Path root, SentenceEncoder encoder) {
    this(root, encoder, DocumentVectors.LEAD);
  }

  /**
   * @param root where the collections live (created when missing)
   * @param encoder the sentence encoder for vectors, or null for BM25 only
   * @param documentVectors which vector stands for a document
   */
  public LuceneCollectionStore(Path root, SentenceEncoder encoder, DocumentVectors documentVectors) {
    this.root = root;
    this.encoder = encoder;
    this.documentVectors = documentVectors;
  }

  /** The folder, made on first use: a service on a read-only disk still compresses; only collections refuse. */
  private void ensureRoot() {
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new StorageUnavailable("collections are unavailable: the folder " + root.toAbsolutePath()
          + " cannot be created (" + e + "); set precis.indexes.path to a writable folder (a volume in Kubernetes)");
    }
  }

  public Path root() {
    return root;
  }

  @Override
  public synchronized CollectionInfo create(String name) {
    checkName(name);
    ensureRoot();
    Path folder = root.resolve(name);
    if (Files.exists(folder.resolve(SETTINGS))) throw new CollectionExists(name);
    try {
      Files.createDirectories(folder);
      Properties settings = new Properties();
      settings.setProperty("encoder", encoder == null ? "" : encoder.modelName());
      settings.setProperty("dimension", Integer.toString(encoder == null ? 0 : encoder.dimension()));
      Path temp = folder.resolve(SETTINGS + ".tmp");
      try (OutputStream out = Files.newOutputStream(temp)) {
        settings.store(out, "Precis collection " + name);
      }
      Files.move(temp, folder.resolve(SETTINGS), StandardCopyOption.ATOMIC_MOVE);
      return info(name);
    } catch (IOException e) {
      throw storage("cannot create the collection '" + name + "'", e);
    }
  }

  @Override
  public synchronized boolean drop(String name) {
    checkName(name);
    Path folder = root.resolve(name);
    if (!Files.exists(folder.resolve(SETTINGS))) return false;
    Open o = open.remove(name);
    try {
      if (o != null) closeQuietly(o);
      // The settings file goes first: a drop cut short leaves no half collection behind, only files to sweep.
      Files.delete(folder.resolve(SETTINGS));
      deleteTree(folder);
      return true;
    } catch (IOException e) {
      throw storage("cannot delete the collection '" + name + "'", e);
    }
  }

  @Override
  public synchronized List<CollectionInfo> list() {
    List<CollectionInfo> out = new ArrayList<>();
    if (!Files.isDirectory(root)) return out;
    try (DirectoryStream<Path> folders = Files.newDirectoryStream(root)) {
      TreeMap<String, Path> sorted = new TreeMap<>();
      for (Path f : folders) {
        String name = f.getFileName().toString();
        if (NAME.matcher(name).matches() && Files.exists(f.resolve(SETTINGS))) sorted.put(name, f);
      }
      for (String name : sorted.keySet()) out.add(info(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  @Override
  public synchronized CollectionInfo info(String name) {
    Open o = open(name);
    return new CollectionInfo(name, o.writer.getDocStats().numDocs, o.encoder, o.dimension);
  }

  private synchronized Open open(String name) {
    checkName(name);
    Open o = open.get(name);
    if (o != null) return o;
    Path folder = root.resolve(name);
    if (!Files.exists(folder.resolve(SETTINGS))) throw new NoSuchCollection(name);
    try {
      Properties settings = new Properties();
      try (InputStream in = Files.newInputStream(folder.resolve(SETTINGS))) {
        settings.load(in);
      }
      Directory directory = FSDirectory.open(folder.resolve(INDEX));
      IndexWriterConfig config = new IndexWriterConfig(analyzer)
          .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND);
      IndexWriter writer = new IndexWriter(directory, config);
      SearcherManager searchers = new SearcherManager(writer, null);
      Directory unitsDirectory = FSDirectory.open(folder.resolve(UNITS));
      IndexWriter unitsWriter = new IndexWriter(unitsDirectory, new IndexWriterConfig(analyzer)
          .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND));
      SearcherManager unitsSearchers = new SearcherManager(unitsWriter, null);
      o = new Open(name, directory, writer, searchers, settings.getProperty("encoder", ""),
          Integer.parseInt(settings.getProperty("dimension", "0")), unitsDirectory, unitsWriter, unitsSearchers);
      open.put(name, o);
      return o;
    } catch (IOException e) {
      throw storage("cannot open the collection '" + name + "'", e);
    }
  }

  @Override
  public void put(String name, List<StoredDocument> documents) {
    Open o = open(name);
    boolean vectors = vectorsUsable(o) && documentVectors == DocumentVectors.LEAD;
    float[][] embedded = null;
    if (vectors && !documents.isEmpty()) {
      List<String> texts = new ArrayList<>(documents.size());
      for (StoredDocument d : documents) texts.add(d.title() == null ? d.text() : d.title() + "\n" + d.text());
      embedded = encoder.embed(texts);
    }
    synchronized (o) {
      try {
        for (int i = 0; i < documents.size(); i++) {
          StoredDocument d = documents.get(i);
          o.writer.updateDocument(new Term("id", d.id()), document(d, embedded == null ? null : embedded[i]));
        }
        o.writer.commit();
        o.searchers.maybeRefreshBlocking();
        for (StoredDocument d : documents) o.unitsWriter.deleteDocuments(new Term("id", d.id()));
        o.unitsSearchers.maybeRefreshBlocking();
      } catch (IOException | RuntimeException e) {
        // All or none: what was added since the last commit is thrown away, and the writer reopened.
        reopenAfterFailure(name, o);
        if (e instanceof RuntimeException r) throw r;
        throw storage("cannot write to the collection '" + name + "'", (IOException) e);
      }
    }
  }

  private boolean vectorsUsable(Open o) {
    return encoder != null && o.dimension == encoder.dimension() && o.encoder.equals(encoder.modelName());
  }

  private synchronized void reopenAfterFailure(String name, Open o) {
    open.remove(name);
    try {
      o.writer.rollback();
    } catch (IOException | RuntimeException ignored) {
      // the writer is closed either way
    }
    closeQuietly(o);
  }

  private static Document document(StoredDocument d, float[] vector) {
    Document doc = new Document();
    doc.add(new StringField("id", d.id(), Field.Store.YES));
    if (d.title() != null) doc.add(new TextField("title", d.title(), Field.Store.YES));
    doc.add(new TextField("text", d.text(), Field.Store.YES));
    for (Map.Entry<String, String> e : new TreeMap<>(d.metadata()).entrySet()) {
      doc.add(new StringField("meta." + e.getKey(), e.getValue(), Field.Store.YES));
    }
    if (vector != null) doc.add(new KnnFloatVectorField("vector", vector, VectorSimilarityFunction.DOT_PRODUCT));
    return doc;
  }

  private static StoredDocument stored(Document doc) {
    Map<String, String> metadata = new LinkedHashMap<>();
    for (IndexableField f : doc.getFields()) {
      if (f.name().startsWith("meta.")) metadata.put(f.name().substring(5), f.stringValue());
    }
    return new StoredDocument(doc.get("id"), doc.get("title"), doc.get("text"), metadata);
  }

  @Override
  public Optional<StoredDocument> get(String name, String id) {
    Open o = open(name);
    try {
      IndexSearcher searcher = o.searchers.acquire();
      try {
        var top = searcher.search(new TermQuery(new Term("id", id)), 1);
        if (top.scoreDocs.length == 0) return Optional.empty();
        return Optional.of(stored(searcher.storedFields().document(top.scoreDocs[0].doc)));
      } finally {
        o.searchers.release(searcher);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public boolean delete(String name, String id) {
    Open o = open(name);
    synchronized (o) {
      try {
        if (get(name, id).isEmpty()) return false;
        o.writer.deleteDocuments(new Term("id", id));
        o.writer.commit();
        o.searchers.maybeRefreshBlocking();
        o.unitsWriter.deleteDocuments(new Term("id", id));
        o.unitsSearchers.maybeRefreshBlocking();
        return true;
      } catch (IOException e) {
        reopenAfterFailure(name, o);
        throw storage("cannot delete from the collection '" + name + "'", e);
      }
    }
  }

  @Override
  public List<Hit> search(String name, String query, int k, Map<String, String> filter) {
    if (k < 1) throw new IllegalArgumentException("illegal k: " + k + ", must be >= 1");
    Open o = open(name);
    BooleanQuery.Builder filters = new BooleanQuery.Builder();
    boolean filtered = false;
    for (Map.Entry<String, String> e : (filter == null ? Map.<String, String>of() : filter).entrySet()) {
      filters.add(new TermQuery(new Term("meta." + e.getKey(), e.getValue())), BooleanClause.Occur.FILTER);
      filtered = true;
    }
    Query filterQuery = filtered ? filters.build() : null;
    int depth = Math.max(k, 50);
    try {
      IndexSearcher searcher = o.searchers.acquire();
      try {
        Map<Integer, int[]> ranks = new LinkedHashMap<>(); // Lucene doc -> {bm25 rank, vector rank}
        Query bm25 = bm25(query);
        if (bm25 != null) {
          Query q = filterQuery == null ? bm25 : new BooleanQuery.Builder().add(bm25, BooleanClause.Occur.MUST)
              .add(filterQuery, BooleanClause.Occur.FILTER).build();
          ScoreDoc[] docs = searcher.search(q, depth).scoreDocs;
          for (int r = 0; r < docs.length; r++) ranks.computeIfAbsent(docs[r].doc, d -> new int[2])[0] = r + 1;
        }
        if (vectorsUsable(o) && query != null && !query.isBlank()) {
          Query knn = new KnnFloatVectorQuery("vector", encoder.embedQuery(query),
              Math.max(depth, VECTOR_SEARCH_BEAM), filterQuery);
          ScoreDoc[] docs = searcher.search(knn, depth).scoreDocs;
          for (int r = 0; r < docs.length; r++) ranks.computeIfAbsent(docs[r].doc, d -> new int[2])[1] = r + 1;
        }
        if (ranks.isEmpty() && (query == null || query.isBlank())) {
          ScoreDoc[] docs = searcher.search(filterQuery == null ? new MatchAllDocsQuery() : filterQuery, k).scoreDocs;
          for (int r = 0; r < docs.length; r++) ranks.computeIfAbsent(docs[r].doc, d -> new int[2])[0] = r + 1;
        }
        List<Hit> hits = new ArrayList<>();
        for (Map.Entry<Integer, int[]> e : bestFused(ranks, k)) {
          hits.add(new Hit(stored(searcher.storedFields().document(e.getKey())), fusedScore(e.getValue()),
              e.getValue()[0], e.getValue()[1]));
        }
        return hits;
      } finally {
        o.searchers.release(searcher);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void keepVectors(String name, Map<String, StoredUnitVectors.Kept> byId) {
    Open o = open(name);
    boolean documents = vectorsUsable(o) && documentVectors == DocumentVectors.UNITS;
    synchronized (o) {
      try {
        IndexSearcher searcher = o.searchers.acquire();
        boolean rewritten = false;
        try {
          for (Map.Entry<String, StoredUnitVectors.Kept> e : byId.entrySet()) {
            var top = searcher.search(new TermQuery(new Term("id", e.getKey())), 1);
            if (top.scoreDocs.length == 0) continue;
            Document units = new Document();
            units.add(new StringField("id", e.getKey(), Field.Store.NO));
            units.add(new StoredField("vectors", e.getValue().units()));
            o.unitsWriter.updateDocument(new Term("id", e.getKey()), units);
            float[] mean = e.getValue().document();
            if (documents && mean != null && mean.length == o.dimension) {
              StoredDocument stored = stored(searcher.storedFields().document(top.scoreDocs[0].doc));
              o.writer.updateDocument(new Term("id", e.getKey()), document(stored, mean));
              rewritten = true;
            }
          }
        } finally {
          o.searchers.release(searcher);
        }
        o.unitsWriter.commit();
        o.unitsSearchers.maybeRefreshBlocking();
        if (rewritten) {
          o.writer.commit();
          o.searchers.maybeRefreshBlocking();
        }
      } catch (IOException e) {
        reopenAfterFailure(name, o);
        throw storage("cannot keep unit vectors in the collection '" + name + "'", e);
      }
    }
  }

  @Override
  public Map<String, byte[]> unitVectors(String name, java.util.Collection<String> ids) {
    Open o = open(name);
    Map<String, byte[]> out = new LinkedHashMap<>();
    try {
      IndexSearcher searcher = o.unitsSearchers.acquire();
      try {
        for (String id : ids) {
          var top = searcher.search(new TermQuery(new Term("id", id)), 1);
          if (top.scoreDocs.length == 0) continue;
          org.apache.lucene.util.BytesRef bytes = searcher.storedFields().document(top.scoreDocs[0].doc)
              .getBinaryValue("vectors");
          if (bytes != null) out.put(id, java.util.Arrays.copyOfRange(bytes.bytes, bytes.offset,
              bytes.offset + bytes.length));
        }
      } finally {
        o.unitsSearchers.release(searcher);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  @Override
  public List<StoredDocument> withoutKeptVectors(String name, String afterId, int max) {
    Open o = open(name);
    List<StoredDocument> out = new ArrayList<>();
    try {
      IndexSearcher main = o.searchers.acquire();
      IndexSearcher units = o.unitsSearchers.acquire();
      try {
        org.apache.lucene.index.Terms ids = org.apache.lucene.index.MultiTerms.getTerms(main.getIndexReader(), "id");
        if (ids == null) return out;
        org.apache.lucene.index.TermsEnum terms = ids.iterator();
        org.apache.lucene.util.BytesRef id;
        if (afterId == null) {
          id = terms.next();
        } else {
          org.apache.lucene.index.TermsEnum.SeekStatus status =
              terms.seekCeil(new org.apache.lucene.util.BytesRef(afterId));
          id = status == org.apache.lucene.index.TermsEnum.SeekStatus.END ? null
              : status == org.apache.lucene.index.TermsEnum.SeekStatus.FOUND ? terms.next() : terms.term();
        }
        for (; id != null && out.size() < max; id = terms.next()) {
          Term term = new Term("id", org.apache.lucene.util.BytesRef.deepCopyOf(id));
          if (units.count(new TermQuery(term)) > 0) continue;
          var top = main.search(new TermQuery(term), 1); // a deleted document's term stays until a merge
          if (top.scoreDocs.length == 0) continue;
          out.add(stored(main.storedFields().document(top.scoreDocs[0].doc)));
        }
      } finally {
        o.searchers.release(main);
        o.unitsSearchers.release(units);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** BM25 over text and title (title counted twice as much), or null when every word is a stop word. */
  private Query bm25(String query) {
    if (query == null || query.isBlank()) return null;
    QueryBuilder builder = new QueryBuilder(analyzer);
    Query text = builder.createBooleanQuery("text", query);
    Query title = builder.createBooleanQuery("title", query);
    if (text == null) return null;
    BooleanQuery.Builder b = new BooleanQuery.Builder().add(text, BooleanClause.Occur.SHOULD);
    if (title != null) b.add(new BoostQuery(title, 2f), BooleanClause.Occur.SHOULD);
    return b.build();
  }

  private static RuntimeException storage(String what, IOException e) {
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    if (message.toLowerCase(Locale.ROOT).contains("no space left")) {
      return new StorageFull(what + ": the disk is full (" + message + "); nothing of this write was kept");
    }
    return new UncheckedIOException(what + ": " + message, e);
  }

  private static void closeQuietly(Open o) {
    closeQuietly(o.unitsSearchers, () -> {
      if (o.unitsWriter.isOpen()) o.unitsWriter.close();
    }, o.unitsDirectory, o.searchers, () -> {
      if (o.writer.isOpen()) o.writer.close();
    }, o.directory);
  }

  /** Closes each in turn, whatever the others do. */
  private static void closeQuietly(AutoCloseable... resources) {
    for (AutoCloseable resource : resources) {
      try {
        resource.close();
      } catch (Exception ignored) {
        // closing anyway
      }
    }
  }

  private static void deleteTree(Path folder) throws IOException {
    if (!Files.exists(folder)) return;
    Files.walkFileTree(folder, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        try {
          Files.delete(file);
        } catch (NoSuchFileException ignored) {
          // gone already
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
        Files.delete(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  @Override
  public synchronized void close() {
    for (Open o : open.values()) closeQuietly(o);
    open.clear();
  }

  /** For tests: a reader over a collection's committed state, as a restarted process would see it. */
  static int committedDocuments(Path root, String name) throws IOException {
    try (Directory d = FSDirectory.open(root.resolve(name).resolve(INDEX));
        DirectoryReader reader = DirectoryReader.open(d)) {
      return reader.numDocs();
    }
  }

}
