package dev.precis.bench;

import dev.precis.quality.EvalExample;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Synthetic build logs for the {@code log-failure} set: about 3,000 lines of Maven, Gradle, pytest, Go test or npm
 * output with one failure, whose message holds the answer (an assertion's expected value or an exception's key
 * phrase, a generated identifier that occurs once). The lines around it are templated from the usual shapes of these
 * tools' output; they are not captured from real builds.
 */
final class Logs {

  private Logs() {}

  static final String[] MODULES = {"billing", "catalog", "checkout", "gateway", "inventory", "ledger", "notify",
      "orders", "pricing", "search", "shipping", "users"};
  static final String[] WORDS = {"cache", "client", "codec", "config", "handler", "mapper", "parser", "queue",
      "repository", "resolver", "router", "scheduler", "service", "session", "store", "validator"};

  static List<EvalExample> failures(int n, Random rnd) {
    List<EvalExample> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String answer;
      String question;
      List<String> lines = new ArrayList<>();
      int kind = i % 5;
      String mod = MODULES[rnd.nextInt(MODULES.length)];
      int failAt = 600 + rnd.nextInt(2000);
      String expected = String.format(Locale.ROOT, "%s-%05d", StructuredSets.letters(rnd, 3), rnd.nextInt(100000));
      String phrase = String.format(Locale.ROOT, "%s-%s-%02d.internal:%d", mod, WORDS[rnd.nextInt(WORDS.length)],
          rnd.nextInt(100), 5000 + rnd.nextInt(4000));
      boolean assertion = rnd.nextBoolean();
      answer = assertion ? expected : phrase;
      question = assertion ? "Why did the build fail: which value did the failing assertion expect?"
          : "Why did the build fail: which host and port could not be reached?";
      for (int l = 0; lines.size() < 3000; l++) {
        if (l == failAt) {
          lines.addAll(failure(kind, mod, rnd, assertion, expected, phrase));
        } else {
          lines.add(noise(kind, mod, rnd, l));
        }
      }
      lines.addAll(tail(kind, mod));
      out.add(StructuredSets.example("log-failure", i, question, answer, String.join("\n", lines)));
    }
    return out;
  }

  static String cls(Random rnd, String mod) {
    String w = WORDS[rnd.nextInt(WORDS.length)];
    return "com.acme." + mod + "." + Character.toUpperCase(w.charAt(0)) + w.substring(1)
        + (rnd.nextBoolean() ? "Impl" : "Test");
  }

  static String ts(int l) {
    return String.format(Locale.ROOT, "2026-11-03T14:%02d:%02d.%03dZ", (l / 60) % 60, l % 60, (l * 37) % 1000);
  }

  static String noise(int kind, String mod, Random rnd, int l) {
    String w = WORDS[rnd.nextInt(WORDS.length)];
    int ms = rnd.nextInt(900);
    return switch (kind) {
      case 0 -> switch (rnd.nextInt(4)) {
        case 0 -> "[INFO] Running " + cls(rnd, mod);
        case 1 -> String.format(Locale.ROOT, "[INFO] Tests run: %d, Failures: 0, Errors: 0, Skipped: 0, Time elapsed: %.3f s - in %s",
            1 + rnd.nextInt(30), ms / 100.0, cls(rnd, mod));
        case 2 -> "[INFO] Downloaded from central: https://repo.maven.apache.org/maven2/org/acme/" + w + "/1."
            + rnd.nextInt(20) + "/" + w + "-1." + rnd.nextInt(20) + ".jar (" + (10 + rnd.nextInt(900)) + " kB at "
            + (1 + rnd.nextInt(9)) + ".2 MB/s)";
        default -> ts(l) + " DEBUG [main] " + cls(rnd, mod) + " - " + w + " ready in " + ms + " ms";
      };
      case 1 -> switch (rnd.nextInt(3)) {
        case 0 -> "> Task :" + mod + ":" + (rnd.nextBoolean() ? "compileJava" : "processResources")
            + (rnd.nextBoolean() ? " UP-TO-DATE" : "");
        case 1 -> cls(rnd, mod) + " > " + w + "Works() PASSED";
        default -> ts(l) + " INFO  " + cls(rnd, mod) + " : started " + w + " (" + ms + " ms)";
      };
      case 2 -> switch (rnd.nextInt(3)) {
        case 0 -> "tests/test_" + mod + "_" + w + ".py::test_" + w + "_" + rnd.nextInt(50) + " PASSED"
            + String.format(Locale.ROOT, "%" + (20 + rnd.nextInt(20)) + "s", "[ " + (l * 100 / 3000) + "%]");
        case 1 -> "DEBUG    " + mod + "." + w + ":" + w + ".py:" + (10 + rnd.nextInt(400)) + " cache hit for key " + w
            + "-" + rnd.nextInt(1000);
        default -> "INFO     " + mod + ".app:app.py:" + (10 + rnd.nextInt(400)) + " request handled in " + ms + "ms";
      };
      case 3 -> switch (rnd.nextInt(3)) {
        case 0 -> "=== RUN   Test" + Character.toUpperCase(w.charAt(0)) + w.substring(1) + "/case_" + rnd.nextInt(40);
        case 1 -> "--- PASS: Test" + Character.toUpperCase(w.charAt(0)) + w.substring(1) + " (0." + ms + "s)";
        default -> "    " + w + "_test.go:" + (10 + rnd.nextInt(300)) + ": " + w + " ok after " + ms + "µs";
      };
      default -> switch (rnd.nextInt(3)) {
        case 0 -> "npm http fetch GET 200 https://registry.npmjs.org/@acme%2f" + w + " " + ms + "ms (cache revalidated)";
        case 1 -> "  ✓ " + w + " " + mod + " renders (" + ms + " ms)";
        default -> "[" + mod + "] webpack compiled " + w + ".js " + (1 + rnd.nextInt(400)) + " KiB in " + ms + " ms";
      };
    };
  }

  static List<String> failure(int kind, String mod, Random rnd, boolean assertion, String expected, String phrase) {
    String c = cls(rnd, mod);
    String w = WORDS[rnd.nextInt(WORDS.length)];
    String actual = expected.substring(0, 4) + String.format(Locale.ROOT, "%05d", rnd.nextInt(100000));
    String assertMsg = "expected: <" + expected + "> but was: <" + actual + ">";
    String connMsg = "Connection refused: " + phrase;
    return switch (kind) {
      case 0 -> List.of("[ERROR] Tests run: 12, Failures: 1, Errors: 0, Skipped: 0, Time elapsed: 2.314 s <<< FAILURE! - in " + c,
          "[ERROR] " + w + "Resolves(" + c + ")  Time elapsed: 0.041 s  <<< " + (assertion ? "FAILURE!" : "ERROR!"),
          assertion ? "org.opentest4j.AssertionFailedError: " + assertMsg : "java.net.ConnectException: " + connMsg,
          "\tat " + c + "." + w + "Resolves(" + c.substring(c.lastIndexOf('.') + 1) + ".java:" + (20 + rnd.nextInt(200)) + ")");
      case 1 -> List.of(c + " > " + w + "Resolves() FAILED",
          assertion ? "    org.opentest4j.AssertionFailedError: " + assertMsg : "    java.net.ConnectException: " + connMsg,
          "        at " + c + "." + w + "Resolves(" + c.substring(c.lastIndexOf('.') + 1) + ".java:" + (20 + rnd.nextInt(200)) + ")");
      case 2 -> List.of("tests/test_" + mod + "_" + w + ".py::test_" + w + "_resolves FAILED",
          "E       " + (assertion ? "AssertionError: assert '" + actual + "' == '" + expected + "'"
              : "ConnectionRefusedError: [Errno 111] " + connMsg),
          "tests/test_" + mod + "_" + w + ".py:" + (20 + rnd.nextInt(200)) + ": " + (assertion ? "AssertionError" : "ConnectionRefusedError"));
      case 3 -> List.of("--- FAIL: Test" + Character.toUpperCase(w.charAt(0)) + w.substring(1) + "Resolves (0.02s)",
          "    " + w + "_test.go:" + (20 + rnd.nextInt(200)) + ": " + (assertion ? "got " + actual + ", want " + expected
              : "dial tcp: " + connMsg));
      default -> List.of("  ✕ " + w + " " + mod + " resolves (" + rnd.nextInt(90) + " ms)",
          "    " + (assertion ? "Expected: \"" + expected + "\"" : "Error: connect ECONNREFUSED " + phrase),
          "    " + (assertion ? "Received: \"" + actual + "\"" : "    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1607:16)"));
    };
  }

  static List<String> tail(int kind, String mod) {
    return switch (kind) {
      case 0 -> List.of("[INFO] BUILD FAILURE", "[ERROR] Failed to execute goal org.apache.maven.plugins:maven-surefire-plugin:3.5.2:test (default-test) on project " + mod + ": There are test failures.");
      case 1 -> List.of("FAILURE: Build failed with an exception.", "* What went wrong:", "Execution failed for task ':" + mod + ":test'.", "BUILD FAILED in 4m 12s");
      case 2 -> List.of("=========================== short test summary info ============================", "FAILED tests/ 1 failed, 2911 passed in 187.21s (0:03:07)");
      case 3 -> List.of("FAIL", "FAIL\tgithub.com/acme/" + mod + "\t12.417s", "FAIL");
      default -> List.of("Tests:       1 failed, 2873 passed, 2874 total", "npm ERR! code ELIFECYCLE", "npm ERR! " + mod + "@1.4.0 test: `jest --ci`");
    };
  }
}
