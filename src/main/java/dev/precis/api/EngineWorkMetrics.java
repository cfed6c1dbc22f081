package dev.precis.api;

import dev.precis.encode.CachingSentenceEncoder;
import dev.precis.engine.PrecisEngine;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.function.ToDoubleFunction;

/**
 * Prometheus counters of the work the engine does rather than serves from what it kept: documents segmented, texts
 * the encoder embedded, vectors found in memory or on disk, and stored documents whose tree or vectors came from
 * their collection. A service whose requests repeat documents, or compress stored ones, should see the first two grow
 * slowly.
 */
@ApplicationScoped
public class EngineWorkMetrics {
  private final EngineProducer engines;

  public EngineWorkMetrics(EngineProducer engines) {
    this.engines = engines;
  }

  void register(@Observes StartupEvent started, MeterRegistry registry) {
    counter(registry, "precis.documents.segmented",
        "Documents cut by the segmenter (not served by the segment cache or a stored tree)",
        PrecisEngine::documentsSegmented);
    counter(registry, "precis.kept.trees.restored",
        "Stored documents whose tree and token counts came from their collection", PrecisEngine::keptTreesRestored);
    counter(registry, "precis.kept.vectors.restored",
        "Stored documents whose unit vectors came from their collection", PrecisEngine::keptVectorsRestored);
    encoderCounter(registry, "precis.encoder.embedded", "Texts and questions the encoder embedded",
        CachingSentenceEncoder::misses);
    encoderCounter(registry, "precis.encoder.memory.hits", "Vectors found in the memory cache",
        CachingSentenceEncoder::hits);
    encoderCounter(registry, "precis.encoder.disk.hits", "Vectors found on disk (precis.encoder.vector-store-entries)",
        CachingSentenceEncoder::diskHits);
  }

  private void counter(MeterRegistry registry, String name, String description, ToDoubleFunction<PrecisEngine> read) {
    FunctionCounter.builder(name, engines, e -> e.ready() ? read.applyAsDouble(e.engine()) : 0)
        .description(description).register(registry);
  }

  private void encoderCounter(MeterRegistry registry, String name, String description,
      ToDoubleFunction<CachingSentenceEncoder> read) {
    FunctionCounter.builder(name, engines, e -> e.ready()
            && e.engine().encoder() instanceof CachingSentenceEncoder c ? read.applyAsDouble(c) : 0)
        .description(description).register(registry);
  }
}
