package dev.precis.engine;

import dev.precis.segment.Format;
import java.util.List;

/**
 * The result of one compression.
 *
 * @param text the compressed context, ready for a prompt; at most {@code usage.maxTokens()} tokens
 * @param documents what happened to each input document, in input order
 * @param usage token counts
 * @param timings per-stage wall-clock time in milliseconds
 * @param units with {@code explain}, every unit's scores and decision; otherwise empty
 * @param sections with {@code explain}, every section of each long document (one of several sections): its score
 *     and whether it was opened, only summarised, kept as a heading over a kept part, or dropped; otherwise empty
 */
public record Compression(
    String text,
    List<DocumentOutcome> documents,
    Usage usage,
    StageTimings timings,
    List<UnitExplanation> units,
    List<SectionExplanation> sections) {
  public Compression {
    documents = List.copyOf(documents);
    units = List.copyOf(units);
    sections = List.copyOf(sections);
  }

  /**
   * @param inputTokens tokens of the full context rendered as the engine renders documents
   * @param outputTokens exact tokens of {@code text}
   * @param maxTokens the budget that was applied
   * @param ratio inputTokens / outputTokens (0 when the output is empty)
   */
  public record Usage(int inputTokens, int outputTokens, int maxTokens, double ratio) {
    public Usage {
      if (outputTokens > maxTokens) {
        throw new IllegalStateException("output " + outputTokens + " tokens over budget " + maxTokens);
      }
    }
  }

  /**
   * Per-document outcome. {@code score} is the document's relevance relative to the best document, in [0, 1], or
   * null when nothing was ranked (the whole input fit the budget). {@code tokensAfter} counts the document as it
   * appears in the output, rendered alone. {@code format} is the format it was read as (declared or detected).
   */
  public record DocumentOutcome(
      String id, int index, Decision decision, int tokensBefore, int tokensAfter, Double score, Format format) {}

  /** Milliseconds spent per stage. */
  public record StageTimings(
      double segmentMs, double rankMs, double summariseMs, double refineMs, double renderMs, double totalMs) {}

  /**
   * Why one unit was kept, summarised or dropped.
   *
   * @param document index of its document
   * @param start character offset in the document text
   * @param end end offset
   * @param kept whether the unit is in the output
   * @param reason one of: summary (part of the coarse summary), refined (added by budget refinement), forced
   *     (matched a keep pattern), heading (the heading of a kept unit's section), cut (head cut at a token
   *     boundary), whole (document kept in full), dropped-budget, dropped-duplicate (the same text is kept
   *     elsewhere), dropped-document
   * @param score the fused relevance score used by the planner
   * @param explanation how the score was made: a tree of (value, description, details)
   * @param locator in a structured document, where the unit sits (a JSON path, a line range); null for prose
   * @param note in a structured document, why the unit has its shape (lines folded, a body elided), or null
   */
  public record UnitExplanation(
      int document, int start, int end, boolean kept, String reason, double score, Explanation explanation,
      String locator, String note) {}

  /**
   * What happened to one section of a long document.
   *
   * @param document index of its document
   * @param start character offset of its first unit in the document text
   * @param end end offset of its last unit
   * @param heading the text of the heading that opens it, or null (text before the first heading, or a window of
   *     paragraphs)
   * @param score its score relative to the document's best section, in [0, 1]: BM25 of the whole section and the
   *     best semantic score of its units
   * @param units its units
   * @param keptUnits its units in the output (its heading included)
   * @param decision {@code opened} (units refined or forced), {@code summarised} (only its best unit, as the
   *     document's map or its summary), {@code heading} (only its heading, over a kept part), or {@code dropped}
   */
  public record SectionExplanation(
      int document, int start, int end, String heading, double score, int units, int keptUnits, String decision) {}
}
