package dev.precis.api;

/** A request the service refuses, with the status and a detail telling the caller what to change. */
public final class ProblemException extends RuntimeException {
  private final int status;
  private final String title;
  private final int retryAfterSeconds;

  public ProblemException(int status, String title, String detail) {
    this(status, title, detail, 0);
  }

  /** A refusal that the caller may retry after the given seconds (sent as {@code Retry-After}; 0 for none). */
  public ProblemException(int status, String title, String detail, int retryAfterSeconds) {
    super(detail, null, false, false);
    this.status = status;
    this.title = title;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public static ProblemException badRequest(String detail) {
    return new ProblemException(400, "Bad Request", detail);
  }

  public static ProblemException notFound(String detail) {
    return new ProblemException(404, "Not Found", detail);
  }

  public static ProblemException tooLarge(String detail) {
    return new ProblemException(413, "Content Too Large", detail);
  }

  /** 429: the service is at capacity and its queue is full. */
  public static ProblemException tooManyRequests(String detail, int retryAfterSeconds) {
    return new ProblemException(429, "Too Many Requests", detail, retryAfterSeconds);
  }

  /** 503: the request could not be served in time. */
  public static ProblemException unavailable(String detail, int retryAfterSeconds) {
    return new ProblemException(503, "Service Unavailable", detail, retryAfterSeconds);
  }

  public int status() {
    return status;
  }

  public String title() {
    return title;
  }

  /** Seconds after which a retry may succeed, or 0 when retrying the same request will not help. */
  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
