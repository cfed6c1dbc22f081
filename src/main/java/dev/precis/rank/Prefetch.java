package dev.precis.rank;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * A computation started ahead of need on another thread, so that it overlaps with the caller's own work. Whoever gets
 * to it first runs it: a helper thread, or the caller when it needs the result before any helper has started it (a
 * busy pool then costs only the overlap, never a wait in its queue). The result, or the failure, is the computation's.
 */
public final class Prefetch<T> {
  private final Supplier<T> work;
  private final AtomicBoolean claimed = new AtomicBoolean();
  private final CompletableFuture<T> result = new CompletableFuture<>();

  private Prefetch(Supplier<T> work) {
    this.work = work;
  }

  /** Starts {@code work} on {@code executor} (or, if it refuses, when the result is first asked for). */
  public static <T> Prefetch<T> start(Supplier<T> work, Executor executor) {
    Prefetch<T> prefetch = new Prefetch<>(work);
    try {
      executor.execute(prefetch::runIfUnclaimed);
    } catch (RejectedExecutionException e) {
      // closing: get() runs it
    }
    return prefetch;
  }

  private void runIfUnclaimed() {
    if (claimed.compareAndSet(false, true)) run();
  }

  private void run() {
    try {
      result.complete(work.get());
    } catch (RuntimeException | Error e) {
      result.completeExceptionally(e);
    }
  }

  /** The result, computed here if no helper has started it yet; a failure is rethrown as it was thrown. */
  public T get() {
    runIfUnclaimed();
    try {
      return result.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) throw r;
      if (e.getCause() instanceof Error err) throw err;
      throw e;
    }
  }
}
