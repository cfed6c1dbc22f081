package dev.precis.rank;

import dev.precis.encode.SentenceEncoder;
import dev.precis.encode.StaticEncoder;
import dev.precis.segment.SegmentedDocument;
import dev.precis.segment.Sections;
import dev.precis.segment.UnitKind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * Scores every unit and document of a request: BM25 first (cheap), then the sentence encoder on the units that can
 * still matter, fused with the document score as a prior. Thread-safe.
 */
public final class Ranker {
  private final Bm25Scorer bm25;
  private final SentenceEncoder encoder;
  private final StaticEncoder staticVectors;
  private final Executor ahead;
  private final CentralityQuery centralityQuery = new CentralityQuery();

  /**
   * @param bm25 the lexical scorer, or null to rank without BM25
   * @param encoder the sentence encoder, or null to rank without it
   */
  public Ranker(Bm25Scorer bm25, SentenceEncoder encoder) {
    this(bm25, encoder, null, null);
  }

  /** A ranker that embeds the question after the units, on the caller's thread. */
  public Ranker(Bm25Scorer bm25, SentenceEncoder encoder, StaticEncoder staticVectors) {
    this(bm25, encoder, staticVectors, null);
  }

  /**
   * @param bm25 the lexical scorer, or null to rank without BM25
   * @param encoder the sentence encoder, or null to rank without it
   * @param staticVectors static word piece vectors of the encoder's vocabulary, or null: with them the units the
   *     encoder embeds are chosen by BM25 and a soft term match that also sees related words
   * @param ahead threads that embed the question while the caller scores the units cheaply, or null to embed it after
   *     the units (the vector is the same either way: the question is always embedded alone)
   */
  public Ranker(Bm25Scorer bm25, SentenceEncoder encoder, StaticEncoder staticVectors, Executor ahead) {
    this.bm25 = bm25;
    this.encoder = encoder;
    this.staticVectors = staticVectors;
    this.ahead = ahead;
  }

  /**
   * @param query the question, or null to rank by centrality
   * @param documents the segmented documents
   * @param settings fusion weights
   * @param encoderTextLimit how many units the encoder may embed; 0 ranks without a transformer pass, with the static
   *     vectors' soft match (when there are static vectors and a query) as the semantic signal
   */
  public Ranking rank(
      String query, List<SegmentedDocument> documents, RankSettings settings, int encoderTextLimit) {
    boolean queryAgnostic = query == null;
    Prefetch<float[]> queryVector = encoder != null && !queryAgnostic && encoderTextLimit > 0 && ahead != null
        ? Prefetch.start(() -> encoder.embedQuery(query), ahead)
        : null;
    int n = documents.size();
    double[][] lexical = new double[n][];
    double[][] semantic = new double[n][];
    double[] docLexical = new double[n];
    for (int d = 0; d < n; d++) {
      int size = documents.get(d).units().size();
      lexical[d] = new double[size];
      semantic[d] = new double[size];
      Arrays.fill(semantic[d], Double.NaN);
    }

    List<Sections> sections = new ArrayList<>(n);
    for (SegmentedDocument doc : documents) sections.add(Sections.of(doc, Sections.DEFAULT_WINDOW_CHARS));
    // The fitted fusion where its data covers the request: a question, the encoder's pass (not effort instant's static
    // match), no structured document (none was fitted on), and no long document of several sections when the model
    // leaves those to the hand-set weights.
    FusionModel fitted = queryAgnostic || encoder == null || encoderTextLimit == 0 ? null : settings.fusion();
    for (int d = 0; d < n && fitted != null; d++) {
      if (documents.get(d).structure() != null || (fitted.handForSections() && sections.get(d).divided())) {
        fitted = null;
      }
    }
    double[][] sectionLexical = new double[n][];
    for (int d = 0; d < n; d++) sectionLexical[d] = new double[sections.get(d).count()];

    if (bm25 != null) {
      String lexicalQuery = queryAgnostic ? centralityQuery.of(documents) : query;
      Bm25Scorer.Scores raw = bm25.score(lexicalQuery, documents, sections);
      for (int d = 0; d < n; d++) relativeToBest(raw.sections()[d], sectionLexical[d]);
      double bestUnit = 0;
      double bestDoc = 0;
      for (int d = 0; d < n; d++) {
        for (float s : raw.units()[d]) bestUnit = Math.max(bestUnit, s);
        bestDoc = Math.max(bestDoc, raw.documents()[d]);
      }
      for (int d = 0; d < n; d++) {
        for (int u = 0; u < lexical[d].length; u++) {
          lexical[d][u] = bestUnit > 0 ? raw.units()[d][u] / bestUnit : 0;
        }
        docLexical[d] = bestDoc > 0 ? raw.documents()[d] / bestDoc : 0;
      }
    }

    boolean[] titleLine = new boolean[n]; // unit 0 is the passage's title line: its title, not a unit
    for (int d = 0; d < n; d++) titleLine[d] = documents.get(d).opensWithTitleLine();

    double[][] soft = new double[n][];
    double[] docSoft = new double[n];
    for (int d = 0; d < n; d++) soft[d] = new double[lexical[d].length];
    if (staticVectors != null && !queryAgnostic && settings.staticWeight() > 0) {
      softMatch(query, documents, soft, docSoft);
      for (int d = 0; d < n; d++) {
        if (titleLine[d]) soft[d][0] = 0; // as in BM25
      }
    }

    int[][] headingOf = headings(documents, titleLine, settings.sectionWeight() > 0);
    double[][] structural = structural(query, documents, settings, fitted == null);
    double[][] answerType = answerTypes(query, documents, titleLine);
    double[][] sectionCheap = new double[n][];
    for (int d = 0; d < n; d++) {
      sectionCheap[d] = new double[documents.get(d).units().size()];
      if (!sections.get(d).divided() || settings.sectionCheapWeight() == 0) continue;
      double[] sectionSoft = bestPerSection(sections.get(d), soft[d]);
      for (int u = 0; u < sectionCheap[d].length; u++) {
        int s = sections.get(d).of(u);
        sectionCheap[d][u] = settings.sectionCheapWeight()
            * (sectionLexical[d][s] + settings.staticWeight() * sectionSoft[s]);
      }
    }
    int embedded = 0;
    boolean softSemantic = false;
    if (encoder != null) {
      if (encoderTextLimit == 0 && staticVectors != null && !queryAgnostic && settings.staticWeight() > 0) {
        // No transformer pass at all: the static soft match is the semantic signal.
        softSemantic = true;
        for (int d = 0; d < n; d++) semantic[d] = soft[d].clone();
      } else {
        List<int[]> chosen = chooseForEncoder(titleLine, lexical, docLexical, soft, docSoft, headingOf, structural,
            sectionCheap, answerType, settings, fitted, encoderTextLimit);
        List<String> texts = new ArrayList<>(chosen.size());
        for (int[] x : chosen) texts.add(encoderText(documents.get(x[0]), x[1]));
        int allowance = withinCharAllowance(texts, (long) encoderTextLimit * settings.encoderCharsPerUnit());
        chosen = chosen.subList(0, allowance);
        embedded = chosen.size();
        if (!chosen.isEmpty()) embed(query, queryVector, texts.subList(0, allowance), chosen, semantic);
      }
    }

    double[] docSemantic = new double[n];
    for (int d = 0; d < n; d++) {
      double best = 0;
      for (double s : semantic[d]) if (!Double.isNaN(s)) best = Math.max(best, s);
      docSemantic[d] = best;
    }
    double share = encoder == null ? 0 : bm25 == null ? 1 : settings.documentSemanticShare();
    double[] docBase = new double[n];
    for (int d = 0; d < n; d++) docBase[d] = share * docSemantic[d] + (1 - share) * docLexical[d];

    double[][] sectionScores = new double[n][];
    double[][] sectionPrior = new double[n][];
    for (int d = 0; d < n; d++) {
      double[] sectionSemantic = new double[sections.get(d).count()];
      relativeToBest(bestPerSection(sections.get(d), semantic[d]), sectionSemantic);
      sectionScores[d] = new double[sectionSemantic.length];
      for (int s = 0; s < sectionSemantic.length; s++) {
        sectionScores[d][s] = share * sectionSemantic[s] + (1 - share) * sectionLexical[d][s];
      }
      sectionPrior[d] = new double[documents.get(d).units().size()];
      if (!sections.get(d).divided()) continue;
      for (int u = 0; u < sectionPrior[d].length; u++) {
        sectionPrior[d][u] = -settings.sectionPriorWeight() * (1 - sectionScores[d][sections.get(d).of(u)]);
      }
    }

    double[][] context = new double[n][];
    double[][] cutOff = new double[n][]; // each unit's cut-off edges (1 per edge): for the penalty and the features
    double[][] fragment = new double[n][];
    double[][] section = new double[n][];
    double[][] unitScores = new double[n][];
    for (int d = 0; d < n; d++) {
      context[d] = context(documents.get(d), settings, lexical[d], semantic[d]);
      cutOff[d] = fragments(documents.get(d));
      fragment[d] = new double[cutOff[d].length];
      for (int u = 0; u < fragment[d].length; u++) fragment[d][u] = -settings.fragmentPenalty() * cutOff[d][u];
      section[d] = sections(headingOf[d], settings, lexical[d], semantic[d]);
      for (int u = 0; u < section[d].length; u++) section[d][u] += sectionPrior[d][u];
      unitScores[d] = fuse(settings, lexical[d], semantic[d], context[d], fragment[d], section[d], structural[d],
          answerType[d], docBase[d]);
    }
    double[][] lead = new double[n][];
    for (int d = 0; d < n; d++) {
      lead[d] = queryAgnostic ? sectionLeads(documents.get(d), sections.get(d), titleLine[d], settings)
          : new double[unitScores[d].length];
      for (int u = 0; u < lead[d].length; u++) unitScores[d][u] += lead[d][u];
    }
    double[][][] features = features(query, documents, titleLine, lexical, semantic, soft, docLexical, docSemantic,
        docBase, sectionScores, sections, cutOff, answerType);
    if (fitted != null) {
      for (int d = 0; d < n; d++) unitScores[d] = fittedScores(fitted, features[d], structural[d]);
    }
    double[] bridge = queryAgnostic ? new double[n] : bridges(query, documents, unitScores, settings);

    List<Ranking.DocumentRanking> ranked = new ArrayList<>(n);
    for (int d = 0; d < n; d++) {
      double docScore = docBase[d] + bridge[d];
      if (bridge[d] > 0) {
        for (double[] f : features[d]) {
          f[FusionFeature.BRIDGE.ordinal()] = 1;
          f[FusionFeature.DOCUMENT_SEMANTIC_BRIDGE.ordinal()] = f[FusionFeature.DOCUMENT_SEMANTIC.ordinal()];
        }
      }
      double[] scores = bridge[d] == 0
          ? unitScores[d]
          : fitted != null
              ? fittedScores(fitted, features[d], structural[d])
              : fuse(settings, lexical[d], semantic[d], context[d], fragment[d], section[d], structural[d],
                  answerType[d], docScore);
      ranked.add(new Ranking.DocumentRanking(d, docScore, docLexical[d], docSemantic[d], bridge[d], scores,
          lexical[d], semantic[d], soft[d], context[d], fragment[d], section[d], structural[d],
          titleLine[d], sections.get(d), sectionScores[d], sectionPrior[d], lead[d], features[d]));
    }
    return new Ranking(ranked, embedded, queryAgnostic, softSemantic, fitted);
  }

  /**
   * Without a question, each prose unit's share as a section's lead: {@code summaryLeadWeight / (1 + k)}, k its place
   * among the sentences of its section (headings and a passage's title line are not counted and get nothing; nor do
   * structured units, which have their own prior). Fitted by folds on the long sets and qasper asked without their
   * questions (docs/ranking-audit.md, session 17): a section's lead says what it is about more often than its most
   * central sentence does.
   */
  private static double[] sectionLeads(SegmentedDocument doc, Sections sections, boolean titleLine,
      RankSettings settings) {
    double[] out = new double[doc.units().size()];
    if (settings.summaryLeadWeight() == 0) return out;
    for (Sections.Section section : sections.list()) {
      int k = 0;
      for (int u = section.first(); u < section.end(); u++) {
        if (doc.units().get(u).kind() == UnitKind.HEADING || (u == 0 && titleLine) || doc.structured(u)) continue;
        out[u] = settings.summaryLeadWeight() / (1 + k++);
      }
    }
    return out;
  }

  /** The fitted model's log-odds of each unit, plus its hand-set structural term (structured documents only). */
  private static double[] fittedScores(FusionModel model, double[][] features, double[] structural) {
    double[] out = new double[features.length];
    for (int u = 0; u < out.length; u++) out[u] = model.score(features[u]) + structural[u];
    return out;
  }

  /**
   * Every unit's {@link FusionFeature}s, {@code [document][unit][feature]}, the bridge left at 0 (set once bridges are
   * known). Cheap: a few passes over the units and two sorts.
   */
  private static double[][][] features(String query, List<SegmentedDocument> documents, boolean[] titleLine,
      double[][] lexical, double[][] semantic, double[][] soft, double[] docLexical, double[] docSemantic,
      double[] docBase, double[][] sectionScores, List<Sections> sections, double[][] fragments,
      double[][] answerType) {
    int n = documents.size();
    int[][] headingOf = headings(documents, titleLine, true);
    double[][] semanticRank = unitRanks(semantic);
    double[][] lexicalRank = unitRanks(lexical);
    Integer[] byDocument = new Integer[n];
    for (int d = 0; d < n; d++) byDocument[d] = d;
    Arrays.sort(byDocument, Comparator.comparingDouble((Integer d) -> -docBase[d]).thenComparingInt(d -> d));
    double[] documentRank = new double[n];
    for (int r = 0; r < n; r++) documentRank[byDocument[r]] = 1.0 / (1 + r);
    Set<String> questionWords = query == null ? Set.of() : words(query);
    int count = FusionFeature.values().length;
    // A chunk of a longer text: a passage cut mid-sentence, or one of several passages of the request with one title
    // (one source cut into pieces, even at sentence boundaries).
    Map<String, Integer> titles = new HashMap<>();
    for (SegmentedDocument doc : documents) if (doc.title() != null) titles.merge(doc.title(), 1, Integer::sum);
    int chunks = 0;
    for (int d = 0; d < n; d++) {
      SegmentedDocument doc = documents.get(d);
      boolean chunk = doc.title() != null && titles.get(doc.title()) > 1;
      for (double f : fragments[d]) chunk |= f > 0;
      if (chunk) chunks++;
    }
    double chunked = n == 0 ? 0 : chunks / (double) n;
    double[][][] out = new double[n][][];
    for (int d = 0; d < n; d++) {
      SegmentedDocument doc = documents.get(d);
      var units = doc.units();
      double titleInQuestion = 0;
      if (doc.title() != null && !questionWords.isEmpty()) {
        Set<String> title = words(doc.title());
        int held = 0;
        for (String w : title) if (questionWords.contains(w)) held++;
        titleInQuestion = title.isEmpty() ? 0 : held / (double) title.size();
      }
      double[] fragment = fragments[d];
      int lead = titleLine[d] ? 1 : 0;
      out[d] = new double[units.size()][count];
      for (int u = 0; u < units.size(); u++) {
        double[] f = out[d][u];
        double sem = semantic[d][u];
        f[FusionFeature.SEMANTIC.ordinal()] = Double.isNaN(sem) ? 0 : sem;
        f[FusionFeature.EMBEDDED.ordinal()] = Double.isNaN(sem) ? 0 : 1;
        f[FusionFeature.SEMANTIC_RANK.ordinal()] = semanticRank[d][u];
        f[FusionFeature.LEXICAL.ordinal()] = lexical[d][u];
        f[FusionFeature.LEXICAL_RANK.ordinal()] = lexicalRank[d][u];
        f[FusionFeature.SOFT.ordinal()] = soft[d][u];
        f[FusionFeature.DOCUMENT_LEXICAL.ordinal()] = docLexical[d];
        f[FusionFeature.DOCUMENT_SEMANTIC.ordinal()] = docSemantic[d];
        f[FusionFeature.DOCUMENT_RANK.ordinal()] = documentRank[d];
        f[FusionFeature.TITLE_IN_QUESTION.ordinal()] = titleInQuestion;
        int paragraph = units.get(u).paragraph();
        double neighbourSemantic = 0;
        double neighbourLexical = 0;
        for (int v : new int[] {u - 1, u + 1}) {
          if (v < 0 || v >= units.size() || units.get(v).paragraph() != paragraph || (v == 0 && titleLine[d])) {
            continue;
          }
          if (!Double.isNaN(semantic[d][v])) neighbourSemantic = Math.max(neighbourSemantic, semantic[d][v]);
          neighbourLexical = Math.max(neighbourLexical, lexical[d][v]);
        }
        f[FusionFeature.NEIGHBOUR_SEMANTIC.ordinal()] = neighbourSemantic;
        f[FusionFeature.NEIGHBOUR_LEXICAL.ordinal()] = neighbourLexical;
        int h = headingOf[d][u];
        if (h >= 0) {
          f[FusionFeature.HEADING_SEMANTIC.ordinal()] = Double.isNaN(semantic[d][h]) ? 0 : semantic[d][h];
          f[FusionFeature.HEADING_LEXICAL.ordinal()] = lexical[d][h];
        }
        if (sections.get(d).divided()) {
          f[FusionFeature.SECTION_SHORTFALL.ordinal()] = 1 - sectionScores[d][sections.get(d).of(u)];
        }
        f[FusionFeature.FRAGMENT.ordinal()] = fragment[u];
        f[FusionFeature.LEAD.ordinal()] = 1.0 / (1 + Math.max(0, u - lead));
        f[FusionFeature.ANSWER_TYPE.ordinal()] = answerType[d][u];
        f[FusionFeature.CHUNKED.ordinal()] = chunked;
      }
    }
    return out;
  }

  /** Each unit's {@code 1 / (1 + rank)} by value over the request, best first (ties by position); 0 where NaN. */
  private static double[][] unitRanks(double[][] values) {
    List<int[]> all = new ArrayList<>();
    for (int d = 0; d < values.length; d++) {
      for (int u = 0; u < values[d].length; u++) if (!Double.isNaN(values[d][u])) all.add(new int[] {d, u});
    }
    all.sort(Comparator.comparingDouble((int[] x) -> -values[x[0]][x[1]]).thenComparingInt(x -> x[0])
        .thenComparingInt(x -> x[1]));
    double[][] out = new double[values.length][];
    for (int d = 0; d < values.length; d++) out[d] = new double[values[d].length];
    for (int r = 0; r < all.size(); r++) out[all.get(r)[0]][all.get(r)[1]] = 1.0 / (1 + r);
    return out;
  }

  /** The distinct lowercase words of three or more letters or digits. */
  private static Set<String> words(String text) {
    Set<String> out = new java.util.HashSet<>();
    for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) if (w.length() >= 3) out.add(w);
    return out;
  }

  /** Each value divided by the best of them (all 0 when none is positive); NaN counts as 0. */
  private static void relativeToBest(float[] values, double[] out) {
    double best = 0;
    for (float v : values) if (v > best) best = v;
    for (int i = 0; i < out.length; i++) out[i] = best > 0 && values[i] > 0 ? values[i] / best : 0;
  }

  private static void relativeToBest(double[] values, double[] out) {
    double best = 0;
    for (double v : values) if (v > best) best = v;
    for (int i = 0; i < out.length; i++) out[i] = best > 0 && values[i] > 0 ? values[i] / best : 0;
  }

  /** The best value of each section's units (NaN counts as 0). */
  private static double[] bestPerSection(Sections sections, double[] unitValues) {
    double[] best = new double[sections.count()];
    for (int u = 0; u < unitValues.length; u++) {
      double v = unitValues[u];
      if (!Double.isNaN(v)) best[sections.of(u)] = Math.max(best[sections.of(u)], v);
    }
    return best;
  }

  /** A unit's own relevance: its semantic and lexical parts, without the document prior. */
  private static double own(RankSettings settings, double lexical, double semantic) {
    return settings.semanticWeight() * (Double.isNaN(semantic) ? 0 : semantic) + settings.lexicalWeight() * lexical;
  }

  private static double[] fuse(RankSettings settings, double[] lexical, double[] semantic, double[] context,
      double[] fragment, double[] section, double[] structural, double[] answerType, double docScore) {
    double[] out = new double[lexical.length];
    for (int u = 0; u < out.length; u++) {
      out[u] = own(settings, lexical[u], semantic[u]) + settings.documentWeight() * docScore + context[u]
          + fragment[u] + section[u] + structural[u] + settings.answerTypeWeight() * answerType[u];
    }
    return out;
  }

  /**
   * 1 for each unit that holds the kind of answer the question asks for ({@link AnswerType}), else 0; all 0 when the
   * question asks for no particular kind, and for a passage's title line.
   */
  private static double[][] answerTypes(String query, List<SegmentedDocument> documents, boolean[] titleLine) {
    AnswerType asked = AnswerType.of(query);
    double[][] out = new double[documents.size()][];
    for (SegmentedDocument doc : documents) {
      double[] held = new double[doc.units().size()];
      out[doc.index()] = held;
      if (asked == AnswerType.NONE) continue;
      for (int u = titleLine[doc.index()] ? 1 : 0; u < held.length; u++) {
        if (asked.heldBy(doc.unitText(u))) held[u] = 1;
      }
    }
    return out;
  }

  /**
   * For each unit, the share of the question's identifiers (ids, SKUs, hashes, snake_case and camelCase names, dotted
   * paths, numbers: {@link Identifiers}) it holds exactly, weighted by {@code identifierWeight}, plus, for a unit of a
   * structured document, its structural prior weighted by {@code structureWeight}. A unit of prose counts the
   * identifiers only where the hand-set sum ranks ({@code namedInProse}), and only those that read as code ({@link
   * Identifiers#codeLike}): a question about {@code pg_hba.conf} or {@code asyncio.loop.call_later()} is answered
   * where that name stands, whole, while a year, a hyphenated word or a camelCase name it names is a word that BM25
   * matches already, and in a multi-hop question mostly names the first hop.
   * The fitted fusion for prose passages was fitted without this term. A passage's title line gets nothing.
   */
  private static double[][] structural(
      String query, List<SegmentedDocument> documents, RankSettings settings, boolean namedInProse) {
    double[][] out = new double[documents.size()][];
    Set<String> asked = query == null || settings.identifierWeight() == 0 ? Set.of() : Identifiers.of(query);
    Set<String> askedInProse = new LinkedHashSet<>();
    if (namedInProse) for (String id : asked) if (Identifiers.codeLike(id)) askedInProse.add(id);
    for (SegmentedDocument doc : documents) {
      double[] scores = new double[doc.units().size()];
      out[doc.index()] = scores;
      for (int u = 0; u < scores.length; u++) {
        boolean structured = doc.structured(u);
        Set<String> named = structured ? asked : askedInProse;
        if (!structured && (named.isEmpty() || (u == 0 && doc.opensWithTitleLine()))) continue;
        double share = 0;
        if (!named.isEmpty()) {
          Set<String> held = Identifiers.of(doc.rankText(u));
          int hits = 0;
          for (String id : named) if (held.contains(id)) hits++;
          share = hits / (double) named.size();
        }
        scores[u] = settings.identifierWeight() * share
            + (structured ? settings.structureWeight() * doc.structure().prior(u) : 0);
      }
    }
    return out;
  }

  /**
   * For each unit, the unit index of the heading of its section in its document, or -1 (a heading itself, a unit
   * before the first heading, or section weight 0).
   */
  private static int[][] headings(List<SegmentedDocument> documents, boolean[] titleLine, boolean wanted) {
    int[][] out = new int[documents.size()][];
    for (SegmentedDocument doc : documents) {
      var units = doc.units();
      int[] heading = new int[units.size()];
      Arrays.fill(heading, -1);
      if (wanted && !titleLine[doc.index()]) { // a title line is no section heading
        int current = -1;
        int currentSection = -1;
        for (int u = 0; u < units.size(); u++) {
          var unit = units.get(u);
          if (unit.kind() == UnitKind.HEADING) {
            current = u;
            currentSection = unit.section();
          } else if (current >= 0 && unit.section() == currentSection) {
            heading[u] = current;
          }
        }
      }
      out[doc.index()] = heading;
    }
    return out;
  }

  private static double[] sections(int[] headingOf, RankSettings settings, double[] lexical, double[] semantic) {
    double[] out = new double[headingOf.length];
    for (int u = 0; u < out.length; u++) {
      int h = headingOf[u];
      if (h >= 0) out[u] = settings.sectionWeight() * own(settings, lexical[h], semantic[h]);
    }
    return out;
  }

  private static double[] context(
      SegmentedDocument doc, RankSettings settings, double[] lexical, double[] semantic) {
    double[] out = new double[lexical.length];
    if (settings.contextWeight() == 0) return out;
    var units = doc.units();
    for (int u = 0; u < out.length; u++) {
      double best = 0;
      int paragraph = units.get(u).paragraph();
      if (u > 0 && units.get(u - 1).paragraph() == paragraph) {
        best = Math.max(best, own(settings, lexical[u - 1], semantic[u - 1]));
      }
      if (u + 1 < out.length && units.get(u + 1).paragraph() == paragraph) {
        best = Math.max(best, own(settings, lexical[u + 1], semantic[u + 1]));
      }
      out[u] = settings.contextWeight() * best;
    }
    return out;
  }

  /** 1 for a sentence cut off at its document's start, 1 more for one cut off at its end; 0 for the rest. */
  private static double[] fragments(SegmentedDocument doc) {
    double[] out = new double[doc.units().size()];
    if (out.length == 0) return out;
    int first = 0; // a passage taken from a section starts with its heading; the fragment would be the text under it
    while (first < out.length - 1 && doc.units().get(first).kind() == UnitKind.HEADING) first++;
    if (doc.units().get(first).kind() == UnitKind.SENTENCE && startsMidSentence(doc.unitText(first))) {
      out[first] = 1;
    }
    int last = out.length - 1;
    if (doc.units().get(last).kind() == UnitKind.SENTENCE
        && endsMidSentence(doc.unitText(last))) {
      out[last] += 1;
    }
    return out;
  }

  private static boolean startsMidSentence(String text) {
    int c = text.codePointAt(0);
    return Character.isLowerCase(c);
  }

  private static boolean endsMidSentence(String text) {
    int c = text.codePointBefore(text.length());
    return Character.isLetterOrDigit(c) || c == ',' || c == ';' || c == ':' || c == '-';
  }

  /**
   * Soft term matching with the static vectors (see {@link StaticEncoder#softMatch}), min-max normalised over the
   * request: each unit as the encoder would see it (title in front); a document's is its best unit's.
   */
  private void softMatch(String query, List<SegmentedDocument> documents, double[][] soft, double[] docSoft) {
    int total = 0;
    for (SegmentedDocument doc : documents) total += doc.units().size();
    if (total == 0) return;
    int[][] ids = encoderTextIds(documents, total);
    float[] weights = staticVectors.requestWeights(ids);
    float[] raw = staticVectors.softMatch(staticVectors.tokenizer().wordPieceIds(query), ids, weights);
    float min = Float.POSITIVE_INFINITY;
    float max = Float.NEGATIVE_INFINITY;
    for (float s : raw) {
      min = Math.min(min, s);
      max = Math.max(max, s);
    }
    double range = max - min;
    int i = 0;
    for (int d = 0; d < soft.length; d++) {
      for (int u = 0; u < soft[d].length; u++, i++) {
        soft[d][u] = range > 1e-9 ? (raw[i] - min) / range : 0;
        docSoft[d] = Math.max(docSoft[d], soft[d][u]);
      }
    }
  }

  /**
   * The word piece ids of every unit's {@link #encoderText}, in document and unit order. The title's pieces are computed
   * once per document: WordPiece splits at whitespace and punctuation, so the pieces of {@code title + ": " + text}
   * are those of {@code title + ":"} followed by those of {@code text}.
   */
  private int[][] encoderTextIds(List<SegmentedDocument> documents, int total) {
    var tokenizer = staticVectors.tokenizer();
    int[][] ids = new int[total][];
    int i = 0;
    for (SegmentedDocument doc : documents) {
      int[] title = doc.title() == null ? new int[0] : tokenizer.wordPieceIds(doc.title() + ":");
      for (int u = 0; u < doc.units().size(); u++) {
        int[] text = tokenizer.wordPieceIds(doc.rankText(u));
        int[] both = Arrays.copyOf(title, title.length + text.length);
        System.arraycopy(text, 0, both, title.length, text.length);
        ids[i++] = both;
      }
    }
    return ids;
  }

  /**
   * The units worth embedding: the best by the cheap score, up to the limit (without a query, the cheap score is
   * lexical centrality, so the centroid is that of the most central units).
   */
  private static List<int[]> chooseForEncoder(boolean[] titleLine, double[][] lexical, double[] docLexical,
      double[][] soft, double[] docSoft, int[][] headingOf, double[][] structural, double[][] sectionCheap,
      double[][] answerType, RankSettings settings, FusionModel model, int limit) {
    double softWeight = settings.staticWeight();
    double leadWeight = settings.leadWeight();
    FusionModel fitted = model != null && model.fittedCandidates() ? model : null;
    // The answer type bonus where the hand-set sum ranks. A request the fitted fusion ranks keeps the candidate stage
    // its fusion was fitted on (FusionFit's feature pass runs without the bonus).
    double answerTypeBonus = model == null ? settings.answerTypeWeight() : 0;
    List<int[]> all = new ArrayList<>();
    for (int d = 0; d < titleLine.length; d++) {
      int first = titleLine[d] ? 1 : 0;
      for (int u = first; u < lexical[d].length; u++) all.add(new int[] {d, u});
    }
    if (all.size() <= limit) return all;
    // Cheap score: the unit's own BM25 and soft match plus its document's, plus a lead bonus (first units carry the
    // topic).
    // Units under a heading that matches get half its match, as they get half their document's.
    // A fitted candidate stage weighs the same parts as fitted (a document's soft match is then that of its units).
    double[][] cheapScore = new double[titleLine.length][];
    double[] parts = new double[FusionModel.CANDIDATE_FEATURES.size()];
    for (int d = 0; d < cheapScore.length; d++) {
      cheapScore[d] = new double[lexical[d].length];
      int lead = titleLine[d] ? 1 : 0; // the lead sentence comes after a title line
      double unitsSoft = 0;
      for (double s : soft[d]) unitsSoft = Math.max(unitsSoft, s);
      for (int u = 0; u < cheapScore[d].length; u++) {
        int h = headingOf[d][u];
        if (fitted != null) {
          parts[0] = lexical[d][u];
          parts[1] = docLexical[d];
          parts[2] = soft[d][u];
          parts[3] = unitsSoft;
          parts[4] = h < 0 ? 0 : lexical[d][h];
          parts[5] = h < 0 ? 0 : soft[d][h];
          parts[6] = 1.0 / (1 + Math.max(0, u - lead));
          cheapScore[d][u] = fitted.candidateScore(parts) + structural[d][u] + sectionCheap[d][u];
          continue;
        }
        double section = h < 0 ? 0 : 0.5 * (lexical[d][h] + softWeight * soft[d][h]);
        cheapScore[d][u] = lexical[d][u] + 0.5 * docLexical[d] + softWeight * (soft[d][u] + 0.5 * docSoft[d])
            + section + structural[d][u] + sectionCheap[d][u] + leadWeight / (1 + Math.max(0, u - lead))
            + answerTypeBonus * answerType[d][u];
      }
    }
    Comparator<int[]> cheap = Comparator.comparingDouble((int[] x) -> -cheapScore[x[0]][x[1]]);
    all.sort(cheap.thenComparingInt(x -> x[0]).thenComparingInt(x -> x[1]));
    // Breadth first: every document's best unit by the cheap score (documents in cheap order), so that a document
    // BM25 misses still gets one look from the encoder; then the rest by cheap score.
    List<int[]> chosen = new ArrayList<>(limit);
    boolean[] seen = new boolean[titleLine.length];
    List<int[]> rest = new ArrayList<>(all.size());
    for (int[] x : all) {
      if (!seen[x[0]] && chosen.size() < limit) {
        seen[x[0]] = true;
        chosen.add(x);
      } else {
        rest.add(x);
      }
    }
    for (int i = 0; chosen.size() < limit && i < rest.size(); i++) chosen.add(rest.get(i));
    return chosen;
  }

  /**
   * How many of the texts, in order, fit in {@code allowance} characters: they stop before the first that would go
   * past it, but the first is always taken. An allowance of 0 takes them all.
   */
  static int withinCharAllowance(List<String> texts, long allowance) {
    if (allowance <= 0) return texts.size();
    long used = 0;
    for (int i = 0; i < texts.size(); i++) {
      used += texts.get(i).length();
      if (i > 0 && used > allowance) return i;
    }
    return texts.size();
  }

  private void embed(String query, Prefetch<float[]> queryVector, List<String> texts, List<int[]> chosen,
      double[][] semantic) {
    float[][] vectors = encoder.embed(texts);
    float[] target = query == null ? centroid(vectors)
        : queryVector != null ? queryVector.get() : encoder.embedQuery(query);
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    double[] cos = new double[vectors.length];
    for (int i = 0; i < vectors.length; i++) {
      cos[i] = dot(vectors[i], target);
      min = Math.min(min, cos[i]);
      max = Math.max(max, cos[i]);
    }
    double range = max - min;
    for (int i = 0; i < vectors.length; i++) {
      int[] x = chosen.get(i);
      semantic[x[0]][x[1]] = range > 1e-9 ? (cos[i] - min) / range : 1.0;
    }
  }

  /** The text the encoder sees for a unit when ranking (for warming a cache ahead of a request). */
  public static String encoderTextOf(SegmentedDocument doc, int unit) {
    return encoderText(doc, unit);
  }

  /**
   * The text the encoder sees for a unit: its document's title in front gives the sentence its subject; a structured
   * unit comes with what locates it (its JSON path, its table's column names).
   */
  static String encoderText(SegmentedDocument doc, int unit) {
    String text = doc.rankText(unit);
    return doc.title() == null ? text : doc.title() + ": " + text;
  }

  private static float[] centroid(float[][] vectors) {
    float[] c = new float[vectors[0].length];
    for (float[] v : vectors) for (int i = 0; i < c.length; i++) c[i] += v[i];
    double norm = 0;
    for (float x : c) norm += x * x;
    norm = Math.sqrt(norm);
    if (norm > 0) for (int i = 0; i < c.length; i++) c[i] /= (float) norm;
    return c;
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) s += a[i] * b[i];
    return s;
  }

  /**
   * Multi-hop questions: the second document is often named (by its title) in the best sentences of the first.
   * Each document whose title occurs in one of the request's best units of another document gets a bonus. A title
   * the question itself names, or the source document's own title (chunks of one article), is no second hop: the
   * first-hop scores already favour it.
   */
  private static double[] bridges(
      String query, List<SegmentedDocument> documents, double[][] unitScores, RankSettings settings) {
    double[] bonus = new double[documents.size()];
    if (settings.bridgeBonus() == 0 || settings.bridgeSources() == 0) return bonus;
    List<int[]> all = new ArrayList<>();
    for (int d = 0; d < unitScores.length; d++) {
      for (int u = 0; u < unitScores[d].length; u++) all.add(new int[] {d, u});
    }
    all.sort(Comparator.comparingDouble((int[] x) -> -unitScores[x[0]][x[1]])
        .thenComparingInt(x -> x[0]).thenComparingInt(x -> x[1]));
    String question = query.toLowerCase(Locale.ROOT);
    int sources = Math.min(settings.bridgeSources(), all.size());
    for (int i = 0; i < sources; i++) {
      int[] x = all.get(i);
      SegmentedDocument source = documents.get(x[0]);
      String sourceTitle = source.title() == null ? "" : source.title().toLowerCase(Locale.ROOT).strip();
      String text = source.rankText(x[1]).toLowerCase(Locale.ROOT);
      for (SegmentedDocument other : documents) {
        if (other.index() == x[0] || other.title() == null || bonus[other.index()] > 0) continue;
        String title = other.title().toLowerCase(Locale.ROOT).strip();
        if (title.length() < 3 || title.equals(sourceTitle) || containsWord(question, title)) continue;
        if (containsWord(text, title)) bonus[other.index()] = settings.bridgeBonus();
      }
    }
    return bonus;
  }

  private static boolean containsWord(String text, String phrase) {
    int from = 0;
    while (true) {
      int at = text.indexOf(phrase, from);
      if (at < 0) return false;
      int end = at + phrase.length();
      boolean startOk = at == 0 || !Character.isLetterOrDigit(text.charAt(at - 1));
      boolean endOk = end == text.length() || !Character.isLetterOrDigit(text.charAt(end));
      if (startOk && endOk) return true;
      from = at + 1;
    }
  }
}
