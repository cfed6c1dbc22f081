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
  private static final boolean[] NONE_PINNED = new boolean[3];

  @Test
  void theJavadocExample() {
    int[] tokens = {600, 300, 400};
    int[] steps = {0, 1, 2};
    int[] budgets = {1000, 1000, 1000};
    Compaction.Result atStep1 = Compaction.plan(new int[] {600, 300}, new int[] {0, 1}, new boolean[2],
        new int[] {1000, 1000}, 0.5, 0.5);
    assertArrayEquals(new int[] {600, 300}, atStep1.shares());
    assertEquals(0, atStep1.events());
    Compaction.Result atStep2 = Compaction.plan(tokens, steps, NONE_PINNED, budgets, 0.5, 0.5);
    assertArrayEquals(new int[] {176, 88, 400}, atStep2.shares());
    assertEquals(1, atStep2.events());
    assertTrue(atStep2.recompacted());
  }

  @Test
  void aSingleRequestFillsItsBudgetAsBefore() {
    Compaction.Result r = Compaction.plan(new int[] {1000, 3000}, new int[] {0, 0}, new boolean[2],
        new int[] {2000}, 0.5, 0.5);
    assertArrayEquals(new int[] {500, 1500}, r.shares(), "each the same fraction, the whole budget used");
    assertEquals(0, r.events(), "nothing earlier changed");
    assertFalse(r.recompacted());
  }

  @Test
  void pinnedContextKeepsItsTokens() {
    Compaction.Result r = Compaction.plan(new int[] {800, 800, 800}, new int[] {0, 1, 2},
        new boolean[] {true, false, false}, new int[] {1000, 1000, 1000}, 0.5, 0.5);
    assertEquals(800, r.share(0));
    assertTrue(Arrays.stream(r.shares()).sum() <= 1000, Arrays.toString(r.shares()));
  }

  @Test
  void illegalArgumentsAreNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Compaction.plan(new int[] {1}, new int[] {3}, new boolean[1], new int[] {10}, 0.5, 0.5));
    assertEquals("illegal step: 3, must be in [0, 0]", e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> Compaction.plan(new int[] {1}, new int[] {0}, new boolean[1], new int[] {10}, 0.5, 0));
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
      double w = 0.1 + 0.9 * random.nextDouble();
      double h = 0.1 + 0.9 * random.nextDouble();
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
            Arrays.copyOf(pinned, n), budgets, w, h);
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
        events = r.events();
        previous = r.shares();
      }
    }
  }
}
