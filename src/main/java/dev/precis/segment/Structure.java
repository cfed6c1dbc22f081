package dev.precis.segment;

import java.util.BitSet;

/**
 * What a structured document (JSON, a table, a log, source code) adds to its units: the text ranking sees for each
 * unit, the unit that must come with it, a structural prior, where it sits, and how kept units are written back so
 * that the output is still valid of its kind. Prose documents have none.
 *
 * <p>Implementations are immutable; unit ordinals are those of the document's units.
 */
public interface Structure {
  /** The document's format (never {@link Format#AUTO}, {@link Format#TEXT} or {@link Format#MARKDOWN}). */
  Format format();

  /**
   * What BM25 and the encoder see for unit {@code unit}: its text with what locates it, for example {@code
   * "orders[12] (id: A-17) .customer.email: \"x@example.org\""}, a table row with its column names.
   */
  String rankText(int unit);

  /**
   * The unit that must be kept whenever unit {@code unit} is (a table's header row, the identifying member of the
   * record a member belongs to, the signature over a body), or -1. Anchors form chains that end at -1, without
   * cycles.
   */
  int anchor(int unit);

  /**
   * Whether unit {@code unit} is structured (ranked with its identifiers whole and its prior); false for the prose
   * units of a {@link Format#MIXED} document.
   */
  default boolean structured(int unit) {
    return true;
  }

  /** A structural prior in [0, 1]: errors, the head and tail of an array or log, failure summaries score higher. */
  double prior(int unit);

  /** Where unit {@code unit} sits, for explanations: a JSON path, a line range. */
  String locator(int unit);

  /** Why the unit has the shape it has (for example "412 similar lines folded"), or null. */
  default String note(int unit) {
    return null;
  }

  /**
   * Writes the document's kept units, valid in its format, with what was removed noted in the format's own way.
   *
   * @param doc the document (its units and text)
   * @param kept the ordinals of its kept units; when it holds every unit the output is the document's text, trimmed
   * @param marker the request's elision marker; empty to leave out elision notes
   * @param out where to write
   */
  void render(SegmentedDocument doc, BitSet kept, String marker, StringBuilder out);

  /**
   * What unit {@code unit} reads as when it is kept (its token cost): its text, unless the format writes it shorter (a
   * run of similar log lines folded into its first line and a count).
   */
  default String keptText(SegmentedDocument doc, int unit) {
    return doc.unitText(unit);
  }

  /**
   * The same document cut finer, with units of at most {@code maxUnitChars} where the format can split them (a JSON
   * record into its members), for a budget too small for the units it has; null when no finer cut is possible or
   * needed.
   */
  default StructuredSegmenter.Structured withUnitLimit(int maxUnitChars) {
    return null;
  }

  /** An upper estimate of the tokens one elision note adds, given the tokens of the marker with its spacing. */
  int elisionTokens(int markerTokens);
}
