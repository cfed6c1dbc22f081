package dev.precis.rank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PrefetchTest {
  @Test
  void aHelperThatStartsFirstComputesTheResultOnce() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    CountDownLatch started = new CountDownLatch(1);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Prefetch<String> prefetch = Prefetch.start(() -> {
        runs.incrementAndGet();
        started.countDown();
        return Thread.currentThread().getName();
      }, pool);
      started.await(10, TimeUnit.SECONDS);
      String ranOn = prefetch.get();
      assertEquals(ranOn, prefetch.get());
      assertEquals(1, runs.get());
      assertEquals(false, ranOn.equals(Thread.currentThread().getName()), "the helper ran it");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void theCallerRunsWorkNoHelperHasStartedInsteadOfWaitingForIt() {
    List<Runnable> queued = new ArrayList<>();
    AtomicInteger runs = new AtomicInteger();
    Prefetch<String> prefetch = Prefetch.start(() -> {
      runs.incrementAndGet();
      return Thread.currentThread().getName();
    }, queued::add); // a pool too busy to ever start it
    assertEquals(Thread.currentThread().getName(), prefetch.get());
    queued.forEach(Runnable::run); // the helper comes late: it must not run the work again
    assertEquals(1, runs.get());
  }

  @Test
  void aRefusingExecutorLeavesTheWorkToTheCaller() {
    Prefetch<Integer> prefetch = Prefetch.start(() -> 42, task -> {
      throw new RejectedExecutionException("closing");
    });
    assertEquals(42, prefetch.get());
  }

  @Test
  void aFailureIsRethrownAsTheWorkThrewIt() {
    IllegalStateException thrown = new IllegalStateException("encoder closed");
    Prefetch<String> prefetch = Prefetch.start(() -> {
      throw thrown;
    }, Runnable::run);
    assertSame(thrown, assertThrows(IllegalStateException.class, prefetch::get));
  }
}
