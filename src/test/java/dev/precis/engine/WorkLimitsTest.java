package dev.precis.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The engine stops at its deadline between stages and refuses inputs over the token limit. */
class WorkLimitsTest {
  private static PrecisEngine engine;

  @BeforeAll
  static void engine() {
    engine = PrecisEngine.create(EngineSettings.defaults().withEncoder(false));
  }

  @AfterAll
  static void close() {
    engine.close();
  }

  private static final String SENTENCE = "Oslo is the capital of Norway and lies at the head of the Oslofjord. ";

  private static CompressionRequest request(String text, int budget) {
    return CompressionRequest.of("capital of Norway", List.of(new SourceDocument("a", null, text)),
        Budget.ofTokens(budget));
  }

  @Test
  void pastTheDeadlineNoWorkStarts() {
    var e = assertThrows(WorkLimits.DeadlineExceededException.class,
        () -> engine.compress(request(SENTENCE, 5), WorkLimits.until(System.nanoTime() - 1, 1_000)));
    assertEquals("segmenting document 0", e.stage());
  }

  @Test
  void aDeadlineInsideTheWorkStopsItAtTheNextStage() {
    // Many documents: segmenting them takes far longer than the 2 ms allowed, and the check runs between documents.
    List<SourceDocument> docs = new java.util.ArrayList<>();
    for (int i = 0; i < 400; i++) docs.add(new SourceDocument(null, null, SENTENCE.repeat(20)));
    CompressionRequest big = CompressionRequest.of("capital", docs, Budget.ofTokens(50));
    long t0 = System.nanoTime();
    assertThrows(WorkLimits.DeadlineExceededException.class,
        () -> engine.compress(big, WorkLimits.until(System.nanoTime() + 2_000_000, Integer.MAX_VALUE)));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    long full = timed(() -> engine.compress(big));
    assertTrue(ms < full, "stopped after " + ms + " ms, the whole work takes " + full + " ms");
  }

  @Test
  void inputOverTheTokenLimitIsRefusedWithItsCount() {
    var e = assertThrows(WorkLimits.InputTooLargeException.class,
        () -> engine.compress(request(SENTENCE.repeat(20), 5), WorkLimits.until(System.nanoTime() + 10_000_000_000L,
            100)));
    assertTrue(e.tokens() > 100, e.getMessage());
    assertEquals(100, e.limit());
    assertEquals("cl100k_base", e.encoding());
  }

  @Test
  void withinTheLimitsTheResultIsTheSame() {
    CompressionRequest r = request(SENTENCE.repeat(20), 30);
    Compression limited = engine.compress(r, WorkLimits.until(System.nanoTime() + 10_000_000_000L, 10_000));
    assertEquals(engine.compress(r).text(), limited.text());
  }

  private static long timed(Runnable work) {
    long t0 = System.nanoTime();
    work.run();
    return (System.nanoTime() - t0) / 1_000_000;
  }
}
