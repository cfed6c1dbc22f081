package dev.precis.proxy;

/**
 * Decides each context segment's share of the budget so that the conversation's earlier requests keep their bytes:
 * what a provider's prompt cache holds of the previous request still matches the next one.
 *
 * <p>The conversation is replayed step by step (a step is one model call; its request holds every message of the
 * steps up to it), from the request alone, so the same request always gets the same shares and a pod that never saw
 * the conversation decides as one that did. A segment arrives at level 0 with its arrival share: all its tokens, or
 * the arrival ratio of them when that is below 1 and the segment is over {@link #ARRIVAL_MIN_TOKENS}. While a step's
 * context fits its budget nothing earlier changes, so each earlier segment keeps its share, and its rendering.
 *
 * <p>When it does not fit, the step re-compacts like a levelled log-structured merge tree. Every earlier segment at
 * level 0 goes to level 1, where it keeps the ratio {@code c} of its arrival share; then, for each level {@code k}
 * from 1 to {@code L}, if the level holds more than its capacity {@code h·B/L} (the target fraction {@code h} of
 * the budget {@code B} split evenly), all its segments go to level {@code k + 1}, keeping {@code c^(k+1)}; past level
 * {@code L} a segment is dropped. Levels never increase towards the end of the conversation and a level moves only
 * when it is full, so a re-compaction changes a suffix of the conversation, usually the part since the previous one,
 * and the prefix before it stays cached; the oldest context is rewritten only when every level has filled up. The new
 * segments then take what is left of the budget (each the same fraction of its arrival share when they do not all
 * fit). A pinned segment (before a prompt-cache breakpoint) always keeps all its tokens.
 *
 * <p>Example: budget 1,000, {@code h} 0.5, {@code c} 0.5, {@code L} 2 (capacity 250 a level); steps 0 to 2 bring 300
 * tokens each (900 fit: nothing changes); step 3 brings 300 more: 1,200 do not fit, so the three earlier segments go
 * to level 1 (150 each); level 1 then holds 450, over its 250, so they go on to level 2 (75 each, 225), and the new
 * segment arrives whole: 525 in all. Step 4 fits (825). At step 5 (1,125) the segments of steps 3 and 4 go to level 1
 * (300, over 250) and on to level 2 (75 each): level 2 holds 375, over its 250, so all five go past level 2 and are
 * dropped. See {@code CompactionTest} for more.
 */
public final class Compaction {
  /** A segment of at most this many tokens arrives whole whatever the arrival ratio. */
  public static final int ARRIVAL_MIN_TOKENS = 200;

  private Compaction() {}

  /**
   * @param shares the tokens each segment may take in this request (its size when it is forwarded whole)
   * @param levels each segment's level: 0 as it arrived, then one more per compaction it went through
   * @param events how many re-compactions the conversation went through, this request's included
   * @param recompacted whether this request's step re-compacted earlier context (the cache breaks there)
   */
  public record Result(int[] shares, int[] levels, int events, boolean recompacted) {
    public Result {
      shares = shares.clone();
      levels = levels.clone();
    }

    @Override
    public int[] shares() {
      return shares.clone();
    }

    @Override
    public int[] levels() {
      return levels.clone();
    }

    public int share(int segment) {
      return shares[segment];
    }
  }

  /**
   * How a conversation is compacted.
   *
   * @param target {@code h} in (0, 1]: the share of the budget the compacted levels may hold together
   * @param ratio {@code c} in (0, 1]: a segment at level {@code k} keeps {@code c^k} of its arrival share
   * @param levels {@code L} >= 1: how many compacted levels there are before a segment is dropped
   * @param arrivalRatio in (0, 1]: a new segment over {@link #ARRIVAL_MIN_TOKENS} arrives with this fraction of
   *     its tokens; 1 keeps new context whole while it fits
   */
  public record Policy(double target, double ratio, int levels, double arrivalRatio) {
    public Policy {
      if (!(target > 0 && target <= 1)) {
        throw new IllegalArgumentException("illegal target: " + target + ", must be in (0, 1]");
      }
      if (!(ratio > 0 && ratio <= 1)) throw new IllegalArgumentException("illegal ratio: " + ratio
          + ", must be in (0, 1]");
      if (levels < 1 || levels > 16) {
        throw new IllegalArgumentException("illegal levels: " + levels + ", must be in [1, 16]");
      }
      if (!(arrivalRatio > 0 && arrivalRatio <= 1)) {
        throw new IllegalArgumentException("illegal arrivalRatio: " + arrivalRatio + ", must be in (0, 1]");
      }
    }

    int arrivalShare(int tokens) {
      if (arrivalRatio >= 1 || tokens <= ARRIVAL_MIN_TOKENS) return tokens;
      return Math.max(ARRIVAL_MIN_TOKENS, (int) Math.ceil(arrivalRatio * tokens));
    }

    int share(int base, int level) {
      if (level == 0) return base;
      if (level > levels) return 0;
      return (int) Math.floor(base * Math.pow(ratio, level));
    }
  }

  /**
   * @param tokens each segment's size
   * @param steps the step each segment arrived in, in [0, budgets.length), never decreasing
   * @param pinned whether a segment must keep all its tokens
   * @param budgets the context budget of each step's request
   */
  public static Result plan(int[] tokens, int[] steps, boolean[] pinned, int[] budgets, Policy policy) {
    int n = tokens.length;
    if (steps.length != n || pinned.length != n) {
      throw new IllegalArgumentException("illegal segments: " + n + " sizes, " + steps.length + " steps, "
          + pinned.length + " pins");
    }
    int last = budgets.length - 1;
    for (int i = 0; i < n; i++) {
      if (steps[i] < 0 || steps[i] > last) {
        throw new IllegalArgumentException("illegal step: " + steps[i] + ", must be in [0, " + last + "]");
      }
      if (i > 0 && steps[i] < steps[i - 1]) {
        throw new IllegalArgumentException("illegal steps: " + steps[i] + " after " + steps[i - 1]
            + ", must not decrease");
      }
    }
    int[] base = new int[n];
    int[] level = new int[n];
    int events = 0;
    boolean recompacted = false;
    int from = 0; // first segment of the step
    for (int step = 0; step <= last; step++) {
      int to = from;
      while (to < n && steps[to] == step) {
        base[to] = pinned[to] ? tokens[to] : policy.arrivalShare(tokens[to]);
        to++;
      }
      long pinnedTokens = 0;
      long older = 0;
      long fresh = 0;
      for (int i = 0; i < to; i++) {
        if (pinned[i]) pinnedTokens += tokens[i];
        else if (i < from) older += policy.share(base[i], level[i]);
        else fresh += base[i];
      }
      int budget = budgets[step];
      if (pinnedTokens + older + fresh > budget) {
        boolean changed = false;
        long capacity = (long) Math.floor(policy.target() * budget / policy.levels());
        for (int depth = 0; depth <= policy.levels(); depth++) {
          // Level 0 always moves; a compacted level only when it holds more than its capacity.
          long held = 0;
          for (int i = 0; i < from; i++) if (!pinned[i] && level[i] == depth) held += policy.share(base[i], depth);
          if (depth > 0 && held <= capacity) continue;
          changed |= held > 0;
          for (int i = 0; i < from; i++) if (!pinned[i] && level[i] == depth) level[i] = depth + 1;
        }
        older = 0;
        for (int i = 0; i < from; i++) if (!pinned[i]) older += policy.share(base[i], level[i]);
        // Pinned context may leave too little room: drop the oldest levels until the earlier context fits.
        for (int deepest = policy.levels(); deepest >= 1 && pinnedTokens + older > budget; deepest--) {
          for (int i = 0; i < from; i++) {
            if (pinned[i] || level[i] < deepest || level[i] > policy.levels()) continue;
            older -= policy.share(base[i], level[i]);
            level[i] = policy.levels() + 1;
            changed = true;
          }
        }
        long free = Math.max(0, budget - pinnedTokens - older);
        if (fresh > free) {
          int[] freshBase = java.util.Arrays.copyOfRange(base, from, to);
          for (int i = from; i < to; i++) if (pinned[i]) freshBase[i - from] = 0;
          int[] fitted = TurnShares.allocate(freshBase, new int[freshBase.length], 1, (int) free);
          for (int i = from; i < to; i++) if (!pinned[i]) base[i] = fitted[i - from];
        }
        if (changed) {
          events++;
          if (step == last) recompacted = true;
        }
      }
      from = to;
    }
    int[] shares = new int[n];
    for (int i = 0; i < n; i++) shares[i] = pinned[i] ? tokens[i] : policy.share(base[i], level[i]);
    return new Result(shares, level, events, recompacted);
  }
}
