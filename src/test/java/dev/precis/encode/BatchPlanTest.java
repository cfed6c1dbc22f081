package dev.precis.encode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** How a request's texts are cut into inference calls: {@link OnnxSentenceEncoder#batches}. */
class BatchPlanTest {

  /** Texts of random lengths as the encoder passes them: sorted, length in the high half, index in the low. */
  private static long[] sortedByLength(int[] lengths) {
    long[] byLength = new long[lengths.length];
    for (int i = 0; i < lengths.length; i++) byLength[i] = ((long) lengths[i] << 32) | i;
    Arrays.sort(byLength);
    return byLength;
  }

  private static long cost(int[] rows, int[] lengths) {
    int sequence = 0;
    for (int row : rows) sequence = Math.max(sequence, lengths[row]);
    return OnnxSentenceEncoder.estimatedCost(rows.length, sequence);
  }

  @Test
  void everyTextIsInExactlyOneBatchWithinTheLimits() {
    Random random = new Random(20261207L);
    for (int trial = 0; trial < 500; trial++) {
      int n = 1 + random.nextInt(64);
      int[] lengths = new int[n];
      for (int i = 0; i < n; i++) lengths[i] = 3 + random.nextInt(random.nextBoolean() ? 40 : 300);
      int threads = 1 + random.nextInt(4);
      int batchSize = 1 + random.nextInt(32);
      List<int[]> batches = OnnxSentenceEncoder.batches(sortedByLength(lengths), threads, batchSize);
      int[] seen = new int[n];
      for (int[] rows : batches) {
        assertTrue(rows.length >= 1 && rows.length <= batchSize, "trial " + trial + ": batch of " + rows.length);
        int longest = 0;
        long pieces = 0;
        for (int row : rows) {
          seen[row]++;
          longest = Math.max(longest, lengths[row]);
          pieces += lengths[row];
        }
        // padding to the longest text stays within a quarter of the real word pieces (a lone text pads nothing)
        assertTrue((long) rows.length * longest * 4 <= pieces * 5, "trial " + trial + ": padding over a quarter");
      }
      for (int i = 0; i < n; i++) assertEquals(1, seen[i], "trial " + trial + ": text " + i + " batches");
    }
  }

  @Test
  void withSeveralThreadsTheCostliestBatchesComeFirst() {
    Random random = new Random(7L);
    for (int trial = 0; trial < 200; trial++) {
      int[] lengths = new int[32];
      for (int i = 0; i < lengths.length; i++) lengths[i] = 10 + random.nextInt(140);
      List<int[]> batches = OnnxSentenceEncoder.batches(sortedByLength(lengths), 2, 32);
      assertTrue(batches.size() >= 2, "trial " + trial + ": " + batches.size() + " batch");
      for (int b = 1; b < batches.size(); b++) {
        assertTrue(cost(batches.get(b - 1), lengths) >= cost(batches.get(b), lengths),
            "trial " + trial + ": batch " + b + " costs more than the one before it");
      }
    }
  }

  @Test
  void aSixteenThousandTokenDocumentsUnitsSplitIntoBatchesTheThreadsFinishTogether() {
    // The 32 units the encoder read for a qasper question over a 16k-token document (word pieces, sorted).
    int[] lengths = {14, 19, 21, 21, 21, 23, 24, 24, 24, 28, 29, 29, 29, 29, 30, 35, 35, 38, 41, 43, 46, 46, 48, 50,
        57, 68, 92, 102, 122, 138, 142, 144};
    List<int[]> batches = OnnxSentenceEncoder.batches(sortedByLength(lengths), 2, 32);
    // Two threads each take the next batch when done: simulate with the cost estimate.
    long[] busy = new long[2];
    long total = 0;
    for (int[] rows : batches) {
      long c = cost(rows, lengths);
      total += c;
      int idle = busy[0] <= busy[1] ? 0 : 1;
      busy[idle] += c;
    }
    long makespan = Math.max(busy[0], busy[1]);
    assertTrue(makespan <= total / 2 * 1.15, "makespan " + makespan + " of total " + total + " in " + batches.size()
        + " batches: the threads do not finish together");
  }

  @Test
  void smallInputsStayInOneBatch() {
    int[] lengths = {16, 17, 18, 18, 19, 20};
    assertEquals(1, OnnxSentenceEncoder.batches(sortedByLength(lengths), 2, 32).size());
  }
}
