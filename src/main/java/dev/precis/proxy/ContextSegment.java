package dev.precis.proxy;

/**
 * One piece of context in a chat request: the characters {@code [start, end)} of the JSON string at
 * {@code pointer} (a JSON Pointer such as {@code /messages/2/content} or {@code /messages/0/content/1/text}).
 *
 * @param turnAge how many {@code user} messages follow the message holding it (0: the latest turn)
 */
public record ContextSegment(String pointer, int start, int end, String text, int turnAge, Kind kind) {
  public ContextSegment {
    if (start < 0 || end < start) {
      throw new IllegalArgumentException("illegal segment range: [" + start + ", " + end + ")");
    }
    if (text.length() != end - start) {
      throw new IllegalArgumentException("illegal segment: text length " + text.length() + " for range ["
          + start + ", " + end + ")");
    }
    if (turnAge < 0) throw new IllegalArgumentException("illegal turnAge: " + turnAge + ", must be >= 0");
  }

  /** Why the text is context. */
  public enum Kind {
    /** Inside the context tag. */
    TAGGED,
    /** The content of a {@code tool} or {@code function} message. */
    TOOL_RESULT,
    /** A {@code system} or earlier {@code user} message over the configured size. */
    LARGE_MESSAGE
  }
}
