package dev.precis.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TurnSharesTest {
  @Test
  void theJavadocExample() {
    assertArrayEquals(new int[] {200, 100}, TurnShares.allocate(new int[] {400, 400}, new int[] {0, 1}, 0.5, 300));
  }

  @Test
  void aRecentSegmentWhoseFractionReachesOneStaysWholeAndTheRestGoesToTheOthers() {
    // weights 1 and 0.25: λ = 300 / (50 + 250) = 1, so the recent segment stays whole and the older one gets 250.
    assertArrayEquals(new int[] {50, 250}, TurnShares.allocate(new int[] {50, 1000}, new int[] {0, 2}, 0.5, 300));
    // one turn: both keep the same fraction, 450 / 1050
    assertArrayEquals(new int[] {21, 428}, TurnShares.allocate(new int[] {50, 1000}, new int[] {0, 0}, 0.5, 450));
  }

  @Test
  void everythingFitsEverythingStays() {
    assertArrayEquals(new int[] {10, 20}, TurnShares.allocate(new int[] {10, 20}, new int[] {3, 0}, 0.5, 30));
  }

  @Test
  void randomAllocationsHoldTheBudgetAndFavourRecentTurns() {
    long seed = Long.getLong("tests.seed", 0x5EED);
    Random random = new Random(seed);
    for (int n = 0; n < 2000; n++) {
      int k = 1 + random.nextInt(8);
      int[] tokens = new int[k];
      int[] ages = new int[k];
      for (int i = 0; i < k; i++) {
        tokens[i] = 1 + random.nextInt(3000);
        ages[i] = random.nextInt(4);
      }
      int budget = random.nextInt(Arrays.stream(tokens).sum() + 10);
      double w = 0.1 + 0.9 * random.nextDouble();
      int[] shares = TurnShares.allocate(tokens, ages, w, budget);
      String c = "seed " + seed + " case " + n + ": " + Arrays.toString(tokens) + " ages " + Arrays.toString(ages)
          + " budget " + budget + " -> " + Arrays.toString(shares);
      assertTrue(Arrays.stream(shares).sum() <= budget, c);
      for (int i = 0; i < k; i++) {
        assertTrue(shares[i] >= 0 && shares[i] <= tokens[i], c);
        for (int j = 0; j < k; j++) {
          // a more recent segment never keeps a smaller fraction of itself (up to flooring)
          if (ages[i] < ages[j] && shares[j] < tokens[j]) {
            assertTrue((shares[i] + 1.0) / tokens[i] >= (double) shares[j] / tokens[j], c);
          }
        }
      }
    }
  }
}
