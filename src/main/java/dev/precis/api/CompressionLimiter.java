package dev.precis.api;

import dev.precis.config.PrecisConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Back-pressure for compression work: at most {@code precis.limits.max-concurrent} compressions run at once, at most
 * {@code precis.limits.max-queued} requests wait for a slot (first come, first served), and one more is refused at
 * once with 429 and {@code Retry-After} instead of waiting behind the others. A waiting request gives up with 503
 * when its deadline passes. Exposes in-flight and queued gauges and rejected and timed-out counters.
 *
 * <p>Use: {@code try (Slot slot = limiter.acquire(deadline)) { ... }}; a slot is released exactly once, whatever
 * happens inside.
 */
@ApplicationScoped
public class CompressionLimiter {
  /** Seconds a refused caller is told to wait before retrying. */
  static final int RETRY_AFTER_SECONDS = 1;

  private final int maxConcurrent;
  private final int maxQueued;
  private final Semaphore slots;
  private final AtomicInteger queued = new AtomicInteger();
  private final Counter rejected;
  private final Counter queueTimeouts;

  public CompressionLimiter(PrecisConfig config, MeterRegistry registry) {
    this.maxConcurrent = config.limits().maxConcurrent().orElse(Runtime.getRuntime().availableProcessors());
    this.maxQueued = config.limits().maxQueued().orElse(8 * maxConcurrent);
    if (maxConcurrent <= 0) {
      throw new IllegalArgumentException("precis.limits.max-concurrent is " + maxConcurrent + ": must be > 0");
    }
    if (maxQueued < 0) {
      throw new IllegalArgumentException("precis.limits.max-queued is " + maxQueued + ": must be >= 0");
    }
    this.slots = new Semaphore(maxConcurrent, true);
    Gauge.builder("precis.compress.in.flight", this, CompressionLimiter::inFlight)
        .description("Compressions running now").register(registry);
    Gauge.builder("precis.compress.queued", this, CompressionLimiter::queued)
        .description("Requests waiting for a compression slot").register(registry);
    Gauge.builder("precis.compress.max.concurrent", this, l -> l.maxConcurrent)
        .description("Most compressions running at once (precis.limits.max-concurrent)").register(registry);
    Gauge.builder("precis.compress.max.queued", this, l -> l.maxQueued)
        .description("Most requests waiting for a slot (precis.limits.max-queued)").register(registry);
    this.rejected = Counter.builder("precis.compress.overloaded")
        .description("Requests refused with 429 because every slot was busy and the queue full").register(registry);
    this.queueTimeouts = Counter.builder("precis.compress.timeouts").tag("stage", "queue")
        .description("Requests that passed their deadline (precis.limits.request-timeout)").register(registry);
  }

  /** A held compression slot; closing it releases the slot (again closing does nothing). */
  public final class Slot implements AutoCloseable {
    private final AtomicBoolean released = new AtomicBoolean();

    private Slot() {}

    @Override
    public void close() {
      if (released.compareAndSet(false, true)) slots.release();
    }
  }

  /**
   * Takes a slot, waiting in the queue until {@code deadlineNanos} (a {@link System#nanoTime()} value) when all are
   * busy.
   *
   * @throws ProblemException 429 when the queue is full, 503 when the deadline passes while waiting
   */
  public Slot acquire(long deadlineNanos) {
    try {
      if (slots.tryAcquire(0, TimeUnit.NANOSECONDS)) return new Slot(); // honours the queue order (fair)
      if (queued.incrementAndGet() > maxQueued) {
        queued.decrementAndGet();
        rejected.increment();
        throw ProblemException.tooManyRequests("the service is at capacity: " + maxConcurrent
            + " compressions running and " + maxQueued + " waiting (precis.limits.max-concurrent, "
            + "precis.limits.max-queued); retry after " + RETRY_AFTER_SECONDS + " s, or send fewer requests at once",
            RETRY_AFTER_SECONDS);
      }
      try {
        if (slots.tryAcquire(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)) {
          return new Slot();
        }
      } finally {
        queued.decrementAndGet();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ProblemException.unavailable("the service is shutting down: retry after " + RETRY_AFTER_SECONDS
          + " s", RETRY_AFTER_SECONDS);
    }
    queueTimeouts.increment();
    throw ProblemException.unavailable("the service is busy: the request waited for a compression slot until its "
        + "time limit (precis.limits.request-timeout) passed; retry after " + RETRY_AFTER_SECONDS + " s, or send "
        + "fewer requests at once", RETRY_AFTER_SECONDS);
  }

  /** Compressions running now. */
  public int inFlight() {
    return maxConcurrent - slots.availablePermits();
  }

  /** Requests waiting for a slot now. */
  public int queued() {
    return queued.get();
  }

  public int maxConcurrent() {
    return maxConcurrent;
  }

  public int maxQueued() {
    return maxQueued;
  }
}
