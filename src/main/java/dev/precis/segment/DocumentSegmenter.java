package dev.precis.segment;

import dev.precis.segment.StructuredSegmenter.Structured;

/**
 * Cuts a document by its format: a declared one, or the one the text shows ({@link Format#AUTO}). Detection tries the
 * structured formats strictly, in order, and takes the first the text parses as:
 *
 * <ol>
 *   <li>JSON: one object or array, strict RFC 8259, nothing after it;
 *   <li>JSON Lines: two or more lines, each one object or array;
 *   <li>a table: a Markdown pipe table alone, or TSV, or CSV: at least 3 rows and 2 columns, every row with the
 *       header's number of cells, header cells of at most 60 chars (two columns need 5 rows);
 *   <li>prose and Markdown otherwise (today's {@link Segmenter}).
 * </ol>
 *
 * A declared structured format must parse ({@link FormatException} names the line and column where it does not); a
 * declared {@code text} or {@code markdown} is prose, except that a Markdown text that is one pipe table alone is
 * segmented as a table. Thread-safe.
 */
public final class DocumentSegmenter {
  private final Segmenter prose;
  private final int maxUnitChars;

  public DocumentSegmenter(int maxUnitChars) {
    this.prose = new Segmenter(maxUnitChars);
    this.maxUnitChars = maxUnitChars;
  }

  /** The prose segmenter (for callers that cut plain text). */
  public Segmenter prose() {
    return prose;
  }

  /**
   * @throws FormatException when a declared structured format does not parse
   */
  public SegmentedDocument segment(int index, String title, String text, Format declared) {
    return segment(index, title, text, declared, false);
  }

  /**
   * @param compactJson whether JSON arrays of flat records may be written as tables ({@link JsonSegmenter})
   * @throws FormatException when a declared structured format does not parse
   */
  public SegmentedDocument segment(int index, String title, String text, Format declared, boolean compactJson) {
    Structured structured = switch (declared == null ? Format.AUTO : declared) {
      case AUTO -> detectStructure(text, compactJson);
      case TEXT -> null;
      case MARKDOWN -> tryParse(new TableSegmenter(Format.MARKDOWN, false), text, true);
      case JSON -> new JsonSegmenter(maxUnitChars, false, compactJson).segment(text);
      case JSONL -> new JsonSegmenter(maxUnitChars, true, compactJson).segment(text);
      case CSV, TSV -> new TableSegmenter(declared, false).segment(text);
      case LOG, CODE -> null;
    };
    if (structured == null) return new SegmentedDocument(index, title, text, prose.segment(text));
    return new SegmentedDocument(index, title, text, structured.units(), structured.structure());
  }

  /** The format detection finds in the text: a structured format, or {@link Format#TEXT}. */
  public static Format detect(String text) {
    Structured s = new DocumentSegmenter(DETECTION_UNIT_CHARS).detectStructure(text, false);
    return s == null ? Format.TEXT : s.structure().format();
  }

  private static final int DETECTION_UNIT_CHARS = 1 << 20;

  /** The structured reading of the text, or null for prose. */
  private Structured detectStructure(String text, boolean compactJson) {
    int first = JsonSegmenter.firstNonWhitespace(text, 0);
    if (first < 0) return null;
    char c = text.charAt(first);
    if (c == '{' || c == '[') {
      Structured json = tryParse(new JsonSegmenter(maxUnitChars, false, compactJson), text, false);
      if (json != null) return json;
      if (multiline(text, first)) {
        Structured lines = tryParse(new JsonSegmenter(maxUnitChars, true, compactJson), text, false);
        if (lines != null && lines.units().size() >= 2) return lines;
      }
    }
    if (c == '|') {
      Structured table = tryParse(new TableSegmenter(Format.MARKDOWN, true), text, true);
      if (table != null) return table;
    }
    if (text.indexOf('\t') >= 0) {
      Structured tsv = tryParse(new TableSegmenter(Format.TSV, true), text, true);
      if (tsv != null) return tsv;
    }
    if (text.indexOf(',') >= 0) {
      Structured csv = tryParse(new TableSegmenter(Format.CSV, true), text, true);
      if (csv != null && (csv.units().size() >= 5 || columns(csv) > 2)) return csv;
    }
    return null;
  }

  private static int columns(Structured table) {
    return ((TableSegmenter.TableStructure) table.structure()).columns();
  }

  private static boolean multiline(String text, int from) {
    int newline = text.indexOf('\n', from);
    return newline >= 0 && JsonSegmenter.firstNonWhitespace(text, newline) >= 0;
  }

  /** The segmenter's reading, or null when the text is not of its format (a table must also look like one). */
  private static Structured tryParse(StructuredSegmenter segmenter, String text, boolean table) {
    try {
      Structured s = segmenter.segment(text);
      return table && s.units().size() < 2 ? null : s;
    } catch (FormatException e) {
      return null;
    }
  }
}
