package dev.precis.segment;

/** What a {@link Unit} is, as the segmenter found it in the source text. */
public enum UnitKind {
  /** A markdown heading line ({@code # Title}) or a setext heading. */
  HEADING,
  /** A sentence of prose (or a piece of an over-long sentence). */
  SENTENCE,
  /** A fenced or indented code block, kept whole where it fits the unit size limit, else split at lines. */
  CODE,
  /** A markdown or pipe table, kept whole where possible, else split at rows. */
  TABLE,
  /** A list (bulleted or numbered), kept whole where possible, else split at items. */
  LIST,
  /** A JSON object member or array element, whole (with everything under it). */
  FIELD,
  /** A row of a table (CSV, TSV, markdown) or a record of JSON Lines. */
  ROW,
  /** A table's header row: kept with every kept row, never chosen for itself. */
  HEADER,
  /** A log line, or a run of similar lines folded into one. */
  LINE,
  /** Source code: an import block, or a declaration's signature with its doc comment. */
  DECLARATION,
  /** Source code: a declaration's body (elided as a placeholder when dropped under a kept signature). */
  BODY;

  /** Whether the unit only frames others and is never chosen for itself (unless its document is nothing else). */
  public boolean framing() {
    return this == HEADING || this == HEADER;
  }
}
