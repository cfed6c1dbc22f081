package dev.precis.plan;

/**
 * How the budget is spent.
 *
 * @param coarseSummaries whether every document in play first gets a short summary (its header and best unit)
 * @param summaryShare at most this share of the budget goes to coarse summaries; the rest to refinement
 * @param summaryMinRelativeScore a document gets a summary only if its score is at least this share of the best
 *     document's score
 * @param neighbourBonus added to the priority of a unit next to a kept unit of the same paragraph, so the text
 *     reads coherently
 * @param costExponent refinement orders units by {@code priority / tokens^costExponent}: 0 ranks by relevance
 *     alone, 1 by relevance per token
 * @param mapShare without a question, at most this share of the budget goes to the map of a long document (each
 *     section's heading and its most central unit, best sections first); the rest refines its most central sections
 * @param queryMapShare with a question, the map's largest share, scaled by how evenly relevance is spread over the
 *     sections (1 when every section scores alike, 1/sections when one holds it all): a question about one part
 *     gets that part, a question about the whole document gets its map; 0 turns the map off for questions
 * @param headingPaths whether a kept unit brings the headings over it (the nearest, then each enclosing one), paid
 *     for as part of its cost, so that refined text reads under the headings that locate it
 */
public record PlanSettings(
    boolean coarseSummaries,
    double summaryShare,
    double summaryMinRelativeScore,
    double neighbourBonus,
    double costExponent,
    double mapShare,
    double queryMapShare,
    boolean headingPaths) {
  public PlanSettings {
    if (!(mapShare >= 0 && mapShare <= 1)) {
      throw new IllegalArgumentException("illegal mapShare: " + mapShare + ", must be in [0, 1]");
    }
    if (!(queryMapShare >= 0 && queryMapShare <= 1)) {
      throw new IllegalArgumentException("illegal queryMapShare: " + queryMapShare + ", must be in [0, 1]");
    }
    if (!(summaryShare >= 0 && summaryShare <= 1)) {
      throw new IllegalArgumentException("illegal summaryShare: " + summaryShare + ", must be in [0, 1]");
    }
    if (!(summaryMinRelativeScore >= 0 && summaryMinRelativeScore <= 1)) {
      throw new IllegalArgumentException(
          "illegal summaryMinRelativeScore: " + summaryMinRelativeScore + ", must be in [0, 1]");
    }
    if (!(neighbourBonus >= 0) || Double.isInfinite(neighbourBonus)) {
      throw new IllegalArgumentException("illegal neighbourBonus: " + neighbourBonus + ", must be >= 0");
    }
    if (!(costExponent >= 0 && costExponent <= 1)) {
      throw new IllegalArgumentException("illegal costExponent: " + costExponent + ", must be in [0, 1]");
    }
  }

  public static PlanSettings defaults() {
    return new PlanSettings(true, 0.4, 0.5, 0.1, 0.0, 0.5, 0.0, true);
  }

  public PlanSettings withCoarseSummaries(boolean enabled) {
    return new PlanSettings(enabled, summaryShare, summaryMinRelativeScore, neighbourBonus, costExponent, mapShare,
        queryMapShare, headingPaths);
  }
}
