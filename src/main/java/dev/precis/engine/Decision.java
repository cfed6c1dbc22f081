package dev.precis.engine;

/** What happened to a document. */
public enum Decision {
  /** Every unit kept. */
  FULL,
  /** More than its coarse summary but not every unit. */
  PARTIAL,
  /** Only its coarse summary (header and its best unit or two). */
  SUMMARY,
  /** Nothing of it is in the output. */
  DROPPED
}
