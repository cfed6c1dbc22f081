package dev.precis.proxy;

/**
 * Splits a context budget over segments, older turns harder.
 *
 * <p>A segment of {@code t} tokens, {@code k} user turns back, keeps {@code min(t, floor(λ · w^k · t))} tokens,
 * with {@code λ} the largest value whose shares sum to at most the budget. Segments of one turn keep the same
 * fraction of their size; a segment whose fraction reaches 1 stays whole and its unused share goes to the others.
 * Example: budget 300, two segments of 400 tokens, one in the latest turn and one a turn older, {@code w = 0.5}:
 * {@code λ = 0.5}, shares 200 and 100.
 */
public final class TurnShares {
  private TurnShares() {}

  public static int[] allocate(int[] tokens, int[] turnAges, double olderTurnWeight, int budget) {
    int n = tokens.length;
    if (turnAges.length != n) throw new IllegalArgumentException("illegal ages: " + turnAges.length + " for " + n);
    double[] weight = new double[n];
    for (int i = 0; i < n; i++) weight[i] = Math.pow(olderTurnWeight, turnAges[i]);
    int[] share = new int[n];
    boolean[] fixed = new boolean[n];
    long remaining = budget;
    while (true) {
      double weighted = 0;
      for (int i = 0; i < n; i++) if (!fixed[i]) weighted += weight[i] * tokens[i];
      if (weighted == 0) break;
      double lambda = remaining / weighted;
      boolean changed = false;
      for (int i = 0; i < n; i++) {
        if (!fixed[i] && lambda * weight[i] >= 1) {
          fixed[i] = true;
          share[i] = tokens[i];
          remaining -= tokens[i];
          changed = true;
        }
      }
      if (!changed) {
        for (int i = 0; i < n; i++) {
          if (!fixed[i]) share[i] = (int) Math.min(tokens[i], Math.floor(lambda * weight[i] * tokens[i]));
        }
        break;
      }
    }
    return share;
  }
}
