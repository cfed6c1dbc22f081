package dev.precis.jmh;

import dev.precis.engine.Budget;
import dev.precis.engine.CompressionRequest;
import dev.precis.engine.SourceDocument;
import dev.precis.quality.EvalExample;
import dev.precis.quality.EvalSet;
import dev.precis.segment.SegmentedDocument;
import dev.precis.segment.Segmenter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Inputs shared by the benchmarks: nq20 dev requests (20 Wikipedia passages, about 2.8k cl100k tokens each), read
 * from {@code -Dprecis.eval} (default {@code ../shared/eval}, relative to the project directory).
 */
final class NqRequest {
  static final int MAX_UNIT_CHARS = 600;

  private NqRequest() {}

  /** The first {@code n} nq20 dev examples. */
  static List<EvalExample> examples(int n) {
    Path eval = Path.of(System.getProperty("precis.eval", "../shared/eval"));
    return EvalSet.readDev(eval, "nq20").limit(n).examples();
  }

  /** An example's documents, segmented as the engine segments them. */
  static List<SegmentedDocument> segmented(EvalExample example) {
    Segmenter segmenter = new Segmenter(MAX_UNIT_CHARS);
    List<SegmentedDocument> docs = new ArrayList<>();
    for (int d = 0; d < example.documents().size(); d++) {
      EvalExample.Document doc = example.documents().get(d);
      docs.add(new SegmentedDocument(d, doc.title(), doc.text(), segmenter.segment(doc.text())));
    }
    return docs;
  }

  /** The engine request for an example at ratio 4 (cl100k_base, effort fast). */
  static CompressionRequest request(EvalExample example) {
    List<SourceDocument> docs = new ArrayList<>();
    for (EvalExample.Document d : example.documents()) docs.add(new SourceDocument(d.id(), d.title(), d.text()));
    return CompressionRequest.of(example.question(), docs, Budget.ofRatio(4));
  }

  /** The text the encoder sees for a unit: title, colon, unit (as the ranker builds it). */
  static List<String> encoderTexts(List<SegmentedDocument> docs) {
    List<String> texts = new ArrayList<>();
    for (SegmentedDocument doc : docs) {
      for (int u = 0; u < doc.units().size(); u++) texts.add(doc.title() + ": " + doc.unitText(u));
    }
    return texts;
  }
}
