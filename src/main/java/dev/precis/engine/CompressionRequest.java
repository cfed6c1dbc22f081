package dev.precis.engine;

import java.util.List;

/**
 * Everything the engine needs for one compression.
 *
 * @param query the question, or null to compress query-agnostically
 * @param documents the documents, in order; at least one
 * @param budget the token budget
 * @param encoding a jtokkit encoding name such as {@code cl100k_base}
 * @param effort the operating point
 * @param order the output order of documents
 * @param elisionMarker what marks removed text in the output (for example {@code "…"})
 * @param keepPatterns regular expressions whose matches must be kept when they fit (like LLMLingua's force_tokens)
 * @param explain whether to return why each unit was kept, summarised or dropped
 * @param compactJson whether a homogeneous array of flat JSON records may be written as a table with its keys once
 *     (valid JSON, at most 70% of the preserved form's length); by default JSON keeps its shape
 */
public record CompressionRequest(
    String query,
    List<SourceDocument> documents,
    Budget budget,
    String encoding,
    Effort effort,
    Order order,
    String elisionMarker,
    List<String> keepPatterns,
    boolean explain,
    boolean compactJson) {

  public static final String DEFAULT_ENCODING = "cl100k_base";
  public static final String DEFAULT_ELISION_MARKER = "…";

  public CompressionRequest {
    if (documents == null || documents.isEmpty()) {
      throw new IllegalArgumentException("illegal documents: none given, must have at least one");
    }
    documents = List.copyOf(documents);
    if (budget == null) throw new IllegalArgumentException("illegal budget: null, must be set");
    if (query != null && query.isBlank()) query = null;
    if (encoding == null) encoding = DEFAULT_ENCODING;
    if (effort == null) effort = Effort.FAST;
    if (order == null) order = Order.ORIGINAL;
    if (elisionMarker == null) elisionMarker = DEFAULT_ELISION_MARKER;
    keepPatterns = keepPatterns == null ? List.of() : List.copyOf(keepPatterns);
  }

  /** A request that keeps JSON in its shape. */
  public CompressionRequest(String query, List<SourceDocument> documents, Budget budget, String encoding,
      Effort effort, Order order, String elisionMarker, List<String> keepPatterns, boolean explain) {
    this(query, documents, budget, encoding, effort, order, elisionMarker, keepPatterns, explain, false);
  }

  /** A request with the defaults for everything but query, documents and budget. */
  public static CompressionRequest of(String query, List<SourceDocument> documents, Budget budget) {
    return new CompressionRequest(query, documents, budget, null, null, null, null, null, false);
  }

  public CompressionRequest withEffort(Effort newEffort) {
    return new CompressionRequest(
        query, documents, budget, encoding, newEffort, order, elisionMarker, keepPatterns, explain, compactJson);
  }
}
