package dev.precis.segment;

import java.util.List;

/** Cuts a document of one structured format into units, with the {@link Structure} that writes them back. */
public interface StructuredSegmenter {
  /**
   * @param text the document's text
   * @return its units (in text order, ordinals 0..n-1, verbatim non-overlapping spans) and its structure
   * @throws FormatException when the text is not of this segmenter's format, naming the line and column
   */
  Structured segment(String text);

  /** A structured document's units and structure. */
  record Structured(List<Unit> units, Structure structure) {
    public Structured {
      units = List.copyOf(units);
      if (structure == null) throw new IllegalArgumentException("illegal structure: null, must be set");
    }
  }
}
