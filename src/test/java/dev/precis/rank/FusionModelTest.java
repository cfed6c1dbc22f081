package dev.precis.rank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.precis.encode.EncoderModel;
import dev.precis.encode.OnnxSentenceEncoder;
import dev.precis.encode.SentenceEncoder;
import dev.precis.engine.Explanation;
import dev.precis.segment.SegmentedDocument;
import dev.precis.segment.Segmenter;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FusionModelTest {
  private static final EncoderModel MODEL = EncoderModel.named("bge-small-en-v1.5-q");
  private static SentenceEncoder encoder;

  @BeforeAll
  static void load() {
    encoder = new OnnxSentenceEncoder(MODEL, Path.of("models"), 2, 32);
  }

  @AfterAll
  static void close() {
    encoder.close();
  }

  private static Ranker ranker() {
    return new Ranker(new Bm25Scorer(1.2f, 0.75f, 0.5f), encoder);
  }

  private static List<SegmentedDocument> documents() {
    String a =
        "The Eiffel Tower is in Paris. It was built for the 1889 World's Fair. Gustave Eiffel's company built it.";
    String b = "The Colosseum is in Rome. It held gladiator contests. Its construction began under Vespasian.";
    return List.of(new SegmentedDocument(0, "Eiffel Tower", a, new Segmenter(600).segment(a)),
        new SegmentedDocument(1, "Colosseum", b, new Segmenter(600).segment(b)));
  }

  @Test
  void theBundledWeightsLoadAndNameWhatMadeThem() {
    FusionModel model = FusionModel.bundled();
    assertTrue(model.source().contains("FusionFit"), model.source());
    assertTrue(model.weight(FusionFeature.SEMANTIC) > 0, "the encoder's similarity counts for a unit: " + model);
  }

  @Test
  void aFittedScoreIsTheSumOfTheFeaturesContributionsItsExplanationShows() {
    FusionModel model = FusionModel.bundled();
    RankSettings settings = RankSettings.defaults().withFusion(model);
    Ranking ranking = ranker().rank("When was the Eiffel Tower built?", documents(), settings, 32);
    assertEquals(model, ranking.fusion());
    for (int d = 0; d < 2; d++) {
      for (int u = 0; u < ranking.documents().get(d).unitScores().length; u++) {
        double[] features = ranking.documents().get(d).unitFeatures()[u];
        assertEquals(model.score(features), ranking.unitScore(d, u), 1e-12);
        Explanation why = ranking.explain(d, u, settings);
        assertEquals(ranking.unitScore(d, u), why.value(), 1e-12);
        double sum = 0;
        for (Explanation part : why.details()) sum += part.value();
        assertEquals(why.value(), sum, 1e-9, "the contributions add up to the score: " + why);
      }
    }
    assertTrue(ranking.explain(0, 1, settings).toString().contains("lexical"));
    assertTrue(ranking.unitScore(0, 1) > ranking.unitScore(1, 1), "the sentence that answers ranks above a distractor");
  }

  @Test
  void theHandSetSumIsThereOnRequest() {
    Ranking ranking = ranker().rank("When was the Eiffel Tower built?", documents(), RankSettings.handSet(), 32);
    assertEquals(null, ranking.fusion());
    assertTrue(ranking.explain(0, 1, RankSettings.handSet()).description().startsWith("sum of"));
  }

  @Test
  void byDefaultProsePassagesAreScoredByTheFittedModelAndTheRestByTheHandSetSum() {
    Ranker ranker = ranker();
    String question = "When was the Eiffel Tower built?";
    assertEquals(FusionModel.bundled(), ranker.rank(question, documents(), RankSettings.defaults(), 32).fusion());
    assertEquals(null, ranker.rank(question, documents(), RankSettings.defaults(), 0).fusion(),
        "without the encoder's pass (effort instant)");
    assertEquals(null, ranker.rank(null, documents(), RankSettings.defaults(), 32).fusion(), "without a question");
    String json = "[{\"id\": \"a-1\", \"name\": \"Eiffel Tower\", \"built\": 1889},"
        + " {\"id\": \"b-2\", \"name\": \"Colosseum\", \"built\": 80}]";
    SegmentedDocument structured = new dev.precis.segment.DocumentSegmenter(600)
        .segment(0, null, json, dev.precis.segment.Format.AUTO, false);
    assertTrue(structured.structure() != null, "the JSON is segmented as a structure");
    assertEquals(null, ranker.rank("When was a-1 built?", List.of(structured), RankSettings.defaults(), 32).fusion(),
        "with a structured document");
  }

  @Test
  void aWeightsFileWithAnUnknownFeatureIsRefusedByName() throws Exception {
    Properties p = new Properties();
    p.load(new StringReader("source=test\nweight.colour=1\n"));
    var e = assertThrows(IllegalArgumentException.class, () -> FusionModel.of(p));
    assertTrue(e.getMessage().contains("colour"), e.getMessage());
  }
}
