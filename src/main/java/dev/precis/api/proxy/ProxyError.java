package dev.precis.api.proxy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;

/**
 * An error of the proxy in the shape the client's API uses, so that its SDK shows the message. OpenAI (chat
 * completions, Responses, the rest of {@code /v1}): {@code {"error": {"message": "...", "type": "...", "param":
 * null, "code": "..."}}}. Anthropic ({@code /v1/messages}): {@code {"type": "error", "error": {"type":
 * "invalid_request_error", "message": "..."}}}, the type chosen by status as Anthropic does.
 *
 * @param type OpenAI's {@code error.type}
 * @param param OpenAI's {@code error.param}, or null
 * @param code OpenAI's {@code error.code}, or null
 */
public record ProxyError(int status, String message, String type, String param, String code) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Which API's error shape a path's clients read. */
  public enum Shape {
    OPENAI, ANTHROPIC;

    public static Shape forPath(String path) {
      return path != null && (path.equals("/v1/messages") || path.startsWith("/v1/messages/")) ? ANTHROPIC : OPENAI;
    }
  }

  /** The error as OpenAI sends it: {@code {"error": {...}}}. */
  public String json() {
    return json(Shape.OPENAI);
  }

  public String json(Shape shape) {
    ObjectNode root = JSON.createObjectNode();
    if (shape == Shape.ANTHROPIC) {
      root.put("type", "error");
      ObjectNode error = root.putObject("error");
      error.put("type", anthropicType(status));
      error.put("message", message);
      return root.toString();
    }
    ObjectNode error = root.putObject("error");
    error.put("message", message);
    error.put("type", type);
    error.put("param", param);
    error.put("code", code);
    return root.toString();
  }

  /** Anthropic's error types by HTTP status (https://docs.anthropic.com/en/api/errors). */
  static String anthropicType(int status) {
    return switch (status) {
      case 400 -> "invalid_request_error";
      case 401 -> "authentication_error";
      case 403 -> "permission_error";
      case 404 -> "not_found_error";
      case 413 -> "request_too_large";
      case 429 -> "rate_limit_error";
      case 529 -> "overloaded_error";
      default -> "api_error";
    };
  }

  void send(HttpServerResponse response, Shape shape) {
    if (response.headWritten()) {
      response.reset();
      return;
    }
    response.setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(json(shape));
  }
}
