package dev.precis.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.precis.segment.Format;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Logs through the whole engine: detected, the failure and the line asked for kept, the budget held exactly. */
class LogContextTest {
  private static final String ASSERTION =
      "org.opentest4j.AssertionFailedError: invoice total for order ORD-4471 ==> expected: <129.90> but was: <119.90>";
  private static PrecisEngine engine;

  @BeforeAll
  static void start() {
    engine = PrecisEngine.createDefault();
  }

  @AfterAll
  static void stop() {
    engine.close();
  }

  private static Compression compress(String query, String text, int budget, Effort effort) {
    return engine.compress(new CompressionRequest(query, List.of(new SourceDocument(null, null, text)),
        Budget.ofTokens(budget), null, effort, null, null, null, true));
  }

  @Test
  void aBuildLogWithOneFailureKeepsTheFailureMessageWithinThreeHundredTokens() {
    String log = mavenBuildLog(new Random(42), 3_000);
    assertEquals(3_000, log.lines().count());
    for (Effort effort : Effort.values()) {
      long t0 = System.nanoTime();
      Compression c = compress("Why did the build fail?", log, 300, effort);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(c.usage().outputTokens() <= 300, effort + ": " + c.usage().outputTokens() + " tokens");
      assertEquals(Format.LOG, c.documents().get(0).format());
      assertTrue(c.text().lines().anyMatch(ASSERTION::equals), effort + " in " + ms + " ms:\n" + c.text());
      assertTrue(c.text().contains("more frames"), effort + ":\n" + c.text());
    }
  }

  @Test
  void theRequestTheQuestionNamesIsKept() {
    Random random = new Random(11);
    StringBuilder log = new StringBuilder();
    String asked = null;
    for (int i = 0; i < 2_000; i++) {
      String id = String.format(Locale.ROOT, "req-%08x", random.nextInt());
      if (i == 1_234) asked = id;
      log.append(String.format(Locale.ROOT, "2026-12-06T10:%02d:%02d.%03dZ INFO  [http-nio-8080-exec-%d] "
              + "c.e.shop.OrderController - GET /api/orders/%d id=%s status=200 took=%dms%n", i / 60 % 60, i % 60,
          random.nextInt(1000), random.nextInt(16), random.nextInt(90_000), id, random.nextInt(400)));
    }
    String expected = lineWith(log.toString(), "id=" + asked + " ");
    for (Effort effort : Effort.values()) {
      Compression c = compress("What happened to request " + asked + "?", log.toString(), 200, effort);
      assertTrue(c.usage().outputTokens() <= 200, effort + ": " + c.usage().outputTokens() + " tokens");
      assertEquals(Format.LOG, c.documents().get(0).format());
      assertTrue(c.text().lines().anyMatch(expected::equals), effort + ":\n" + c.text());
    }
  }

  private static String lineWith(String text, String part) {
    return text.lines().filter(l -> l.contains(part)).findFirst().orElseThrow();
  }

  @Test
  void aLogFencedInProseComesBackInsideItsFence() {
    String log = mavenBuildLog(new Random(5), 400);
    String context = "Our nightly job builds the billing service and runs its tests. Last night it went red and "
        + "nobody has looked at it yet.\n\nHere is the build output:\n\n```log\n" + log
        + "\n```\n\nThe job runs again at midnight; a green build deploys to staging automatically.";
    Compression c = compress("Why did the build fail?", context, 250, Effort.FAST);
    assertEquals(Format.MIXED, c.documents().get(0).format());
    assertTrue(c.usage().outputTokens() <= 250, c.usage().outputTokens() + " tokens");
    String text = c.text();
    int open = text.indexOf("```log\n");
    int close = text.indexOf("\n```", open + 1);
    assertTrue(open >= 0 && close > open, text);
    String block = text.substring(open, close);
    assertTrue(block.lines().anyMatch(ASSERTION::equals), text);
  }

  /**
   * A Maven build of {@code lines} lines: downloads, compilation, test classes with their {@code Tests run:} lines,
   * one failing test with its assertion message and a 40-frame stack trace, the results and {@code BUILD FAILURE}.
   */
  static String mavenBuildLog(Random random, int lines) {
    List<String> tail = mavenTail();
    List<String> failure = mavenFailure();
    StringBuilder out = new StringBuilder();
    int written = 0;
    String[] head = {
      "[INFO] Scanning for projects...",
      "[INFO] ",
      "[INFO] ----------------------< com.example:billing >-----------------------",
      "[INFO] Building billing 2.4.1-SNAPSHOT",
      "[INFO]   from pom.xml",
      "[INFO] --------------------------------[ jar ]---------------------------------",
    };
    for (String line : head) {
      out.append(line).append('\n');
      written++;
    }
    int tests = (lines - written - tail.size() - failure.size()) / 2;
    int downloads = Math.max(1, tests / 4);
    String[] groups = {"org/apache/commons", "com/fasterxml/jackson/core", "io/netty", "org/junit/jupiter",
        "org/slf4j", "com/google/guava"};
    for (int i = 0; i < downloads; i++) {
      String group = groups[random.nextInt(groups.length)];
      String artifact = "lib" + random.nextInt(500);
      String version = random.nextInt(5) + "." + random.nextInt(20) + "." + random.nextInt(10);
      out.append("[INFO] Downloading from central: https://repo.maven.apache.org/maven2/").append(group).append('/')
          .append(artifact).append('/').append(version).append('/').append(artifact).append('-').append(version)
          .append(".jar\n");
      out.append("[INFO] Downloaded from central: https://repo.maven.apache.org/maven2/").append(group).append('/')
          .append(artifact).append('/').append(version).append('/').append(artifact).append('-').append(version)
          .append(".jar (").append(random.nextInt(900) + 10).append(" kB at ").append(random.nextInt(3000) + 100)
          .append(" kB/s)\n");
      written += 2;
    }
    String[] setup = {
      "[INFO] ",
      "[INFO] --- resources:3.3.1:resources (default-resources) @ billing ---",
      "[INFO] Copying 4 resources from src/main/resources to target/classes",
      "[INFO] ",
      "[INFO] --- compiler:3.13.0:compile (default-compile) @ billing ---",
      "[INFO] Recompiling the module because of changed source code.",
      "[INFO] Compiling 212 source files with javac [debug release 21] to target/classes",
      "[WARNING] /home/ci/billing/src/main/java/com/example/billing/LegacyRates.java: Some input files use "
          + "unchecked or unsafe operations.",
      "[INFO] ",
      "[INFO] --- surefire:3.2.5:test (default-test) @ billing ---",
      "[INFO] Using auto detected provider org.apache.maven.surefire.junitplatform.JUnitPlatformProvider",
      "[INFO] ",
      "[INFO] -------------------------------------------------------",
      "[INFO]  T E S T S",
      "[INFO] -------------------------------------------------------",
    };
    for (String line : setup) {
      out.append(line).append('\n');
      written++;
    }
    String[] nouns = {"Invoice", "Ledger", "Tax", "Discount", "Currency", "Payment", "Refund", "Customer", "Rate",
        "Statement"};
    int failingAt = random.nextInt(Math.max(1, (lines - written - tail.size() - failure.size()) / 2));
    int index = 0;
    while (written + tail.size() + failure.size() + 2 <= lines || (failure.size() > 0 && index > failingAt)) {
      if (index == failingAt && !failure.isEmpty()) {
        for (String line : failure) out.append(line).append('\n');
        written += failure.size();
        failure = List.of();
        index++;
        continue;
      }
      if (written + tail.size() + failure.size() + 2 > lines) break;
      String name = "com.example.billing." + nouns[index % nouns.length].toLowerCase(Locale.ROOT) + "."
          + nouns[(index / nouns.length) % nouns.length] + nouns[index % nouns.length] + "Test" + index;
      out.append("[INFO] Running ").append(name).append('\n');
      out.append(String.format(Locale.ROOT,
          "[INFO] Tests run: %d, Failures: 0, Errors: 0, Skipped: 0, Time elapsed: %d.%03d s -- in %s%n",
          1 + random.nextInt(20), random.nextInt(3), random.nextInt(1000), name));
      written += 2;
      index++;
    }
    while (written + tail.size() < lines) {
      out.append("[INFO] \n");
      written++;
    }
    for (String line : tail) out.append(line).append('\n');
    return out.toString();
  }

  private static List<String> mavenFailure() {
    List<String> lines = new java.util.ArrayList<>();
    lines.add("[INFO] Running com.example.billing.invoice.InvoiceTotalsTest");
    lines.add("[ERROR] Tests run: 14, Failures: 1, Errors: 0, Skipped: 0, Time elapsed: 0.412 s <<< FAILURE! -- in "
        + "com.example.billing.invoice.InvoiceTotalsTest");
    lines.add("[ERROR] com.example.billing.invoice.InvoiceTotalsTest.totalIncludesShippingAfterDiscount -- Time "
        + "elapsed: 0.031 s <<< FAILURE!");
    lines.add(ASSERTION);
    lines.add("\tat org.junit.jupiter.api.AssertionFailureBuilder.build(AssertionFailureBuilder.java:151)");
    lines.add("\tat org.junit.jupiter.api.AssertionFailureBuilder.buildAndThrow(AssertionFailureBuilder.java:132)");
    lines.add("\tat org.junit.jupiter.api.AssertEquals.failNotEqual(AssertEquals.java:197)");
    lines.add("\tat org.junit.jupiter.api.AssertEquals.assertEquals(AssertEquals.java:182)");
    lines.add("\tat org.junit.jupiter.api.Assertions.assertEquals(Assertions.java:1156)");
    lines.add("\tat com.example.billing.invoice.InvoiceTotalsTest.totalIncludesShippingAfterDiscount("
        + "InvoiceTotalsTest.java:88)");
    for (int i = 0; i < 34; i++) {
      lines.add("\tat org.junit.platform.engine.support.hierarchical.NodeTestTask" + (i % 3 == 0 ? "" : "$" + i)
          + ".executeRecursively(NodeTestTask.java:" + (100 + 7 * i) + ")");
    }
    return lines;
  }

  private static List<String> mavenTail() {
    return List.of(
        "[INFO] ",
        "[INFO] Results:",
        "[INFO] ",
        "[ERROR] Failures: ",
        "[ERROR]   InvoiceTotalsTest.totalIncludesShippingAfterDiscount:88 invoice total for order ORD-4471 ==> "
            + "expected: <129.90> but was: <119.90>",
        "[INFO] ",
        "[ERROR] Tests run: 1412, Failures: 1, Errors: 0, Skipped: 3",
        "[INFO] ",
        "[INFO] ------------------------------------------------------------------------",
        "[INFO] BUILD FAILURE",
        "[INFO] ------------------------------------------------------------------------",
        "[INFO] Total time:  01:42 min",
        "[INFO] Finished at: 2026-12-06T03:12:44Z",
        "[INFO] ------------------------------------------------------------------------",
        "[ERROR] Failed to execute goal org.apache.maven.plugins:maven-surefire-plugin:3.2.5:test (default-test) on "
            + "project billing: There are test failures.",
        "[ERROR] ",
        "[ERROR] Please refer to /home/ci/billing/target/surefire-reports for the individual test results.",
        "[ERROR] Please refer to dump files (if any exist) [date].dump, [date]-jvmRun[N].dump and [date].dumpstream.",
        "[ERROR] -> [Help 1]",
        "[ERROR] ",
        "[ERROR] To see the full stack trace of the errors, re-run Maven with the -e switch.",
        "[ERROR] Re-run Maven using the -X switch to enable full debug logging.");
  }
}
