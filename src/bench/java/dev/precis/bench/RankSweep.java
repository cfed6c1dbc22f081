package dev.precis.bench;

import dev.precis.encode.SentenceEncoder;
import dev.precis.engine.Budget;
import dev.precis.engine.Compression;
import dev.precis.engine.CompressionRequest;
import dev.precis.engine.Effort;
import dev.precis.engine.EngineSettings;
import dev.precis.engine.PrecisEngine;
import dev.precis.engine.SourceDocument;
import dev.precis.quality.AnswerMatcher;
import dev.precis.quality.EvalExample;
import dev.precis.quality.EvalSet;
import dev.precis.plan.PlanSettings;
import dev.precis.rank.RankSettings;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Judges one ranking weight by five-fold cross-validation: answer kept at each candidate value, then, per fold, the
 * value that keeps the most answers on the other four folds, measured on the fold itself. Folds are fixed by a hash of
 * the example id ({@code floorMod(id.hashCode(), 5)}). A value that gains in-sample but not cross-validated is not
 * worth keeping.
 *
 * <pre>
 * ./mvnw -q -B test-compile exec:java@rank-sweep -Drank-sweep.args="--eval /tmp/structured-eval \
 *   --sets json-api:300,log-failure:300 --limit 40 --effort fast --param structureWeight=0.3,0.6,1.0,2.0"
 * </pre>
 *
 * <ul>
 *   <li>{@code --eval DIR}: the directory of {@code dev-<set>.jsonl.gz} files (default {@code ../shared/eval})
 *   <li>{@code --sets a:B,b:B}: the sets, each with its budget: tokens ({@code 300}) or a ratio ({@code 4x})
 *   <li>{@code --limit N}: the first N examples of each set (default all)
 *   <li>{@code --effort E}: {@code instant}, {@code fast} (default) or {@code best}
 *   <li>{@code --param name=v1,v2,...}: a component of {@link RankSettings} and the values to try (ties go to the
 *       value listed first, so list the current default first); several components separated by {@code ;} are tried
 *       as a grid ({@code --param "a=1,2;b=0,0.5"}), each combination a candidate; a component of {@link
 *       PlanSettings} is named with the prefix {@code plan.} ({@code plan.queryMapShare=0,0.2})
 *   <li>{@code --share-vectors true}: every candidate ranks with one encoder and its vector cache (faster; a vector is
 *       then that of the batch that first embedded its text, the same for every candidate)
 *   <li>{@code --no-query true}: every request without its question (the query-less summary): answer kept then says
 *       how much of what is asked about a document its summary holds
 * </ul>
 *
 * Only examples whose full context holds an answer count, as in {@link QualityBenchmark}.
 */
public final class RankSweep {
  private static final int FOLDS = 5;

  private RankSweep() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = options(args, "${rank-sweep.args}");
    Path eval = Path.of(options.getOrDefault("eval", "../shared/eval"));
    int limit = Integer.parseInt(options.getOrDefault("limit", String.valueOf(Integer.MAX_VALUE)));
    Effort effort = Effort.valueOf(options.getOrDefault("effort", "fast").toUpperCase(Locale.ROOT));
    String param = options.get("param");
    String sets = options.get("sets");
    if (param == null || !param.contains("=") || sets == null) {
      throw new IllegalArgumentException("--sets a:B,... and --param name=v1,v2,... are required");
    }
    List<Map<String, String>> grid = new ArrayList<>();
    grid.add(new LinkedHashMap<>());
    for (String axis : param.split(";")) {
      String component = axis.substring(0, axis.indexOf('=')).strip();
      List<Map<String, String>> next = new ArrayList<>();
      for (Map<String, String> partial : grid) {
        for (String value : axis.substring(axis.indexOf('=') + 1).split(",")) {
          Map<String, String> combination = new LinkedHashMap<>(partial);
          combination.put(component, value.strip());
          next.add(combination);
        }
      }
      grid = next;
    }
    String[] values = new String[grid.size()];
    for (int v = 0; v < values.length; v++) {
      StringBuilder label = new StringBuilder();
      grid.get(v).forEach((k, x) -> label.append(label.isEmpty() ? "" : " ").append(k).append('=').append(x));
      values[v] = label.toString();
    }
    boolean shareVectors = Boolean.parseBoolean(options.getOrDefault("share-vectors", "false"));
    boolean noQuery = Boolean.parseBoolean(options.getOrDefault("no-query", "false"));

    SetEntries entries = readSets(eval, sets, limit);
    List<EvalExample> examples = entries.examples();
    List<Budget> budgets = entries.budgets();

    EngineSettings defaults = EngineSettings.defaults();
    boolean[][] kept = new boolean[values.length][examples.size()];
    SentenceEncoder shared = shareVectors ? PrecisEngine.encoderFor(defaults) : null;
    for (int v = 0; v < values.length; v++) {
      RankSettings rank = defaults.rank();
      PlanSettings plan = defaults.plan();
      for (Map.Entry<String, String> e : grid.get(v).entrySet()) {
        if (e.getKey().startsWith(PLAN)) {
          plan = withComponent(plan, e.getKey().substring(PLAN.length()), e.getValue());
        } else {
          rank = withComponent(rank, e.getKey(), e.getValue());
        }
      }
      EngineSettings settings = defaults.withRank(rank).withPlan(plan);
      try (PrecisEngine engine = shared != null
          ? PrecisEngine.sharing(settings, shared)
          : PrecisEngine.create(settings)) {
        for (int i = 0; i < examples.size(); i++) {
          EvalExample e = examples.get(i);
          List<SourceDocument> documents = new ArrayList<>();
          for (EvalExample.Document d : e.documents()) {
            documents.add(new SourceDocument(d.id(), d.title().isBlank() ? null : d.title(), d.text()));
          }
          Compression c = engine.compress(new CompressionRequest(noQuery ? null : e.question(), documents,
              budgets.get(i), null, effort, null, null, null, false));
          kept[v][i] = AnswerMatcher.of(e.answers()).matches(c.text());
        }
      }
      Map<String, int[]> perSet = new LinkedHashMap<>();
      for (int i = 0; i < examples.size(); i++) {
        int[] count = perSet.computeIfAbsent(examples.get(i).dataset(), k -> new int[2]);
        count[1]++;
        if (kept[v][i]) count[0]++;
      }
      StringBuilder line = new StringBuilder(values[v] + ":");
      perSet.forEach((set, count) -> line.append(' ').append(set).append(' ').append(count[0]).append('/')
          .append(count[1]));
      System.out.println(line.append("; total ").append(count(kept[v])).append('/').append(examples.size()));
    }

    int crossValidated = 0;
    for (int fold = 0; fold < FOLDS; fold++) {
      int best = 0;
      int bestKept = -1;
      for (int v = 0; v < values.length; v++) {
        int k = 0;
        for (int i = 0; i < examples.size(); i++) if (fold(examples.get(i)) != fold && kept[v][i]) k++;
        if (k > bestKept) {
          bestKept = k;
          best = v;
        }
      }
      int held = 0;
      int size = 0;
      for (int i = 0; i < examples.size(); i++) {
        if (fold(examples.get(i)) != fold) continue;
        size++;
        if (kept[best][i]) held++;
      }
      System.out.println("fold " + fold + ": fitted " + values[best] + ", kept " + held + "/" + size
          + " held out");
      crossValidated += held;
    }
    int inSample = 0;
    for (boolean[] k : kept) inSample = Math.max(inSample, count(k));
    System.out.println("answer kept: best in-sample " + inSample + "/" + examples.size() + ", cross-validated "
        + crossValidated + "/" + examples.size());
    if (shared != null) shared.close();
  }

  /** {@code --name value} pairs of a command line; blank arguments and the unset Maven property are skipped. */
  static Map<String, String> options(String[] args, String unsetProperty) {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].isBlank() || args[i].equals(unsetProperty)) continue;
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("illegal argument: " + args[i] + ", expected --name value");
      }
      options.put(args[i].substring(2), args[++i]);
    }
    return options;
  }

  /** Examples with an answer in their full context, each with its budget and its {@code set budget} label. */
  record SetEntries(List<EvalExample> examples, List<Budget> budgets, List<String> labels) {}

  /** The examples of {@code set:budget,...} entries (budgets as {@code 4x} or tokens). */
  static SetEntries readSets(Path eval, String sets, int limit) {
    SetEntries out = new SetEntries(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    for (String entry : sets.split(",")) {
      String[] parts = entry.split(":");
      if (parts.length != 2) {
        throw new IllegalArgumentException("illegal --sets entry: " + entry + ", must be set:budget");
      }
      Budget budget = parts[1].endsWith("x")
          ? Budget.ofRatio(Double.parseDouble(parts[1].substring(0, parts[1].length() - 1)))
          : Budget.ofTokens(Integer.parseInt(parts[1]));
      for (EvalExample e : EvalSet.readDev(eval, parts[0]).limit(limit).examples()) {
        if (!AnswerMatcher.of(e.answers()).matches(e.fullContext())) continue;
        out.examples().add(e);
        out.budgets().add(budget);
        out.labels().add(parts[0] + " " + parts[1]);
      }
    }
    return out;
  }

  static int fold(EvalExample example) {
    return Math.floorMod(example.id().hashCode(), FOLDS);
  }

  private static int count(boolean[] kept) {
    int n = 0;
    for (boolean k : kept) if (k) n++;
    return n;
  }

  /** Prefix of a {@link PlanSettings} component in {@code --param}. */
  private static final String PLAN = "plan.";

  /** A record of settings with one component (double, int or boolean) replaced, by its name. */
  static <T extends Record> T withComponent(T settings, String component, String value)
      throws ReflectiveOperationException {
    @SuppressWarnings("unchecked")
    Class<T> type = (Class<T>) settings.getClass();
    RecordComponent[] components = type.getRecordComponents();
    Object[] arguments = new Object[components.length];
    Class<?>[] types = new Class<?>[components.length];
    boolean found = false;
    for (int i = 0; i < components.length; i++) {
      types[i] = components[i].getType();
      arguments[i] = components[i].getAccessor().invoke(settings);
      if (components[i].getName().equals(component)) {
        arguments[i] = types[i] == int.class ? (Object) Integer.parseInt(value)
            : types[i] == boolean.class ? (Object) Boolean.parseBoolean(value)
            : (Object) Double.parseDouble(value);
        found = true;
      }
    }
    if (!found) {
      List<String> names = new ArrayList<>();
      for (RecordComponent c : components) names.add(c.getName());
      throw new IllegalArgumentException("illegal --param: " + component + ", must be one of " + names);
    }
    return type.getDeclaredConstructor(types).newInstance(arguments);
  }
}
