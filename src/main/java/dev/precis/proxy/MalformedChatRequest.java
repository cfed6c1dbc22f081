package dev.precis.proxy;

/** A request body that is not a chat completion request; the message says what to change. */
public final class MalformedChatRequest extends IllegalArgumentException {
  private final String param;

  public MalformedChatRequest(String message, String param) {
    super(message);
    this.param = param;
  }

  /** The offending field (OpenAI's {@code error.param}), or null. */
  public String param() {
    return param;
  }
}
