package dev.precis.rank;

/**
 * The per-unit features a fitted fusion ({@link FusionModel}) combines. Each is computed for every unit of a request,
 * whatever the fusion in use, so that the offline fit sees what the ranker sees; most are in [0, 1].
 */
public enum FusionFeature {
  SEMANTIC("semantic",
      "encoder cosine to the question, min-max normalised over the embedded units (0 if not embedded)"),
  EMBEDDED("embedded", "1 if the cheap score chose the unit for the encoder, else 0"),
  SEMANTIC_RANK("semanticRank", "1 / (1 + the unit's rank by semantic score among the embedded units)"),
  LEXICAL("lexical", "BM25 of the unit (and its title) / the request's best unit BM25"),
  LEXICAL_RANK("lexicalRank", "1 / (1 + the unit's rank by BM25 in the request)"),
  SOFT("soft", "soft term match with the static word piece vectors, min-max normalised (0 without them)"),
  DOCUMENT_LEXICAL("documentLexical", "document BM25 / the request's best document BM25"),
  DOCUMENT_SEMANTIC("documentSemantic", "best semantic score of the document's units"),
  DOCUMENT_RANK("documentRank", "1 / (1 + the document's rank by its hand-set score: BM25 and best semantic mixed)"),
  BRIDGE("bridge", "1 if the document's title is named in one of another document's best units, else 0"),
  TITLE_IN_QUESTION("titleInQuestion", "share of the document title's words (3+ letters) that the question holds"),
  NEIGHBOUR_SEMANTIC("neighbourSemantic", "best semantic score of the unit's neighbours in its paragraph"),
  NEIGHBOUR_LEXICAL("neighbourLexical", "best normalised BM25 of the unit's neighbours in its paragraph"),
  HEADING_SEMANTIC("headingSemantic", "semantic score of the heading of the unit's section (0 without one)"),
  HEADING_LEXICAL("headingLexical", "normalised BM25 of the heading of the unit's section (0 without one)"),
  SECTION_SHORTFALL("sectionShortfall", "1 - the section's score relative to the document's best (0 if undivided)"),
  FRAGMENT("fragment", "1 for a sentence cut off at its document's start or end, else 0"),
  LEAD("lead", "1 / (1 + position of the unit after the document's lead)"),
  DOCUMENT_SEMANTIC_BRIDGE("documentSemanticBridge",
      "documentSemantic x bridge: a second-hop document counts by how well its best unit matches the question"),
  ANSWER_TYPE("answerType", "1 if the question asks for a number or a date (\"how many\", \"when\") and the unit "
      + "holds one, else 0"),
  CHUNKED("chunked", "share of the request's passages that are chunks cut from a longer text: they start or end "
      + "mid-sentence, or share their title with another passage; the same for every unit of a request, it scales the "
      + "model's chunked weights");

  private final String key;
  private final String description;

  FusionFeature(String key, String description) {
    this.key = key;
    this.description = description;
  }

  /** The feature's name in a weights file. */
  public String key() {
    return key;
  }

  public String description() {
    return description;
  }

  /** The feature named {@code key} in a weights file. */
  public static FusionFeature ofKey(String key) {
    for (FusionFeature f : values()) if (f.key.equals(key)) return f;
    throw new IllegalArgumentException("illegal fusion feature: " + key + ", must be one of "
        + java.util.Arrays.stream(values()).map(FusionFeature::key).toList());
  }
}
