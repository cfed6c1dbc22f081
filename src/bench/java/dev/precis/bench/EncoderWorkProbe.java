package dev.precis.bench;

import dev.precis.encode.SentenceEncoder;
import dev.precis.engine.Budget;
import dev.precis.engine.CompressionRequest;
import dev.precis.engine.Effort;
import dev.precis.engine.EngineSettings;
import dev.precis.engine.PrecisEngine;
import dev.precis.quality.EvalExample;
import dev.precis.quality.EvalSet;
import dev.precis.rank.RankSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What the encoder is given per request, cold, with the fitted fusion and with the hand-set sum: calls, texts and
 * characters, so that a latency difference between the two can be traced to the encoder's work.
 *
 * <pre>
 * ./mvnw -q -B test-compile exec:java@encoder-work -Dencoder-work.args="../shared/eval nq20 50"
 * </pre>
 */
public final class EncoderWorkProbe {
  private EncoderWorkProbe() {}

  /** Counts what passes through to the real encoder. */
  static final class Counting implements SentenceEncoder {
    final SentenceEncoder inner;
    long calls;
    long texts;
    long chars;
    long queries;
    long orderHash = 17;
    long nanos;
    long queryNanos;

    Counting(SentenceEncoder inner) {
      this.inner = inner;
    }

    /** Time spent in the encoder so far, units and queries. */
    long allNanos() {
      return nanos + queryNanos;
    }

    @Override
    public int dimension() {
      return inner.dimension();
    }

    @Override
    public String modelName() {
      return inner.modelName();
    }

    @Override
    public float[][] embed(List<String> list) {
      calls++;
      texts += list.size();
      for (String t : list) {
        chars += t.length();
        orderHash = orderHash * 31 + t.hashCode();
      }
      long t0 = System.nanoTime();
      float[][] out = inner.embed(list);
      nanos += System.nanoTime() - t0;
      return out;
    }

    @Override
    public float[] embedQuery(String query) {
      queries++;
      long t0 = System.nanoTime();
      float[] out = inner.embedQuery(query);
      queryNanos += System.nanoTime() - t0;
      return out;
    }

    @Override
    public void close() {}
  }

  public static void main(String[] args) {
    Path eval = Path.of(args.length > 0 ? args[0] : "../shared/eval");
    String set = args.length > 1 ? args[1] : "nq20";
    int limit = args.length > 2 ? Integer.parseInt(args[2]) : 50;
    List<EvalExample> examples = EvalSet.readDev(eval, set).limit(limit).examples();
    EngineSettings defaults = EngineSettings.defaults().withVectorCacheEntries(0);
    try (PrecisEngine owner = PrecisEngine.create(defaults)) {
      SentenceEncoder onnx = owner.encoder();
      for (String mode : List.of("fitted", "hand", "fitted", "hand")) {
        EngineSettings settings = mode.equals("hand") ? defaults.withRank(RankSettings.handSet()) : defaults;
        Counting counting = new Counting(onnx);
        try (PrecisEngine engine = PrecisEngine.sharing(settings, counting)) {
          for (EvalExample e : examples) {
            CompressionRequest r = EngineMethods.request(e, 1);
            r = new CompressionRequest(r.query(), r.documents(), Budget.ofRatio(4), null, Effort.FAST, null, null,
                null, false);
            engine.compress(r);
          }
        }
        System.out.printf(Locale.ROOT, "%s %s: per request %.2f embed calls, %.1f texts, %.0f chars, %.2f queries, "
            + "%.1f ms in embed; texts in order hash %x%n", set, mode, counting.calls / (double) examples.size(),
            counting.texts / (double) examples.size(), counting.chars / (double) examples.size(),
            counting.queries / (double) examples.size(), counting.nanos / 1e6 / examples.size(), counting.orderHash);
      }
    }
  }
}
