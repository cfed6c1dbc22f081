package dev.precis.proxy;

import java.util.Locale;

/** The LLM APIs whose requests the proxy reads, each with the path it serves under {@code /v1}. */
public enum ApiFamily {
  /** OpenAI chat completions: {@code POST /v1/chat/completions}, {@code messages}. */
  CHAT_COMPLETIONS("/v1/chat/completions"),
  /** OpenAI Responses: {@code POST /v1/responses}, {@code instructions} and {@code input} items. */
  RESPONSES("/v1/responses"),
  /** Anthropic Messages: {@code POST /v1/messages}, {@code system} and content blocks. */
  MESSAGES("/v1/messages");

  private final String path;

  ApiFamily(String path) {
    this.path = path;
  }

  public String path() {
    return path;
  }

  /** The metrics' and logs' name: {@code chat}, {@code responses}, {@code messages}. */
  public String label() {
    return this == CHAT_COMPLETIONS ? "chat" : name().toLowerCase(Locale.ROOT);
  }
}
