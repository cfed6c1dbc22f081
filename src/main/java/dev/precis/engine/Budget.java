package dev.precis.engine;

/**
 * How many tokens the compressed context may take: an absolute {@code maxTokens}, or a {@code ratio} R >= 1 meaning
 * {@code floor(inputTokens / R)} (at least 1). Exactly one of the two is set.
 */
public record Budget(Integer maxTokens, Double ratio) {
  public Budget {
    if ((maxTokens == null) == (ratio == null)) {
      throw new IllegalArgumentException("illegal budget: give exactly one of maxTokens and ratio");
    }
    if (maxTokens != null && maxTokens <= 0) {
      throw new IllegalArgumentException("illegal budget.maxTokens: " + maxTokens + ", must be > 0");
    }
    if (ratio != null && (ratio.isNaN() || ratio.isInfinite() || ratio < 1.0)) {
      throw new IllegalArgumentException("illegal budget.ratio: " + ratio + ", must be a finite number >= 1");
    }
  }

  public static Budget ofTokens(int maxTokens) {
    return new Budget(maxTokens, null);
  }

  public static Budget ofRatio(double ratio) {
    return new Budget(null, ratio);
  }

  /** The token limit for a context of {@code inputTokens} tokens. */
  public int resolve(int inputTokens) {
    if (maxTokens != null) return maxTokens;
    return (int) Math.max(1, Math.floor(inputTokens / ratio));
  }
}
