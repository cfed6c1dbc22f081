package dev.precis.segment;

/**
 * Classifies each char of source code as code, comment or string literal, so that braces, parentheses and colons in
 * strings and comments do not count. Knows line and block comments, strings and char literals with escapes, Java and
 * Python triple-quoted strings, JavaScript template literals (with nested {@code ${...}}, iteratively), Go raw strings
 * and, in JavaScript, regular expression literals after an operator. An unclosed single-line string ends at its line.
 */
final class CodeLexer {
  static final byte CODE = 0;
  static final byte COMMENT = 1;
  static final byte STRING = 2;

  private CodeLexer() {}

  static byte[] classify(String text, CodeLanguage language) {
    int n = text.length();
    byte[] kind = new byte[n];
    boolean python = language == CodeLanguage.PYTHON;
    boolean script = language == CodeLanguage.JAVASCRIPT || language == CodeLanguage.TYPESCRIPT;
    // template interpolation depths: braces open inside each ${ ... } we are in
    int[] templates = new int[8];
    int inTemplates = 0;
    int i = 0;
    char lastCode = '\n';
    while (i < n) {
      char c = text.charAt(i);
      if (inTemplates > 0 && c == '}' && templates[inTemplates - 1] == 0) {
        inTemplates--; // back into the template's text
        kind[i++] = STRING;
        i = templateText(text, i, kind);
        if (i < 0) {
          i = -i; // a nested ${ opened: the template is still open
          if (inTemplates == templates.length) templates = java.util.Arrays.copyOf(templates, inTemplates * 2);
          templates[inTemplates++] = 0;
        }
        continue;
      }
      if (inTemplates > 0 && c == '{') templates[inTemplates - 1]++;
      if (inTemplates > 0 && c == '}') templates[inTemplates - 1]--;
      byte here = inTemplates > 0 ? STRING : CODE;
      if (!python && c == '/' && i + 1 < n && text.charAt(i + 1) == '/' || python && c == '#') {
        int end = lineEnd(text, i);
        fill(kind, i, end, inTemplates > 0 ? STRING : COMMENT);
        i = end;
      } else if (!python && c == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
        int end = text.indexOf("*/", i + 2);
        end = end < 0 ? n : end + 2;
        fill(kind, i, end, inTemplates > 0 ? STRING : COMMENT);
        i = end;
      } else if ((c == '"' || c == '\'') && text.startsWith(String.valueOf(c).repeat(3), i)
          && (python || c == '"')) {
        String quotes = String.valueOf(c).repeat(3);
        int end = i + 3;
        while (end < n && !text.startsWith(quotes, end)) end += text.charAt(end) == '\\' ? 2 : 1;
        end = Math.min(n, end + 3);
        fill(kind, i, end, STRING);
        i = end;
      } else if (c == '"' || c == '\'') {
        int end = i + 1;
        while (end < n && text.charAt(end) != c && text.charAt(end) != '\n') end += text.charAt(end) == '\\' ? 2 : 1;
        end = Math.min(n, end < n && text.charAt(end) == c ? end + 1 : end);
        fill(kind, i, end, STRING);
        i = end;
      } else if (c == '`' && script) {
        kind[i++] = STRING;
        i = templateText(text, i, kind);
        if (i < 0) {
          i = -i;
          if (inTemplates == templates.length) templates = java.util.Arrays.copyOf(templates, inTemplates * 2);
          templates[inTemplates++] = 0;
        }
      } else if (c == '`' && !python) { // Go raw string, Kotlin/Scala quoted names: no escapes, may span lines
        int end = text.indexOf('`', i + 1);
        end = end < 0 ? n : end + 1;
        fill(kind, i, end, STRING);
        i = end;
      } else if (c == '/' && script && "(,=:[!&|?{};+-*%<>~^\n".indexOf(lastCode) >= 0) {
        int end = regexEnd(text, i);
        if (end > 0) {
          fill(kind, i, end, STRING);
          i = end;
        } else {
          kind[i++] = here;
        }
        lastCode = '/';
      } else {
        kind[i++] = here;
        if (!Segmenter.isWs(c) || c == '\n') lastCode = c;
      }
    }
    return kind;
  }

  /** Marks template text from {@code i} up to its closing backtick; returns after it, or minus after an opening ${. */
  private static int templateText(String text, int i, byte[] kind) {
    int n = text.length();
    while (i < n) {
      char c = text.charAt(i);
      if (c == '\\') {
        fill(kind, i, Math.min(n, i + 2), STRING);
        i += 2;
        continue;
      }
      kind[i] = STRING;
      if (c == '`') return i + 1;
      if (c == '$' && i + 1 < n && text.charAt(i + 1) == '{') {
        kind[i + 1] = STRING;
        return -(i + 2);
      }
      i++;
    }
    return n;
  }

  /** The end of a regular expression literal starting at {@code i} on the same line, or -1 when it is none. */
  private static int regexEnd(String text, int i) {
    int n = text.length();
    if (i + 1 >= n || text.charAt(i + 1) == '/' || text.charAt(i + 1) == '*') return -1;
    boolean inClass = false;
    for (int j = i + 1; j < n; j++) {
      char c = text.charAt(j);
      if (c == '\n') return -1;
      if (c == '\\') {
        j++;
      } else if (c == '[') {
        inClass = true;
      } else if (c == ']') {
        inClass = false;
      } else if (c == '/' && !inClass) {
        return j + 1;
      }
    }
    return -1;
  }

  private static int lineEnd(String text, int i) {
    int end = text.indexOf('\n', i);
    return end < 0 ? text.length() : end;
  }

  private static void fill(byte[] kind, int from, int to, byte value) {
    for (int k = from; k < to; k++) kind[k] = value;
  }
}
