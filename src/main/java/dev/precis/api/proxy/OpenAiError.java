package dev.precis.api.proxy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;

/**
 * An error in OpenAI's shape, so that OpenAI clients show its message:
 * {@code {"error": {"message": "...", "type": "...", "param": null, "code": "..."}}}.
 */
public record OpenAiError(int status, String message, String type, String param, String code) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The error as OpenAI sends it: {@code {"error": {...}}}. */
  public String json() {
    ObjectNode error = JSON.createObjectNode();
    error.put("message", message);
    error.put("type", type);
    error.put("param", param);
    error.put("code", code);
    ObjectNode root = JSON.createObjectNode();
    root.set("error", error);
    return root.toString();
  }

  void send(HttpServerResponse response) {
    if (response.headWritten()) {
      response.reset();
      return;
    }
    response.setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(json());
  }
}
