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
 * what slack is left with the best leftovers that still fit. When not even one unit fits, the best unit is cut at a
 * token boundary and marked.
 */
public final class BudgetFitter {
  private final Renderer renderer = new Renderer();
  private final int maxFillAttempts;

  /** @param maxFillAttempts how many leftover units are tried (each costs one render and count) */
  public BudgetFitter(int maxFillAttempts) {
    if (maxFillAttempts < 0) {
      throw new IllegalArgumentException("illegal maxFillAttempts: " + maxFillAttempts + ", must be >= 0");
    }
    this.maxFillAttempts = maxFillAttempts;
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
    int attempts = 0;
    for (int[] c : candidates) {
      if (attempts >= maxFillAttempts || count >= budget) break;
      if (unitTokens[c[0]][c[1]] > budget - count) continue;
      attempts++;
      chosen.add(new Selection(c[0], c[1], Reason.REFINED));
      int next = count(documents, chosen, chosen.size(), order, marker, counter);
      if (next <= budget) {
        count = next;
      } else {
        chosen.remove(chosen.size() - 1);
      }
    }
    if (!chosen.isEmpty() || plan.selections().isEmpty() && plan.leftovers().isEmpty()) {
      String text = renderer.render(documents, keptSets(documents, chosen, chosen.size()), order, marker, null);
      return new Fitted(text, count, chosen, null);
    }
    return cut(documents, plan, order, marker, budget, counter);
  }

  /** Not one whole unit fits: the head of the best unit, cut at a token boundary, with its header if possible. */
  private Fitted cut(
      List<SegmentedDocument> documents, Plan plan, int[] order, String marker, int budget, TokenCounter counter) {
    int[] best = plan.selections().isEmpty()
        ? plan.leftovers().get(0)
        : new int[] {plan.selections().get(0).document(), plan.selections().get(0).unit()};
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
    for (SegmentedDocument d : documents) bare.add(new SegmentedDocument(d.index(), null, d.text(), d.units()));
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
