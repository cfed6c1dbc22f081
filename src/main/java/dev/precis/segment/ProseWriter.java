package dev.precis.segment;

import java.util.BitSet;
import java.util.List;

/**
 * Writes the kept units of prose: adjacent kept units joined by the exact whitespace that separated them, an elision
 * marker wherever units were left out (inline within a paragraph, on its own line between paragraphs), and at the
 * start and end when the first or last unit is not kept.
 */
public final class ProseWriter {
  private ProseWriter() {}

  /**
   * @param doc the document; units' offsets point into its text
   * @param kept the ordinals of its kept units
   * @param marker the elision marker; empty for none
   * @param cutUnit the unit replaced by {@code cutHead} (a unit cut at a token boundary), or -1
   * @param cutHead the head of that unit, or null
   */
  public static void write(SegmentedDocument doc, BitSet kept, String marker, int cutUnit, String cutHead,
      StringBuilder out) {
    write(doc, kept, marker, cutUnit, cutHead, true, out);
  }

  /**
   * As {@link #write(SegmentedDocument, BitSet, String, int, String, StringBuilder)}; without {@code markStart} no
   * marker goes before the first kept unit (the text before it is already marked elided).
   *
   * @return whether the output ends with an elision marker
   */
  public static boolean write(SegmentedDocument doc, BitSet kept, String marker, int cutUnit, String cutHead,
      boolean markStart, StringBuilder out) {
    List<Unit> units = doc.units();
    boolean marking = !marker.isEmpty();
    int first = kept.nextSetBit(0);
    // Before the first kept unit and after the last, as between them: inline within a paragraph, else on its own line.
    if (marking && markStart && first > 0) out.append(marker).append(units.get(first - 1).paragraph() == units.get(first).paragraph()
        ? ' ' : '\n');
    int previous = -1;
    for (int u = first; u >= 0; u = kept.nextSetBit(u + 1)) {
      Unit unit = units.get(u);
      if (previous >= 0) {
        Unit before = units.get(previous);
        if (u == previous + 1) {
          out.append(doc.text(), before.end(), unit.start());
        } else {
          boolean sameParagraph = before.paragraph() == unit.paragraph();
          String joint = sameParagraph ? " " : "\n";
          out.append(joint);
          if (marking) out.append(marker).append(joint);
        }
      }
      if (u == cutUnit) {
        out.append(cutHead);
      } else {
        out.append(doc.text(), unit.start(), unit.end());
      }
      previous = u;
    }
    boolean cutShort = cutUnit >= 0 && kept.get(cutUnit);
    if (marking && (previous < units.size() - 1 || cutShort)) {
      boolean paragraphGoesOn = cutShort || units.get(previous + 1).paragraph() == units.get(previous).paragraph();
      out.append(paragraphGoesOn ? ' ' : '\n').append(marker);
      return true;
    }
    return false;
  }
}
