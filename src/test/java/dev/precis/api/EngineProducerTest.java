package dev.precis.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.precis.engine.EngineSettings;
import dev.precis.engine.PrecisEngine;
import dev.precis.plan.PlanSettings;
import dev.precis.rank.RankSettings;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The engine loads in the background: nobody gets it half-built, waiting is bounded, a failure is reported. */
class EngineProducerTest {
  static final EngineSettings BM25_ONLY = new EngineSettings(true, false, false, EngineSettings.DEFAULT_MODEL,
      Path.of("models"), 1, 32, 0, 0, 600, 0, 32, RankSettings.defaults(), PlanSettings.defaults());

  @Test
  void requestsWaitForTheWarmedEngine() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    PrecisEngine built = PrecisEngine.create(BM25_ONLY);
    EngineProducer producer = new EngineProducer(null, () -> {
      await(release);
      return built;
    }, "cl100k_base", TimeUnit.SECONDS.toNanos(60), () -> {});
    producer.startLoading();
    assertFalse(producer.ready(), "not ready while the engine loads");
    CompletableFuture<PrecisEngine> waiting = CompletableFuture.supplyAsync(producer::engine);
    Thread.sleep(100);
    assertFalse(waiting.isDone(), "a request waits for the engine");
    release.countDown();
    assertSame(built, waiting.get(60, TimeUnit.SECONDS));
    assertTrue(producer.ready());
    assertSame(built, producer.engine());
    built.close();
  }

  @Test
  void waitingIsBoundedAndAnswers503() {
    CountDownLatch release = new CountDownLatch(1);
    EngineProducer producer = new EngineProducer(null, () -> {
      await(release);
      return PrecisEngine.create(BM25_ONLY);
    }, "cl100k_base", TimeUnit.MILLISECONDS.toNanos(50), () -> {});
    ProblemException e = assertThrows(ProblemException.class, producer::engine);
    assertEquals(503, e.status());
    assertTrue(e.getMessage().contains("still loading"), e.getMessage());
    assertTrue(e.retryAfterSeconds() > 0);
    release.countDown();
  }

  @Test
  void stoppingWhileTheEngineIsBuiltWaitsForTheLoaderSoThatNoNativeCodeRunsAtExit() throws Exception {
    CountDownLatch building = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    EngineProducer producer = new EngineProducer(null, () -> {
      building.countDown();
      await(release);
      return PrecisEngine.create(BM25_ONLY);
    }, "cl100k_base", TimeUnit.SECONDS.toNanos(60), () -> {});
    producer.startLoading();
    assertTrue(building.await(60, TimeUnit.SECONDS));
    CompletableFuture<Void> stop = CompletableFuture.runAsync(() -> producer.onStop(null));
    Thread.sleep(100);
    assertFalse(stop.isDone(), "the stop waits while the engine is being built");
    release.countDown();
    stop.get(60, TimeUnit.SECONDS);
    assertFalse(producer.ready(), "an engine built after the stop is closed, not published");
  }

  @Test
  void aFailureIsReportedAndStopsTheService() throws Exception {
    AtomicBoolean stopped = new AtomicBoolean();
    CountDownLatch failed = new CountDownLatch(1);
    EngineProducer producer = new EngineProducer(null, () -> {
      throw new IllegalStateException("encoder model 'x' not found");
    }, "cl100k_base", TimeUnit.SECONDS.toNanos(60), () -> {
      stopped.set(true);
      failed.countDown();
    });
    ProblemException e = assertThrows(ProblemException.class, producer::engine);
    assertEquals(503, e.status());
    assertTrue(e.getMessage().contains("encoder model 'x' not found"), e.getMessage());
    assertTrue(failed.await(60, TimeUnit.SECONDS));
    assertTrue(stopped.get());
    assertFalse(producer.ready());
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
