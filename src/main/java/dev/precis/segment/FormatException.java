package dev.precis.segment;

/**
 * A document declared in a format does not parse as that format. Line and column are 1-based and point at the first
 * character that breaks the format.
 */
public final class FormatException extends IllegalArgumentException {
  private final Format format;
  private final int line;
  private final int column;

  public FormatException(Format format, int line, int column, String problem) {
    super("not valid " + format.label() + " at line " + line + ", column " + column + ": " + problem);
    this.format = format;
    this.line = line;
    this.column = column;
  }

  public Format format() {
    return format;
  }

  public int line() {
    return line;
  }

  public int column() {
    return column;
  }

  /** The 1-based line and column of char offset {@code offset} of {@code text}. */
  public static int[] lineAndColumn(String text, int offset) {
    int line = 1;
    int lineStart = 0;
    int end = Math.min(offset, text.length());
    for (int i = 0; i < end; i++) {
      if (text.charAt(i) == '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    return new int[] {line, end - lineStart + 1};
  }
}
