package dev.precis.segment;

import dev.precis.segment.StructuredSegmenter.Structured;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Cuts a table into its header row and its rows: CSV and TSV (RFC 4180 quoting, a quoted field may hold the delimiter,
 * quotes and line breaks) and Markdown pipe tables (a header line, a {@code |---|} line, rows). The header is one
 * unit ({@link UnitKind#HEADER}, with the markdown separator line), the anchor of every row ({@link UnitKind#ROW}), so
 * a kept row always comes with the column names. Rows are never cut.
 *
 * <p>Ranking sees a row with its column names: {@code name: Oslo; country: Norway; population: 709037}. The output is
 * the same table format: the header, the kept rows in order, and one elision row per run of left-out rows, with the
 * count in its first cell and the other cells empty, so every row still has the header's number of cells: {@code
 * "… 37 more rows",,} in CSV, {@code | … 37 more rows | | |} in Markdown. A table kept whole is written as it came.
 */
public final class TableSegmenter implements StructuredSegmenter {
  private static final int MAX_RANK_CHARS = 2_000;

  private final Format format;
  private final boolean strict;

  /**
   * @param format {@link Format#CSV}, {@link Format#TSV} or {@link Format#MARKDOWN} (a pipe table)
   * @param strict whether rows must all have the header's number of cells (detection asks for it; a declared format
   *     takes ragged rows as they are)
   */
  public TableSegmenter(Format format, boolean strict) {
    if (format != Format.CSV && format != Format.TSV && format != Format.MARKDOWN) {
      throw new IllegalArgumentException("illegal format: " + format + ", must be csv, tsv or markdown");
    }
    this.format = format;
    this.strict = strict;
  }

  /** A detected table's longest header cell: a longer first line is prose. */
  static final int MAX_HEADER_CHARS = 60;

  @Override
  public Structured segment(String text) {
    List<Row> rows = format == Format.MARKDOWN ? pipeRows(text) : delimitedRows(text, format == Format.TSV ? '\t' : ',');
    if (rows.isEmpty()) throw new FormatException(format, 1, 1, "no rows, the text is empty");
    int columns = rows.get(0).cells().size();
    if (strict) {
      if (rows.size() < 3 || columns < 2) {
        throw new FormatException(format, 1, 1, "not a table: fewer than 3 rows or 2 columns");
      }
      for (Row r : rows) {
        if (r.cells().size() != columns) {
          int[] lc = FormatException.lineAndColumn(text, r.start());
          throw new FormatException(format, lc[0], lc[1],
              "row has " + r.cells().size() + " cells, the header " + columns);
        }
      }
      for (String header : rows.get(0).cells()) {
        if (header.length() > MAX_HEADER_CHARS) {
          throw new FormatException(format, 1, 1, "a header cell is longer than " + MAX_HEADER_CHARS + " chars");
        }
      }
    }
    List<Unit> units = new ArrayList<>(rows.size());
    for (int r = 0; r < rows.size(); r++) {
      Row row = rows.get(r);
      units.add(new Unit(r, r == 0 ? UnitKind.HEADER : UnitKind.ROW, row.start(), row.end(), 0, 0));
    }
    return new Structured(units, new TableStructure(format, text, rows, columns));
  }

  /** One row: its trimmed span and its cells (unquoted). */
  record Row(int start, int end, List<String> cells) {}

  /** RFC 4180 records; blank lines are skipped; an unclosed quote is a format error. */
  /**
   * False when the strict parse of {@code text} as a delimited table would fail for its first record alone (fewer
   * than two cells, or a header cell over 60 chars), read without parsing the rest: prose is rejected at its first
   * line. True when it may be a table, or when the first record has quotes (then only the parse can tell).
   */
  static boolean mayBeStrictTable(String text, char delimiter) {
    int n = text.length();
    int start = 0;
    while (true) { // the first record that is not blank, as the parser skips blank ones
      int end = start;
      while (end < n && text.charAt(end) != '\n' && text.charAt(end) != '\r') end++;
      if (!text.substring(start, end).isBlank()) {
        String first = text.substring(start, end);
        if (first.indexOf('"') >= 0) return true;
        int cells = 0;
        int cellStart = 0;
        for (int i = 0; i <= first.length(); i++) {
          if (i == first.length() || first.charAt(i) == delimiter) {
            cells++;
            if (first.substring(cellStart, i).strip().length() > MAX_HEADER_CHARS) return false;
            cellStart = i + 1;
          }
        }
        return cells >= 2;
      }
      if (end >= n) return true; // blank: the parse reports it
      start = end + 1;
    }
  }

  static List<Row> delimitedRows(String text, char delimiter) {
    List<Row> rows = new ArrayList<>();
    int n = text.length();
    int i = 0;
    while (i < n) {
      int recordStart = i;
      List<String> cells = new ArrayList<>();
      StringBuilder cell = new StringBuilder();
      boolean quoted = false;
      boolean inQuotes = false;
      int quoteAt = -1;
      while (i < n) {
        char c = text.charAt(i);
        if (inQuotes) {
          if (c == '"') {
            if (i + 1 < n && text.charAt(i + 1) == '"') {
              cell.append('"');
              i += 2;
              continue;
            }
            inQuotes = false;
          } else {
            cell.append(c);
          }
          i++;
          continue;
        }
        if (c == '"' && cell.toString().isBlank() && !quoted) {
          inQuotes = true;
          quoted = true;
          quoteAt = i;
          cell.setLength(0);
          i++;
        } else if (c == delimiter) {
          cells.add(quoted ? cell.toString() : cell.toString().strip());
          cell.setLength(0);
          quoted = false;
          i++;
        } else if (c == '\n' || c == '\r') {
          break;
        } else {
          if (!quoted) cell.append(c);
          i++;
        }
      }
      if (inQuotes) {
        int[] lc = FormatException.lineAndColumn(text, quoteAt);
        throw new FormatException(delimiter == '\t' ? Format.TSV : Format.CSV, lc[0], lc[1],
            "the quoted field opened here is not closed");
      }
      cells.add(quoted ? cell.toString() : cell.toString().strip());
      int end = i;
      if (i < n && text.charAt(i) == '\r') i++;
      if (i < n && text.charAt(i) == '\n') i++;
      int s = recordStart;
      int e = end;
      while (s < e && Segmenter.isWs(text.charAt(s))) s++;
      while (e > s && Segmenter.isWs(text.charAt(e - 1))) e--;
      if (s < e) rows.add(new Row(s, e, List.copyOf(cells)));
    }
    return rows;
  }

  /** A markdown pipe table: the header row spans its line and the separator line. */
  static List<Row> pipeRows(String text) {
    List<Row> rows = new ArrayList<>();
    int n = text.length();
    int i = 0;
    int lineNumber = 0;
    while (i < n) {
      int lineEnd = text.indexOf('\n', i);
      if (lineEnd < 0) lineEnd = n;
      int s = i;
      int e = lineEnd;
      while (s < e && Segmenter.isWs(text.charAt(s))) s++;
      while (e > s && Segmenter.isWs(text.charAt(e - 1))) e--;
      i = lineEnd + 1;
      if (s == e) continue;
      lineNumber++;
      if (text.charAt(s) != '|') {
        int[] lc = FormatException.lineAndColumn(text, s);
        throw new FormatException(Format.MARKDOWN, lc[0], lc[1], "a table row must start with '|'");
      }
      List<String> cells = pipeCells(text, s, e);
      if (lineNumber == 2) {
        if (!separator(cells)) {
          int[] lc = FormatException.lineAndColumn(text, s);
          throw new FormatException(Format.MARKDOWN, lc[0], lc[1], "the second line of a table must be |---|");
        }
        Row header = rows.get(0);
        rows.set(0, new Row(header.start(), e, header.cells()));
        continue;
      }
      rows.add(new Row(s, e, cells));
    }
    if (lineNumber == 1) throw new FormatException(Format.MARKDOWN, 1, 1, "a table needs a |---| line under its header");
    return rows;
  }

  private static List<String> pipeCells(String text, int s, int e) {
    List<String> cells = new ArrayList<>();
    int from = s + 1;
    int end = e;
    if (end - 1 > s && text.charAt(end - 1) == '|' && text.charAt(end - 2) != '\\') end--;
    StringBuilder cell = new StringBuilder();
    for (int i = from; i < end; i++) {
      char c = text.charAt(i);
      if (c == '\\' && i + 1 < end && text.charAt(i + 1) == '|') {
        cell.append('|');
        i++;
      } else if (c == '|') {
        cells.add(cell.toString().strip());
        cell.setLength(0);
      } else {
        cell.append(c);
      }
    }
    cells.add(cell.toString().strip());
    return cells;
  }

  private static boolean separator(List<String> cells) {
    for (String c : cells) if (!c.matches(":?-{1,}:?")) return false;
    return !cells.isEmpty();
  }

  /** The rows of a table and how their kept subset is written back. */
  static final class TableStructure implements Structure {
    private final Format format;
    private final String text;
    private final List<Row> rows;
    private final int columns;

    TableStructure(Format format, String text, List<Row> rows, int columns) {
      this.format = format;
      this.text = text;
      this.rows = List.copyOf(rows);
      this.columns = columns;
    }

    @Override
    public Format format() {
      return format;
    }

    /** The header's number of cells. */
    int columns() {
      return columns;
    }

    @Override
    public String rankText(int unit) {
      if (unit == 0) return text.substring(rows.get(0).start(), rows.get(0).end());
      List<String> header = rows.get(0).cells();
      List<String> cells = rows.get(unit).cells();
      StringBuilder out = new StringBuilder();
      for (int c = 0; c < cells.size() && out.length() < MAX_RANK_CHARS; c++) {
        if (c > 0) out.append("; ");
        if (c < header.size() && !header.get(c).isEmpty()) out.append(header.get(c)).append(": ");
        out.append(cells.get(c));
      }
      return out.length() > MAX_RANK_CHARS ? out.substring(0, MAX_RANK_CHARS) : out.toString();
    }

    @Override
    public int anchor(int unit) {
      return unit == 0 ? -1 : 0;
    }

    @Override
    public double prior(int unit) {
      return 0;
    }

    @Override
    public String locator(int unit) {
      int line = FormatException.lineAndColumn(text, rows.get(unit).start())[0];
      return unit == 0 ? "header, line " + line : "row " + unit + ", line " + line;
    }

    @Override
    public int elisionTokens(int markerTokens) {
      return markerTokens + 5 + columns;
    }

    @Override
    public void render(SegmentedDocument doc, BitSet kept, String marker, StringBuilder out) {
      if (kept.cardinality() == rows.size()) {
        out.append(text, rows.get(0).start(), rows.get(rows.size() - 1).end());
        return;
      }
      out.append(text, rows.get(0).start(), rows.get(0).end()); // the header, whether chosen or not
      int gap = 0;
      for (int r = 1; r < rows.size(); r++) {
        if (!kept.get(r)) {
          gap++;
          continue;
        }
        if (gap > 0 && !marker.isEmpty()) out.append('\n').append(elisionRow(marker, gap));
        gap = 0;
        out.append('\n').append(text, rows.get(r).start(), rows.get(r).end());
      }
      if (gap > 0 && !marker.isEmpty()) out.append('\n').append(elisionRow(marker, gap));
    }

    private String elisionRow(String marker, int count) {
      String note = marker + " " + count + " more row" + (count == 1 ? "" : "s");
      StringBuilder row = new StringBuilder();
      switch (format) {
        case CSV -> {
          row.append('"').append(note.replace("\"", "\"\"")).append('"');
          row.append(",".repeat(Math.max(0, columns - 1)));
        }
        case TSV -> {
          row.append(note.replace('\t', ' ').replace('\n', ' '));
          row.append("\t".repeat(Math.max(0, columns - 1)));
        }
        default -> {
          row.append("| ").append(note.replace("|", "\\|")).append(" |");
          row.append(" |".repeat(Math.max(0, columns - 1)));
        }
      }
      return row.toString();
    }
  }
}
