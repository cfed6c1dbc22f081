package dev.precis.plan;

/**
 * One unit chosen for the output, in the order the planner chose it (later selections are the first to go when
 * the exact count is over budget).
 *
 * @param document the document's index
 * @param unit the unit's ordinal
 * @param reason why it was chosen
 */
public record Selection(int document, int unit, Reason reason) {
  public Selection {
    if (document < 0 || unit < 0) {
      throw new IllegalArgumentException("illegal selection: document " + document + ", unit " + unit
          + ", both must be >= 0");
    }
    if (reason == null) throw new IllegalArgumentException("illegal reason: null, must be set");
  }
}
