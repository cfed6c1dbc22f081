package dev.precis.plan;

import java.util.List;

/**
 * What the planner chose, by estimated token cost; the exact fit to the budget happens when rendering.
 *
 * @param selections chosen units, in the order they were chosen (most important first)
 * @param leftovers units not chosen, best first, as {@code {document, unit, heading...}}: candidates for filling
 *     slack left by the estimate, each with the headings it must bring (its heading path, nearest first; none where
 *     kept units bring no headings), so that a unit added to fill the budget reads under its own headings as a planned
 *     one does
 * @param duplicates units left out because a unit with the same text (case and spacing aside) is kept
 */
public record Plan(List<Selection> selections, List<int[]> leftovers, List<int[]> duplicates) {
  public Plan {
    selections = List.copyOf(selections);
    leftovers = List.copyOf(leftovers);
    duplicates = List.copyOf(duplicates);
  }
}
