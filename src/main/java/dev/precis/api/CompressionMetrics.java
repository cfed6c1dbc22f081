package dev.precis.api;

import dev.precis.engine.Compression;
import dev.precis.engine.Effort;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** Prometheus meters of compression: requests, tokens in, out and saved, and per-stage latency. */
@ApplicationScoped
public class CompressionMetrics {
  private final MeterRegistry registry;

  public CompressionMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void record(String encoding, Effort effort, Compression c) {
    String effortTag = effort.name().toLowerCase(Locale.ROOT);
    Counter.builder("precis.compress.requests").description("Compressions done")
        .tags("encoding", encoding, "effort", effortTag).register(registry).increment();
    Counter.builder("precis.tokens.input").description("Tokens received for compression")
        .tags("encoding", encoding).register(registry).increment(c.usage().inputTokens());
    Counter.builder("precis.tokens.output").description("Tokens returned after compression")
        .tags("encoding", encoding).register(registry).increment(c.usage().outputTokens());
    Counter.builder("precis.tokens.saved").description("Tokens removed by compression")
        .tags("encoding", encoding).register(registry)
        .increment(c.usage().inputTokens() - c.usage().outputTokens());
    DistributionSummary.builder("precis.compress.ratio").description("Input tokens / output tokens")
        .register(registry).record(c.usage().ratio());
    Compression.StageTimings t = c.timings();
    stage("segment", t.segmentMs());
    stage("rank", t.rankMs());
    stage("summarise", t.summariseMs());
    stage("refine", t.refineMs());
    stage("render", t.renderMs());
    Timer.builder("precis.compress.duration").description("Compression latency, all stages")
        .tags("effort", effortTag).publishPercentileHistogram().register(registry)
        .record((long) (t.totalMs() * 1_000_000), TimeUnit.NANOSECONDS);
  }

  void rejected() {
    Counter.builder("precis.compress.rejected").description("Requests refused by the engine as invalid")
        .register(registry).increment();
  }

  /** A request that passed its deadline while waiting ({@code queue}) or working ({@code engine}). */
  void timedOut(String stage) {
    Counter.builder("precis.compress.timeouts")
        .description("Requests that passed their deadline (precis.limits.request-timeout)")
        .tags("stage", stage).register(registry).increment();
  }

  private void stage(String stage, double ms) {
    Timer.builder("precis.stage.duration").description("Latency of one pipeline stage")
        .tags("stage", stage).register(registry).record((long) (ms * 1_000_000), TimeUnit.NANOSECONDS);
  }
}
