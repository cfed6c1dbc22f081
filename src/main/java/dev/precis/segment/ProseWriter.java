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
    List<Unit> units = doc.units();
    boolean marking = !marker.isEmpty();
    int first = kept.nextSetBit(0);
    if (marking && first > 0) out.append(marker).append(' ');
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
    if (marking && (previous < units.size() - 1 || cutShort)) out.append(' ').append(marker);
  }
}
