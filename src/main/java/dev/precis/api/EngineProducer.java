package dev.precis.api;

import dev.precis.config.PrecisConfig;
import dev.precis.engine.EngineSettings;
import dev.precis.engine.PrecisEngine;
import dev.precis.plan.PlanSettings;
import dev.precis.rank.RankSettings;
import dev.precis.tokens.Tokenizers;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.file.Path;
import org.jboss.logging.Logger;

/** Builds the engine from the configuration at start-up, warms it, and closes it at shutdown. */
@ApplicationScoped
public class EngineProducer {
  private static final Logger LOG = Logger.getLogger(EngineProducer.class);

  private final PrecisConfig config;
  private volatile PrecisEngine engine;

  public EngineProducer(PrecisConfig config) {
    this.config = config;
  }

  void onStart(@Observes StartupEvent event) {
    long t0 = System.nanoTime();
    engine();
    Tokenizers.warmUp();
    LOG.infof("engine ready in %d ms (encoder %s)", (System.nanoTime() - t0) / 1_000_000,
        config.encoder().enabled() ? config.encoder().model() : "disabled");
  }

  void onStop(@Observes ShutdownEvent event) {
    PrecisEngine e = engine;
    if (e != null) e.close();
  }

  /** The engine, built on first use. */
  public PrecisEngine engine() {
    PrecisEngine e = engine;
    if (e == null) {
      synchronized (this) {
        e = engine;
        if (e == null) engine = e = PrecisEngine.create(settings(config));
      }
    }
    return e;
  }

  public boolean ready() {
    return engine != null;
  }

  static EngineSettings settings(PrecisConfig config) {
    PrecisConfig.Encoder enc = config.encoder();
    PrecisConfig.Rank r = config.rank();
    PrecisConfig.Plan p = config.plan();
    int threads = enc.threads().orElse(Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())));
    return new EngineSettings(true, enc.enabled(), enc.staticVectors(), enc.model(), Path.of(enc.modelDirectory()), threads,
        enc.batchSize(), enc.cacheEntries(), config.tokens().countCacheEntries(), config.segment().maxUnitChars(), p.maxFillAttempts(),
        new RankSettings(r.semanticWeight(), r.lexicalWeight(), r.documentWeight(), r.documentSemanticShare(),
            r.bridgeBonus(), r.bridgeSources(), r.encoderTextLimit(), r.bestEncoderTextLimit(), r.contextWeight(), r.fragmentPenalty(),
            r.staticWeight(), r.sectionWeight()),
        new PlanSettings(p.coarseSummaries(), p.summaryShare(), p.summaryMinRelativeScore(), p.neighbourBonus(),
            p.costExponent()));
  }
}
