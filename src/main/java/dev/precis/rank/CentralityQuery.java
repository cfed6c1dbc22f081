package dev.precis.rank;

import dev.precis.segment.SegmentedDocument;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;

/**
 * Without a question, lexical relevance means centrality: the pseudo-query is made of the context's most
 * frequent content words (stop words removed), so units that talk about what the whole context talks about score
 * higher.
 */
final class CentralityQuery {
  private static final int TERMS = 24;
  private final Analyzer analyzer = new EnglishAnalyzer();

  String of(List<SegmentedDocument> documents) {
    Map<String, Integer> counts = new HashMap<>();
    for (SegmentedDocument doc : documents) {
      try (TokenStream stream = analyzer.tokenStream("body", doc.text())) {
        CharTermAttribute term = stream.addAttribute(CharTermAttribute.class);
        stream.reset();
        while (stream.incrementToken()) counts.merge(term.toString(), 1, Integer::sum);
        stream.end();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    List<Map.Entry<String, Integer>> entries = new ArrayList<>(counts.entrySet());
    entries.sort(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
    StringBuilder query = new StringBuilder();
    for (int i = 0; i < Math.min(TERMS, entries.size()); i++) {
      if (entries.get(i).getValue() < 2) break;
      query.append(entries.get(i).getKey()).append(' ');
    }
    return query.toString().strip();
  }
}
