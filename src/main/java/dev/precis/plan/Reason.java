package dev.precis.plan;

import java.util.Locale;

/** Why a unit is in the output. */
public enum Reason {
  /** It matched a keep pattern of the request. */
  FORCED,
  /** Its document's coarse summary: the document's best unit. */
  SUMMARY,
  /** Refinement spent remaining budget on it. */
  REFINED,
  /** The heading of the section of a kept unit: a heading alone answers nothing, but it frames what is kept. */
  HEADING,
  /**
   * A kept unit of a structured document needs it: a table's header row, the identifying member of the record a kept
   * member belongs to, the signature over a kept body.
   */
  STRUCTURE,
  /** It did not fit whole, so its head was cut at a token boundary. */
  CUT;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
