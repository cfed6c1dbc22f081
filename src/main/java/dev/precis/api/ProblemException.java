package dev.precis.api;

/** A request the service refuses, with the status and a detail telling the caller what to change. */
public final class ProblemException extends RuntimeException {
  private final int status;
  private final String title;

  public ProblemException(int status, String title, String detail) {
    super(detail, null, false, false);
    this.status = status;
    this.title = title;
  }

  public static ProblemException badRequest(String detail) {
    return new ProblemException(400, "Bad Request", detail);
  }

  public static ProblemException tooLarge(String detail) {
    return new ProblemException(413, "Content Too Large", detail);
  }

  public int status() {
    return status;
  }

  public String title() {
    return title;
  }
}
