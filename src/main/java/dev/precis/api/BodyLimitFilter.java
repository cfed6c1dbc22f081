package dev.precis.api;

import dev.precis.config.PrecisConfig;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/** Refuses a body over the configured limit before reading it, with a 413 that states the limit. */
public class BodyLimitFilter {
  private final long maxBodyBytes;

  public BodyLimitFilter(PrecisConfig config) {
    this.maxBodyBytes = config.limits().maxBodyBytes();
  }

  @ServerRequestFilter(preMatching = true)
  public Response limit(ContainerRequestContext context) {
    String length = context.getHeaderString(HttpHeaders.CONTENT_LENGTH);
    if (length == null) return null;
    long bytes;
    try {
      bytes = Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      return Problem.response(400, "Bad Request", "Content-Length '" + length + "' is not a number");
    }
    if (bytes > maxBodyBytes) {
      return Problem.response(413, "Content Too Large", "the body has " + bytes + " bytes: send at most "
          + maxBodyBytes + " (precis.limits.max-body-bytes)");
    }
    return null;
  }
}
