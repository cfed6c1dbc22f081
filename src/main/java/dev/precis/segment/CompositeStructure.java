package dev.precis.segment;

import dev.precis.segment.StructuredSegmenter.Structured;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * A {@link Format#MIXED} document: prose with structured blocks in it (a fenced {@code ```json} block, a blank-line
 * block that is a table or a log, ...). Each part keeps its own units and its own way of writing them back: prose
 * parts as sentences with elision markers, structured parts in their format (inside their fence lines when fenced),
 * so a JSON block in a context still comes back as valid JSON. Parts are written in order, joined by the whitespace
 * that separated them, with a marker line where whole parts were left out.
 *
 * <p>The document's units are the parts' units in text order, renumbered, with offsets into the whole text; each part
 * also keeps its own view (its text and its units as its segmenter made them), through which it is ranked, costed
 * and written.
 */
final class CompositeStructure implements Structure {
  private final String text;
  private final List<Part> parts;
  private final int[] partOf;

  /**
   * One part of the document.
   *
   * @param start where the part starts in the whole text (its first non-whitespace char; a fence line included)
   * @param end where it ends
   * @param innerStart where its content starts (after the opening fence line, if fenced)
   * @param innerEnd where its content ends (before the closing fence line, if fenced)
   * @param local the part as its segmenter made it: its content as text, its units' offsets into that
   * @param firstUnit the ordinal of its first unit in the whole document
   */
  record Part(int start, int end, int innerStart, int innerEnd, SegmentedDocument local, int firstUnit) {
    boolean structured() {
      return local.structure() != null;
    }

    int size() {
      return local.units().size();
    }
  }

  private CompositeStructure(String text, List<Part> parts) {
    this.text = text;
    this.parts = List.copyOf(parts);
    int units = 0;
    for (Part p : parts) units += p.size();
    partOf = new int[units];
    for (int i = 0; i < parts.size(); i++) {
      Part p = parts.get(i);
      for (int u = 0; u < p.size(); u++) partOf[p.firstUnit() + u] = i;
    }
  }

  /**
   * Builds the document from its parts in text order.
   *
   * @param spans per part {@code {start, end, innerStart, innerEnd}} in the whole text
   * @param locals per part, its content segmented (a prose part's structure is null)
   */
  static Structured build(String text, List<int[]> spans, List<SegmentedDocument> locals) {
    List<Unit> units = new ArrayList<>();
    List<Part> parts = new ArrayList<>();
    int paragraphBase = 0;
    int sectionBase = 0;
    for (int i = 0; i < spans.size(); i++) {
      int[] s = spans.get(i);
      SegmentedDocument local = locals.get(i);
      if (local.units().isEmpty()) continue;
      parts.add(new Part(s[0], s[1], s[2], s[3], local, units.size()));
      int maxParagraph = 0;
      int maxSection = 0;
      for (Unit u : local.units()) {
        units.add(new Unit(units.size(), u.kind(), s[2] + u.start(), s[2] + u.end(), paragraphBase + u.paragraph(),
            sectionBase + u.section()));
        maxParagraph = Math.max(maxParagraph, u.paragraph());
        maxSection = Math.max(maxSection, u.section());
      }
      paragraphBase += maxParagraph + 1;
      sectionBase += maxSection + 1;
    }
    return new Structured(units, new CompositeStructure(text, parts));
  }

  List<Part> parts() {
    return parts;
  }

  private int local(int unit) {
    return unit - parts.get(partOf[unit]).firstUnit();
  }

  @Override
  public Format format() {
    return Format.MIXED;
  }

  @Override
  public boolean structured(int unit) {
    return parts.get(partOf[unit]).structured();
  }

  @Override
  public String rankText(int unit) {
    Part p = parts.get(partOf[unit]);
    return p.local().rankText(local(unit));
  }

  @Override
  public int anchor(int unit) {
    Part p = parts.get(partOf[unit]);
    int a = p.local().anchor(local(unit));
    return a < 0 ? -1 : p.firstUnit() + a;
  }

  @Override
  public double prior(int unit) {
    Part p = parts.get(partOf[unit]);
    return p.structured() ? p.local().structure().prior(local(unit)) : 0;
  }

  @Override
  public String locator(int unit) {
    Part p = parts.get(partOf[unit]);
    if (!p.structured()) return null;
    int line = FormatException.lineAndColumn(text, p.start())[0];
    return p.local().format().label() + " block at line " + line + ": " + p.local().structure().locator(local(unit));
  }

  @Override
  public String note(int unit) {
    Part p = parts.get(partOf[unit]);
    return p.structured() ? p.local().structure().note(local(unit)) : null;
  }

  @Override
  public String keptText(SegmentedDocument doc, int unit) {
    Part p = parts.get(partOf[unit]);
    return p.structured() ? p.local().structure().keptText(p.local(), local(unit)) : doc.unitText(unit);
  }

  @Override
  public int elisionTokens(int markerTokens) {
    int most = markerTokens;
    for (Part p : parts) {
      if (p.structured()) most = Math.max(most, p.local().structure().elisionTokens(markerTokens));
    }
    return most;
  }

  @Override
  public Structured withUnitLimit(int maxUnitChars) {
    List<int[]> spans = new ArrayList<>();
    List<SegmentedDocument> locals = new ArrayList<>();
    boolean changed = false;
    for (Part p : parts) {
      spans.add(new int[] {p.start(), p.end(), p.innerStart(), p.innerEnd()});
      SegmentedDocument local = p.local();
      Structured finer = p.structured() ? local.structure().withUnitLimit(maxUnitChars) : null;
      if (finer != null) {
        local = new SegmentedDocument(0, null, local.text(), finer.units(), finer.structure());
        changed = true;
      }
      locals.add(local);
    }
    return changed ? build(text, spans, locals) : null;
  }

  @Override
  public void render(SegmentedDocument doc, BitSet kept, String marker, StringBuilder out) {
    boolean marking = !marker.isEmpty();
    int previous = -1;
    boolean marked = false; // the output ends with an elision marker: the next gap needs no other
    for (int i = 0; i < parts.size(); i++) {
      Part p = parts.get(i);
      BitSet local = kept.get(p.firstUnit(), p.firstUnit() + p.size());
      if (local.isEmpty()) continue;
      boolean partsLeftOut = previous < 0 ? i > 0 : previous < i - 1;
      if (previous >= 0 && previous == i - 1) {
        out.append(text, parts.get(previous).end(), p.start()); // the whitespace between them
      } else if (previous >= 0) {
        out.append('\n');
      }
      if (partsLeftOut && marking && !marked) {
        out.append(marker).append('\n');
        marked = true;
      }
      if (p.structured()) {
        out.append(text, p.start(), p.innerStart()); // an opening fence line, if any
        p.local().structure().render(p.local(), local, marker, out);
        out.append(text, p.innerEnd(), p.end());
        marked = false;
      } else {
        marked = ProseWriter.write(p.local(), local, marker, -1, null, !marked, out);
      }
      previous = i;
    }
    if (previous >= 0 && previous < parts.size() - 1 && marking && !marked) out.append('\n').append(marker);
  }
}
