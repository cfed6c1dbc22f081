package dev.precis.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.precis.rank.Ranking;
import dev.precis.segment.SegmentedDocument;
import dev.precis.segment.Sections;
import dev.precis.segment.Segmenter;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlannerTest {
  private final Segmenter segmenter = new Segmenter(600);

  private SegmentedDocument doc(int index, String text) {
    return new SegmentedDocument(index, "T" + index, text, segmenter.segment(text));
  }

  private static Ranking ranking(double[] docScores, double[][] unitScores) {
    List<Ranking.DocumentRanking> docs = new ArrayList<>();
    for (int d = 0; d < docScores.length; d++) {
      int n = unitScores[d].length;
      docs.add(new Ranking.DocumentRanking(d, docScores[d], 0, 0, 0, unitScores[d], new double[n], new double[n],
          new double[n], new double[n], new double[n], new double[n], new double[n], false, null, new double[0],
          new double[n]));
    }
    return new Ranking(docs, 0, false, false);
  }

  private static BitSet[] none(int n) {
    BitSet[] b = new BitSet[n];
    for (int i = 0; i < n; i++) b[i] = new BitSet();
    return b;
  }

  @Test
  void summariesGiveEveryRelevantDocumentItsBestUnitBeforeRefinement() {
    List<SegmentedDocument> docs = List.of(doc(0, "A one. A two. A three."), doc(1, "B one. B two. B three."));
    Ranking r = ranking(new double[] {1.0, 0.9}, new double[][] {{0.9, 0.8, 0.7}, {0.1, 0.5, 0.2}});
    int[][] tokens = {{3, 3, 3}, {3, 3, 3}};
    Plan plan = new Planner(PlanSettings.defaults()).plan(docs, r, tokens, new int[] {2, 2}, 1, 60, none(2));
    assertEquals(new Selection(0, 0, Reason.SUMMARY), plan.selections().get(0));
    assertEquals(new Selection(1, 1, Reason.SUMMARY), plan.selections().get(1));
    assertEquals(Reason.REFINED, plan.selections().get(2).reason());
  }

  /** A document of four headed sections, its units scored in reverse order, ranked without a question. */
  private Plan mapped(double[] sectionScores, boolean queryAgnostic, PlanSettings settings, int budget) {
    String text = "# One\n\nOne a. One b.\n\n# Two\n\nTwo a. Two b.\n\n# Three\n\nThree a. Three b.\n\n"
        + "# Four\n\nFour a. Four b.";
    SegmentedDocument doc = new SegmentedDocument(0, null, text, segmenter.segment(text));
    Sections sections = Sections.of(doc, Sections.DEFAULT_WINDOW_CHARS);
    int n = doc.units().size();
    double[] unitScores = new double[n];
    for (int u = 0; u < n; u++) unitScores[u] = 1.0 - u / (double) n;
    Ranking ranking = new Ranking(List.of(new Ranking.DocumentRanking(0, 1.0, 0, 0, 0, unitScores, new double[n],
        new double[n], new double[n], new double[n], new double[n], new double[n], new double[n], false, sections,
        sectionScores, new double[n])), 0, queryAgnostic, false);
    int[][] tokens = {new int[n]};
    java.util.Arrays.fill(tokens[0], 3);
    return new Planner(settings).plan(List.of(doc), ranking, tokens, new int[] {0}, 1, budget, none(1));
  }

  @Test
  void withoutAQuestionALongDocumentGetsItsMapFirst() {
    Plan plan = mapped(new double[] {0.2, 1.0, 0.5, 0.7}, true, PlanSettings.defaults(), 100);
    // Map: best sections first, each its heading and its best unit (the first under it here).
    List<Selection> first = plan.selections().subList(0, 8);
    assertEquals(List.of(new Selection(0, 3, Reason.HEADING), new Selection(0, 4, Reason.SUMMARY),
        new Selection(0, 9, Reason.HEADING), new Selection(0, 10, Reason.SUMMARY),
        new Selection(0, 6, Reason.HEADING), new Selection(0, 7, Reason.SUMMARY),
        new Selection(0, 0, Reason.HEADING), new Selection(0, 1, Reason.SUMMARY)), first);
  }

  @Test
  void theMapStaysWithinItsShare() {
    // 30 tokens: a map entry costs about 10 (heading, unit, joints, markers), so half the budget holds one.
    Plan plan = mapped(new double[] {0.2, 1.0, 0.5, 0.7}, true, PlanSettings.defaults(), 30);
    assertEquals(1, plan.selections().stream().filter(s -> s.reason() == Reason.SUMMARY).count());
    assertEquals(new Selection(0, 3, Reason.HEADING), plan.selections().get(0));
  }

  @Test
  void withAQuestionTheMapIsOffByDefaultAndFollowsTheSpreadWhenOn() {
    Plan off = mapped(new double[] {1.0, 1.0, 1.0, 1.0}, false, PlanSettings.defaults(), 100);
    assertTrue(off.selections().stream().noneMatch(s -> s.reason() == Reason.SUMMARY && s.unit() > 2));
    PlanSettings on = new PlanSettings(true, 0.4, 0.5, 0.1, 0.0, 0.5, 1.0, true);
    long even = mapped(new double[] {1.0, 1.0, 1.0, 1.0}, false, on, 100).selections().stream()
        .filter(s -> s.reason() == Reason.SUMMARY).count();
    long peaked = mapped(new double[] {1.0, 0.0, 0.0, 0.0}, false, on, 100).selections().stream()
        .filter(s -> s.reason() == Reason.SUMMARY).count();
    assertEquals(4, even, "relevance spread evenly: every section on the map");
    assertTrue(peaked <= 2, "relevance in one section: a quarter of the share, " + peaked + " entries");
  }

  @Test
  void aKeptUnitBringsTheHeadingsOverItAndPaysForThem() {
    String text = "# Manual\n\nAbout it.\n\n## Install\n\nRun it.\n\n### On Debian\n\nUse apt. Then reboot.\n\n"
        + "## Remove\n\nDelete it.";
    SegmentedDocument doc = new SegmentedDocument(0, null, text, segmenter.segment(text));
    int n = doc.units().size();
    int apt = -1;
    for (int u = 0; u < n; u++) if (doc.unitText(u).equals("Use apt.")) apt = u;
    double[] scores = new double[n];
    scores[apt] = 1.0;
    Ranking r = ranking(new double[] {1.0}, new double[][] {scores});
    int[][] tokens = {new int[n]};
    java.util.Arrays.fill(tokens[0], 3);
    // Budget for the unit and its three headings (4 x 4 tokens, header 0, markers 1 on each side), nothing else.
    Plan plan = new Planner(PlanSettings.defaults().withCoarseSummaries(false))
        .plan(List.of(doc), r, tokens, new int[] {0}, 1, 18, none(1));
    List<String> kept = plan.selections().stream().map(s -> doc.unitText(s.unit())).toList();
    assertEquals(List.of("# Manual", "## Install", "### On Debian", "Use apt."), kept);
    assertEquals(Reason.HEADING, plan.selections().get(0).reason());
    Plan without = new Planner(new PlanSettings(false, 0.4, 0.5, 0.1, 0.0, 0.5, 0.0, false))
        .plan(List.of(doc), r, tokens, new int[] {0}, 1, 18, none(1));
    assertEquals("Use apt.", doc.unitText(without.selections().get(0).unit()), "without paths the unit comes first");
  }

  @Test
  void spreadIsOneWhenEvenAndOneOverNWhenPeaked() {
    assertEquals(1.0, Planner.spread(new double[] {0.5, 0.5, 0.5}), 1e-9);
    assertEquals(0.25, Planner.spread(new double[] {1, 0, 0, 0}), 1e-9);
    assertEquals(0.0, Planner.spread(new double[] {0, 0}), 1e-9);
  }

  @Test
  void withoutSummariesRefinementFollowsScores() {
    List<SegmentedDocument> docs = List.of(doc(0, "A one. A two. A three."), doc(1, "B one. B two. B three."));
    Ranking r = ranking(new double[] {1.0, 0.9}, new double[][] {{0.9, 0.8, 0.7}, {0.1, 0.5, 0.2}});
    int[][] tokens = {{3, 3, 3}, {3, 3, 3}};
    Plan plan = new Planner(PlanSettings.defaults().withCoarseSummaries(false))
        .plan(docs, r, tokens, new int[] {2, 2}, 1, 12, none(2));
    assertEquals(new Selection(0, 0, Reason.REFINED), plan.selections().get(0));
    assertEquals(new Selection(0, 1, Reason.REFINED), plan.selections().get(1));
  }

  @Test
  void forcedUnitsComeFirstAndEstimatesStayWithinBudget() {
    List<SegmentedDocument> docs = List.of(doc(0, "A one. A two. A three. A four."));
    Ranking r = ranking(new double[] {1.0}, new double[][] {{0.9, 0.1, 0.8, 0.7}});
    int[][] tokens = {{5, 5, 5, 5}};
    BitSet[] forced = none(1);
    forced[0].set(1);
    Plan plan = new Planner(PlanSettings.defaults()).plan(docs, r, tokens, new int[] {2}, 1, 17, forced);
    assertEquals(new Selection(0, 1, Reason.FORCED), plan.selections().get(0));
    assertTrue(plan.selections().size() < 4, "budget 17 cannot hold four 5-token units with header and joints");
    assertEquals(4, plan.selections().size() + plan.leftovers().size());
  }

  @Test
  void aTextKeptOnceIsNotKeptAgainAndIsNoLeftover() {
    List<SegmentedDocument> docs = List.of(doc(0, "Same words here. Other words."), doc(1, "Same  WORDS here. Third."));
    Ranking r = ranking(new double[] {1.0, 1.0}, new double[][] {{0.9, 0.1}, {0.9, 0.2}});
    int[][] tokens = {{3, 3}, {3, 3}};
    Plan plan = new Planner(PlanSettings.defaults()).plan(docs, r, tokens, new int[] {2, 2}, 1, 100, none(2));
    assertTrue(plan.selections().contains(new Selection(0, 0, Reason.SUMMARY)));
    assertTrue(plan.selections().stream().noneMatch(x -> x.document() == 1 && x.unit() == 0), "the copy is left out");
    assertEquals(1, plan.duplicates().size());
    assertEquals(List.of(1, 0), List.of(plan.duplicates().get(0)[0], plan.duplicates().get(0)[1]));
    assertEquals(3, plan.selections().size(), "everything else fits");
  }

  @Test
  void headingsAreNotChosenForThemselvesButFrameTheKeptUnitsOfTheirSection() {
    // Units: 0 "# Alpha", 1 "Alpha text.", 2 "# Beta", 3 "Beta text."; the headings score best.
    List<SegmentedDocument> docs = List.of(doc(0, "# Alpha\n\nAlpha text.\n\n# Beta\n\nBeta text."));
    assertEquals(4, docs.get(0).units().size());
    Ranking r = ranking(new double[] {1.0}, new double[][] {{0.9, 0.5, 0.95, 0.1}});
    int[][] tokens = {{2, 3, 2, 3}};
    // "Alpha text." with its heading: 3 + 1 + header 2 + markers before and after 2 + heading 2 + 1 = 11; "Beta text." with
    // its heading would add 3 + 1 + marker 1 + 2 + 1 = 8 more.
    Plan plan = new Planner(PlanSettings.defaults()).plan(docs, r, tokens, new int[] {2}, 1, 17, none(1));
    assertEquals(List.of(new Selection(0, 0, Reason.HEADING), new Selection(0, 1, Reason.REFINED)),
        plan.selections(), "the best unit that is no heading, under its heading; the other section does not fit");
    assertTrue(plan.leftovers().stream().noneMatch(x -> x[1] == 0 || x[1] == 2), "headings are no filler");
    Plan roomier = new Planner(PlanSettings.defaults()).plan(docs, r, tokens, new int[] {2}, 1, 19, none(1));
    assertEquals(List.of(new Selection(0, 0, Reason.HEADING), new Selection(0, 1, Reason.REFINED),
        new Selection(0, 2, Reason.HEADING), new Selection(0, 3, Reason.REFINED)), roomier.selections());
  }

  @Test
  void aHeadingHeaderIsKeptWithTheFirstUnitOfItsPassageAndPaidForOnce() {
    String text = "Polonium\nPolonium is rare. It was named after Poland. It is radioactive.";
    SegmentedDocument passage = new SegmentedDocument(0, "Polonium", text, segmenter.segment(text));
    assertEquals(dev.precis.segment.UnitKind.HEADING, passage.units().get(0).kind());
    Ranking r = ranking(new double[] {1.0}, new double[][] {{0.0, 0.2, 0.9, 0.1}});
    int[][] tokens = {{2, 4, 5, 4}};
    // header: separator 1 + heading 2 + its joint 1; the best unit 5 + joint 1 + a marker before and after: 12
    // (above the summaries' share of the budget, so refinement takes it)
    Plan plan = new Planner(PlanSettings.defaults()).plan(List.of(passage), r, tokens, new int[] {4}, 1, 12,
        none(1), new boolean[] {true});
    assertEquals(List.of(new Selection(0, 0, Reason.HEADING), new Selection(0, 2, Reason.REFINED)),
        plan.selections());
  }

  @Test
  void anUnopenedPassageWithAHeadingHeaderLeavesNoLeftoversToTopUpWith() {
    String a = "Polonium\nPolonium is rare. It was named after Poland.";
    String b = "Radium\nRadium glows in the dark, and it is dangerous to handle without care.";
    List<SegmentedDocument> passages = List.of(new SegmentedDocument(0, "Polonium", a, segmenter.segment(a)),
        new SegmentedDocument(1, "Radium", b, segmenter.segment(b)));
    Ranking r = ranking(new double[] {1.0, 0.5}, new double[][] {{0.0, 0.9, 0.3}, {0.0, 0.4}});
    int[][] tokens = {{2, 4, 5}, {2, 6}};
    Plan plan = new Planner(PlanSettings.defaults()).plan(passages, r, tokens, new int[] {4, 4}, 1, 11, none(2),
        new boolean[] {true, true});
    assertEquals(List.of(new Selection(0, 0, Reason.HEADING), new Selection(0, 1, Reason.REFINED)),
        plan.selections());
    assertTrue(plan.leftovers().stream().allMatch(x -> x[0] == 0), "only the opened passage's units are left over");
  }

  @Test
  void aHeadingHeaderNeedsAHeadingFirst() {
    SegmentedDocument plain = doc(0, "A one. A two.");
    Ranking r = ranking(new double[] {1.0}, new double[][] {{0.5, 0.4}});
    assertThrows(IllegalArgumentException.class, () -> new Planner(PlanSettings.defaults())
        .plan(List.of(plain), r, new int[][] {{3, 3}}, new int[] {2}, 1, 20, none(1), new boolean[] {true}));
  }
}
