package dev.precis.segment;

import dev.precis.segment.StructuredSegmenter.Structured;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * The units of a log ({@link LogSegmenter}) and how their kept subset is written back: the kept units verbatim, line
 * for line, in their order, and each run of left-out lines as one line {@code M 9 lines omitted} (where {@code M} is
 * the request's elision marker; no line when it is empty); frames left out under a kept exception read {@code M 38
 * more frames}, lines folded under a kept first line {@code M 412 similar lines}, and when other lines follow them in
 * the same gap, {@code M 38 more frames, 9 lines omitted}. A log kept whole is written as it came (trimmed).
 *
 * <p>Priors: exception lines and failure summaries 1, {@code Caused by:} 0.9, other ERROR and FATAL lines 0.8, WARN
 * 0.5, the first and last lines at least 0.3, other lines 0.1; folded lines half their first line's, frames below an
 * exception line 0.05 (they come with it when kept), frames with no exception line above them 0.5.
 */
final class LogStructure implements Structure {
  private static final int MAX_RANK_CHARS = 2_000;
  private static final double EDGE_PRIOR = 0.3;

  /** What a unit is. */
  enum Role {
    /** A line alone, or the first line of a run of similar lines. */
    LINE,
    /** Lines of a run after its first line, anchored to it. */
    FOLDED,
    /** An exception line, its message lines and its first frames. */
    EXCEPTION,
    /** A {@code Caused by:} line with its first frames, anchored to its exception. */
    CAUSE,
    /** Stack frames, anchored to their exception or cause. */
    FRAMES
  }

  private final String text;
  private final int maxUnitChars;
  private final List<Unit> units;
  private final Role[] roles;
  private final double[] priors;
  private final int[] anchors;
  private final int[] firstLines;
  private final int[] lastLines;
  private final int[] lineCounts;
  /** Per unit, the lines of the run it opens (1 when it opens none). */
  private final int[] runLines;

  private LogStructure(String text, int maxUnitChars, Builder b) {
    int n = b.units.size();
    this.text = text;
    this.maxUnitChars = maxUnitChars;
    this.units = List.copyOf(b.units);
    this.roles = b.roles.toArray(Role[]::new);
    this.priors = Arrays.copyOf(b.priors, n);
    this.anchors = Arrays.copyOf(b.anchors, n);
    this.firstLines = Arrays.copyOf(b.firstLines, n);
    this.lastLines = Arrays.copyOf(b.lastLines, n);
    this.lineCounts = Arrays.copyOf(b.lineCounts, n);
    this.runLines = Arrays.copyOf(b.runLines, n);
    priors[0] = Math.max(priors[0], EDGE_PRIOR);
    priors[n - 1] = Math.max(priors[n - 1], EDGE_PRIOR);
  }

  @Override
  public Format format() {
    return Format.LOG;
  }

  /** What unit {@code unit} is. */
  Role role(int unit) {
    return roles[unit];
  }

  /** How many lines unit {@code unit} holds. */
  int lineCount(int unit) {
    return lineCounts[unit];
  }

  @Override
  public String rankText(int unit) {
    return text.substring(start(unit), Math.min(end(unit), start(unit) + MAX_RANK_CHARS));
  }

  private int start(int unit) {
    return units.get(unit).start();
  }

  private int end(int unit) {
    return units.get(unit).end();
  }

  @Override
  public int anchor(int unit) {
    return anchors[unit];
  }

  @Override
  public double prior(int unit) {
    return priors[unit];
  }

  @Override
  public String locator(int unit) {
    return firstLines[unit] == lastLines[unit] ? "line " + firstLines[unit]
        : "lines " + firstLines[unit] + "-" + lastLines[unit];
  }

  @Override
  public String note(int unit) {
    return switch (roles[unit]) {
      case LINE -> runLines[unit] > 1 ? "first of " + runLines[unit] + " similar lines" : null;
      case FOLDED -> lineCounts[unit] + " similar lines folded under line " + firstLines[anchors[unit]];
      case EXCEPTION -> "exception with its first frames";
      case CAUSE -> "cause with its first frames";
      case FRAMES -> lineCounts[unit] + (lineCounts[unit] == 1 ? " frame" : " frames");
    };
  }

  /**
   * A note is one line: the marker, two counts of up to 10 digits with two words each and a comma, and the line breaks
   * around it.
   */
  @Override
  public int elisionTokens(int markerTokens) {
    return markerTokens + 16;
  }

  @Override
  public Structured withUnitLimit(int limit) {
    if (limit >= maxUnitChars) return null;
    for (int u = 0; u < roles.length; u++) {
      if (lineCounts[u] > 1 && end(u) - start(u) > limit) return new LogSegmenter(limit).segment(text);
    }
    return null;
  }

  @Override
  public void render(SegmentedDocument doc, BitSet kept, String marker, StringBuilder out) {
    int n = units.size();
    if (kept.cardinality() == n) {
      out.append(text, start(0), end(n - 1));
      return;
    }
    Gap gap = new Gap();
    int previous = -1;
    for (int u = 0; u < n; u++) {
      if (!kept.get(u)) {
        gap.add(u);
        continue;
      }
      if (gap.lines > 0) {
        if (previous >= 0) out.append('\n');
        if (!marker.isEmpty()) out.append(gap.note(marker)).append('\n');
        out.append(indentation(u));
      } else if (previous >= 0) {
        out.append(text, end(previous), start(u));
      }
      out.append(text, start(u), end(u));
      gap = new Gap();
      previous = u;
    }
    if (gap.lines > 0 && !marker.isEmpty()) {
      if (previous >= 0) out.append('\n');
      out.append(gap.note(marker));
    }
  }

  /** The blanks before a unit on its line (a frame's tab), written back after an elision note. */
  private String indentation(int unit) {
    int s = start(unit);
    int lineStart = text.lastIndexOf('\n', s - 1) + 1;
    return text.substring(lineStart, s).replace("\r", "");
  }

  /**
   * A run of left-out units: its lines, and how many of them open it as frames of one trace or as lines folded under
   * one run's first line (said apart in the note, since they are the ones a reader knows to expect).
   */
  private final class Gap {
    int lines;
    /** The lines at the start of the gap that are frames, or folded under the same first line. */
    int leading;
    Role leadingRole;
    int leadingAnchor = -1;
    boolean leadingOpen = true;

    void add(int unit) {
      lines += lineCounts[unit];
      if (!leadingOpen) return;
      Role role = roles[unit];
      boolean joins = leading == 0
          ? role == Role.FRAMES || role == Role.FOLDED
          : role == leadingRole && (role == Role.FRAMES || anchors[unit] == leadingAnchor);
      if (joins) {
        leading += lineCounts[unit];
        leadingRole = role;
        leadingAnchor = anchors[unit];
      } else {
        leadingOpen = false;
      }
    }

    /** {@code M 37 more frames}, {@code M 412 similar lines}, {@code M 9 lines omitted}, or two of them joined. */
    String note(String marker) {
      if (leading == 0) return marker + " " + count(lines, "line omitted", "lines omitted");
      String first = leadingRole == Role.FRAMES ? count(leading, "more frame", "more frames")
          : count(leading, "similar line", "similar lines");
      if (leading == lines) return marker + " " + first;
      return marker + " " + first + ", " + count(lines - leading, "line omitted", "lines omitted");
    }

    private static String count(int n, String one, String many) {
      return n + " " + (n == 1 ? one : many);
    }
  }

  /** Collects units in text order. */
  static final class Builder {
    private final String text;
    private final int maxUnitChars;
    private final List<Unit> units = new ArrayList<>();
    private final List<Role> roles = new ArrayList<>();
    private double[] priors = new double[16];
    private int[] anchors = new int[16];
    private int[] firstLines = new int[16];
    private int[] lastLines = new int[16];
    private int[] lineCounts = new int[16];
    private int[] runLines = new int[16];

    Builder(String text, int maxUnitChars) {
      this.text = text;
      this.maxUnitChars = maxUnitChars;
    }

    int size() {
      return units.size();
    }

    /** Adds lines {@code [from, to)} as one unit; returns its ordinal. */
    int add(List<LogSegmenter.Line> lines, int from, int to, Role role, double prior, int anchor) {
      int u = units.size();
      if (anchor >= u) throw new IllegalArgumentException("illegal anchor: " + anchor + ", must be < " + u);
      if (u == priors.length) grow();
      LogSegmenter.Line first = lines.get(from);
      LogSegmenter.Line last = lines.get(to - 1);
      units.add(new Unit(u, UnitKind.LINE, first.start, last.end, first.block, 0));
      roles.add(role);
      priors[u] = prior;
      anchors[u] = anchor;
      firstLines[u] = first.number;
      lastLines[u] = last.number;
      lineCounts[u] = to - from;
      runLines[u] = 1;
      return u;
    }

    /** Records that unit {@code head} opens a run of {@code lines} similar lines. */
    void markRun(int head, int lines) {
      runLines[head] = lines;
    }

    /** Whether an exception may be anchored to unit {@code unit}: an error line alone just above it. */
    boolean anchorable(int unit, int block) {
      return roles.get(unit) == Role.LINE && lineCounts[unit] == 1 && anchors[unit] < 0
          && units.get(unit).paragraph() == block && priors[unit] >= LogSegmenter.Level.ERROR.prior();
    }

    private void grow() {
      int size = priors.length * 2;
      priors = Arrays.copyOf(priors, size);
      anchors = Arrays.copyOf(anchors, size);
      firstLines = Arrays.copyOf(firstLines, size);
      lastLines = Arrays.copyOf(lastLines, size);
      lineCounts = Arrays.copyOf(lineCounts, size);
      runLines = Arrays.copyOf(runLines, size);
    }

    Structured build() {
      return new Structured(units, new LogStructure(text, maxUnitChars, this));
    }
  }
}
