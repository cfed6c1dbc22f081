package dev.precis.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SectionsTest {
  private final Segmenter segmenter = new Segmenter(600);

  private SegmentedDocument doc(String text) {
    return new SegmentedDocument(0, null, text, segmenter.segment(text));
  }

  private static String paragraph(Random random, int sentences) {
    StringBuilder p = new StringBuilder();
    for (int s = 0; s < sentences; s++) {
      p.append(s == 0 ? "" : " ").append("Sentence ").append(random.nextInt(1000)).append(" says something about the")
          .append(" topic at some length, as prose does.");
    }
    return p.toString();
  }

  @Test
  void headingsOpenSections() {
    SegmentedDocument d = doc("# Intro\n\nFirst words here. More words.\n\n## Data\n\nWe collected data.\n\n"
        + "## Results\n\nIt worked.");
    Sections sections = Sections.of(d, Sections.DEFAULT_WINDOW_CHARS);
    assertEquals(3, sections.count());
    for (Sections.Section s : sections.list()) {
      assertEquals(UnitKind.HEADING, d.units().get(s.heading()).kind());
      assertEquals(s.first(), s.heading(), "a heading opens its section");
    }
    assertEquals(1, sections.of(sections.get(1).first() + 1), "the text under a heading is in its section");
    assertTrue(d.unitText(sections.get(1).heading()).contains("Data"));
  }

  @Test
  void aShortDocumentWithoutHeadingsIsOneSection() {
    Sections sections = Sections.of(doc("One paragraph of text. It is short.\n\nAnother one."), 1_600);
    assertEquals(1, sections.count());
    assertFalse(sections.divided());
    assertEquals(-1, sections.get(0).heading());
  }

  @Test
  void aLongStretchWithoutHeadingsIsCutIntoWindowsAtParagraphs() {
    Random random = new Random(7);
    StringBuilder text = new StringBuilder();
    for (int p = 0; p < 30; p++) text.append(p == 0 ? "" : "\n\n").append(paragraph(random, 3));
    SegmentedDocument d = doc(text.toString());
    Sections sections = Sections.of(d, 1_000);
    assertTrue(sections.count() >= 5, "about 4,900 characters in windows of 1,000: " + sections.count());
    for (int s = 0; s < sections.count(); s++) {
      Sections.Section section = sections.get(s);
      assertEquals(-1, section.heading());
      if (s > 0) {
        int previous = section.first() - 1;
        assertTrue(d.units().get(previous).paragraph() != d.units().get(section.first()).paragraph(),
            "a window starts at a paragraph");
      }
      assertTrue(section.chars() < 3_000, "a window stays near its size: " + section.chars());
    }
  }

  @Test
  void sectionsCoverEveryUnitOnceInOrder() {
    Random random = new Random(11);
    for (int round = 0; round < 50; round++) {
      StringBuilder text = new StringBuilder();
      int blocks = 1 + random.nextInt(25);
      for (int b = 0; b < blocks; b++) {
        if (b > 0) text.append("\n\n");
        if (random.nextInt(4) == 0) text.append("## Heading ").append(b).append("\n\n");
        text.append(paragraph(random, 1 + random.nextInt(random.nextInt(3) == 0 ? 40 : 5)));
      }
      SegmentedDocument d = doc(text.toString());
      Sections sections = Sections.of(d, 200 + random.nextInt(2_000));
      int next = 0;
      for (int s = 0; s < sections.count(); s++) {
        Sections.Section section = sections.get(s);
        assertEquals(next, section.first(), "round " + round + ": sections follow each other");
        for (int u = section.first(); u < section.end(); u++) assertEquals(s, sections.of(u));
        next = section.end();
      }
      assertEquals(d.units().size(), next, "round " + round + ": every unit is in a section");
    }
  }

  @Test
  void aStructuredDocumentIsOneSection() {
    String json = "[" + "{\"id\": 1, \"name\": \"a\"},".repeat(200) + "{\"id\": 2}]";
    SegmentedDocument d = new DocumentSegmenter(600).segment(0, null, json, Format.AUTO, false);
    assertEquals(Format.JSON, d.format());
    assertEquals(1, Sections.of(d, 100).count());
  }

  @Test
  void proseWithStructuredBlocksHasSectionsAsProseDoes() {
    StringBuilder json = new StringBuilder("[\n");
    for (int i = 0; i < 12; i++) json.append("  {\"id\": ").append(i).append(", \"port\": ").append(8080 + i).append("},\n");
    json.append("  {\"id\": 12, \"port\": 9000}\n]");
    String text = "## Setup\n\nInstall it first.\n\n```json\n" + json + "\n```\n\n## Usage\n\nRun it with the port.";
    SegmentedDocument d = new DocumentSegmenter(600).segment(0, null, text, Format.AUTO, false);
    assertEquals(Format.MIXED, d.format());
    Sections sections = Sections.of(d, Sections.DEFAULT_WINDOW_CHARS);
    assertEquals(2, sections.count());
    assertTrue(d.unitText(sections.get(1).heading()).contains("Usage"));
  }

  @Test
  void aPassagesTitleLineIsNoSectionHeading() {
    String text = "# Polonium\n\nPolonium is a chemical element. Marie Curie discovered it in 1898.";
    SegmentedDocument d = new SegmentedDocument(0, "Polonium", text, segmenter.segment(text));
    assertTrue(d.opensWithTitleLine());
    Sections sections = Sections.of(d, 1_600);
    assertEquals(1, sections.count());
    assertEquals(-1, sections.get(0).heading());
  }

  @Test
  void windowSizeMustBePositive() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Sections.of(doc("A."), 0));
    assertTrue(e.getMessage().contains("windowChars"), e.getMessage());
    assertEquals(0, Sections.of(new SegmentedDocument(0, null, "", List.of()), 10).count());
  }
}
