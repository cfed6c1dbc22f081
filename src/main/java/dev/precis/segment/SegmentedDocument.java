package dev.precis.segment;

import java.util.List;

/**
 * A document cut into units.
 *
 * @param index position of the document in the request, 0-based
 * @param title its title (rendered as the document's header), or null
 * @param text its full text; every unit's offsets point into it
 * @param units its units in text order
 * @param structure what a structured format (JSON, table, log, code) adds to the units, or null for prose
 */
public record SegmentedDocument(int index, String title, String text, List<Unit> units, Structure structure) {
  public SegmentedDocument {
    if (index < 0) throw new IllegalArgumentException("illegal index: " + index + ", must be >= 0");
    if (text == null) throw new IllegalArgumentException("illegal text: null, must be a string");
    units = List.copyOf(units);
    for (Unit u : units) {
      if (u.end() > text.length()) {
        throw new IllegalArgumentException(
            "illegal unit end: " + u.end() + ", must be <= text length " + text.length());
      }
    }
  }

  /** A prose document. */
  public SegmentedDocument(int index, String title, String text, List<Unit> units) {
    this(index, title, text, units, null);
  }

  /** The same document at another index. */
  public SegmentedDocument withIndex(int newIndex) {
    return new SegmentedDocument(newIndex, title, text, units, structure);
  }

  public String unitText(int ordinal) {
    return units.get(ordinal).textOf(text);
  }

  /** The text ranking sees for a unit: its own, or with what locates it in a structured document. */
  public String rankText(int ordinal) {
    return structure == null ? unitText(ordinal) : structure.rankText(ordinal);
  }

  /** Whether the unit is structured (not prose): ranked with its identifiers whole and its structural prior. */
  public boolean structured(int ordinal) {
    return structure != null && structure.structured(ordinal);
  }

  /** The unit that must be kept with unit {@code ordinal}, or -1. */
  public int anchor(int ordinal) {
    return structure == null ? -1 : structure.anchor(ordinal);
  }

  /** The document's format: {@link Format#TEXT} for prose. */
  public Format format() {
    return structure == null ? Format.TEXT : structure.format();
  }

  /**
   * Whether the first unit is a heading that states the document's title (a pasted passage's title line, which
   * {@link Passages} made its title): ranking takes it as the title, not as a unit or a section heading of its own.
   */
  public boolean opensWithTitleLine() {
    return structure == null && title != null && !units.isEmpty() && units.get(0).kind() == UnitKind.HEADING
        && title.equals(Passages.headingTitle(unitText(0)));
  }
}
