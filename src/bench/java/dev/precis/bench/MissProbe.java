package dev.precis.bench;

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
import dev.precis.segment.SegmentedDocument;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Why answers are lost: per example of a set at a budget (a ratio {@code 10x} or tokens {@code 1000}), whether the answer was kept, and where the best-ranked unit
 * holding the answer stood in the final ranking (its rank among all units), in a gold passage or not, and whether
 * that passage's title is named in the question (a first hop) or not (a second hop).
 *
 * <pre>
 * ./mvnw -q -B test-compile exec:java@miss-probe -Dmiss-probe.args="../shared/eval hotpotqa 10x"
 * </pre>
 */
public final class MissProbe {
  public static void main(String[] args) {
    Path eval = Path.of(args.length > 0 ? args[0] : "../shared/eval");
    String set = args.length > 1 ? args[1] : "hotpotqa";
    String budgetArg = args.length > 2 ? args[2] : "10x";
    Budget budget = budgetArg.endsWith("x") ? Budget.ofRatio(Double.parseDouble(budgetArg.replace("x", "")))
        : Budget.ofTokens(Integer.parseInt(budgetArg));
    Map<String, int[]> table = new TreeMap<>();
    int shown = 0;
    Map<String, Integer> hops = new TreeMap<>();
    try (PrecisEngine engine = PrecisEngine.create(EngineSettings.defaults())) {
      for (EvalExample e : EvalSet.readDev(eval, set).examples()) {
        List<SourceDocument> docs = new ArrayList<>();
        for (EvalExample.Document d : e.documents()) {
          docs.add(new SourceDocument(d.id(), d.title().isBlank() ? null : d.title(), d.text()));
        }
        CompressionRequest request = new CompressionRequest(e.question(), docs, budget, null,
            Effort.FAST, null, null, null, false);
        AnswerMatcher answer = AnswerMatcher.of(e.answers());
        Compression c = engine.compress(request);
        boolean kept = answer.matches(c.text());
        PrecisEngine.RankedPassages ranked = engine.rank(request);
        List<double[]> scores = new ArrayList<>(); // score, passage, unit
        for (int p = 0; p < ranked.passages().size(); p++) {
          SegmentedDocument passage = ranked.passages().get(p);
          for (int u = 0; u < passage.units().size(); u++) {
            scores.add(new double[] {ranked.ranking().unitScore(p, u), p, u});
          }
        }
        scores.sort((a, b) -> Double.compare(b[0], a[0]));
        int rank = -1;
        String where = "none";
        for (int i = 0; i < scores.size(); i++) {
          SegmentedDocument passage = ranked.passages().get((int) scores.get(i)[1]);
          if (!answer.matches(passage.unitText((int) scores.get(i)[2]))) continue;
          rank = i + 1;
          EvalExample.Document source = e.documents().get((int) scores.get(i)[1]);
          boolean named = source.title() != null && !source.title().isBlank()
              && e.question().toLowerCase(Locale.ROOT).contains(source.title().toLowerCase(Locale.ROOT));
          where = (Boolean.TRUE.equals(source.gold()) ? "gold" : "other") + (named ? ", title in question"
              : ", title not in question");
          break;
        }
        if (!kept && rank > 10 && System.getProperty("miss-probe.show") != null) {
          int p = -1;
          int u = -1;
          for (double[] x : scores) {
            if (answer.matches(ranked.passages().get((int) x[1]).unitText((int) x[2]))) {
              p = (int) x[1];
              u = (int) x[2];
              break;
            }
          }
          var dr = ranked.ranking().documents().get(p);
          var sec = dr.sections();
          System.out.printf(Locale.ROOT, "LOST %s rank %d of %d, embedded %s, section %d of %d (section score %.2f, "
              + "best %.2f), lexical %.2f%n  Q: %s%n  A: %s%n  unit: %s%n", e.id(), rank, scores.size(),
              !Double.isNaN(dr.unitSemantic()[u]), sec.of(u), sec.count(), dr.sectionScores()[sec.of(u)],
              java.util.Arrays.stream(dr.sectionScores()).max().orElse(0), dr.unitLexical()[u], e.question(),
              e.answers(), ranked.passages().get(p).unitText(u));
        }
        boolean inTitle = rank < 0 && e.documents().stream().anyMatch(d -> answer.matches(d.title()));
        String bucket = rank < 0 ? (inTitle ? "answer only in a title" : "answer across units")
            : rank <= 1 ? "1" : rank <= 2 ? "2" : rank <= 3 ? "3" : rank <= 5 ? "4-5" : rank <= 10 ? "6-10" : ">10";
        if (!kept && rank > 2) {
          int top = (int) scores.get(0)[1];
          int b = -1;
          for (double[] x : scores) {
            if (answer.matches(ranked.passages().get((int) x[1]).unitText((int) x[2]))) {
              b = (int) x[1];
              break;
            }
          }
          SegmentedDocument a = ranked.passages().get(top);
          SegmentedDocument bd = ranked.passages().get(b);
          String q = e.question().toLowerCase(Locale.ROOT);
          String aTitle = bare(a.title());
          String bTitle = bare(bd.title());
          boolean same = top == b;
          boolean forward = false;
          boolean forwardLast = false;
          for (int u = 0; u < a.units().size(); u++) {
            String t = a.unitText(u).toLowerCase(Locale.ROOT);
            if (!bTitle.isEmpty() && t.contains(bTitle)) forward = true;
            String last = bTitle.contains(" ") ? bTitle.substring(bTitle.lastIndexOf(' ') + 1) : bTitle;
            if (last.length() > 3 && t.contains(last)) forwardLast = true;
          }
          boolean reverse = false;
          for (int u = 0; u < bd.units().size(); u++) {
            if (!aTitle.isEmpty() && bd.unitText(u).toLowerCase(Locale.ROOT).contains(aTitle)) reverse = true;
          }
          String k = same ? "answer in top doc" : "B title in question " + q.contains(bTitle) + ", A names B " + forward
              + " (last word " + forwardLast + "), B names A " + reverse;
          hops.merge(k, 1, Integer::sum);
        }
        if (!kept && rank >= 3 && rank <= 10 && shown++ < 0) {
          System.out.println("=== " + e.id() + " Q: " + e.question() + " A: " + e.answers() + " rank " + rank + " budget "
              + c.usage().maxTokens() + " of " + c.usage().inputTokens());
          System.out.println(c.text());
          for (int i = 0; i < Math.min(rank, 10); i++) {
            SegmentedDocument passage = ranked.passages().get((int) scores.get(i)[1]);
            System.out.printf(Locale.ROOT, "  #%d %.3f [%s] %s%n", i + 1, scores.get(i)[0], passage.title(),
                passage.unitText((int) scores.get(i)[2]));
          }
        }
        String key = String.format(Locale.ROOT, "%-24s | %-36s", bucket, where);
        table.computeIfAbsent(key, k -> new int[2])[kept ? 0 : 1]++;
      }
    }
    System.out.printf(Locale.ROOT, "%s at %s, fast: best answer unit's rank | where | kept | lost%n", set, budgetArg);
    table.forEach((k, v) -> System.out.printf(Locale.ROOT, "%s | %3d | %3d%n", k, v[0], v[1]));
    System.out.println("lost, answer ranked below 2: A the top unit's passage, B the best answer unit's");
    hops.forEach((k, v) -> System.out.printf(Locale.ROOT, "%3d  %s%n", v, k));
  }

  private static String bare(String title) {
    if (title == null) return "";
    String t = title.toLowerCase(Locale.ROOT);
    int paren = t.indexOf(" (");
    return (paren > 0 ? t.substring(0, paren) : t).strip();
  }

  private MissProbe() {}
}
