package dev.precis.rank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.precis.segment.SegmentedDocument;
import dev.precis.segment.Segmenter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link Bm25Scorer} against a real Lucene index searched with BM25Similarity ({@link LuceneIndexBm25}). */
class Bm25ScorerTest {
  private static final Segmenter SEGMENTER = new Segmenter(600);
  private static final String[] WORDS = {
    "the", "cat", "cats", "sat", "on", "a", "mat", "Polonium", "was", "discovered", "by", "Marie", "Curie", "in",
    "1898", "radium", "element", "physicist's", "running", "runs", "ran", "of", "and", "is", "it", "quantum",
    "theory", "Nobel", "prize", "prizes", "chemistry", "physics", "Warsaw", "Paris", "University", "studied", "x"
  };

  @Test
  void aTitleLineIsScoredAsTheTitleItIsNotAsABody() {
    Bm25Scorer scorer = new Bm25Scorer(1.2f, 0.75f, 0.5f);
    String withLine = "Polonium\nIt was discovered by Marie Curie in 1898.";
    String without = "It was discovered by Marie Curie in 1898.";
    String other = "Radium is an element. It was studied in Paris.";
    List<SegmentedDocument> pasted = List.of(
        new SegmentedDocument(0, "Polonium", withLine, SEGMENTER.segment(withLine)),
        new SegmentedDocument(1, null, other, SEGMENTER.segment(other)));
    List<SegmentedDocument> sent = List.of(
        new SegmentedDocument(0, "Polonium", without, SEGMENTER.segment(without)),
        new SegmentedDocument(1, null, other, SEGMENTER.segment(other)));
    assertTrue(pasted.get(0).opensWithTitleLine());
    Bm25Scorer.Scores a = scorer.score("Who discovered polonium?", pasted);
    Bm25Scorer.Scores b = scorer.score("Who discovered polonium?", sent);
    assertEquals(0f, a.units()[0][0], "the title line itself");
    assertEquals(b.units()[0][0], a.units()[0][1], 1e-6f);
    assertEquals(b.documents()[0], a.documents()[0], 1e-6f);
    assertEquals(b.units()[1][0], a.units()[1][0], 1e-6f);
  }

  @Test
  void scoresEqualALuceneIndexOnRandomRequests() {
    Random random = new Random(20261201);
    Bm25Scorer direct = new Bm25Scorer(1.2f, 0.75f, 0.5f);
    LuceneIndexBm25 lucene = new LuceneIndexBm25(1.2f, 0.75f, 0.5f);
    for (int round = 0; round < 300; round++) {
      long seed = random.nextLong();
      Random r = new Random(seed);
      List<SegmentedDocument> docs = new ArrayList<>();
      int n = 1 + r.nextInt(8);
      for (int d = 0; d < n; d++) {
        String title = r.nextInt(4) == 0 ? null : r.nextInt(6) == 0 ? "" : words(r, 1 + r.nextInt(4), false);
        StringBuilder text = new StringBuilder();
        int sentences = 1 + r.nextInt(r.nextInt(10) == 0 ? 60 : 6);
        for (int s = 0; s < sentences; s++) text.append(words(r, 1 + r.nextInt(r.nextInt(8) == 0 ? 80 : 14), true)).append(' ');
        docs.add(new SegmentedDocument(d, title, text.toString(), SEGMENTER.segment(text.toString())));
      }
      String query = r.nextInt(20) == 0 ? "the of a" : words(r, 1 + r.nextInt(7), false) + "?";
      Bm25Scorer.Scores expected = lucene.score(query, docs);
      Bm25Scorer.Scores actual = direct.score(query, docs);
      for (int d = 0; d < n; d++) {
        String where = "seed " + seed + " query '" + query + "' document " + d;
        assertClose(expected.documents()[d], actual.documents()[d], where);
        for (int u = 0; u < expected.units()[d].length; u++) {
          assertClose(expected.units()[d][u], actual.units()[d][u], where + " unit " + u);
        }
      }
    }
  }

  @Test
  void noQueryOrNoTermsScoresZero() {
    List<SegmentedDocument> docs = List.of(new SegmentedDocument(0, "T", "Cats sat.", SEGMENTER.segment("Cats sat.")));
    Bm25Scorer scorer = new Bm25Scorer(1.2f, 0.75f, 0.5f);
    assertEquals(0f, scorer.score(null, docs).units()[0][0]);
    assertEquals(0f, scorer.score("the of", docs).units()[0][0]); // stop words only
    assertTrue(scorer.score("cat", docs).units()[0][0] > 0);
    assertEquals(0, scorer.score("cat", List.of()).documents().length);
  }

  @Test
  void rejectsIllegalParameters() {
    assertThrows(IllegalArgumentException.class, () -> new Bm25Scorer(-1f, 0.75f, 0.5f));
    assertThrows(IllegalArgumentException.class, () -> new Bm25Scorer(1.2f, 1.5f, 0.5f));
    assertThrows(IllegalArgumentException.class, () -> new Bm25Scorer(1.2f, 0.75f, Float.NaN));
  }

  private static void assertClose(float expected, float actual, String where) {
    assertEquals(expected, actual, 1e-5f * Math.max(1f, Math.abs(expected)), where);
  }

  private static String words(Random r, int count, boolean sentence) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < count; i++) {
      if (i > 0) sb.append(' ');
      sb.append(WORDS[r.nextInt(WORDS.length)]);
    }
    if (sentence) sb.append('.');
    return sb.toString();
  }
}
