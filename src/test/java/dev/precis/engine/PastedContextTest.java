package dev.precis.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A {@code context} of pasted "Title\ntext" passages is ranked passage by passage, as the same documents would be. */
class PastedContextTest {
  private static PrecisEngine engine;

  @BeforeAll
  static void start() {
    engine = PrecisEngine.createDefault();
  }

  @AfterAll
  static void stop() {
    engine.close();
  }

  private static final List<String[]> PASSAGES = List.of(
      new String[] {"Pierre Curie", "Pierre Curie was a French physicist, a pioneer in crystallography and magnetism. "
          + "He was born in Paris in 1859 and shared the Nobel Prize in Physics of 1903."},
      new String[] {"Albert Einstein", "Albert Einstein was a German-born theoretical physicist. He was born in Ulm "
          + "in 1879 and developed the theory of relativity."},
      new String[] {"Marie Curie", "She was born in Warsaw in 1867, then part of the Russian Empire. She studied in "
          + "Paris, where she earned her higher degrees and did her scientific work."},
      new String[] {"Niels Bohr", "Niels Bohr was a Danish physicist who made foundational contributions to atomic "
          + "structure. He was born in Copenhagen in 1885."},
      new String[] {"Lise Meitner", "Lise Meitner was an Austrian-Swedish physicist who was one of those responsible "
          + "for the discovery of nuclear fission. She was born in Vienna in 1878."});

  private static String context() {
    List<String> blocks = new ArrayList<>();
    for (String[] p : PASSAGES) blocks.add(p[0] + "\n" + p[1]);
    return String.join("\n\n", blocks);
  }

  @Test
  void theTitleLineGivesAPassageItsSubjectAndStaysAsItsHeader() {
    String context = context();
    CompressionRequest request = new CompressionRequest("Where was Marie Curie born?",
        List.of(new SourceDocument(null, null, context)), Budget.ofTokens(40), "cl100k_base", Effort.FAST, null,
        null, null, true);
    Compression c = engine.compress(request);
    assertTrue(c.text().contains("Marie Curie\nShe was born in Warsaw in 1867"), c.text());
    assertTrue(c.usage().outputTokens() <= 40, c.usage().toString());
    assertEquals(1, c.documents().size());
    for (Compression.UnitExplanation u : c.units()) {
      assertEquals(u.score(), u.explanation().value(), 1e-6, () -> "explanation of " + u);
      assertTrue(context.substring(u.start(), u.end()).strip().length() > 0);
    }
  }

  @Test
  void rankedAsTheSameDocumentsWouldBe() {
    List<SourceDocument> documents = new ArrayList<>();
    for (String[] p : PASSAGES) documents.add(new SourceDocument(null, p[0], p[1]));
    for (Effort effort : Effort.values()) {
      String asDocuments = engine.compress(CompressionRequest.of("Where was Marie Curie born?", documents,
          Budget.ofTokens(40)).withEffort(effort)).text();
      String asContext = engine.compress(CompressionRequest.of("Where was Marie Curie born?",
          List.of(new SourceDocument(null, null, context())), Budget.ofTokens(40)).withEffort(effort)).text();
      assertEquals(asDocuments.contains("born in Warsaw"), asContext.contains("born in Warsaw"),
          () -> effort + ": as documents\n" + asDocuments + "\nas a context\n" + asContext);
      if (effort != Effort.INSTANT) assertTrue(asContext.contains("born in Warsaw"), effort + ": " + asContext);
    }
  }
}
