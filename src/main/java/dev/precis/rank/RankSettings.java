package dev.precis.rank;

/**
 * Weights of the fused relevance score. A unit's score is {@code semanticWeight * semantic + lexicalWeight *
 * lexical + documentWeight * document}, each term in [0, 1], so the score is in [0, sum of weights].
 *
 * @param semanticWeight weight of the encoder's cosine similarity (min-max normalised over the request)
 * @param lexicalWeight weight of BM25 (divided by the request's best BM25 score)
 * @param documentWeight weight of the unit's document score (the document prior)
 * @param documentSemanticShare share of the encoder in the document score (the rest is document BM25)
 * @param bridgeBonus added to the document score of a document whose title appears in one of the best units of
 *     another document (reaching the second hop of a multi-hop question); 0 disables it
 * @param bridgeSources how many of the best units are searched for other documents' titles
 * @param encoderTextLimit with effort FAST, at most this many units are embedded per request: the best by the cheap
 *     score (BM25 of the unit and its document, and position); the rest keep their cheap score
 * @param bestEncoderTextLimit the same limit for effort BEST
 * @param encoderCharsPerUnit what the encoder may read, in characters per unit of its limit: with a limit of 32 units
 *     and 175 characters, the units chosen for the encoder stop before the one that would take their text (title
 *     included) past 5,600 characters, so that a request of long sentences costs about what one of average sentences
 *     costs (the encoder's time grows with the word pieces it reads, not with the units); at least one unit is
 *     embedded; 0 counts units only
 * @param contextWeight share of the better neighbour's (same paragraph) relevance added to a unit's own, so that a
 *     sentence that answers through a pronoun ("He won it in 1956") rises with the sentence that names the subject
 * @param fragmentPenalty subtracted from the score of a unit that is a fragment cut off at the start or end of its
 *     document (a chunk that begins or ends mid-sentence): fragments read badly and waste small budgets
 * @param staticWeight weight of the soft term match with static word piece vectors, next to BM25, in the cheap score
 *     that chooses which units the encoder embeds; 0 leaves the choice to BM25 and position
 * @param sectionWeight weight of a unit's section heading's own relevance (its semantic and lexical part) added to
 *     the unit's score, so that a question about "how the data was collected" reaches the sentences under "Data
 *     Collection" even where they do not repeat its words; 0 disables it
 * @param identifierWeight weight of the share of the question's identifiers (ids, SKUs, hashes, e-mail addresses,
 *     numbers, snake_case and camelCase names, dotted paths) that the unit holds exactly, as whole tokens: a record the
 *     question names by its id is the record it asks about, and a sentence of a manual that names {@code
 *     pg_hba.conf} is where a question about it is answered. Structured units (JSON, table, log, code) always; prose
 *     where the hand-set sum ranks (long documents of several sections, effort instant, no fitted fusion)
 * @param structureWeight in a structured document, weight of the structural prior (errors and failures, the head and
 *     tail of an array or log)
 * @param sectionPriorWeight in a document of several sections ({@link dev.precis.segment.Sections}), weight of how far
 *     a unit's section falls short of the document's best section (BM25 of the whole section and its best semantic
 *     score, as a document's score is made): subtracted from the unit's score, so that the parts of a long document
 *     the question is about are refined first; 0 disables it
 * @param sectionCheapWeight in a document of several sections, weight of the section's BM25 and soft match (relative
 *     to the document's best section) in the cheap score that chooses the units the encoder embeds: the encoder's
 *     allowance is spent inside the sections that matter; 0 disables it
 * @param leadWeight in the cheap score that chooses the units the encoder embeds, the bonus of a document's first
 *     unit ({@code leadWeight / (1 + position)}: the lead of a passage often carries its topic); 0 disables it
 * @param answerTypeWeight added to the score of a unit that holds the kind of answer the question asks for ({@link
 *     AnswerType}: a number for "how many", a date for "when"), where the hand-set sum ranks (long documents of several
 *     sections, structured documents, no fitted fusion): in that sum and in the cheap score that chooses the units the
 *     encoder embeds; 0 disables it
 * @param summaryLeadWeight without a question, added to a unit's score as {@code summaryLeadWeight / (1 + k)}, k its
 *     place among the sentences of its section (0 for the first after the heading): a section's lead says what the
 *     section is about, so the map of a long document and the sections it opens begin where their text begins; 0
 *     leaves the summary to centrality alone
 * @param fusion the fitted fusion that scores units instead of the hand-set weights above, or null for the hand-set
 *     sum. It applies to questions over prose passages ranked with the encoder: a request without a question or
 *     without a transformer pass (effort instant), with a structured document (none was fitted on), or with a long
 *     document of several sections if the model says so ({@link FusionModel#handForSections}), is scored by the
 *     hand-set weights. Either way the document score and the structural terms are the hand-set ones
 */
public record RankSettings(
    double semanticWeight,
    double lexicalWeight,
    double documentWeight,
    double documentSemanticShare,
    double bridgeBonus,
    int bridgeSources,
    int encoderTextLimit,
    int bestEncoderTextLimit,
    int encoderCharsPerUnit,
    double contextWeight,
    double fragmentPenalty,
    double staticWeight,
    double sectionWeight,
    double identifierWeight,
    double structureWeight,
    double sectionPriorWeight,
    double sectionCheapWeight,
    double leadWeight,
    double answerTypeWeight,
    double summaryLeadWeight,
    FusionModel fusion) {
  public RankSettings {
    check("leadWeight", leadWeight);
    check("answerTypeWeight", answerTypeWeight);
    check("summaryLeadWeight", summaryLeadWeight);
    check("sectionPriorWeight", sectionPriorWeight);
    check("sectionCheapWeight", sectionCheapWeight);
    check("identifierWeight", identifierWeight);
    check("structureWeight", structureWeight);
    check("sectionWeight", sectionWeight);
    check("staticWeight", staticWeight);
    check("contextWeight", contextWeight);
    check("fragmentPenalty", fragmentPenalty);
    check("semanticWeight", semanticWeight);
    check("lexicalWeight", lexicalWeight);
    check("documentWeight", documentWeight);
    check("bridgeBonus", bridgeBonus);
    if (!(documentSemanticShare >= 0 && documentSemanticShare <= 1)) {
      throw new IllegalArgumentException(
          "illegal documentSemanticShare: " + documentSemanticShare + ", must be in [0, 1]");
    }
    if (bridgeSources < 0) {
      throw new IllegalArgumentException("illegal bridgeSources: " + bridgeSources + ", must be >= 0");
    }
    if (bestEncoderTextLimit < 0) {
      throw new IllegalArgumentException(
          "illegal bestEncoderTextLimit: " + bestEncoderTextLimit + ", must be >= 0");
    }
    if (encoderTextLimit < 0) {
      throw new IllegalArgumentException("illegal encoderTextLimit: " + encoderTextLimit + ", must be >= 0");
    }
    if (encoderCharsPerUnit < 0) {
      throw new IllegalArgumentException(
          "illegal encoderCharsPerUnit: " + encoderCharsPerUnit + ", must be >= 0 (0 counts units only)");
    }
  }

  /** Hand-set fusion (no fitted model). */
  public RankSettings(double semanticWeight, double lexicalWeight, double documentWeight, double documentSemanticShare,
      double bridgeBonus, int bridgeSources, int encoderTextLimit, int bestEncoderTextLimit, int encoderCharsPerUnit,
      double contextWeight, double fragmentPenalty, double staticWeight, double sectionWeight, double identifierWeight,
      double structureWeight, double sectionPriorWeight, double sectionCheapWeight, double leadWeight,
      double answerTypeWeight, double summaryLeadWeight) {
    this(semanticWeight, lexicalWeight, documentWeight, documentSemanticShare, bridgeBonus, bridgeSources,
        encoderTextLimit, bestEncoderTextLimit, encoderCharsPerUnit, contextWeight, fragmentPenalty, staticWeight,
        sectionWeight, identifierWeight, structureWeight, sectionPriorWeight, sectionCheapWeight, leadWeight,
        answerTypeWeight, summaryLeadWeight, null);
  }

  /** These settings with units scored by {@code model} (null: by the hand-set weights). */
  public RankSettings withFusion(FusionModel model) {
    return new RankSettings(semanticWeight, lexicalWeight, documentWeight, documentSemanticShare, bridgeBonus,
        bridgeSources, encoderTextLimit, bestEncoderTextLimit, encoderCharsPerUnit, contextWeight, fragmentPenalty,
        staticWeight, sectionWeight, identifierWeight, structureWeight, sectionPriorWeight, sectionCheapWeight,
        leadWeight, answerTypeWeight, summaryLeadWeight, model);
  }

  /** These settings with the encoder's character allowance at {@code chars} per unit (0: units only). */
  public RankSettings withEncoderCharsPerUnit(int chars) {
    return new RankSettings(semanticWeight, lexicalWeight, documentWeight, documentSemanticShare, bridgeBonus,
        bridgeSources, encoderTextLimit, bestEncoderTextLimit, chars, contextWeight, fragmentPenalty, staticWeight,
        sectionWeight, identifierWeight, structureWeight, sectionPriorWeight, sectionCheapWeight, leadWeight,
        answerTypeWeight, summaryLeadWeight, fusion);
  }

  /** These settings with the identifier weight at {@code weight} (0: identifiers match as words only). */
  public RankSettings withIdentifierWeight(double weight) {
    return new RankSettings(semanticWeight, lexicalWeight, documentWeight, documentSemanticShare, bridgeBonus,
        bridgeSources, encoderTextLimit, bestEncoderTextLimit, encoderCharsPerUnit, contextWeight, fragmentPenalty,
        staticWeight, sectionWeight, weight, structureWeight, sectionPriorWeight, sectionCheapWeight, leadWeight,
        answerTypeWeight, summaryLeadWeight, fusion);
  }

  /** These settings with the answer type bonus at {@code weight} (0: none). */
  public RankSettings withAnswerTypeWeight(double weight) {
    return new RankSettings(semanticWeight, lexicalWeight, documentWeight, documentSemanticShare, bridgeBonus,
        bridgeSources, encoderTextLimit, bestEncoderTextLimit, encoderCharsPerUnit, contextWeight, fragmentPenalty,
        staticWeight, sectionWeight, identifierWeight, structureWeight, sectionPriorWeight, sectionCheapWeight,
        leadWeight, weight, summaryLeadWeight, fusion);
  }

  private static void check(String name, double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException("illegal " + name + ": " + value + ", must be a finite number >= 0");
    }
  }

  /** The defaults: the hand-set weights below, and units of prose passages scored by the bundled fitted fusion. */
  public static RankSettings defaults() {
    return handSet().withFusion(FusionModel.bundled());
  }

  /** The hand-set weights, every unit scored by their sum (no fitted fusion). */
  public static RankSettings handSet() {
    return new RankSettings(1.0, 0.5, 0.6, 0.7, 2.0, 3, 32, 64, 175, 0.0, 1.5, 1.0, 0.5, 1.5, 0.6, 0.5, 0.0, 0.3,
        1.0, 5.0);
  }
}
