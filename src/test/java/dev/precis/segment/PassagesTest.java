package dev.precis.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class PassagesTest {
  private final Segmenter segmenter = new Segmenter(600);

  private SegmentedDocument doc(int index, String title, String text) {
    return new SegmentedDocument(index, title, text, segmenter.segment(text));
  }

  private static final String PASTED = "Marie Curie\n"
      + "Marie Curie was a physicist and chemist who conducted pioneering research on radioactivity.\n\n"
      + "Polonium\n"
      + "of the elements she discovered, polonium was named after her native Poland. It is rare.\n\n"
      + "Warsaw\n"
      + "Warsaw is the capital and largest city of Poland, on the Vistula river.";

  @Test
  void pastedPassagesBecomeOnePassageEachTitledByItsTitleLine() {
    SegmentedDocument context = doc(0, null, PASTED);
    Passages passages = Passages.of(List.of(context));
    assertTrue(passages.split());
    assertEquals(3, passages.size());
    assertEquals(List.of("Marie Curie", "Polonium", "Warsaw"),
        passages.list().stream().map(SegmentedDocument::title).toList());
    for (int p = 0; p < passages.size(); p++) {
      SegmentedDocument passage = passages.list().get(p);
      assertEquals(p, passage.index());
      assertEquals(0, passages.document(p));
      assertTrue(passages.titledBySection(p));
      assertEquals(UnitKind.HEADING, passage.units().get(0).kind());
      for (int u = 0; u < passage.units().size(); u++) {
        int du = passages.documentUnit(p, u);
        assertEquals(context.unitText(du), passage.unitText(u));
        assertEquals(p, passages.passage(0, du));
        assertEquals(u, passages.passageUnit(0, du));
      }
    }
    assertTrue(passages.list().get(1).unitText(1).startsWith("of the elements"), "a chunk cut mid-sentence");
  }

  @Test
  void titlesThatFailTheLineTestStillOpenPassagesInAPastedLayout() {
    String context = "Lisburn Distillery F.C.\nLisburn Distillery Football Club is an intermediate football club"
        + " based in Ballyskeagh, Northern Ireland.\n\n"
        + "Sean Connor\nSean Connor is a football manager from Northern Ireland who has managed several clubs.\n\n"
        + "Yo Gabba Gabba!\nYo Gabba Gabba! is an American live-action children's television series that aired"
        + " from 2007.\n\n"
        + "NIFL Premier Intermediate League\nThe NIFL Premier Intermediate League is the third tier of football in"
        + " Northern Ireland.";
    Passages passages = Passages.of(List.of(doc(0, null, context)));
    assertEquals(
        List.of("Lisburn Distillery F.C.", "Sean Connor", "Yo Gabba Gabba!", "NIFL Premier Intermediate League"),
        passages.list().stream().map(SegmentedDocument::title).toList());
  }

  @Test
  void documentsWithATitleOrWithoutTitledBlocksStayWhole() {
    String paper = "Introduction\nWe study how the data was collected and what it shows about the speakers.\n"
        + "Data Collection\nContributors record voice clips by reading from a bank of donated sentences.";
    String markdown = "# Setup\n\nInstall the package with the usual command and start the service.\n\n"
        + "# Usage\n\nSend a request with a question and the documents to compress them.";
    List<SegmentedDocument> docs = List.of(doc(0, "Titled", PASTED), doc(1, null, paper), doc(2, null, markdown),
        doc(3, null, "Just one sentence here."));
    Passages passages = Passages.of(docs);
    assertFalse(passages.split());
    assertEquals(4, passages.size());
    for (int p = 0; p < 4; p++) {
      assertEquals(docs.get(p).title(), passages.list().get(p).title());
      assertEquals(docs.get(p).units(), passages.list().get(p).units());
      assertFalse(passages.titledBySection(p));
    }
  }

  @Test
  void textBeforeTheFirstTitleLineIsAnUntitledPassage() {
    SegmentedDocument context = doc(0, null, "Some retrieved context follows.\n\n" + PASTED);
    Passages passages = Passages.of(List.of(doc(0, "A", "First document."), reindexed(context, 1)));
    assertEquals(5, passages.size());
    assertEquals(1, passages.document(1));
    assertNull(passages.list().get(1).title());
    assertFalse(passages.titledBySection(1));
    assertEquals("Marie Curie", passages.list().get(2).title());

    BitSet[] byDocument = {new BitSet(), new BitSet()};
    byDocument[1].set(0);
    byDocument[1].set(context.units().size() - 1);
    BitSet[] byPassage = passages.toPassages(byDocument);
    assertEquals(BitSet.valueOf(new long[] {1}), byPassage[1]);
    assertEquals(passages.list().get(4).units().size() - 1, byPassage[4].nextSetBit(0));
  }

  @Test
  void oneTitledBlockIsTitledByItsTitleLine() {
    SegmentedDocument block = doc(0, null, "Polonium\nPolonium was named after Poland. It is rare.");
    Passages passages = Passages.of(List.of(block));
    assertFalse(passages.split());
    assertEquals("Polonium", passages.list().get(0).title());
    assertTrue(passages.titledBySection(0));
    assertEquals(block.units(), passages.list().get(0).units());
  }

  @Test
  void passagesLabelledInlineAreTitledByTheLabelsTitle() {
    String litm = "Document [1](Title: Marie Curie) She was a physicist and chemist who studied radioactivity.\n\n"
        + "Document [2](Title: Greaser (subculture)) Greasers are a youth subculture of the 1950s.";
    Passages passages = Passages.of(List.of(doc(0, null, litm)));
    assertEquals(List.of("Marie Curie", "Greaser (subculture)"),
        passages.list().stream().map(SegmentedDocument::title).toList());
    assertTrue(passages.titledBySection(0) && passages.titledBySection(1), "the label is the passage's header");
  }

  @Test
  void aHeadingsTitleDropsMarkdownMarks() {
    assertEquals("Results", Passages.headingTitle("## Results ##"));
    assertEquals("Setext title", Passages.headingTitle("Setext title\n============"));
    assertEquals("Marie Curie", Passages.headingTitle("Title: Marie Curie"));
    assertEquals("Greaser (subculture)", Passages.headingTitle("Document [3](Title: Greaser (subculture))"));
    assertNull(Passages.headingTitle("#"));
  }

  @Test
  void documentsMustBeIndexedByPosition() {
    assertThrows(IllegalArgumentException.class, () -> Passages.of(List.of(doc(1, null, "Text."))));
  }

  private static SegmentedDocument reindexed(SegmentedDocument doc, int index) {
    return new SegmentedDocument(index, doc.title(), doc.text(), doc.units());
  }
}
