package dev.precis.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.precis.segment.StructuredSegmenter.Structured;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CodeSegmenterTest {
  static final String JAVA = """
      package shop.orders;

      import java.util.List;
      import java.util.Map;

      /** Refunds and their rules. */
      public class OrderService {
        private final Map<String, Order> orders = new java.util.HashMap<>();

        /** Refunds an order; braces in "strings {" and '{' do not count. */
        @Override
        public Money refund(Order order) {
          String note = "refund { not a block";
          char brace = '}';
          return order.total().minus(order.fee()); // } in a comment
        }

        void cancel(Order order) {
          orders.remove(order.id());
        }
      }
      """;
  static final String PYTHON = """
      import os
      from typing import List

      class OrderService:
          \"\"\"Refunds and their rules.\"\"\"

          def refund(self, order):
              \"\"\"Refunds an order.\"\"\"
              note = "refund: { not a block"
              return order.total - order.fee

          def cancel(self, order):
              del self.orders[order.id]


      def main():
          print(OrderService())
      """;
  static final String JAVASCRIPT = """
      import { readFile } from 'fs';
      const path = require('path');

      export class OrderService {
        refund(order) {
          const note = `refund ${order.id} { not a block`;
          return order.total - order.fee;
        }

        cancel(order) {
          this.orders.delete(order.id);
        }
      }

      function main() {
        console.log(new OrderService());
      }
      """;
  static final String TYPESCRIPT = """
      import { Order } from './order';

      export interface Money {
        amount: number;
      }

      export class OrderService {
        refund(order: Order): number {
          const pattern = /[{]/;
          return order.total - order.fee;
        }

        cancel(order: Order): void {
          this.orders.delete(order.id);
        }
      }
      """;
  static final String GO = """
      package orders

      import (
      	"fmt"
      	"strings"
      )

      type OrderService struct {
      	orders map[string]Order
      }

      func (s *OrderService) Refund(order Order) int {
      	note := `refund { not a block`
      	return order.Total - order.Fee
      }

      func (s *OrderService) Cancel(order Order) {
      	delete(s.orders, order.ID)
      }
      """;

  private static final CodeSegmenter SEGMENTER = new CodeSegmenter(2_000);

  private static SegmentedDocument segment(String text) {
    Structured s = SEGMENTER.segment(text);
    return new SegmentedDocument(0, null, text, s.units(), s.structure());
  }

  private static String render(SegmentedDocument doc, BitSet kept, String marker) {
    StringBuilder out = new StringBuilder();
    doc.structure().render(doc, kept, marker, out);
    return out.toString();
  }

  private static int unitStarting(SegmentedDocument doc, String prefix) {
    for (int u = 0; u < doc.units().size(); u++) if (doc.unitText(u).startsWith(prefix)) return u;
    throw new AssertionError("no unit starts with " + prefix + " in " + doc.units());
  }

  private static int unitHolding(SegmentedDocument doc, String part) {
    for (int u = 0; u < doc.units().size(); u++) if (doc.unitText(u).contains(part)) return u;
    throw new AssertionError("no unit holds " + part);
  }

  /** Keeps one unit and its anchors, as the planner does. */
  private static BitSet keepWithAnchors(SegmentedDocument doc, int... units) {
    BitSet kept = new BitSet();
    for (int u : units) {
      for (int a = u; a >= 0 && a < doc.units().size(); a = doc.anchor(a)) kept.set(a);
    }
    return kept;
  }

  @Test
  void javaHeadersBodiesAndAnchors() {
    SegmentedDocument doc = segment(JAVA);
    int imports = unitStarting(doc, "package shop.orders;");
    assertTrue(doc.unitText(imports).endsWith("import java.util.Map;"), doc.unitText(imports));
    int type = unitStarting(doc, "public class OrderService {");
    int refund = unitStarting(doc, "@Override");
    assertTrue(doc.unitText(refund).endsWith("public Money refund(Order order) {"), doc.unitText(refund));
    int body = unitHolding(doc, "String note");
    assertEquals(UnitKind.BODY, doc.units().get(body).kind());
    assertEquals(refund, doc.anchor(body));
    assertEquals(type, doc.anchor(refund));
    assertEquals(-1, doc.anchor(type));
    assertEquals("OrderService.refund, lines 11-12", doc.structure().locator(refund));
    // doc comments are units of their own under their headers: a kept member does not bring its class's documentation
    int refundDoc = unitStarting(doc, "/** Refunds an order;");
    assertEquals(refund, doc.anchor(refundDoc));
    assertEquals(type, doc.anchor(unitStarting(doc, "/** Refunds and their rules. */")));
    assertTrue(doc.rankText(refundDoc).startsWith("OrderService.refund "), doc.rankText(refundDoc));
    assertTrue(doc.rankText(body).startsWith("OrderService.refund "), doc.rankText(body));
    assertEquals(Format.CODE, doc.format());
  }

  @Test
  void oneMethodWholeAndTheOthersAsSignatures() {
    SegmentedDocument doc = segment(JAVA);
    int body = unitHolding(doc, "String note");
    int cancel = unitStarting(doc, "void cancel");
    BitSet kept = keepWithAnchors(doc, body, cancel);
    String out = render(doc, kept, "…");
    assertTrue(out.startsWith("// … 4 lines omitted\npublic class OrderService {\n  // … 2 lines omitted\n  @Override\n"), out);
    assertTrue(out.contains("\n  void cancel(Order order) { … }\n}"), out);
    assertTrue(out.contains("  public Money refund(Order order) {\n    String note"), out);
    assertEquals(out.replace("{ … }", "{ }").replaceAll("(?m)^\\s*// … .*\\n?", "").strip(),
        render(doc, kept, "").strip(), "an empty marker leaves the notes out");
  }

  @Test
  void pythonKeepsTheDocstringWithTheSignatureAndElidesWithDots() {
    SegmentedDocument doc = segment(PYTHON);
    int cls = unitStarting(doc, "class OrderService:");
    int refund = unitStarting(doc, "def refund(self, order):");
    assertTrue(doc.unitText(refund).endsWith("\"\"\"Refunds an order.\"\"\""), doc.unitText(refund));
    assertEquals(cls, doc.anchor(refund));
    int body = unitHolding(doc, "note = ");
    assertEquals(refund, doc.anchor(body));
    int cancel = unitStarting(doc, "def cancel");
    String out = render(doc, keepWithAnchors(doc, body, cancel), "…");
    assertTrue(out.contains("""
        class OrderService:
            \"\"\"Refunds and their rules.\"\"\"

            def refund(self, order):
                \"\"\"Refunds an order.\"\"\"
                note = "refund: { not a block"
                return order.total - order.fee

            def cancel(self, order):
                ...
        # … 2 lines omitted"""), out);
    assertEquals("OrderService.cancel, line 12", doc.structure().locator(cancel));
  }

  @Test
  void javaScriptTypeScriptAndGoMethodsUnderTheirTypes() {
    for (String[] c : new String[][] {
        {JAVASCRIPT, "refund(order) {", "const note", "export class OrderService {", "cancel(order) { … }"},
        {TYPESCRIPT, "refund(order: Order): number {", "const pattern", "export class OrderService {",
            "cancel(order: Order): void { … }"},
        {GO, "func (s *OrderService) Refund(order Order) int {", "note :=", null,
            "func (s *OrderService) Cancel(order Order) { … }"}}) {
      SegmentedDocument doc = segment(c[0]);
      int header = unitStarting(doc, c[1]);
      int body = unitHolding(doc, c[2]);
      assertEquals(header, doc.anchor(body), c[0]);
      if (c[3] != null) assertEquals(unitStarting(doc, c[3]), doc.anchor(header));
      int cancel = unitHolding(doc, c[4].substring(0, c[4].indexOf(" { … }")));
      String out = render(doc, keepWithAnchors(doc, body, cancel), "…");
      assertTrue(out.contains(doc.unitText(body)), out);
      assertTrue(out.contains(c[4]), out);
      assertEquals(c[0].strip(), render(doc, all(doc), "…"));
    }
  }

  @Test
  void detectedWholeAndDeclaredCodeNeverFails() {
    for (String code : List.of(JAVA, PYTHON, JAVASCRIPT, TYPESCRIPT, GO)) {
      assertEquals(Format.CODE, DocumentSegmenter.detect(code), code);
    }
    String prose = "Refunds are paid back within five days. Nothing here is code, but it is declared so.";
    SegmentedDocument declared = new DocumentSegmenter(2_000).segment(0, null, prose, Format.CODE);
    assertEquals(Format.CODE, declared.format());
    assertEquals(prose, render(declared, all(declared), "…"));
  }

  @Test
  void aLargeBodyIsCutIntoBlocksUnderItsHeaderAndFinerOnRequest() {
    StringBuilder text = new StringBuilder("class Big {\n  void run() {\n");
    for (int i = 0; i < 60; i++) text.append("    step").append(i).append("(context, ").append(i).append(");\n");
    text.append("  }\n}\n");
    SegmentedDocument doc = segment(text.toString());
    int header = unitStarting(doc, "void run() {");
    int blocks = 0;
    for (int u = 0; u < doc.units().size(); u++) {
      if (doc.units().get(u).kind() == UnitKind.BODY) {
        blocks++;
        assertEquals(header, doc.anchor(u));
        assertTrue(doc.units().get(u).length() <= 2_000);
      }
    }
    assertEquals(1, blocks, "the body fits 2,000 chars: one unit");
    Structured finer = doc.structure().withUnitLimit(300);
    SegmentedDocument cut = new SegmentedDocument(0, null, doc.text(), finer.units(), finer.structure());
    int middle = unitHolding(cut, "step30(");
    assertEquals(UnitKind.BODY, cut.units().get(middle).kind());
    assertTrue(cut.units().get(middle).length() <= 300);
    String out = render(cut, keepWithAnchors(cut, middle), "…");
    assertTrue(out.startsWith("class Big {\n  void run() {\n    // … "), out);
    assertTrue(out.endsWith("lines omitted\n  }\n}"), out);
    assertTrue(out.contains("    step30(context, 30);\n"), out);
  }

  @Test
  void detectionFiresOnCodeAndNotOnProseOrData() {
    for (String code : List.of(JAVA, PYTHON, JAVASCRIPT, TYPESCRIPT, GO)) {
      assertTrue(CodeSegmenter.looksLikeCode(code), code);
    }
    for (String other : List.of(
        "The refund is computed from the order total. It subtracts the fee. Then it is paid back.\nSee below.\n",
        "# Refunds\n\nA refund returns money.\n\n```java\nclass A {}\n```\n",
        "{\n  \"import\": \"x\",\n  \"def\": [1, 2]\n}\n",
        "name,city,age\nAda,London,36\nAlan,Wilmslow,41\n",
        "2024-01-01 12:00:00 ERROR OrderService failed\n2024-01-01 12:00:01 INFO retry (1)\n"
            + "2024-01-01 12:00:02 INFO done;\n",
        "")) {
      assertFalse(CodeSegmenter.looksLikeCode(other), other);
    }
  }

  static BitSet all(SegmentedDocument doc) {
    BitSet all = new BitSet();
    all.set(0, doc.units().size());
    return all;
  }

  @Test
  void robustOnBrokenAndHugeInputs() {
    List<String> inputs = List.of("", "   \n  ", "}".repeat(50) + "\n{{{\nclass A {\n",
        "x = 1; ".repeat(300_000), "{\n".repeat(10_000) + "}\n".repeat(10_000),
        "class A {\n".repeat(10_000) + "}\n".repeat(10_000), "def f():\n".repeat(5_000),
        "\"unclosed string {\nclass B {\n  void f() {\n  }\n", "/* never closed {\nclass C {\n}\n");
    for (String text : inputs) {
      SegmentedDocument doc = segment(text);
      assertEquals(text.strip(), render(doc, all(doc), "…"));
      render(doc, keepWithAnchors(doc, doc.units().size() / 2), "…");
    }
  }

  @Test
  void randomEditsStillRenderVerbatimLinesAndNotes() {
    long seed = Long.getLong("tests.seed", System.nanoTime());
    Random random = new Random(seed);
    String[] samples = {JAVA, PYTHON, JAVASCRIPT, TYPESCRIPT, GO};
    String noise = "{}()\"'`#/*";
    for (int round = 0; round < 300; round++) {
      StringBuilder text = new StringBuilder(samples[random.nextInt(samples.length)]);
      for (int e = random.nextInt(4); e > 0; e--) {
        int at = random.nextInt(text.length());
        if (random.nextBoolean()) text.deleteCharAt(at);
        else text.insert(at, noise.charAt(random.nextInt(noise.length())));
      }
      String t = text.toString();
      SegmentedDocument doc = segment(t);
      String context = "seed " + seed + " round " + round + "\n" + t;
      assertEquals(t.strip(), render(doc, all(doc), "…"), context);
      BitSet kept = new BitSet();
      for (int u = 0; u < doc.units().size(); u++) {
        if (random.nextInt(3) == 0) kept.or(keepWithAnchors(doc, u));
      }
      String out = render(doc, kept, "…");
      Set<String> inputLines = Set.copyOf(t.lines().map(String::strip).toList());
      for (String line : out.lines().map(String::strip).toList()) {
        boolean ok = line.isEmpty() || inputLines.contains(line) || line.matches("(//|#) … \\d+ lines? omitted")
            || line.equals("...") || elided(line, inputLines);
        assertTrue(ok, context + "\n->\n" + out + "\nline: " + line);
      }
    }
  }

  /** A header's line with its body elided: {@code <input line up to {> … <closing input line><rest>}. */
  private static boolean elided(String line, Set<String> inputLines) {
    int at = line.indexOf(" … ");
    while (at >= 0) {
      String head = line.substring(0, at);
      if (head.endsWith("{")) {
        String rest = line.substring(at + 3);
        for (String in : inputLines) {
          if (in.startsWith(head) && !in.isEmpty()) {
            String tail = in.substring(head.length());
            if (rest.endsWith(tail) && inputLines.contains(rest.substring(0, rest.length() - tail.length()).strip())) {
              return true;
            }
          }
        }
      }
      at = line.indexOf(" … ", at + 1);
    }
    return false;
  }
}
