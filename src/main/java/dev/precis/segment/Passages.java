package dev.precis.segment;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.regex.Matcher;

/**
 * The passages a request is ranked and planned by: each document as it is, except that a document without a title
 * whose text is two or more blocks that each open with a title line ({@link #titledBlocks}) is taken block by block,
 * each a passage titled by its heading (units before the first heading form a passage of their own, untitled), and
 * that a document without a title whose text is one such block (as the proxy cuts a chat message at blank lines)
 * is titled by its title line. A block that names its title inline, {@code "Document [1](Title: Polonium) ..."} (the
 * prompt format of the multi-document QA literature), opens with a heading unit for that label
 * ({@link Segmenter#INLINE_TITLE}), so it is a passage the same way, titled by the name. A {@code context} of pasted
 * retrieved passages ("Title\ntext\n\nTitle\ntext") then ranks like the same passages sent as documents: each gets a
 * document prior, a title in front of its sentences for the encoder, one look from the encoder, a coarse summary,
 * a fragment check at its edges. Rendering stays per document; passages only regroup units.
 *
 * <p>A passage is a {@link SegmentedDocument} whose index is its position among the passages, whose text is its
 * document's whole text and whose units are the section's, offsets unchanged.
 */
public final class Passages {
  private final List<SegmentedDocument> passages;
  private final int[] documentOf;
  private final int[] firstUnit;
  private final boolean[] sectionTitled;
  private final int[][] passageOf;

  private Passages(List<SegmentedDocument> passages, int[] documentOf, int[] firstUnit, boolean[] sectionTitled,
      int[][] passageOf) {
    this.passages = List.copyOf(passages);
    this.documentOf = documentOf;
    this.firstUnit = firstUnit;
    this.sectionTitled = sectionTitled;
    this.passageOf = passageOf;
  }

  /** The passages of {@code documents} (indexed 0..n-1 in order, as the engine builds them). */
  public static Passages of(List<SegmentedDocument> documents) {
    List<SegmentedDocument> out = new ArrayList<>(documents.size());
    List<int[]> origin = new ArrayList<>(documents.size()); // {document, first unit, titled by a section heading}
    int[][] passageOf = new int[documents.size()][];
    for (int d = 0; d < documents.size(); d++) {
      SegmentedDocument doc = documents.get(d);
      if (doc.index() != d) {
        throw new IllegalArgumentException("illegal document index: " + doc.index() + " at position " + d
            + ", must equal its position");
      }
      List<Unit> units = doc.units();
      passageOf[d] = new int[units.size()];
      Split split = doc.title() != null || doc.structure() != null ? null : titleLines(doc);
      if (split == null) {
        origin.add(new int[] {d, 0, 0});
        // The document is its own passage; a copy only when an earlier split moved its index.
        out.add(out.size() == d ? doc : doc.withIndex(out.size()));
        Arrays.fill(passageOf[d], out.size() - 1);
        continue;
      }
      for (int i = 0; i < split.starts().size(); i++) {
        int from = split.starts().get(i);
        int to = i + 1 < split.starts().size() ? split.starts().get(i + 1) : units.size();
        origin.add(new int[] {d, from, split.titleLines().get(i) ? 1 : 0});
        out.add(new SegmentedDocument(out.size(), split.titles().get(i), doc.text(), units.subList(from, to)));
        Arrays.fill(passageOf[d], from, to, out.size() - 1);
      }
    }
    int n = out.size();
    int[] documentOf = new int[n];
    int[] firstUnit = new int[n];
    boolean[] sectionTitled = new boolean[n];
    for (int p = 0; p < n; p++) {
      documentOf[p] = origin.get(p)[0];
      firstUnit[p] = origin.get(p)[1];
      sectionTitled[p] = origin.get(p)[2] == 1;
    }
    return new Passages(out, documentOf, firstUnit, sectionTitled, passageOf);
  }

  /** Where a document's passages start, their titles, and whether each title is a title line (a heading unit). */
  private record Split(List<Integer> starts, List<String> titles, List<Boolean> titleLines) {}

  /**
   * Passages opened by title lines: two or more headings that each open a block with their text on the next line, or
   * one such heading that is the document's first unit; null when the document is not laid out so.
   */
  private static Split titleLines(SegmentedDocument doc) {
    List<Unit> units = doc.units();
    List<Integer> headings = new ArrayList<>();
    for (int u = 0; u < units.size(); u++) {
      if (units.get(u).kind() == UnitKind.HEADING) headings.add(u);
    }
    boolean titleLineFirst = headings.size() == 1 && headings.get(0) == 0;
    if ((headings.size() < 2 && !titleLineFirst) || !titledBlocks(doc, headings)) return null;
    List<Integer> starts = new ArrayList<>();
    List<String> titles = new ArrayList<>();
    List<Boolean> titleLines = new ArrayList<>();
    if (headings.get(0) > 0) {
      starts.add(0);
      titles.add(null);
      titleLines.add(false);
    }
    for (int h : headings) {
      String title = headingTitle(doc.unitText(h));
      starts.add(h);
      titles.add(title);
      titleLines.add(title != null);
    }
    return new Split(starts, titles, titleLines);
  }

  /**
   * Whether every heading opens a block of its own text, as pasted passages do ({@code "Title\ntext\n\nTitle\ntext"}):
   * a blank line (or the start) before it, its text on the very next line. The sections of a paper converted to
   * plain text (headings inside running text) or of a markdown page (a blank line after each heading) are parts of
   * one document and stay in it, ranked with their heading as a section prior.
   */
  private static boolean titledBlocks(SegmentedDocument doc, List<Integer> headings) {
    List<Unit> units = doc.units();
    String text = doc.text();
    for (int h : headings) {
      if (h + 1 >= units.size() || units.get(h + 1).kind() == UnitKind.HEADING) return false;
      int before = h == 0 ? 0 : units.get(h - 1).end();
      if (h > 0 && !hasBlankLine(text, before, units.get(h).start())) return false;
      if (hasBlankLine(text, units.get(h).end(), units.get(h + 1).start())) return false;
    }
    return true;
  }

  /** Whether {@code text[from, to)} holds a line with nothing but whitespace between two line breaks. */
  private static boolean hasBlankLine(String text, int from, int to) {
    int lastBreak = -1;
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (c == '\n') {
        if (lastBreak >= 0) return true;
        lastBreak = i;
      } else if (!Character.isWhitespace(c)) {
        lastBreak = -1;
      }
    }
    return false;
  }

  /**
   * The title a heading gives its section: the title of a {@code (Title: ...)} label, else its first line without
   * markdown's {@code #} marks (a setext underline is on the next line) or a {@code Title:} label, or null when
   * nothing is left.
   */
  static String headingTitle(String heading) {
    Matcher label = Segmenter.INLINE_TITLE.matcher(heading);
    if (label.lookingAt()) return label.group(1).strip();
    String line = heading.strip();
    int newline = line.indexOf('\n');
    if (newline >= 0) line = line.substring(0, newline);
    line = line.replaceFirst("^#{1,6}(\\s+|$)", "").replaceFirst("\\s+#+\\s*$", "")
        .replaceFirst("(?i)^title\\s*:\\s*", "").strip();
    return line.isEmpty() ? null : line;
  }

  /** The passages, in document and unit order. */
  public List<SegmentedDocument> list() {
    return passages;
  }

  public int size() {
    return passages.size();
  }

  /** Whether any document was taken block by block (otherwise every passage is a whole document). */
  public boolean split() {
    return passages.size() != passageOf.length;
  }

  /** The document passage {@code p} belongs to. */
  public int document(int p) {
    return documentOf[p];
  }

  /** The document's unit that is unit {@code u} of passage {@code p}. */
  public int documentUnit(int p, int u) {
    return firstUnit[p] + u;
  }

  /** The passage holding unit {@code u} of document {@code d}. */
  public int passage(int d, int u) {
    return passageOf[d][u];
  }

  /** The position of unit {@code u} of document {@code d} within its passage. */
  public int passageUnit(int d, int u) {
    return u - firstUnit[passageOf[d][u]];
  }

  /**
   * Whether the passage's title is one of its own section's heading, not a document title rendered as a header: such
   * a passage has no header of its own (its heading is one of its units).
   */
  public boolean titledBySection(int p) {
    return sectionTitled[p];
  }

  /** Per-document unit sets regrouped per passage. */
  public BitSet[] toPassages(BitSet[] byDocument) {
    BitSet[] out = new BitSet[passages.size()];
    for (int p = 0; p < out.length; p++) out[p] = new BitSet();
    for (int d = 0; d < byDocument.length; d++) {
      for (int u = byDocument[d].nextSetBit(0); u >= 0; u = byDocument[d].nextSetBit(u + 1)) {
        out[passageOf[d][u]].set(passageUnit(d, u));
      }
    }
    return out;
  }
}
