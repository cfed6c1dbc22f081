package dev.precis.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CompactionTest {
  private static final Compaction.Policy POLICY = new Compaction.Policy(0.5, 0.5, 2, 1);

  /** Step {@code s} of a conversation whose steps each bring one segment of the given sizes. */
  private static Compaction.Result step(int s, int budget, int... sizes) {
    int[] tokens = Arrays.copyOf(sizes, s + 1);
    int[] steps = new int[s + 1];
    for (int i = 0; i <= s; i++) steps[i] = i;
    int[] budgets = new int[s + 1];
    Arrays.fill(budgets, budget);
    return Compaction.plan(tokens, steps, new boolean[s + 1], budgets, POLICY);
  }

  @Test
  void theJavadocExample() {
    int[] sizes = {300, 300, 300, 300, 300, 300, 300, 300};
    assertArrayEquals(new int[] {300, 300, 300}, step(2, 1000, sizes).shares());
    Compaction.Result atStep3 = step(3, 1000, sizes);
    assertArrayEquals(new int[] {75, 75, 75, 300}, atStep3.shares());
    assertArrayEquals(new int[] {2, 2, 2, 0}, atStep3.levels());
    assertTrue(atStep3.recompacted());
    Compaction.Result atStep4 = step(4, 1000, sizes);
    assertArrayEquals(new int[] {75, 75, 75, 300, 300}, atStep4.shares());
    assertFalse(atStep4.recompacted());
    assertEquals(1, atStep4.events());
    Compaction.Result atStep5 = step(5, 1000, sizes);
    assertArrayEquals(new int[] {0, 0, 0, 0, 0, 300}, atStep5.shares());
    assertEquals(2, atStep5.events());
  }

  /**
   * A level that is not full stays as it is, so most re-compactions rewrite only the conversation since an earlier
   * one; the whole conversation is rewritten only when every level is full.
   */
  @Test
  void mostRecompactionsRewriteOnlyASuffix() {
    int[] sizes = new int[60];
    Arrays.fill(sizes, 100);
    int recompactions = 0;
    int wholeRewrites = 0;
    StringBuilder trace = new StringBuilder();
    Compaction.Result before = step(0, 1000, sizes);
    for (int s = 1; s < sizes.length; s++) {
      Compaction.Result after = step(s, 1000, sizes);
      if (after.recompacted()) {
        int firstChanged = 0;
        while (firstChanged < s && before.share(firstChanged) == after.share(firstChanged)) firstChanged++;
        recompactions++;
        if (firstChanged == 0) wholeRewrites++;
        trace.append(s).append(':').append(firstChanged).append(' ');
      }
      before = after;
    }
    assertTrue(recompactions >= 5 && recompactions <= 20, trace.toString());
    assertTrue(wholeRewrites * 2 <= recompactions, "step:first changed segment " + trace);
  }

  @Test
  void aSingleRequestFillsItsBudgetAsBefore() {
    Compaction.Result r = Compaction.plan(new int[] {1000, 3000}, new int[] {0, 0}, new boolean[2],
        new int[] {2000}, POLICY);
    assertArrayEquals(new int[] {500, 1500}, r.shares(), "each the same fraction, the whole budget used");
    assertEquals(0, r.events(), "nothing earlier changed");
    assertFalse(r.recompacted());
  }

  @Test
  void pinnedContextKeepsItsTokens() {
    Compaction.Result r = Compaction.plan(new int[] {800, 800, 800}, new int[] {0, 1, 2},
        new boolean[] {true, false, false}, new int[] {1000, 1000, 1000}, POLICY);
    assertEquals(800, r.share(0));
    assertTrue(Arrays.stream(r.shares()).sum() <= 1000, Arrays.toString(r.shares()));
  }

  @Test
  void illegalArgumentsAreNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Compaction.plan(new int[] {1}, new int[] {3}, new boolean[1], new int[] {10}, POLICY));
    assertEquals("illegal step: 3, must be in [0, 0]", e.getMessage());
    assertEquals("illegal target: 0.0, must be in (0, 1]", assertThrows(IllegalArgumentException.class,
        () -> new Compaction.Policy(0, 0.5, 2, 1)).getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Compaction.Policy(0.5, 0.5, 0, 1));
  }

  /**
   * A conversation replayed request by request: every request fits its budget, and a request that does not
   * re-compact gives each earlier segment exactly the share the previous request gave it, so a provider's prompt
   * cache of the previous request still matches.
   */
  @Test
  void requestsThatDoNotRecompactKeepEarlierSharesAndEveryRequestFits() {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    for (int conversation = 0; conversation < 200; conversation++) {
      int steps = 1 + random.nextInt(30);
      int budget = 200 + random.nextInt(5000);
      Compaction.Policy policy = new Compaction.Policy(0.1 + 0.9 * random.nextDouble(),
          random.nextInt(5) == 0 ? 1 : 0.05 + 0.9 * random.nextDouble(), 1 + random.nextInt(5),
          random.nextBoolean() ? 1 : 0.05 + 0.95 * random.nextDouble());
      int n = 0;
      int[] tokens = new int[200];
      int[] stepOf = new int[200];
      boolean[] pinned = new boolean[200];
      int[] previous = null;
      int events = 0;
      for (int step = 0; step < steps; step++) {
        int arriving = random.nextInt(4);
        for (int k = 0; k < arriving && n < tokens.length; k++) {
          tokens[n] = 1 + random.nextInt(random.nextBoolean() ? 300 : 3000);
          stepOf[n] = step;
          pinned[n] = step < 2 && random.nextInt(10) == 0;
          n++;
        }
        int[] budgets = new int[step + 1];
        Arrays.fill(budgets, budget);
        Compaction.Result r = Compaction.plan(Arrays.copyOf(tokens, n), Arrays.copyOf(stepOf, n),
            Arrays.copyOf(pinned, n), budgets, policy);
        String where = "seed " + seed + ", conversation " + conversation + ", step " + step;
        long pinnedTokens = 0;
        for (int i = 0; i < n; i++) if (pinned[i]) pinnedTokens += tokens[i];
        long total = Arrays.stream(r.shares()).asLongStream().sum();
        assertTrue(total <= Math.max(budget, pinnedTokens), where + ": " + total + " over " + budget);
        for (int i = 0; i < n; i++) {
          assertTrue(r.share(i) >= 0 && r.share(i) <= tokens[i], where);
          if (pinned[i]) assertEquals(tokens[i], r.share(i), where + ": pinned");
        }
        assertTrue(r.events() == events || r.events() == events + 1, where);
        assertEquals(r.events() == events + 1, r.recompacted(), where);
        if (previous != null && !r.recompacted()) {
          for (int i = 0; i < previous.length; i++) {
            assertEquals(previous[i], r.share(i), where + ": segment " + i + " changed without a re-compaction");
          }
        }
        int[] levels = r.levels();
        int lastLevel = Integer.MAX_VALUE;
        for (int i = 0; i < n; i++) {
          if (pinned[i]) continue;
          assertTrue(levels[i] <= lastLevel, where + ": levels " + Arrays.toString(levels) + " increase");
          lastLevel = levels[i];
        }
        events = r.events();
        previous = r.shares();
      }
    }
  }
}
