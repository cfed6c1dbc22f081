package dev.precis.segment;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cuts source code (Java, Python, JavaScript, TypeScript, Go, and other brace languages read alike) into imports,
 * declarations and bodies, with a line- and bracket-based parser over the lexer's code chars ({@link CodeLexer}):
 *
 * <ul>
 *   <li>a run of import and package lines is one {@link UnitKind#DECLARATION} unit;
 *   <li>a block (a line whose code ends with an open brace, or in Python with a colon before an indented block) is
 *       a header, {@link UnitKind#DECLARATION}: its annotations or decorators and its signature lines up to the brace
 *       (in Python with the docstring); a brace block's doc comment above it is a {@link UnitKind#LINE} unit anchored
 *       to the header (so an anchor stays a few lines); its body lines are {@link UnitKind#BODY} units, one where it
 *       fits {@code maxUnitChars}, else blocks of lines; a brace block's closing line goes with its header;
 *   <li>a class (interface, enum, struct, ...) is opened: its members are units in turn, so a method is kept whole
 *       under its class's signature while its siblings are left out; nesting is opened {@value #MAX_NESTING} deep;
 *   <li>other statements and fields are {@link UnitKind#LINE} units, a run of lines without a blank line as one.
 * </ul>
 *
 * A body's anchor is its header, a member's the header around it. Lines are never cut. A construct that does not
 * close cleanly (unbalanced braces, a closing line that opens again) is read as lines, so any text segments; a
 * declared {@code code} never fails. See {@link CodeStructure} for how the kept units are written back.
 *
 * <p>Example: {@code class A {\n  int f() {\n    return 1;\n  }\n}} has units {@code class A {} (anchor -1), {@code
 * int f() {} (anchor 0) and {@code return 1;} (anchor 1).
 */
public final class CodeSegmenter implements StructuredSegmenter {
  /** The deepest nesting of classes opened into members; deeper ones are kept as one header and body. */
  static final int MAX_NESTING = 64;

  private static final Pattern CONTAINER = Pattern.compile(
      "\\b(?:class|interface|enum|record|struct|trait|impl|object|namespace|module|@interface)\\b");
  private static final Pattern IMPORT = Pattern.compile(
      "^(?:import\\b|package\\s|from\\s+[\\w.]+\\s+import\\b|using\\s|#include|use\\s|(?:const|let|var)\\s+[\\w${}, ]+"
          + "\\s*=\\s*require\\()");
  private static final Pattern NAME_AFTER_KEYWORD = Pattern.compile(
      "\\b(?:class|interface|enum|record|struct|trait|impl|object|namespace|module|type|def|function|func|fn|fun)"
          + "\\s*\\*?\\s+(?:\\([^)]*\\)\\s*)?([\\w$]+)");
  private static final Pattern NAME_BEFORE_PAREN = Pattern.compile("([\\w$]+)\\s*(?:<[^()]*>)?\\s*\\(");
  private static final Pattern NAME_ASSIGNED = Pattern.compile("^(?:[\\w$]+\\s+)*([\\w$]+)\\s*(?::[^=]*)?=");
  private static final Pattern CONTROL = Pattern.compile(
      "^(?:if|for|while|switch|catch|synchronized|try|else|do|return|new|throw|with|elif|except|finally)\\b");

  private final int maxUnitChars;

  /** @param maxUnitChars the longest body kept as one unit, in chars; longer ones are cut into blocks of lines */
  public CodeSegmenter(int maxUnitChars) {
    if (maxUnitChars <= 0) {
      throw new IllegalArgumentException("illegal maxUnitChars: " + maxUnitChars + ", must be > 0");
    }
    this.maxUnitChars = maxUnitChars;
  }

  /** Whether the text reads as source code (detection: never prose, Markdown, a log, CSV or JSON). */
  public static boolean looksLikeCode(String text) {
    return CodeLanguage.looksLikeCode(text);
  }

  @Override
  public Structured segment(String text) {
    CodeLanguage language = CodeLanguage.guess(text);
    Lines lines = new Lines(text, CodeLexer.classify(text, language));
    Parse parse = new Parse(text, lines, language, maxUnitChars);
    if (language == CodeLanguage.PYTHON) parse.indented();
    else parse.braced();
    return new Structured(parse.units, new CodeStructure(text, language, lines, parse.infos,
        parse.anchors, parse.units, maxUnitChars));
  }

  /** Per line: its span, its first and last code chars and its bracket counts. */
  static final class Lines {
    final int count;
    final int[] start;
    final int[] end;
    final int[] contentStart;
    final int[] contentEnd;
    final int[] firstCode;
    final int[] lastCode;
    final int[] braceDelta;
    final int[] braceMin;
    final int[] parenDelta;
    final boolean[] startsInCode;

    Lines(String text, byte[] kind) {
      int n = text.length();
      int c = 1;
      for (int i = 0; i < n; i++) if (text.charAt(i) == '\n') c++;
      count = c;
      start = new int[c];
      end = new int[c];
      contentStart = new int[c];
      contentEnd = new int[c];
      firstCode = new int[c];
      lastCode = new int[c];
      braceDelta = new int[c];
      braceMin = new int[c];
      parenDelta = new int[c];
      startsInCode = new boolean[c];
      int from = 0;
      for (int l = 0; l < c; l++) {
        int e = text.indexOf('\n', from);
        if (e < 0) e = n;
        start[l] = from;
        end[l] = e;
        int s = from;
        int t = e;
        while (s < t && Segmenter.isWs(text.charAt(s))) s++;
        while (t > s && Segmenter.isWs(text.charAt(t - 1))) t--;
        contentStart[l] = s;
        contentEnd[l] = t;
        startsInCode[l] = s < t && kind[s] == CodeLexer.CODE || s < t && s > 0 && kind[s] != kind[s - 1]
            && !(kind[s - 1] == CodeLexer.STRING && text.charAt(s - 1) != '\n');
        firstCode[l] = -1;
        lastCode[l] = -1;
        int depth = 0;
        int min = 0;
        int parens = 0;
        for (int i = s; i < t; i++) {
          if (kind[i] != CodeLexer.CODE) continue;
          char ch = text.charAt(i);
          if (Segmenter.isWs(ch)) continue;
          if (firstCode[l] < 0) firstCode[l] = i;
          lastCode[l] = i;
          switch (ch) {
            case '{' -> depth++;
            case '}' -> min = Math.min(min, --depth);
            case '(', '[' -> parens++;
            case ')', ']' -> parens--;
            default -> {}
          }
        }
        braceDelta[l] = depth;
        braceMin[l] = min;
        parenDelta[l] = parens;
        from = e + 1;
      }
    }

    boolean blank(int l) {
      return contentStart[l] == contentEnd[l];
    }

    int indent(int l) {
      return contentStart[l] - start[l];
    }
  }

  /**
   * What the structure needs to know of a unit: its lines, its declaration's name, and for a header, its block: the
   * lines of its body, its closing line (-1 in Python), and the ordinals of the units inside it.
   */
  static final class Info {
    int firstLine;
    int lastLine;
    String name;
    boolean imports;
    boolean publicApi;
    int bodyFirstLine = -1;
    int bodyLastLine = -1;
    int closingLine = -1;
    int firstInner = -1;
    int lastInner = -1;
  }

  /** One parse: the units and their infos, in text order. */
  private static final class Parse {
    final String text;
    final Lines lines;
    final CodeLanguage language;
    final int maxUnitChars;
    final List<Unit> units = new ArrayList<>();
    final List<Info> infos = new ArrayList<>();
    final List<Integer> anchors = new ArrayList<>();
    // a run of statement lines not written as a unit yet
    int runFirst = -1;
    int runLast = -1;
    boolean runImports;
    int runParent = -1;
    String runName;

    Parse(String text, Lines lines, CodeLanguage language, int maxUnitChars) {
      this.text = text;
      this.lines = lines;
      this.language = language;
      this.maxUnitChars = maxUnitChars;
    }

    /** A range of lines read as members, under header {@code parent} (-1 at top level). */
    private record Frame(int parent, int to, int nesting, String name, int[] next) {}

    /**
     * The first non-blank line left in frame {@code f} (the top of {@code frames}), or -1 when none is left: then the
     * frame is closed (its pending run written, its header's last inner unit set) and popped.
     */
    private int nextLine(Deque<Frame> frames, Frame f) {
      int i = f.next()[0];
      while (i < f.to() && lines.blank(i)) {
        if (!runImports) flushRun();
        i++;
      }
      if (i < f.to()) return i;
      flushRun();
      frames.pop();
      if (f.parent() >= 0) infos.get(f.parent()).lastInner = units.size() - 1;
      return -1;
    }

    void braced() {
      Deque<Frame> frames = new ArrayDeque<>();
      frames.push(new Frame(-1, lines.count, 0, null, new int[] {0}));
      while (!frames.isEmpty()) {
        Frame f = frames.peek();
        int i = nextLine(frames, f);
        if (i < 0) continue;
        // doc comments and annotations directly above a statement go with it
        int first = i;
        int s = i;
        while (s < f.to() && !lines.blank(s) && (lines.firstCode[s] < 0 || annotation(s, f.to()) >= s)) {
          s = lines.firstCode[s] < 0 ? s + 1 : annotation(s, f.to()) + 1;
        }
        if (s >= f.to() || lines.blank(s)) { // a comment block of its own
          addRun(first, s - 1, false, f.parent(), f.name());
          f.next()[0] = s;
          continue;
        }
        int[] block = statement(s, f.to());
        int last = block[0];
        if (block[1] < 0) { // a plain statement
          boolean imports = first == s && IMPORT.matcher(text.substring(lines.firstCode[s],
              Math.min(lines.contentEnd[s], lines.firstCode[s] + 200))).find();
          addRun(first, last, imports, f.parent(), f.name());
          f.next()[0] = last + 1;
          continue;
        }
        flushRun();
        int open = block[0];
        int close = block[1];
        String signature = code(s, open);
        String name = qualified(f.name(), nameOf(signature));
        // A doc comment is a unit of its own under its header: a kept member brings its class's signature, not the
        // class's (often hundreds of lines long) documentation.
        int signatureFirst = first;
        while (signatureFirst < s && lines.firstCode[signatureFirst] < 0) signatureFirst++;
        if (signatureFirst > first) {
          List<int[]> docPieces = pieces(first, signatureFirst - 1);
          int headerOrdinal = units.size() + docPieces.size();
          for (int[] piece : docPieces) {
            infos.get(addUnit(UnitKind.LINE, piece[0], piece[1], headerOrdinal)).name = name;
          }
        }
        int header = addUnit(UnitKind.DECLARATION, signatureFirst, open, f.parent());
        Info info = infos.get(header);
        info.name = name;
        info.publicApi = publicApi(signature, name);
        info.closingLine = close;
        f.next()[0] = close + 1;
        int bodyFirst = nextNonBlank(open + 1, close);
        if (bodyFirst < 0) continue;
        info.bodyFirstLine = bodyFirst;
        info.bodyLastLine = previousNonBlank(close - 1, open);
        info.firstInner = units.size();
        if (CONTAINER.matcher(signature.split("[({=]", 2)[0]).find() && f.nesting() < MAX_NESTING) {
          frames.push(new Frame(header, close, f.nesting() + 1, name, new int[] {bodyFirst}));
        } else {
          addBody(bodyFirst, info.bodyLastLine, header, name);
          info.lastInner = units.size() - 1;
        }
      }
    }

    void indented() {
      Deque<Frame> frames = new ArrayDeque<>();
      frames.push(new Frame(-1, lines.count, 0, null, new int[] {0}));
      while (!frames.isEmpty()) {
        Frame f = frames.peek();
        int i = nextLine(frames, f);
        if (i < 0) continue;
        int first = i;
        int s = i;
        while (s < f.to() && !lines.blank(s)
            && (lines.firstCode[s] < 0 && lines.startsInCode[s] || text.charAt(lines.contentStart[s]) == '@')) {
          s = logicalEnd(s, f.to()) + 1;
        }
        if (s >= f.to() || lines.blank(s)) {
          addRun(first, s - 1, false, f.parent(), f.name());
          f.next()[0] = s;
          continue;
        }
        int end = logicalEnd(s, f.to());
        int bodyFirst = nextCodeLine(end + 1, f.to());
        boolean opens = lines.lastCode[end] >= 0 && text.charAt(lines.lastCode[end]) == ':' && bodyFirst >= 0
            && lines.indent(bodyFirst) > lines.indent(s);
        if (!opens) {
          boolean imports = first == s && IMPORT.matcher(text.substring(lines.contentStart[s],
              Math.min(lines.contentEnd[s], lines.contentStart[s] + 200))).find();
          addRun(first, end, imports, f.parent(), f.name());
          f.next()[0] = end + 1;
          continue;
        }
        flushRun();
        int bodyLast = end;
        for (int l = end + 1; l < f.to(); ) {
          if (lines.blank(l)) {
            l++;
            continue;
          }
          if (lines.startsInCode[l] && lines.indent(l) <= lines.indent(s)) break;
          int e = logicalEnd(l, f.to());
          bodyLast = e;
          l = e + 1;
        }
        // the docstring goes with the signature
        int headerLast = end;
        int doc = nextNonBlank(end + 1, bodyLast + 1);
        if (doc >= 0 && lines.firstCode[doc] < 0 && !lines.blank(doc)
            && (text.charAt(lines.contentStart[doc]) == '"' || text.charAt(lines.contentStart[doc]) == '\'')) {
          int docEnd = logicalEnd(doc, bodyLast + 1);
          if (onlyStrings(doc, docEnd)) headerLast = docEnd;
        }
        String signature = code(s, end);
        String name = qualified(f.name(), nameOf(signature));
        int header = addUnit(UnitKind.DECLARATION, first, headerLast, f.parent());
        Info info = infos.get(header);
        info.name = name;
        info.publicApi = publicApi(signature, name);
        f.next()[0] = bodyLast + 1;
        int innerFirst = nextNonBlank(headerLast + 1, bodyLast + 1);
        if (innerFirst < 0) continue;
        info.bodyFirstLine = innerFirst;
        info.bodyLastLine = bodyLast;
        info.firstInner = units.size();
        if (signature.startsWith("class ") && f.nesting() < MAX_NESTING) {
          frames.push(new Frame(header, bodyLast + 1, f.nesting() + 1, name, new int[] {innerFirst}));
        } else {
          addBody(innerFirst, bodyLast, header, name);
          info.lastInner = units.size() - 1;
        }
      }
    }

    /** The last line of the Python logical line starting at {@code l}: open brackets, a backslash, a string. */
    private int logicalEnd(int l, int to) {
      int depth = lines.parenDelta[l] + lines.braceDelta[l];
      int e = l;
      while (e + 1 < to && (depth > 0 || !lines.startsInCode[e + 1] && !lines.blank(e + 1) && lines.firstCode[e + 1] < 0
          && !startsComment(e + 1) || endsWithBackslash(e))) {
        e++;
        depth += lines.parenDelta[e] + lines.braceDelta[e];
      }
      return e;
    }

    private boolean startsComment(int l) {
      return text.charAt(lines.contentStart[l]) == '#';
    }

    private boolean endsWithBackslash(int l) {
      return lines.lastCode[l] >= 0 && lines.lastCode[l] == lines.contentEnd[l] - 1
          && text.charAt(lines.lastCode[l]) == '\\';
    }

    private boolean onlyStrings(int from, int to) {
      for (int l = from; l <= to; l++) if (lines.firstCode[l] >= 0 && !code(l, l).isBlank()) return false;
      return true;
    }

    private int nextCodeLine(int from, int to) {
      for (int l = from; l < to; l++) {
        if (!lines.blank(l) && !(lines.firstCode[l] < 0 && startsComment(l))) return l;
      }
      return -1;
    }

    /**
     * The statement starting at line {@code s}: {@code {lastLine, -1}} for a plain one, {@code {openLine, closeLine}}
     * for a block that closes cleanly (its open brace ends a line and its closing brace starts a line that closes the
     * statement).
     */
    private int[] statement(int s, int to) {
      int braces = 0;
      int parens = 0;
      for (int j = s; j < to; j++) {
        boolean dipped = braces + lines.braceMin[j] < 0;
        braces += lines.braceDelta[j];
        parens += lines.parenDelta[j];
        if (!dipped && braces == 1 && lines.lastCode[j] >= 0 && text.charAt(lines.lastCode[j]) == '{') {
          int close = closing(j, to, parens);
          if (close > 0) return new int[] {j, close};
        }
        if (braces <= 0 && parens <= 0 && !continues(j, to)) return new int[] {j, -1};
      }
      return new int[] {to - 1, -1};
    }

    /** The line that closes the block opened at the end of line {@code open}, cleanly, or -1. */
    private int closing(int open, int to, int parens) {
      int braces = 1;
      for (int k = open + 1; k < to; k++) {
        if (braces + lines.braceMin[k] <= 0) {
          boolean clean = lines.firstCode[k] >= 0 && text.charAt(lines.firstCode[k]) == '}'
              && braces + lines.braceDelta[k] == 0 && parens + lines.parenDelta[k] == 0;
          return clean ? k : -1;
        }
        braces += lines.braceDelta[k];
        parens += lines.parenDelta[k];
      }
      return -1;
    }

    /** Whether the statement goes on after line {@code j} (an operator at its end, or the next line opening). */
    private boolean continues(int j, int to) {
      if (lines.lastCode[j] < 0) return false;
      char last = text.charAt(lines.lastCode[j]);
      if ("=+-*/%&|^?:,.(<[".indexOf(last) >= 0) return true;
      int next = nextNonBlank(j + 1, to);
      if (next < 0 || next != j + 1 || lines.firstCode[next] < 0) return false;
      char first = text.charAt(lines.firstCode[next]);
      if ("{.?:".indexOf(first) >= 0 && last != ';' && last != '}') return true;
      String head = text.substring(lines.firstCode[next], Math.min(lines.contentEnd[next], lines.firstCode[next] + 12));
      return head.matches("(?:throws|extends|implements)\\b.*") && last != ';';
    }

    /** The last line of an annotation or decorator statement starting at line {@code l}, or -1 when it is none. */
    private int annotation(int l, int to) {
      if (text.charAt(lines.firstCode[l]) != '@' || text.startsWith("@interface", lines.firstCode[l])) return -1;
      int parens = 0;
      for (int j = l; j < to; j++) {
        if (lines.braceDelta[j] != 0 && parens == 0) return -1;
        parens += lines.parenDelta[j];
        if (parens <= 0) {
          char last = lines.lastCode[j] < 0 ? ')' : text.charAt(lines.lastCode[j]);
          return last == ';' || last == '{' || last == '}' || code(l, j).indexOf(' ', 1) > 0
              && !code(l, j).matches("@[\\w.$]+\\s*\\(.*\\)") ? -1 : j;
        }
      }
      return -1;
    }

    /** The code chars of lines {@code from..to}, comments and strings left out, lines joined by spaces. */
    private String code(int from, int to) {
      StringBuilder out = new StringBuilder();
      for (int l = from; l <= to && out.length() < 1_000; l++) {
        if (lines.firstCode[l] < 0) continue;
        if (!out.isEmpty()) out.append(' ');
        out.append(text, lines.firstCode[l], Math.min(lines.lastCode[l] + 1, lines.firstCode[l] + 1_000));
      }
      return out.toString().strip();
    }

    private int nextNonBlank(int from, int to) {
      for (int l = from; l < to; l++) if (!lines.blank(l)) return l;
      return -1;
    }

    private int previousNonBlank(int from, int floor) {
      for (int l = from; l > floor; l--) if (!lines.blank(l)) return l;
      return -1;
    }

    private void addRun(int first, int last, boolean imports, int parent, String name) {
      if (runFirst >= 0 && (imports != runImports || parent != runParent
          || lines.contentEnd[last] - lines.contentStart[runFirst] > maxUnitChars)) {
        flushRun();
      }
      if (runFirst < 0) {
        runFirst = first;
        runImports = imports;
        runParent = parent;
        runName = name;
      }
      runLast = last;
    }

    private void flushRun() {
      if (runFirst < 0) return;
      int from = runFirst;
      int to = runLast;
      runFirst = -1;
      for (int[] piece : pieces(from, to)) {
        int u = addUnit(runImports ? UnitKind.DECLARATION : UnitKind.LINE, piece[0], piece[1], runParent);
        infos.get(u).imports = runImports;
        infos.get(u).name = runImports ? "imports" : runName;
      }
    }

    private void addBody(int from, int to, int header, String name) {
      for (int[] piece : pieces(from, to)) {
        int u = addUnit(UnitKind.BODY, piece[0], piece[1], header);
        infos.get(u).name = name;
      }
    }

    /** Lines {@code from..to} in pieces of at most {@code maxUnitChars} (a longer line is a piece of its own). */
    private List<int[]> pieces(int from, int to) {
      List<int[]> out = new ArrayList<>();
      int first = -1;
      int last = -1;
      for (int l = from; l <= to; l++) {
        if (lines.blank(l)) continue;
        if (first >= 0 && lines.contentEnd[l] - lines.contentStart[first] > maxUnitChars) {
          out.add(new int[] {first, last});
          first = -1;
        }
        if (first < 0) first = l;
        last = l;
      }
      if (first >= 0) out.add(new int[] {first, last});
      return out;
    }

    private int addUnit(UnitKind kind, int firstLine, int lastLine, int anchor) {
      int ordinal = units.size();
      units.add(new Unit(ordinal, kind, lines.contentStart[firstLine], lines.contentEnd[lastLine], ordinal, 0));
      Info info = new Info();
      info.firstLine = firstLine;
      info.lastLine = lastLine;
      infos.add(info);
      anchors.add(anchor);
      return ordinal;
    }
  }

  static String qualified(String outer, String name) {
    if (name == null || name.isEmpty()) return outer;
    return outer == null ? name : outer + "." + name;
  }

  /** The name a signature declares: after its keyword, before its parameters, or what it assigns. */
  static String nameOf(String signature) {
    String head = signature.length() > 300 ? signature.substring(0, 300) : signature;
    if (CONTROL.matcher(head).find()) return null;
    Matcher keyword = NAME_AFTER_KEYWORD.matcher(head);
    int paren = head.indexOf('(');
    if (keyword.find() && (paren < 0 || keyword.start() < paren)) return keyword.group(1);
    Matcher assigned = NAME_ASSIGNED.matcher(head);
    if (assigned.find() && (paren < 0 || assigned.end() <= paren + 1)) return assigned.group(1);
    Matcher call = NAME_BEFORE_PAREN.matcher(head);
    return call.find() ? call.group(1) : null;
  }

  private static boolean publicApi(String signature, String name) {
    String simple = name == null ? "" : name.substring(name.lastIndexOf('.') + 1);
    return signature.matches("(?s)(?:@\\S+\\s+)*(?:public|export|pub)\\b.*") || simple.equals("main")
        || signature.startsWith("func ") && !simple.isEmpty() && Character.isUpperCase(simple.charAt(0))
        || signature.matches("(?s)(?:async\\s+)?(?:def|class)\\s+[A-Za-z].*");
  }
}
