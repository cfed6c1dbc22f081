package dev.precis.rank;

import dev.precis.segment.SegmentedDocument;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.util.QueryBuilder;

/**
 * The reference for {@link Bm25Scorer}: the same scores from a real per-request Lucene index (IndexWriter into a
 * ByteBuffersDirectory, IndexSearcher with BM25Similarity), the way Precis computed them before it scored the analysed
 * terms directly. Documents are indexed as their units' texts joined by spaces, as Bm25Scorer counts them.
 */
public final class LuceneIndexBm25 {
  private static final String BODY = "body";
  private static final String TITLE = "title";
  private static final String ORDINAL = "ord";

  private final Analyzer analyzer = new EnglishAnalyzer();
  private final BM25Similarity similarity;
  private final float titleBoost;

  /**
   * @param k1 BM25 term-frequency saturation (Lucene's default 1.2)
   * @param b BM25 length normalisation (Lucene's default 0.75)
   * @param titleBoost weight of a match in the document title relative to the body
   */
  public LuceneIndexBm25(float k1, float b, float titleBoost) {
    if (!(titleBoost >= 0)) {
      throw new IllegalArgumentException("illegal titleBoost: " + titleBoost + ", must be >= 0");
    }
    this.similarity = new BM25Similarity(k1, b);
    this.titleBoost = titleBoost;
  }

  /** Raw BM25 scores: {@code units[d][u]} for unit u of document d, and {@code documents[d]}. */


  public Bm25Scorer.Scores score(String query, List<SegmentedDocument> documents) {
    float[][] unitScores = new float[documents.size()][];
    int[] offsets = new int[documents.size()];
    int total = 0;
    for (int d = 0; d < documents.size(); d++) {
      unitScores[d] = new float[documents.get(d).units().size()];
      offsets[d] = total;
      total += unitScores[d].length;
    }
    float[] documentScores = new float[documents.size()];
    Query parsed = query == null ? null : buildQuery(query);
    if (parsed == null || total == 0) return new Bm25Scorer.Scores(unitScores, documentScores, new float[unitScores.length][0]);
    try {
      float[] flat = search(parsed, total, writer -> {
        int ord = 0;
        for (SegmentedDocument doc : documents) {
          for (int u = 0; u < doc.units().size(); u++) {
            writer.addDocument(luceneDoc(ord++, doc.unitText(u), doc.title()));
          }
        }
      });
      for (int d = 0; d < documents.size(); d++) {
        System.arraycopy(flat, offsets[d], unitScores[d], 0, unitScores[d].length);
      }
      float[] docs = search(parsed, documents.size(), writer -> {
        int ord = 0;
        for (SegmentedDocument doc : documents) {
          StringBuilder body = new StringBuilder();
          for (int u = 0; u < doc.units().size(); u++) body.append(doc.unitText(u)).append(' ');
          writer.addDocument(luceneDoc(ord++, body.toString(), doc.title()));
        }
      });
      System.arraycopy(docs, 0, documentScores, 0, docs.length);
    } catch (IOException e) {
      throw new UncheckedIOException("in-memory BM25 index failed", e);
    }
    return new Bm25Scorer.Scores(unitScores, documentScores, new float[unitScores.length][0]);
  }

  private Query buildQuery(String query) {
    QueryBuilder builder = new QueryBuilder(analyzer);
    Query body = builder.createBooleanQuery(BODY, query);
    if (body == null) return null;
    Query title = builder.createBooleanQuery(TITLE, query);
    BooleanQuery.Builder both = new BooleanQuery.Builder().add(body, BooleanClause.Occur.SHOULD);
    if (title != null && titleBoost > 0) {
      both.add(new BoostQuery(title, titleBoost), BooleanClause.Occur.SHOULD);
    }
    return both.build();
  }

  private static Document luceneDoc(int ordinal, String body, String title) {
    Document doc = new Document();
    doc.add(new TextField(BODY, body, Field.Store.NO));
    if (title != null) doc.add(new TextField(TITLE, title, Field.Store.NO));
    doc.add(new NumericDocValuesField(ORDINAL, ordinal));
    return doc;
  }

  private interface Indexer {
    void index(IndexWriter writer) throws IOException;
  }

  private float[] search(Query query, int size, Indexer indexer) throws IOException {
    float[] scores = new float[size];
    try (ByteBuffersDirectory directory = new ByteBuffersDirectory()) {
      IndexWriterConfig config = new IndexWriterConfig(analyzer)
          .setSimilarity(similarity)
          .setRAMBufferSizeMB(64)
          .setCommitOnClose(true);
      try (IndexWriter writer = new IndexWriter(directory, config)) {
        indexer.index(writer);
      }
      try (DirectoryReader reader = DirectoryReader.open(directory)) {
        IndexSearcher searcher = new IndexSearcher(reader);
        searcher.setSimilarity(similarity);
        TopDocs top = searcher.search(query, size);
        for (ScoreDoc hit : top.scoreDocs) {
          LeafReaderContext leaf = reader.leaves().get(
              org.apache.lucene.index.ReaderUtil.subIndex(hit.doc, reader.leaves()));
          NumericDocValues ords = leaf.reader().getNumericDocValues(ORDINAL);
          int local = hit.doc - leaf.docBase;
          if (ords != null && ords.advanceExact(local)) scores[(int) ords.longValue()] = hit.score;
        }
      }
    }
    return scores;
  }
}
