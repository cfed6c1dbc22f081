package dev.precis.segment;

import dev.precis.segment.StructuredSegmenter.Structured;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a document by its format: a declared one, or the one the text shows ({@link Format#AUTO}). Detection tries the
 * structured formats strictly, in order, and takes the first the text parses as:
 *
 * <ol>
 *   <li>JSON: one object or array, strict RFC 8259, nothing after it;
 *   <li>JSON Lines: two or more lines, each one object or array;
 *   <li>source code: {@link CodeSegmenter#looksLikeCode} (declarations, imports and statements, no prose);
 *   <li>a table: a Markdown pipe table alone, or TSV, or CSV: at least 3 rows and 2 columns, every row with the
 *       header's number of cells, header cells of at most 60 chars (two columns need 5 rows);
 *   <li>a log, tried before TSV and CSV: {@link LogSegmenter#looksLikeLog} (60% of its first lines, at least 5, open
 *       with a timestamp, a level tag or a build-tool prefix, or are stack frames; not a table, no Markdown fence);
 *   <li>prose and Markdown otherwise (today's {@link Segmenter}).
 * </ol>
 *
 * A declared structured format must parse ({@link FormatException} names the line and column where it does not); a
 * declared {@code text} or {@code markdown} is prose, except that a Markdown text that is one pipe table alone is
 * segmented as a table; a declared {@code code} never fails (what does not parse is read as lines). Thread-safe.
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
      case AUTO, MIXED -> {
        Structured whole = detectStructure(text, compactJson);
        yield whole != null ? whole : mixed(text, compactJson);
      }
      case TEXT -> null;
      case MARKDOWN -> tryParse(new TableSegmenter(Format.MARKDOWN, false), text, true);
      case JSON -> new JsonSegmenter(maxUnitChars, false, compactJson).segment(text);
      case JSONL -> new JsonSegmenter(maxUnitChars, true, compactJson).segment(text);
      case CSV, TSV -> new TableSegmenter(declared, false).segment(text);
      case LOG -> new LogSegmenter().segment(text);
      case CODE -> new CodeSegmenter(maxUnitChars).segment(text);
    };
    if (structured == null) return new SegmentedDocument(index, title, text, prose.segment(text));
    return new SegmentedDocument(index, title, text, structured.units(), structured.structure());
  }

  /** The format detection finds in the text: a structured format, or {@link Format#TEXT}. */
  public static Format detect(String text) {
    DocumentSegmenter segmenter = new DocumentSegmenter(DETECTION_UNIT_CHARS);
    Structured s = segmenter.detectStructure(text, false);
    if (s == null) s = segmenter.mixed(text, false);
    return s == null ? Format.TEXT : s.structure().format();
  }

  /** The smallest block read in its own format inside prose: smaller ones stay sentences and blocks of prose. */
  static final int MIN_BLOCK_CHARS = 200;

  static final int MIN_BLOCK_LINES = 5;

  /**
   * Prose with structured blocks: each fenced block (its info string naming the format, else detected) and each
   * blank-line block that detection reads as a structured format, of at least {@link #MIN_BLOCK_CHARS} chars or
   * {@link #MIN_BLOCK_LINES} lines, is a part of its own; neighbouring log or code blocks merge into one; the text
   * between them is prose. Null when there is no such block.
   */
  Structured mixed(String text, boolean compactJson) {
    List<int[]> blocks = blocks(text);
    List<int[]> spans = new ArrayList<>();
    List<SegmentedDocument> locals = new ArrayList<>();
    for (int[] b : blocks) {
      int innerStart = b[2];
      int innerEnd = b[3];
      if (innerEnd - innerStart < MIN_BLOCK_CHARS && lines(text, innerStart, innerEnd) < MIN_BLOCK_LINES) continue;
      String inner = text.substring(innerStart, innerEnd);
      Structured s = null;
      Format named = b[4] >= 0 ? Format.values()[b[4]] : null;
      if (named != null) {
        try {
          SegmentedDocument declared = segment(0, null, inner, named, compactJson);
          s = declared.structure() == null ? null : asStructured(declared);
        } catch (FormatException e) {
          s = null;
        }
      }
      if (s == null) s = detectStructure(inner, compactJson);
      if (s == null) continue;
      int[] last = spans.isEmpty() ? null : spans.get(spans.size() - 1);
      Format format = s.structure().format();
      if (last != null && b[4] < 0 && last[4] < 0 && (format == Format.LOG || format == Format.CODE)
          && locals.get(locals.size() - 1).format() == format && text.substring(last[1], b[0]).isBlank()) {
        // one log or one file cut by blank lines: read the run as one block
        Structured merged = detectStructure(text.substring(last[2], innerEnd), compactJson);
        if (merged != null && merged.structure().format() == format) {
          spans.set(spans.size() - 1, new int[] {last[0], b[1], last[2], innerEnd, -1});
          locals.set(locals.size() - 1, new SegmentedDocument(0, null, text.substring(last[2], innerEnd),
              merged.units(), merged.structure()));
          continue;
        }
      }
      spans.add(new int[] {b[0], b[1], innerStart, innerEnd, b[4]});
      locals.add(new SegmentedDocument(0, null, inner, s.units(), s.structure()));
    }
    if (spans.isEmpty()) return null;
    // The prose around and between the structured blocks.
    List<int[]> allSpans = new ArrayList<>();
    List<SegmentedDocument> allLocals = new ArrayList<>();
    int cursor = 0;
    for (int i = 0; i <= spans.size(); i++) {
      int until = i < spans.size() ? spans.get(i)[0] : text.length();
      int[] trimmed = trim(text, cursor, until);
      if (trimmed != null) {
        String prosePart = text.substring(trimmed[0], trimmed[1]);
        allSpans.add(new int[] {trimmed[0], trimmed[1], trimmed[0], trimmed[1]});
        allLocals.add(new SegmentedDocument(0, null, prosePart, prose.segment(prosePart)));
      }
      if (i < spans.size()) {
        allSpans.add(spans.get(i));
        allLocals.add(locals.get(i));
        cursor = spans.get(i)[1];
      }
    }
    return CompositeStructure.build(text, allSpans, allLocals);
  }

  /**
   * One part of a mixed document as a kept tree stores it ({@link #keptParts}): where it lies and how to rebuild it,
   * prose from its own units, a structured block by the same reading that made it.
   *
   * @param reading {@link #PROSE}, {@link #DETECTED} (its format found as for any block), or the ordinal of the
   *     {@link Format} its fence named
   * @param units a prose part's units, offsets into its own text ({@code innerStart} to {@code innerEnd}); else null
   */
  public record KeptPart(int start, int end, int innerStart, int innerEnd, int reading, List<Unit> units) {
    public static final int PROSE = -2;
    public static final int DETECTED = -1;
  }

  /**
   * The parts of a mixed document ({@link Format#MIXED}) as a kept tree stores them, or null when the document is not
   * mixed or one of its structured blocks does not read again to the same units (then it is not kept).
   */
  public List<KeptPart> keptParts(SegmentedDocument doc) {
    if (!(doc.structure() instanceof CompositeStructure composite)) return null;
    List<KeptPart> out = new ArrayList<>();
    for (CompositeStructure.Part p : composite.parts()) {
      if (!p.structured()) {
        out.add(new KeptPart(p.start(), p.end(), p.innerStart(), p.innerEnd(), KeptPart.PROSE, p.local().units()));
        continue;
      }
      String inner = doc.text().substring(p.innerStart(), p.innerEnd());
      Structured detected = detectStructure(inner, false);
      if (detected != null && detected.units().equals(p.local().units())) {
        out.add(new KeptPart(p.start(), p.end(), p.innerStart(), p.innerEnd(), KeptPart.DETECTED, null));
        continue;
      }
      try {
        SegmentedDocument named = segment(0, null, inner, p.local().format(), false);
        if (named.structure() != null && named.units().equals(p.local().units())) {
          out.add(new KeptPart(p.start(), p.end(), p.innerStart(), p.innerEnd(), p.local().format().ordinal(), null));
          continue;
        }
      } catch (FormatException e) {
        // not readable that way alone: not kept
      }
      return null;
    }
    return out;
  }

  /**
   * A mixed document rebuilt from its kept parts ({@link #keptParts}, with JSON kept as it is): its prose is not cut
   * again, its structured blocks are read again; null when a block no longer reads.
   */
  public SegmentedDocument restoreMixed(int index, String title, String text, List<KeptPart> parts) {
    List<int[]> spans = new ArrayList<>(parts.size());
    List<SegmentedDocument> locals = new ArrayList<>(parts.size());
    for (KeptPart k : parts) {
      String inner = text.substring(k.innerStart(), k.innerEnd());
      SegmentedDocument local;
      if (k.reading() == KeptPart.PROSE) {
        local = new SegmentedDocument(0, null, inner, k.units());
      } else if (k.reading() == KeptPart.DETECTED) {
        Structured s = detectStructure(inner, false);
        if (s == null) return null;
        local = new SegmentedDocument(0, null, inner, s.units(), s.structure());
      } else {
        try {
          local = segment(0, null, inner, Format.values()[k.reading()], false);
        } catch (FormatException e) {
          return null;
        }
        if (local.structure() == null) return null;
      }
      spans.add(new int[] {k.start(), k.end(), k.innerStart(), k.innerEnd()});
      locals.add(local);
    }
    Structured s = CompositeStructure.build(text, spans, locals);
    return new SegmentedDocument(index, title, text, s.units(), s.structure());
  }

  private static Structured asStructured(SegmentedDocument doc) {
    return new Structured(doc.units(), doc.structure());
  }

  private static int lines(String text, int from, int to) {
    int n = 1;
    for (int i = from; i < to; i++) if (text.charAt(i) == '\n') n++;
    return n;
  }

  private static int[] trim(String text, int from, int to) {
    int s = from;
    int e = to;
    while (s < e && Segmenter.isWs(text.charAt(s))) s++;
    while (e > s && Segmenter.isWs(text.charAt(e - 1))) e--;
    return s < e ? new int[] {s, e} : null;
  }

  /**
   * The candidate blocks of a text: fenced blocks ({@code ```} or {@code ~~~}, closed by a fence of the same char at
   * least as long) and blank-line blocks outside them, each as {@code {start, end, innerStart, innerEnd, format}}:
   * its trimmed span, its content's span, and the ordinal of the format its info string names or -1.
   */
  static List<int[]> blocks(String text) {
    List<int[]> out = new ArrayList<>();
    int n = text.length();
    int i = 0;
    int blockStart = -1;
    int blockEnd = -1;
    while (i < n) {
      int lineEnd = text.indexOf('\n', i);
      if (lineEnd < 0) lineEnd = n;
      int[] t = trim(text, i, lineEnd);
      if (t == null) { // a blank line ends a block
        if (blockStart >= 0) out.add(new int[] {blockStart, blockEnd, blockStart, blockEnd, -1});
        blockStart = -1;
        i = lineEnd + 1;
        continue;
      }
      int fence = fenceLength(text, t[0], t[1]);
      if (fence > 0 && t[0] - i <= 3) {
        char c = text.charAt(t[0]);
        int close = -1;
        int closeEnd = -1;
        int j = lineEnd + 1;
        while (j <= n) {
          int e = text.indexOf('\n', j);
          if (e < 0) e = n;
          int[] u = trim(text, j, e);
          if (u != null && text.charAt(u[0]) == c && fenceLength(text, u[0], u[1]) >= fence
              && u[1] - u[0] == fenceLength(text, u[0], u[1])) {
            close = j;
            closeEnd = u[1];
            break;
          }
          if (e >= n) break;
          j = e + 1;
        }
        if (close >= 0) {
          if (blockStart >= 0) out.add(new int[] {blockStart, blockEnd, blockStart, blockEnd, -1});
          blockStart = -1;
          String info = text.substring(t[0] + fence, t[1]).strip();
          int innerStart = Math.min(lineEnd + 1, close);
          int innerEnd = Math.max(innerStart, close - 1); // before the newline that opens the closing fence
          if (innerEnd > innerStart && text.charAt(innerEnd - 1) == '\r') innerEnd--;
          out.add(new int[] {t[0], closeEnd, innerStart, innerEnd, fencedFormat(info)});
          int after = text.indexOf('\n', closeEnd);
          i = after < 0 ? n : after + 1;
          continue;
        }
      }
      if (blockStart < 0) blockStart = t[0];
      blockEnd = t[1];
      i = lineEnd + 1;
    }
    if (blockStart >= 0) out.add(new int[] {blockStart, blockEnd, blockStart, blockEnd, -1});
    return out;
  }

  /** The length of a fence opening the line ({@code ```} or {@code ~~~}, at least 3), or 0. */
  private static int fenceLength(String text, int from, int to) {
    char c = text.charAt(from);
    if (c != '`' && c != '~') return 0;
    int k = from;
    while (k < to && text.charAt(k) == c) k++;
    return k - from >= 3 ? k - from : 0;
  }

  /** The format a fence's info string names, as an ordinal of {@link Format}, or -1. */
  private static int fencedFormat(String info) {
    String word = info.isEmpty() ? "" : info.split("[\\s{]", 2)[0].toLowerCase(java.util.Locale.ROOT);
    Format f = switch (word) {
      case "json", "json5" -> Format.JSON;
      case "jsonl", "ndjson", "jsonlines" -> Format.JSONL;
      case "csv" -> Format.CSV;
      case "tsv" -> Format.TSV;
      case "log", "logs" -> Format.LOG;
      case "java", "python", "py", "javascript", "js", "typescript", "ts", "tsx", "jsx", "go", "golang", "kotlin",
          "kt", "c", "cpp", "c++", "csharp", "cs", "rust", "rs", "scala", "swift" -> Format.CODE;
      default -> null;
    };
    return f == null ? -1 : f.ordinal();
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
    if (CodeSegmenter.looksLikeCode(text)) {
      Structured code = tryParse(new CodeSegmenter(maxUnitChars), text, false);
      if (code != null) return code;
    }
    if (c == '|') {
      Structured table = tryParse(new TableSegmenter(Format.MARKDOWN, true), text, true);
      if (table != null) return table;
    }
    if (LogSegmenter.looksLikeLog(text)) {
      Structured log = tryParse(new LogSegmenter(), text, false);
      if (log != null) return log;
    }
    if (text.indexOf('\t') >= 0 && TableSegmenter.mayBeStrictTable(text, '\t')) {
      Structured tsv = tryParse(new TableSegmenter(Format.TSV, true), text, true);
      if (tsv != null) return tsv;
    }
    if (text.indexOf(',') >= 0 && TableSegmenter.mayBeStrictTable(text, ',')) {
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
