package dev.precis.segment;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The language of a source file, guessed from the forms its lines take; it decides the lexer's rules (comments,
 * strings), whether blocks are braces or indentation, and the comment an elision note is written in. Other brace
 * languages (C, C++, C#, Kotlin, Rust, Swift, Scala) are read as {@link #BRACES}.
 */
enum CodeLanguage {
  JAVA("//"),
  PYTHON("#"),
  JAVASCRIPT("//"),
  TYPESCRIPT("//"),
  GO("//"),
  BRACES("//");

  private final String lineComment;

  CodeLanguage(String lineComment) {
    this.lineComment = lineComment;
  }

  String lineComment() {
    return lineComment;
  }

  private static final int SAMPLE_LINES = 2_000;

  private static final Pattern PYTHON_FORMS = Pattern.compile(
      "^(?:(?:async\\s+)?def\\s+\\w+\\s*\\(.*|class\\s+\\w+\\s*(?:\\(.*\\))?\\s*:|from\\s+[\\w.]+\\s+import\\s.*"
          + "|import\\s+[\\w.]+(?:\\s+as\\s+\\w+)?(?:\\s*,\\s*[\\w.]+)*|if\\s+__name__\\s*==.*:|elif\\s.*:"
          + "|except(?:\\s.*)?:|@[\\w.]+(?:\\(.*\\))?)$");
  private static final Pattern GO_FORMS = Pattern.compile(
      "^(?:package\\s+\\w+|func\\s+(?:\\([^)]*\\)\\s*)?\\w+\\s*[(\\[].*|type\\s+\\w+\\s+(?:struct|interface)\\s*\\{"
          + "|import\\s+(?:\\(|\"[\\w./-]+\")|\\w+(?:\\s*,\\s*\\w+)*\\s*:=.*)$");
  private static final Pattern JAVA_FORMS = Pattern.compile(
      "^(?:package\\s+[\\w.]+;|import\\s+(?:static\\s+)?[\\w.]+(?:\\.\\*)?;"
          + "|(?:(?:public|protected|private|abstract|static|final|sealed|non-sealed|strictfp)\\s+)*"
          + "(?:class|interface|enum|record|@interface)\\s+\\w+.*"
          + "|(?:(?:public|protected|private|static|final|abstract|synchronized|native|default)\\s+)+"
          + "[\\w<>\\[\\]., ?]+\\s+\\w+\\s*\\(.*|@[A-Z]\\w*(?:\\(.*\\))?)$");
  private static final Pattern SCRIPT_FORMS = Pattern.compile(
      "^(?:(?:export\\s+)?(?:default\\s+)?(?:async\\s+)?function\\s*\\*?\\s*[\\w$]*\\s*\\(.*"
          + "|(?:export\\s+)?(?:const|let|var)\\s+[\\w${}\\[\\], ]+\\s*(?::\\s*[^=]+)?=.*"
          + "|import\\s+.*\\s+from\\s+['\"].*|import\\s+['\"].*|export\\s+.*|(?:module\\.)?exports[.\\s=].*"
          + "|.*=>\\s*\\{|.*\\brequire\\(['\"].*)$");
  private static final Pattern TYPESCRIPT_FORMS = Pattern.compile(
      "^(?:(?:export\\s+)?(?:declare\\s+)?(?:interface|type|enum|namespace|module|abstract\\s+class)\\s+[\\w$.]+.*"
          + "|(?:export\\s+)?declare\\s+.*|(?:readonly\\s+)?[\\w$]+\\??\\s*:\\s*[\\w$<>\\[\\]|. ]+;"
          + "|.*\\)\\s*:\\s*[\\w$<>\\[\\]|. ]+\\s*[{;]|(?:public|private|protected|readonly)\\s+[\\w$]+\\s*[:(].*)$");
  private static final Pattern C_FORMS = Pattern.compile(
      "^(?:#include\\s*[<\"].*|#define\\s.*|#if.*|#endif.*|using\\s+[\\w.:]+;|namespace\\s+[\\w.:]+\\s*\\{?"
          + "|fn\\s+\\w+.*|(?:pub\\s+)?(?:struct|impl|trait|mod)\\s+\\w+.*|use\\s+[\\w:{}, ]+;|fun\\s+\\w+.*)$");
  /** A Java package or import line, which no other text takes: it counts as two forms. */
  private static final Pattern JAVA_HEADER = Pattern.compile("^(?:package|import)\\s+[\\w.]+(?:\\.\\*)?;$");
  /** Statement forms every brace or indentation language shares. */
  private static final Pattern STATEMENT_FORMS = Pattern.compile(
      "^(?:(?:if|for|while|switch|catch)\\s*\\(.*\\)\\s*\\{|}\\s*else(?:\\s+if\\s*\\(.*\\))?\\s*\\{|}\\s*catch.*\\{"
          + "|return\\b.*;|try\\s*\\{|(?:self|this)\\.[\\w$]+\\s*=.*|[\\w$.\\[\\]]+\\s*\\(.*\\);)$");

  /**
   * Whether the text reads as source code: at least three lines, no Markdown fence, code-like lines (ending in {@code
   * ; { } ( ) [ ] , : + * / = & | < >}, an assignment, or taking a form only code takes: a declaration, an import, a
   * statement with its punctuation) at least three times as many as prose-like ones (four or more words, no such
   * ending), and two such forms, or one with five code-like lines and no prose. Comments, Python docstrings and lines
   * that are a string alone do not count. Reads at most the first {@value #SAMPLE_LINES} lines.
   */
  static boolean looksLikeCode(String text) {
    int forms = 0;
    int codeLines = 0;
    int proseLines = 0;
    boolean docstring = false;
    List<String> sample = sampleLines(text);
    for (int i = 0; i < sample.size(); i++) {
      // Code must end up with at least three code lines per prose line: past that point no line left can save it.
      if (codeLines + (sample.size() - i) < 3 * proseLines) return false;
      String line = sample.get(i);
      boolean wasDocstring = docstring;
      if (occurrences(line, "\"\"\"") % 2 == 1 || occurrences(line, "'''") % 2 == 1) docstring = !docstring;
      if (wasDocstring || docstring) continue; // a Python docstring's prose is not the code's
      if (line.startsWith("```") || line.startsWith("~~~")) return false;
      if (line.startsWith("\"") || line.startsWith("'")) continue; // a string alone: a docstring, a table entry
      if (line.startsWith("//") || line.startsWith("/*") || line.startsWith("*") || line.startsWith("#!")) continue;
      boolean form = line.length() < 400 && (PYTHON_FORMS.matcher(line).matches() || GO_FORMS.matcher(line).matches()
          || JAVA_FORMS.matcher(line).matches() || SCRIPT_FORMS.matcher(line).matches()
          || TYPESCRIPT_FORMS.matcher(line).matches() || C_FORMS.matcher(line).matches()
          || STATEMENT_FORMS.matcher(line).matches());
      if (form) forms += JAVA_HEADER.matcher(line).matches() ? 2 : 1;
      if (line.startsWith("#")) continue; // a Python comment or a Markdown heading: neither counts
      int comment = Math.max(line.indexOf(" // "), line.indexOf(" # "));
      String code = comment > 0 ? line.substring(0, comment).strip() : line;
      char last = code.charAt(code.length() - 1);
      if (form || ";{}()[],:+*/=&|<>".indexOf(last) >= 0 || line.endsWith("=>") || line.length() < 400
          && ASSIGNMENT_OR_KEYWORD.matcher(line).matches()) {
        codeLines++;
      } else if (words(code) >= 4) {
        proseLines++;
      }
    }
    return sample.size() >= 3 && codeLines >= 3 * proseLines && (forms >= 2 && codeLines >= 1 || forms >= 1 && codeLines >= 5
        && proseLines == 0);
  }

  private static final Pattern ASSIGNMENT_OR_KEYWORD = Pattern.compile(
      "[\\w$.\\[\\]]+\\s*[-+*/%|&]?=\\s*\\S.*|(?:return|raise|yield|pass|break|continue|del|assert)\\b.*");

  /** The number of whitespace-separated words of a stripped line (as {@code split("\\s+").length}). */
  private static int words(String line) {
    int words = 0;
    boolean inWord = false;
    for (int i = 0; i < line.length(); i++) {
      boolean space = Character.isWhitespace(line.charAt(i));
      if (!space && !inWord) words++;
      inWord = !space;
    }
    return Math.max(1, words);
  }

  /** The text's first {@value #SAMPLE_LINES} non-blank lines, each stripped and read up to 400 chars. */
  private static List<String> sampleLines(String text) {
    List<String> out = new ArrayList<>();
    int from = 0;
    int n = text.length();
    while (from < n && out.size() < SAMPLE_LINES) {
      int end = text.indexOf('\n', from);
      if (end < 0) end = n;
      String line = text.substring(from, Math.min(end, from + 400)).strip();
      from = end + 1;
      if (!line.isEmpty()) out.add(line);
    }
    return out;
  }

    private static int occurrences(String line, String what) {
    int count = 0;
    for (int at = line.indexOf(what); at >= 0; at = line.indexOf(what, at + what.length())) count++;
    return count;
  }

  /** The language the text's forms point to most; {@link #BRACES} when none does. */
  static CodeLanguage guess(String text) {
    int[] votes = new int[values().length];
    int braces = 0;
    int colons = 0;
    for (String line : sampleLines(text)) {
      if (line.endsWith("{") || line.startsWith("}")) braces++;
      if (line.endsWith(":") && !line.startsWith("case ") && !line.startsWith("default")) colons++;
      if (PYTHON_FORMS.matcher(line).matches()) votes[PYTHON.ordinal()] += 2;
      if (GO_FORMS.matcher(line).matches()) votes[GO.ordinal()] += 2;
      if (JAVA_FORMS.matcher(line).matches()) votes[JAVA.ordinal()] += 2;
      if (SCRIPT_FORMS.matcher(line).matches()) votes[JAVASCRIPT.ordinal()] += 2;
      if (TYPESCRIPT_FORMS.matcher(line).matches()) votes[TYPESCRIPT.ordinal()] += 2;
      if (C_FORMS.matcher(line).matches()) votes[BRACES.ordinal()] += 2;
    }
    if (votes[TYPESCRIPT.ordinal()] > 0) votes[TYPESCRIPT.ordinal()] += votes[JAVASCRIPT.ordinal()] / 2;
    if (colons > braces) votes[PYTHON.ordinal()] += colons - braces;
    else votes[PYTHON.ordinal()] = Math.min(votes[PYTHON.ordinal()], braces == 0 ? Integer.MAX_VALUE : 0);
    CodeLanguage best = BRACES;
    int most = 0;
    for (CodeLanguage l : values()) {
      if (votes[l.ordinal()] > most) {
        most = votes[l.ordinal()];
        best = l;
      }
    }
    return best;
  }
}
