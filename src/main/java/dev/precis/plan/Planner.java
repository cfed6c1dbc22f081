package dev.precis.plan;

import dev.precis.rank.Ranking;
import dev.precis.segment.SegmentedDocument;
import dev.precis.segment.Sections;
import dev.precis.segment.Unit;
import dev.precis.segment.UnitKind;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Spends a token budget, hierarchically: first the units the request forces, then a coarse summary of every
 * document in play (its best unit, best documents first, within a share of the budget), then refinement: the
 * remaining budget goes to the units with the best gain per token, where a unit next to a kept one gains a bonus.
 * Headings are not chosen for themselves: once the rest is chosen, the headings of the kept units' sections follow
 * while they fit. A unit whose text is already kept elsewhere is left out. A unit of a structured document comes with
 * the units it needs (its anchors: a table's header row, its record's identifying member, its body's signature). Costs here are estimates (per-unit token counts plus separators); the renderer fits the exact count.
 */
public final class Planner {
  private final PlanSettings settings;

  public Planner(PlanSettings settings) {
    this.settings = settings;
  }

  /**
   * @param documents the segmented documents
   * @param ranking their scores
   * @param unitTokens tokens of each unit, {@code [document][unit]}
   * @param headerTokens tokens of each document's header and separator
   * @param markerTokens tokens of one elision marker with its spacing (0 without a marker)
   * @param budget the token budget
   * @param forced units that must be kept if they fit, {@code [document]}
   */
  public Plan plan(
      List<SegmentedDocument> documents,
      Ranking ranking,
      int[][] unitTokens,
      int[] headerTokens,
      int markerTokens,
      int budget,
      BitSet[] forced) {
    return plan(documents, ranking, unitTokens, headerTokens, markerTokens, budget, forced,
        new boolean[documents.size()]);
  }

  /**
   * As {@link #plan(List, Ranking, int[][], int[], int, int, BitSet[])}, where some documents' first unit, a heading,
   * is their header: it is kept with the first unit kept from the document, its tokens counted in {@code
   * headerTokens} (a passage taken from a context, titled by its own title line).
   *
   * @param headingHeaders per document, whether its first unit is its header
   */
  public Plan plan(
      List<SegmentedDocument> documents,
      Ranking ranking,
      int[][] unitTokens,
      int[] headerTokens,
      int markerTokens,
      int budget,
      BitSet[] forced,
      boolean[] headingHeaders) {
    State state = new State(documents, ranking, unitTokens, headerTokens, markerTokens, headingHeaders,
        settings.headingPaths());

    List<int[]> forcedUnits = new ArrayList<>();
    for (int d = 0; d < documents.size(); d++) {
      for (int u = forced[d].nextSetBit(0); u >= 0; u = forced[d].nextSetBit(u + 1)) forcedUnits.add(new int[] {d, u});
    }
    forcedUnits.sort(byScore(ranking));
    for (int[] x : forcedUnits) {
      if (state.used + state.cost(x[0], x[1]) <= budget) state.keep(x[0], x[1], Reason.FORCED);
    }

    map(documents, ranking, state, budget);
    if (settings.coarseSummaries()) summarise(documents, ranking, state, budget);
    refine(documents, ranking, state, budget);
    sectionHeadings(documents, ranking, state, budget);

    List<int[]> leftovers = new ArrayList<>();
    List<int[]> duplicates = new ArrayList<>();
    for (int d = 0; d < documents.size(); d++) {
      // The fitter tops up with leftovers unit by unit and cannot add a heading header with them: a passage opened
      // that way would come without its title.
      if (headingHeaders[d] && state.kept[d].isEmpty()) continue;
      for (int u = 0; u < unitTokens[d].length; u++) {
        if (state.kept[d].get(u)) continue;
        if (state.duplicate(d, u)) {
          duplicates.add(new int[] {d, u});
        } else if (!state.heading(d, u) || state.onlyHeadings(d)) {
          leftovers.add(withHeadingPath(d, u, state.headingPath(d, u)));
        }
      }
    }
    leftovers.sort(byScore(ranking));
    return new Plan(state.selections, leftovers, duplicates);
  }

  /** {@code {document, unit, heading...}}: a leftover with the headings it brings, nearest first. */
  private static int[] withHeadingPath(int d, int u, int[] path) {
    int[] out = new int[2 + path.length];
    out[0] = d;
    out[1] = u;
    System.arraycopy(path, 0, out, 2, path.length);
    return out;
  }

  /**
   * The headings over each kept unit, best units first, while they fit: the nearest heading before it, then each
   * enclosing heading (the nearest before it of a higher level), so that a kept unit reads under the path of headings
   * that locates it in a long document.
   */
  private static void sectionHeadings(
      List<SegmentedDocument> documents, Ranking ranking, State state, int budget) {
    List<int[]> wanted = new ArrayList<>();
    List<Selection> chosen = new ArrayList<>(state.selections);
    chosen.sort(Comparator.comparingDouble((Selection s) -> -ranking.unitScore(s.document(), s.unit()))
        .thenComparingInt(Selection::document).thenComparingInt(Selection::unit));
    for (Selection s : chosen) {
      for (int h : state.headingsOver(s.document(), s.unit())) wanted.add(new int[] {s.document(), h});
    }
    for (int[] h : wanted) {
      if (state.kept[h[0]].get(h[1]) || state.duplicate(h[0], h[1])) continue;
      if (state.used + state.cost(h[0], h[1]) <= budget) state.keep(h[0], h[1], Reason.HEADING);
    }
  }

  /**
   * The map of each long document (one of several sections): per section its heading and its best unit (the most
   * central without a question), best sections first, within a share of the budget. Without a question the share is
   * {@code mapShare}; with one, {@code queryMapShare} scaled by how evenly the question's relevance spreads over the
   * sections, so that a question answered in one part leaves the budget to that part.
   */
  private void map(List<SegmentedDocument> documents, Ranking ranking, State state, int budget) {
    Integer[] byDocScore = byScore(ranking, documents.size());
    int start = state.used;
    for (int d : byDocScore) {
      Ranking.DocumentRanking r = ranking.documents().get(d);
      if (r.sections() == null || !r.sections().divided()) continue;
      double share = ranking.queryAgnostic() ? settings.mapShare() : settings.queryMapShare() * spread(r.sectionScores());
      double cap = start + Math.floor(budget * share);
      if (cap <= state.used) continue;
      Integer[] bySectionScore = new Integer[r.sections().count()];
      for (int s = 0; s < bySectionScore.length; s++) bySectionScore[s] = s;
      java.util.Arrays.sort(bySectionScore, Comparator.comparingDouble((Integer s) -> -r.sectionScores()[s])
          .thenComparingInt(s -> s));
      for (int s : bySectionScore) {
        var section = r.sections().get(s);
        int best = -1;
        for (int u = section.first(); u < section.end(); u++) {
          if (!state.kept[d].get(u) && state.choosable(d, u)
              && (best < 0 || state.ranking.unitScore(d, u) > state.ranking.unitScore(d, best))) {
            best = u;
          }
        }
        if (best < 0) continue;
        int heading = section.heading() >= 0 && !state.kept[d].get(section.heading()) ? section.heading() : -1;
        boolean onPath = false; // then keeping the unit brings its heading, paid for in its cost
        for (int h : state.headingPath(d, best)) onPath |= h == heading;
        int cost = state.cost(d, best) + (heading < 0 || onPath ? 0 : state.cost(d, heading));
        if (state.used + cost > cap) continue;
        if (heading >= 0 && !onPath) state.keep(d, heading, Reason.HEADING);
        state.keep(d, best, Reason.SUMMARY);
      }
    }
  }

  /**
   * How evenly scores spread: {@code (sum s)^2 / (n * sum s^2)}, 1 when all are equal, 1/n when one holds them all
   * (the participation ratio over n); 0 without any positive score.
   */
  static double spread(double[] scores) {
    double sum = 0;
    double squares = 0;
    for (double s : scores) {
      sum += Math.max(0, s);
      squares += Math.max(0, s) * Math.max(0, s);
    }
    return squares == 0 ? 0 : sum * sum / (scores.length * squares);
  }

  private void summarise(
      List<SegmentedDocument> documents, Ranking ranking, State state, int budget) {
    double cap = Math.floor(budget * settings.summaryShare());
    Integer[] byDocScore = byScore(ranking, documents.size());
    double top = byDocScore.length == 0 ? 0 : ranking.documents().get(byDocScore[0]).score();
    for (int d : byDocScore) {
      if (!state.kept[d].isEmpty() || documents.get(d).units().isEmpty()) continue;
      if (top > 0 && ranking.documents().get(d).score() < settings.summaryMinRelativeScore() * top) break;
      int best = bestUnit(state, d);
      if (best >= 0 && state.used + state.cost(d, best) <= cap) {
        state.keep(d, best, Reason.SUMMARY);
      }
    }
  }

  /** The document's best unit that may be chosen for itself, or -1. */
  private static int bestUnit(State state, int d) {
    int best = -1;
    for (int u = 0; u < state.unitTokens[d].length; u++) {
      if (state.choosable(d, u) && (best < 0 || state.ranking.unitScore(d, u) > state.ranking.unitScore(d, best))) best = u;
    }
    return best;
  }

  private void refine(
      List<SegmentedDocument> documents, Ranking ranking, State state, int budget) {
    PriorityQueue<Candidate> queue = new PriorityQueue<>(
        Comparator.comparingDouble((Candidate c) -> -c.gain).thenComparingInt(c -> c.document)
            .thenComparingInt(c -> c.unit));
    for (int d = 0; d < documents.size(); d++) {
      for (int u = 0; u < state.unitTokens[d].length; u++) {
        if (!state.kept[d].get(u) && state.choosable(d, u)) queue.add(candidate(state, d, u));
      }
    }
    while (!queue.isEmpty()) {
      Candidate c = queue.poll();
      if (state.kept[c.document].get(c.unit) || state.duplicate(c.document, c.unit)) continue;
      // Gains only grow as units are kept, and every change pushes a fresh entry: an entry whose gain is no longer
      // current is stale.
      if (candidate(state, c.document, c.unit).gain != c.gain) continue;
      if (state.used + state.cost(c.document, c.unit) > budget) continue;
      boolean opens = state.kept[c.document].isEmpty();
      state.keep(c.document, c.unit, Reason.REFINED);
      if (opens) {
        for (int u = 0; u < state.unitTokens[c.document].length; u++) {
          if (!state.kept[c.document].get(u) && state.choosable(c.document, u)) {
            queue.add(candidate(state, c.document, u));
          }
        }
      } else {
        for (int u : new int[] {c.unit - 1, c.unit + 1}) {
          if (u >= 0 && u < state.unitTokens[c.document].length && !state.kept[c.document].get(u)
              && state.choosable(c.document, u)) {
            queue.add(candidate(state, c.document, u));
          }
        }
      }
    }
  }

  private Candidate candidate(State state, int d, int u) {
    double priority = state.ranking.unitScore(d, u);
    if (state.adjacentToKept(d, u)) priority += settings.neighbourBonus();
    double cost = Math.max(1, state.cost(d, u));
    double gain = priority / Math.pow(cost, settings.costExponent());
    return new Candidate(d, u, gain);
  }

  /** Document indices, best document score first (ties by index). */
  private static Integer[] byScore(Ranking ranking, int documents) {
    Integer[] order = new Integer[documents];
    for (int d = 0; d < documents; d++) order[d] = d;
    java.util.Arrays.sort(order, Comparator.comparingDouble((Integer d) -> -ranking.documents().get(d).score())
        .thenComparingInt(d -> d));
    return order;
  }

  private static Comparator<int[]> byScore(Ranking ranking) {
    return Comparator.comparingDouble((int[] x) -> -ranking.unitScore(x[0], x[1]))
        .thenComparingInt(x -> x[0]).thenComparingInt(x -> x[1]);
  }

  private record Candidate(int document, int unit, double gain) {}

  /** Kept units and their estimated token cost so far. */
  private static final class State {
    final List<SegmentedDocument> documents;
    final Ranking ranking;
    final int[][] unitTokens;
    final int[] headerTokens;
    final int markerTokens;
    /** Per document, the tokens of one elision: the marker, or a structured format's own note. */
    final int[] elisionTokens;
    final BitSet[] kept;
    final Set<String> keptTexts = new HashSet<>();
    final String[][] textKeys;
    final boolean[] onlyHeadings;
    final boolean[] headingHeaders;
    /** Per document and unit, the headings over the unit, nearest first (computed when first needed). */
    final int[][][] headingPaths;
    /** Whether a kept unit brings its heading path, paid for in its cost. */
    final boolean bringHeadingPaths;
    /** What is kept, in the order chosen (a heading header just before the unit that opened its document). */
    final List<Selection> selections = new ArrayList<>();
    int used;

    State(List<SegmentedDocument> documents, Ranking ranking, int[][] unitTokens, int[] headerTokens,
        int markerTokens, boolean[] headingHeaders, boolean withHeadingPaths) {
      this.headingHeaders = headingHeaders;
      this.headingPaths = new int[documents.size()][][];
      this.bringHeadingPaths = withHeadingPaths;
      for (int d = 0; d < headingHeaders.length; d++) {
        if (headingHeaders[d] && (documents.get(d).units().isEmpty()
            || documents.get(d).units().get(0).kind() != UnitKind.HEADING)) {
          throw new IllegalArgumentException("illegal headingHeaders[" + d + "]: true, but the document's first unit "
              + "is no heading");
        }
      }
      this.documents = documents;
      this.ranking = ranking;
      this.unitTokens = unitTokens;
      this.headerTokens = headerTokens;
      this.markerTokens = markerTokens;
      this.kept = new BitSet[documents.size()];
      this.elisionTokens = new int[documents.size()];
      this.onlyHeadings = new boolean[documents.size()];
      this.textKeys = new String[documents.size()][];
      for (int d = 0; d < kept.length; d++) {
        textKeys[d] = new String[unitTokens[d].length];
        kept[d] = new BitSet();
        onlyHeadings[d] = documents.get(d).units().stream().allMatch(x -> x.kind().framing());
        var structure = documents.get(d).structure();
        elisionTokens[d] = structure == null || markerTokens == 0 ? markerTokens
            : structure.elisionTokens(markerTokens);
      }
    }

    /** A heading or a table's header row: it frames units and is not chosen for itself. */
    boolean heading(int d, int u) {
      return documents.get(d).units().get(u).kind().framing();
    }

    boolean onlyHeadings(int d) {
      return onlyHeadings[d];
    }

    /** Whether the unit may be chosen for itself: not a heading (unless its document is nothing else), no copy. */
    boolean choosable(int d, int u) {
      return (!heading(d, u) || onlyHeadings[d]) && !duplicate(d, u);
    }

    /** Whether a unit with the same text, case and spacing aside, is kept already. */
    boolean duplicate(int d, int u) {
      return !keptTexts.isEmpty() && !kept[d].get(u) && keptTexts.contains(textKey(d, u));
    }

    /** The unit's text with case and runs of whitespace folded, computed once. */
    private String textKey(int d, int u) {
      String key = textKeys[d][u];
      if (key == null) {
        String text = documents.get(d).rankText(u).strip();
        StringBuilder folded = new StringBuilder(text.length());
        boolean space = false;
        for (int i = 0; i < text.length(); i++) {
          char c = text.charAt(i);
          if (Character.isWhitespace(c)) {
            space = true;
          } else {
            if (space) folded.append(' ');
            space = false;
            folded.append(c);
          }
        }
        key = textKeys[d][u] = folded.toString().toLowerCase(Locale.ROOT);
      }
      return key;
    }

    /**
     * Estimated tokens that keeping unit u of document d adds: the unit, its joint, a header if new, markers, and the
     * units it needs that are not kept yet (its anchors).
     */
    int cost(int d, int u) {
      int cost = unitTokens[d][u] + 1;
      int marker = elisionTokens[d];
      if (kept[d].isEmpty()) {
        cost += headerTokens[d];
        int last = unitTokens[d].length - 1;
        int first = headingHeaders[d] ? 1 : 0; // the heading header comes along: nothing elided before unit 1
        if (u > first) cost += marker;
        if (u < last) cost += marker;
      } else if (!adjacentToKept(d, u)) {
        cost += marker;
      }
      for (int a = documents.get(d).anchor(u); a >= 0 && !kept[d].get(a); a = documents.get(d).anchor(a)) {
        cost += unitTokens[d][a] + 1;
      }
      for (int h : headingPath(d, u)) if (!kept[d].get(h)) cost += unitTokens[d][h] + 1;
      return cost;
    }

    private static final int[] NO_HEADINGS = new int[0];

    /**
     * The headings a kept unit brings along, nearest first: the nearest heading, then each enclosing one (a heading's
     * own: the enclosing ones); none when kept units do not bring them. JSON, tables, logs and code have no headings.
     */
    int[] headingPath(int d, int u) {
      return bringHeadingPaths ? paths(d)[u] : NO_HEADINGS;
    }

    /**
     * The headings that frame a kept unit once refinement is done: its heading path, and for a heading its nearest
     * heading before it (whatever its level) with that heading's path.
     */
    int[] headingsOver(int d, int u) {
      List<Unit> units = documents.get(d).units();
      if (units.get(u).kind() != UnitKind.HEADING) return paths(d)[u];
      for (int h = u - 1; h >= 0; h--) {
        if (units.get(h).kind() != UnitKind.HEADING) continue;
        int[] over = paths(d)[h];
        int[] framing = new int[over.length + 1];
        framing[0] = h;
        System.arraycopy(over, 0, framing, 1, over.length);
        return framing;
      }
      return NO_HEADINGS;
    }

    private int[][] paths(int d) {
      if (headingPaths[d] == null) headingPaths[d] = headingPaths(d);
      return headingPaths[d];
    }

    private int[][] headingPaths(int d) {
      SegmentedDocument doc = documents.get(d);
      int[][] paths = new int[doc.units().size()][];
      List<int[]> open = new ArrayList<>(); // {level, unit} of the enclosing headings, outermost first
      int[] current = NO_HEADINGS;
      for (int u = 0; u < paths.length; u++) {
        paths[u] = current;
        if (doc.units().get(u).kind() != UnitKind.HEADING || (u == 0 && headingHeaders[d])) continue;
        int level = Sections.headingLevel(doc.unitText(u));
        while (!open.isEmpty() && open.get(open.size() - 1)[0] >= level) open.remove(open.size() - 1);
        int[] ancestors = new int[open.size()];
        for (int i = 0; i < ancestors.length; i++) ancestors[i] = open.get(open.size() - 1 - i)[1];
        paths[u] = ancestors;
        open.add(new int[] {level, u});
        current = new int[open.size()];
        for (int i = 0; i < current.length; i++) current[i] = open.get(open.size() - 1 - i)[1];
      }
      return paths;
    }

    boolean adjacentToKept(int d, int u) {
      List<Unit> units = documents.get(d).units();
      int paragraph = units.get(u).paragraph();
      return (u > 0 && kept[d].get(u - 1) && units.get(u - 1).paragraph() == paragraph)
          || (u + 1 < units.size() && kept[d].get(u + 1) && units.get(u + 1).paragraph() == paragraph);
    }

    void keep(int d, int u, Reason reason) {
      used += cost(d, u);
      keepAnchors(d, documents.get(d).anchor(u));
      int[] path = headingPath(d, u);
      for (int i = path.length - 1; i >= 0; i--) {
        if (kept[d].get(path[i])) continue;
        kept[d].set(path[i]);
        keptTexts.add(textKey(d, path[i]));
        selections.add(new Selection(d, path[i], Reason.HEADING));
      }
      if (headingHeaders[d] && kept[d].isEmpty() && u != 0) {
        kept[d].set(0); // the header, paid for in headerTokens
        keptTexts.add(textKey(d, 0));
        selections.add(new Selection(d, 0, Reason.HEADING));
      }
      kept[d].set(u);
      keptTexts.add(textKey(d, u));
      selections.add(new Selection(d, u, reason));
    }

    /** The anchor chain from {@code a} up, outermost first, where not kept yet (paid for in {@link #cost}). */
    private void keepAnchors(int d, int a) {
      if (a < 0 || kept[d].get(a)) return;
      keepAnchors(d, documents.get(d).anchor(a));
      kept[d].set(a);
      keptTexts.add(textKey(d, a));
      selections.add(new Selection(d, a, Reason.STRUCTURE));
    }
  }
}
