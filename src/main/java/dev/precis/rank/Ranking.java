package dev.precis.rank;

import dev.precis.engine.Explanation;
import dev.precis.segment.Sections;
import java.util.List;

/**
 * Relevance of every document and unit of a request. Scores are comparable across documents of the same request
 * only. Arrays are owned by this record: callers must not modify them.
 *
 * @param documents one entry per input document, in input order
 * @param embeddedTexts how many texts the encoder was asked to embed (cache hits included)
 * @param queryAgnostic whether the scores measure centrality rather than relevance to a question
 * @param staticSemantic whether the semantic scores are the static vectors' soft match (no transformer pass)
 * @param fusion the fitted model that scored the units, or null when the hand-set weights did
 */
public record Ranking(
    List<DocumentRanking> documents, int embeddedTexts, boolean queryAgnostic, boolean staticSemantic,
    FusionModel fusion) {
  public Ranking {
    documents = List.copyOf(documents);
  }

  /** Units scored by the hand-set weights. */
  public Ranking(List<DocumentRanking> documents, int embeddedTexts, boolean queryAgnostic, boolean staticSemantic) {
    this(documents, embeddedTexts, queryAgnostic, staticSemantic, null);
  }

  public double unitScore(int document, int unit) {
    return documents.get(document).unitScores()[unit];
  }

  /**
   * @param index the document's position in the request
   * @param score the document score in [0, 1]: the prior given to its units
   * @param lexical normalised document BM25 in [0, 1]
   * @param semantic the best normalised semantic score among its units, in [0, 1]
   * @param bridge bonus for being named by the best units of another document
   * @param unitScores fused unit scores
   * @param unitLexical normalised unit BM25 in [0, 1]
   * @param unitSemantic normalised unit semantic score in [0, 1]; NaN where the unit was not embedded
   * @param unitSoft normalised soft term match with the static vectors in [0, 1] (0 without them): with BM25 it
   *     chose the units the encoder embeds
   * @param unitContext what each unit's score gained from its better neighbour
   * @param unitFragment what each unit's score lost for being a fragment cut off at its document's edge (<= 0)
   * @param unitSection what each unit's score gained from the relevance of its section's heading
   * @param unitStructure what each unit gained from holding the question's identifiers exactly and, in a structured
   *     document, from its structural prior (prose gains from identifiers only where the hand-set sum ranks)
   * @param titleLine whether unit 0 is the document's title line, ranked as its title rather than as a unit
   * @param sections the document's sections
   * @param sectionScores each section's score in [0, 1] relative to the document's best section (BM25 of the whole
   *     section and its best semantic score, mixed as a document's score is)
   * @param unitSectionPrior what each unit's score lost for its section falling short of the document's best (<= 0;
   *     included in {@code unitSection})
   * @param unitLead without a question, what each unit gained as a section's lead ({@code summaryLeadWeight})
   * @param unitFeatures each unit's {@link FusionFeature}s, {@code [unit][feature]}
   */
  public record DocumentRanking(
      int index,
      double score,
      double lexical,
      double semantic,
      double bridge,
      double[] unitScores,
      double[] unitLexical,
      double[] unitSemantic,
      double[] unitSoft,
      double[] unitContext,
      double[] unitFragment,
      double[] unitSection,
      double[] unitStructure,
      boolean titleLine,
      Sections sections,
      double[] sectionScores,
      double[] unitSectionPrior,
      double[] unitLead,
      double[][] unitFeatures) {
    /** Without fusion features (all 0). */
    public DocumentRanking(int index, double score, double lexical, double semantic, double bridge,
        double[] unitScores, double[] unitLexical, double[] unitSemantic, double[] unitSoft, double[] unitContext,
        double[] unitFragment, double[] unitSection, double[] unitStructure, boolean titleLine, Sections sections,
        double[] sectionScores, double[] unitSectionPrior) {
      this(index, score, lexical, semantic, bridge, unitScores, unitLexical, unitSemantic, unitSoft, unitContext,
          unitFragment, unitSection, unitStructure, titleLine, sections, sectionScores, unitSectionPrior,
          new double[unitScores.length], new double[unitScores.length][FusionFeature.values().length]);
    }
  }

  private static double round(double v) {
    return Math.round(v * 1e4) / 1e4;
  }

  /** How the score of unit {@code u} of document {@code d} was made; its value equals {@link #unitScore}. */
  public Explanation explain(int d, int u, RankSettings settings) {
    DocumentRanking doc = documents.get(d);
    if (fusion != null) return explainFitted(doc, u);
    double semantic = doc.unitSemantic()[u];
    boolean embedded = !Double.isNaN(semantic);
    String semanticDescription = queryAgnostic
        ? "centrality: cosine to the mean of all unit vectors, min-max normalised"
        : staticSemantic
            ? "semantic: soft match of the query's word pieces with the static vectors (no transformer), min-max "
                + "normalised"
            : "semantic: encoder cosine to the query, min-max normalised";
    Explanation semanticPart = Explanation.of(
        embedded ? settings.semanticWeight() * semantic : 0,
        embedded ? "weight " + settings.semanticWeight() + " x " + semanticDescription
            : u == 0 && doc.titleLine()
                ? "not embedded: the passage's title line, ranked as its title (in front of every unit for the "
                    + "encoder, BM25's title field), not as a unit; semantic 0"
                : "not embedded (below the cheap-ranking cut: lexical " + round(doc.unitLexical()[u])
                    + ", soft match " + round(doc.unitSoft()[u]) + "), semantic 0",
        Explanation.of(embedded ? semantic : 0, semanticDescription));
    Explanation lexicalPart = Explanation.of(
        settings.lexicalWeight() * doc.unitLexical()[u],
        "weight " + settings.lexicalWeight() + " x lexical: BM25 of the unit (and its title) / best BM25",
        Explanation.of(doc.unitLexical()[u], "normalised BM25"));
    Explanation documentPart = Explanation.of(
        settings.documentWeight() * doc.score(),
        "weight " + settings.documentWeight() + " x document score (of the passage, when a context of pasted "
            + "passages is ranked passage by passage)",
        Explanation.of(doc.lexical(), "document BM25 / best document BM25"),
        Explanation.of(doc.semantic(), "best semantic score of the document's units"),
        Explanation.of(doc.bridge(), "bridge: title named by another document's best units"));
    Explanation contextPart = Explanation.of(doc.unitContext()[u],
        "weight " + settings.contextWeight() + " x the better neighbour's semantic and lexical part");
    Explanation fragmentPart = Explanation.of(doc.unitFragment()[u],
        "fragment penalty: a sentence cut off at the document's start or end");
    double prior = doc.unitSectionPrior()[u];
    Explanation sectionPart = doc.sections() == null || !doc.sections().divided()
        ? Explanation.of(doc.unitSection()[u],
            "weight " + settings.sectionWeight() + " x the section heading's semantic and lexical part")
        : Explanation.of(doc.unitSection()[u], "section heading's relevance and section prior (section "
                + doc.sections().of(u) + " of " + doc.sections().count() + " of the document)",
            Explanation.of(doc.unitSection()[u] - prior,
                "weight " + settings.sectionWeight() + " x the section heading's semantic and lexical part"),
            Explanation.of(prior, "section prior: -weight " + settings.sectionPriorWeight()
                    + " x (1 - section score)",
                Explanation.of(doc.sectionScores()[doc.sections().of(u)], "section score relative to the document's "
                    + "best: share x best semantic score of its units + (1 - share) x BM25 of the whole section")));
    List<Explanation> parts = new java.util.ArrayList<>(
        List.of(semanticPart, lexicalPart, documentPart, contextPart, fragmentPart, sectionPart));
    if (doc.unitStructure()[u] != 0) {
      parts.add(Explanation.of(doc.unitStructure()[u],
          "identifiers and structure: weight " + settings.identifierWeight() + " x share of the question's "
              + "identifiers held exactly + weight " + settings.structureWeight() + " x structural prior (errors, "
              + "array and log ends; structured units only)"));
    }
    if (doc.unitLead()[u] != 0) {
      parts.add(Explanation.of(doc.unitLead()[u], "section lead, without a question: weight "
          + settings.summaryLeadWeight() + " / (1 + the sentence's place in its section)"));
    }
    double answerType = doc.unitFeatures()[u][FusionFeature.ANSWER_TYPE.ordinal()];
    if (settings.answerTypeWeight() > 0 && answerType > 0) {
      parts.add(Explanation.of(settings.answerTypeWeight() * answerType, "answer type: weight "
          + settings.answerTypeWeight() + " x the question asks for a number or a date and the unit holds one"));
    }
    return new Explanation(doc.unitScores()[u], "sum of", parts);
  }

  /** A fitted score: the intercept and each feature's weight times its value, as the log-odds they sum to. */
  private Explanation explainFitted(DocumentRanking doc, int u) {
    double[] features = doc.unitFeatures()[u];
    List<Explanation> parts = new java.util.ArrayList<>();
    parts.add(Explanation.of(fusion.intercept(), "intercept"));
    double chunked = features[FusionFeature.CHUNKED.ordinal()];
    for (FusionFeature f : FusionFeature.values()) {
      double w = fusion.effectiveWeight(f, chunked);
      if (w == 0) continue;
      double value = features[f.ordinal()];
      parts.add(Explanation.of(w * value, "weight " + round(w) + " (" + round(fusion.weight(f)) + " + chunked share "
              + round(chunked) + " x " + round(fusion.chunkedWeight(f)) + ") x " + f.key() + ": " + f.description(),
          Explanation.of(value, f.key())));
    }
    if (doc.unitStructure()[u] != 0) {
      parts.add(Explanation.of(doc.unitStructure()[u], "structure (hand-set): the question's identifiers held exactly"
          + " and the structural prior (errors, array and log ends)"));
    }
    return new Explanation(doc.unitScores()[u], "fitted fusion (" + FusionModel.RESOURCE.substring(1) + "): log-odds, "
        + "up to a constant per request, that the unit holds the answer; sum of", parts);
  }
}
