package dev.precis.engine;

/**
 * Limits one compression must stay within: a deadline, checked between pipeline stages so that a request past its
 * time stops working instead of holding a thread, and the most input tokens the engine accepts.
 *
 * <p>Example: {@code WorkLimits.until(System.nanoTime() + 2_000_000_000L, 100_000)} stops a compression at the first
 * check after two seconds, and refuses a context of more than 100,000 tokens once it has been counted.
 *
 * @param deadlineNanos the {@link System#nanoTime()} by which the work must be done; only used when {@code timed}
 * @param timed whether there is a deadline at all
 * @param maxInputTokens most tokens of the rendered input (in the request's encoding)
 */
public record WorkLimits(long deadlineNanos, boolean timed, int maxInputTokens) {
  /** No deadline and no token limit. */
  public static final WorkLimits NONE = new WorkLimits(0, false, Integer.MAX_VALUE);

  public WorkLimits {
    if (maxInputTokens <= 0) {
      throw new IllegalArgumentException("illegal maxInputTokens: " + maxInputTokens + ", must be > 0");
    }
  }

  /** A deadline as a {@link System#nanoTime()} value, and a token limit. */
  public static WorkLimits until(long deadlineNanos, int maxInputTokens) {
    return new WorkLimits(deadlineNanos, true, maxInputTokens);
  }

  /** Nanoseconds left before the deadline (negative once past it); {@link Long#MAX_VALUE} without one. */
  public long remainingNanos() {
    return timed ? deadlineNanos - System.nanoTime() : Long.MAX_VALUE;
  }

  /** @throws DeadlineExceededException naming the stage about to start when the deadline has passed */
  void check(String nextStage) {
    if (timed && deadlineNanos - System.nanoTime() < 0) throw new DeadlineExceededException(nextStage);
  }

  /** @throws InputTooLargeException when the counted input is over the limit */
  void checkInputTokens(int tokens, String encoding) {
    if (tokens > maxInputTokens) throw new InputTooLargeException(tokens, maxInputTokens, encoding);
  }

  /** A compression stopped because its deadline passed; no result is produced. */
  public static final class DeadlineExceededException extends RuntimeException {
    private final String stage;

    DeadlineExceededException(String stage) {
      super("the deadline passed before " + stage, null, false, false);
      this.stage = stage;
    }

    /** The stage that was about to start when the work stopped. */
    public String stage() {
      return stage;
    }
  }

  /** The input has more tokens than the engine is allowed to work on. */
  public static final class InputTooLargeException extends RuntimeException {
    private final int tokens;
    private final int limit;
    private final String encoding;

    InputTooLargeException(int tokens, int limit, String encoding) {
      super("the input has " + tokens + " tokens in " + encoding + ", more than the limit of " + limit, null, false,
          false);
      this.tokens = tokens;
      this.limit = limit;
      this.encoding = encoding;
    }

    public int tokens() {
      return tokens;
    }

    public int limit() {
      return limit;
    }

    public String encoding() {
      return encoding;
    }
  }
}
