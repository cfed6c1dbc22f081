package dev.precis.segment;

import java.util.ArrayList;
import java.util.List;

/**
 * The level between a document and its units: the sections its headings open (markdown or plain-text headings), and,
 * inside a long stretch without headings, windows of consecutive paragraphs of about {@code windowChars} characters
 * (a paragraph longer than two windows is cut between sentences). Ranking scores sections before units, so that the
 * units of a long document are judged with the part of the document they belong to, as passages are judged with their
 * document. A structured document (JSON, table, log, code) has its own structure and is one section here, as is a
 * short document; prose with structured blocks in it (mixed) has sections as prose does.
 */
public final class Sections {
  /** About 400 tokens of English prose: a few paragraphs. */
  public static final int DEFAULT_WINDOW_CHARS = 1_600;

  /**
   * One section: units {@code [first, end)} of the document.
   *
   * @param first its first unit
   * @param end the unit after its last
   * @param heading the unit of the heading that opens it, or -1 (text before the first heading, or a window after
   *     the first of a long section)
   * @param chars the characters of its units
   */
  public record Section(int first, int end, int heading, int chars) {
    public Section {
      if (first < 0 || end <= first) {
        throw new IllegalArgumentException("illegal section units: [" + first + ", " + end + "), must be non-empty");
      }
    }

    public int size() {
      return end - first;
    }
  }

  private final List<Section> sections;
  private final int[] sectionOfUnit;

  private Sections(List<Section> sections, int units) {
    this.sections = List.copyOf(sections);
    this.sectionOfUnit = new int[units];
    for (int s = 0; s < sections.size(); s++) {
      for (int u = sections.get(s).first(); u < sections.get(s).end(); u++) sectionOfUnit[u] = s;
    }
  }

  /**
   * @param document a segmented document
   * @param windowChars the size a window of paragraphs grows to before the next one starts, in characters
   */
  public static Sections of(SegmentedDocument document, int windowChars) {
    if (windowChars <= 0) {
      throw new IllegalArgumentException("illegal windowChars: " + windowChars + ", must be > 0");
    }
    List<Unit> units = document.units();
    List<Section> out = new ArrayList<>();
    if (units.isEmpty()) return new Sections(out, 0);
    if (document.structure() != null && document.format() != Format.MIXED) {
      out.add(new Section(0, units.size(), -1, chars(units, 0, units.size())));
      return new Sections(out, units.size());
    }
    boolean titleLine = document.opensWithTitleLine(); // the passage's title, not a section heading
    int start = 0;
    for (int u = 1; u <= units.size(); u++) {
      boolean opens = u < units.size() && units.get(u).kind() == UnitKind.HEADING;
      if (u == units.size() || opens) {
        int heading = units.get(start).kind() == UnitKind.HEADING && !(titleLine && start == 0) ? start : -1;
        windows(units, start, u, heading, windowChars, out);
        start = u;
      }
    }
    return new Sections(out, units.size());
  }

  /** Section {@code [first, end)}, cut into windows of paragraphs when it is longer than one and a half windows. */
  private static void windows(
      List<Unit> units, int first, int end, int heading, int windowChars, List<Section> out) {
    int total = chars(units, first, end);
    if (total <= windowChars + windowChars / 2) {
      out.add(new Section(first, end, heading, total));
      return;
    }
    int start = first;
    int size = 0;
    int before = 0; // characters of the section's units before u
    for (int u = first; u < end; u++) {
      boolean paragraphStarts = u > start && units.get(u).paragraph() != units.get(u - 1).paragraph();
      boolean headingOnly = start == heading && u == start + 1; // a heading stays with the text under it
      if (u > start && !headingOnly && (paragraphStarts && size >= windowChars || size >= 2 * windowChars)
          && total - before >= windowChars / 2) {
        out.add(new Section(start, u, start == heading ? heading : -1, size));
        start = u;
        size = 0;
      }
      size += units.get(u).length();
      before += units.get(u).length();
    }
    out.add(new Section(start, end, start == heading ? heading : -1, size));
  }

  /** Deepest heading level: a plain-text heading, below every Markdown heading before it. */
  public static final int PLAIN_HEADING_LEVEL = 7;

  /**
   * The level of a heading unit's text: the number of {@code #} of a Markdown heading (1 to 6), or {@link
   * #PLAIN_HEADING_LEVEL} for a plain-text heading (a short line over its text, a label).
   */
  public static int headingLevel(String headingText) {
    int hashes = 0;
    while (hashes < headingText.length() && hashes < 7 && headingText.charAt(hashes) == '#') hashes++;
    boolean markdown = hashes >= 1 && hashes <= 6
        && (hashes == headingText.length() || Character.isWhitespace(headingText.charAt(hashes)));
    return markdown ? hashes : PLAIN_HEADING_LEVEL;
  }

  private static int chars(List<Unit> units, int first, int end) {
    int chars = 0;
    for (int u = first; u < end; u++) chars += units.get(u).length();
    return chars;
  }

  public int count() {
    return sections.size();
  }

  public Section get(int section) {
    return sections.get(section);
  }

  public List<Section> list() {
    return sections;
  }

  /** The section of a unit. */
  public int of(int unit) {
    return sectionOfUnit[unit];
  }

  /** Whether the document has more than one section: only then are sections ranked on their own. */
  public boolean divided() {
    return sections.size() > 1;
  }
}
