package dev.precis.bench;

import java.util.Arrays;
import java.util.Locale;

/** Percentiles of measured times and how the benchmark tables print them. */
final class Latencies {
  private Latencies() {}

  /** The value at quantile q of the values (nearest rank: floor for the median, ceiling above it). */
  static double percentile(double[] values, double q) {
    double[] v = values.clone();
    Arrays.sort(v);
    int i = q <= 0.5 ? (int) Math.floor(q * (v.length - 1)) : (int) Math.ceil(q * (v.length - 1));
    return v[i];
  }

  /** {@code "p50 / p95"} in ms, or {@code "-"} for no values. */
  static String p50p95(double[] values) {
    if (values.length == 0) return "-";
    return ms(percentile(values, 0.5)) + " / " + ms(percentile(values, 0.95));
  }

  /** Milliseconds: two decimals below 10, none above. */
  static String ms(double ms) {
    return Math.abs(ms) < 10 ? String.format(Locale.ROOT, "%.2f", ms) : String.format(Locale.ROOT, "%.0f", ms);
  }
}
