package dev.precis.bench;

import dev.precis.quality.EvalExample;
import dev.precis.tokens.Tokenizers;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The single long document the scaling benchmarks cut to each size: the distinct qasper papers joined (about 88k
 * cl100k_base tokens), then distinct nq20 passages (50 at a time, from the end) until it holds 140k tokens. A prefix
 * of it within a size is the document of that size; its questions are qasper's.
 *
 * @param text the whole document
 * @param passages the distinct nq20 passages not in it (other text, for warm-up requests and the many-passage shape)
 */
record ScalingDocument(String text, List<EvalExample.Document> passages) {
  static ScalingDocument build(List<EvalExample> qasper, List<EvalExample> nq20, Tokenizers.TokenCounter counter) {
    StringBuilder papers = new StringBuilder();
    Set<String> seen = new HashSet<>();
    for (EvalExample ex : qasper) {
      for (EvalExample.Document d : ex.documents()) {
        if (seen.add(d.text())) papers.append(papers.isEmpty() ? "" : "\n\n").append(d.text());
      }
    }
    List<EvalExample.Document> passages = new ArrayList<>();
    for (EvalExample ex : nq20) for (EvalExample.Document d : ex.documents()) if (seen.add(d.text())) passages.add(d);
    // The distinct qasper papers hold about 88k tokens: beyond that the single document goes on with nq20 passages.
    for (int i = passages.size() - 1; i >= 0 && counter.count(papers.toString()) < 140_000; i -= 50) {
      for (int k = i; k > i - 50 && k >= 0; k--) papers.append("\n\n").append(passages.get(k).text());
    }
    return new ScalingDocument(papers.toString(), passages);
  }
}
