package dev.precis.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.precis.quality.AnswerMatcher;
import dev.precis.quality.EvalExample;
import dev.precis.quality.Sentences;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Element;

/**
 * Writes the long-document evaluation sets ({@code eval/longdoc/README.md}) as {@code dev-<set>.jsonl.gz} files:
 * single long documents (one chapter or page of a manual, 8,000 to 120,000 cl100k tokens) with templated factual
 * questions whose answers are short spans of the document.
 *
 * <pre>
 * ./mvnw -q -B test-compile exec:java@longdoc-sets -Dlongdoc-sets.args="--pg DIR --py DIR --git DIR --handbook DIR --out DIR"
 * </pre>
 *
 * <p>The inputs are the HTML directories of Debian's {@code postgresql-doc-15}, {@code python3.11-doc},
 * {@code git-doc} and {@code debian-handbook} packages. Questions come from the documents' structure (a setting's or
 * option's "default is" sentence, the heading a definition stands under, "New in version" notes, a signature's
 * default, a function table's example result); an answer must occur once in the document (whole words,
 * case-insensitive, whitespace collapsed, as {@link AnswerMatcher} finds it), or up to three times for the version
 * templates, whose every occurrence is recorded. Everything is sorted and seeded, so the same inputs give the same
 * files.
 */
public final class LongDocSets {

  static final ObjectMapper JSON = new ObjectMapper();
  static final int MIN_TOKENS = 8_000;
  static final int MAX_TOKENS = 120_000;
  /** A chapter larger than this is cut at its top-level sections into parts of at most {@link #PART_TOKENS}. */
  static final int WHOLE_CHAPTER_TOKENS = 60_000;
  static final int PART_TOKENS = 40_000;
  static final int MAX_OCCURRENCES_VERSION = 3;

  private LongDocSets() {}

  /** One document: its title, the content roots it is converted from, and the converted text. */
  record Doc(String source, String title, List<Element> roots, HtmlText.Skip skip, String text, int tokens) {}

  /** One question candidate over a document. */
  record Cand(Doc doc, String template, String question, String answer, int maxOccurrences) {}

  public static void main(String[] args) throws IOException {
    Map<String, String> o = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    for (String k : List.of("pg", "py", "git", "handbook", "out")) {
      if (!o.containsKey(k)) {
        throw new IllegalArgumentException("usage: --pg PGHTML --py PYHTML --git GITHTML --handbook HANDBOOKHTML "
            + "--out DIR [--n 150] [--report FILE]  (missing --" + k + ")");
      }
    }
    int n = Integer.parseInt(o.getOrDefault("n", "150"));
    Path out = Path.of(o.get("out"));
    Files.createDirectories(out);
    StringBuilder report = new StringBuilder();

    List<Doc> pg = chaptered("postgresql-doc-15", Path.of(o.get("pg")), PG_SKIP, LongDocSets::pgNext);
    report.append(build(out, "long-pgdocs", pg, n, new Random(201)));

    List<Doc> py = pages("python3.11-doc", Path.of(o.get("py")).resolve("library"), PY_ROOT, PY_SKIP);
    report.append(build(out, "long-pydocs", py, n, new Random(202)));

    List<Doc> manual = new ArrayList<>(pages("git-doc", Path.of(o.get("git")), GIT_ROOT, GIT_SKIP));
    manual.removeIf(d -> d.source().endsWith("/index.html")); // the same page as git.html
    manual.addAll(chaptered("debian-handbook", Path.of(o.get("handbook")), HB_SKIP, LongDocSets::handbookNext));
    report.append(build(out, "long-manual", manual, n, new Random(203)));

    if (o.containsKey("report")) Files.writeString(Path.of(o.get("report")), report.toString());
    System.out.println(report);
  }

  // ---------------------------------------------------------------- sources

  interface Root {
    Element of(org.jsoup.nodes.Document page);
  }

  interface Next {
    String of(org.jsoup.nodes.Document page);
  }

  static boolean hasClass(Element e, String... classes) {
    for (String c : classes) if (e.hasClass(c)) return true;
    return false;
  }

  /** PostgreSQL (DocBook XSL): navigation bars, tables of contents, index anchors. */
  static final HtmlText.Skip PG_SKIP = e -> hasClass(e, "navheader", "navfooter", "toc", "indexterm")
      || e.hasAttr("data-longdoc-title");
  static final HtmlText.Skip HB_SKIP = e -> hasClass(e, "docnav", "toc", "indexterm")
      || e.id().equals("banner") || e.id().equals("title") || e.hasAttr("data-longdoc-title");
  static final Root PY_ROOT = page -> page.selectFirst("div[role=main]");
  static final HtmlText.Skip PY_SKIP = e -> hasClass(e, "headerlink") || e.hasAttr("data-longdoc-title");
  static final Root GIT_ROOT = page -> page.body();
  static final HtmlText.Skip GIT_SKIP = e -> e.id().equals("footer") || e.hasAttr("data-longdoc-title");

  static String pgNext(org.jsoup.nodes.Document page) {
    Element a = page.selectFirst("div.navheader a[accesskey=n]");
    return a == null ? null : a.attr("href");
  }

  static String handbookNext(org.jsoup.nodes.Document page) {
    Element a = page.selectFirst("ul.docnav li.next a[accesskey=n]");
    return a == null ? null : a.attr("href");
  }

  static org.jsoup.nodes.Document parse(Path file) throws IOException {
    return Jsoup.parse(file.toFile(), "UTF-8");
  }

  /** Marks the first heading as the title (left out of the text); returns its text, or null. */
  static String markTitle(Element root, String selector) {
    Element h = root.selectFirst(selector);
    if (h == null) return null;
    h.attr("data-longdoc-title", "");
    return HtmlText.inline(h);
  }

  /** One page a document (Python's library pages, git's manual pages), sorted by file name. */
  static List<Doc> pages(String source, Path dir, Root rootOf, HtmlText.Skip skip) throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.getFileName().toString().endsWith(".html")).sorted().toList();
    }
    List<Doc> docs = new ArrayList<>();
    for (Path f : files) {
      Element root = rootOf.of(parse(f));
      if (root == null) continue;
      String title = markTitle(root, "h1");
      if (title == null || title.isEmpty()) continue;
      String text = HtmlText.convert(List.of(root), skip);
      int tokens = Tokens.count(EvalExample.Document.render(title, text));
      if (tokens < MIN_TOKENS || tokens > MAX_TOKENS) continue;
      docs.add(new Doc(source + "/" + f.getFileName(), title, List.of(root), skip, text, tokens));
    }
    System.err.printf(Locale.ROOT, "%s: %d documents of %d-%d tokens%n", source, docs.size(), MIN_TOKENS, MAX_TOKENS);
    return docs;
  }

  /** A page of a DocBook book (PostgreSQL, the handbook): its content and what kind of division it starts. */
  record BookPage(String file, String kind, Element root, String title) {}

  static final Set<String> CHAPTER_KINDS = Set.of("chapter", "appendix", "preface");
  static final Set<String> SECTION_KINDS = Set.of("sect1", "section");
  static final Pattern EXCLUDED_TITLE = Pattern.compile(
      "(?i)(?:.*\\b(?:release notes|sql key words|acronyms|glossary|bibliography|legal notice)\\b.*|index|.*documentation)");

  /**
   * Walks a DocBook book from {@code index.html} along its "next" links and makes one document per chapter (the
   * chapter's page and its section pages) and per reference page; a chapter over {@link #WHOLE_CHAPTER_TOKENS} is
   * cut at its section pages into consecutive parts of at most {@link #PART_TOKENS} tokens.
   */
  static List<Doc> chaptered(String source, Path dir, HtmlText.Skip skip, Next next) throws IOException {
    List<List<BookPage>> groups = new ArrayList<>();
    List<BookPage> current = null;
    Set<String> seen = new HashSet<>();
    for (String file = "index.html"; file != null && seen.add(file); ) {
      org.jsoup.nodes.Document page = parse(dir.resolve(file));
      Element body = page.body();
      Element top = null;
      for (Element c : body.children()) {
        if (c.normalName().equals("div") && !hasClass(c, "navheader", "navfooter") && !c.id().equals("banner")) {
          top = c;
          break;
        }
      }
      String kind = top == null ? "" : top.className().split(" ")[0];
      String title = null;
      if (top != null && (CHAPTER_KINDS.contains(kind) || kind.equals("refentry"))) {
        title = markTitle(top, kind.equals("refentry") ? "div.refnamediv h1, div.refnamediv h2"
            : "div.titlepage h1, div.titlepage h2");
      } else if (top != null) {
        Element h = top.selectFirst("div.titlepage h1, div.titlepage h2, div.titlepage h3");
        title = h == null ? null : HtmlText.inline(h);
      }
      String n = next.of(page);
      if (title != null && !EXCLUDED_TITLE.matcher(title).matches()) {
        if (kind.equals("refentry")) {
          // a reference page is a document of its own; a chapter around it (PostgreSQL's dblink) goes on after it
          groups.add(new ArrayList<>(List.of(new BookPage(file, kind, body, title))));
        } else if (CHAPTER_KINDS.contains(kind)) {
          current = new ArrayList<>();
          groups.add(current);
          current.add(new BookPage(file, kind, body, title));
        } else if (SECTION_KINDS.contains(kind) && current != null) {
          current.add(new BookPage(file, kind, body, title));
        } else {
          current = null;
        }
      } else if (!SECTION_KINDS.contains(kind) && !kind.equals("refentry")) {
        current = null;
      }
      file = n == null || n.isEmpty() ? null : n.replaceFirst("#.*", "");
    }
    List<Doc> docs = new ArrayList<>();
    for (List<BookPage> g : groups) {
      List<Integer> tokens = new ArrayList<>();
      for (BookPage p : g) tokens.add(Tokens.count(HtmlText.convert(List.of(p.root()), skip)));
      int total = tokens.stream().mapToInt(Integer::intValue).sum();
      String title = g.get(0).title();
      List<List<BookPage>> parts = new ArrayList<>();
      if (total <= WHOLE_CHAPTER_TOKENS) {
        parts.add(g);
      } else {
        List<BookPage> part = new ArrayList<>();
        int size = 0;
        for (int i = 0; i < g.size(); i++) {
          if (!part.isEmpty() && size + tokens.get(i) > PART_TOKENS) {
            parts.add(part);
            part = new ArrayList<>();
            size = 0;
          }
          part.add(g.get(i));
          size += tokens.get(i);
        }
        parts.add(part);
      }
      for (int k = 0; k < parts.size(); k++) {
        List<BookPage> part = parts.get(k);
        String t = parts.size() == 1 ? title : title + " (part " + (k + 1) + " of " + parts.size() + ")";
        List<Element> roots = part.stream().map(BookPage::root).toList();
        String text = HtmlText.convert(roots, skip);
        int tk = Tokens.count(EvalExample.Document.render(t, text));
        if (tk < MIN_TOKENS || tk > MAX_TOKENS) continue;
        String files = part.get(0).file() + (part.size() > 1 ? " .. " + part.get(part.size() - 1).file() : "");
        docs.add(new Doc(source + "/" + files, t, roots, skip, text, tk));
      }
    }
    System.err.printf(Locale.ROOT, "%s: %d documents of %d-%d tokens%n", source, docs.size(), MIN_TOKENS, MAX_TOKENS);
    return docs;
  }

  // ---------------------------------------------------------------- templates

  /** A definition-list entry: its term(s), its definition, and what kind of entry it is. */
  record Item(String term, String kind, Element dt, Element dd) {}

  static List<Item> items(Doc d) {
    List<Item> out = new ArrayList<>();
    for (Element root : d.roots()) {
      if (d.source().startsWith("python")) {
        for (Element dl : root.select("dl.py")) {
          String kind = dl.classNames().stream().filter(c -> !c.equals("py")).findFirst().orElse("");
          Element dt = null;
          Element dd = null;
          for (Element c : dl.children()) {
            if (dt == null && c.normalName().equals("dt") && c.hasAttr("id")) dt = c;
            if (dd == null && c.normalName().equals("dd")) dd = c;
          }
          if (dt == null || dd == null) continue;
          out.add(new Item(dt.id(), kind, dt, dd));
        }
      } else {
        for (Element dl : root.select("dl")) {
          if (hasClass(dl, "toc") || d.skip().test(dl)) continue;
          List<Element> dts = new ArrayList<>();
          for (Element c : dl.children()) {
            if (c.normalName().equals("dt")) {
              dts.add(c);
            } else if (c.normalName().equals("dd") && !dts.isEmpty()) {
              Element dt = dts.get(dts.size() - 1);
              String term = term(dt, d.source());
              if (term != null) out.add(new Item(term, kind(dt, term), dt, c));
              dts.clear();
            }
          }
        }
      }
    }
    return out;
  }

  static String term(Element dt, String source) {
    Element code = dt.selectFirst("code.varname");
    if (code == null && source.startsWith("postgresql")) code = dt.selectFirst("code");
    String t = code != null ? HtmlText.inline(code) : HtmlText.inline(dt);
    t = t.replaceAll("\\s+\\((?:integer|boolean|string|enum|floating point|real)\\)$", "");
    if (t.length() < 2 || t.length() > 50 || !t.matches(".*\\p{L}.*")) return null;
    return t;
  }

  static String kind(Element dt, String term) {
    if (dt.id().startsWith("GUC-")) return "setting";
    if (term.startsWith("-")) return "option";
    if (term.matches("[a-zA-Z][\\w<>*-]*(\\.[\\w<>*-]+)+") && !term.contains("()")) return "variable";
    return "entry";
  }

  static String named(Item it, Doc d) {
    if (d.source().startsWith("python")) {
      return switch (it.kind()) {
        case "function", "method", "classmethod", "staticmethod", "decorator" -> "`" + it.term() + "()`";
        case "class" -> "the class `" + it.term() + "`";
        case "exception" -> "the exception `" + it.term() + "`";
        default -> "`" + it.term() + "`";
      };
    }
    return switch (it.kind()) {
      case "setting" -> "the PostgreSQL setting `" + it.term() + "`";
      case "option" -> "the option `" + it.term() + "`";
      case "variable" -> d.source().startsWith("git") ? "the configuration variable `" + it.term() + "`"
          : "`" + it.term() + "`";
      default -> "`" + it.term() + "`";
    };
  }

  static final Pattern DEFAULT = Pattern.compile(
      "(?i)\\b(?:the\\s+default(?:\\s+value|\\s+setting)?\\s+is|defaults\\s+to|\\(default:?)\\s+(.+?)(?=[.;:!?,)](?:\\s|$)|$)");
  static final Pattern PARENS = Pattern.compile("\\(([^()]{1,40})\\)");
  static final Pattern BAD_START = Pattern.compile(
      "(?i)^(?:to|that|which|whatever|determined|computed|set|taken|chosen|based|platform|usually|normally|typically|"
          + "the\\s+same|one|used|not|also|unset|specified|given|derived|either|off\\s+in|on\\s+in)\\b.*");

  /** "The default is X", "defaults to X", "(default: X)" in the paragraphs directly under a definition. */
  static void defaults(Doc d, List<Item> items, List<Cand> out) {
    if (d.source().startsWith("python")) return;
    for (Item it : items) {
      StringBuilder own = new StringBuilder();
      for (Element c : it.dd().children()) {
        if (c.normalName().equals("dl") || !c.select("dl").isEmpty()) continue;
        own.append(HtmlText.inline(c)).append(' ');
      }
      Matcher m = DEFAULT.matcher(own);
      if (!m.find()) continue;
      String value = m.group(1).strip();
      Matcher p = PARENS.matcher(value);
      if (p.find()) value = p.group(1).strip();
      value = value.replaceAll("^[\"'`]|[\"'`]$", "").strip();
      if (BAD_START.matcher(value).matches() || unbalanced(value)) continue;
      out.add(new Cand(d, "default", "What is the default value of " + named(it, d) + "?", value, 1));
    }
  }

  static boolean unbalanced(String v) {
    return v.chars().filter(c -> c == '\'').count() % 2 != 0 || v.chars().filter(c -> c == '"').count() % 2 != 0
        || v.chars().filter(c -> c == '(').count() != v.chars().filter(c -> c == ')').count()
        || v.chars().filter(c -> c == '[').count() != v.chars().filter(c -> c == ']').count();
  }

  static final Pattern WORD = Pattern.compile("\\p{L}{4,}");

  /** The lowercase words of 4 or more letters of a text, without stop words. */
  static Set<String> words(String text) {
    Set<String> out = new HashSet<>();
    Matcher m = WORD.matcher(text.toLowerCase(Locale.ROOT));
    while (m.find()) {
      if (!Bm25.STOP_WORDS.contains(m.group())) out.add(m.group());
    }
    return out;
  }

  /** A heading that repeats a word of what the question names would answer itself by matching words: left out. */
  static boolean sharesWord(String heading, String named) {
    Set<String> h = words(heading);
    Set<String> n = words(named.replaceAll("[._]", " "));
    n.addAll(words(named.replaceAll("([a-z])([A-Z])", "$1 $2").replaceAll("[._]", " ")));
    h.retainAll(n);
    return !h.isEmpty();
  }

  /** The heading a definition, a table, an example, a figure or a sidebar stands under. */
  static void sections(Doc d, List<Item> items, List<Cand> out) {
    Map<Element, Integer> order = new IdentityHashMap<>();
    List<Element> headings = new ArrayList<>();
    List<Integer> headingAt = new ArrayList<>();
    int i = 0;
    for (Element root : d.roots()) {
      for (Element e : root.getAllElements()) {
        order.put(e, i);
        if (e.normalName().matches("h[1-6]") && HtmlText.headingLevel(e) > 0 && !skipped(e, d.skip())) {
          headings.add(e);
          headingAt.add(i);
        }
        i++;
      }
    }
    String where = d.source().startsWith("python") || d.source().startsWith("git-doc") ? "Under which heading of this page"
        : "In which section of this document";
    for (Item it : items) {
      Element h = before(order.get(it.dt()), headings, headingAt);
      if (h == null || it.term().length() < 3 || sharesWord(HtmlText.inline(h), it.term())) continue;
      String verb = d.source().startsWith("python") ? "documented" : "described";
      out.add(new Cand(d, "section", where + " is " + named(it, d) + " " + verb + "?", HtmlText.inline(h), 1));
    }
    for (Element root : d.roots()) {
      for (Element t : root.select("div.table > p.title, div.example > p.title, div.figure > p.title, "
          + "div.sidebar > div.titlepage p.title")) {
        Element h = before(order.get(t), headings, headingAt);
        if (h == null) continue;
        String caption = HtmlText.inline(t);
        String what;
        Matcher m = Pattern.compile("^(Table|Example|Figure)\\s+[\\dA-Z]+(?:\\.\\d+)*\\.\\s+(.+)$").matcher(caption);
        if (m.matches()) {
          what = "the " + m.group(1).toLowerCase(Locale.ROOT) + " titled \"" + m.group(2) + "\"";
        } else if (t.closest("div.sidebar") != null) {
          Element label = t.selectFirst("em");
          String l = label == null ? "" : HtmlText.inline(label);
          String rest = caption.startsWith(l) ? caption.substring(l.length()).strip() : caption;
          if (rest.isEmpty()) continue;
          what = l.isEmpty() ? "the box titled \"" + rest + "\"" : "the " + l + " box titled \"" + rest + "\"";
        } else {
          continue;
        }
        if (sharesWord(HtmlText.inline(h), what)) continue;
        out.add(new Cand(d, "section", where + " is " + what + "?", HtmlText.inline(h), 1));
      }
    }
  }

  static boolean skipped(Element e, HtmlText.Skip skip) {
    for (Element p = e; p != null; p = p.parent()) {
      if (skip.test(p)) return true;
    }
    return false;
  }

  static Element before(Integer at, List<Element> headings, List<Integer> headingAt) {
    if (at == null) return null;
    int k = Collections.binarySearch(headingAt, at);
    int idx = k >= 0 ? k - 1 : -k - 2;
    return idx >= 0 ? headings.get(idx) : null;
  }

  static final Pattern VERSION = Pattern.compile("^(New in version|Deprecated since version) (\\d+\\.\\d+)\\b.*");

  /** Python's "New in version X" and "Deprecated since version X" notes directly under an entry. */
  static void versions(Doc d, List<Item> items, List<Cand> out) {
    if (!d.source().startsWith("python")) return;
    for (Item it : items) {
      for (Element note : it.dd().children()) {
        if (!hasClass(note, "versionadded", "deprecated")) continue;
        Matcher m = VERSION.matcher(HtmlText.inline(note));
        if (!m.matches()) continue;
        boolean added = m.group(1).startsWith("New");
        String q = added ? "In which Python version was " + named(it, d) + " added?"
            : "Since which Python version has " + named(it, d) + " been deprecated?";
        out.add(new Cand(d, added ? "version-added" : "deprecated-since", q, m.group(2), MAX_OCCURRENCES_VERSION));
      }
    }
  }

  static final Pattern PARAM = Pattern.compile("^\\*{0,2}(\\w+)\\s*(?::[^=]+)?=\\s*(.+)$");

  /** A parameter's default value in a Python signature. */
  static void signatureDefaults(Doc d, List<Item> items, List<Cand> out) {
    if (!d.source().startsWith("python")) return;
    for (Item it : items) {
      for (Element p : it.dt().select("em.sig-param")) {
        Matcher m = PARAM.matcher(HtmlText.inline(p));
        if (!m.matches()) continue;
        String value = m.group(2).strip();
        if (Set.of("None", "True", "False", "()", "''", "\"\"", "0", "1", "-1").contains(value)) continue;
        out.add(new Cand(d, "param-default", "What is the default value of the parameter `" + m.group(1) + "` of "
            + named(it, d) + "?", value, 1));
      }
    }
  }

  /** An example's result in PostgreSQL's function tables: {@code expression → result}. */
  static void exampleResults(Doc d, List<Cand> out) {
    if (!d.source().startsWith("postgresql")) return;
    for (Element root : d.roots()) {
      for (Element p : root.select("td.func_table_entry > p")) {
        if (hasClass(p, "func_signature")) continue;
        Element ret = p.selectFirst("code.returnvalue");
        String text = HtmlText.inline(p);
        if (ret == null || text.indexOf('→') < 0 || text.indexOf('→') != text.lastIndexOf('→')) continue;
        String expr = text.substring(0, text.indexOf('→')).strip();
        String result = HtmlText.inline(ret);
        if (expr.length() < 5 || expr.length() > 80 || !text.endsWith(result)) continue;
        out.add(new Cand(d, "example-result", "In this document's examples, what does `" + expr + "` return?",
            result, 1));
      }
    }
  }

  static final Pattern CAPTION = Pattern.compile("^Table\\s+[\\dA-Z]+(?:\\.\\d+)*\\.\\s+(.+)$");

  /**
   * A cell of a table with a header row: "In the table "CAPTION", what is the COLUMN of the row KEY?", KEY being the
   * row's first cell. Tables without a caption are named by their columns.
   */
  static void tableCells(Doc d, List<Cand> out) {
    for (Element root : d.roots()) {
      for (Element table : root.select("table")) {
        if (skipped(table, d.skip()) || !table.select("td.func_table_entry").isEmpty()) continue;
        List<Element> rows = new ArrayList<>();
        for (Element tr : table.select("tr")) if (tr.closest("table") == table) rows.add(tr);
        if (rows.size() < 4) continue;
        List<Element> head = rows.get(0).children().stream().filter(c -> c.normalName().equals("th")).toList();
        if (head.size() < 2 || head.size() != rows.get(0).children().size()) continue;
        List<String> labels = head.stream().map(HtmlText::inline).toList();
        if (labels.stream().anyMatch(l -> l.isEmpty() || l.length() > 40)) continue;
        Element box = table.closest("div.table");
        Element title = box == null ? null : box.selectFirst("p.title");
        String name;
        Matcher m = title == null ? null : CAPTION.matcher(HtmlText.inline(title));
        if (m != null && m.matches()) {
          name = "the table \"" + m.group(1) + "\"";
        } else {
          name = "the table with the columns " + String.join(", ", labels.stream().map(l -> "\"" + l + "\"").toList());
        }
        for (Element tr : rows.subList(1, rows.size())) {
          List<Element> cells = tr.children().stream().filter(c -> c.normalName().equals("td")).toList();
          if (cells.size() != labels.size()) continue;
          String key = HtmlText.inline(cells.get(0));
          if (key.length() < 2 || key.length() > 40) continue;
          for (int j = 1; j < cells.size(); j++) {
            out.add(new Cand(d, "table-cell", "In " + name + ", what is the \"" + labels.get(j) + "\" of the row `"
                + key + "`?", HtmlText.inline(cells.get(j)), 1));
          }
        }
      }
    }
  }

  // ---------------------------------------------------------------- checks and selection

  static final Set<String> WEAK = Set.of("on", "off", "true", "false", "none", "yes", "no", "null", "zero", "empty",
      "all", "any", "one", "two", "nothing", "unset", "disabled", "enabled", "the", "not set");

  /** The answer's whole-word occurrences in the normalised text, as start offsets. */
  static List<Integer> occurrences(String normText, String normAnswer) {
    List<Integer> at = new ArrayList<>();
    for (int i = AnswerMatcher.find(normText, normAnswer, 0); i >= 0; i = AnswerMatcher.find(normText, normAnswer, i + 1)) {
      at.add(i);
    }
    return at;
  }

  /** A kept example: the candidate and where its answer is (fractions of the normalised text's length). */
  record Picked(Cand cand, List<Double> positions, boolean lexicalTop1, boolean lexicalTop5) {}

  static Picked check(Cand c, Map<Doc, String> normTexts) {
    String a = c.answer().strip().replaceAll("[.,;:]+$", "").strip();
    if (!a.equals(c.answer())) c = new Cand(c.doc(), c.template(), c.question(), a, c.maxOccurrences());
    String na = AnswerMatcher.normalize(a);
    if (na.length() < 3 || na.length() > 60 || !na.matches(".*[\\p{L}\\p{N}].*") || WEAK.contains(na)) return null;
    if (na.split(" ").length > 6) return null;
    if (AnswerMatcher.find(AnswerMatcher.normalize(c.question()), na, 0) >= 0) return null;
    if (AnswerMatcher.find(AnswerMatcher.normalize(c.doc().title()), na, 0) >= 0) return null;
    String text = normTexts.get(c.doc());
    List<Integer> at = occurrences(text, na);
    if (at.isEmpty() || at.size() > c.maxOccurrences()) return null;
    List<Double> pos = new ArrayList<>();
    for (int i : at) pos.add(Math.round(1000.0 * i / text.length()) / 1000.0);
    return new Picked(c, pos, false, false);
  }

  static String build(Path out, String set, List<Doc> docs, int n, Random rnd) throws IOException {
    Map<Doc, String> norm = new IdentityHashMap<>();
    Map<Doc, List<Cand>> byDoc = new LinkedHashMap<>();
    for (Doc d : docs) {
      norm.put(d, AnswerMatcher.normalize(d.text()));
      List<Item> items = items(d);
      List<Cand> cands = new ArrayList<>();
      defaults(d, items, cands);
      sections(d, items, cands);
      versions(d, items, cands);
      signatureDefaults(d, items, cands);
      exampleResults(d, cands);
      tableCells(d, cands);
      // one question per wording, one per answer: the first (document order) of each
      Set<String> questions = new HashSet<>();
      Set<String> answers = new HashSet<>();
      Map<String, List<Picked>> byTemplate = new TreeMap<>();
      for (Cand c : cands) {
        Picked p = check(c, norm);
        if (p == null) continue;
        if (!questions.add(p.cand().question()) || !answers.add(AnswerMatcher.normalize(p.cand().answer()))) continue;
        byTemplate.computeIfAbsent(p.cand().template(), k -> new ArrayList<>()).add(p);
      }
      // interleave templates (each shuffled) so a document's first picks differ in kind
      List<List<Picked>> lists = new ArrayList<>(byTemplate.values());
      for (List<Picked> l : lists) Collections.shuffle(l, rnd);
      Collections.shuffle(lists, rnd);
      List<Cand> ordered = new ArrayList<>();
      for (int k = 0; ; k++) {
        boolean any = false;
        for (List<Picked> l : lists) {
          if (k < l.size()) {
            ordered.add(l.get(k).cand());
            any = true;
          }
        }
        if (!any) break;
      }
      if (!ordered.isEmpty()) byDoc.put(d, ordered);
    }
    // round-robin over the documents (in a seeded order) until n examples; at its turn a document gives its first
    // remaining question of the template used least so far in the set, so no one template crowds out the others
    List<Doc> order = new ArrayList<>(byDoc.keySet());
    Collections.shuffle(order, rnd);
    Map<String, Integer> used = new TreeMap<>();
    List<Cand> chosen = new ArrayList<>();
    while (chosen.size() < n) {
      boolean any = false;
      for (Doc d : order) {
        List<Cand> l = byDoc.get(d);
        if (l.isEmpty() || chosen.size() >= n) continue;
        int best = 0;
        for (int k = 1; k < l.size(); k++) {
          if (used.getOrDefault(l.get(k).template(), 0) < used.getOrDefault(l.get(best).template(), 0)) best = k;
        }
        Cand c = l.remove(best);
        used.merge(c.template(), 1, Integer::sum);
        chosen.add(c);
        any = true;
      }
      if (!any) break;
    }
    // write, measure
    Path file = out.resolve("dev-" + set + ".jsonl.gz");
    Map<Doc, Bm25> bm25 = new IdentityHashMap<>();
    Map<Doc, List<String>> sentences = new IdentityHashMap<>();
    List<Picked> picked = new ArrayList<>();
    try (OutputStream os = new GZIPOutputStream(Files.newOutputStream(file));
         Writer w = new OutputStreamWriter(os, StandardCharsets.UTF_8)) {
      for (int i = 0; i < chosen.size(); i++) {
        Cand c = chosen.get(i);
        Picked p = check(c, norm);
        Doc d = c.doc();
        List<String> s = sentences.computeIfAbsent(d, x -> Sentences.split(x.text()));
        Bm25 index = bm25.computeIfAbsent(d, x -> new Bm25(s));
        List<Integer> rank = index.ranking(c.question());
        AnswerMatcher m = AnswerMatcher.of(List.of(c.answer()));
        boolean top1 = !rank.isEmpty() && m.matches(s.get(rank.get(0)));
        boolean top5 = false;
        for (int r = 0; r < Math.min(5, rank.size()); r++) top5 |= m.matches(s.get(rank.get(r)));
        p = new Picked(p.cand(), p.positions(), top1, top5);
        picked.add(p);
        ObjectNode e = JSON.createObjectNode();
        e.put("id", String.format(Locale.ROOT, "%s-%04d", set, i));
        e.put("dataset", set);
        e.put("question", c.question());
        e.putArray("answers").add(c.answer());
        ObjectNode doc = e.putArray("documents").addObject();
        doc.put("id", "d0");
        doc.put("title", d.title());
        doc.put("text", d.text());
        doc.putNull("gold");
        e.put("answer_position", p.positions().get(0));
        ArrayNode all = e.putArray("answer_positions");
        p.positions().forEach(all::add);
        e.put("template", c.template());
        e.put("source", d.source());
        w.write(JSON.writeValueAsString(e) + "\n");
      }
    }
    System.err.printf(Locale.ROOT, "%s: %d examples over %d documents -> %s%n", set, chosen.size(),
        new HashSet<>(chosen.stream().map(c -> c.doc().source()).toList()).size(), file);
    return stats(set, docs, byDoc, picked);
  }

  static String stats(String set, List<Doc> docs, Map<Doc, List<Cand>> byDoc, List<Picked> picked) {
    List<Doc> used = new ArrayList<>();
    for (Picked p : picked) if (!used.contains(p.cand().doc())) used.add(p.cand().doc());
    List<Integer> tokens = used.stream().map(Doc::tokens).sorted().toList();
    StringBuilder sb = new StringBuilder();
    sb.append("### ").append(set).append("\n\n");
    sb.append(String.format(Locale.ROOT, "- examples: %d; documents used: %d (of %d candidate documents of %d-%d "
            + "tokens, %d with at least one question)%n", picked.size(), used.size(), docs.size(), MIN_TOKENS,
        MAX_TOKENS, byDoc.size()));
    if (!tokens.isEmpty()) {
      sb.append(String.format(Locale.ROOT, "- tokens per document (cl100k, title + text): min %,d / median %,d / max "
              + "%,d; documents over 40,000 tokens: %d%n", tokens.get(0), tokens.get(tokens.size() / 2),
          tokens.get(tokens.size() - 1), tokens.stream().filter(t -> t > 40_000).count()));
    }
    long unique = picked.stream().filter(p -> p.positions().size() == 1).count();
    sb.append(String.format(Locale.ROOT, "- answer occurs once in its document: %d of %d (the others 2-%d times, "
        + "all positions recorded)%n", unique, picked.size(), MAX_OCCURRENCES_VERSION));
    int[] tenths = new int[10];
    for (Picked p : picked) tenths[Math.min(9, (int) (p.positions().get(0) * 10))]++;
    sb.append("- answer position (first occurrence / document length) by tenths, 0.0-0.1 ... 0.9-1.0: ");
    for (int i = 0; i < 10; i++) sb.append(i == 0 ? "" : " / ").append(tenths[i]);
    sb.append('\n');
    long top1 = picked.stream().filter(Picked::lexicalTop1).count();
    long top5 = picked.stream().filter(Picked::lexicalTop5).count();
    sb.append(String.format(Locale.ROOT, "- lexical: the top BM25 sentence for the question holds the answer in "
        + "%d of %d (%.0f%%); one of the top 5 in %d (%.0f%%)%n%n", top1, picked.size(), pct(top1, picked.size()),
        top5, pct(top5, picked.size())));
    sb.append("| template | examples | BM25 top-1 holds answer | BM25 top-5 holds answer |\n|---|---|---|---|\n");
    Map<String, List<Picked>> byTemplate = new TreeMap<>();
    for (Picked p : picked) byTemplate.computeIfAbsent(p.cand().template(), k -> new ArrayList<>()).add(p);
    for (Map.Entry<String, List<Picked>> e : byTemplate.entrySet()) {
      List<Picked> l = e.getValue();
      long t1 = l.stream().filter(Picked::lexicalTop1).count();
      long t5 = l.stream().filter(Picked::lexicalTop5).count();
      sb.append(String.format(Locale.ROOT, "| %s | %d | %d (%.0f%%) | %d (%.0f%%) |%n", e.getKey(), l.size(), t1,
          pct(t1, l.size()), t5, pct(t5, l.size())));
    }
    Map<String, Long> bySource = new TreeMap<>();
    for (Picked p : picked) bySource.merge(p.cand().doc().source().replaceFirst("/.*", ""), 1L, Long::sum);
    sb.append("\nExamples by source: ").append(bySource).append("\n\n");
    return sb.toString();
  }

  static double pct(long a, long b) {
    return b == 0 ? 0 : 100.0 * a / b;
  }
}
