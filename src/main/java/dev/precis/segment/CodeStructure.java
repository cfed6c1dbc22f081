package dev.precis.segment;

import dev.precis.segment.CodeSegmenter.Info;
import dev.precis.segment.CodeSegmenter.Lines;
import dev.precis.segment.StructuredSegmenter.Structured;
import java.util.BitSet;
import java.util.List;

/**
 * Source code's units and how a kept subset is written back as code of its language: kept lines verbatim in their
 * order and indentation, never cut. A header kept without any of its body is its signature with the body elided on
 * the same line, {@code void refund(Order o) { … }} (the closing line's text after the marker, so {@code }); } stays),
 * or in Python its signature and docstring over an indented {@code ...} (Python's own placeholder, valid code; a
 * marker other than {@code …} follows it as a comment). With an empty marker the brace body is {@code { }}. Every
 * other run of left-out lines is one comment line in the language's syntax at their indentation: {@code // … 12
 * lines omitted}, {@code # … 12 lines omitted}; none when the marker is empty.
 *
 * <p>A header's kept text is its lines with its elided body ({@code " }"} or the {@code ...} line), the marker aside,
 * which {@link #elisionTokens} covers with the comment lines.
 */
final class CodeStructure implements Structure {
  private static final int MAX_RANK_CHARS = 2_000;

  private final String text;
  private final CodeLanguage language;
  private final Lines lines;
  private final List<Info> infos;
  private final int[] anchors;
  private final int maxUnitChars;
  private final int unitCount;
  private final int widestIndent;
  /** Per line, the unit it belongs to, or -1 (blank, or a closing line). */
  private final int[] unitOfLine;
  /** Per line, the header whose closing line it is, or -1. */
  private final int[] closes;

  CodeStructure(String text, CodeLanguage language, Lines lines, List<Info> infos, List<Integer> anchors,
      List<Unit> units, int maxUnitChars) {
    this.text = text;
    this.language = language;
    this.lines = lines;
    this.infos = List.copyOf(infos);
    this.anchors = anchors.stream().mapToInt(Integer::intValue).toArray();
    this.maxUnitChars = maxUnitChars;
    this.unitCount = units.size();
    unitOfLine = new int[lines.count];
    closes = new int[lines.count];
    java.util.Arrays.fill(unitOfLine, -1);
    java.util.Arrays.fill(closes, -1);
    int widest = 0;
    for (int u = 0; u < unitCount; u++) {
      Info info = infos.get(u);
      for (int l = info.firstLine; l <= info.lastLine; l++) {
        unitOfLine[l] = u;
        widest = Math.max(widest, lines.indent(l));
      }
      if (info.closingLine >= 0) closes[info.closingLine] = u;
    }
    widestIndent = widest;
  }

  @Override
  public Format format() {
    return Format.CODE;
  }

  @Override
  public String rankText(int unit) {
    Info info = infos.get(unit);
    String own = text.substring(lines.contentStart[info.firstLine],
        Math.min(lines.contentEnd[info.lastLine], lines.contentStart[info.firstLine] + MAX_RANK_CHARS));
    String ranked = info.name == null ? own : info.name + " " + own;
    return ranked.length() > MAX_RANK_CHARS ? ranked.substring(0, MAX_RANK_CHARS) : ranked;
  }

  @Override
  public int anchor(int unit) {
    return anchors[unit];
  }

  @Override
  public double prior(int unit) {
    Info info = infos.get(unit);
    if (info.imports) return 0.1;
    if (info.bodyFirstLine < 0 && info.closingLine < 0 && info.firstInner < 0 && info.name == null) return 0;
    boolean header = info.closingLine >= 0 || info.firstInner >= 0 || anchors[unit] < 0 && info.bodyFirstLine >= 0;
    if (!header) return 0;
    String simple = info.name == null ? "" : info.name.substring(info.name.lastIndexOf('.') + 1);
    if (simple.equals("main")) return 0.4;
    return info.publicApi ? 0.2 : 0.05;
  }

  @Override
  public String locator(int unit) {
    Info info = infos.get(unit);
    String range = info.firstLine == info.lastLine ? "line " + (info.firstLine + 1)
        : "lines " + (info.firstLine + 1) + "-" + (info.lastLine + 1);
    return info.name == null ? range : info.name + ", " + range;
  }

  @Override
  public String keptText(SegmentedDocument doc, int unit) {
    Info info = infos.get(unit);
    String own = doc.unitText(unit);
    if (info.firstInner < 0 && info.closingLine < 0) return own;
    if (info.closingLine >= 0) return own + " " + closingText(unit);
    return own + "\n" + bodyIndent(info) + "...";
  }

  @Override
  public Structured withUnitLimit(int limit) {
    if (limit >= maxUnitChars) return null;
    for (int u = 0; u < unitCount; u++) {
      Info info = infos.get(u);
      if (lines.contentEnd[info.lastLine] - lines.contentStart[info.firstLine] > limit
          && info.lastLine > info.firstLine) {
        return new CodeSegmenter(limit).segment(text);
      }
    }
    return null;
  }

  @Override
  public int elisionTokens(int markerTokens) {
    // a comment line: its prefix, count, "lines omitted", newlines and indentation (runs of blanks share tokens)
    return markerTokens + 12 + (widestIndent + 1) / 2;
  }

  private String closingText(int header) {
    int l = infos.get(header).closingLine;
    return text.substring(lines.contentStart[l], lines.contentEnd[l]);
  }

  private String bodyIndent(Info info) {
    int l = info.bodyFirstLine;
    return l >= 0 ? text.substring(lines.start[l], lines.contentStart[l])
        : text.substring(lines.start[info.firstLine], lines.contentStart[info.firstLine]) + "    ";
  }

  private boolean expanded(int header, BitSet kept) {
    Info info = infos.get(header);
    if (info.firstInner < 0 || info.lastInner < info.firstInner) return true;
    int next = kept.nextSetBit(info.firstInner);
    return next >= 0 && next <= info.lastInner;
  }

  private static final byte HIDDEN = 0;
  private static final byte SHOWN = 1;
  private static final byte SILENT = 2;

  @Override
  public void render(SegmentedDocument doc, BitSet kept, String marker, StringBuilder out) {
    int count = lines.count;
    byte[] state = new byte[count];
    boolean[] collapsed = new boolean[unitCount];
    for (int u = kept.nextSetBit(0); u >= 0 && u < unitCount; u = kept.nextSetBit(u + 1)) {
      Info info = infos.get(u);
      for (int l = info.firstLine; l <= info.lastLine; l++) state[l] = SHOWN;
      if (info.closingLine >= 0) state[info.closingLine] = SHOWN;
      if (info.firstInner >= 0 && !expanded(u, kept)) collapsed[u] = true;
    }
    for (int u = 0; u < unitCount; u++) {
      if (!collapsed[u]) continue;
      Info info = infos.get(u);
      int to = info.closingLine >= 0 ? info.closingLine : info.bodyLastLine;
      for (int l = info.lastLine + 1; l <= to; l++) state[l] = SILENT;
    }
    int previous = -1;
    int hiddenFrom = -1; // the first left-out line since the last shown line
    int lastHidden = -1;
    int omitted = 0;
    for (int l = 0; l < count; l++) {
      if (lines.blank(l)) continue;
      if (state[l] != SHOWN) {
        if (state[l] == HIDDEN) {
          if (omitted == 0) hiddenFrom = l;
          omitted++;
        }
        lastHidden = l;
        continue;
      }
      if (previous >= 0 && lastHidden < previous) {
        out.append(text, lines.contentEnd[previous], lines.contentStart[l]);
      } else {
        if (previous >= 0) out.append('\n');
        if (omitted > 0 && !marker.isEmpty()) {
          out.append(text, lines.start[hiddenFrom], lines.contentStart[hiddenFrom]);
          out.append(omissionNote(marker, omitted)).append('\n');
        }
        if (previous >= 0 || omitted > 0 && !marker.isEmpty()) {
          out.append(text, lines.end[lastHidden] + 1, lines.contentStart[l]);
        }
      }
      omitted = 0;
      lastHidden = -1;
      int u = unitOfLine[l];
      if (u >= 0 && collapsed[u] && l == infos.get(u).lastLine) {
        writeCollapsed(u, marker, out);
      } else {
        out.append(text, lines.contentStart[l], lines.contentEnd[l]);
      }
      previous = l;
    }
    if (previous >= 0 && omitted > 0 && !marker.isEmpty()) {
      out.append('\n').append(text, lines.start[hiddenFrom], lines.contentStart[hiddenFrom]);
      out.append(omissionNote(marker, omitted));
    }
  }

  private void writeCollapsed(int header, String marker, StringBuilder out) {
    Info info = infos.get(header);
    int l = info.lastLine;
    if (info.closingLine >= 0) {
      int brace = lines.lastCode[l]; // the opening brace ends the line's code
      out.append(text, lines.contentStart[l], brace + 1);
      out.append(' ');
      if (!marker.isEmpty()) out.append(marker).append(' ');
      out.append(closingText(header));
      out.append(text, brace + 1, lines.contentEnd[l]);
    } else {
      out.append(text, lines.contentStart[l], lines.contentEnd[l]);
      out.append('\n').append(bodyIndent(info)).append("...");
      if (!marker.isEmpty() && !marker.equals("…") && !marker.equals("...")) out.append(" # ").append(marker);
    }
  }

  private String omissionNote(String marker, int count) {
    return language.lineComment() + " " + marker + " " + count + (count == 1 ? " line" : " lines") + " omitted";
  }
}
