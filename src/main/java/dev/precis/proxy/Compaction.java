package dev.precis.proxy;

import java.util.Arrays;

/**
 * Decides each context segment's share of the budget so that the conversation's earlier requests keep their bytes:
 * what a provider's prompt cache holds from the last request still matches the next one.
 *
 * <p>The conversation is replayed step by step (a step is one model call; its request holds every message of the
 * steps up to it), from the request alone, so the same request always gets the same shares and a pod that never saw
 * the conversation decides as one that did. At each step the new segments arrive whole. While the step's context
 * fits its budget nothing else changes, so each earlier segment keeps the share, and therefore the rendering, it had.
 * When it does not fit, the step re-compacts: the earlier segments' shares shrink together (by the older weight
 * {@code w} relative to the new ones, as in {@link TurnShares}) so that the context takes the target fraction
 * {@code h} of the budget, leaving room for the next steps to arrive whole; the new segments then get whatever of
 * the full budget is left. A pinned segment (before a prompt-cache breakpoint) always keeps all its tokens.
 *
 * <p>Example: budget 1,000, target 0.5, {@code w} 0.5; step 0 brings 600 tokens (kept whole), step 1 brings 300
 * (900 fit: kept whole, step 0's share unchanged), step 2 brings 400: 1,300 do not fit, so steps 0 and 1 shrink to
 * shares 176 and 88 (the fit of all three into 500 tokens, earlier context weighted half) and step 2's 400 arrive
 * whole, as 736 tokens are left of the budget: 664 in all, room for the next 336 tokens before the next
 * re-compaction.
 */
public final class Compaction {
  private Compaction() {}

  /**
   * @param shares the tokens each segment may take in this request (its size when it is forwarded whole)
   * @param events how many re-compactions the conversation went through, this request's included
   * @param recompacted whether this request's step re-compacted earlier context (the cache breaks there)
   */
  public record Result(int[] shares, int events, boolean recompacted) {
    public Result {
      shares = shares.clone();
    }

    @Override
    public int[] shares() {
      return shares.clone();
    }

    public int share(int segment) {
      return shares[segment];
    }
  }

  /**
   * @param tokens each segment's size
   * @param steps the step each segment arrived in, in [0, budgets.length)
   * @param pinned whether a segment must keep all its tokens
   * @param budgets the context budget of each step's request
   * @param olderWeight {@code w} in (0, 1]
   * @param target {@code h} in (0, 1]
   */
  public static Result plan(int[] tokens, int[] steps, boolean[] pinned, int[] budgets, double olderWeight,
      double target) {
    int n = tokens.length;
    if (steps.length != n || pinned.length != n) {
      throw new IllegalArgumentException("illegal segments: " + n + " sizes, " + steps.length + " steps, "
          + pinned.length + " pins");
    }
    if (!(target > 0 && target <= 1)) throw new IllegalArgumentException("illegal target: " + target
        + ", must be in (0, 1]");
    int last = budgets.length - 1;
    for (int s : steps) {
      if (s < 0 || s > last) throw new IllegalArgumentException("illegal step: " + s + ", must be in [0, " + last + "]");
    }
    int[] share = new int[n];
    int events = 0;
    boolean recompacted = false;
    for (int step = 0; step <= last; step++) {
      long total = 0;
      for (int i = 0; i < n; i++) {
        if (steps[i] == step) {
          share[i] = tokens[i];
        }
        if (steps[i] <= step) total += share[i];
      }
      int budget = budgets[step];
      if (total <= budget) continue;

      long pinnedTokens = 0;
      int older = 0;
      for (int i = 0; i < n; i++) {
        if (steps[i] > step) continue;
        if (pinned[i]) pinnedTokens += share[i];
        else if (steps[i] < step && share[i] > 0) older++;
      }
      long free = Math.max(0, budget - pinnedTokens);
      if (older > 0) {
        // Earlier context shrinks to leave the target's room; the new context is weighted 1, the earlier w.
        int[] index = movable(steps, pinned, step);
        int[] sizes = new int[index.length];
        int[] ages = new int[index.length];
        for (int k = 0; k < index.length; k++) {
          sizes[k] = share[index[k]];
          ages[k] = steps[index[k]] < step ? 1 : 0;
        }
        int room = (int) Math.min(free, Math.max(0, (long) Math.floor(target * budget) - pinnedTokens));
        int[] fitted = TurnShares.allocate(sizes, ages, olderWeight, room);
        boolean changed = false;
        for (int k = 0; k < index.length; k++) {
          if (ages[k] == 1) {
            changed |= fitted[k] != share[index[k]];
            share[index[k]] = fitted[k];
            free -= fitted[k];
          }
        }
        if (changed) {
          events++;
          if (step == last) recompacted = true;
        }
      }
      // The new context takes what is left of the whole budget, each new segment the same fraction of its size.
      int current = step;
      int[] fresh = Arrays.stream(movable(steps, pinned, step)).filter(i -> steps[i] == current).toArray();
      int[] freshSizes = new int[fresh.length];
      for (int k = 0; k < fresh.length; k++) freshSizes[k] = tokens[fresh[k]];
      int[] fitted = TurnShares.allocate(freshSizes, new int[fresh.length], 1, (int) Math.max(0, free));
      for (int k = 0; k < fresh.length; k++) share[fresh[k]] = fitted[k];
    }
    return new Result(share, events, recompacted);
  }

  /** The segments up to {@code step} that are not pinned. */
  private static int[] movable(int[] steps, boolean[] pinned, int step) {
    int count = 0;
    for (int i = 0; i < steps.length; i++) if (steps[i] <= step && !pinned[i]) count++;
    int[] index = new int[count];
    int k = 0;
    for (int i = 0; i < steps.length; i++) if (steps[i] <= step && !pinned[i]) index[k++] = i;
    return index;
  }
}
