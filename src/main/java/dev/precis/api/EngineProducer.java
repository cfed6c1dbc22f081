package dev.precis.api;

import dev.precis.config.PrecisConfig;
import dev.precis.encode.OnnxRuntimeLibraries;
import dev.precis.engine.Budget;
import dev.precis.engine.CompressionRequest;
import dev.precis.engine.EngineSettings;
import dev.precis.engine.PrecisEngine;
import dev.precis.engine.SourceDocument;
import dev.precis.plan.PlanSettings;
import dev.precis.rank.FusionModel;
import dev.precis.rank.RankSettings;
import dev.precis.tokens.Tokenizers;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Builds the engine from the configuration at start-up, off the start-up thread, warms it, and closes it at shutdown.
 *
 * <p>Loading the engine (ONNX Runtime's library and session, the WordPiece vocabulary, the static vectors, the default
 * encoding's rank table) and one small warm-up compression through every stage take about a second of CPU. They run on
 * a thread of their own from the start-up event on, so the HTTP server starts listening meanwhile and the first
 * request's own first-use costs (REST, JSON, validation) overlap with them. Until the warmed engine is published,
 * {@link #ready()} is false ({@code /q/health/ready} answers 503) and {@link #engine()} waits for it, at most the request
 * time limit: a request is never served by a half-built engine. The other encodings' rank tables load after that, in
 * the background. If loading fails, the failure is logged and the application stops, as a failure at start-up did.
 */
@ApplicationScoped
public class EngineProducer {
  private static final Logger LOG = Logger.getLogger(EngineProducer.class);

  /** Documents that go through every stage with the query below and a budget that forces ranking and planning. */
  private static final List<SourceDocument> WARM_UP_DOCUMENTS = List.of(
      new SourceDocument("a", "Warm-up", "The warm-up request loads every stage before the first client arrives. "
          + "It discovered the element polonium in a small laboratory. Nothing else happened that day."),
      new SourceDocument("b", "Other", "A second document competes for the budget. It talks about weather and "
          + "rivers instead."));

  private final PrecisConfig config;
  private final Supplier<PrecisEngine> factory;
  private final String defaultEncoding;
  private final long waitNanos;
  private final Runnable onFailure;
  private final CompletableFuture<PrecisEngine> built = new CompletableFuture<>();
  private volatile PrecisEngine engine;
  private boolean stopped; // guarded by this
  private Thread loader;
  private long startedNanos;

  @Inject
  public EngineProducer(PrecisConfig config) {
    this(config, () -> PrecisEngine.create(settings(config), java.nio.file.Paths.get(config.indexes().path())
            .resolve("_vectors"), config.encoder().vectorStoreEntries()), config.defaults().encoding(),
        config.limits().requestTimeout().toNanos(), () -> Quarkus.asyncExit(1));
  }

  /**
   * For tests: an engine from {@code factory}; requests wait for it at most {@code waitNanos}; {@code onFailure} runs
   * when the factory fails (the service stops).
   */
  EngineProducer(PrecisConfig config, Supplier<PrecisEngine> factory, String defaultEncoding, long waitNanos,
      Runnable onFailure) {
    this.config = config;
    this.factory = factory;
    this.defaultEncoding = defaultEncoding;
    this.waitNanos = waitNanos;
    this.onFailure = onFailure;
  }

  void onStart(@Observes StartupEvent event) {
    startLoading();
  }

  void onStop(@Observes ShutdownEvent event) {
    Thread building;
    synchronized (this) {
      stopped = true;
      building = loader;
    }
    // A service that stops while its engine is still being built (its port taken, say) must not exit with the loader
    // inside ONNX Runtime's native code: the runtime's own teardown then crashes the JVM (SIGSEGV in
    // libonnxruntime.so). The loader sees that the service stopped, closes what it built and ends.
    if (building != null && building != Thread.currentThread()) {
      try {
        building.join(LOADER_STOP_WAIT_MILLIS);
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    PrecisEngine e;
    synchronized (this) {
      e = engine;
    }
    if (e != null) e.close();
  }

  /** How long a stopping service waits for an engine still being built (a cold build takes one to three seconds). */
  static final long LOADER_STOP_WAIT_MILLIS = 15_000;

  /** Starts building the engine on its own thread, once. */
  synchronized void startLoading() {
    if (loader != null) return;
    startedNanos = System.nanoTime();
    loader = Thread.ofPlatform().name("precis-engine-loader").daemon(true).start(this::load);
  }

  private void load() {
    long t0 = startedNanos;
    PrecisEngine e = null;
    try {
      // The default encoding's rank table (a few hundred ms) loads beside the engine; the engine waits for it below.
      Thread encoding = Thread.ofPlatform().name("precis-encoding-loader").daemon(true)
          .start(() -> Tokenizers.forEncoding(defaultEncoding).ifPresent(c -> c.count("warm up the rank table")));
      e = factory.get();
      long t1 = System.nanoTime();
      encoding.join();
      String warmUpEncoding = Tokenizers.ENCODINGS.contains(defaultEncoding) ? defaultEncoding : "cl100k_base";
      e.compress(new CompressionRequest("Which element did the warm-up discover?", WARM_UP_DOCUMENTS,
          Budget.ofTokens(12), warmUpEncoding, null, null, null, null, false));
      long t2 = System.nanoTime();
      synchronized (this) {
        if (stopped) {
          e.close();
          built.cancel(false);
          return;
        }
        engine = e;
        built.complete(e);
      }
      LOG.infof("engine ready in %d ms (encoder %s; built in %d ms, warmed in %d ms)", ms(t2 - t0),
          config == null || config.encoder().enabled() ? encoderName() : "disabled", ms(t1 - t0), ms(t2 - t1));
      LOG.debugf("ONNX Runtime's native libraries: %s",
          System.getProperty(OnnxRuntimeLibraries.NATIVE_PATH_PROPERTY, "extracted to java.io.tmpdir"));
    } catch (Throwable t) {
      built.completeExceptionally(t);
      if (e != null && engine != e) e.close(); // built but not published: release its native session
      synchronized (this) {
        if (stopped) return;
      }
      LOG.errorf(t, "the compression engine could not be loaded: %s; stopping", t.getMessage());
      onFailure.run();
      return;
    }
    try {
      long t3 = System.nanoTime();
      Tokenizers.warmUp(); // the other encodings, so that no request pays for their tables
      LOG.debugf("all encodings loaded in %d ms", ms(System.nanoTime() - t3));
    } catch (RuntimeException | Error t) {
      LOG.warnf(t, "loading the other encodings failed; a request naming one loads it itself");
    }
  }

  private String encoderName() {
    return config == null ? "?" : config.encoder().model();
  }

  /**
   * The engine. While it is still loading this waits for it, at most the request time limit
   * ({@code precis.limits.request-timeout}).
   *
   * @throws ProblemException 503 when it is not loaded in time or could not be loaded
   */
  public PrecisEngine engine() {
    PrecisEngine e = engine;
    if (e != null) return e;
    startLoading();
    try {
      return built.get(waitNanos, TimeUnit.NANOSECONDS);
    } catch (TimeoutException ex) {
      throw ProblemException.unavailable(String.format(Locale.ROOT, "the compression engine is still loading "
          + "(for %d ms; GET /q/health/ready says when it is up): retry after %d s", ms(System.nanoTime()
          - startedNanos), CompressionLimiter.RETRY_AFTER_SECONDS), CompressionLimiter.RETRY_AFTER_SECONDS);
    } catch (ExecutionException | java.util.concurrent.CancellationException ex) {
      Throwable cause = ex.getCause() == null ? ex : ex.getCause();
      throw ProblemException.unavailable("the compression engine could not be loaded: " + cause.getMessage(), 0);
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      throw ProblemException.unavailable("interrupted while waiting for the compression engine to load",
          CompressionLimiter.RETRY_AFTER_SECONDS);
    }
  }

  /** Whether the engine is built and warmed: requests are served without waiting. */
  public boolean ready() {
    return engine != null;
  }

  private static long ms(long nanos) {
    return nanos / 1_000_000;
  }

  static EngineSettings settings(PrecisConfig config) {
    PrecisConfig.Encoder enc = config.encoder();
    PrecisConfig.Rank r = config.rank();
    PrecisConfig.Plan p = config.plan();
    int threads = enc.threads().orElse(Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())));
    return new EngineSettings(true, enc.enabled(), enc.staticVectors(), enc.model(), Path.of(enc.modelDirectory()), threads,
        enc.batchSize(), enc.cacheEntries(), config.tokens().countCacheEntries(), config.segment().maxUnitChars(),
        config.segment().cacheChars(), p.maxFillAttempts(),
        new RankSettings(r.semanticWeight(), r.lexicalWeight(), r.documentWeight(), r.documentSemanticShare(),
            r.bridgeBonus(), r.bridgeSources(), r.encoderTextLimit(), r.bestEncoderTextLimit(),
            r.encoderCharsPerUnit(), r.contextWeight(), r.fragmentPenalty(),
            r.staticWeight(), r.sectionWeight(), r.identifierWeight(), r.structureWeight(), r.sectionPriorWeight(),
            r.sectionCheapWeight(), r.leadWeight(), r.answerTypeWeight(), r.summaryLeadWeight(), fusion(r.fusion())),
        new PlanSettings(p.coarseSummaries(), p.summaryShare(), p.summaryMinRelativeScore(), p.neighbourBonus(),
            p.costExponent(), p.mapShare(), p.queryMapShare(), p.headingPaths()));
  }

  /** The fitted fusion named by {@code precis.rank.fusion}, or null for the hand-set weights. */
  static FusionModel fusion(String name) {
    return switch (name.strip().toLowerCase(java.util.Locale.ROOT)) {
      case "hand" -> null;
      case "fitted" -> FusionModel.bundled();
      default -> throw new IllegalArgumentException("illegal precis.rank.fusion: " + name + ", must be hand or fitted");
    };
  }
}
