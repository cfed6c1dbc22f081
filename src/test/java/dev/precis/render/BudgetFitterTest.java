package dev.precis.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.precis.plan.Plan;
import dev.precis.plan.PlanSettings;
import dev.precis.plan.Planner;
import dev.precis.plan.Reason;
import dev.precis.plan.Selection;
import dev.precis.quality.EvalExample;
import dev.precis.quality.RegressionSet;
import dev.precis.rank.Bm25Scorer;
import dev.precis.rank.RankSettings;
import dev.precis.rank.Ranker;
import dev.precis.rank.Ranking;
import dev.precis.segment.SegmentedDocument;
import dev.precis.segment.Segmenter;
import dev.precis.tokens.Tokenizers;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The fill that takes units on an upper estimate decides exactly as the fill that counts every try, and a unit it adds
 * comes under its own headings.
 */
class BudgetFitterTest {
  private static final Segmenter SEGMENTER = new Segmenter(600);

  @Test
  void estimatingFirstGivesTheSameOutputAsCountingEveryTry() {
    Ranker ranker = new Ranker(new Bm25Scorer(1.2f, 0.75f, 0.5f), null);
    Planner planner = new Planner(PlanSettings.defaults());
    BudgetFitter estimating = new BudgetFitter(32, true);
    BudgetFitter exact = new BudgetFitter(32, false);
    int compared = 0;
    for (EvalExample example : RegressionSet.examples()) {
      List<SegmentedDocument> documents = new ArrayList<>();
      for (int d = 0; d < example.documents().size(); d++) {
        EvalExample.Document doc = example.documents().get(d);
        String title = doc.title().isEmpty() ? null : doc.title();
        documents.add(new SegmentedDocument(d, title, doc.text(), SEGMENTER.segment(doc.text())));
      }
      Ranking ranking = ranker.rank(example.question(), documents, RankSettings.defaults(),
          RankSettings.defaults().encoderTextLimit());
      int[] order = new int[documents.size()];
      for (int d = 0; d < order.length; d++) order[d] = d;
      for (String encoding : List.of("cl100k_base", "o200k_base", "r50k_base")) {
        Tokenizers.TokenCounter counter = Tokenizers.forEncoding(encoding).orElseThrow();
        int[][] unitTokens = new int[documents.size()][];
        int[] headerTokens = new int[documents.size()];
        BitSet[] forced = new BitSet[documents.size()];
        int input = 0;
        for (SegmentedDocument doc : documents) {
          unitTokens[doc.index()] = new int[doc.units().size()];
          for (int u = 0; u < doc.units().size(); u++) {
            unitTokens[doc.index()][u] = counter.count(doc.unitText(u));
            input += unitTokens[doc.index()][u];
          }
          headerTokens[doc.index()] = 1 + (doc.title() == null ? 0 : counter.count(doc.title() + "\n"));
          forced[doc.index()] = new BitSet();
        }
        for (String marker : List.of("…", "", "[...]")) {
          int markerTokens = marker.isEmpty() ? 0 : counter.count(" " + marker);
          for (int ratio : new int[] {2, 4, 10, 40}) {
            int budget = Math.max(1, input / ratio);
            Plan plan = planner.plan(documents, ranking, unitTokens, headerTokens, markerTokens, budget, forced);
            BudgetFitter.Fitted a = estimating.fit(documents, plan, order, marker, budget, unitTokens, counter);
            BudgetFitter.Fitted b = exact.fit(documents, plan, order, marker, budget, unitTokens, counter);
            String where = example.id() + " " + encoding + " marker '" + marker + "' ratio " + ratio;
            assertEquals(b.text(), a.text(), where);
            assertEquals(b.tokens(), a.tokens(), where);
            assertEquals(counter.count(a.text()), a.tokens(), where);
            assertTrue(a.tokens() <= budget, where);
            compared++;
          }
        }
      }
    }
    assertTrue(compared >= 500, "compared " + compared);
  }

  @Test
  void aUnitAddedToFillTheBudgetComesWithItsHeadingOrNotAtAll() {
    String text = "# Network\n\nThe service listens on port 8080.\n\n# Logging\n\nLogs go to standard output.";
    List<SegmentedDocument> documents = List.of(new SegmentedDocument(0, null, text, SEGMENTER.segment(text)));
    assertEquals(4, documents.get(0).units().size(), "heading, sentence, heading, sentence");
    Tokenizers.TokenCounter counter = Tokenizers.forEncoding("cl100k_base").orElseThrow();
    int[][] unitTokens = new int[1][4];
    for (int u = 0; u < 4; u++) unitTokens[0][u] = counter.count(documents.get(0).unitText(u));
    int[] order = {0};
    List<Selection> network = List.of(new Selection(0, 0, Reason.HEADING), new Selection(0, 1, Reason.REFINED));
    // The second sentence is left over; its heading path is the second heading.
    List<int[]> leftovers = List.<int[]>of(new int[] {0, 3, 2});
    BudgetFitter fitter = new BudgetFitter(32);
    int withoutItsHeading = fitter.fit(documents, new Plan(List.of(new Selection(0, 0, Reason.HEADING),
        new Selection(0, 1, Reason.REFINED), new Selection(0, 3, Reason.REFINED)), List.of(), List.of()), order, "…",
        1_000, unitTokens, counter).tokens();
    int all = counter.count(text);
    assertTrue(withoutItsHeading < all, withoutItsHeading + " < " + all);

    BudgetFitter.Fitted roomForBoth = fitter.fit(documents, new Plan(network, leftovers, List.of()), order, "…", all,
        unitTokens, counter);
    assertEquals(text, roomForBoth.text());

    // Room for the sentence but not for its heading too: it would read as part of the section on the network.
    BudgetFitter.Fitted roomForOne = fitter.fit(documents, new Plan(network, leftovers, List.of()), order, "…",
        withoutItsHeading, unitTokens, counter);
    assertFalse(roomForOne.text().contains("Logs go"), roomForOne.text());
    assertTrue(roomForOne.text().contains("port 8080"), roomForOne.text());
  }
}
