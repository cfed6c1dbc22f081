package dev.precis.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.precis.segment.Format;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Source code through the whole engine: the method asked about is kept whole under its signatures. */
class CodeContextTest {
  private static final String QUESTION = "How does refundFailedPayment compute the refund amount?";
  private static final String[] NOUNS = {"Order", "Invoice", "Customer", "Shipment", "Ledger", "Account", "Cart",
      "Coupon", "Warehouse", "Supplier", "Catalog", "Review", "Session", "Report", "Subscription"};
  private static final String[] VERBS = {"load", "save", "validate", "archive", "notify", "merge", "export",
      "schedule", "reconcile", "audit", "publish", "lock"};
  private static PrecisEngine engine;

  @BeforeAll
  static void start() {
    engine = PrecisEngine.createDefault();
  }

  @AfterAll
  static void stop() {
    engine.close();
  }

  private static Compression compress(String text, int budget, Effort effort) {
    return engine.compress(new CompressionRequest(QUESTION, List.of(new SourceDocument(null, null, text)),
        Budget.ofTokens(budget), null, effort, null, null, null, true));
  }

  /** About 3,000 lines of services; PaymentService.refundFailedPayment sits in the middle. */
  static String javaFile() {
    Random random = new Random(11);
    StringBuilder out = new StringBuilder("package shop.services;\n\nimport java.math.BigDecimal;\n"
        + "import java.util.List;\nimport java.util.Map;\n\n");
    for (int c = 0; c < 30; c++) {
      String noun = NOUNS[c % NOUNS.length] + (c / NOUNS.length == 0 ? "" : "V" + c);
      if (c == 15) {
        out.append("/** Payments: captures, failures and refunds. */\npublic class PaymentService {\n")
            .append("  private static final BigDecimal REFUND_RATIO = new BigDecimal(\"0.97\");\n\n")
            .append("  /** Refunds a payment that failed after capture. */\n")
            .append("  public BigDecimal refundFailedPayment(Payment payment) {\n")
            .append("    if (payment == null) throw new IllegalArgumentException(\"payment\");\n")
            .append("    BigDecimal captured = payment.capturedAmount();\n")
            .append("    BigDecimal refundAmount = captured.subtract(payment.processingFee()).multiply(REFUND_RATIO);\n")
            .append("    ledger.record(payment.id(), refundAmount);\n")
            .append("    return refundAmount;\n")
            .append("  }\n\n");
      } else {
        out.append("/** Services for ").append(noun.toLowerCase(java.util.Locale.ROOT)).append(" records. */\n")
            .append("public class ").append(noun).append("Service {\n")
            .append("  private final Map<String, ").append(noun).append("> store = new java.util.HashMap<>();\n\n");
      }
      for (int m = 0; m < 8; m++) {
        String verb = VERBS[random.nextInt(VERBS.length)];
        out.append("  /** ").append(verb).append("s the ").append(noun).append(" with the given id. */\n")
            .append("  public ").append(noun).append(' ').append(verb).append(noun).append(m)
            .append("(String id, int attempt) {\n");
        for (int line = 0; line < 8; line++) {
          out.append("    ").append(noun).append(" item").append(line).append(" = store.get(id + \"-")
              .append(random.nextInt(1000)).append("\");\n");
        }
        out.append("    if (item0 == null) {\n      return null;\n    }\n    return item0;\n  }\n\n");
      }
      out.append("}\n\n");
    }
    return out.toString();
  }

  static String pythonFile() {
    Random random = new Random(13);
    StringBuilder out = new StringBuilder("import decimal\nfrom typing import Dict, List\n\n\n");
    for (int c = 0; c < 30; c++) {
      String noun = NOUNS[c % NOUNS.length] + (c / NOUNS.length == 0 ? "" : "V" + c);
      if (c == 15) {
        out.append("class PaymentService:\n    \"\"\"Payments: captures, failures and refunds.\"\"\"\n\n")
            .append("    def refund_failed_payment(self, payment):\n")
            .append("        \"\"\"Refunds a payment that failed after capture (refundFailedPayment).\"\"\"\n")
            .append("        captured = payment.captured_amount\n")
            .append("        refund_amount = (captured - payment.processing_fee) * REFUND_RATIO\n")
            .append("        self.ledger.record(payment.id, refund_amount)\n")
            .append("        return refund_amount\n\n");
      } else {
        out.append("class ").append(noun).append("Service:\n    \"\"\"Services for ")
            .append(noun.toLowerCase(java.util.Locale.ROOT)).append(" records.\"\"\"\n\n");
      }
      for (int m = 0; m < 8; m++) {
        String verb = VERBS[random.nextInt(VERBS.length)];
        out.append("    def ").append(verb).append('_').append(noun.toLowerCase(java.util.Locale.ROOT)).append('_')
            .append(m).append("(self, item_id, attempt):\n");
        for (int line = 0; line < 8; line++) {
          out.append("        item").append(line).append(" = self.store.get(f\"{item_id}-")
              .append(random.nextInt(1000)).append("\")\n");
        }
        out.append("        if item0 is None:\n            return None\n        return item0\n\n");
      }
      out.append("\n");
    }
    return out.toString();
  }

  @Test
  void theJavaMethodAskedAboutIsKeptWholeUnderItsSignatures() {
    String text = javaFile();
    assertTrue(text.lines().count() > 2_500, "lines: " + text.lines().count());
    for (Effort effort : Effort.values()) {
      Compression c = compress(text, 400, effort);
      String out = c.text();
      assertTrue(c.usage().outputTokens() <= 400, effort + ": " + c.usage().outputTokens());
      assertEquals(Format.CODE, c.documents().get(0).format());
      assertTrue(out.contains("public class PaymentService {"), effort + ":\n" + out);
      assertTrue(out.contains(String.join("\n",
          "  public BigDecimal refundFailedPayment(Payment payment) {",
          "    if (payment == null) throw new IllegalArgumentException(\"payment\");",
          "    BigDecimal captured = payment.capturedAmount();",
          "    BigDecimal refundAmount = captured.subtract(payment.processingFee()).multiply(REFUND_RATIO);",
          "    ledger.record(payment.id(), refundAmount);",
          "    return refundAmount;",
          "  }")), effort + ":\n" + out);
    }
  }

  @Test
  void thePythonMethodAskedAboutIsKeptWholeUnderItsSignatures() {
    String text = pythonFile();
    for (Effort effort : Effort.values()) {
      Compression c = compress(text, 400, effort);
      String out = c.text();
      assertTrue(c.usage().outputTokens() <= 400, effort + ": " + c.usage().outputTokens());
      assertEquals(Format.CODE, c.documents().get(0).format());
      assertTrue(out.contains("class PaymentService:\n"), effort + ":\n" + out);
      assertTrue(out.contains(String.join("\n",
          "    def refund_failed_payment(self, payment):",
          "        \"\"\"Refunds a payment that failed after capture (refundFailedPayment).\"\"\"",
          "        captured = payment.captured_amount",
          "        refund_amount = (captured - payment.processing_fee) * REFUND_RATIO",
          "        self.ledger.record(payment.id, refund_amount)",
          "        return refund_amount")), effort + ":\n" + out);
    }
  }

  @Test
  void aFencedJavaBlockComesBackInsideItsFence() {
    String code = javaFile().lines().limit(400).reduce((a, b) -> a + "\n" + b).orElseThrow();
    String text = "# Payments\n\nThe refund logic lives in the payment service, shown below.\n\n```java\n" + code
        + "\n}\n```\n\nAsk the payments team about refunds of failed payments.\n";
    String withTarget = text.replace("public class OrderService {", "public class PaymentService {\n"
        + "  public BigDecimal refundFailedPayment(Payment payment) {\n"
        + "    BigDecimal refundAmount = payment.capturedAmount().multiply(REFUND_RATIO);\n"
        + "    return refundAmount;\n  }\n}\n\npublic class OrderService {");
    Compression c = compress(withTarget, 400, Effort.FAST);
    String out = c.text();
    assertTrue(c.usage().outputTokens() <= 400, "" + c.usage().outputTokens());
    int open = out.indexOf("```java\n");
    int close = out.indexOf("\n```", open + 1);
    assertTrue(open >= 0 && close > open, out);
    assertTrue(out.substring(open, close).contains(
        "    BigDecimal refundAmount = payment.capturedAmount().multiply(REFUND_RATIO);"), out);
  }
}
