package dev.precis.rank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.precis.encode.EncoderModel;
import dev.precis.encode.OnnxSentenceEncoder;
import dev.precis.encode.SentenceEncoder;
import dev.precis.encode.StaticEncoder;
import dev.precis.segment.SegmentedDocument;
import dev.precis.segment.Segmenter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RankerTest {
  private static final EncoderModel MODEL = EncoderModel.named("bge-small-en-v1.5-q");
  private static SentenceEncoder encoder;
  private static StaticEncoder staticVectors;

  @BeforeAll
  static void load() {
    encoder = new OnnxSentenceEncoder(MODEL, Path.of("models"), 2, 32);
    staticVectors = StaticEncoder.load(MODEL, Path.of("models"));
  }

  @AfterAll
  static void close() {
    encoder.close();
  }

  private static List<SegmentedDocument> oneDocument(String text) {
    return List.of(new SegmentedDocument(0, null, text, new Segmenter(600).segment(text)));
  }

  private static RankSettings limitOne() {
    RankSettings d = RankSettings.defaults();
    return new RankSettings(d.semanticWeight(), d.lexicalWeight(), d.documentWeight(), d.documentSemanticShare(),
        d.bridgeBonus(), d.bridgeSources(), 1, 1, d.contextWeight(), d.fragmentPenalty(), d.staticWeight());
  }

  @Test
  void staticVectorsSendARephrasedAnswerToTheEncoderThatBm25Misses() {
    // No word of the question occurs in any sentence, so BM25 scores them all 0 and position decides.
    List<SegmentedDocument> docs = oneDocument(
        "The weather stayed cold all week. She worked as a doctor at the city hospital. The match ended in a draw.");
    String query = "Which physician treated the patients?";

    Ranking lexicalOnly = new Ranker(new Bm25Scorer(1.2f, 0.75f, 0.5f), encoder).rank(query, docs, limitOne(), false);
    assertFalse(Double.isNaN(lexicalOnly.documents().get(0).unitSemantic()[0]), "position picks the lead sentence");
    assertTrue(Double.isNaN(lexicalOnly.documents().get(0).unitSemantic()[1]));

    Ranking withStatic = new Ranker(new Bm25Scorer(1.2f, 0.75f, 0.5f), encoder, staticVectors)
        .rank(query, docs, limitOne(), false);
    var doc = withStatic.documents().get(0);
    assertFalse(Double.isNaN(doc.unitSemantic()[1]), "the doctor sentence is embedded");
    assertTrue(Double.isNaN(doc.unitSemantic()[0]));
    assertEquals(1.0, doc.unitSoft()[1], 1e-9, "the doctor sentence has the best soft match");
    assertEquals(1, withStatic.embeddedTexts());
  }

  @Test
  void explanationOfAUnitLeftUnembeddedNamesItsCheapScores() {
    List<SegmentedDocument> docs = oneDocument(
        "The weather stayed cold all week. She worked as a doctor at the city hospital. The match ended in a draw.");
    RankSettings settings = limitOne();
    Ranking ranking = new Ranker(new Bm25Scorer(1.2f, 0.75f, 0.5f), encoder, staticVectors)
        .rank("Which physician treated the patients?", docs, settings, false);
    String described = ranking.explain(0, 2, settings).toString();
    assertTrue(described.contains("soft match"), described);
    assertEquals(ranking.unitScore(0, 2), ranking.explain(0, 2, settings).value(), 1e-12);
  }

  @Test
  void withoutAQueryTheStaticStageStaysOut() {
    List<SegmentedDocument> docs = oneDocument("Alpha beta gamma. Beta gamma delta. Gamma delta epsilon.");
    Ranking ranking = new Ranker(new Bm25Scorer(1.2f, 0.75f, 0.5f), encoder, staticVectors)
        .rank(null, docs, limitOne(), false);
    for (double s : ranking.documents().get(0).unitSoft()) assertEquals(0.0, s);
  }
}
