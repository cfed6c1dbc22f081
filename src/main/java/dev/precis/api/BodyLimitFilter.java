package dev.precis.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.precis.api.proxy.ProxyError;
import dev.precis.api.proxy.LlmProxy;
import dev.precis.config.PrecisConfig;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Refuses a body over the limit with a 413 problem that states the limit.
 *
 * <p>The limit is {@code precis.limits.max-body-bytes}, or Quarkus' hard {@code quarkus.http.limits.max-body-size}
 * when that is lower. Runs on the HTTP router ahead of Quarkus' own size check, which would answer 413 without a
 * body: a body with a Content-Length is refused before it is read. A chunked body (no Content-Length) cannot be
 * judged before it is read: it gets the same limit, and Quarkus REST cuts it off once it passes it, but that 413
 * has no body (Quarkus REST writes it itself and closes the connection).
 */
@ApplicationScoped
public class BodyLimitFilter {
  /** Quarkus' own check runs at order -2; the Content-Length check must come before it. */
  private static final int BEFORE_QUARKUS_LIMIT = -3;
  /** The chunked limit must be set after Quarkus' check, which puts its own limit in the same key. */
  private static final int AFTER_QUARKUS_LIMIT = -1;
  /** Where Quarkus REST reads the limit of a chunked body (VertxHttpRecorder.MAX_REQUEST_SIZE_KEY). */
  static final String MAX_REQUEST_SIZE_KEY = "io.quarkus.max-request-size";

  private final long limit;
  private final String limitName;
  private final ObjectMapper json;

  public BodyLimitFilter(PrecisConfig config,
      @ConfigProperty(name = "quarkus.http.limits.max-body-size") Optional<MemorySize> hardLimit, ObjectMapper json) {
    long precis = config.limits().maxBodyBytes();
    long hard = hardLimit.map(MemorySize::asLongValue).orElse(Long.MAX_VALUE);
    this.limit = Math.min(precis, hard);
    this.limitName = precis <= hard ? "precis.limits.max-body-bytes" : "quarkus.http.limits.max-body-size";
    this.json = json;
  }

  void install(@Observes Router router) {
    router.route().order(BEFORE_QUARKUS_LIMIT).handler(this::checkLength);
    router.route().order(AFTER_QUARKUS_LIMIT).handler(this::limitChunked);
  }

  /** What the caller should read to learn about the limit: the bytes and the setting. */
  String limitDetail() {
    return "send at most " + limit + " bytes (" + limitName + ")";
  }

  private void checkLength(RoutingContext context) {
    String length = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null) {
      long bytes;
      try {
        bytes = Long.parseLong(length.trim());
      } catch (NumberFormatException e) {
        refuse(context, 400, "Bad Request", "Content-Length '" + length + "' is not a number of bytes");
        return;
      }
      if (bytes > limit) {
        refuse(context, 413, "Content Too Large", "the body has " + bytes + " bytes: " + limitDetail());
        return;
      }
    }
    context.next();
  }

  private void limitChunked(RoutingContext context) {
    if (context.request().getHeader(HttpHeaders.CONTENT_LENGTH) == null) {
      Long current = context.get(MAX_REQUEST_SIZE_KEY);
      context.put(MAX_REQUEST_SIZE_KEY, current == null ? limit : Math.min(current, limit));
    }
    context.next();
  }

  private void refuse(RoutingContext context, int status, String title, String detail) {
    // Clients talking to the proxy read their API's error shape; Precis' own API answers problem details.
    String path = context.normalizedPath();
    boolean openAi = LlmProxy.isProxied(path);
    String body;
    try {
      body = openAi
          ? new ProxyError(status, detail, "invalid_request_error", null,
              status == 413 ? "request_too_large" : "invalid_content_length").json(ProxyError.Shape.forPath(path))
          : json.writeValueAsString(new Problem("about:blank", title, status, detail, null));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a problem detail must serialise", e);
    }
    // The body is not read: close the connection so that its bytes are not taken for the next request.
    context.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, openAi ? "application/json" : Problem.MEDIA_TYPE)
        .putHeader(HttpHeaders.CONNECTION, "close")
        .end(body);
  }
}
