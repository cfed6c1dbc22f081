package dev.precis.segment;

/**
 * The smallest piece of a document that compression keeps or drops: a sentence, a heading, or a block kept whole
 * (code, table, list). Offsets are character offsets (UTF-16 indices) into the document's text, {@code start}
 * inclusive and {@code end} exclusive; {@code text.substring(start, end)} is the unit, verbatim, and never starts or
 * ends with whitespace.
 *
 * @param ordinal position of the unit in its document, 0-based, in text order
 * @param kind what the unit is
 * @param start offset of its first character
 * @param end offset after its last character
 * @param paragraph index of the block (paragraph, list, table, code block, heading) it belongs to, 0-based
 * @param section index of the markdown section it belongs to (0 before the first heading, +1 at each heading)
 */
public record Unit(int ordinal, UnitKind kind, int start, int end, int paragraph, int section) {
  public Unit {
    if (ordinal < 0) throw new IllegalArgumentException("illegal ordinal: " + ordinal + ", must be >= 0");
    if (kind == null) throw new IllegalArgumentException("illegal kind: null, must be set");
    if (start < 0 || end <= start) {
      throw new IllegalArgumentException("illegal span: [" + start + ", " + end + "), must have 0 <= start < end");
    }
    if (paragraph < 0) throw new IllegalArgumentException("illegal paragraph: " + paragraph + ", must be >= 0");
    if (section < 0) throw new IllegalArgumentException("illegal section: " + section + ", must be >= 0");
  }

  public int length() {
    return end - start;
  }

  public String textOf(String documentText) {
    return documentText.substring(start, end);
  }
}
