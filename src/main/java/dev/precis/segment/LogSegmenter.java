package dev.precis.segment;

import dev.precis.segment.LogStructure.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cuts a log (a build log, a test report, an application log) into lines, folded runs and exception blocks. Any text
 * is a log when declared one; {@link #looksLikeLog} tells whether an undeclared text reads as one.
 *
 * <ul>
 *   <li>A <b>run</b> of consecutive lines of the same {@link #shape} (the line with its numbers, ids, hashes, paths,
 *       timestamps and quoted strings normalised) and level: its first line is a unit, the rest are units of up to
 *       {@value #CHUNK_LINES} lines anchored to it, so that {@code GET /orders/17 200} followed by 412 more requests
 *       reads as its first line and {@code … 412 similar lines}, yet the one request a question names can still be
 *       kept.
 *   <li>An <b>exception block</b>: the exception line (with the message lines under it) and its first {@value
 *       #HEAD_FRAMES} frames are one unit; the other frames are units anchored to it ({@code … 38 more frames} when
 *       left out); a {@code Caused by:} line opens a unit of its own, anchored to the first one.
 *   <li>Any other line is a unit of its own. Blank lines are left out; lines are never cut.
 * </ul>
 *
 * <p>Example: {@code "[INFO] Compiling 1\n[INFO] Compiling 2\n[INFO] Compiling 3"} is one run: the unit {@code
 * "[INFO] Compiling 1"} and, anchored to it, {@code "[INFO] Compiling 2\n[INFO] Compiling 3"}.
 */
public final class LogSegmenter implements StructuredSegmenter {
  /** Most lines in a unit of folded lines or frames. */
  static final int CHUNK_LINES = 8;
  /** Frames kept with their exception line in one unit. */
  static final int HEAD_FRAMES = 3;
  /** Most message lines between an exception line and its first frame. */
  private static final int MAX_MESSAGE_LINES = 8;
  /** Chars of a line that its shape, level and kind are read from (a 2 MB line is judged by its head). */
  static final int MAX_READ_CHARS = 500;
  private static final int DEFAULT_MAX_UNIT_CHARS = 2_000;
  /** Lines {@link #looksLikeLog} reads at most. */
  private static final int DETECTION_LINES = 100;
  private static final int MIN_DETECTION_LINES = 5;
  private static final double MIN_LOG_LINE_SHARE = 0.6;

  private static final Pattern FRAME = Pattern.compile(
      "\\s+at (?:async )?[\\w$.<>\\[\\]/@:-]+(?: ?\\(|:\\d+)|\\s*\\.\\.\\. \\d+ (?:more|common frames omitted)"
          + "|\\s+File \"[^\"]+\", line \\d+");
  /** A line that starts a log record: a timestamp, a level tag, a syslog or tool prefix. */
  private static final Pattern LOG_LINE = Pattern.compile(
      "\\s*(?:"
          // timestamps: ISO and friends, time of day, syslog, Apache, epoch seconds, glog/klog
          + "[\\[(]?\\d{4}[-/.]\\d{2}[-/.]\\d{2}[T ]\\d{1,2}:\\d{2}|[\\[(]?\\d{2}:\\d{2}:\\d{2}"
          + "|[\\[(]?\\d{1,2}[-/ ][A-Z][a-z]{2}[-/ ]\\d{4}[: ]\\d{2}:\\d{2}|\\[?[A-Z][a-z]{2} [ \\d]\\d \\d{2}:\\d{2}:\\d{2}"
          + "|\\[?[A-Z][a-z]{2} [A-Z][a-z]{2} [ \\d]\\d \\d{2}:\\d{2}|\\d{10}(?:\\.\\d+)?\\s|[IWEF]\\d{4} \\d{2}:\\d{2}"
          + "|<\\d{1,3}>\\d? ?\\w"
          // level tags
          + "|\\[\\s*(?:TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERR|FATAL|SEVERE|CRITICAL)\\s*\\]"
          + "|(?:TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|FATAL|SEVERE|CRITICAL|PANIC)(?::|\\s|$)"
          + "|[VDIWEF]/[\\w.$-]+(?:\\(\\s*\\d+\\))?:|level=\\w+"
          // build and test tools
          + "|npm (?:ERR!|WARN|notice|info|verb|http)|> Task :|> Configure project|BUILD (?:SUCCESS|FAILED|FAILURE)"
          + "|FAILURE: |\\* (?:What went wrong|Try|Get more help|Exception is):|\\d+ tests? completed"
          + "|(?:---|===) (?:RUN|FAIL|PASS|SKIP|CONT|PAUSE)|(?:ok|FAIL)\\s+\\S+\\s+[\\d.]+s|(?:PASS|FAIL)$"
          + "|\\w+_test\\.go:\\d+:|(?:PASSED|FAILED|ERROR) |E {3}|>   |={3,} |_{3,} |\\S+\\.py::"
          + "|collected \\d+ items?|platform \\w+ -- Python|rootdir: "
          + "|[\\w./\\\\-]+\\.\\w+:\\d+:(?:\\d+:)? |[\\w./\\\\-]+\\.\\w+\\(\\d+,\\d+\\)"
          + "|Caused by: |Traceback \\(most recent call last\\)|goroutine \\d+ \\[|panic: |Exception in thread "
          + ")");
  private static final Pattern EXCEPTION = Pattern.compile(
      "(?:^|[\\s:])(?:[a-z_$][\\w$]*\\.)+[A-Z][\\w$]*(?:Exception|Error|Throwable|Failure)\\b"
          + "|^\\s*(?:Caused by|Suppressed): |^Exception in thread |^Traceback \\(most recent call last\\)"
          + "|^[A-Z]\\w*(?:Error|Exception)(?::|$)|^panic: ");
  private static final Pattern CAUSE = Pattern.compile("\\s*(?:Caused by|Suppressed): ");
  private static final Pattern FAILURE = Pattern.compile(
      "Tests run: \\d+, Failures: (?:[1-9]|\\d{2,})|Errors: (?:[1-9]|\\d{2,})|<<< (?:FAILURE|ERROR)!"
          + "|BUILD FAIL|Build failed|FAILURE: |\\bFAILED\\b|npm ERR!|^E {2,}|--- FAIL|^FAIL\\b"
          + "|\\bexpected:? ?<.*> but was:? ?<|AssertionError|AssertionFailedError|ComparisonFailure"
          + "|Failed to execute goal|: error(?: [A-Z]+\\d+)?:|^_{3,} \\S.* _{3,}$|There were failing tests"
          + "|Execution failed for task|Tests failed|\\b\\d+ failed(?:,| in \\d)|^[✕✗] ");
  private static final Pattern ERROR = Pattern.compile(
      "\\b(?:FATAL|ERROR|SEVERE|CRITICAL|CRIT|PANIC|EMERG|ALERT)\\b|level=\"?(?:error|fatal|crit\\w*|panic)"
          + "|^\\s*(?:\\S+\\s+){0,3}[EF]/[\\w.$-]+|^[EF]\\d{4} ");
  private static final Pattern WARN = Pattern.compile(
      "\\b(?:WARN|WARNING)\\b|level=\"?warn|^\\s*(?:\\S+\\s+){0,3}W/[\\w.$-]+|^W\\d{4} ");
  private final int maxUnitChars;

  public LogSegmenter() {
    this(DEFAULT_MAX_UNIT_CHARS);
  }

  /**
   * @param maxUnitChars the most chars of a unit of several lines (frames or folded lines); a line alone, and an
   *     exception line with its message, may be longer, since lines are never cut
   */
  public LogSegmenter(int maxUnitChars) {
    if (maxUnitChars <= 0) {
      throw new IllegalArgumentException("illegal maxUnitChars: " + maxUnitChars + ", must be > 0");
    }
    this.maxUnitChars = maxUnitChars;
  }

  /**
   * @throws FormatException when the text has no line that is not blank
   */
  @Override
  public Structured segment(String text) {
    List<Line> lines = lines(text);
    if (lines.isEmpty()) throw new FormatException(Format.LOG, 1, 1, "no lines, the text is empty");
    LogStructure.Builder units = new LogStructure.Builder(text, maxUnitChars);
    int n = lines.size();
    int i = 0;
    while (i < n) {
      Line line = lines.get(i);
      int firstFrame = firstFrameOf(lines, i);
      if (firstFrame >= 0) {
        i = exceptionBlock(lines, i, firstFrame, units);
        continue;
      }
      if (line.frame) { // frames without an exception line above them
        i = frames(lines, i, -1, units);
        continue;
      }
      int details = failureDetailsEnd(lines, i);
      if (details > i + 1) {
        units.add(lines, i, details, Role.LINE, line.level.prior(), -1);
        i = details;
        continue;
      }
      int end = i + 1;
      while (end < n && lines.get(end).block == line.block && !lines.get(end).frame
          && lines.get(end).level == line.level && firstFrameOf(lines, end) < 0
          && lines.get(end).shape().equals(line.shape())) {
        end++;
      }
      int head = units.add(lines, i, i + 1, Role.LINE, line.level.prior(), -1);
      if (end - i >= 3) {
        units.markRun(head, end - i);
        for (int from = i + 1; from < end; ) {
          int to = chunkEnd(lines, from, end);
          units.add(lines, from, to, Role.FOLDED, line.level.prior() / 2, head);
          from = to;
        }
        i = end;
      } else {
        i++;
      }
    }
    return units.build();
  }

  /** The most lines of a failure's details kept in one unit with it. */
  static final int MAX_FAILURE_DETAIL_LINES = 8;

  /**
   * A failing test's line and the lines under it that say why: test runners write the message indented under the
   * failure ({@code --- FAIL: TestX} then {@code     x_test.go:35: dial tcp: connection refused}; jest's {@code ✕}
   * then {@code Expected: …}, {@code Received: …}). They are one unit, so the failure is ranked with its reason.
   *
   * @return the line after the failure's details, or {@code i + 1} when line {@code i} is not a failure with details
   */
  private int failureDetailsEnd(List<Line> lines, int i) {
    Line failure = lines.get(i);
    if (failure.level != Level.FAILURE || failure.frame) return i + 1;
    int indent = failure.indent();
    int chars = failure.end - failure.start;
    int end = i + 1;
    while (end < lines.size() && end - i <= MAX_FAILURE_DETAIL_LINES) {
      Line next = lines.get(end);
      chars += next.end - next.start;
      if (next.block != failure.block || next.frame || next.indent() <= indent || firstFrameOf(lines, end) >= 0
          || chars > maxUnitChars) {
        break;
      }
      end++;
    }
    return end;
  }

  /**
   * An exception block from line {@code start}: its head (the exception line, its message lines and its first frames),
   * then its frames and causes until a line that is neither.
   *
   * @return the line after the block
   */
  private int exceptionBlock(List<Line> lines, int start, int firstFrame, LogStructure.Builder units) {
    int previous = units.size() - 1;
    int anchor = previous >= 0 && units.anchorable(previous, lines.get(start).block) ? previous : -1;
    int headEnd = headEnd(lines, firstFrame);
    int top = units.add(lines, start, headEnd, Role.EXCEPTION, Level.FAILURE.prior(), anchor);
    int i = frames(lines, headEnd, top, units);
    while (i < lines.size() && lines.get(i).block == lines.get(start).block) {
      Line line = lines.get(i);
      if (!line.cause) break;
      int causeFrame = firstFrameOf(lines, i);
      int causeEnd = causeFrame >= 0 ? headEnd(lines, causeFrame) : i + 1;
      int cause = units.add(lines, i, causeEnd, Role.CAUSE, 0.9, top);
      i = frames(lines, causeEnd, cause, units);
    }
    return i;
  }

  /** After the first frame: up to {@link #HEAD_FRAMES} frames, while the head stays within the unit size. */
  private int headEnd(List<Line> lines, int firstFrame) {
    int end = firstFrame;
    int chars = 0;
    while (end < lines.size() && end - firstFrame < HEAD_FRAMES && lines.get(end).frame
        && lines.get(end).block == lines.get(firstFrame).block) {
      chars += lines.get(end).length() + 1;
      if (chars > maxUnitChars && end > firstFrame) break;
      end++;
    }
    return end;
  }

  /** Consecutive frames from line {@code from}, in units anchored to {@code anchor}. */
  private int frames(List<Line> lines, int from, int anchor, LogStructure.Builder units) {
    int end = from;
    while (end < lines.size() && lines.get(end).frame && lines.get(end).block == lines.get(from).block) end++;
    for (int i = from; i < end; ) {
      int to = chunkEnd(lines, i, end);
      units.add(lines, i, to, Role.FRAMES, anchor < 0 ? Level.FAILURE.prior() / 2 : 0.05, anchor);
      i = to;
    }
    return end;
  }

  /** The end of a unit of lines from {@code from}: at most {@link #CHUNK_LINES} lines within the unit size. */
  private int chunkEnd(List<Line> lines, int from, int limit) {
    int to = from + 1;
    int chars = lines.get(from).length();
    while (to < limit && to - from < CHUNK_LINES && chars + 1 + lines.get(to).length() <= maxUnitChars) {
      chars += 1 + lines.get(to).length();
      to++;
    }
    return to;
  }

  /**
   * The first frame of the exception block that line {@code i} opens, or -1: line {@code i} is followed by a frame,
   * directly, or after message lines when it reads as an exception.
   */
  private static int firstFrameOf(List<Line> lines, int i) {
    Line line = lines.get(i);
    if (line.frame) return -1;
    int frame = -1;
    for (int j = i + 1; j < lines.size() && j <= i + MAX_MESSAGE_LINES; j++) {
      Line next = lines.get(j);
      if (next.block != line.block || next.cause) return -1;
      if (next.frame) {
        frame = j;
        break;
      }
      if (!line.exception) return -1;
    }
    if (frame < 0) return -1;
    for (int j = i + 1; j < frame; j++) if (lines.get(j).logLine()) return -1; // a new record, not a message line
    return frame;
  }

  /** How much a line says about what went wrong. */
  enum Level {
    PLAIN(0.1), WARN(0.5), ERROR(0.8), FAILURE(1.0);

    private final double prior;

    Level(double prior) {
      this.prior = prior;
    }

    double prior() {
      return prior;
    }
  }

  /** A non-blank line: its trimmed span, blank-line block, 1-based line number, and what it reads as. */
  static final class Line {
    final String text;
    final int start;
    final int end;
    final int block;
    final int number;
    final boolean frame;
    final boolean cause;
    final boolean exception;
    final Level level;
    private final String head;
    private final int indent;
    private Boolean logLine;
    private String shape;

    /** The whitespace before the line's text. */
    int indent() {
      return indent;
    }

    Line(String text, int start, int end, int block, int number, boolean afterPythonFrame) {
      this.text = text;
      this.start = start;
      this.end = end;
      this.block = block;
      this.number = number;
      int lineStart = text.lastIndexOf('\n', start - 1) + 1;
      this.indent = start - lineStart;
      String head = text.substring(lineStart, Math.min(end, start + MAX_READ_CHARS));
      boolean pythonSource = afterPythonFrame && start - lineStart >= 4 && !head.strip().startsWith("File ");
      this.frame = pythonSource || FRAME.matcher(head).lookingAt();
      this.cause = !frame && CAUSE.matcher(head).lookingAt();
      this.head = head;
      String content = head.strip();
      this.exception = !frame && containsAny(content, EXCEPTION_WORDS) && EXCEPTION.matcher(content).find();
      this.level = frame ? Level.PLAIN : levelOf(content, exception);
    }

    /** Whether the line opens a log record (read lazily: only lines above a frame ask). */
    boolean logLine() {
      if (logLine == null) logLine = LOG_LINE.matcher(head).lookingAt();
      return logLine;
    }

    boolean pythonFrame() {
      return frame && text.startsWith("File ", start);
    }

    int length() {
      return end - start;
    }

    /** The line's {@link #shape}, computed once. */
    String shape() {
      if (shape == null) shape = LogSegmenter.shape(text, start, Math.min(end, start + MAX_READ_CHARS));
      return shape;
    }
  }

  /**
   * What similar lines have in common: the line with each quoted string, each path or URL (a token with two or more
   * slashes), and each run of word chars that holds a digit (a number, a timestamp, an id, a hash) or two dots (a
   * qualified name) read as {@code #}, and blanks as one space. One pass, so a long line costs its length.
   */
  static String shape(String text, int from, int to) {
    StringBuilder out = new StringBuilder(to - from);
    int i = from;
    while (i < to) {
      char c = text.charAt(i);
      if (Character.isWhitespace(c)) {
        while (i < to && Character.isWhitespace(text.charAt(i))) i++;
        out.append(' ');
        continue;
      }
      if (c == '"' || c == '\'') {
        int close = text.indexOf(c, i + 1);
        if (close > 0 && close < to) {
          out.append('#');
          i = close + 1;
          continue;
        }
      }
      int end = i + 1;
      int slashes = c == '/' || c == '\\' ? 1 : 0;
      while (end < to && !Character.isWhitespace(text.charAt(end)) && text.charAt(end) != '"') {
        if (text.charAt(end) == '/' || text.charAt(end) == '\\') slashes++;
        end++;
      }
      if (slashes >= 2) {
        out.append('#');
      } else {
        wordRuns(text, i, end, out);
      }
      i = end;
    }
    return out.toString();
  }

  /** Copies a token with each run of word chars that holds a digit or two dots written as {@code #}. */
  private static void wordRuns(String text, int from, int to, StringBuilder out) {
    int i = from;
    while (i < to) {
      if (!wordChar(text.charAt(i))) {
        out.append(text.charAt(i++));
        continue;
      }
      int end = i;
      boolean digit = false;
      int dots = 0;
      while (end < to && wordChar(text.charAt(end))) {
        char c = text.charAt(end++);
        digit |= Character.isDigit(c);
        if (c == '.') dots++;
      }
      if (digit || dots >= 2) {
        out.append('#');
      } else {
        out.append(text, i, end);
      }
      i = end;
    }
  }

  private static boolean wordChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == ':' || c == '+' || c == '-' || c == '$';
  }

  // Words without which a pattern cannot match: most lines have none, and indexOf is much cheaper than the patterns.
  private static final String[] EXCEPTION_WORDS = {"Exception", "Error", "Throwable", "Failure", "Caused by",
      "Suppressed", "Traceback", "panic: "};
  private static final String[] FAILURE_WORDS = {"FAIL", "Fail", "fail", "ERR", "rror", "expected", "<<<", "E  ",
      "___", "✕", "✗"};
  private static final String[] ERROR_WORDS = {"FATAL", "ERROR", "SEVERE", "CRIT", "PANIC", "EMERG", "ALERT",
      "level=", "E/", "F/", "E1", "E0", "F1", "F0"};
  private static final String[] WARN_WORDS = {"WARN", "level=", "W/", "W1", "W0"};

  private static Level levelOf(String content, boolean exception) {
    if (containsAny(content, FAILURE_WORDS) && FAILURE.matcher(content).find()) return Level.FAILURE;
    if (containsAny(content, ERROR_WORDS) && ERROR.matcher(content).find()) {
      return letters(content) >= 8 ? Level.ERROR : Level.PLAIN;
    }
    if (exception) return Level.ERROR;
    if (containsAny(content, WARN_WORDS) && WARN.matcher(content).find()) {
      return letters(content) >= 8 ? Level.WARN : Level.PLAIN;
    }
    return Level.PLAIN;
  }

  private static boolean containsAny(String text, String[] words) {
    for (String w : words) if (text.contains(w)) return true;
    return false;
  }

  private static int letters(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) if (Character.isLetter(s.charAt(i))) n++;
    return n;
  }

  /** The text's non-blank lines, trimmed. */
  static List<Line> lines(String text) {
    List<Line> out = new ArrayList<>();
    int n = text.length();
    int i = 0;
    int block = 0;
    int number = 0;
    boolean afterPythonFrame = false;
    while (i < n) {
      number++;
      int lineEnd = text.indexOf('\n', i);
      if (lineEnd < 0) lineEnd = n;
      int s = i;
      int e = lineEnd;
      while (s < e && Segmenter.isWs(text.charAt(s))) s++;
      while (e > s && Segmenter.isWs(text.charAt(e - 1))) e--;
      i = lineEnd + 1;
      if (s == e) {
        if (!out.isEmpty() && out.get(out.size() - 1).block == block) block++;
        afterPythonFrame = false;
        continue;
      }
      Line line = new Line(text, s, e, block, number, afterPythonFrame);
      afterPythonFrame = line.frame && (afterPythonFrame || line.pythonFrame());
      out.add(line);
    }
    return out;
  }

  /**
   * Whether the text reads as a log: of its first {@value #DETECTION_LINES} non-blank lines, at least {@value
   * #MIN_DETECTION_LINES}, and at least 60% of them start with a timestamp, a level tag, a syslog or build-tool prefix,
   * or are stack frames; and they are not a table (every line with the same number of commas or tabs) nor Markdown
   * with a fenced block (read as prose around the block). Reads only the head of the text.
   */
  public static boolean looksLikeLog(String text) {
    int n = text.length();
    int i = 0;
    int lines = 0;
    int logLines = 0;
    int firstCommas = -1;
    int firstTabs = -1;
    boolean sameDelimiters = true;
    Matcher logLine = LOG_LINE.matcher("");
    Matcher frame = FRAME.matcher("");
    while (i < n && lines < DETECTION_LINES) {
      int lineEnd = text.indexOf('\n', i);
      if (lineEnd < 0) lineEnd = n;
      String line = text.substring(i, Math.min(lineEnd, i + MAX_READ_CHARS));
      i = lineEnd + 1;
      if (line.isBlank()) continue;
      if (line.strip().startsWith("```") || line.strip().startsWith("~~~")) return false; // Markdown around a block
      lines++;
      if (logLine.reset(line).lookingAt() || frame.reset(line).lookingAt()) logLines++;
      int commas = count(line, ',');
      int tabs = count(line, '\t');
      if (firstCommas < 0) {
        firstCommas = commas;
        firstTabs = tabs;
      } else if (commas != firstCommas || tabs != firstTabs) {
        sameDelimiters = false;
      }
    }
    if (lines < MIN_DETECTION_LINES) return false;
    if (sameDelimiters && (firstCommas >= 1 || firstTabs >= 1)) return false; // a table whose first column is a time
    return logLines >= MIN_LOG_LINE_SHARE * lines;
  }

  private static int count(String s, char c) {
    int k = 0;
    for (int i = 0; i < s.length(); i++) if (s.charAt(i) == c) k++;
    return k;
  }
}
