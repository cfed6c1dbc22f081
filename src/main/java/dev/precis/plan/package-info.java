/**
 * Summarise and refine: how the budget is spent, by estimated token cost.
 *
 * <p>First the units matching the request's keep patterns; then a coarse summary per document in play (its best
 * unit, documents best first, within a share of the budget, so a tiny budget decides how many documents are seen
 * at all); then refinement, a priority queue of the remaining units by score per token (with a bonus next to kept
 * units of the same paragraph), taking each unit whose estimated cost still fits. The exact fit happens in
 * {@code render}.
 */
package dev.precis.plan;
