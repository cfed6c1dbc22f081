package dev.precis.render;

import dev.precis.segment.SegmentedDocument;
import dev.precis.segment.ProseWriter;
import java.util.BitSet;
import java.util.List;

/**
 * Writes the kept units out as one text: each document with its title as a header line, its kept units in text
 * order, and an elision marker wherever text was left out. Adjacent kept units are joined by the exact whitespace
 * that separated them in the input, so a document kept whole reads exactly as it was given (trimmed). Documents
 * are separated by a blank line.
 *
 * <p>Example, marker "…": a document titled "Oslo" whose units 0 and 2 of 4 are kept renders as {@code
 * "Oslo\nOslo is the capital of Norway. … It has 700,000 people. …"}.
 */
public final class Renderer {
  public static final String DOCUMENT_SEPARATOR = "\n\n";

  /**
   * @param documents the documents
   * @param kept per document (by index), the ordinals of its kept units
   * @param order the documents' indexes in output order
   * @param marker the elision marker; empty for none
   * @param cut if not null, the head of one unit that replaces the whole unit (a unit cut at a token boundary)
   */
  public String render(List<SegmentedDocument> documents, List<BitSet> kept, int[] order, String marker, Cut cut) {
    StringBuilder out = new StringBuilder();
    for (int d : order) {
      BitSet units = kept.get(d);
      if (units.isEmpty()) continue;
      if (!out.isEmpty()) out.append(DOCUMENT_SEPARATOR);
      renderDocument(documents.get(d), units, marker, cut != null && cut.document() == d ? cut : null, out);
    }
    return out.toString();
  }

  private static void renderDocument(SegmentedDocument doc, BitSet kept, String marker, Cut cut, StringBuilder out) {
    if (doc.title() != null) out.append(doc.title()).append('\n');
    if (doc.structure() != null) { // written back in its own format; its units are never cut
      doc.structure().render(doc, kept, marker, out);
      return;
    }
    ProseWriter.write(doc, kept, marker, cut == null ? -1 : cut.unit(), cut == null ? null : cut.head(), out);
  }

  /**
   * The head of unit {@code unit} of document {@code document}, when not even the whole unit fits.
   *
   * @param head a prefix of the unit's text that ends on a token boundary
   */
  public record Cut(int document, int unit, String head) {
    public Cut {
      if (head == null || head.isEmpty()) throw new IllegalArgumentException("illegal head: empty, must be text");
    }
  }
}
