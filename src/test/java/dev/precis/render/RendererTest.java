package dev.precis.render;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.precis.segment.SegmentedDocument;
import dev.precis.segment.Segmenter;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class RendererTest {
  private final Segmenter segmenter = new Segmenter(600);
  private final Renderer renderer = new Renderer();

  private SegmentedDocument doc(int index, String title, String text) {
    return new SegmentedDocument(index, title, text, segmenter.segment(text));
  }

  private static BitSet units(int... ordinals) {
    BitSet b = new BitSet();
    for (int o : ordinals) b.set(o);
    return b;
  }

  @Test
  void wholeDocumentReadsAsGiven() {
    String text = "Oslo is the capital of Norway.  It lies on a fjord.\n\nIt has 700,000 people.";
    SegmentedDocument d = doc(0, "Oslo", text);
    assertEquals("Oslo\n" + text,
        renderer.render(List.of(d), List.of(units(0, 1, 2)), new int[] {0}, "…", null));
  }

  @Test
  void gapsAreMarkedInsideParagraphsAndBetweenThem() {
    SegmentedDocument d = doc(0, "Oslo",
        "Oslo is the capital of Norway. It lies on a fjord. It is old.\n\nIt has 700,000 people. It is cold.");
    assertEquals("Oslo\nOslo is the capital of Norway. … It is old.\n\nIt has 700,000 people. …",
        renderer.render(List.of(d), List.of(units(0, 2, 3)), new int[] {0}, "…", null));
    assertEquals("Oslo\nOslo is the capital of Norway.\n…\nIt has 700,000 people. …",
        renderer.render(List.of(d), List.of(units(0, 3)), new int[] {0}, "…", null));
    assertEquals("Oslo\nOslo is the capital of Norway.\nIt has 700,000 people.",
        renderer.render(List.of(d), List.of(units(0, 3)), new int[] {0}, "", null));
  }

  @Test
  void documentsInTheGivenOrderSeparatedByABlankLineDroppedOnesLeftOut() {
    SegmentedDocument a = doc(0, "A", "Alpha one. Alpha two.");
    SegmentedDocument b = doc(1, null, "Beta one.");
    SegmentedDocument c = doc(2, "C", "Gamma one.");
    assertEquals("Beta one.\n\nA\n… Alpha two.",
        renderer.render(List.of(a, b, c), List.of(units(1), units(0), new BitSet()),
            new int[] {1, 0, 2}, "…", null));
  }

  @Test
  void cutUnitIsMarked() {
    SegmentedDocument d = doc(0, null, "A very long sentence that does not fit. Another.");
    assertEquals("A very long …", renderer.render(List.of(d), List.of(units(0)), new int[] {0}, "…",
        new Renderer.Cut(0, 0, "A very long")));
  }
}
