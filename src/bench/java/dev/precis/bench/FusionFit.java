package dev.precis.bench;

import dev.precis.encode.SentenceEncoder;
import dev.precis.engine.Budget;
import dev.precis.engine.CompressionRequest;
import dev.precis.engine.Effort;
import dev.precis.engine.EngineSettings;
import dev.precis.engine.PrecisEngine;
import dev.precis.engine.SourceDocument;
import dev.precis.quality.AnswerMatcher;
import dev.precis.quality.EvalExample;
import dev.precis.quality.EvalSet;
import dev.precis.rank.FusionFeature;
import dev.precis.rank.FusionModel;
import dev.precis.rank.RankSettings;
import dev.precis.rank.Ranking;
import dev.precis.segment.SegmentedDocument;
import dev.precis.segment.UnitKind;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Fits the ranking's fusion ({@link FusionModel}) and judges it by five-fold cross-validation against the hand-set
 * weights, on answer kept.
 *
 * <ol>
 *   <li>Every example is ranked once with the hand-set settings ({@link RankSettings#handSet()}); every unit gives
 *       its {@link FusionFeature}s and a label: whether it holds one of the answers (a title line, ranked as its title,
 *       is left out). The rows go to {@code --dump} as TSV. The share of examples with an answer unit whose answer
 *       unit the encoder embedded is the candidate stage's recall at its allowance.
 *   <li>The model is fitted with L2 ({@code --lambda}) by Newton's method on the examples of four folds (folds by
 *       {@code floorMod(id.hashCode(), 5)}, as {@link RankSweep}), each example weighing as much as any other, and on
 *       all five for the in-sample figure and the weights file.
 *   <li>Answer kept, per set and budget, through the whole engine: the hand-set ranking; the model fitted on all folds
 *       (in-sample); each fold with the model fitted on the other four (cross-validated). Optional choices (output
 *       scale, long documents by hand) are made per fold on the other four.
 *   <li>The cheap score that chooses what the encoder embeds is fitted listwise on its own (cheap) features, and its
 *       recall at the allowance measured in-sample and cross-validated, offline (and, with {@code --candidates
 *       fitted}, in the ranker).
 * </ol>
 *
 * <p>The bundled weights were made by:
 *
 * <pre>
 * ./mvnw -q -B test-compile exec:java@fusion-fit -Dfusion-fit.args="--eval ../shared/eval \
 *   --sets nq20:4x,nq20:10x,hotpotqa:4x,hotpotqa:10x,qasper:500,qasper:1000 --objective listwise --lambda 1 \
 *   --scales 1 --sections hand --dump /tmp/fusion-features.tsv \
 *   --out src/main/resources/dev/precis/rank/fusion-weights.properties"
 * </pre>
 *
 * <ul>
 *   <li>{@code --sets a:B,...}, {@code --limit N}, {@code --eval DIR}, {@code --effort E}: as {@link RankSweep}
 *   <li>{@code --objective pointwise|listwise}: pointwise (default), each unit's label by a logistic regression;
 *       listwise, the probability of the answer units under a softmax over each example's units (a conditional
 *       logit: only differences between units of one request count, so the intercept is 0)
 *   <li>{@code --chunked true|false}: whether each feature also gets a weight scaled by the request's chunked share
 *       (default true)
 *   <li>{@code --measure-effort E}: the effort answer kept is measured at (default {@code --effort}, the one the
 *       features are ranked and fitted at): how a model fitted at {@code fast} does at {@code best}
 *   <li>{@code --lambda L}: L2 penalty on the weights (not the intercept), in units of examples (default 1)
 *   <li>{@code --features a,b,...}: the feature keys the model may use (default all)
 *   <li>{@code --without a,b,...}: feature keys the model may not use (the bundled model: {@code answerType}, which
 *       did not carry to answer kept; docs/ranking-audit.md, session 16)
 *   <li>{@code --scales s1,s2,...}: factors the fitted scores are multiplied by (the planner adds a fixed bonus to a
 *       unit next to a kept one, so the scale of the scores matters), chosen per fold on the other four folds with
 *       that fold's model, and on all folds for the in-sample figure and the weights file (default 1; ties go to the
 *       first)
 *   <li>{@code --check a:B,...} (with {@code --check-eval DIR}): sets not fitted on, where the model fitted on all
 *       folds is compared with the hand-set weights
 *   <li>{@code --candidates hand|fitted}: with {@code fitted}, the candidate stage's cheap score is fitted too
 *       (listwise, on the cheap features), every example ranked again with it, and the fusion fitted on that ranking;
 *       per fold, both from the other four folds (default hand)
 *   <li>{@code --sections cv|hand|fitted}: whether a request with a long document (one of several sections) is
 *       ranked by the hand-set weights: chosen per fold on the other four and on all folds in-sample ({@code cv},
 *       default), or fixed
 *   <li>{@code --dump FILE}: the features and labels, one unit a row, with the unit's score under the hand-set weights
 *       ({@code handScore}: the ranking the features come from), the question and the unit's text (tabs and line
 *       breaks as spaces), for screening a feature offline before adding it to the engine
 *   <li>{@code --out FILE}: the weights fitted on all folds, with a header naming this command and its data
 *   <li>{@code --fold-out DIR}: also each fold's model, fitted on the other four folds with the choices made there
 *       ({@code fusion-weights-fold-<f>.properties}), for {@code exec:java@quality --fold-weights DIR}: answer kept
 *       cross-validated through the quality benchmark
 *   <li>{@code --answer-kept false}: fit and report recall only, without the compression passes
 * </ul>
 */
public final class FusionFit {
  private static final int FOLDS = 5;
  private static final FusionFeature[] FEATURES = FusionFeature.values();
  private static final String[] CHEAP_FEATURES = FusionModel.CANDIDATE_FEATURES.toArray(new String[0]);

  private FusionFit() {}

  /** One unit: its example, features, cheap features and label. */
  record Row(int passage, double[] features, double[] cheap, boolean answer, boolean titleLine, double handScore,
      String text) {}

  /**
   * What makes an example distinct: the same example at two budgets is ranked once, but a variant of a set that keeps
   * its ids (nq20trim's passages cut to whole sentences) is another example, in the same fold.
   */
  private static String distinctKey(EvalExample e) {
    return e.id() + "/" + e.fullContext().hashCode();
  }

  /** One distinct example's ranked units. */
  record Ranked(EvalExample example, List<Row> rows, int fold, boolean sectioned) {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = RankSweep.options(args, "${fusion-fit.args}");
    Path eval = Path.of(options.getOrDefault("eval", "../shared/eval"));
    int limit = Integer.parseInt(options.getOrDefault("limit", String.valueOf(Integer.MAX_VALUE)));
    Effort effort = Effort.valueOf(options.getOrDefault("effort", "fast").toUpperCase(Locale.ROOT));
    Effort measuredEffort = Effort.valueOf(
        options.getOrDefault("measure-effort", effort.name()).toUpperCase(Locale.ROOT));
    double lambda = Double.parseDouble(options.getOrDefault("lambda", "1"));
    String sets = options.get("sets");
    if (sets == null) throw new IllegalArgumentException("--sets a:B,... is required");
    boolean[] allowed = new boolean[FEATURES.length];
    if (options.containsKey("features")) {
      for (String key : options.get("features").split(",")) allowed[FusionFeature.ofKey(key.strip()).ordinal()] = true;
    } else {
      Arrays.fill(allowed, true);
    }
    if (options.containsKey("without")) {
      for (String key : options.get("without").split(",")) allowed[FusionFeature.ofKey(key.strip()).ordinal()] = false;
    }
    boolean answerKept = Boolean.parseBoolean(options.getOrDefault("answer-kept", "true"));
    String objective = options.getOrDefault("objective", "pointwise");
    if (!objective.equals("pointwise") && !objective.equals("listwise")) {
      throw new IllegalArgumentException("illegal --objective: " + objective + ", must be pointwise or listwise");
    }
    boolean listwise = objective.equals("listwise");
    boolean fittedCandidates = options.getOrDefault("candidates", "hand").equals("fitted");
    String[] scaleValues = options.getOrDefault("scales", "1").split(",");
    double[] scales = new double[scaleValues.length];
    for (int k = 0; k < scales.length; k++) scales[k] = Double.parseDouble(scaleValues[k].strip());
    withChunked = Boolean.parseBoolean(options.getOrDefault("chunked", "true"));

    RankSweep.SetEntries fitSets = RankSweep.readSets(eval, sets, limit);
    List<EvalExample> examples = fitSets.examples();
    List<Budget> budgets = fitSets.budgets();
    List<String> labels = fitSets.labels();

    RankSweep.SetEntries checkSets = options.containsKey("check")
        ? RankSweep.readSets(Path.of(options.getOrDefault("check-eval", eval.toString())), options.get("check"), limit)
        : new RankSweep.SetEntries(List.of(), List.of(), List.of());
    List<EvalExample> checkExamples = checkSets.examples();
    List<Budget> checkBudgets = checkSets.budgets();
    List<String> checkLabels = checkSets.labels();

    // The hand-set ranking: the baseline, and the ranking whose features the model is fitted on. Without the answer
    // type bonus and the identifiers of prose, which the ranker gives only where the hand-set sum ranks: the fitted
    // model's requests choose the encoder's units without them, so the features here are those the model sees when it
    // ranks. (The identifier weight scales structured units too; the fitted sets have none.)
    EngineSettings defaults = EngineSettings.defaults()
        .withRank(RankSettings.handSet().withAnswerTypeWeight(0).withIdentifierWeight(0));
    SentenceEncoder shared = PrecisEngine.encoderFor(defaults);
    long t0 = System.nanoTime();
    List<Ranked> ranked = new ArrayList<>();
    Map<String, Integer> distinct = new HashMap<>();
    try (PrecisEngine hand = PrecisEngine.sharing(defaults, shared)) {
      for (int i = 0; i < examples.size(); i++) {
        EvalExample e = examples.get(i);
        if (distinct.putIfAbsent(distinctKey(e), ranked.size()) != null) continue;
        ranked.add(rank(hand, e, budgets.get(i), effort, ranked.size()));
      }
    }
    System.out.printf(Locale.ROOT, "ranked %d distinct examples in %.0f s%n", ranked.size(),
        (System.nanoTime() - t0) / 1e9);
    if (options.containsKey("dump")) dump(Path.of(options.get("dump")), ranked);

    // The candidate stage: recall of an answer unit within the encoder's allowance.
    int withAnswer = 0;
    int embeddedAnswer = 0;
    for (Ranked r : ranked) {
      boolean any = false;
      boolean embedded = false;
      for (Row row : r.rows()) {
        if (row.titleLine() || !row.answer()) continue;
        any = true;
        embedded |= row.features()[FusionFeature.EMBEDDED.ordinal()] > 0;
      }
      if (any) withAnswer++;
      if (embedded) embeddedAnswer++;
    }
    System.out.printf(Locale.ROOT, "candidate stage: an answer unit embedded in %d of %d examples with one (%.1f%%)%n",
        embeddedAnswer, withAnswer, 100.0 * embeddedAnswer / Math.max(1, withAnswer));
    cheapStage(ranked, defaults.rank().encoderTextLimit(), lambda);

    FusionModel all = model(fitFusion(ranked, -1, allowed, lambda, listwise), "all folds");
    FusionModel[] perFold = new FusionModel[FOLDS];
    for (int f = 0; f < FOLDS; f++) {
      perFold[f] = model(fitFusion(ranked, f, allowed, lambda, listwise), "fold " + f + " held out");
    }
    if (fittedCandidates) {
      // The candidate stage fitted first (its features do not depend on what is embedded), then every example ranked
      // again with it, and the fusion fitted on what the encoder then saw: per fold, both stages from the other four.
      double[] candidatesAll = fitCandidates(ranked, -1, lambda);
      List<Ranked> again = rankAll(defaults, shared, all.withCandidateWeights(candidatesAll), examples, budgets,
          distinct, effort);
      all = model(fitFusion(again, -1, allowed, lambda, listwise), "all folds").withCandidateWeights(candidatesAll);
      int[] recalled = new int[2];
      int withAnswerUnit = 0;
      for (int f = 0; f < FOLDS; f++) {
        double[] candidates = fitCandidates(ranked, f, lambda);
        List<Ranked> fold = rankAll(defaults, shared, perFold[f].withCandidateWeights(candidates), examples, budgets,
            distinct, effort);
        perFold[f] = model(fitFusion(fold, f, allowed, lambda, listwise), "fold " + f + " held out")
            .withCandidateWeights(candidates);
        for (int r = 0; r < fold.size(); r++) {
          if (fold.get(r).fold() != f || !hasAnswerUnit(fold.get(r))) continue;
          withAnswerUnit++;
          if (answerEmbedded(fold.get(r))) recalled[1]++;
          if (answerEmbedded(again.get(r))) recalled[0]++;
        }
      }
      System.out.printf(Locale.ROOT, "candidate stage fitted, in the ranker: an answer unit embedded in-sample %s, "
          + "cross-validated %s%n", pct(recalled[0], withAnswerUnit), pct(recalled[1], withAnswerUnit));
    }
    System.out.println("fitted on all folds: " + all);
    for (int f = 0; f < FOLDS; f++) System.out.println("fitted without fold " + f + ": " + perFold[f]);

    // Unit-level check: the share of examples whose best unit (by each score) holds the answer.
    System.out.printf(Locale.ROOT, "top unit holds the answer: hand %s, fitted in-sample %s, cross-validated %s%n",
        topHit(ranked, null, null), topHit(ranked, all, null), topHit(ranked, null, perFold));

    String made = "FusionFit --sets " + sets + (limit == Integer.MAX_VALUE ? "" : " --limit " + limit)
        + " --objective " + objective + " --chunked " + withChunked + " --lambda " + lambda
        + " --scales " + options.getOrDefault("scales", "1")
        + " --candidates " + (fittedCandidates ? "fitted" : "hand")
        + " --sections " + options.getOrDefault("sections", "cv")
        + (options.containsKey("features") ? " --features " + options.get("features") : "")
        + (options.containsKey("without") ? " --without " + options.get("without") : "")
        + (measuredEffort != effort ? " --measure-effort " + measuredEffort.name().toLowerCase(Locale.ROOT) : "")
        + " on " + eval.toAbsolutePath().normalize().getFileName() + " (dev-*.jsonl.gz), effort "
        + effort.name().toLowerCase(Locale.ROOT);
    if (!answerKept) {
      if (options.containsKey("out")) write(Path.of(options.get("out")), all, made, "");
      if (options.containsKey("fold-out")) {
        // nothing measured, so nothing chosen per fold: the first scale, long documents as --sections says
        Path dir = Path.of(options.get("fold-out"));
        java.nio.file.Files.createDirectories(dir);
        boolean hand = options.getOrDefault("sections", "cv").equals("hand");
        for (int f = 0; f < FOLDS; f++) {
          FusionModel m = scaled(perFold[f], scales[0]);
          write(dir.resolve("fusion-weights-fold-" + f + ".properties"), new FusionModel(m.source(), m.intercept(),
              m.weights(), m.chunkedWeights(), hand, m.candidateWeights()), made + ", fold " + f + " held out", "");
        }
      }
      shared.close();
      return;
    }

    boolean[] handKept = new boolean[examples.size()];
    t0 = System.nanoTime();
    try (PrecisEngine hand = PrecisEngine.sharing(defaults, shared)) {
      for (int i = 0; i < examples.size(); i++) {
        handKept[i] = kept(hand, examples.get(i), budgets.get(i), measuredEffort);
      }
    }
    System.out.printf(Locale.ROOT, "hand-set pass: %.0f s%n", (System.nanoTime() - t0) / 1e9);
    // Each output scale: the model fitted on all folds over every example (in-sample), and each fold's model over
    // every example (on its own fold: cross-validated; on the other four, where it was fitted: to choose the scale
    // without looking at the fold).
    boolean[][] inSampleBy = new boolean[scales.length][examples.size()];
    boolean[][][] foldModelBy = new boolean[scales.length][FOLDS][examples.size()];
    for (int s = 0; s < scales.length; s++) {
      try (PrecisEngine fitted =
          PrecisEngine.sharing(defaults.withRank(defaults.rank().withFusion(scaled(all, scales[s]))), shared)) {
        for (int i = 0; i < examples.size(); i++) {
          inSampleBy[s][i] = kept(fitted, examples.get(i), budgets.get(i), measuredEffort);
        }
      }
      for (int f = 0; f < FOLDS; f++) {
        try (PrecisEngine fitted = PrecisEngine.sharing(
            defaults.withRank(defaults.rank().withFusion(scaled(perFold[f], scales[s]))), shared)) {
          for (int i = 0; i < examples.size(); i++) {
            foldModelBy[s][f][i] = kept(fitted, examples.get(i), budgets.get(i), measuredEffort);
          }
        }
      }
      int in = 0;
      int cross = 0;
      for (int i = 0; i < examples.size(); i++) {
        if (inSampleBy[s][i]) in++;
        if (foldModelBy[s][RankSweep.fold(examples.get(i))][i]) cross++;
      }
      System.out.printf(Locale.ROOT, "scale %s: in-sample %d, cross-validated %d of %d%n", scales[s], in, cross,
          examples.size());
    }
    int bestScale = 0;
    int bestInSample = -1;
    for (int s = 0; s < scales.length; s++) {
      int in = 0;
      for (boolean k : inSampleBy[s]) if (k) in++;
      if (in > bestInSample) {
        bestInSample = in;
        bestScale = s;
      }
    }
    boolean[] inSampleKept = inSampleBy[bestScale];
    boolean[] crossKept = new boolean[examples.size()];
    int[] foldScale = new int[FOLDS];
    for (int f = 0; f < FOLDS; f++) {
      int chosen = 0;
      int chosenKept = -1;
      for (int s = 0; s < scales.length; s++) {
        int k = 0;
        for (int i = 0; i < examples.size(); i++) {
          if (RankSweep.fold(examples.get(i)) != f && foldModelBy[s][f][i]) k++;
        }
        if (k > chosenKept) {
          chosenKept = k;
          chosen = s;
        }
      }
      foldScale[f] = chosen;
      System.out.println("fold " + f + ": scale " + scales[chosen] + " chosen on the other four folds");
      for (int i = 0; i < examples.size(); i++) {
        if (RankSweep.fold(examples.get(i)) == f) crossKept[i] = foldModelBy[chosen][f][i];
      }
    }
    all = scaled(all, scales[bestScale]);
    System.out.println("in-sample: scale " + scales[bestScale]);
    // Long documents (a document of several sections) by the hand-set weights or the model: chosen per fold on the
    // other four, with that fold's model.
    boolean[] sectioned = new boolean[examples.size()];
    for (int i = 0; i < examples.size(); i++) {
      sectioned[i] = ranked.get(distinct.get(distinctKey(examples.get(i)))).sectioned();
    }
    int handForSectionsInSample = 0;
    for (int i = 0; i < examples.size(); i++) {
      if (sectioned[i]) handForSectionsInSample += (handKept[i] ? 1 : 0) - (inSampleKept[i] ? 1 : 0);
    }
    String sectionsOption = options.getOrDefault("sections", "cv");
    if (sectionsOption.equals("hand")) handForSectionsInSample = 1;
    if (sectionsOption.equals("fitted")) handForSectionsInSample = 0;
    if (handForSectionsInSample > 0) {
      inSampleKept = inSampleKept.clone();
      for (int i = 0; i < examples.size(); i++) if (sectioned[i]) inSampleKept[i] = handKept[i];
      all = new FusionModel(all.source(), all.intercept(), all.weights(), all.chunkedWeights(), true,
          all.candidateWeights());
    }
    System.out.println("in-sample: long documents by " + (handForSectionsInSample > 0 ? "hand" : "the model"));
    for (int f = 0; f < FOLDS; f++) {
      int gain = 0;
      for (int i = 0; i < examples.size(); i++) {
        if (sectioned[i] && RankSweep.fold(examples.get(i)) != f) {
          gain += (handKept[i] ? 1 : 0) - (foldModelBy[foldScale[f]][f][i] ? 1 : 0);
        }
      }
      if (!sectionsOption.equals("cv")) gain = sectionsOption.equals("hand") ? 1 : 0;
      System.out.println("fold " + f + ": long documents by " + (gain > 0 ? "hand" : "the model")
          + (sectionsOption.equals("cv") ? ", chosen on the other four folds" : ", as --sections says"));
      if (options.containsKey("fold-out")) {
        FusionModel m = scaled(perFold[f], scales[foldScale[f]]);
        Path dir = Path.of(options.get("fold-out"));
        java.nio.file.Files.createDirectories(dir);
        write(dir.resolve("fusion-weights-fold-" + f + ".properties"), new FusionModel(m.source(), m.intercept(),
            m.weights(), m.chunkedWeights(), gain > 0, m.candidateWeights()), made + ", fold " + f + " held out", "");
      }
      if (gain <= 0) continue;
      for (int i = 0; i < examples.size(); i++) {
        if (sectioned[i] && RankSweep.fold(examples.get(i)) == f) crossKept[i] = handKept[i];
      }
    }
    if (!checkExamples.isEmpty()) {
      Map<String, int[]> check = new LinkedHashMap<>();
      try (PrecisEngine hand = PrecisEngine.sharing(defaults, shared);
          PrecisEngine fitted = PrecisEngine.sharing(defaults.withRank(defaults.rank().withFusion(all)), shared)) {
        for (int i = 0; i < checkExamples.size(); i++) {
          int[] c = check.computeIfAbsent(checkLabels.get(i), k -> new int[3]);
          c[0]++;
          if (kept(hand, checkExamples.get(i), checkBudgets.get(i), measuredEffort)) c[1]++;
          if (kept(fitted, checkExamples.get(i), checkBudgets.get(i), measuredEffort)) c[2]++;
        }
      }
      System.out.println("| check set (not fitted on) | examples | hand-set | fitted on all folds |");
      System.out.println("|---|---|---|---|");
      check.forEach((set, c) -> System.out.printf(Locale.ROOT, "| %s | %d | %s | %s |%n", set, c[0], pct(c[1], c[0]),
          pct(c[2], c[0])));
    }
    Map<String, int[]> table = new LinkedHashMap<>();
    for (int i = 0; i < examples.size(); i++) {
      int[] c = table.computeIfAbsent(labels.get(i), k -> new int[4]);
      c[0]++;
      if (handKept[i]) c[1]++;
      if (inSampleKept[i]) c[2]++;
      if (crossKept[i]) c[3]++;
    }
    StringBuilder report = new StringBuilder();
    report.append("| set and budget | examples | hand-set | fitted, in-sample | fitted, cross-validated |\n");
    report.append("|---|---|---|---|---|\n");
    int[] total = new int[4];
    for (Map.Entry<String, int[]> e : table.entrySet()) {
      int[] c = e.getValue();
      for (int k = 0; k < 4; k++) total[k] += c[k];
      report.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s |%n", e.getKey(), c[0], pct(c[1], c[0]),
          pct(c[2], c[0]), pct(c[3], c[0])));
    }
    report.append(
        String.format(Locale.ROOT, "| total | %d | %d | %d | %d |%n", total[0], total[1], total[2], total[3]));
    System.out.print(report);
    if (options.containsKey("out")) {
      write(Path.of(options.get("out")), all, made,
          "answer kept (hand-set / fitted in-sample / fitted cross-validated):"
          + " total " + total[1] + " / " + total[2] + " / " + total[3] + " of " + total[0]);
    }
    shared.close();
  }

  /** Every distinct example ranked by an engine with this model (in {@code distinct}'s order). */
  private static List<Ranked> rankAll(EngineSettings defaults, SentenceEncoder shared, FusionModel model,
      List<EvalExample> examples, List<Budget> budgets, Map<String, Integer> distinct, Effort effort) {
    Ranked[] out = new Ranked[distinct.size()];
    try (PrecisEngine engine = PrecisEngine.sharing(defaults.withRank(defaults.rank().withFusion(model)), shared)) {
      for (int i = 0; i < examples.size(); i++) {
        int r = distinct.get(distinctKey(examples.get(i)));
        if (out[r] == null) out[r] = rank(engine, examples.get(i), budgets.get(i), effort, r);
      }
    }
    return List.of(out);
  }

  private static boolean hasAnswerUnit(Ranked r) {
    for (Row row : r.rows()) if (row.answer() && !row.titleLine()) return true;
    return false;
  }

  private static boolean answerEmbedded(Ranked r) {
    for (Row row : r.rows()) {
      if (row.answer() && !row.titleLine() && row.features()[FusionFeature.EMBEDDED.ordinal()] > 0) return true;
    }
    return false;
  }

  /** The candidate stage's cheap score, fitted listwise on the cheap features; one weight per cheap feature. */
  private static double[] fitCandidates(List<Ranked> ranked, int heldOut, double lambda) {
    double[] beta = fitListwise(ranked, heldOut, lambda, Row::cheap);
    return Arrays.copyOfRange(beta, 1, beta.length);
  }

  private static String pct(int k, int n) {
    return String.format(Locale.ROOT, "%.1f%% (%d)", 100.0 * k / Math.max(1, n), k);
  }

  private static CompressionRequest request(EvalExample e, Budget budget, Effort effort) {
    List<SourceDocument> documents = new ArrayList<>();
    for (EvalExample.Document d : e.documents()) {
      documents.add(new SourceDocument(d.id(), d.title().isBlank() ? null : d.title(), d.text()));
    }
    return new CompressionRequest(e.question(), documents, budget, null, effort, null, null, null, false);
  }

  private static boolean kept(PrecisEngine engine, EvalExample e, Budget budget, Effort effort) {
    return AnswerMatcher.of(e.answers()).matches(engine.compress(request(e, budget, effort)).text());
  }

  private static Ranked rank(PrecisEngine engine, EvalExample e, Budget budget, Effort effort, int index) {
    PrecisEngine.RankedPassages rp = engine.rank(request(e, budget, effort));
    AnswerMatcher answers = AnswerMatcher.of(e.answers());
    List<Row> rows = new ArrayList<>();
    for (SegmentedDocument passage : rp.passages()) {
      Ranking.DocumentRanking r = rp.ranking().documents().get(passage.index());
      double documentSoft = 0;
      for (double s : r.unitSoft()) documentSoft = Math.max(documentSoft, s);
      int[] heading = headings(passage, r.titleLine());
      int lead = r.titleLine() ? 1 : 0;
      for (int u = 0; u < passage.units().size(); u++) {
        int h = heading[u];
        double[] cheap = {r.unitLexical()[u], r.lexical(), r.unitSoft()[u], documentSoft,
            h < 0 ? 0 : r.unitLexical()[h], h < 0 ? 0 : r.unitSoft()[h], 1.0 / (1 + Math.max(0, u - lead))};
        rows.add(new Row(passage.index(), r.unitFeatures()[u].clone(), cheap, answers.matches(passage.unitText(u)),
            u == 0 && r.titleLine(), r.unitScores()[u], passage.unitText(u)));
      }
    }
    boolean sectioned = false;
    for (Ranking.DocumentRanking r : rp.ranking().documents()) sectioned |= r.sections().divided();
    return new Ranked(e, rows, RankSweep.fold(e), sectioned);
  }

  /** For each unit, its section's heading (as the ranker finds it), or -1. */
  private static int[] headings(SegmentedDocument doc, boolean titleLine) {
    int[] heading = new int[doc.units().size()];
    Arrays.fill(heading, -1);
    if (titleLine) return heading;
    int current = -1;
    int currentSection = -1;
    for (int u = 0; u < heading.length; u++) {
      var unit = doc.units().get(u);
      if (unit.kind() == UnitKind.HEADING) {
        current = u;
        currentSection = unit.section();
      } else if (current >= 0 && unit.section() == currentSection) {
        heading[u] = current;
      }
    }
    return heading;
  }

  private static String oneLine(String text) {
    return text.replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
  }

  private static void dump(Path file, List<Ranked> ranked) throws IOException {
    try (BufferedWriter w = Files.newBufferedWriter(file)) {
      StringBuilder header = new StringBuilder("id\tset\tfold\tanswer\ttitleLine");
      for (FusionFeature f : FEATURES) header.append('\t').append(f.key());
      for (String c : CHEAP_FEATURES) header.append("\tcheap.").append(c);
      header.append("\thandScore\tquestion\ttext");
      w.write(header.append('\n').toString());
      for (Ranked r : ranked) {
        for (Row row : r.rows()) {
          StringBuilder line = new StringBuilder(r.example().id()).append('\t').append(r.example().dataset())
              .append('\t').append(r.fold()).append('\t').append(row.answer() ? 1 : 0).append('\t')
              .append(row.titleLine() ? 1 : 0);
          for (double v : row.features()) line.append('\t').append(String.format(Locale.ROOT, "%.5g", v));
          for (double v : row.cheap()) line.append('\t').append(String.format(Locale.ROOT, "%.5g", v));
          line.append('\t').append(String.format(Locale.ROOT, "%.5g", row.handScore()))
              .append('\t').append(oneLine(r.example().question())).append('\t').append(oneLine(row.text()));
          w.write(line.append('\n').toString());
        }
      }
    }
    System.out.println("features of every unit written to " + file);
  }

  /**
   * Logistic regression with L2 on the weights, by Newton's method: the units of every example not in {@code
   * heldOut} (-1: none held out), each unit weighing 1 / its example's units. Returns the intercept, then one weight
   * per feature (0 for a feature not allowed).
   */
  static double[] fit(List<Ranked> ranked, int heldOut, boolean[] allowed, double lambda) {
    List<double[]> xs = new ArrayList<>();
    List<Double> ys = new ArrayList<>();
    List<Double> ws = new ArrayList<>();
    for (Ranked r : ranked) {
      if (r.fold() == heldOut) continue;
      int units = 0;
      for (Row row : r.rows()) if (!row.titleLine()) units++;
      for (Row row : r.rows()) {
        if (row.titleLine()) continue;
        double[] source = expand(row.features(), allowed);
        double[] x = new double[1 + source.length];
        x[0] = 1;
        System.arraycopy(source, 0, x, 1, source.length);
        xs.add(x);
        ys.add(row.answer() ? 1.0 : 0.0);
        ws.add(1.0 / units);
      }
    }
    int p = xs.isEmpty() ? 1 : xs.get(0).length;
    double[] beta = new double[p];
    for (int iteration = 0; iteration < 50; iteration++) {
      double[] gradient = new double[p];
      double[][] hessian = new double[p][p];
      for (int i = 0; i < xs.size(); i++) {
        double[] x = xs.get(i);
        double z = 0;
        for (int k = 0; k < p; k++) z += beta[k] * x[k];
        double mu = 1 / (1 + Math.exp(-z));
        double w = ws.get(i);
        double r = w * (ys.get(i) - mu);
        double v = w * mu * (1 - mu);
        for (int a = 0; a < p; a++) {
          if (x[a] == 0) continue;
          gradient[a] += r * x[a];
          for (int b = a; b < p; b++) hessian[a][b] += v * x[a] * x[b];
        }
      }
      for (int a = 0; a < p; a++) {
        for (int b = 0; b < a; b++) hessian[a][b] = hessian[b][a];
        if (a > 0) {
          gradient[a] -= lambda * beta[a];
          hessian[a][a] += lambda;
        }
        hessian[a][a] += 1e-9; // a feature that is 0 everywhere keeps weight 0
      }
      double[] step = solve(hessian, gradient);
      double change = 0;
      for (int k = 0; k < p; k++) {
        beta[k] += step[k];
        change = Math.max(change, Math.abs(step[k]));
      }
      if (change < 1e-7) break;
    }
    return beta;
  }

  /** Whether the model gets chunked weights (set once from {@code --chunked}). */
  private static boolean withChunked = true;

  /** A unit's fusion inputs: its features, then (with chunked weights) each times the request's chunked share. */
  private static double[] expand(double[] features, boolean[] allowed) {
    int n = FEATURES.length;
    double[] x = new double[withChunked ? 2 * n : n];
    double chunked = features[FusionFeature.CHUNKED.ordinal()];
    for (int k = 0; k < n; k++) {
      if (!allowed[k]) continue;
      x[k] = features[k];
      if (withChunked) x[n + k] = chunked * features[k];
    }
    return x;
  }

  private static FusionModel scaled(FusionModel m, double scale) {
    double[] w = m.weights();
    double[] c = m.chunkedWeights();
    for (int k = 0; k < w.length; k++) {
      w[k] *= scale;
      c[k] *= scale;
    }
    return new FusionModel(m.source(), m.intercept() * scale, w, c, m.handForSections(), m.candidateWeights());
  }

  private static double[] fitFusion(List<Ranked> ranked, int heldOut, boolean[] allowed, double lambda,
      boolean listwise) {
    return listwise
        ? fitListwise(ranked, heldOut, lambda, row -> expand(row.features(), allowed))
        : fit(ranked, heldOut, allowed, lambda);
  }

  /**
   * The conditional logit: per example (with an answer unit, not in {@code heldOut}), the log of the softmax
   * probability mass of its answer units, minus L2; each example weighs 1. Newton steps with the softmax covariance as
   * the curvature (exact with one answer unit), halved while the objective does not rise. Returns 0 (the intercept,
   * which a softmax cannot see), then one weight per feature.
   */
  static double[] fitListwise(
      List<Ranked> ranked, int heldOut, double lambda, java.util.function.Function<Row, double[]> inputs) {
    List<double[][]> xs = new ArrayList<>();
    List<boolean[]> ys = new ArrayList<>();
    for (Ranked r : ranked) {
      if (r.fold() == heldOut) continue;
      List<double[]> x = new ArrayList<>();
      List<Boolean> y = new ArrayList<>();
      boolean any = false;
      for (Row row : r.rows()) {
        if (row.titleLine()) continue;
        x.add(inputs.apply(row));
        y.add(row.answer());
        any |= row.answer();
      }
      if (!any) continue;
      xs.add(x.toArray(new double[0][]));
      boolean[] labels = new boolean[y.size()];
      for (int i = 0; i < labels.length; i++) labels[i] = y.get(i);
      ys.add(labels);
    }
    int p = xs.isEmpty() ? 0 : xs.get(0)[0].length;
    double[] beta = new double[p];
    double objective = listwiseObjective(xs, ys, beta, lambda, null, null);
    for (int iteration = 0; iteration < 100; iteration++) {
      double[] gradient = new double[p];
      double[][] curvature = new double[p][p];
      listwiseObjective(xs, ys, beta, lambda, gradient, curvature);
      for (int a = 0; a < p; a++) curvature[a][a] += lambda + 1e-9;
      double[] step = solve(curvature, gradient);
      double scale = 1;
      double[] next = new double[p];
      double nextObjective;
      do {
        for (int k = 0; k < p; k++) next[k] = beta[k] + scale * step[k];
        nextObjective = listwiseObjective(xs, ys, next, lambda, null, null);
        scale /= 2;
      } while (nextObjective < objective && scale > 1e-6);
      if (nextObjective < objective) break;
      double change = 0;
      for (int k = 0; k < p; k++) change = Math.max(change, Math.abs(next[k] - beta[k]));
      beta = next;
      objective = nextObjective;
      if (change < 1e-7) break;
    }
    double[] out = new double[p + 1];
    System.arraycopy(beta, 0, out, 1, p);
    return out;
  }

  /**
   * The listwise objective at {@code beta}; with {@code gradient} and {@code curvature} given, also adds into them the
   * gradient (of the objective, L2 included) and the softmax covariance (without L2).
   */
  private static double listwiseObjective(List<double[][]> xs, List<boolean[]> ys, double[] beta, double lambda,
      double[] gradient, double[][] curvature) {
    int p = beta.length;
    double total = 0;
    for (int e = 0; e < xs.size(); e++) {
      double[][] x = xs.get(e);
      boolean[] y = ys.get(e);
      double[] z = new double[x.length];
      double max = Double.NEGATIVE_INFINITY;
      for (int i = 0; i < x.length; i++) {
        for (int k = 0; k < p; k++) z[i] += beta[k] * x[i][k];
        max = Math.max(max, z[i]);
      }
      double all = 0;
      double answers = 0;
      for (int i = 0; i < x.length; i++) {
        double w = Math.exp(z[i] - max);
        all += w;
        if (y[i]) answers += w;
      }
      total += Math.log(answers) - Math.log(all);
      if (gradient == null) continue;
      double[] meanP = new double[p];
      double[] meanQ = new double[p];
      for (int i = 0; i < x.length; i++) {
        double w = Math.exp(z[i] - max);
        for (int k = 0; k < p; k++) {
          meanP[k] += w / all * x[i][k];
          if (y[i]) meanQ[k] += w / answers * x[i][k];
        }
      }
      for (int k = 0; k < p; k++) gradient[k] += meanQ[k] - meanP[k];
      for (int i = 0; i < x.length; i++) {
        double w = Math.exp(z[i] - max) / all;
        for (int a = 0; a < p; a++) {
          double da = x[i][a] - meanP[a];
          if (da == 0) continue;
          for (int b = 0; b < p; b++) curvature[a][b] += w * da * (x[i][b] - meanP[b]);
        }
      }
    }
    for (int k = 0; k < p; k++) {
      total -= lambda / 2 * beta[k] * beta[k];
      if (gradient != null) gradient[k] -= lambda * beta[k];
    }
    return total;
  }

  /** Solves {@code a x = b} by Gaussian elimination with partial pivoting ({@code a}: symmetric positive definite). */
  private static double[] solve(double[][] a, double[] b) {
    int n = b.length;
    double[][] m = new double[n][n + 1];
    for (int i = 0; i < n; i++) {
      System.arraycopy(a[i], 0, m[i], 0, n);
      m[i][n] = b[i];
    }
    for (int c = 0; c < n; c++) {
      int pivot = c;
      for (int r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[pivot][c])) pivot = r;
      double[] t = m[c];
      m[c] = m[pivot];
      m[pivot] = t;
      for (int r = c + 1; r < n; r++) {
        double factor = m[r][c] / m[c][c];
        for (int k = c; k <= n; k++) m[r][k] -= factor * m[c][k];
      }
    }
    double[] x = new double[n];
    for (int r = n - 1; r >= 0; r--) {
      double s = m[r][n];
      for (int k = r + 1; k < n; k++) s -= m[r][k] * x[k];
      x[r] = s / m[r][r];
    }
    return x;
  }

  private static FusionModel model(double[] beta, String what) {
    int n = FEATURES.length;
    double[] chunked = withChunked ? Arrays.copyOfRange(beta, 1 + n, 1 + 2 * n) : new double[n];
    return new FusionModel("FusionFit, " + what, beta[0], Arrays.copyOfRange(beta, 1, 1 + n), chunked, false, null);
  }

  /** The share of examples (with an answer unit) whose best unit by the score holds the answer. */
  private static String topHit(List<Ranked> ranked, FusionModel model, FusionModel[] perFold) {
    int hits = 0;
    int n = 0;
    for (Ranked r : ranked) {
      FusionModel m = perFold != null ? perFold[r.fold()] : model;
      Row best = null;
      double bestScore = Double.NEGATIVE_INFINITY;
      boolean any = false;
      for (Row row : r.rows()) {
        if (row.titleLine()) continue;
        any |= row.answer();
        double s = m == null ? handScore(row.features()) : m.score(row.features());
        if (s > bestScore) {
          bestScore = s;
          best = row;
        }
      }
      if (!any) continue;
      n++;
      if (best != null && best.answer()) hits++;
    }
    return pct(hits, n);
  }

  /** The hand-set score rebuilt from the features (default weights; prose without sections), for the top-unit check. */
  private static double handScore(double[] f) {
    double semantic = f[FusionFeature.SEMANTIC.ordinal()];
    double lexical = f[FusionFeature.LEXICAL.ordinal()];
    double document = 0.7 * f[FusionFeature.DOCUMENT_SEMANTIC.ordinal()] + 0.3 * f[FusionFeature.DOCUMENT_LEXICAL
        .ordinal()] + 2.0 * f[FusionFeature.BRIDGE.ordinal()];
    return semantic + 0.5 * lexical + 0.6 * document - 1.5 * f[FusionFeature.FRAGMENT.ordinal()]
        + 0.5 * (f[FusionFeature.HEADING_SEMANTIC.ordinal()] + 0.5 * f[FusionFeature.HEADING_LEXICAL.ordinal()]);
  }

  /**
   * The candidate stage offline: the units the encoder would embed, chosen by a cheap score as the ranker chooses
   * them (every document's best unit first, documents in cheap order, then the rest), and the recall of an answer
   * unit among them, with the hand-set cheap score and with one fitted on the cheap features (in-sample and
   * cross-validated).
   */
  private static void cheapStage(List<Ranked> ranked, int allowance, double lambda) {
    double[] hand = {0, 1.0, 0.5, 1.0, 0.5, 0.5, 0.5, 0.3}; // intercept, then CHEAP_FEATURES' hand-set weights
    double[] all = fitListwise(ranked, -1, lambda, Row::cheap);
    double[][] perFold = new double[FOLDS][];
    for (int f = 0; f < FOLDS; f++) perFold[f] = fitListwise(ranked, f, lambda, Row::cheap);
    int[] recalled = new int[3];
    int agree = 0;
    int withAnswer = 0;
    for (Ranked r : ranked) {
      boolean any = false;
      for (Row row : r.rows()) any |= row.answer() && !row.titleLine();
      if (!any) continue;
      withAnswer++;
      double[][] weights = {hand, all, perFold[r.fold()]};
      for (int k = 0; k < 3; k++) {
        boolean[] chosen = choose(r.rows(), weights[k], allowance);
        boolean hit = false;
        for (int i = 0; i < chosen.length; i++) hit |= chosen[i] && r.rows().get(i).answer();
        if (hit) recalled[k]++;
        if (k == 0) {
          boolean same = true;
          for (int i = 0; i < chosen.length; i++) {
            boolean embedded = r.rows().get(i).features()[FusionFeature.EMBEDDED.ordinal()] > 0;
            if (!r.rows().get(i).titleLine() && chosen[i] != embedded) same = false;
          }
          if (same) agree++;
        }
      }
    }
    StringBuilder w = new StringBuilder();
    for (int k = 0; k < CHEAP_FEATURES.length; k++) {
      w.append(String.format(Locale.ROOT, " %s=%.3f", CHEAP_FEATURES[k], all[k + 1]));
    }
    System.out.printf(Locale.ROOT, "cheap score fitted on all folds: intercept=%.3f%s%n", all[0], w);
    System.out.printf(Locale.ROOT, "candidate recall at %d (offline; the hand-set simulation matches the ranker's "
            + "choice in %d of %d examples): hand-set %s, fitted in-sample %s, cross-validated %s%n", allowance, agree,
        withAnswer, pct(recalled[0], withAnswer), pct(recalled[1], withAnswer), pct(recalled[2], withAnswer));
  }

  /** The units a cheap score with these weights chooses, as {@code Ranker.chooseForEncoder} does. */
  private static boolean[] choose(List<Row> rows, double[] weights, int allowance) {
    int n = rows.size();
    boolean[] chosen = new boolean[n];
    double[] score = new double[n];
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (rows.get(i).titleLine()) continue;
      double s = weights[0];
      for (int k = 0; k < CHEAP_FEATURES.length; k++) s += weights[k + 1] * rows.get(i).cheap()[k];
      score[i] = s;
      order.add(i);
    }
    if (order.size() <= allowance) {
      for (int i : order) chosen[i] = true;
      return chosen;
    }
    order.sort(Comparator.comparingDouble((Integer i) -> -score[i]).thenComparingInt(i -> i));
    int passages = 0;
    for (Row row : rows) passages = Math.max(passages, row.passage() + 1);
    boolean[] seen = new boolean[passages];
    int taken = 0;
    List<Integer> rest = new ArrayList<>();
    for (int i : order) {
      if (!seen[rows.get(i).passage()] && taken < allowance) {
        seen[rows.get(i).passage()] = true;
        chosen[i] = true;
        taken++;
      } else {
        rest.add(i);
      }
    }
    for (int k = 0; taken < allowance && k < rest.size(); k++, taken++) chosen[rest.get(k)] = true;
    return chosen;
  }

  private static void write(Path file, FusionModel model, String made, String result) throws IOException {
    StringBuilder s = new StringBuilder();
    s.append("# Fitted fusion weights: a logistic regression over dev.precis.rank.FusionFeature; a unit's score is\n");
    s.append("# intercept + sum (weight.<f> + chunked share x chunked.<f>) x feature f: the log-odds, up to a constant"
        + " per\n");
    s.append("# request, that it holds the answer.\n");
    s.append("# Made by: ./mvnw -q -B test-compile exec:java@fusion-fit -Dfusion-fit.args=\"...\" (").append(made)
        .append(")\n");
    s.append("# Data: the sets named in the source line below, from ../shared/eval; label: the unit holds an answer "
        + "(answer kept's match)\n");
    if (!result.isEmpty()) s.append("# ").append(result).append('\n');
    s.append("# Written ").append(Instant.now().truncatedTo(ChronoUnit.SECONDS)).append('\n');
    s.append("source=").append(made.replace("\\", "\\\\")).append('\n');
    s.append("sections=").append(model.handForSections() ? "hand" : "fitted").append('\n');
    s.append(String.format(Locale.ROOT, "intercept=%.6f%n", model.intercept()));
    for (FusionFeature f : FEATURES) {
      s.append(String.format(Locale.ROOT, "weight.%s=%.6f%n", f.key(), model.weight(f)));
    }
    for (FusionFeature f : FEATURES) {
      s.append(String.format(Locale.ROOT, "chunked.%s=%.6f%n", f.key(), model.chunkedWeight(f)));
    }
    double[] candidates = model.candidateWeights();
    for (int k = 0; k < candidates.length; k++) {
      s.append(String.format(Locale.ROOT, "candidate.%s=%.6f%n", FusionModel.CANDIDATE_FEATURES.get(k), candidates[k]));
    }
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, s);
    System.out.println("weights written to " + file);
  }
}
