package dev.precis.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.precis.quality.Sentences;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Writes three agent conversations made from public material on this machine ({@code eval/traces/README.md}) as
 * {@link Trace} files, for {@link TraceBenchmark}:
 *
 * <ul>
 *   <li>{@code rag-chat.json}: 20 user turns about the PostgreSQL 15 manual, each carrying the 5 paragraphs BM25
 *       finds for its question (over all of the manual's paragraphs) in {@code <context>}; each reply is the
 *       retrieved sentence that best matches the question, with its page;
 *   <li>{@code coding-agent.json}: one task (fix an indentation bug put into a copy of the standard library's
 *       {@code json} package, add a regression test) and the tool calls an agent makes for it; every tool result is
 *       real: files read from the copy, {@code grep} over it, {@code unittest} output of the stdlib's own
 *       {@code test_json} suite run by {@code /usr/bin/python3.11} on the copy, edits applied to it;
 *   <li>{@code research-agent.json}: two questions about hosting git on Debian, answered with {@code search} (BM25
 *       over the sections of the Debian Administrator's Handbook and git's manual pages, 6 hits with a snippet each)
 *       and {@code open} (a whole section, at most 4,000 tokens) calls.
 * </ul>
 *
 * <pre>
 * ./mvnw -q -B test-compile exec:java@agent-traces -Dagent-traces.args="target/traces"
 * ./mvnw -q -B test-compile exec:java@agent-traces -Dagent-traces.args="DIR --pg PGHTML --handbook HBHTML --git GITHTML --python PYTHON"
 * </pre>
 *
 * <p>The defaults are the Debian packages' directories ({@code postgresql-doc-15}, {@code debian-handbook},
 * {@code git-doc}) and {@code /usr/bin/python3.11} with {@code /usr/lib/python3.11} (the test suite needs
 * {@code libpython3.11-testsuite}). Everything is sorted or fixed, so the same packages give the same files; the only
 * run-dependent text, unittest's elapsed time ("Ran 160 tests in 0.815s"), is written as {@code 0.100s}.
 */
public final class AgentTraces {

  private AgentTraces() {}

  public static void main(String[] args) throws Exception {
    boolean dirFirst = args.length > 0 && !args[0].startsWith("--");
    Path out = Path.of(dirFirst ? args[0] : "target/traces");
    Map<String, String> o = new LinkedHashMap<>();
    for (int i = dirFirst ? 1 : 0; i + 1 < args.length; i += 2) {
      o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    Path pg = Path.of(o.getOrDefault("pg", "/usr/share/doc/postgresql-doc-15/html"));
    Path handbook = Path.of(o.getOrDefault("handbook", "/usr/share/doc/debian-handbook/html/en-US"));
    Path git = Path.of(o.getOrDefault("git", "/usr/share/doc/git-doc"));
    Path python = Path.of(o.getOrDefault("python", "/usr/bin/python3.11"));
    Files.createDirectories(out);
    List<Trace> traces = List.of(RagChat.build(pg), CodingAgent.build(python, Path.of("target", "agent-traces-work")),
        ResearchAgent.build(handbook, git));
    for (Trace t : traces) {
      Path file = out.resolve(t.name() + ".json");
      t.write(file);
      int tokens = 0;
      for (Trace.Step s : t.steps()) {
        tokens += Tokens.count(nz(s.text()) + nz(s.context()) + nz(s.content()));
      }
      System.out.printf(Locale.ROOT, "%s: %d steps (%d requests), %,d cl100k tokens of text, %,d bytes%n", file,
          t.steps().size(), t.requestPoints().size(), tokens, Files.size(file));
    }
  }

  static String nz(String s) {
    return s == null ? "" : s;
  }

  // ------------------------------------------------------------------ shared: manuals as sections and paragraphs

  /** One heading's text in a manual page: where it is, its heading path, its blocks. */
  record Section(String path, String title, List<String> blocks) {
    String text() {
      return String.join("\n\n", blocks);
    }
  }

  private static final Pattern HEADING = Pattern.compile("^(#{1,6}) (.+)$");

  /**
   * The sections of one page's text ({@link HtmlText}'s Markdown headings): a new section starts at every heading of
   * level {@code maxLevel} or above; deeper headings stay inside as blocks. Blocks before the first heading go to a
   * section titled {@code pageTitle}.
   */
  static List<Section> sections(String page, String pageTitle, String text, int maxLevel) {
    List<Section> out = new ArrayList<>();
    String title = pageTitle;
    List<String> blocks = new ArrayList<>();
    for (String block : text.split("\n\n")) {
      String b = block.strip();
      if (b.isEmpty()) continue;
      Matcher m = HEADING.matcher(b);
      if (m.matches() && !b.contains("\n") && m.group(1).length() <= maxLevel) {
        if (!blocks.isEmpty()) out.add(new Section(page + "#" + slug(title), title, blocks));
        title = m.group(2).strip();
        blocks = new ArrayList<>();
      } else {
        blocks.add(b);
      }
    }
    if (!blocks.isEmpty()) out.add(new Section(page + "#" + slug(title), title, blocks));
    return out;
  }

  static String slug(String title) {
    String s = title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
    return s.isEmpty() ? "top" : s;
  }

  static List<Path> html(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".html")).sorted().toList();
    }
  }

  static String pageText(Path file, HtmlText.Skip skip) throws IOException {
    org.jsoup.nodes.Document page = LongDocSets.parse(file);
    return HtmlText.convert(List.of(page.body()), skip);
  }

  static int words(String s) {
    return s.isBlank() ? 0 : s.strip().split("\\s+").length;
  }

  /** The best-scoring of the given sentences for the query (BM25 over them), ties to the first. */
  static int best(List<String> sentences, String query) {
    double[] scores = new Bm25(sentences).scores(query);
    int best = 0;
    for (int i = 1; i < scores.length; i++) if (scores[i] > scores[best]) best = i;
    return best;
  }

  /** Sentences worth quoting: prose of 6 to 60 words, ending in a full stop. */
  static List<String> prose(String text) {
    List<String> out = new ArrayList<>();
    for (String para : text.split("\n\n")) {
      if (para.startsWith("#") || para.startsWith("- ") || para.contains(" | ")) continue;
      for (String s : Sentences.split(para)) {
        String t = HtmlText.collapse(s);
        int w = words(t);
        if (w >= 6 && w <= 60 && t.endsWith(".") && Character.isUpperCase(t.charAt(0))) out.add(t);
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ rag-chat

  /** A RAG chat about the PostgreSQL 15 manual. */
  static final class RagChat {
    static final String SYSTEM = "You are a support assistant for PostgreSQL 15. Each user message starts with "
        + "passages a search engine retrieved from the PostgreSQL 15 manual, in <context> tags, numbered and "
        + "labelled with their page and section. Answer in one to three sentences from those passages, name the "
        + "page you rely on, and say so when the passages do not answer the question.";

    /** A question and the topic words a query rewriter would add to it for retrieval. */
    record Question(String topic, String text) {}

    static final List<Question> QUESTIONS = List.of(
        new Question("VACUUM routine vacuuming", "What does VACUUM actually do, and why do I have to run it "
            + "regularly on a busy table?"),
        new Question("VACUUM", "Does a plain VACUUM lock the table? Can the application keep reading and writing "
            + "while it runs?"),
        new Question("VACUUM FULL", "And VACUUM FULL, how is that different? Should I run it every night?"),
        new Question("VACUUM transaction ID wraparound", "I keep reading about transaction ID wraparound. What is it "
            + "and how does vacuuming prevent it?"),
        new Question("autovacuum daemon", "Can autovacuum take care of all this by itself? What decides when it "
            + "processes a table?"),
        new Question("multicolumn index", "Different topic: when does a multicolumn index make sense?"),
        new Question("multicolumn B-tree index leading column", "Does the order of the columns in a multicolumn "
            + "B-tree index matter for queries that only use the second column?"),
        new Question("partial index", "What is a partial index good for?"),
        new Question("index-only scan visibility map", "Can an index-only scan answer a query without visiting the "
            + "table at all?"),
        new Question("continuous archiving WAL archive_command", "Moving on to backups: how do I set up continuous "
            + "archiving of WAL files?"),
        new Question("archive_command exit status", "What should my archive_command return when copying a file "
            + "fails?"),
        new Question("point-in-time recovery recovery_target_time", "How do I restore to a specific point in time, "
            + "say just before someone dropped a table?"),
        new Question("wal_level archiving replica", "Which wal_level do I need for archiving?"),
        new Question("pg_hba.conf client authentication", "Now authentication. How is pg_hba.conf evaluated: does "
            + "the first matching line win?"),
        new Question("pg_hba.conf md5 scram-sha-256 password authentication", "What is the difference between the "
            + "md5 and scram-sha-256 methods?"),
        new Question("pg_hba.conf reload SIGHUP", "Do I need to restart the server after editing pg_hba.conf?"),
        new Question("json jsonb data types", "Last topic: should I store JSON documents in json or in jsonb "
            + "columns?"),
        new Question("jsonb containment operator @>", "Which operator tests whether one jsonb document contains "
            + "another?"),
        new Question("jsonb indexing GIN jsonb_path_ops", "Can I index a jsonb column for those containment "
            + "queries?"),
        new Question("jsonb duplicate object keys", "And what happens to duplicate keys in a jsonb object?"));

    static final int PASSAGES = 5;
    static final Set<String> SKIP_PAGES = Set.of("bookindex.html", "biblio.html", "sql-keywords-appendix.html",
        "docguide.html", "legalnotice.html");

    record Passage(String page, String heading, String text) {}

    static Trace build(Path dir) throws IOException {
      List<Passage> passages = new ArrayList<>();
      List<Path> files = html(dir);
      for (Path f : files) {
        String name = f.getFileName().toString();
        if (name.startsWith("release") || SKIP_PAGES.contains(name)) continue;
        String text = pageText(f, LongDocSets.PG_SKIP);
        for (Section s : sections(name, name, text, 6)) {
          for (String b : s.blocks()) {
            if (b.startsWith("#") || words(b) < 20 || words(b) > 400) continue;
            passages.add(new Passage(name, s.title(), b));
          }
        }
      }
      System.err.printf(Locale.ROOT, "rag-chat: %d paragraphs from %d pages of %s%n", passages.size(), files.size(),
          dir);
      Bm25 index = new Bm25(passages.stream().map(p -> p.heading() + "\n" + p.text()).toList());
      List<Trace.Step> steps = new ArrayList<>();
      for (Question q : QUESTIONS) {
        String query = q.topic() + " " + q.text();
        List<Passage> found = index.ranking(query).subList(0, PASSAGES).stream().map(passages::get).toList();
        StringBuilder context = new StringBuilder();
        List<String> sentences = new ArrayList<>();
        List<String> pages = new ArrayList<>();
        for (int i = 0; i < found.size(); i++) {
          Passage p = found.get(i);
          if (i > 0) context.append("\n\n");
          context.append('[').append(i + 1).append("] ").append(p.page()).append(" \u2014 ").append(p.heading())
              .append('\n').append(p.text());
          for (String s : prose(p.text())) {
            sentences.add(s);
            pages.add(p.page());
          }
        }
        steps.add(Trace.Step.user(q.text(), context.toString()));
        steps.add(Trace.Step.assistant(answer(sentences, pages, query), null));
      }
      return new Trace("rag-chat", "PostgreSQL 15 manual (Debian postgresql-doc-15, " + dir + "): 20 questions, "
          + PASSAGES + " paragraphs each found by BM25 over the manual's paragraphs",
          "PostgreSQL Licence", SYSTEM, List.of(), steps);
    }

    /** The best sentence for the query and, when it is short, the one after it from the same page. */
    static String answer(List<String> sentences, List<String> pages, String query) {
      if (sentences.isEmpty()) return "The retrieved passages do not answer this.";
      int b = best(sentences, query);
      String answer = sentences.get(b);
      if (words(answer) < 18 && b + 1 < sentences.size() && pages.get(b + 1).equals(pages.get(b))) {
        answer += " " + sentences.get(b + 1);
      }
      return answer + " (" + pages.get(b) + ")";
    }
  }

  // ------------------------------------------------------------------ coding-agent

  /** A coding agent fixing a bug put into a copy of the stdlib's json package, with real tool results. */
  static final class CodingAgent {
    static final String SYSTEM = "You are a coding agent working in a checkout of the Python 3.11 standard "
        + "library (the repository root holds Lib/). Use the tools to read files, search, edit and run tests. "
        + "Make the smallest change that fixes the problem, keep the existing style, and run the relevant tests "
        + "before you report back.";
    static final String TASK = "Since the last merge, `json.dumps(..., indent=...)` puts the closing brace of a "
        + "nested object one level too deep, and several tests in Lib/test/test_json fail. Please find the cause "
        + "in Lib/json, fix it, and add a regression test for nested objects so this cannot come back. Run the "
        + "json tests before you finish.";

    /** The bug put into the copy: the dict encoder no longer steps back out of its indentation level. */
    static final String FIXED = """
                if newline_indent is not None:
                    _current_indent_level -= 1
                    yield '\\n' + _indent * _current_indent_level
                yield '}'
        """;
    static final String BROKEN = """
                if newline_indent is not None:
                    yield '\\n' + _indent * _current_indent_level
                yield '}'
        """;
    static final String TEST_ANCHOR = "\n\nclass TestPyIndent(TestIndent, PyTest): pass\n";
    static final String NEW_TEST = """


            def test_indent_nested_dict(self):
                # the closing brace of a nested object goes back to its parent's level
                h = {'outer': {'inner': [1, {'deep': None}]}, 'tail': {}}
                expect = textwrap.dedent(\"\"\"\\
                {
                  "outer": {
                    "inner": [
                      1,
                      {
                        "deep": null
                      }
                    ]
                  },
                  "tail": {}
                }\"\"\")
                self.assertEqual(self.dumps(h, indent=2), expect)
                self.assertEqual(self.loads(self.dumps(h, indent=2)), h)
        """;

    private final Path python;
    private final Path root;
    private int calls;
    private String lastOutput = "";
    private final List<Trace.Step> steps = new ArrayList<>();

    private CodingAgent(Path python, Path root) {
      this.python = python;
      this.root = root;
    }

    static Trace build(Path python, Path work) throws Exception {
      Path lib = Path.of("/usr/lib/python3.11");
      Path root = work.toAbsolutePath().resolve("cpython");
      deleteTree(root);
      Files.createDirectories(root.resolve("Lib/test"));
      copyTree(lib.resolve("json"), root.resolve("Lib/json"));
      copyTree(lib.resolve("test/test_json"), root.resolve("Lib/test/test_json"));
      // test.support and the rest of the test package come from the installed standard library
      Files.writeString(root.resolve("Lib/test/__init__.py"), "__path__.append('" + lib.resolve("test") + "')\n");
      replaceOnce(root.resolve("Lib/json/encoder.py"), FIXED, BROKEN);
      if (!Files.exists(lib.resolve("test/test_json/test_indent.py"))) {
        throw new IllegalStateException("the json tests are missing: apt-get install libpython3.11-testsuite");
      }

      CodingAgent a = new CodingAgent(python, root);
      a.steps.add(Trace.Step.user(TASK, null));
      a.step("I'll start by running the json test suite to see what fails.", a.runTests("test.test_json"));
      a.step("Six failures, all in tests that use indentation: test_indent, test_separators and two in test_tool. "
          + "Let me read the indent test first.", a.readFile("Lib/test/test_json/test_indent.py"));
      a.step("The diff shows the closing `}` of the nested objects indented one level deeper than expected, while "
          + "lists look right. Let me look at the test base classes to see which encoder each variant uses.",
          a.readFile("Lib/test/test_json/__init__.py"));
      a.step("Both the C and the pure-Python variants fail. Let me check whether the C encoder is used at all "
          + "when indent is set.", a.grep("c_make_encoder", "Lib/json"));
      a.step("With an indent the Python `_make_iterencode` is always used, so the bug must be there. Reading the "
          + "encoder.", a.readFile("Lib/json/encoder.py"));
      a.step("Let me list every place that changes the indentation level.",
          a.grep("_current_indent_level", "Lib/json/encoder.py"));
      a.step("I'll compare with the other failing tests before changing anything.",
          a.readFile("Lib/test/test_json/test_separators.py"));
      a.step("test_separators also compares indented output with nested objects. And test_tool:",
          a.readFile("Lib/test/test_json/test_tool.py"));
      a.step("test_tool runs `python -m json.tool`, which calls `json.dump` with indent=4. Let me confirm in the "
          + "tool module.", a.readFile("Lib/json/tool.py"));
      a.step("Let me also check how `dumps` hands indent to the encoder.", a.grep("indent", "Lib/json/__init__.py"));
      a.step("Reading `json/__init__.py` to be sure nothing there adjusts the indent.",
          a.readFile("Lib/json/__init__.py"));
      a.step("Nothing there. Let me find all the places where the newline indentation is built.",
          a.grep("newline_indent", "Lib/json/encoder.py"));
      a.step("`_iterencode_list` decrements `_current_indent_level` before yielding the closing newline; "
          + "`_iterencode_dict` does not. Let me run just the indent tests once more to have the failing output "
          + "next to the code.", a.runTests("test.test_json.test_indent"));
      a.step("The dict branch is missing the decrement. Fixing it to match the list branch.",
          a.editFile("Lib/json/encoder.py", BROKEN, FIXED));
      a.step("Running the indent tests again.", a.runTests("test.test_json.test_indent"));
      a.step("Those pass. Running the separators and tool tests.", a.runTests("test.test_json.test_separators"),
          a.runTests("test.test_json.test_tool"));
      a.step("Now the regression test. Let me see how the other tests in the package are written.",
          a.readFile("Lib/test/test_json/test_dump.py"));
      a.step("Let me see how the tests use sort_keys and indent together, to keep the new test deterministic.",
          a.grep("sort_keys", "Lib/test/test_json"));
      a.step("Adding `test_indent_nested_dict` to TestIndent, so it runs for both the C and the Python variant.",
          a.editFile("Lib/test/test_json/test_indent.py", TEST_ANCHOR, NEW_TEST + TEST_ANCHOR));
      a.step("Running the indent tests with the new test.", a.runTests("test.test_json.test_indent"));
      a.step("To be sure the new test catches the bug, I'll put the old code back for a moment.",
          a.editFile("Lib/json/encoder.py", FIXED, BROKEN));
      a.step("Running the indent tests against the broken encoder.", a.runTests("test.test_json.test_indent"));
      a.step("The new test fails on the old code as it should. Restoring the fix.",
          a.editFile("Lib/json/encoder.py", BROKEN, FIXED));
      a.step("Let me read the recursion tests as well, since they also go through `_iterencode_dict`.",
          a.readFile("Lib/test/test_json/test_recursion.py"));
      a.step("They don't depend on indentation. Let me check the decoder side is not involved: does anything there "
          + "use indent?", a.grep("indent", "Lib/json/decoder.py"));
      a.step("No. Reading the pass tests for the round trip of nested documents.",
          a.readFile("Lib/test/test_json/test_pass1.py"));
      a.step("Final run of the whole json test suite.", a.runTests("test.test_json"));
      Matcher ran = Pattern.compile("Ran (\\d+) tests in .*\\n\\n(OK.*)\\n").matcher(a.lastOutput);
      if (!ran.find()) throw new IllegalStateException("the final test run did not pass:\n" + a.lastOutput);
      a.steps.add(Trace.Step.assistant("Fixed. `_iterencode_dict` in Lib/json/encoder.py yielded the closing "
          + "newline of a nested object without first decrementing `_current_indent_level`, so every `}` of a "
          + "nested object was indented one level too deep (lists were unaffected, since `_iterencode_list` "
          + "already decrements). I restored the decrement, matching the list branch. I added "
          + "`test_indent_nested_dict` to Lib/test/test_json/test_indent.py (runs for the C and the pure-Python "
          + "variants) and checked that it fails without the fix. The whole json suite passes: "
          + ran.group(1) + " tests, " + ran.group(2) + ".",
          null));
      return new Trace("coding-agent", "Python 3.11 standard library: Lib/json and Lib/test/test_json copied from "
          + "/usr/lib/python3.11 (Debian libpython3.11-stdlib, libpython3.11-testsuite), test output of "
          + python + " -m unittest on the copy", "PSF License Version 2", SYSTEM, TOOLS, a.steps);
    }

    static final List<Trace.Tool> TOOLS = List.of(
        tool("read_file", "Read a file of the repository. Returns its lines numbered from 1.",
            "{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\",\"description\":\"path from the "
                + "repository root\"}},\"required\":[\"path\"]}"),
        tool("grep", "Search files for a regular expression (like grep -rn). Returns path:line:text for every "
                + "matching line.",
            "{\"type\":\"object\",\"properties\":{\"pattern\":{\"type\":\"string\"},\"path\":{\"type\":\"string\","
                + "\"description\":\"file or directory to search\"}},\"required\":[\"pattern\",\"path\"]}"),
        tool("edit_file", "Replace one exact occurrence of old_string with new_string in a file. Returns the edited "
                + "region with line numbers.",
            "{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\"},\"old_string\":{\"type\":"
                + "\"string\"},\"new_string\":{\"type\":\"string\"}},\"required\":[\"path\",\"old_string\","
                + "\"new_string\"]}"),
        tool("run_tests", "Run a test module or package with `python3 -m unittest -v` from the repository root "
                + "(Lib on the path). Returns the test output and the exit status.",
            "{\"type\":\"object\",\"properties\":{\"target\":{\"type\":\"string\",\"description\":\"dotted name "
                + "such as test.test_json or test.test_json.test_indent\"}},\"required\":[\"target\"]}"));

    /** One assistant step with its calls, each followed by its result. */
    private void step(String text, Call... calls) {
      List<Trace.ToolCall> tc = new ArrayList<>();
      for (Call c : calls) tc.add(c.call());
      steps.add(Trace.Step.assistant(text, tc));
      for (Call c : calls) steps.add(Trace.Step.tool(c.call(), c.result()));
    }

    record Call(Trace.ToolCall call, String result) {}

    private Call call(String name, String result, String... keyValues) {
      ObjectNode args = Trace.JSON.createObjectNode();
      for (int i = 0; i < keyValues.length; i += 2) args.put(keyValues[i], keyValues[i + 1]);
      return new Call(new Trace.ToolCall(String.format(Locale.ROOT, "call_%03d", ++calls), name, args), result);
    }

    private Call readFile(String path) throws IOException {
      List<String> lines = Files.readAllLines(root.resolve(path), StandardCharsets.UTF_8);
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < lines.size(); i++) {
        sb.append(String.format(Locale.ROOT, "%6d\t%s%n", i + 1, lines.get(i)));
      }
      return call("read_file", sb.toString(), "path", path);
    }

    private Call grep(String pattern, String path) throws IOException {
      Pattern p = Pattern.compile(pattern);
      List<Path> files;
      Path start = root.resolve(path);
      try (Stream<Path> s = Files.walk(start)) {
        files = s.filter(f -> f.toString().endsWith(".py")).sorted().toList();
      }
      StringBuilder sb = new StringBuilder();
      for (Path f : files) {
        List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
          if (!p.matcher(lines.get(i)).find()) continue;
          if (!Files.isRegularFile(start)) sb.append(root.relativize(f)).append(':');
          sb.append(i + 1).append(':').append(lines.get(i)).append('\n');
        }
      }
      return call("grep", sb.isEmpty() ? "(no matches)\n" : sb.toString(), "pattern", pattern, "path", path);
    }

    private Call editFile(String path, String oldString, String newString) throws IOException {
      Path f = root.resolve(path);
      replaceOnce(f, oldString, newString);
      String text = Files.readString(f);
      int at = text.indexOf(newString);
      int first = lineOf(text, at);
      int last = lineOf(text, at + newString.length());
      List<String> lines = text.lines().toList();
      StringBuilder sb = new StringBuilder("Edited " + path + " (1 replacement). Lines " + Math.max(1, first - 3)
          + "-" + Math.min(lines.size(), last + 3) + " now read:\n");
      for (int i = Math.max(1, first - 3); i <= Math.min(lines.size(), last + 3); i++) {
        sb.append(String.format(Locale.ROOT, "%6d\t%s%n", i, lines.get(i - 1)));
      }
      return call("edit_file", sb.toString(), "path", path, "old_string", oldString, "new_string", newString);
    }

    private static int lineOf(String text, int index) {
      int line = 1;
      for (int i = 0; i < index && i < text.length(); i++) if (text.charAt(i) == '\n') line++;
      return line;
    }

    private static final Pattern ELAPSED = Pattern.compile("(Ran \\d+ tests? in )\\d+\\.\\d+s");

    /** Runs the stdlib's unittest on the copy; a package target runs each of its test_*.py modules. */
    private Call runTests(String target) throws Exception {
      List<String> modules = new ArrayList<>();
      Path dir = root.resolve("Lib").resolve(target.replace('.', '/'));
      if (Files.isDirectory(dir)) {
        try (Stream<Path> s = Files.list(dir)) {
          s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("test_") && n.endsWith(".py")).sorted()
              .forEach(n -> modules.add(target + "." + n.substring(0, n.length() - 3)));
        }
      } else {
        modules.add(target);
      }
      List<String> command = new ArrayList<>(List.of(python.toString(), "-m", "unittest", "-v"));
      command.addAll(modules);
      ProcessBuilder pb = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true);
      pb.environment().put("PYTHONPATH", root.resolve("Lib").toString());
      pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
      pb.environment().put("LC_ALL", "C.UTF-8");
      Process p = pb.start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int status = p.waitFor();
      output = ELAPSED.matcher(output.replace(root + "/", "")).replaceAll("$10.100s");
      lastOutput = output;
      String shown = "$ python3 -m unittest -v " + String.join(" ", modules) + "\n" + output
          + (output.endsWith("\n") ? "" : "\n") + "[exit status " + status + "]\n";
      return call("run_tests", shown, "target", target);
    }

    static void replaceOnce(Path file, String oldString, String newString) throws IOException {
      String text = Files.readString(file);
      int at = text.indexOf(oldString);
      if (at < 0 || text.indexOf(oldString, at + 1) >= 0) {
        throw new IllegalStateException(file + ": the text to replace must occur exactly once");
      }
      Files.writeString(file, text.substring(0, at) + newString + text.substring(at + oldString.length()));
    }

    static void copyTree(Path from, Path to) throws IOException {
      try (Stream<Path> s = Files.walk(from)) {
        for (Path p : s.sorted().toList()) {
          if (p.toString().contains("__pycache__")) continue;
          Path target = to.resolve(from.relativize(p).toString());
          if (Files.isDirectory(p)) Files.createDirectories(target);
          else Files.copy(p, target);
        }
      }
    }

    static void deleteTree(Path dir) throws IOException {
      if (!Files.exists(dir)) return;
      try (Stream<Path> s = Files.walk(dir)) {
        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
      }
    }
  }

  static Trace.Tool tool(String name, String description, String schema) {
    try {
      return new Trace.Tool(name, description, Trace.JSON.readTree(schema));
    } catch (IOException e) {
      throw new IllegalArgumentException(schema, e);
    }
  }

  // ------------------------------------------------------------------ research-agent

  /** A research agent answering two questions from the Debian Handbook and git's manual pages. */
  static final class ResearchAgent {
    static final String SYSTEM = "You are a research assistant with a search engine over the Debian "
        + "Administrator's Handbook and the git documentation. Search, open the sections that look relevant, and "
        + "answer with the facts you found, citing the paths of the sections you used.";
    static final int HITS = 6;
    static final int OPEN_MAX_TOKENS = 4000;
    static final int OPEN_MIN_TOKENS = 400;
    static final int GIT_PAGE_TOKENS = 6000;

    static final List<Trace.Tool> TOOLS = List.of(
        tool("search", "Full-text search over the Debian Administrator's Handbook and the git manual pages. "
                + "Returns up to 6 sections with title, path and a snippet.",
            "{\"type\":\"object\",\"properties\":{\"query\":{\"type\":\"string\"}},\"required\":[\"query\"]}"),
        tool("open", "Open a section by the path a search returned. Returns its text (at most 4000 tokens).",
            "{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\"}},\"required\":[\"path\"]}"));

    record Question(String text, String answerIntro, List<String> searches) {}

    static final List<Question> QUESTIONS = List.of(
        new Question("I want to host a few private git repositories for my team on a Debian server, reachable over "
            + "SSH and over HTTPS. What do I need to set up, and how do I keep access restricted to the team?",
            "Here is how the pieces fit together, from the sections I read:",
            List.of("git server shared repository ssh access", "git-shell restricted login shell for git only",
                "git http-backend smart HTTP apache configuration", "apache virtual host SSL certificate https",
                "apache restrict access authentication password directory")),
        new Question("Thanks. How should I back these repositories up, and can I keep a mirror on a second machine?",
            "For backups and a mirror:",
            List.of("backup strategy rsync copies of data", "git bundle backup repository single file",
                "git clone --mirror mirror repository remote", "cron schedule periodic tasks")));

    record Hit(Section section, int tokens) {}

    static Trace build(Path handbook, Path git) throws IOException {
      List<Section> sections = new ArrayList<>();
      for (Path f : html(handbook)) {
        String text = pageText(f, LongDocSets.HB_SKIP);
        sections.addAll(sections("debian-handbook/" + f.getFileName(), f.getFileName().toString(), text, 3));
      }
      int handbookSections = sections.size();
      for (Path f : html(git)) {
        String text = pageText(f, LongDocSets.GIT_SKIP);
        String page = f.getFileName().toString().replaceFirst("\\.html$", "");
        // a manual page is one section; a long guide (the user manual, the tutorials) is cut at its chapters
        int level = Tokens.count(text) > GIT_PAGE_TOKENS ? 2 : 1;
        for (Section s : sections("git-doc/" + f.getFileName(), page, text, level)) {
          if (level == 1) sections.add(new Section("git-doc/" + f.getFileName(), s.title(), s.blocks()));
          else sections.add(new Section(s.path(), s.title().equals(page) ? page : page + ": " + s.title(), s.blocks()));
        }
      }
      sections.removeIf(s -> words(s.text()) < 30);
      System.err.printf(Locale.ROOT, "research-agent: %d sections (%d from the handbook)%n", sections.size(),
          handbookSections);
      Bm25 index = new Bm25(sections.stream().map(s -> s.title() + "\n" + s.text()).toList());

      List<Trace.Step> steps = new ArrayList<>();
      Set<String> opened = new HashSet<>();
      int calls = 0;
      for (Question q : QUESTIONS) {
        steps.add(Trace.Step.user(q.text(), null));
        List<Section> read = new ArrayList<>();
        List<String> readFor = new ArrayList<>();
        for (String query : q.searches()) {
          List<Integer> ranking = index.ranking(query).subList(0, HITS);
          StringBuilder results = new StringBuilder();
          Section toOpen = null;
          for (int r = 0; r < ranking.size(); r++) {
            Section s = sections.get(ranking.get(r));
            results.append(r + 1).append(". ").append(s.title()).append('\n').append("   ").append(s.path())
                .append('\n').append("   ").append(snippet(s, query)).append("\n\n");
            if (toOpen == null && !opened.contains(s.path()) && Tokens.count(s.text()) >= OPEN_MIN_TOKENS) {
              toOpen = s;
            }
          }
          Trace.ToolCall search = call(++calls, "search", "query", query);
          steps.add(Trace.Step.assistant("Searching for: " + query, List.of(search)));
          steps.add(Trace.Step.tool(search, results.toString().strip() + "\n"));
          if (toOpen == null) continue;
          opened.add(toOpen.path());
          read.add(toOpen);
          readFor.add(query);
          Trace.ToolCall open = call(++calls, "open", "path", toOpen.path());
          steps.add(Trace.Step.assistant("Opening \"" + toOpen.title() + "\".", List.of(open)));
          steps.add(Trace.Step.tool(open, openText(toOpen)));
        }
        StringBuilder answer = new StringBuilder(q.answerIntro());
        for (int i = 0; i < read.size(); i++) {
          List<String> sentences = prose(read.get(i).text());
          if (sentences.isEmpty()) continue;
          String sentence = sentences.get(best(sentences, q.text() + " " + readFor.get(i)));
          answer.append("\n\n- ").append(sentence).append(" [").append(read.get(i).path()).append(']');
        }
        steps.add(Trace.Step.assistant(answer.toString(), null));
      }
      return new Trace("research-agent", "Debian Administrator's Handbook (Debian debian-handbook, " + handbook
          + ") and git's HTML documentation (Debian git-doc, " + git + "): sections found by BM25",
          "debian-handbook: GPL-2+ or CC BY-SA 3.0; git-doc: GPL-2", SYSTEM, TOOLS, steps);
    }

    static Trace.ToolCall call(int n, String name, String key, String value) {
      ObjectNode args = Trace.JSON.createObjectNode().put(key, value);
      return new Trace.ToolCall(String.format(Locale.ROOT, "call_%03d", n), name, args);
    }

    /** Two to four sentences of the section's best paragraph for the query, at most about 80 words. */
    static String snippet(Section s, String query) {
      List<String> paragraphs = s.blocks().stream().filter(b -> !b.startsWith("#") && words(b) >= 8).toList();
      if (paragraphs.isEmpty()) paragraphs = s.blocks();
      String para = paragraphs.get(best(paragraphs, query));
      List<String> sentences = Sentences.split(HtmlText.collapse(para));
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < sentences.size() && i < 4; i++) {
        if (i >= 2 && words(sb.toString()) + words(sentences.get(i)) > 80) break;
        if (sb.length() > 0) sb.append(' ');
        sb.append(sentences.get(i));
      }
      String text = sb.toString();
      return words(text) > 120 ? String.join(" ", List.of(text.split("\\s+")).subList(0, 120)) + " ..." : text;
    }

    /** The section's text, cut at a paragraph boundary to {@link #OPEN_MAX_TOKENS}. */
    static String openText(Section s) {
      StringBuilder sb = new StringBuilder("# " + s.title() + "\n(" + s.path() + ")\n");
      int tokens = Tokens.count(sb.toString());
      int shown = 0;
      for (String b : s.blocks()) {
        int t = Tokens.count(b) + 1;
        if (tokens + t > OPEN_MAX_TOKENS) break;
        sb.append('\n').append(b).append('\n');
        tokens += t;
        shown++;
      }
      if (shown < s.blocks().size()) {
        int rest = Tokens.count(String.join("\n\n", s.blocks().subList(shown, s.blocks().size())));
        sb.append(String.format(Locale.ROOT, "%n[... %d more paragraphs (%d tokens) not shown]%n",
            s.blocks().size() - shown, rest));
      }
      return sb.toString();
    }
  }
}
