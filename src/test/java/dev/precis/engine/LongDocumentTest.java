package dev.precis.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A long document is ranked section by section and comes back under its headings, or as its map. */
class LongDocumentTest {
  private static PrecisEngine engine;

  @BeforeAll
  static void start() {
    engine = PrecisEngine.createDefault();
  }

  @AfterAll
  static void stop() {
    engine.close();
  }

  private static final String[] TOPICS = {"storage", "networking", "scheduling", "logging", "security", "billing",
      "backups", "monitoring"};

  /** A manual of eight chapters, each of three sections of filler about its topic; one sentence holds the answer. */
  private static String manual() {
    Random random = new Random(42);
    StringBuilder text = new StringBuilder("# Operations manual\n\n");
    for (int c = 0; c < TOPICS.length; c++) {
      String topic = TOPICS[c];
      text.append("## ").append(Character.toUpperCase(topic.charAt(0))).append(topic.substring(1)).append("\n\n");
      for (int s = 0; s < 3; s++) {
        text.append("### ").append(topic).append(" part ").append(s + 1).append("\n\n");
        for (int p = 0; p < 3; p++) {
          for (int k = 0; k < 5; k++) {
            text.append("The ").append(topic).append(" service handles request ").append(random.nextInt(10_000))
                .append(" in the usual way for this part of the system. ");
          }
          if (topic.equals("backups") && s == 1 && p == 1) {
            text.append("Snapshots are kept for 35 days before the nightly job deletes them. ");
          }
          text.append("\n\n");
        }
      }
    }
    return text.toString();
  }

  private static CompressionRequest request(String query, List<SourceDocument> documents, int budget) {
    return new CompressionRequest(query, documents, Budget.ofTokens(budget), "cl100k_base", Effort.FAST, null, null,
        null, true);
  }

  @Test
  void theAnswerComesBackUnderThePathOfHeadingsThatLocatesIt() {
    Compression c = engine.compress(request("How long are backup snapshots kept before deletion?",
        List.of(new SourceDocument(null, null, manual())), 300));
    assertTrue(c.text().contains("Snapshots are kept for 35 days"), c.text());
    int answer = c.text().indexOf("Snapshots are kept");
    int part = c.text().indexOf("### backups part 2");
    int chapter = c.text().indexOf("## Backups");
    int top = c.text().indexOf("# Operations manual");
    assertTrue(top >= 0 && top < chapter && chapter < part && part < answer, c.text());
    assertTrue(c.usage().outputTokens() <= 300);
  }

  @Test
  void explainNamesEachSectionItsScoreAndWhatBecameOfIt() {
    String text = manual();
    Compression c = engine.compress(request("How long are backup snapshots kept before deletion?",
        List.of(new SourceDocument(null, null, text)), 300));
    assertFalse(c.sections().isEmpty());
    Compression.SectionExplanation backups = c.sections().stream()
        .filter(s -> "### backups part 2".equals(s.heading())).findFirst().orElseThrow();
    assertEquals("opened", backups.decision());
    assertEquals(1.0, backups.score(), 1e-9, "the best section of the document");
    assertTrue(text.substring(backups.start(), backups.end()).contains("Snapshots are kept"));
    assertTrue(c.sections().stream().anyMatch(s -> s.decision().equals("dropped") && s.score() < 1.0));
    assertTrue(c.sections().stream().anyMatch(s -> s.decision().equals("heading")), "## Backups frames the part");
    var unit = c.units().stream().filter(u -> text.substring(u.start(), u.end()).startsWith("Snapshots")).findFirst()
        .orElseThrow();
    assertTrue(unit.explanation().toString().contains("section prior"), unit.explanation().toString());
  }

  @Test
  void withoutAQuestionALongDocumentComesBackAsItsMapAndItsMostCentralSections() {
    Compression c = engine.compress(request(null, List.of(new SourceDocument(null, null, manual())), 400));
    long chapters = 0;
    for (String topic : TOPICS) {
      if (c.text().contains("## " + Character.toUpperCase(topic.charAt(0)) + topic.substring(1))) chapters++;
    }
    assertTrue(chapters >= 4, "the map shows most chapters: " + chapters + "\n" + c.text());
    assertTrue(c.units().stream().anyMatch(u -> u.kept() && u.reason().equals("summary")));
    assertTrue(c.units().stream().anyMatch(u -> u.kept() && u.reason().equals("refined")));
    assertTrue(c.usage().outputTokens() <= 400);
  }

  @Test
  void inProseWithBlocksHeadingsStartTheirLinesAndNoGapIsMarkedTwice() {
    Random random = new Random(7);
    StringBuilder text = new StringBuilder("# Service guide\n\n");
    for (int c = 0; c < 6; c++) {
      text.append("## Part ").append(c).append("\n\n");
      for (int k = 0; k < 4; k++) {
        text.append("The service keeps working in part ").append(c).append(" with value ")
            .append(random.nextInt(1_000)).append(". ");
      }
      text.append("\n\n```json\n[\n");
      for (int r = 0; r < 8; r++) {
        text.append("  {\"id\": ").append(c * 10 + r).append(", \"port\": ").append(8000 + c * 10 + r).append("}")
            .append(r < 7 ? ",\n" : "\n");
      }
      text.append("]\n```\n\n");
      if (c == 4) text.append("The admin console listens on port 9443 for operators.\n\n");
    }
    Compression c = engine.compress(request("Which port does the admin console listen on?",
        List.of(new SourceDocument(null, null, text.toString())), 120));
    String out = c.text();
    assertTrue(out.contains("9443"), out);
    assertTrue(out.contains("\n## Part 4\n"), "the heading on a line of its own:\n" + out);
    assertFalse(out.contains("…\n…"), "one marker per gap:\n" + out);
    assertFalse(out.contains("… #"), out);
  }

  /**
   * Whatever the question and the budget, a kept sentence of a Markdown document comes with the nearest heading over
   * it, so that it never reads as part of the section before it; the planner pays for it, and the fill that tops up
   * the last tokens brings it or leaves the sentence out.
   */
  @Test
  void everyKeptSentenceComesWithTheHeadingOverIt() {
    String[] questions = {null, "How long are backup snapshots kept before deletion?",
        "Which request does the billing service handle?", "What does the monitoring service do in part 3?",
        "networking security storage"};
    int checked = 0;
    for (long seed = 0; seed < 12; seed++) {
      Random random = new Random(seed);
      StringBuilder text = new StringBuilder("# Handbook " + seed + "\n\n");
      for (int c = 0; c < 2 + random.nextInt(4); c++) {
        String topic = TOPICS[random.nextInt(TOPICS.length)];
        text.append("## ").append(topic).append(' ').append(c).append("\n\n");
        for (int s = 0; s < 1 + random.nextInt(3); s++) {
          if (random.nextBoolean()) text.append("### ").append(topic).append(" part ").append(s).append("\n\n");
          for (int p = 0; p < 1 + random.nextInt(3); p++) {
            for (int k = 0; k < 1 + random.nextInt(4); k++) {
              text.append("The ").append(topic).append(" service handles request ").append(random.nextInt(10_000))
                  .append(random.nextBoolean() ? "." : " quickly and well.").append(' ');
            }
            text.append("\n\n");
          }
        }
      }
      String document = text.toString();
      String question = questions[random.nextInt(questions.length)];
      int budget = 25 + random.nextInt(200);
      Compression c = engine.compress(request(question, List.of(new SourceDocument(null, null, document)), budget));
      String where = "seed " + seed + ", budget " + budget + ", question " + question + ":\n" + c.text();
      assertTrue(c.usage().outputTokens() <= budget, where);
      List<Compression.UnitExplanation> units = c.units();
      for (int i = 0; i < units.size(); i++) {
        Compression.UnitExplanation u = units.get(i);
        if (!u.kept() || u.reason().equals("cut") || document.startsWith("#", u.start())) continue;
        for (int h = i - 1; h >= 0; h--) {
          if (!document.startsWith("#", units.get(h).start())) continue;
          assertTrue(units.get(h).kept(), "\"" + document.substring(u.start(), u.end()) + "\" without \""
              + document.substring(units.get(h).start(), units.get(h).end()) + "\", " + where);
          checked++;
          break;
        }
      }
    }
    assertTrue(checked >= 30, "checked " + checked);
  }

  @Test
  void theSameTextAsContextOrAsOneOfSeveralDocumentsIsTreatedAlike() {
    String question = "How long are backup snapshots kept before deletion?";
    Compression alone = engine.compress(request(question, List.of(new SourceDocument(null, null, manual())), 300));
    Compression among = engine.compress(request(question, List.of(
        new SourceDocument("a", "Release notes", "Version 2 adds dark mode. Version 3 fixes the login page."),
        new SourceDocument("b", null, manual())), 300));
    assertTrue(alone.text().contains("Snapshots are kept for 35 days"));
    assertTrue(among.text().contains("Snapshots are kept for 35 days"), among.text());
    assertTrue(among.text().contains("### backups part 2"), among.text());
  }
}
