package dev.precis.api;

import static dev.precis.api.BadInputTest.assertProblem;
import static dev.precis.api.BadInputTest.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Overload is refused fast with 429 and Retry-After, a request that waits past its time limit gets 503, and no
 * refusal or failure leaks a slot. One slot and one queue place; the test holds the slot itself, so the timing is
 * deterministic.
 */
@QuarkusTest
@TestProfile(BackPressureTest.OneSlot.class)
class BackPressureTest {
  public static class OneSlot implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "precis.limits.max-concurrent", "1",
          "precis.limits.max-queued", "1",
          "precis.limits.request-timeout", "3s");
    }
  }

  static final String REQUEST = "{" + BadInputTest.DOCS + "," + BadInputTest.BUDGET + "}";

  @Inject
  CompressionLimiter limiter;

  @BeforeEach
  void engineLoaded() {
    EngineReady.await(); // its 3 s time limit would otherwise also bound the wait for the engine to load
  }

  @AfterEach
  void nothingHeldOrWaiting() throws InterruptedException {
    for (int i = 0; i < 100 && (limiter.inFlight() != 0 || limiter.queued() != 0); i++) Thread.sleep(20);
    assertEquals(0, limiter.inFlight(), "a slot leaked");
    assertEquals(0, limiter.queued(), "a queue place leaked");
  }

  @Test
  void overloadIsRefusedAtOnceWithRetryAfter() throws Exception {
    json(REQUEST).then().statusCode(200); // warm: the timing below is the refusal's alone
    CompletableFuture<Response> queued;
    try (CompressionLimiter.Slot busy = limiter.acquire(System.nanoTime() + TimeUnit.SECONDS.toNanos(5))) {
      queued = CompletableFuture.supplyAsync(() -> json(REQUEST));
      for (int i = 0; i < 250 && limiter.queued() == 0; i++) Thread.sleep(10);
      assertEquals(1, limiter.queued(), "the first request waits for the slot");
      // The waiting request blocks a worker thread, never a Vert.x event loop.
      List<String> waiting = Thread.getAllStackTraces().entrySet().stream()
          .filter(e -> Arrays.stream(e.getValue()).anyMatch(f -> f.getClassName().equals(
              CompressionLimiter.class.getName()) && f.getMethodName().equals("acquire")))
          .map(e -> e.getKey().getName()).toList();
      assertEquals(1, waiting.size(), "one thread waits in acquire: " + waiting);
      assertFalse(waiting.get(0).contains("eventloop"), "waiting on " + waiting.get(0));
      System.out.println("BackPressureTest: the queued request waits on " + waiting.get(0));

      long t0 = System.nanoTime();
      Response refused = json(REQUEST);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertProblem(refused, 429, "at capacity", "retry after 1 s", "precis.limits.max-queued");
      refused.then().header("Retry-After", "1");
      System.out.printf("BackPressureTest: 429 answered in %d ms (round trip)%n", ms);
      assertTrue(ms < 500, "the refusal took " + ms + " ms; it must not wait for the busy slot");
      assertEquals(1, limiter.queued(), "the refused request did not join the queue");
    }
    // The slot is free: the waiting request is served.
    queued.get(10, TimeUnit.SECONDS).then().statusCode(200);
    String metrics = RestAssured.get("/q/metrics").asString();
    assertTrue(metrics.contains("precis_compress_overloaded_total"), "rejections are counted");
    assertTrue(metrics.contains("precis_compress_in_flight"), "in-flight is exposed");
    assertTrue(metrics.contains("precis_compress_queued"), "queue depth is exposed");
  }

  @Test
  void waitingPastTheTimeLimitIs503() {
    Response late;
    long ms;
    try (CompressionLimiter.Slot busy = limiter.acquire(System.nanoTime() + TimeUnit.SECONDS.toNanos(10))) {
      long t0 = System.nanoTime();
      late = json(REQUEST);
      ms = (System.nanoTime() - t0) / 1_000_000;
    }
    assertProblem(late, 503, "precis.limits.request-timeout", "retry after 1 s");
    late.then().header("Retry-After", "1");
    assertTrue(ms >= 2_900 && ms < 8_000, "gave up after " + ms + " ms; the limit is 3 s");
    assertTrue(RestAssured.get("/q/metrics").asString().contains("precis_compress_timeouts_total{stage=\"queue\"}"));
  }

  @Test
  void refusalsAndFailuresReleaseTheirSlot() {
    // Refused before a slot is taken, refused by the engine inside the slot (a runaway pattern: 400, or 503 when a
    // loaded machine passes the time limit first), and served: with one slot, a leak would make the last requests
    // wait 3 s and fail with 503.
    assertProblem(json("{" + BadInputTest.DOCS + ",\"budget\":{\"maxTokens\":0}}"), 400, "budget.maxTokens");
    String runaway = "{\"context\":\"" + "a".repeat(30_000) + "!\",\"budget\":{\"maxTokens\":5},"
        + "\"keepPatterns\":[\"(a|aa)+$\"]}";
    Response r = json(runaway);
    assertTrue(r.statusCode() == 400 || r.statusCode() == 503, r.asString());
    for (int i = 0; i < 3; i++) json(REQUEST).then().statusCode(200);
  }
}
