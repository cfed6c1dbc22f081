package dev.precis.proxy;

/**
 * One piece of context in a request: the characters {@code [start, end)} of the JSON string at {@code pointer} (a
 * JSON Pointer such as {@code /messages/2/content}, {@code /messages/0/content/1/text} or {@code /input/3/output}).
 *
 * @param step which model call of the conversation first sent it: 0 for the messages before the first assistant
 *     message, then one more after each assistant message (an agent loop's tool results each arrive in a step of
 *     their own)
 * @param query the question it is compressed for: the latest user text (outside context tags) of the request its
 *     step sent, or null when that request had none. It never depends on later steps, so the same segment is
 *     compressed the same way in every later request of the conversation
 * @param pinned whether it lies before the request's last prompt-cache breakpoint (Anthropic's
 *     {@code cache_control}) and must be forwarded unchanged
 */
public record ContextSegment(String pointer, int start, int end, String text, int step, String query,
    boolean pinned, Kind kind) {
  public ContextSegment {
    if (start < 0 || end < start) {
      throw new IllegalArgumentException("illegal segment range: [" + start + ", " + end + ")");
    }
    if (text.length() != end - start) {
      throw new IllegalArgumentException("illegal segment: text length " + text.length() + " for range ["
          + start + ", " + end + ")");
    }
    if (step < 0) throw new IllegalArgumentException("illegal step: " + step + ", must be >= 0");
  }

  /** Why the text is context. */
  public enum Kind {
    /** Inside the context tag. */
    TAGGED,
    /** A tool's result: a {@code tool} message, a {@code tool_result} block, a {@code function_call_output}. */
    TOOL_RESULT,
    /** An Anthropic {@code document} block with text. */
    DOCUMENT,
    /** A {@code system} or earlier {@code user} message over the configured size. */
    LARGE_MESSAGE
  }
}
