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
    RankSettings d = RankSettings.handSet();
    return new RankSettings(d.semanticWeight(), d.lexicalWeight(), d.documentWeight(), d.documentSemanticShare(),
        d.bridgeBonus(), d.bridgeSources(), 1, 1, d.encoderCharsPerUnit(), d.contextWeight(), d.fragmentPenalty(), d.staticWeight(),
        d.sectionWeight(), d.identifierWeight(), d.structureWeight(), d.sectionPriorWeight(),
        d.sectionCheapWeight(), d.leadWeight(), d.answerTypeWeight(), d.summaryLeadWeight());
  }

  @Test
  void staticVectorsSendARephrasedAnswerToTheEncoderThatBm25Misses() {
    // No word of the question occurs in any sentence, so BM25 scores them all 0 and position decides.
    List<SegmentedDocument> docs = oneDocument(
        "The weather stayed cold all week. She worked as a doctor at the city hospital. The match ended in a draw.");
    String query = "Which physician treated the patients?";

    Ranking lexicalOnly = new Ranker(new Bm25Scorer(1.2f, 0.75f, 0.5f), encoder).rank(query, docs, limitOne(), 1);
    assertFalse(Double.isNaN(lexicalOnly.documents().get(0).unitSemantic()[0]), "position picks the lead sentence");
    assertTrue(Double.isNaN(lexicalOnly.documents().get(0).unitSemantic()[1]));

    Ranking withStatic = new Ranker(new Bm25Scorer(1.2f, 0.75f, 0.5f), encoder, staticVectors)
        .rank(query, docs, limitOne(), 1);
    var doc = withStatic.documents().get(0);
    assertFalse(Double.isNaN(doc.unitSemantic()[1]), "the doctor sentence is embedded");
    assertTrue(Double.isNaN(doc.unitSemantic()[0]));
    assertEquals(1.0, doc.unitSoft()[1], 1e-9, "the doctor sentence has the best soft match");
    assertEquals(1, withStatic.embeddedTexts());
  }

  @Test
  void theQuestionEmbeddedAheadOnAnotherThreadRanksExactlyAsEmbeddedAfterTheUnits() {
    List<SegmentedDocument> docs = oneDocument("The weather stayed cold all week. She worked as a doctor at the city "
        + "hospital. The match ended in a draw. Doctors there treated hundreds of patients every winter.");
    String query = "Which physician treated the patients?";
    RankSettings settings = RankSettings.defaults();
    Ranking after = new Ranker(new Bm25Scorer(1.2f, 0.75f, 0.5f), encoder, staticVectors)
        .rank(query, docs, settings, settings.encoderTextLimit());
    java.util.concurrent.ExecutorService ahead = java.util.concurrent.Executors.newSingleThreadExecutor();
    try {
      Ranking aheadOf = new Ranker(new Bm25Scorer(1.2f, 0.75f, 0.5f), encoder, staticVectors, ahead)
          .rank(query, docs, settings, settings.encoderTextLimit());
      var a = after.documents().get(0);
      var b = aheadOf.documents().get(0);
      assertTrue(a.unitSemantic().length > 3);
      for (int u = 0; u < a.unitSemantic().length; u++) {
        assertEquals(a.unitSemantic()[u], b.unitSemantic()[u], 0.0, "semantic of unit " + u);
        assertEquals(after.unitScore(0, u), aheadOf.unitScore(0, u), 0.0, "score of unit " + u);
      }
    } finally {
      ahead.shutdown();
    }
  }

  @Test
  void theCharacterAllowanceStopsBeforeTheTextThatWouldGoPastIt() {
    List<String> texts = List.of("a".repeat(40), "b".repeat(30), "c".repeat(50), "d".repeat(5));
    assertEquals(4, Ranker.withinCharAllowance(texts, 0), "0 counts units only");
    assertEquals(4, Ranker.withinCharAllowance(texts, 125));
    assertEquals(2, Ranker.withinCharAllowance(texts, 119), "stops at c, although d would still fit");
    assertEquals(2, Ranker.withinCharAllowance(texts, 70), "exactly full");
    assertEquals(1, Ranker.withinCharAllowance(texts, 10), "the first text is always taken");
    assertEquals(0, Ranker.withinCharAllowance(List.of(), 10));
  }

  @Test
  void longSentencesSpendTheEncodersCharacterAllowanceSooner() {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 12; i++) {
      text.append("Sentence ").append(i).append(" tells of the harbour, its cranes, its ships and the long winter ")
          .append("nights the dockers worked through before the strike of that year. ");
    }
    List<SegmentedDocument> docs = oneDocument(text.toString().strip());
    String query = "When did the dockers strike?";
    RankSettings d = RankSettings.defaults();
    Ranker ranker = new Ranker(new Bm25Scorer(1.2f, 0.75f, 0.5f), encoder, staticVectors);
    assertEquals(8, ranker.rank(query, docs, d, 8).embeddedTexts(), "units only: all 8 of the limit");
    RankSettings allowance = d.withEncoderCharsPerUnit(60);
    // Each sentence is about 150 characters: 8 x 60 = 480 characters hold three of them.
    Ranking ranking = ranker.rank(query, docs, allowance, 8);
    assertEquals(3, ranking.embeddedTexts());
    int withVector = 0;
    for (double s : ranking.documents().get(0).unitSemantic()) if (!Double.isNaN(s)) withVector++;
    assertEquals(3, withVector);
  }

  @Test
  void aSentenceHoldingTheNumberAHowManyQuestionAsksForGainsTheAnswerTypeWeightAndSaysSo() {
    List<SegmentedDocument> docs = oneDocument("The harbour of the town is old and busy. Its cranes load ships all "
        + "year. The harbour has 48 cranes today. The town is small.");
    String query = "How many cranes does the harbour have?";
    RankSettings hand = RankSettings.handSet();
    assertEquals(1.0, hand.answerTypeWeight(), 0.0);
    Ranker ranker = new Ranker(new Bm25Scorer(1.2f, 0.75f, 0.5f), encoder, staticVectors);
    Ranking ranking = ranker.rank(query, docs, hand, hand.encoderTextLimit());
    var doc = ranking.documents().get(0);
    assertEquals(1.0, doc.unitFeatures()[2][FusionFeature.ANSWER_TYPE.ordinal()], 0.0);
    assertEquals(0.0, doc.unitFeatures()[1][FusionFeature.ANSWER_TYPE.ordinal()], 0.0);
    var explained = ranking.explain(0, 2, hand);
    assertTrue(explained.toString().contains("answer type"), explained.toString());
    assertEquals(ranking.unitScore(0, 2), explained.value(), 1e-12);
    double sum = 0;
    for (var part : explained.details()) sum += part.value();
    assertEquals(explained.value(), sum, 1e-9, "the parts add up to the score");

    RankSettings without = hand.withAnswerTypeWeight(0);
    Ranking plain = ranker.rank(query, docs, without, without.encoderTextLimit());
    assertEquals(plain.unitScore(0, 2) + 1.0, ranking.unitScore(0, 2), 1e-9);
    assertEquals(plain.unitScore(0, 1), ranking.unitScore(0, 1), 1e-9);
  }

  @Test
  void aProseSentenceHoldingTheIdentifierTheQuestionNamesGainsTheIdentifierWeightWhereTheHandSetSumRanks() {
    List<SegmentedDocument> docs = oneDocument("Client authentication is configured in a file. The file is read at "
        + "start and on reload. Each record of pg_hba.conf names a connection type and a method. Settings live in "
        + "postgresql.conf.");
    String query = "What does a record of pg_hba.conf name?";
    RankSettings hand = RankSettings.handSet();
    Ranker ranker = new Ranker(new Bm25Scorer(1.2f, 0.75f, 0.5f), encoder, staticVectors);
    Ranking ranking = ranker.rank(query, docs, hand, hand.encoderTextLimit());
    var doc = ranking.documents().get(0);
    assertEquals(hand.identifierWeight(), doc.unitStructure()[2], 1e-12, "pg_hba.conf held whole: all of it");
    assertEquals(0.0, doc.unitStructure()[3], 0.0, "postgresql.conf is another identifier");
    assertEquals(0.0, doc.unitStructure()[0], 0.0);
    var explained = ranking.explain(0, 2, hand);
    assertTrue(explained.toString().contains("identifiers held exactly"), explained.toString());
    assertEquals(ranking.unitScore(0, 2), explained.value(), 1e-12);

    RankSettings fitted = RankSettings.defaults();
    Ranking byFusion = ranker.rank(query, docs, fitted, fitted.encoderTextLimit());
    assertEquals(0.0, byFusion.documents().get(0).unitStructure()[2], 0.0,
        "prose passages the fitted fusion ranks keep the terms it was fitted on");
    Ranking noQuestion = ranker.rank(null, docs, hand, hand.encoderTextLimit());
    assertEquals(0.0, noQuestion.documents().get(0).unitStructure()[2], 0.0);
  }

  @Test
  void withoutAQuestionEachSectionsLeadGainsTheSummaryLeadWeightAndSaysSo() {
    String text = "# Harbour\n\n## Equipment\n\nThe harbour owns 48 cranes. They load ships all year. Two tugboats "
        + "help.\n\n## History\n\nThe harbour opened in 1901. It grew after the war.";
    List<SegmentedDocument> docs = oneDocument(text);
    RankSettings hand = RankSettings.handSet();
    Ranker ranker = new Ranker(new Bm25Scorer(1.2f, 0.75f, 0.5f), encoder, staticVectors);
    Ranking ranking = ranker.rank(null, docs, hand, hand.encoderTextLimit());
    var doc = ranking.documents().get(0);
    SegmentedDocument segmented = docs.get(0);
    int cranes = unitStartingWith(segmented, "The harbour owns");
    int ships = unitStartingWith(segmented, "They load");
    int opened = unitStartingWith(segmented, "The harbour opened");
    assertEquals(hand.summaryLeadWeight(), doc.unitLead()[cranes], 1e-12);
    assertEquals(hand.summaryLeadWeight() / 2, doc.unitLead()[ships], 1e-12);
    assertEquals(hand.summaryLeadWeight(), doc.unitLead()[opened], 1e-12);
    assertEquals(0.0, doc.unitLead()[unitStartingWith(segmented, "## Equipment")], 0.0, "a heading is no lead");
    var explained = ranking.explain(0, cranes, hand);
    assertTrue(explained.toString().contains("section lead"), explained.toString());
    assertEquals(ranking.unitScore(0, cranes), explained.value(), 1e-12);
    double sum = 0;
    for (var part : explained.details()) sum += part.value();
    assertEquals(explained.value(), sum, 1e-9, "the parts add up to the score");

    Ranking asked = ranker.rank("How many cranes does the harbour own?", docs, hand, hand.encoderTextLimit());
    assertEquals(0.0, asked.documents().get(0).unitLead()[cranes], 0.0, "with a question, relevance decides");
  }

  @Test
  void passagesOfOneSourceAreChunksEvenWhenCutAtSentenceEnds() {
    String a = "Full House is an American sitcom created by Jeff Franklin. It aired on ABC from 1987 to 1995.";
    String b = "Bob Saget played Danny Tanner, a widowed father of three daughters. He also hosted a video show.";
    String c = "Saved by the Bell is an American sitcom that aired on NBC from 1989 to 1993.";
    Segmenter segmenter = new Segmenter(600);
    int chunked = FusionFeature.CHUNKED.ordinal();
    Ranker ranker = new Ranker(new Bm25Scorer(1.2f, 0.75f, 0.5f), null);
    String query = "Who played the father in Full House?";

    List<SegmentedDocument> oneSource = List.of(
        new SegmentedDocument(0, "Full House", a, segmenter.segment(a)),
        new SegmentedDocument(1, "Full House", b, segmenter.segment(b)),
        new SegmentedDocument(2, "Saved by the Bell", c, segmenter.segment(c)));
    Ranking ranking = ranker.rank(query, oneSource, RankSettings.defaults(), 0);
    for (var doc : ranking.documents()) {
      assertEquals(2.0 / 3, doc.unitFeatures()[0][chunked], 1e-12, "two of three passages share their source");
    }

    List<SegmentedDocument> wholeDocuments = List.of(
        new SegmentedDocument(0, "Full House", a, segmenter.segment(a)),
        new SegmentedDocument(1, "Bob Saget", b, segmenter.segment(b)),
        new SegmentedDocument(2, "Saved by the Bell", c, segmenter.segment(c)));
    for (var doc : ranker.rank(query, wholeDocuments, RankSettings.defaults(), 0).documents()) {
      assertEquals(0.0, doc.unitFeatures()[0][chunked], "whole sentences, one passage per source");
    }
  }

  @Test
  void explanationOfAUnitLeftUnembeddedNamesItsCheapScores() {
    List<SegmentedDocument> docs = oneDocument(
        "The weather stayed cold all week. She worked as a doctor at the city hospital. The match ended in a draw.");
    RankSettings settings = limitOne();
    Ranking ranking = new Ranker(new Bm25Scorer(1.2f, 0.75f, 0.5f), encoder, staticVectors)
        .rank("Which physician treated the patients?", docs, settings, settings.encoderTextLimit());
    String described = ranking.explain(0, 2, settings).toString();
    assertTrue(described.contains("soft match"), described);
    assertEquals(ranking.unitScore(0, 2), ranking.explain(0, 2, settings).value(), 1e-12);
  }

  @Test
  void aSentenceInTheSectionTheQuestionIsAboutOutranksItsTwinElsewhere() {
    // Both "The corpus was split." sentences match the question equally; only the second's section is about the
    // Chinese posts as a whole, so the section prior ranks it first.
    String text = "## Setup\n\nWe trained on English news. The corpus was split in two. Models ran for a week.\n\n"
        + "## Weibo\n\nWe also gathered Chinese posts from Weibo. The corpus was split in three. "
        + "Chinese posts are short, and the Weibo posts were filtered.";
    List<SegmentedDocument> docs = oneDocument(text);
    String query = "How was the corpus of Chinese Weibo posts split?";
    Ranker ranker = new Ranker(new Bm25Scorer(1.2f, 0.75f, 0.5f), null);
    RankSettings settings = withSectionWeight(0.5);
    Ranking ranking = ranker.rank(query, docs, settings, settings.encoderTextLimit());
    int english = unitStartingWith(docs.get(0), "The corpus was split in two");
    int chinese = unitStartingWith(docs.get(0), "The corpus was split in three");
    assertTrue(ranking.unitScore(0, chinese) > ranking.unitScore(0, english));
    var sections = ranking.documents().get(0).sections();
    assertEquals(2, sections.count());
    assertEquals(1.0, ranking.documents().get(0).sectionScores()[sections.of(chinese)], 1e-9);
    assertTrue(ranking.documents().get(0).unitSectionPrior()[english] < 0);
    String described = ranking.explain(0, english, settings).toString();
    assertTrue(described.contains("section prior"), described);
    assertEquals(ranking.unitScore(0, english), ranking.explain(0, english, settings).value(), 1e-12);
  }

  @Test
  void aMatchingSectionHeadingLiftsTheSentencesUnderIt() {
    String text = "Introduction\nWe study how people share news online and why some stories spread faster than others.\n"
        + "Data Collection\nVolunteers recorded every post they saw on their phones for a month, by hand.\n"
        + "Results\nStories with pictures spread twice as fast as stories without any pictures.";
    List<SegmentedDocument> docs = oneDocument(text);
    String query = "How was the data collected?";
    Ranker ranker = new Ranker(new Bm25Scorer(1.2f, 0.75f, 0.5f), null);
    RankSettings without = withSectionWeight(0);
    RankSettings with = RankSettings.handSet();
    int volunteers = unitStartingWith(docs.get(0), "Volunteers");
    int stories = unitStartingWith(docs.get(0), "Stories");
    Ranking flat = ranker.rank(query, docs, without, without.encoderTextLimit());
    Ranking sectioned = ranker.rank(query, docs, with, with.encoderTextLimit());
    assertEquals(0, flat.unitScore(0, volunteers) - flat.unitScore(0, stories), 1e-9,
        "without the section prior, BM25 sees neither sentence");
    assertTrue(sectioned.unitScore(0, volunteers) > sectioned.unitScore(0, stories) + 0.1);
    var explanation = sectioned.explain(0, volunteers, with);
    assertTrue(explanation.details().stream().anyMatch(e -> e.description().contains("section heading") && e.value() > 0),
        explanation::toString);
  }

  @Test
  void aPassagesTitleLineIsItsTitleNotAUnitOrASectionHeading() {
    // Pasted passages: each block's title line becomes its passage's title. As a unit, "Polonium" alone would be
    // the best BM25 match (short, all title words), scale every other unit down, take the passage's one look from
    // the encoder and lift the whole passage as a section heading.
    String context = "Polonium\nIt is a rare and highly radioactive metal with no stable isotopes at all.\n\n"
        + "Marie Curie\nShe discovered polonium and radium with her husband Pierre in 1898 in Paris.";
    SegmentedDocument whole = new SegmentedDocument(0, null, context, new Segmenter(600).segment(context));
    List<SegmentedDocument> passages = dev.precis.segment.Passages.of(List.of(whole)).list();
    assertEquals(2, passages.size());
    assertTrue(passages.get(0).opensWithTitleLine());
    RankSettings settings = RankSettings.handSet();
    Ranking ranking = new Ranker(new Bm25Scorer(1.2f, 0.75f, 0.5f), encoder, staticVectors)
        .rank("Who discovered polonium?", passages, settings, 2);
    for (Ranking.DocumentRanking passage : ranking.documents()) {
      assertEquals(0, passage.unitLexical()[0], "the title line gets no BM25 of its own");
      assertTrue(Double.isNaN(passage.unitSemantic()[0]), "the title line is not embedded");
      assertFalse(Double.isNaN(passage.unitSemantic()[1]), "the passage's look goes to its sentence");
      assertEquals(0, passage.unitSection()[1], 1e-12, "no section prior from the title line");
    }
    assertEquals(1.0, ranking.documents().get(1).unitLexical()[1], 1e-9, "the discovering sentence sets the scale");
    String why = ranking.explain(0, 0, settings).toString();
    assertTrue(why.contains("title line"), why);
  }

  private static int unitStartingWith(SegmentedDocument doc, String prefix) {
    for (int u = 0; u < doc.units().size(); u++) if (doc.unitText(u).startsWith(prefix)) return u;
    throw new AssertionError("no unit starts with " + prefix);
  }

  private static RankSettings withSectionWeight(double weight) {
    RankSettings d = RankSettings.handSet();
    return new RankSettings(d.semanticWeight(), d.lexicalWeight(), d.documentWeight(), d.documentSemanticShare(),
        d.bridgeBonus(), d.bridgeSources(), d.encoderTextLimit(), d.bestEncoderTextLimit(), d.encoderCharsPerUnit(),
        d.contextWeight(), d.fragmentPenalty(), d.staticWeight(), weight, d.identifierWeight(), d.structureWeight(),
        weight == 0 ? 0 : d.sectionPriorWeight(), d.sectionCheapWeight(), d.leadWeight(), d.answerTypeWeight(), d.summaryLeadWeight());
  }

  @Test
  void withoutAQueryTheStaticStageStaysOut() {
    List<SegmentedDocument> docs = oneDocument("Alpha beta gamma. Beta gamma delta. Gamma delta epsilon.");
    Ranking ranking = new Ranker(new Bm25Scorer(1.2f, 0.75f, 0.5f), encoder, staticVectors)
        .rank(null, docs, limitOne(), 1);
    for (double s : ranking.documents().get(0).unitSoft()) assertEquals(0.0, s);
  }
}
