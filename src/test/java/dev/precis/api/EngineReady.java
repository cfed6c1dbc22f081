package dev.precis.api;

import static io.restassured.RestAssured.given;

/**
 * The engine loads in the background after Quarkus has started ({@link EngineProducer}): tests that check readiness,
 * or that need requests served at once, wait for {@code /q/health/ready} first.
 */
public final class EngineReady {
  private EngineReady() {}

  /** Waits until {@code GET /q/health/ready} answers 200, at most two minutes. */
  public static void await() {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (given().get("/q/health/ready").statusCode() != 200) {
      if (System.nanoTime() > deadline) throw new AssertionError("the service was not ready after 120 s");
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
