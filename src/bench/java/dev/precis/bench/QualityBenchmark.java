package dev.precis.bench;

import dev.precis.quality.AnswerMatcher;
import dev.precis.quality.EvalExample;
import dev.precis.quality.EvalSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The quality benchmark: answer kept, gold-sentence kept, over-budget count, output size and latency of every method
 * on the eval sets, as a markdown table on stdout and optionally in a file.
 *
 * <p>Run it with Maven (the {@code quality} execution of exec-maven-plugin, test classpath):
 *
 * <pre>
 * ./mvnw -q -B test-compile exec:java@quality -Dquality.args="--eval ../shared/eval --sets nq20,hotpotqa,qasper --out docs/quality.md"
 * </pre>
 *
 * Options (in {@code -Dquality.args}, each as {@code --name value} or {@code --name=value}):
 *
 * <ul>
 *   <li>{@code --eval DIR}: the directory holding {@code dev-<set>.jsonl.gz} (default {@code ../shared/eval})
 *   <li>{@code --sets a,b}: the sets (default {@code nq20,hotpotqa,qasper})
 *   <li>{@code --out FILE}: also write the report there (markdown); without it, stdout only
 *   <li>{@code --limit N}: only the first N examples of each set
 *   <li>{@code --methods a,b}: a subset of {@code truncate, bm25-docs, bm25-sents, precis, precis-best,
 *       precis-cv, precis-instant, precis-bm25-only, precis-encoder-only, precis-no-summaries, precis-context,
 *       precis-no-query} (default all; precis-cv only with {@code --fold-weights})
 *   <li>{@code --budgets 2x,4x,500}: the settings for every set, a ratio R as {@code Rx} or an absolute token count;
 *       by default ratios 2x, 4x, 10x for multi-document sets and 500 and 1000 tokens for sets whose examples have
 *       one document (qasper)
 *   <li>{@code --warmup N}: unmeasured warm-up calls per method and set before measuring (default 20)
 *   <li>{@code --by-position}: also report answer kept by where the answer sits in the full context, in tenths of
 *       its length ({@link AnswerPosition}), and how many examples fall in each tenth (off by default)
 *   <li>{@code --fold-weights DIR}: the fitted fusion of each fold ({@code exec:java@fusion-fit --fold-out DIR}), so
 *       that {@code precis-cv} reports answer kept cross-validated beside {@code precis} (in-sample)
 * </ul>
 *
 * <p>Protocol (the eval README): the full context is {@code title + "\n" + text} per document (the text alone when
 * the title is empty), joined by {@code "\n\n"}; a ratio budget is {@code floor(tokens(full context) / R)} in
 * cl100k_base tokens. Every method runs on every example; answer kept and gold-sentence kept count only the examples
 * whose full context contains an answer ({@link AnswerMatcher}). Gold-sentence kept: for every gold document of such
 * an example (for unlabelled sets, the context), the first sentence of its text that holds an answer must appear in
 * the output verbatim (whitespace runs compared collapsed); documents where no single sentence holds an answer are
 * not counted. Latency is {@link System#nanoTime()} around each call, one call at a time, after the warm-up.
 */
public final class QualityBenchmark {

  static final String DEFAULT_EVAL = "../shared/eval";
  static final List<String> DEFAULT_SETS = List.of("nq20", "hotpotqa", "qasper");
  static final List<String> ENGINE_METHOD_NAMES = EngineMethods.NAMES;
  private static final String UNRESOLVED_PROPERTY = "${quality.args}";
  static final String CANONICAL_COMMAND = "./mvnw -q -B test-compile exec:java@fusion-fit -Dfusion-fit.args=\""
      + "--eval ../shared/eval --sets nq20:4x,nq20:10x,hotpotqa:4x,hotpotqa:10x,qasper:500,qasper:1000 "
      + "--objective listwise --lambda 1 --scales 1 --sections hand --without answerType --answer-kept false "
      + "--fold-out target/fusion-folds\"\n"
      + "./mvnw -q -B exec:java@quality -Dquality.args=\"--eval ../shared/eval --sets nq20,hotpotqa,qasper "
      + "--share-vectors true --by-position --fold-weights target/fusion-folds --out docs/quality.md\"";

  private QualityBenchmark() {}

  public static void main(String[] rawArgs) throws Exception {
    List<String> args = new ArrayList<>();
    for (String a : rawArgs) {
      if (!a.equals(UNRESOLVED_PROPERTY)) args.add(a);
    }
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("quality benchmark: " + e.getMessage());
      System.err.println(Options.USAGE);
      throw e;
    }
    String report = run(options);
    System.out.println(report);
    if (options.out != null) {
      Path parent = options.out.toAbsolutePath().getParent();
      if (parent != null) Files.createDirectories(parent);
      Files.writeString(options.out, report, StandardCharsets.UTF_8);
      System.err.println("wrote " + options.out);
    }
  }

  /** Runs the benchmark and returns the markdown report. */
  /** How many missed outputs to print to stderr per method and setting ({@code --show-misses}); 0 prints none. */
  private static int showMisses;

  static String run(Options options) {
    showMisses = options.showMisses;
    ZonedDateTime started = ZonedDateTime.now().truncatedTo(ChronoUnit.SECONDS);
    List<EvalSet> sets = new ArrayList<>();
    for (String name : options.sets) {
      Path file = EvalSet.devFile(options.eval, name);
      if (!Files.isRegularFile(file)) throw new IllegalArgumentException("illegal --sets: no file " + file);
      EvalSet set = EvalSet.readDev(options.eval, name);
      sets.add(options.limit == null ? set : set.limit(options.limit));
    }

    Map<String, MethodFactory> methods = new LinkedHashMap<>();
    List<String> notes = new ArrayList<>();
    Set<String> wanted = options.methods == null ? null : new LinkedHashSet<>(options.methods);
    if (wanted != null) {
      for (String w : wanted) {
        if (!Baselines.all().containsKey(w) && !ENGINE_METHOD_NAMES.contains(w)) {
          throw new IllegalArgumentException("illegal --methods: unknown method " + w);
        }
      }
    }
    for (Map.Entry<String, Method> b : Baselines.all().entrySet()) {
      if (wanted == null || wanted.contains(b.getKey())) methods.put(b.getKey(), MethodFactory.stateless(b.getValue()));
    }
    Set<String> wantedEngine = new LinkedHashSet<>(ENGINE_METHOD_NAMES);
    if (wanted != null) wantedEngine.retainAll(wanted);
    if (wanted == null && options.foldWeights == null) {
      wantedEngine.remove(EngineMethods.PRECIS_CV);
      notes.add("Not run: " + EngineMethods.PRECIS_CV + " (cross-validated), which needs --fold-weights DIR from "
          + "exec:java@fusion-fit --fold-out DIR.");
    }
    for (Map.Entry<String, MethodFactory> e
        : EngineMethods.factories(wantedEngine, options.shareVectors, options.foldWeights).entrySet()) {
      try {
        e.getValue().open().close();
        methods.put(e.getKey(), e.getValue());
      } catch (RuntimeException failure) {
        if (wanted != null) throw new IllegalStateException("cannot start method " + e.getKey(), failure);
        System.err.println("method " + e.getKey() + " not run:");
        failure.printStackTrace();
        notes.add("Not run: " + e.getKey() + ", its engine could not be created (" + failure + ").");
      }
    }
    List<String> left = new ArrayList<>(Baselines.all().keySet());
    left.addAll(ENGINE_METHOD_NAMES);
    left.removeIf(m -> wanted == null || wanted.contains(m));
    if (!left.isEmpty()) notes.add("Not run (left out by --methods): " + String.join(", ", left) + ".");

    List<Row> rows = new ArrayList<>();
    for (EvalSet set : sets) rows.addAll(runSet(set, options, methods));
    return Report.markdown(options, started, sets, new ArrayList<>(methods.keySet()), rows, notes);
  }

  /**
   * One example with what every method's result is checked against; {@code answerTenth} is the tenth of the full
   * context that holds the answer ({@link AnswerPosition}), -1 when it holds none.
   */
  record Prepared(EvalExample example, int fullTokens, boolean eligible, AnswerMatcher matcher,
                  List<String> goldSentences, int answerTenth) {

    static Prepared of(EvalExample example) {
      String full = example.fullContext();
      AnswerMatcher matcher = AnswerMatcher.of(example.answers());
      OptionalDouble answerPosition = AnswerPosition.of(example, matcher, AnswerMatcher.normalize(full));
      boolean eligible = answerPosition.isPresent();
      List<String> gold = new ArrayList<>();
      if (eligible) {
        if (example.hasGoldLabels()) {
          for (EvalExample.Document d : example.documents()) {
            if (!d.isGold()) continue;
            String s = matcher.firstSentenceWithAnswer(d.text());
            if (s != null) gold.add(s);
          }
        } else {
          for (EvalExample.Document d : example.documents()) {
            String s = matcher.firstSentenceWithAnswer(d.text());
            if (s != null) {
              gold.add(s);
              break;
            }
          }
        }
      }
      int answerTenth = eligible ? AnswerPosition.tenth(answerPosition.getAsDouble()) : -1;
      return new Prepared(example, Tokens.count(full), eligible, matcher, List.copyOf(gold), answerTenth);
    }
  }

  /** A budget setting: a ratio R (budget {@code floor(tokens / R)}) or an absolute token count. */
  record Setting(Double ratio, Integer tokens) {

    static Setting parse(String s) {
      String t = s.strip().toLowerCase(Locale.ROOT);
      try {
        if (t.endsWith("x")) {
          double r = Double.parseDouble(t.substring(0, t.length() - 1));
          if (!(r >= 1) || Double.isInfinite(r)) throw new NumberFormatException();
          return new Setting(r, null);
        }
        int n = Integer.parseInt(t);
        if (n <= 0) throw new NumberFormatException();
        return new Setting(null, n);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("illegal --budgets entry: " + s + ", must be Rx (R >= 1) or tokens > 0");
      }
    }

    int budget(int fullTokens) {
      if (tokens != null) return tokens;
      return (int) Math.max(1, Math.floor(fullTokens / ratio));
    }

    String label() {
      if (tokens != null) return tokens + " tokens";
      return (ratio == Math.rint(ratio) ? Long.toString(ratio.longValue()) : ratio.toString()) + "x";
    }

    static List<Setting> defaultsFor(EvalSet set) {
      boolean singleDocument = set.examples().stream().allMatch(e -> e.documents().size() <= 1);
      return singleDocument
          ? List.of(new Setting(null, 500), new Setting(null, 1000))
          : List.of(new Setting(2.0, null), new Setting(4.0, null), new Setting(10.0, null));
    }
  }

  /**
   * The measurements of one method on one set at one setting; {@code applicable} false renders as "-".
   * {@code eligibleByTenth} and {@code answerKeptByTenth} split {@code eligible} and {@code answerKept} by the tenth
   * of the full context that holds the answer ({@link AnswerPosition}); empty when not applicable.
   */
  record Row(String set, String setting, String method, boolean applicable, int examples, int eligible,
             int answerKept, int goldSentences, int goldSentencesKept, int overBudget, double meanOutputOverBudget,
             double p50Ms, double p95Ms, int errors, int structureChecked, int structureKept,
             List<Integer> eligibleByTenth, List<Integer> answerKeptByTenth) {}

  private static List<Row> runSet(EvalSet set, Options options, Map<String, MethodFactory> methods) {
    long t0 = System.nanoTime();
    List<Prepared> prepared = set.examples().stream().map(Prepared::of).toList();
    List<Setting> settings = options.budgets != null ? options.budgets : Setting.defaultsFor(set);
    boolean singleDocument = set.examples().stream().allMatch(e -> e.documents().size() <= 1);
    System.err.printf(Locale.ROOT, "%s: %d examples, %d with an answer in the full context (prepared in %.1f s)%n",
        set.name(), prepared.size(), prepared.stream().filter(Prepared::eligible).count(), secondsSince(t0));
    if (options.byPosition) {
      int[] perTenth = new int[AnswerPosition.TENTHS];
      for (Prepared p : prepared) {
        if (p.eligible()) perTenth[p.answerTenth()]++;
      }
      System.err.println("  examples per tenth of the answer position: " + Arrays.toString(perTenth));
    }
    List<Row> rows = new ArrayList<>();
    for (Map.Entry<String, MethodFactory> m : methods.entrySet()) {
      String name = m.getKey();
      if (singleDocument && name.equals(Baselines.BM25_DOCS)) {
        for (Setting s : settings) {
          rows.add(new Row(set.name(), s.label(), name, false, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, List.of(),
              List.of()));
        }
        continue;
      }
      long methodStart = System.nanoTime();
      try (MethodFactory.Instance warm = m.getValue().open()) {
        warmUp(warm, prepared, settings.get(0), options.warmup);
      }
      for (Setting s : settings) {
        try (MethodFactory.Instance instance = m.getValue().open()) {
          rows.add(measure(set.name(), s, name, instance, prepared));
        }
      }
      System.err.printf(Locale.ROOT, "  %-22s %6.1f s%n", name, secondsSince(methodStart));
    }
    return rows;
  }

  private static void warmUp(Method method, List<Prepared> prepared, Setting setting, int count) {
    for (int i = 0; i < Math.min(count, prepared.size()); i++) {
      Prepared p = prepared.get(i);
      try {
        method.compress(p.example(), setting.budget(p.fullTokens()));
      } catch (RuntimeException e) {
        // Failures are counted in the measured pass.
      }
    }
  }

  private static Row measure(String set, Setting setting, String name, Method method, List<Prepared> prepared) {
    int n = prepared.size();
    double[] latencies = new double[n];
    int eligible = 0, kept = 0, gold = 0, goldKept = 0, over = 0, errors = 0, checked = 0, structureKept = 0;
    int shown = 0;
    int[] eligibleByTenth = new int[AnswerPosition.TENTHS];
    int[] keptByTenth = new int[AnswerPosition.TENTHS];
    double ratioSum = 0;
    for (int i = 0; i < n; i++) {
      Prepared p = prepared.get(i);
      int budget = setting.budget(p.fullTokens());
      String output;
      RuntimeException failure = null;
      long start = System.nanoTime();
      try {
        output = method.compress(p.example(), budget);
        if (output == null) throw new IllegalStateException("method returned null");
      } catch (RuntimeException e) {
        output = "";
        failure = e;
      }
      latencies[i] = (System.nanoTime() - start) / 1e6;
      if (failure != null) {
        errors++;
        if (errors == 1) {
          System.err.printf("  %s failed on %s at %s (further failures are only counted):%n",
              name, p.example().id(), setting.label());
          failure.printStackTrace();
        }
      }
      Boolean structure = StructureCheck.check(p.example(), output);
      if (structure != null) {
        checked++;
        if (structure) structureKept++;
      }
      int tokens = Tokens.count(output);
      if (tokens > budget) over++;
      ratioSum += (double) tokens / budget;
      if (p.eligible()) {
        eligible++;
        eligibleByTenth[p.answerTenth()]++;
        if (p.matcher().matches(output)) {
          kept++;
          keptByTenth[p.answerTenth()]++;
        } else if (shown < showMisses) {
          shown++;
          System.err.printf("----- miss: %s at %s, %s | %s | answers %s%n%s%n----- end of miss%n", name,
              setting.label(), p.example().id(), p.example().question(), p.example().answers(), output);
        }
        for (String sentence : p.goldSentences()) {
          gold++;
          if (AnswerMatcher.containsVerbatim(output, sentence)) goldKept++;
        }
      }
    }
    Arrays.sort(latencies);
    return new Row(set, setting.label(), name, true, n, eligible, kept, gold, goldKept, over,
        n == 0 ? 0 : ratioSum / n, percentile(latencies, 0.50), percentile(latencies, 0.95), errors, checked,
        structureKept, Arrays.stream(eligibleByTenth).boxed().toList(), Arrays.stream(keptByTenth).boxed().toList());
  }

  /** Nearest-rank percentile of sorted values. */
  static double percentile(double[] sorted, double p) {
    if (sorted.length == 0) return 0;
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
  }

  private static double secondsSince(long nanoStart) {
    return (System.nanoTime() - nanoStart) / 1e9;
  }

  /** Parsed command-line options. */
  static final class Options {
    static final String USAGE = "usage: --eval DIR --sets a,b --out FILE --limit N --methods a,b "
        + "--budgets 2x,4x,500 --warmup N --show-misses N --by-position --fold-weights DIR (all optional; defaults --eval " + DEFAULT_EVAL
        + " --sets " + String.join(",", DEFAULT_SETS) + " --warmup 20)";

    /** Options that may stand alone: {@code --by-position} means {@code --by-position=true}. */
    static final Set<String> FLAGS = Set.of("by-position");

    Path eval = Path.of(DEFAULT_EVAL);
    List<String> sets = DEFAULT_SETS;
    Path out;
    Integer limit;
    List<String> methods;
    List<Setting> budgets;
    int warmup = 20;
    int showMisses = 0;
    boolean shareVectors;
    Path foldWeights;
    boolean byPosition;
    List<String> args = List.of();
    final String loadAtStart = Report.loadAverage();

    static Options parse(List<String> args) {
      Options o = new Options();
      o.args = List.copyOf(args);
      for (int i = 0; i < args.size(); i++) {
        String a = args.get(i);
        if (!a.startsWith("--")) throw new IllegalArgumentException("illegal argument: " + a);
        String key;
        String value;
        int eq = a.indexOf('=');
        if (eq > 0) {
          key = a.substring(2, eq);
          value = a.substring(eq + 1);
        } else if (FLAGS.contains(a.substring(2))) {
          key = a.substring(2);
          value = "true";
        } else {
          key = a.substring(2);
          if (i + 1 >= args.size()) throw new IllegalArgumentException("illegal --" + key + ": missing value");
          value = args.get(++i);
        }
        switch (key) {
          case "eval" -> o.eval = Path.of(value);
          case "sets" -> o.sets = list(key, value);
          case "out" -> o.out = Path.of(value);
          case "limit" -> o.limit = positive(key, value);
          case "methods" -> o.methods = list(key, value);
          case "budgets" -> o.budgets = list(key, value).stream().map(Setting::parse).toList();
          case "warmup" -> o.warmup = nonNegative(key, value);
          case "show-misses" -> o.showMisses = nonNegative(key, value);
          case "share-vectors" -> o.shareVectors = Boolean.parseBoolean(value);
          case "fold-weights" -> o.foldWeights = Path.of(value);
          case "by-position" -> o.byPosition = bool(key, value);
          default -> throw new IllegalArgumentException("illegal option: --" + key);
        }
      }
      return o;
    }

    private static List<String> list(String key, String value) {
      List<String> l = Stream.of(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
      if (l.isEmpty()) throw new IllegalArgumentException("illegal --" + key + ": empty list");
      return l;
    }

    private static boolean bool(String key, String value) {
      return switch (value.strip().toLowerCase(Locale.ROOT)) {
        case "true" -> true;
        case "false" -> false;
        default -> throw new IllegalArgumentException("illegal --" + key + ": " + value + ", must be true or false");
      };
    }

    private static int positive(String key, String value) {
      int n = nonNegative(key, value);
      if (n == 0) throw new IllegalArgumentException("illegal --" + key + ": 0, must be > 0");
      return n;
    }

    private static int nonNegative(String key, String value) {
      try {
        int n = Integer.parseInt(value.strip());
        if (n < 0) throw new NumberFormatException();
        return n;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("illegal --" + key + ": " + value + ", must be a whole number >= 0");
      }
    }

    /** The Maven command that reproduces this run. */
    String command() {
      StringBuilder sb = new StringBuilder("./mvnw -q -B test-compile exec:java@quality");
      if (!args.isEmpty()) sb.append(" -Dquality.args=\"").append(String.join(" ", args)).append('"');
      return sb.toString();
    }
  }

  /** The markdown report. */
  static final class Report {
    private Report() {}

    static String markdown(Options options, ZonedDateTime started, List<EvalSet> sets, List<String> methods,
                           List<Row> rows, List<String> notes) {
      StringBuilder md = new StringBuilder();
      md.append("# Quality benchmark\n\n");
      md.append("Generated by `dev.precis.bench.QualityBenchmark` (`src/bench/java`); do not edit by hand. ")
          .append("Regenerate with all methods:\n\n");
      md.append("```\n").append(CANONICAL_COMMAND).append("\n```\n\n");
      md.append("Options inside `-Dquality.args` (each `--name value` or `--name=value`, all optional): ")
          .append("`--eval DIR` (default `").append(DEFAULT_EVAL).append("`), `--sets a,b` (default `")
          .append(String.join(",", DEFAULT_SETS)).append("`), `--out FILE` (also write this report), ")
          .append("`--limit N` (first N examples per set), `--methods a,b` (subset of ")
          .append(String.join(", ", Baselines.all().keySet())).append(", ").append(String.join(", ", ENGINE_METHOD_NAMES))
          .append("), `--budgets 2x,4x,500` (ratios Rx or absolute tokens; default 2x, 4x, 10x, or 500 and 1000 ")
          .append("tokens for single-document sets), `--warmup N` (default 20), `--by-position` (adds answer kept by ")
          .append("the answer's position in the full context), `--fold-weights DIR` (each fold's fitted fusion from ")
          .append("`exec:java@fusion-fit --fold-out DIR`: `precis-cv` ranks every example with the model fitted ")
          .append("without its fold, so it is answer kept cross-validated beside `precis`'s in-sample figure).\n\n");

      md.append("## Run\n\n");
      md.append("- date: ").append(started.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)).append('\n');
      md.append("- command of this run: `").append(options.command()).append("`\n");
      md.append("- machine: ").append(Runtime.getRuntime().availableProcessors()).append(" CPUs (nproc), ")
          .append(cpuModel()).append(", ").append(System.getProperty("os.name")).append(' ')
          .append(System.getProperty("os.arch")).append("; load average (1, 5, 15 min) at the start ")
          .append(options.loadAtStart).append(", at the end ").append(loadAverage()).append('\n');
      md.append("- Java: ").append(System.getProperty("java.vm.vendor")).append(' ')
          .append(System.getProperty("java.runtime.version")).append(" (").append(System.getProperty("java.vm.name"))
          .append("), max heap ").append(Runtime.getRuntime().maxMemory() / (1024 * 1024)).append(" MiB\n");
      md.append("- data: `").append(options.eval).append("`:");
      for (EvalSet s : sets) {
        long eligible = s.examples().stream().filter(e -> AnswerMatcher.of(e.answers()).matches(e.fullContext())).count();
        md.append(' ').append(s.name()).append(' ').append(s.examples().size()).append(" examples (")
            .append(eligible).append(" with an answer in the full context);");
      }
      md.setLength(md.length() - 1);
      md.append('\n');
      if (options.limit != null) md.append("- limit: first ").append(options.limit).append(" examples per set\n");
      if (options.shareVectors) {
        md.append("- `--share-vectors true`: all engine methods share one encoder and vector cache for the whole run, ")
            .append("so engine latencies after a set's first setting are those of cached documents (see ")
            .append("docs/benchmarks.md for cold latency)\n");
      }
      md.append("- methods run one call at a time on one thread, after ").append(options.warmup)
          .append(" unmeasured warm-up calls per method and set (first examples, first setting) on an instance of ")
          .append("their own; every setting is then measured on a fresh instance")
          .append(options.shareVectors ? " (engine methods: a new `PrecisEngine` over the shared encoder)\n"
              : " (engine methods: a new `PrecisEngine`, so no unit vectors are cached from the warm-up or an "
                  + "earlier setting)\n");
      for (String note : notes) md.append("- ").append(note).append('\n');

      md.append("\n## Answer kept\n\n");
      md.append("Share of the examples with an answer in the full context whose output still holds one as whole ")
          .append("words (NFKC, lowercase, whitespace collapsed).\n\n");
      md.append("| set | budget |");
      for (String m : methods) md.append(' ').append(m).append(" |");
      md.append("\n|---|---|");
      md.append("---|".repeat(methods.size())).append('\n');
      Map<String, Map<String, Row>> bySetting = new LinkedHashMap<>();
      for (Row r : rows) {
        bySetting.computeIfAbsent(r.set() + "\u0000" + r.setting(), k -> new LinkedHashMap<>()).put(r.method(), r);
      }
      for (Map<String, Row> line : bySetting.values()) {
        Row first = line.values().iterator().next();
        md.append("| ").append(first.set()).append(" | ").append(first.setting()).append(" |");
        for (String m : methods) {
          Row r = line.get(m);
          md.append(' ').append(r == null || !r.applicable() ? "-" : pct(r.answerKept(), r.eligible())).append(" |");
        }
        md.append('\n');
      }

      if (options.byPosition) byPosition(md, sets, rows);

      md.append("\n## All measures\n\n");
      md.append("| set | budget | method | answer kept | gold-sentence kept | over budget | output / budget ")
          .append("| p50 ms | p95 ms | errors | structure kept |\n");
      md.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
      for (Row r : rows) {
        md.append("| ").append(r.set()).append(" | ").append(r.setting()).append(" | ").append(r.method()).append(" | ");
        if (!r.applicable()) {
          md.append("- | - | - | - | - | - | - | - |\n");
          continue;
        }
        md.append(pct(r.answerKept(), r.eligible())).append(" (").append(r.answerKept()).append('/')
            .append(r.eligible()).append(") | ")
            .append(pct(r.goldSentencesKept(), r.goldSentences())).append(" (").append(r.goldSentencesKept())
            .append('/').append(r.goldSentences()).append(") | ")
            .append(r.overBudget()).append(" | ")
            .append(String.format(Locale.ROOT, "%.3f", r.meanOutputOverBudget())).append(" | ")
            .append(ms(r.p50Ms())).append(" | ").append(ms(r.p95Ms())).append(" | ")
            .append(r.errors()).append(" | ")
            .append(r.structureChecked() == 0 ? "-" : pct(r.structureKept(), r.structureChecked())).append(" |\n");
      }

      md.append("\n## Protocol\n\n");
      md.append("- Structure kept (structured sets only): for `json-*` sets, the share of all outputs that a strict ")
          .append("JSON parser (Jackson, one value, nothing after it) accepts; for `csv-*`, `tsv-*` and `md-table-*` ")
          .append("sets, the share whose output holds the table's header row as a whole line; `-` elsewhere.\n");
      md.append("- Full context: `title + \"\\n\" + text` per document (the text alone when the title is empty), ")
          .append("joined by `\"\\n\\n\"`. Ratio budgets: `floor(tokens(full context) / R)`; all counts cl100k_base ")
          .append("(jtokkit, text encoded as ordinary text).\n");
      md.append("- Every method runs on every example; over budget, output / budget (mean of output tokens / budget) ")
          .append("and latency cover them all, answer kept and gold-sentence kept only the examples with an answer ")
          .append("in the full context.\n");
      md.append("- Gold-sentence kept: per gold document (`gold == true`) of those examples, the first sentence of ")
          .append("its text holding an answer (split after `.`, `!` or `?` followed by whitespace) must appear in ")
          .append("the output verbatim (whitespace runs compared collapsed); for sets without gold labels, the first ")
          .append("such sentence of the context. Documents where no single sentence holds an answer are not counted.\n");
      if (options.byPosition) {
        md.append("- Answer kept by answer position: answer kept split by the tenth of the full context that holds ")
            .append("the answer, the example's `answer_position` (0..1) when it records one, else the offset of the ")
            .append("first whole-word answer in the normalised full context divided by that text's length. A position ")
            .append("of exactly 1 counts in 90-100%.\n");
      }
      md.append("- Latency: `System.nanoTime()` around each call; p50 and p95 by nearest rank. Errors: calls that ")
          .append("threw (their output counts as empty).\n");
      md.append("- Baselines: `truncate` keeps the head of the full context (encode, first budget tokens, decode). ")
          .append("`bm25-docs` and `bm25-sents` rank documents (title and text) or sentences (scored with their ")
          .append("document's title) with BM25 (Lucene's formula and defaults k1 = ").append(Bm25.DEFAULT_K1)
          .append(", b = ").append(Bm25.DEFAULT_B).append("; lowercase letter-and-digit word tokens, the Snowball ")
          .append("English stop words dropped; each distinct question term once; the units of one example as the ")
          .append("collection), keep them greedily in rank ")
          .append("order while the rendered output still fits (a unit that does not fit is skipped), and render ")
          .append("kept units in original order: `title + \"\\n\" + kept sentences joined by \" \"` per document, ")
          .append("documents joined by `\"\\n\\n\"`. `bm25-docs` is not run on single-document sets (\"-\").\n");
      return md.toString();
    }

    /**
     * The "answer kept by answer position" section: per set, how many examples have their answer in each tenth of
     * the full context, then answer kept per budget, method and tenth.
     */
    private static void byPosition(StringBuilder md, List<EvalSet> sets, List<Row> rows) {
      md.append("\n## Answer kept by answer position\n\n");
      md.append("Answer kept (as above) of the examples whose answer sits in each tenth of the full context ")
          .append("(0-10% is its head): the example's `answer_position` when it records one, else where the first ")
          .append("answer occurs. The examples per tenth are in each table's header (n).\n\n");
      md.append("| set | with an answer | from `answer_position` |");
      for (int t = 0; t < AnswerPosition.TENTHS; t++) md.append(' ').append(AnswerPosition.label(t)).append(" |");
      md.append("\n|---|---|---|").append("---|".repeat(AnswerPosition.TENTHS)).append('\n');
      Map<String, int[]> examplesPerTenth = new LinkedHashMap<>();
      for (EvalSet set : sets) {
        int[] perTenth = AnswerPosition.examplesPerTenth(set.examples());
        examplesPerTenth.put(set.name(), perTenth);
        long recorded = set.examples().stream()
            .filter(e -> e.answerPosition() != null && AnswerPosition.of(e).isPresent()).count();
        md.append("| ").append(set.name()).append(" | ").append(Arrays.stream(perTenth).sum()).append(" | ")
            .append(recorded).append(" |");
        for (int count : perTenth) md.append(' ').append(count).append(" |");
        md.append('\n');
      }
      for (EvalSet set : sets) {
        int[] perTenth = examplesPerTenth.get(set.name());
        md.append("\n### ").append(set.name()).append("\n\n| budget | method |");
        for (int t = 0; t < AnswerPosition.TENTHS; t++) {
          md.append(' ').append(AnswerPosition.label(t)).append(" (n=").append(perTenth[t]).append(") |");
        }
        md.append("\n|---|---|").append("---|".repeat(AnswerPosition.TENTHS)).append('\n');
        Map<String, List<Row>> byBudget = new LinkedHashMap<>();
        for (Row r : rows) {
          if (r.set().equals(set.name())) byBudget.computeIfAbsent(r.setting(), k -> new ArrayList<>()).add(r);
        }
        for (List<Row> budgetRows : byBudget.values()) {
          for (Row r : budgetRows) {
            md.append("| ").append(r.setting()).append(" | ").append(r.method()).append(" |");
            for (int t = 0; t < AnswerPosition.TENTHS; t++) {
              md.append(' ')
                  .append(r.applicable() ? pct(r.answerKeptByTenth().get(t), r.eligibleByTenth().get(t)) : "-")
                  .append(" |");
            }
            md.append('\n');
          }
        }
      }
    }

    private static String pct(int n, int of) {
      return of == 0 ? "n/a" : String.format(Locale.ROOT, "%.1f%%", 100.0 * n / of);
    }

    private static String ms(double v) {
      return String.format(Locale.ROOT, v < 10 ? "%.2f" : "%.1f", v);
    }

    /** The 1, 5 and 15 minute load averages from /proc/loadavg, or "unknown". */
    static String loadAverage() {
      try {
        String[] f = Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+");
        return f.length >= 3 ? f[0] + " " + f[1] + " " + f[2] : "unknown";
      } catch (IOException | UncheckedIOException e) {
        return "unknown";
      }
    }

    static String cpuModel() {
      try {
        for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
          if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).strip();
        }
      } catch (IOException | UncheckedIOException e) {
        return "CPU model unknown (" + e.getMessage() + ")";
      }
      return "CPU model unknown";
    }
  }
}
