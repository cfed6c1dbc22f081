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
  LIST
}
