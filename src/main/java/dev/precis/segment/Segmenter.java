package dev.precis.segment;

import java.text.BreakIterator;
import java.text.StringCharacterIterator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cuts a document's text into {@link Unit units}: markdown headings, sentences of prose, and code blocks, tables and
 * lists kept whole where they fit {@code maxUnitChars}.
 *
 * <p>Guarantees, for any input string: units are in text order, do not overlap and have ordinals 0..n-1; each unit is a
 * verbatim, non-empty substring without leading or trailing whitespace (whitespace is {@link Character#isWhitespace}
 * or {@link Character#isSpaceChar}); every other character of the text lies in exactly one unit; and every unit is at
 * most {@code maxUnitChars} long, except that a unit may be one char longer when {@code maxUnitChars} would end it
 * between the two halves of a surrogate pair and no earlier cut point exists. Cuts never separate a surrogate pair and
 * avoid separating a base character from its combining marks, a zero-width joiner from its neighbours, emoji modifiers
 * and tag characters from their base, and the two halves of a flag; only a cluster longer than {@code maxUnitChars}
 * is cut inside (and then never inside a surrogate pair). Time is linear in the text length.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class Segmenter {

  /** The longest line taken for a plain-text heading, in chars and in words. */
  private static final int MAX_PLAIN_HEADING_CHARS = 80;

  private static final int MAX_PLAIN_HEADING_WORDS = 10;

  /** The shortest line of text that may follow a plain-text heading (and at least 1.5 times the heading's length). */
  private static final int MIN_TEXT_AFTER_PLAIN_HEADING = 40;

  /**
   * The label that opens a passage in the prompt format of the multi-document QA literature, {@code "Document
   * [1](Title: Polonium) Polonium is ..."}: a "(Title: ...)" within the first few characters of a block; group 1 is the
   * title (one level of parentheses allowed inside it).
   */
  static final Pattern INLINE_TITLE =
      Pattern.compile("[^\\n(]{0,40}\\(\\s*title\\s*:\\s*((?:[^()\\n]|\\([^()\\n]*\\)){1,200})\\)",
          Pattern.CASE_INSENSITIVE);

  /** The most words of a title line whose text goes on in lowercase (a chunk cut mid-sentence). */
  private static final int MAX_TITLE_LINE_WORDS = 6;

  /** The longest first line of a block taken as a title line on the layout's evidence alone, in chars and words. */
  private static final int MAX_LAYOUT_TITLE_CHARS = 160;

  private static final int MAX_LAYOUT_TITLE_WORDS = 24;

  /** The shortest rest of a block under a layout title line (and at least twice the title line's length). */
  private static final int MIN_TEXT_AFTER_LAYOUT_TITLE = 80;

  private static final Set<String> FUNCTION_WORDS = Set.of("a", "an", "the", "and", "or", "but", "nor", "of", "to",
      "in", "on", "at", "by", "for", "with", "from", "into", "that", "which", "who", "whom", "whose", "as", "is",
      "are", "was", "were", "be", "been", "has", "have", "had", "this", "these", "those", "its", "their", "his", "her",
      "our", "my", "your", "not", "than", "then", "if", "so", "because", "while", "when", "where");

  /** Words that end with a period without ending the sentence (the period itself is not part of the entry). */
  private static final Set<String> ABBREVIATIONS =
      Set.of(
          "Mr", "Mrs", "Ms", "Messrs", "Mme", "Dr", "Prof", "St", "Mt", "Ft", "Jr", "Sr", "Esq", "Gen", "Col",
          "Lt", "Sgt", "Capt", "Rev", "Hon", "Gov", "Sen", "Rep", "vs", "Vs", "etc", "Etc", "Inc", "Ltd", "Co",
          "Corp", "Bros", "No", "Nos", "Fig", "Figs", "Eq", "Eqs", "Sec", "Vol", "vol", "pp", "cf", "Cf", "al",
          "approx", "Approx", "ca", "viz", "incl", "Dept", "Ave", "Blvd");

  private static final char ZWJ = '\u200D';

  private final int maxUnitChars;

  /**
   * @param maxUnitChars the longest unit, in chars; longer sentences and blocks are split
   * @throws IllegalArgumentException if {@code maxUnitChars <= 0}
   */
  public Segmenter(int maxUnitChars) {
    if (maxUnitChars <= 0) {
      throw new IllegalArgumentException("illegal maxUnitChars: " + maxUnitChars + ", must be > 0");
    }
    this.maxUnitChars = maxUnitChars;
  }

  public int maxUnitChars() {
    return maxUnitChars;
  }

  /**
   * Splits one document's text into units.
   *
   * @param text the document text
   * @return its units in text order (unmodifiable); empty when the text is empty or all whitespace
   * @throws IllegalArgumentException if {@code text} is null
   */
  public List<Unit> segment(String text) {
    if (text == null) throw new IllegalArgumentException("illegal text: null, must be a string");
    return Collections.unmodifiableList(new Run(text, maxUnitChars).segment());
  }

  /** Whitespace as the unit contract defines it. */
  static boolean isWs(char c) {
    if (c < 0x80) return c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F);
    return Character.isWhitespace(c) || Character.isSpaceChar(c);
  }

  /** The state of one {@link #segment} call. */
  private static final class Run {
    private final String text;
    private final int length;
    private final int max;
    private final List<Unit> units = new ArrayList<>();

    // Lines: [lineStart, lineEnd) without the terminator; firstNonWs == lineEnd for a blank line; marker is the first
    // char that is not a space, tab or BOM (where markdown markers are looked for) and indent its column.
    private int lineCount;
    private int[] lineStart;
    private int[] lineEnd;
    private int[] firstNonWs;
    private int[] marker;
    private int[] indent;
    private boolean[] itemStart;
    private boolean[] layoutTitle;

    // The block being emitted.
    private UnitKind kind;
    private int paragraph = -1;
    private int section;
    private int groupStart = -1;
    private int groupEnd;

    // Sentence breaking, created on the first prose block.
    private String breakText;
    private BreakIterator sentences;

    Run(String text, int max) {
      this.text = text;
      this.length = text.length();
      this.max = max;
    }

    List<Unit> segment() {
      splitLines();
      findLayoutTitles();
      boolean afterBlank = true;
      int i = 0;
      while (i < lineCount) {
        if (isBlank(i)) {
          afterBlank = true;
          i++;
          continue;
        }
        int next;
        if (fenceLength(i, 3) > 0) {
          next = fenceEnd(i);
          grouped(UnitKind.CODE, i, next, false);
        } else if (isAtxHeading(i)) {
          next = i + 1;
          heading(i, next);
        } else if (afterBlank && indent[i] >= 4) {
          next = indentedCodeEnd(i);
          grouped(UnitKind.CODE, i, next, false);
        } else if (isThematicBreak(i)) {
          next = i + 1;
          prose(i, next);
        } else if (startsTable(i)) {
          next = tableEnd(i);
          grouped(UnitKind.TABLE, i, next, false);
        } else if (indent[i] <= 3 && listMarkerEnd(i) >= 0) {
          next = listEnd(i);
          grouped(UnitKind.LIST, i, next, true);
        } else if (isPlainHeading(i) || (layoutTitle != null && layoutTitle[i])) {
          next = i + 1;
          heading(i, next);
        } else {
          next = proseEnd(i);
          if (next < 0) {
            next = i + 2;
            heading(i, next);
          } else {
            prose(i, next);
          }
        }
        afterBlank = false;
        i = next;
      }
      return units;
    }

    // ---------------------------------------------------------------- lines

    private void splitLines() {
      int capacity = Math.min(length / 32 + 16, length + 1);
      lineStart = new int[capacity];
      lineEnd = new int[capacity];
      firstNonWs = new int[capacity];
      marker = new int[capacity];
      indent = new int[capacity];
      int pos = 0;
      while (pos < length) {
        int end = pos;
        while (end < length) {
          char c = text.charAt(end);
          if (c == '\n' || c == '\r') break;
          end++;
        }
        addLine(pos, end);
        if (end == length) break;
        pos = end + 1;
        if (text.charAt(end) == '\r' && pos < length && text.charAt(pos) == '\n') pos++;
      }
    }

    private void addLine(int start, int end) {
      if (lineCount == lineStart.length) {
        int capacity = lineCount * 2;
        lineStart = Arrays.copyOf(lineStart, capacity);
        lineEnd = Arrays.copyOf(lineEnd, capacity);
        firstNonWs = Arrays.copyOf(firstNonWs, capacity);
        marker = Arrays.copyOf(marker, capacity);
        indent = Arrays.copyOf(indent, capacity);
      }
      int nonWs = start;
      while (nonWs < end && isWs(text.charAt(nonWs))) nonWs++;
      int m = start;
      int column = 0;
      while (m < end) {
        char c = text.charAt(m);
        if (c == ' ') {
          column++;
        } else if (c == '\t') {
          column += 4 - column % 4;
        } else if (c != '\uFEFF') {
          break;
        }
        m++;
      }
      lineStart[lineCount] = start;
      lineEnd[lineCount] = end;
      firstNonWs[lineCount] = nonWs;
      marker[lineCount] = m;
      indent[lineCount] = column;
      lineCount++;
    }

    private boolean isBlank(int line) {
      return firstNonWs[line] == lineEnd[line];
    }

    /**
     * Title lines known by the layout: in retrieved passages pasted one after another ("Title\ntext\n\nTitle\ntext"),
     * some titles fail the plain-heading test line by line ("Reading F.C.", "The Cat's Me-Ouch!", a title of eight
     * words over a chunk that starts mid-sentence). When three or more blocks are separated by blank lines, two and at
     * least a third of them open with a recognised title line (or a "(Title: ...)" label), and four in five have the
     * shape of a titled passage (a first line of at most {@value #MAX_LAYOUT_TITLE_WORDS} words over a text at least
     * twice as long), the first line of every block of that shape is a title line too. An article's paragraphs,
     * hard-wrapped prose and markdown (a blank line after each heading) do not have that layout.
     */
    private void findLayoutTitles() {
      int blocks = 0;
      int titled = 0;
      int shaped = 0;
      boolean[] shape = null;
      int line = 0;
      while (line < lineCount) {
        if (isBlank(line)) {
          line++;
          continue;
        }
        int end = line + 1;
        while (end < lineCount && !isBlank(end)) end++;
        blocks++;
        boolean labelled = INLINE_TITLE.matcher(text).region(firstNonWs[line], lineEnd[line]).lookingAt();
        if (labelled || isPlainHeading(line)) titled++;
        if (!labelled && hasTitledPassageShape(line, end)) { // a labelled block's label is its heading already
          if (shape == null) shape = new boolean[lineCount];
          shape[line] = true;
          shaped++;
        }
        line = end;
      }
      if (blocks >= 3 && titled >= 2 && 3 * titled >= blocks && 5 * shaped >= 4 * blocks) layoutTitle = shape;
    }

    /** Whether the block of lines {@code [first, end)} is a short first line over a clearly longer text. */
    private boolean hasTitledPassageShape(int first, int end) {
      if (end - first < 2 || indent[first] > 3) return false;
      if (fenceLength(first, 3) > 0 || isAtxHeading(first) || isThematicBreak(first) || startsTable(first)
          || listMarkerEnd(first) >= 0 || isSetextUnderline(first + 1)) {
        return false;
      }
      int s = firstNonWs[first];
      int e = trimEnd(s, lineEnd[first]);
      int length = e - s;
      if (length < 2 || length > MAX_LAYOUT_TITLE_CHARS || words(s, e) > MAX_LAYOUT_TITLE_WORDS) return false;
      int rest = lineEnd[end - 1] - firstNonWs[first + 1];
      return rest >= Math.max(MIN_TEXT_AFTER_LAYOUT_TITLE, 2 * length);
    }

    private char at(int line, int offset) {
      int p = marker[line] + offset;
      return p < lineEnd[line] ? text.charAt(p) : '\n';
    }

    /** Whether the line has only whitespace from {@code from} to its end. */
    private boolean restBlank(int line, int from) {
      for (int p = from; p < lineEnd[line]; p++) {
        if (!isWs(text.charAt(p))) return false;
      }
      return true;
    }

    // ---------------------------------------------------------------- block recognition

    /** The length of the fence that opens on this line (indented at most {@code maxIndent}), or 0. */
    private int fenceLength(int line, int maxIndent) {
      if (indent[line] > maxIndent) return 0;
      char c = at(line, 0);
      if (c != '`' && c != '~') return 0;
      int n = 0;
      while (at(line, n) == c) n++;
      if (n < 3) return 0;
      if (c == '`') {
        for (int p = marker[line] + n; p < lineEnd[line]; p++) {
          if (text.charAt(p) == '`') return 0;
        }
      }
      return n;
    }

    /** The line after the fenced block opening at {@code open}: after its closing fence, or the end of the text. */
    private int fenceEnd(int open) {
      char c = at(open, 0);
      int n = fenceLength(open, Integer.MAX_VALUE);
      for (int line = open + 1; line < lineCount; line++) {
        int run = 0;
        while (at(line, run) == c) run++;
        if (run >= n && restBlank(line, marker[line] + run)) return line + 1;
      }
      return lineCount;
    }

    private boolean isAtxHeading(int line) {
      if (indent[line] > 3) return false;
      int n = 0;
      while (n < 7 && at(line, n) == '#') n++;
      if (n == 0 || n > 6) return false;
      char after = at(line, n);
      return after == ' ' || after == '\t' || after == '\n';
    }

    /**
     * A plain-text heading, as papers and documents converted from PDF or HTML have them ("Introduction", "3.1 Data
     * Collection"), or the title line of a pasted passage: a short line that starts with a capital or a digit, ends
     * without punctuation, and is followed directly by a clearly longer line of text that does not start in lowercase,
     * unless the short line opens its block (a retrieved chunk may start mid-sentence). A short line alone in its block
     * may head the next block the same way (as text converted from HTML has it). Hard-wrapped prose does not
     * qualify: its lines are of similar length, and the line before a heading inside a block must end a sentence
     * ({@link #proseEnd}).
     */
    private boolean isPlainHeading(int line) {
      if (indent[line] > 3 || line + 1 >= lineCount) return false;
      boolean blockStart = line == 0 || isBlank(line - 1);
      int following = line + 1;
      if (isBlank(following)) {
        // A line alone in its block ("Introduction", blank line, text) heads the block after it.
        if (!blockStart) return false;
        while (following < lineCount && isBlank(following)) following++;
        if (following >= lineCount) return false;
      }
      int s = firstNonWs[line];
      int e = trimEnd(s, lineEnd[line]);
      int length = e - s;
      if (length < 2 || length > MAX_PLAIN_HEADING_CHARS) return false;
      int first = text.codePointAt(s);
      if (!Character.isUpperCase(first) && !Character.isTitleCase(first) && !Character.isDigit(first)) return false;
      int last = text.codePointBefore(e);
      if (!Character.isLetterOrDigit(last) && last != ')') return false;
      int words = words(s, e);
      if (words > MAX_PLAIN_HEADING_WORDS) return false;
      int nextStart = firstNonWs[following];
      // A sentence going on, unless a title line opens the block: a retrieved chunk may start mid-sentence
      // ("Anterior cranial fossa\nof the skull ..."). Such a title is short and does not end on a word that needs more.
      if (Character.isLowerCase(text.codePointAt(nextStart))) {
        if (!blockStart || following != line + 1 || words > MAX_TITLE_LINE_WORDS || endsOnFunctionWord(s, e)) {
          return false;
        }
      }
      int nextLength = trimEnd(nextStart, lineEnd[following]) - nextStart;
      return 2 * nextLength >= Math.max(2 * MIN_TEXT_AFTER_PLAIN_HEADING, 3 * length);
    }

    /** The words of {@code text[s, e)}, which starts and ends on a non-blank. */
    private int words(int s, int e) {
      int words = 1;
      for (int p = s; p < e; p++) {
        if (isWs(text.charAt(p))) {
          words++;
          while (p + 1 < e && isWs(text.charAt(p + 1))) p++;
        }
      }
      return words;
    }

    /** Whether the last word of {@code text[s, e)} is one that a sentence cannot end on ("that", "the", "of"). */
    private boolean endsOnFunctionWord(int s, int e) {
      int w = e;
      while (w > s && !isWs(text.charAt(w - 1))) w--;
      return FUNCTION_WORDS.contains(text.substring(w, e).toLowerCase(Locale.ROOT));
    }

    /** Whether the line's last non-blank character ends a sentence ({@code .!?}, maybe before a quote or bracket). */
    private boolean endsSentence(int line) {
      int e = trimEnd(firstNonWs[line], lineEnd[line]);
      while (e > firstNonWs[line] && "\"')]”’".indexOf(text.charAt(e - 1)) >= 0) e--;
      return e > firstNonWs[line] && ".!?".indexOf(text.charAt(e - 1)) >= 0;
    }

    private boolean isThematicBreak(int line) {
      if (indent[line] > 3) return false;
      char c = at(line, 0);
      if (c != '-' && c != '*' && c != '_') return false;
      int count = 0;
      for (int p = marker[line]; p < lineEnd[line]; p++) {
        char d = text.charAt(p);
        if (d == c) {
          count++;
        } else if (!isWs(d)) {
          return false;
        }
      }
      return count >= 3;
    }

    private boolean isSetextUnderline(int line) {
      if (indent[line] > 3) return false;
      char c = at(line, 0);
      if (c != '=' && c != '-') return false;
      int n = 0;
      while (at(line, n) == c) n++;
      return n >= 2 && restBlank(line, marker[line] + n);
    }

    private boolean startsWithPipe(int line) {
      return indent[line] <= 3 && at(line, 0) == '|';
    }

    private boolean containsPipe(int line) {
      for (int p = firstNonWs[line]; p < lineEnd[line]; p++) {
        if (text.charAt(p) == '|') return true;
      }
      return false;
    }

    /** A table's header separator row such as {@code |---|:--:|} or {@code --- | ---}. */
    private boolean isDelimiterRow(int line) {
      if (line >= lineCount || indent[line] > 3) return false;
      boolean dash = false;
      boolean pipe = false;
      for (int p = marker[line]; p < lineEnd[line]; p++) {
        char c = text.charAt(p);
        if (c == '-') {
          dash = true;
        } else if (c == '|') {
          pipe = true;
        } else if (c != ':' && !isWs(c)) {
          return false;
        }
      }
      return dash && pipe;
    }

    private boolean startsTable(int line) {
      return startsWithPipe(line) || (indent[line] <= 3 && isDelimiterRow(line + 1) && containsPipe(line));
    }

    /**
     * The offset after a list marker ({@code -}, {@code *}, {@code +}, or up to 9 digits then {@code .} or {@code )})
     * followed by a space, a tab or the end of the line; -1 if the line is not a list item. Indentation is not checked.
     */
    private int listMarkerEnd(int line) {
      char c = at(line, 0);
      int n;
      if (c == '-' || c == '*' || c == '+') {
        n = 1;
      } else if (c >= '0' && c <= '9') {
        n = 1;
        while (n < 10 && at(line, n) >= '0' && at(line, n) <= '9') n++;
        if (n > 9 || (at(line, n) != '.' && at(line, n) != ')')) return -1;
        n++;
      } else {
        return -1;
      }
      char after = at(line, n);
      if (after != ' ' && after != '\t' && after != '\n') return -1;
      return marker[line] + n;
    }

    /** A list item that may start without a blank line after prose: a bullet or "1." / "1)" with some content. */
    private boolean listItemInterrupts(int line) {
      if (indent[line] > 3 || isThematicBreak(line)) return false;
      int end = listMarkerEnd(line);
      if (end < 0 || restBlank(line, end)) return false;
      char c = at(line, 0);
      return c == '-' || c == '*' || c == '+' || (c == '1' && end - marker[line] == 2);
    }

    private int indentedCodeEnd(int first) {
      int last = first;
      for (int line = first + 1; line < lineCount; line++) {
        if (isBlank(line)) continue;
        if (indent[line] < 4) break;
        last = line;
      }
      return last + 1;
    }

    private int tableEnd(int first) {
      int line = first + 1;
      while (line < lineCount
          && !isBlank(line)
          && containsPipe(line)
          && !isAtxHeading(line)
          && fenceLength(line, 3) == 0) {
        line++;
      }
      return line;
    }

    /**
     * The line after a list starting at {@code first}: items, their continuation lines, nested fences and items, and
     * blank lines followed by another item or an indented line. Marks the lines that start an item.
     */
    private int listEnd(int first) {
      if (itemStart == null) itemStart = new boolean[lineCount];
      itemStart[first] = true;
      int line = first + 1;
      while (line < lineCount) {
        if (isBlank(line)) {
          int next = line + 1;
          while (next < lineCount && isBlank(next)) next++;
          if (next == lineCount) return line;
          boolean nested = indent[next] >= 2 || listMarkerEnd(next) >= 0;
          if (!nested || (indent[next] < 2 && isThematicBreak(next))) return line;
          line = next;
        }
        if (indent[line] < 2
            && (fenceLength(line, 3) > 0 || isAtxHeading(line) || startsWithPipe(line) || isThematicBreak(line))) {
          return line;
        }
        if (fenceLength(line, Integer.MAX_VALUE) > 0) {
          line = fenceEnd(line);
          continue;
        }
        if (listMarkerEnd(line) >= 0) itemStart[line] = true;
        line++;
      }
      return line;
    }

    /**
     * The line after a prose paragraph starting at {@code first}, which ends at a blank line or at a line that starts
     * another block; -1 if the first line is a setext heading's text (its underline is the next line).
     */
    private int proseEnd(int first) {
      int line = first + 1;
      if (line < lineCount && isSetextUnderline(line)) return -1;
      while (line < lineCount && !isBlank(line)) {
        if (fenceLength(line, 3) > 0
            || isAtxHeading(line)
            || isThematicBreak(line)
            || startsWithPipe(line)
            || (isDelimiterRow(line + 1) && containsPipe(line))
            || listItemInterrupts(line)
            || (endsSentence(line - 1) && isPlainHeading(line))) {
          break;
        }
        line++;
      }
      return line;
    }

    // ---------------------------------------------------------------- emission

    private void begin(UnitKind blockKind) {
      kind = blockKind;
      paragraph++;
      if (blockKind == UnitKind.HEADING) section++;
    }

    private void heading(int first, int end) {
      begin(UnitKind.HEADING);
      int s = firstNonWs[first];
      piece(s, trimEnd(s, lineEnd[end - 1]));
    }

    /** A code block, table or list: whole if it fits, else greedy groups of lines (or list items). */
    private void grouped(UnitKind blockKind, int first, int end, boolean byItems) {
      begin(blockKind);
      int s = firstNonWs[first];
      int e = trimEnd(s, lineEnd[end - 1]);
      if (e - s <= max) {
        emit(s, e);
        return;
      }
      int line = first;
      while (line < end) {
        int next = line + 1;
        if (byItems) {
          while (next < end && !itemStart[next]) next++;
        }
        if (!isBlank(line)) {
          int is = firstNonWs[line];
          int ie = trimEnd(is, lineEnd[next - 1]);
          if (ie - is <= max) {
            atom(is, ie, true);
          } else {
            for (int l = line; l < next; l++) {
              if (isBlank(l)) continue;
              int ls = firstNonWs[l];
              int le = trimEnd(ls, lineEnd[l]);
              if (le - ls <= max) {
                atom(ls, le, true);
              } else {
                splitLong(ls, le);
              }
            }
          }
        }
        line = next;
      }
      flushGroup();
    }

    /** Adds a piece of a grouped block; mergeable pieces join the open group while it stays within the limit. */
    private void atom(int s, int e, boolean mergeable) {
      if (mergeable && groupStart >= 0 && e - groupStart <= max) {
        groupEnd = e;
        return;
      }
      flushGroup();
      if (mergeable) {
        groupStart = s;
        groupEnd = e;
      } else {
        emit(s, e);
      }
    }

    private void flushGroup() {
      if (groupStart >= 0) {
        emit(groupStart, groupEnd);
        groupStart = -1;
      }
    }

    private void emit(int s, int e) {
      units.add(new Unit(units.size(), kind, s, e, paragraph, section));
    }

    /** Emits a trimmed span, split if it is over the limit. */
    private void piece(int s, int e) {
      if (e - s <= max) {
        emit(s, e);
      } else {
        splitLong(s, e);
      }
    }

    private int trimEnd(int s, int e) {
      while (e > s && isWs(text.charAt(e - 1))) e--;
      return e;
    }

    // ---------------------------------------------------------------- sentences

    private void prose(int first, int end) {
      int bs = firstNonWs[first];
      int be = trimEnd(bs, lineEnd[end - 1]);
      if (first == 0 || isBlank(first - 1)) {
        Matcher title = INLINE_TITLE.matcher(text).region(bs, lineEnd[first]);
        if (title.lookingAt()) { // "Document [1](Title: Polonium) Polonium is ...": the label heads the passage
          begin(UnitKind.HEADING);
          piece(bs, title.end());
          bs = title.end();
          while (bs < be && isWs(text.charAt(bs))) bs++;
          if (bs >= be) return;
        }
      }
      begin(UnitKind.SENTENCE);
      // A terminator at the end of a line ends a sentence also before a lowercase word, which BreakIterator never
      // breaks before: line-by-line output (test runs, build steps: "step 3 passed.\nstep 4 ...") starts its lines in
      // lowercase, while wrapped prose rarely ends a line just there (abbreviations are checked).
      int from = bs;
      for (int line = first; line < end - 1; line++) {
        int e = trimEnd(from, lineEnd[line]);
        if (e <= from || lineEnd[line] >= be) continue;
        char last = text.charAt(e - 1);
        int q = lineEnd[line];
        while (q < be && isWs(text.charAt(q))) q++;
        if (q >= be || !Character.isLowerCase(text.codePointAt(q))) continue;
        if ((last == '.' || last == '!' || last == '?' || last == ';') && !endsWithAbbreviation(from, e - 1)) {
          sentences(from, e);
          from = q;
        }
      }
      sentences(from, be);
    }

    private boolean endsWithAbbreviation(int s, int p) {
      if (text.charAt(p) != '.') return false;
      int t = p;
      while (t > s && p - t < 32) {
        char c = text.charAt(t - 1);
        if (c != '.' && !Character.isLetter(c)) break;
        t--;
      }
      return isAbbreviation(text, t, p);
    }

    /** The sentences of [bs, be) by BreakIterator and the rules of {@link #isSentenceBreak}. */
    private void sentences(int bs, int be) {
      BreakIterator it = sentenceIterator();
      it.setText(new StringCharacterIterator(breakText, bs, be, bs));
      int s = bs;
      for (int b = it.next(); b != BreakIterator.DONE && b < be; b = it.next()) {
        if (b <= s || !isSentenceBreak(s, b, be)) continue;
        int cut = b;
        if (!isWs(text.charAt(b - 1))) {
          while (cut < be && isClosing(text.charAt(cut))) cut++;
        }
        sentence(s, cut);
        s = cut;
      }
      sentence(s, be);
    }

    private BreakIterator sentenceIterator() {
      if (sentences == null) {
        // Same length as the text, so offsets agree: line breaks become spaces (a single newline inside a paragraph
        // is not a sentence break) and lone surrogates become U+FFFD.
        char[] chars = text.toCharArray();
        for (int i = 0; i < chars.length; i++) {
          char c = chars[i];
          if (c == '\n' || c == '\r' || c == '\u000B' || c == '\u000C' || c == '\u0085' || c == '\u2028'
              || c == '\u2029') {
            chars[i] = ' ';
          } else if (Character.isHighSurrogate(c)) {
            if (i + 1 < chars.length && Character.isLowSurrogate(chars[i + 1])) {
              i++;
            } else {
              chars[i] = '\uFFFD';
            }
          } else if (Character.isLowSurrogate(c)) {
            chars[i] = '\uFFFD';
          }
        }
        breakText = new String(chars);
        sentences = BreakIterator.getSentenceInstance(Locale.ROOT);
      }
      return sentences;
    }

    /** Emits the sentence [s, e), also broken after terminators BreakIterator misses (such as the Arabic "؟"). */
    private void sentence(int s, int e) {
      while (s < e && isWs(text.charAt(s))) s++;
      e = trimEnd(s, e);
      for (int k = s; k < e; k++) {
        if (!isExtraTerminator(text.charAt(k))) continue;
        int cut = k + 1;
        while (cut < e && isClosing(text.charAt(cut))) cut++;
        if (cut < e && isWs(text.charAt(cut))) {
          piece(s, cut);
          s = cut;
          while (isWs(text.charAt(s))) s++;
          k = s - 1;
        }
      }
      if (s < e) piece(s, e);
    }

    /**
     * Whether BreakIterator's break at {@code b} (the sentence so far starts at {@code s}) is a real one. Rejects
     * breaks after abbreviations and initials, inside ellipses and dotted tokens, and before a lowercase word.
     */
    private boolean isSentenceBreak(int s, int b, int end) {
      int p = b - 1;
      while (p >= s && isWs(text.charAt(p))) p--;
      int q = b;
      while (q < end && isWs(text.charAt(q))) q++;
      if (p < s || q >= end) return true;
      char last = text.charAt(p);
      char next = text.charAt(q);
      boolean glued = p == b - 1;
      if (glued && last == '.') return false;
      if (next == '.' || next == '\u2026') return false;
      if (Character.isLowerCase(text.codePointAt(q))
          && (last == '.' || last == '?' || last == '!' || last == '\u2026' || isClosing(last))) {
        return false;
      }
      if (last != '.') return true;
      int t = p;
      while (t > s && p - t < 32) {
        char c = text.charAt(t - 1);
        if (c != '.' && !Character.isLetter(c)) break;
        t--;
      }
      return !isAbbreviation(text, t, p);
    }

    // ---------------------------------------------------------------- over-long pieces

    /**
     * Splits the trimmed span [s, e), longer than the limit: at the last clause boundary within the limit, else at the
     * last whitespace, else at the last cut point that keeps clusters together, else at the limit.
     */
    private void splitLong(int s, int e) {
      flushGroup();
      while (e - s > max) {
        int limit = s + max;
        int cut = -1;
        int space = -1;
        for (int i = limit; i > s; i--) {
          char c = text.charAt(i);
          char before = text.charAt(i - 1);
          if (isWs(c)) {
            if (space < 0) space = i;
            if (isClausePunctuation(before)
                || ((before == '\u2013' || before == '\u2014') && i - 2 >= s && isWs(text.charAt(i - 2)))) {
              cut = i;
              break;
            }
          } else if (isWideClausePunctuation(before) && isCutPoint(s, i)) {
            cut = i;
            break;
          }
        }
        if (cut < 0) cut = space;
        if (cut < 0) cut = hardCut(s, limit);
        emit(s, trimEnd(s, cut));
        s = cut;
        while (s < e && isWs(text.charAt(s))) s++;
      }
      if (s < e) emit(s, e);
    }

    private int hardCut(int s, int limit) {
      for (int p = limit; p > s; p--) {
        if (isCutPoint(s, p)) return p;
      }
      // A cluster longer than the limit: cut it, but never between the halves of a surrogate pair.
      if (Character.isHighSurrogate(text.charAt(limit - 1)) && Character.isLowSurrogate(text.charAt(limit))) {
        return limit + 1;
      }
      return limit;
    }

    /**
     * Whether a piece starting at {@code s} may end before {@code p} without tearing a grapheme cluster apart
     * ({@code s < p < length}).
     */
    private boolean isCutPoint(int s, int p) {
      char a = text.charAt(p - 1);
      char b = text.charAt(p);
      if (Character.isHighSurrogate(a) && Character.isLowSurrogate(b)) return false;
      if (a == ZWJ || b == ZWJ) return false;
      int cp = text.codePointAt(p);
      int type = Character.getType(cp);
      if (type == Character.NON_SPACING_MARK
          || type == Character.ENCLOSING_MARK
          || type == Character.COMBINING_SPACING_MARK) {
        return false;
      }
      if (cp >= 0x1F3FB && cp <= 0x1F3FF) return false; // emoji skin tone modifier
      if (cp >= 0xE0020 && cp <= 0xE007F) return false; // emoji tag sequence
      if (isRegionalIndicator(cp)) {
        // Regional indicators pair into flags: a cut point only after an even number of them since the piece start.
        int count = 0;
        int r = p;
        while (r - 2 >= s && isRegionalIndicator(text.codePointBefore(r))) {
          count++;
          r -= 2;
        }
        return count % 2 == 0;
      }
      return true;
    }
  }

  // ---------------------------------------------------------------- character classes

  private static boolean isRegionalIndicator(int cp) {
    return cp >= 0x1F1E6 && cp <= 0x1F1FF;
  }

  private static boolean isClausePunctuation(char c) {
    return c == ';' || c == ':' || c == ',' || c == '\u060C' || c == '\u061B';
  }

  /** Full-width clause punctuation, a boundary even without a following space. */
  private static boolean isWideClausePunctuation(char c) {
    return c == '\uFF0C' || c == '\u3001' || c == '\uFF1B' || c == '\uFF1A';
  }

  /** Sentence terminators that BreakIterator.getSentenceInstance does not know. */
  private static boolean isExtraTerminator(char c) {
    return switch (c) {
      case '\u061F', '\u06D4', '\u0589', '\u1362', '\u1367', '\u1368', '\u104B', '\u203C', '\u2047', '\u2048',
          '\u2049' ->
          true;
      default -> false;
    };
  }

  private static boolean isClosing(char c) {
    return switch (c) {
      case ')', ']', '}', '"', '\'', '\u2019', '\u201D', '\u00BB', '\u203A', '\u300D', '\u300F', '\uFF09', '\u3011',
          '\u3009', '\u300B', '\u3015', '\uFF3D', '\uFF5D' ->
          true;
      default -> false;
    };
  }

  /**
   * Whether {@code text[from, dot)} (the word before a period) is an abbreviation: a known one, a single capital
   * initial ("J.", but not the pronoun "I"), or letters separated by periods ("e.g", "U.S", "a.m").
   */
  private static boolean isAbbreviation(String text, int from, int dot) {
    int n = dot - from;
    if (n <= 0) return false;
    if (n == 1) return Character.isUpperCase(text.charAt(from)) && text.charAt(from) != 'I';
    if (n % 2 == 1) {
      boolean dotted = true;
      for (int i = 0; i < n && dotted; i++) {
        char c = text.charAt(from + i);
        dotted = i % 2 == 0 ? Character.isLetter(c) : c == '.';
      }
      if (dotted) return true;
    }
    return n <= 6 && ABBREVIATIONS.contains(text.substring(from, dot));
  }
}
