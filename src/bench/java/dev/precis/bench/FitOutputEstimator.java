package dev.precis.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.precis.proxy.OutputEstimator;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * Fits {@link OutputEstimator}'s weights on question → reference answer pairs from FAQ pages that Debian packages
 * install, and writes them with their figures as {@code src/main/resources/precis/output-estimator.json}
 * ({@code docs/reasoning-budget.md}).
 *
 * <pre>
 * ./mvnw -q -B test-compile exec:java@fit-output-estimator [-Dfit-output-estimator.args="--out FILE --pairs FILE"]
 * </pre>
 *
 * <p>Data (each a Debian package, {@code apt-get install python3.11-doc debian-faq git-doc sqlite3-doc}): the Python
 * 3.11 FAQ ({@code /usr/share/doc/python3.11/html/faq}, PSF License), the Debian FAQ ({@code
 * /usr/share/doc/debian/FAQ}, the FAQ's own verbatim-copying licence), gitfaq(7) ({@code
 * /usr/share/doc/git-doc/gitfaq.html}, GPL-2.0) and the SQLite FAQ ({@code /usr/share/doc/sqlite3/faq.html}, public
 * domain). A pair is a heading (or term, or bold line) that asks something, and the text under it up to the next
 * question; the target is {@code ln} of the answer's cl100k tokens. The model is a ridge regression (intercept not
 * penalised) on {@link OutputEstimator#FEATURES}, and the budget adds the {@code --quantile} of the training
 * residuals. Figures: in-sample, five-fold cross-validated (the fold of an example is the FNV-1a hash of its id modulo
 * 5; weights and offset fitted on the other four folds) and leave-one-source-out, next to an intercept-only model.
 * Everything is sorted by id, so the same packages give the same file.
 */
public final class FitOutputEstimator {
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  static final int FOLDS = 5;
  static final int MIN_TOKENS = 16;
  static final int MAX_TOKENS = 8192;
  /** A feature non-zero in fewer examples than this gets no weight (its column is zeroed before fitting). */
  static final int MIN_SUPPORT = 10;

  private FitOutputEstimator() {}

  /** One question and its reference answer. */
  record Pair(String id, String source, String question, String answer, int answerTokens) {}

  /** A data source: its Debian package, where it is read from, its licence. */
  record Source(String name, String pkg, String path, String licence) {}

  static final List<Source> SOURCES = List.of(
      new Source("python-faq", "python3.11-doc", "/usr/share/doc/python3.11/html/faq", "PSF-2.0"),
      new Source("debian-faq", "debian-faq", "/usr/share/doc/debian/FAQ",
          "verbatim copying and modified versions permitted (the Debian FAQ's licence, SPI 1996-2003)"),
      new Source("gitfaq", "git-doc", "/usr/share/doc/git-doc/gitfaq.html", "GPL-2.0-only"),
      new Source("sqlite-faq", "sqlite3-doc", "/usr/share/doc/sqlite3/faq.html", "public-domain"));

  public static void main(String[] args) throws IOException {
    Map<String, String> o = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    Path out = Path.of(o.getOrDefault("out", "src/main/resources/precis/output-estimator.json"));
    double lambda = Double.parseDouble(o.getOrDefault("lambda", "1.0"));
    double quantile = Double.parseDouble(o.getOrDefault("quantile", "0.9"));

    List<Pair> pairs = new ArrayList<>();
    pairs.addAll(pythonFaq(Path.of(SOURCES.get(0).path())));
    pairs.addAll(debianFaq(Path.of(SOURCES.get(1).path())));
    pairs.addAll(gitFaq(Path.of(SOURCES.get(2).path())));
    pairs.addAll(sqliteFaq(Path.of(SOURCES.get(3).path())));
    pairs.sort(Comparator.comparing(Pair::id));
    for (int i = 1; i < pairs.size(); i++) {
      if (pairs.get(i).id().equals(pairs.get(i - 1).id())) throw new IllegalStateException("duplicate id "
          + pairs.get(i).id());
    }
    if (o.containsKey("pairs")) writePairs(pairs, Path.of(o.get("pairs")));

    int n = pairs.size();
    double[][] x = new double[n][];
    double[] y = new double[n];
    int[] fold = new int[n];
    for (int i = 0; i < n; i++) {
      x[i] = OutputEstimator.features(pairs.get(i).question(), Tokens::count);
      y[i] = Math.log(pairs.get(i).answerTokens());
      fold[i] = Integer.remainderUnsigned(fnv1a(pairs.get(i).id()), FOLDS);
    }

    List<String> unfitted = new ArrayList<>();
    for (int j = 0; j < OutputEstimator.FEATURES.size(); j++) {
      int nonzero = 0;
      for (double[] row : x) if (row[j] != 0) nonzero++;
      if (nonzero >= MIN_SUPPORT) continue;
      unfitted.add(OutputEstimator.FEATURES.get(j) + " (" + nonzero + ")");
    }
    double[][] raw = x;
    x = new double[n][];
    for (int i = 0; i < n; i++) {
      x[i] = raw[i].clone();
      for (int j = 0; j < x[i].length; j++) {
        String prefix = OutputEstimator.FEATURES.get(j) + " (";
        if (unfitted.stream().anyMatch(u -> u.startsWith(prefix))) x[i][j] = 0;
      }
    }
    Model all = Model.fit(x, y, all(n), lambda, quantile);
    Figures inSample = Figures.of(pairs, x, y, all(n), i -> all);
    Model[] byFold = new Model[FOLDS];
    for (int k = 0; k < FOLDS; k++) {
      int kk = k;
      byFold[k] = Model.fit(x, y, i -> fold[i] != kk, lambda, quantile);
    }
    Figures cv = Figures.of(pairs, x, y, all(n), i -> byFold[fold[i]]);
    Map<String, Model> bySource = new TreeMap<>();
    for (Source s : SOURCES) {
      bySource.put(s.name(), Model.fit(x, y, i -> !pairs.get(i).source().equals(s.name()), lambda, quantile));
    }
    Figures loso = Figures.of(pairs, x, y, all(n), i -> bySource.get(pairs.get(i).source()));
    Model[] constFold = new Model[FOLDS];
    for (int k = 0; k < FOLDS; k++) {
      int kk = k;
      constFold[k] = Model.fit(new double[n][0], y, i -> fold[i] != kk, lambda, quantile);
    }
    double[][] none = new double[n][0];
    Figures constCv = Figures.of(pairs, none, y, all(n), i -> constFold[fold[i]]);

    ObjectNode root = JSON.createObjectNode();
    root.put("format", OutputEstimator.FORMAT);
    root.put("encoding", OutputEstimator.ENCODING);
    root.put("command", OutputEstimator.COMMAND + (args.length == 0 ? "" : " -Dfit-output-estimator.args=\""
        + String.join(" ", args) + "\""));
    root.put("what_it_measures", "the length in cl100k tokens of the answer documentation writers gave to a FAQ "
        + "question: a proxy for the output a question needs, not a measure of reasoning; technical FAQs only "
        + "(Python, Debian, git, SQLite), written answers, English");
    ArrayNode data = root.putArray("data");
    for (Source s : SOURCES) {
      ObjectNode d = data.addObject();
      d.put("source", s.name());
      d.put("package", s.pkg() + " " + packageVersion(s.pkg()));
      d.put("path", s.path());
      d.put("licence", s.licence());
      d.put("examples", pairs.stream().filter(p -> p.source().equals(s.name())).count());
    }
    root.put("examples", n);
    root.put("target", "ln(cl100k tokens of the reference answer)");
    root.put("model", "ridge regression (intercept not penalised) on the features; budget = exp(prediction + offset), "
        + "offset = the quantile of the training residuals, clamped");
    root.put("lambda", lambda);
    root.put("quantile", quantile);
    root.put("offset", round(all.offset()));
    ArrayNode clamp = root.putArray("clamp");
    clamp.add(MIN_TOKENS);
    clamp.add(MAX_TOKENS);
    ObjectNode weights = root.putObject("weights");
    weights.put("intercept", round(all.beta()[0]));
    for (int j = 0; j < OutputEstimator.FEATURES.size(); j++) {
      weights.put(OutputEstimator.FEATURES.get(j), round(all.beta()[j + 1]));
    }
    ObjectNode ranges = root.putObject("ranges");
    ObjectNode counts = root.putObject("feature_nonzero_examples");
    for (int j = 0; j < OutputEstimator.FEATURES.size(); j++) {
      double lo = Double.POSITIVE_INFINITY;
      double hi = Double.NEGATIVE_INFINITY;
      int nonzero = 0;
      for (double[] row : raw) {
        lo = Math.min(lo, row[j]);
        hi = Math.max(hi, row[j]);
        if (row[j] != 0) nonzero++;
      }
      ArrayNode r = ranges.putArray(OutputEstimator.FEATURES.get(j));
      r.add(round(lo));
      r.add(round(hi));
      counts.put(OutputEstimator.FEATURES.get(j), nonzero);
    }
    ArrayNode unfittedNode = root.putArray("unfitted_features");
    unfitted.forEach(unfittedNode::add);
    root.put("unfitted_rule", "a feature non-zero in fewer than " + MIN_SUPPORT + " examples gets weight 0 "
        + "(listed with its count)");
    ObjectNode figures = root.putObject("figures");
    figures.put("folds", "5, by FNV-1a 32-bit hash of the example id modulo 5");
    inSample.write(figures.putObject("in_sample"));
    cv.write(figures.putObject("cross_validated"));
    loso.write(figures.putObject("leave_one_source_out"));
    constCv.write(figures.putObject("intercept_only_cross_validated"));

    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, JSON.writeValueAsString(root) + "\n", StandardCharsets.UTF_8);
    System.out.printf(Locale.ROOT, "%d pairs (%s) -> %s%n", n, data, out);
    System.out.printf(Locale.ROOT, "%-32s %8s %8s %8s %8s %10s%n", "", "MdALE", "exceed", "ratio", "budget",
        "answer");
    inSample.print("in-sample");
    cv.print("5-fold cross-validated");
    loso.print("leave-one-source-out");
    constCv.print("intercept only, cross-validated");
  }

  // ---- the model

  /** Ridge weights (intercept first) and the residual quantile offset. */
  record Model(double[] beta, double offset) {
    static Model fit(double[][] x, double[] y, Predicate<Integer> train, double lambda, double quantile) {
      int d = x[0].length + 1;
      double[][] a = new double[d][d];
      double[] b = new double[d];
      for (int i = 0; i < y.length; i++) {
        if (!train.test(i)) continue;
        double[] row = row(x[i]);
        for (int p = 0; p < d; p++) {
          b[p] += row[p] * y[i];
          for (int q = 0; q < d; q++) a[p][q] += row[p] * row[q];
        }
      }
      for (int p = 1; p < d; p++) a[p][p] += lambda;
      double[] beta = solve(a, b);
      List<Double> residuals = new ArrayList<>();
      for (int i = 0; i < y.length; i++) {
        if (train.test(i)) residuals.add(y[i] - dot(beta, row(x[i])));
      }
      residuals.sort(Double::compare);
      int at = (int) Math.ceil(quantile * residuals.size()) - 1;
      return new Model(beta, residuals.get(Math.max(0, Math.min(residuals.size() - 1, at))));
    }

    double predict(double[] features) {
      return dot(beta, row(features));
    }

    static double[] row(double[] features) {
      double[] r = new double[features.length + 1];
      r[0] = 1;
      System.arraycopy(features, 0, r, 1, features.length);
      return r;
    }

    static double dot(double[] a, double[] b) {
      double s = 0;
      for (int i = 0; i < a.length; i++) s += a[i] * b[i];
      return s;
    }

    /** Gaussian elimination with partial pivoting. */
    static double[] solve(double[][] a0, double[] b0) {
      int d = b0.length;
      double[][] a = new double[d][];
      for (int i = 0; i < d; i++) a[i] = Arrays.copyOf(a0[i], d);
      double[] b = b0.clone();
      for (int c = 0; c < d; c++) {
        int pivot = c;
        for (int r = c + 1; r < d; r++) if (Math.abs(a[r][c]) > Math.abs(a[pivot][c])) pivot = r;
        if (Math.abs(a[pivot][c]) < 1e-12) throw new IllegalStateException("singular system at column " + c);
        double[] t = a[c];
        a[c] = a[pivot];
        a[pivot] = t;
        double tb = b[c];
        b[c] = b[pivot];
        b[pivot] = tb;
        for (int r = c + 1; r < d; r++) {
          double f = a[r][c] / a[c][c];
          for (int k = c; k < d; k++) a[r][k] -= f * a[c][k];
          b[r] -= f * b[c];
        }
      }
      double[] xs = new double[d];
      for (int r = d - 1; r >= 0; r--) {
        double s = b[r];
        for (int k = r + 1; k < d; k++) s -= a[r][k] * xs[k];
        xs[r] = s / a[r][r];
      }
      return xs;
    }
  }

  interface ModelFor {
    Model of(int example);
  }

  /**
   * Error figures over a set of examples, each predicted by the model {@code modelFor} gives it: the median absolute
   * log error of the typical prediction (clamped), the share of answers longer than the budget, the median ratio of
   * budget to answer length, and the mean budget and answer length in tokens; the share over budget per source too.
   */
  record Figures(int n, double mdale, double exceed, double medianRatio, double meanBudget, double meanAnswer,
      Map<String, double[]> exceedBySource) {
    static Figures of(List<Pair> pairs, double[][] x, double[] y, Predicate<Integer> which, ModelFor modelFor) {
      List<Double> errors = new ArrayList<>();
      List<Double> ratios = new ArrayList<>();
      int over = 0;
      double budgetSum = 0;
      double answerSum = 0;
      Map<String, double[]> bySource = new TreeMap<>();
      for (int i = 0; i < y.length; i++) {
        if (!which.test(i)) continue;
        Model m = modelFor.of(i);
        double log = m.predict(x[i]);
        int median = clamp(Math.exp(log));
        int budget = Math.max(median, clamp(Math.exp(log + m.offset())));
        int actual = pairs.get(i).answerTokens();
        errors.add(Math.abs(y[i] - Math.log(median)));
        ratios.add((double) budget / actual);
        boolean exceeded = actual > budget;
        if (exceeded) over++;
        budgetSum += budget;
        answerSum += actual;
        double[] s = bySource.computeIfAbsent(pairs.get(i).source(), k -> new double[2]);
        s[0]++;
        if (exceeded) s[1]++;
      }
      int n = errors.size();
      return new Figures(n, median(errors), (double) over / n, median(ratios), budgetSum / n, answerSum / n,
          bySource);
    }

    void write(ObjectNode node) {
      node.put("examples", n);
      node.put("median_abs_log_error", round(mdale));
      node.put("share_answer_over_budget", round(exceed));
      node.put("median_budget_to_answer_ratio", round(medianRatio));
      node.put("mean_budget_tokens", Math.round(meanBudget));
      node.put("mean_answer_tokens", Math.round(meanAnswer));
      ObjectNode s = node.putObject("share_over_budget_by_source");
      for (Map.Entry<String, double[]> e : exceedBySource.entrySet()) {
        s.put(e.getKey(), round(e.getValue()[1] / e.getValue()[0]));
      }
    }

    void print(String label) {
      StringBuilder sources = new StringBuilder();
      for (Map.Entry<String, double[]> e : exceedBySource.entrySet()) {
        sources.append(String.format(Locale.ROOT, " %s=%.3f", e.getKey(), e.getValue()[1] / e.getValue()[0]));
      }
      System.out.printf(Locale.ROOT, "%-32s %8.3f %8.3f %8.2f %8.0f %10.0f  over budget by source:%s%n", label, mdale,
          exceed, medianRatio, meanBudget, meanAnswer, sources);
    }
  }

  static int clamp(double tokens) {
    return (int) Math.max(MIN_TOKENS, Math.min(MAX_TOKENS, Math.round(tokens)));
  }

  static double median(List<Double> values) {
    List<Double> s = new ArrayList<>(values);
    s.sort(Double::compare);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  static double round(double v) {
    return Math.round(v * 1e6) / 1e6;
  }

  static Predicate<Integer> all(int n) {
    return i -> true;
  }

  /** FNV-1a, 32 bits, over the id's UTF-8 bytes: a fold assignment that does not depend on the JVM. */
  static int fnv1a(String id) {
    int h = 0x811c9dc5;
    for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x01000193;
    }
    return h;
  }

  // ---- the sources

  static final Predicate<String> ASKS = q -> q.endsWith("?") || q.endsWith("?!");

  /** Python FAQ: a {@code section} whose heading asks; the answer is the section without nested asking sections. */
  static List<Pair> pythonFaq(Path dir) throws IOException {
    List<Pair> out = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.toString().endsWith(".html") && !p.getFileName().toString().equals("index.html"))
          .sorted().toList();
    }
    for (Path f : files) {
      Document doc = parse(f);
      for (Element section : doc.select("section[id]")) {
        Element heading = section.selectFirst("> h1, > h2, > h3, > h4, > h5");
        if (heading == null) continue;
        String question = HtmlText.inline(heading).replace("¶", "").strip();
        if (!ASKS.test(question)) continue;
        String answer = HtmlText.convert(List.of(section), e -> e == heading
            || (e != section && e.normalName().equals("section") && asks(e.selectFirst("> h1, > h2, > h3, > h4, > h5"))))
            .strip();
        add(out, "python-faq", f.getFileName() + "#" + section.id(), question, answer);
      }
    }
    return out;
  }

  /** Debian FAQ: a DocBook {@code div.section} whose title asks ("1.2. What is Debian GNU/Linux?"). */
  static List<Pair> debianFaq(Path dir) throws IOException {
    List<Pair> out = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.getFileName().toString().endsWith(".en.html")
          && !p.getFileName().toString().startsWith("index.")).sorted().toList();
    }
    for (Path f : files) {
      Document doc = parse(f);
      for (Element section : doc.select("div.section")) {
        Element title = section.selectFirst("> div.titlepage .title");
        if (title == null) continue;
        String question = HtmlText.inline(title).replaceFirst("^[0-9]+(\\.[0-9]+)*\\.?\\s+", "").strip();
        if (!ASKS.test(question)) continue;
        Element anchor = title.selectFirst("a[id]");
        String id = anchor != null ? anchor.id() : question;
        String answer = HtmlText.convert(List.of(section), e -> (e.normalName().equals("div") && e.hasClass("titlepage")
            && e.parent() == section) || (e != section && e.hasClass("section")
                && asks(e.selectFirst("> div.titlepage .title")))).strip();
        add(out, "debian-faq", f.getFileName() + "#" + id, question, answer);
      }
    }
    return out;
  }

  /** gitfaq(7): {@code dt} terms that ask, their {@code dd} the answer. */
  static List<Pair> gitFaq(Path file) throws IOException {
    List<Pair> out = new ArrayList<>();
    Document doc = parse(file);
    int k = 0;
    for (Element dt : doc.select("dt.hdlist1")) {
      String question = HtmlText.inline(dt).strip();
      Element dd = dt.nextElementSibling();
      k++;
      if (!ASKS.test(question) || dd == null || !dd.normalName().equals("dd")) continue;
      Element list = dt.parent() != null ? dt.parent().parent() : null;
      String id = list != null && !list.id().isEmpty() ? list.id() + "-" + k : "dt-" + k;
      add(out, "gitfaq", id, question, HtmlText.convert(List.of(dd), e -> false).strip());
    }
    return out;
  }

  /** SQLite FAQ: {@code <a name="qN">}, then the bold question, then its {@code blockquote} answer. */
  static List<Pair> sqliteFaq(Path file) throws IOException {
    List<Pair> out = new ArrayList<>();
    Document doc = parse(file);
    for (Element a : doc.select("a[name~=^q[0-9]+$]")) {
      Element p = a.nextElementSibling();
      Element answer = p == null ? null : p.nextElementSibling();
      if (p == null || answer == null || !answer.normalName().equals("blockquote")) continue;
      String question = HtmlText.inline(p).replaceFirst("^\\([0-9]+\\)\\s*", "").strip();
      // every SQLite FAQ entry is a question even when phrased as a statement ("... of type integer!")
      add(out, "sqlite-faq", a.attr("name"), question, HtmlText.convert(List.of(answer), e -> false).strip());
    }
    return out;
  }

  static boolean asks(Element heading) {
    return heading != null && ASKS.test(HtmlText.inline(heading).replace("¶", "").strip());
  }

  static void add(List<Pair> out, String source, String key, String question, String answer) {
    if (question.isEmpty() || answer.isEmpty()) return;
    out.add(new Pair(source + ":" + key, source, question, answer, Math.max(1, Tokens.count(answer))));
  }

  static Document parse(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return Jsoup.parse(in, "UTF-8", file.toUri().toString());
    }
  }

  static String packageVersion(String pkg) {
    try {
      Process p = new ProcessBuilder("dpkg-query", "-W", "-f=${Version}", pkg).redirectErrorStream(true).start();
      String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      return p.waitFor() == 0 && !v.isEmpty() ? v : "unknown";
    } catch (IOException | InterruptedException e) {
      return "unknown";
    }
  }

  static void writePairs(List<Pair> pairs, Path file) throws IOException {
    ObjectMapper line = new ObjectMapper();
    StringBuilder sb = new StringBuilder();
    for (Pair p : pairs) {
      ObjectNode n = line.createObjectNode();
      n.put("id", p.id());
      n.put("question", p.question());
      n.put("answer_tokens", p.answerTokens());
      n.put("answer", p.answer());
      sb.append(line.writeValueAsString(n)).append('\n');
    }
    if (file.toAbsolutePath().getParent() != null) Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
  }
}
