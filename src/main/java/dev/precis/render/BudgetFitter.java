package dev.precis.render;

import dev.precis.plan.Plan;
import dev.precis.plan.Reason;
import dev.precis.plan.Selection;
import dev.precis.segment.SegmentedDocument;
import dev.precis.tokens.Tokenizers.TokenCounter;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Turns a plan into text whose exact token count, headers, separators and markers included, is within the budget.
 * The plan's costs are estimates, so this trims the latest selections while the rendered text is over, then fills
 * what slack is left with the best leftovers that still fit (each with the units it needs, its anchors). When not even
 * one unit fits, the best unit of prose is cut at a token boundary and marked; a structured document's values, rows
 * and lines are never cut.
 */
public final class BudgetFitter {
  private final Renderer renderer = new Renderer();
  private final int maxFillAttempts;
  private final boolean estimateFirst;

  /** @param maxFillAttempts how many leftover units are tried (each costs one render and count) */
  public BudgetFitter(int maxFillAttempts) {
    this(maxFillAttempts, true);
  }

  /** With {@code estimateFirst} false every fill try is counted exactly (the reference the tests compare with). */
  BudgetFitter(int maxFillAttempts, boolean estimateFirst) {
    if (maxFillAttempts < 0) {
      throw new IllegalArgumentException("illegal maxFillAttempts: " + maxFillAttempts + ", must be >= 0");
    }
    this.maxFillAttempts = maxFillAttempts;
    this.estimateFirst = estimateFirst;
  }

  /**
   * @param text the rendered output
   * @param tokens its exact token count
   * @param selections what it holds, in the order chosen
   * @param cut the unit cut at a token boundary, or null
   */
  public record Fitted(String text, int tokens, List<Selection> selections, Renderer.Cut cut) {
    public Fitted {
      selections = List.copyOf(selections);
    }
  }

  public Fitted fit(
      List<SegmentedDocument> documents,
      Plan plan,
      int[] order,
      String marker,
      int budget,
      int[][] unitTokens,
      TokenCounter counter) {
    List<Selection> chosen = new ArrayList<>(plan.selections());
    // Trim: the largest prefix of the selections (most important first) whose exact rendering fits.
    int count = count(documents, chosen, chosen.size(), order, marker, counter);
    if (count > budget) {
      int low = 0;
      int high = chosen.size() - 1;
      while (low < high) {
        int mid = (low + high + 1) >>> 1;
        if (count(documents, chosen, mid, order, marker, counter) <= budget) low = mid;
        else high = mid - 1;
      }
      List<Selection> trimmed = new ArrayList<>(chosen.subList(low, chosen.size()));
      chosen = new ArrayList<>(chosen.subList(0, low));
      count = count(documents, chosen, chosen.size(), order, marker, counter);
      // Removing a unit can, rarely, add a marker's worth of tokens elsewhere: step back until it fits.
      while (count > budget && !chosen.isEmpty()) {
        trimmed.add(0, chosen.remove(chosen.size() - 1));
        count = count(documents, chosen, chosen.size(), order, marker, counter);
      }
    }
    // Fill: the best leftovers that still fit, exactly counted.
    List<int[]> candidates = new ArrayList<>(plan.leftovers());
    java.util.Set<Selection> kept = new java.util.HashSet<>(chosen);
    for (Selection s : plan.selections()) {
      if (!kept.contains(s)) candidates.add(new int[] {s.document(), s.unit()});
    }
    count = fill(documents, chosen, count, candidates, order, marker, budget, unitTokens, counter);
    if (!chosen.isEmpty() || plan.selections().isEmpty() && plan.leftovers().isEmpty()) {
      String text = renderer.render(documents, keptSets(documents, chosen, chosen.size()), order, marker, null);
      return new Fitted(text, count, chosen, null);
    }
    return cut(documents, plan, order, marker, budget, counter);
  }

  /**
   * Adds the candidates that fit, in order, to {@code chosen}, trying at most {@code maxFillAttempts}; returns the
   * exact count. Each try used to render and count the whole output, which at 100k tokens of input costs more than
   * the rest of the request, so units are first taken on an upper estimate ({@link #fillFrom}); when BPE merges at the
   * joints beat the estimate after all, the fill starts over counting every try.
   */
  private int fill(List<SegmentedDocument> documents, List<Selection> chosen, int count, List<int[]> candidates,
      int[] order, String marker, int budget, int[][] unitTokens, TokenCounter counter) {
    if (estimateFirst) {
      int before = chosen.size();
      int estimated = fillFrom(documents, chosen, count, candidates, order, marker, budget, unitTokens, counter, true);
      if (estimated <= budget) return estimated;
      chosen.subList(before, chosen.size()).clear();
    }
    return fillFrom(documents, chosen, count, candidates, order, marker, budget, unitTokens, counter, false);
  }

  /**
   * One fill pass; returns the exact count of {@code chosen} afterwards. With {@code estimate}, a unit is first taken
   * on an upper estimate of what it adds (its tokens, a token per char of the whitespace around it, two markers, its
   * document's header and separator when it opens the document, and a margin) and only counted exactly when the
   * estimate leaves no room; one exact count at the end confirms it all, and the decisions are those of counting every
   * try exactly unless that count is over the budget. Without, every try is counted and the result is within it.
   */
  private int fillFrom(List<SegmentedDocument> documents, List<Selection> chosen, int count, List<int[]> candidates,
      int[] order, String marker, int budget, int[][] unitTokens, TokenCounter counter, boolean estimate) {
    int markerTokens = marker.isEmpty() ? 0 : counter.count(" " + marker + " ");
    boolean[] opened = new boolean[documents.size()];
    java.util.Set<Long> in = new java.util.HashSet<>();
    for (Selection s : chosen) {
      opened[s.document()] = true;
      in.add(key(s.document(), s.unit()));
    }
    boolean exact = true;
    int attempts = 0;
    List<Selection> adding = new ArrayList<>();
    for (int[] c : candidates) {
      if (attempts >= maxFillAttempts) break;
      if (in.contains(key(c[0], c[1]))) continue; // came in as another unit's anchor or heading
      // The unit with the headings and the anchors it needs that are not in yet, outermost first.
      adding.clear();
      int tokens = 0;
      SegmentedDocument doc = documents.get(c[0]);
      for (int i = c.length - 1; i >= 2; i--) {
        if (in.contains(key(c[0], c[i]))) continue;
        adding.add(new Selection(c[0], c[i], Reason.HEADING));
        tokens += unitTokens[c[0]][c[i]];
      }
      int headings = adding.size();
      for (int a = doc.anchor(c[1]); a >= 0 && !in.contains(key(c[0], a)); a = doc.anchor(a)) {
        adding.add(headings, new Selection(c[0], a, Reason.STRUCTURE));
        tokens += unitTokens[c[0]][a];
      }
      adding.add(new Selection(c[0], c[1], Reason.REFINED));
      tokens += unitTokens[c[0]][c[1]];
      if (!exact && (count >= budget || tokens > budget - count)) {
        count = count(documents, chosen, chosen.size(), order, marker, counter); // decide on the exact count
        exact = true;
      }
      if (count >= budget) break;
      if (tokens > budget - count) continue;
      attempts++;
      chosen.addAll(adding);
      if (estimate) {
        int upper = count;
        boolean opens = !opened[c[0]];
        for (Selection x : adding) {
          upper += upperCost(doc, x.unit(), opens, unitTokens, markerTokens, counter);
          opens = false;
        }
        if (upper <= budget) {
          count = upper;
          exact = false;
          opened[c[0]] = true;
          for (Selection x : adding) in.add(key(x.document(), x.unit()));
          continue;
        }
        if (!exact) {
          count = count(documents, chosen, chosen.size() - adding.size(), order, marker, counter);
          exact = true;
        }
      }
      int next = count(documents, chosen, chosen.size(), order, marker, counter);
      if (next <= budget) {
        count = next;
        opened[c[0]] = true;
        for (Selection x : adding) in.add(key(x.document(), x.unit()));
      } else {
        chosen.subList(chosen.size() - adding.size(), chosen.size()).clear();
      }
    }
    return exact ? count : count(documents, chosen, chosen.size(), order, marker, counter);
  }

  private static long key(int document, int unit) {
    return ((long) document << 32) | (unit & 0xFFFFFFFFL);
  }

  private static int upperCost(SegmentedDocument doc, int unit, boolean opensDocument, int[][] unitTokens,
      int markerTokens, TokenCounter counter) {
    if (doc.structure() != null && markerTokens > 0) markerTokens = doc.structure().elisionTokens(markerTokens);
    var units = doc.units();
    int whitespace = 0;
    if (unit > 0) whitespace += units.get(unit).start() - units.get(unit - 1).end();
    if (unit + 1 < units.size()) whitespace += units.get(unit + 1).start() - units.get(unit).end();
    int header = opensDocument
        ? (doc.title() == null ? 0 : counter.count(doc.title() + "\n")) + Renderer.DOCUMENT_SEPARATOR.length()
        : 0;
    return unitTokens[doc.index()][unit] + whitespace + 2 * markerTokens + header + 2;
  }

  /** Not one whole unit fits: the head of the best unit, cut at a token boundary, with its header if possible. */
  private Fitted cut(
      List<SegmentedDocument> documents, Plan plan, int[] order, String marker, int budget, TokenCounter counter) {
    int[] best = null;
    List<int[]> ranked = new ArrayList<>();
    for (Selection s : plan.selections()) ranked.add(new int[] {s.document(), s.unit()});
    ranked.addAll(plan.leftovers());
    for (int[] x : ranked) {
      if (documents.get(x[0]).structure() == null) { // a structured document's values and lines are never cut
        best = x;
        break;
      }
    }
    if (best == null) return new Fitted("", 0, List.of(), null);
    SegmentedDocument doc = documents.get(best[0]);
    String unitText = doc.unitText(best[1]);
    List<Selection> one = List.of(new Selection(best[0], best[1], Reason.CUT));
    List<BitSet> kept = keptSets(documents, one, 1);
    // Try with the document's header and markers first, then bare.
    for (boolean bare : new boolean[] {false, true}) {
      List<SegmentedDocument> docs = bare ? withoutTitles(documents) : documents;
      String frame = bare ? "" : marker;
      int allowance = budget;
      while (allowance > 0) {
        String head = counter.prefixWithin(unitText, allowance);
        if (head.isEmpty()) break;
        Renderer.Cut cut = new Renderer.Cut(best[0], best[1], head);
        String text = renderer.render(docs, kept, order, frame, cut);
        int tokens = counter.count(text);
        if (tokens <= budget) return new Fitted(text, tokens, one, cut);
        allowance -= Math.max(1, tokens - budget);
      }
    }
    return new Fitted("", 0, List.of(), null);
  }

  private static List<SegmentedDocument> withoutTitles(List<SegmentedDocument> documents) {
    List<SegmentedDocument> bare = new ArrayList<>(documents.size());
    for (SegmentedDocument d : documents) {
      bare.add(new SegmentedDocument(d.index(), null, d.text(), d.units(), d.structure()));
    }
    return bare;
  }

  private int count(
      List<SegmentedDocument> documents, List<Selection> chosen, int prefix, int[] order, String marker,
      TokenCounter counter) {
    return counter.count(renderer.render(documents, keptSets(documents, chosen, prefix), order, marker, null));
  }

  private static List<BitSet> keptSets(List<SegmentedDocument> documents, List<Selection> chosen, int prefix) {
    List<BitSet> kept = new ArrayList<>(documents.size());
    for (int d = 0; d < documents.size(); d++) kept.add(new BitSet());
    for (int i = 0; i < prefix; i++) kept.get(chosen.get(i).document()).set(chosen.get(i).unit());
    return kept;
  }
}
