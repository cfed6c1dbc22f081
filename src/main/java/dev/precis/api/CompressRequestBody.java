package dev.precis.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The JSON body of {@code POST /v1/compress}. */
@JsonIgnoreProperties(ignoreUnknown = false)
@Schema(description = "A compression request: a question, the context (documents or one text) and a budget.")
public record CompressRequestBody(
    @Schema(description = "The question the compressed context must still answer; omit for query-agnostic "
        + "compression (keeps the most central content).", examples = "Who wrote The Hobbit?")
    String query,
    @Schema(description = "The context as separate documents (retrieved passages, files). Exactly one of "
        + "documents and context.")
    List<DocumentBody> documents,
    @Schema(description = "The context as one text (a long file, a chat history). Exactly one of documents and "
        + "context.")
    String context,
    @Schema(description = "The token budget.", required = true)
    BudgetBody budget,
    @Schema(description = "Target tokenizer: cl100k_base (default), o200k_base, p50k_base, r50k_base.")
    String encoding,
    @Schema(description = "Target model name (gpt-4o, gpt-4.1, o3, gpt-4, gpt-3.5-turbo, ...), mapped to its "
        + "encoding; instead of encoding.")
    String model,
    @Schema(description = "Operating point: instant (no transformer pass), fast (default) or best.",
        enumeration = {"instant", "fast", "best"})
    String effort,
    @Schema(description = "Output order of documents: original (default) or relevance.",
        enumeration = {"original", "relevance"})
    String order,
    @Schema(description = "Marks removed text; default \"…\"; \"\" for none.")
    String elisionMarker,
    @Schema(description = "Literal strings: every unit containing one is kept when it fits.")
    List<String> keep,
    @Schema(description = "Regular expressions (Java syntax): every unit overlapping a match is kept when it fits.")
    List<String> keepPatterns,
    @Schema(description = "Return why each unit was kept, summarised or dropped.")
    Boolean explain,
    @Schema(description = "The format of context (and of documents that declare none): auto (default: detected), "
        + "text, markdown, json, jsonl, csv, tsv, log or code. A declared format the text does not parse as is a "
        + "400 naming the line and column.",
        enumeration = {"auto", "text", "markdown", "json", "jsonl", "csv", "tsv", "log", "code"})
    String format,
    @Schema(description = "How JSON comes back: preserve (default: the kept subset in its own shape) or compact (a "
        + "homogeneous array of flat records may become {\"columns\": [...], \"rows\": [[...], ...]}, still valid "
        + "JSON, when that is at most 70% of its length).", enumeration = {"preserve", "compact"})
    String jsonStyle,
    @Schema(description = "When true, elision markers carry a reference ([… ref 3f9c01d2]) and the response its "
        + "value in ref: GET /v1/elisions/{ref}, with the same API key, returns the whole input for a while "
        + "(precis.elisions.ttl).")
    Boolean expandable) {

  /**
   * One document: its text, and optionally an id (echoed in the response), a title (rendered as a header) and its
   * format.
   */
  public record DocumentBody(
      String id,
      String title,
      String text,
      @Schema(description = "auto (default), text, markdown, json, jsonl, csv, tsv, log or code.",
          enumeration = {"auto", "text", "markdown", "json", "jsonl", "csv", "tsv", "log", "code"})
      String format,
      @Schema(description = "A stored document instead of text: \"collection/id\" (see /v1/collections).")
      String ref) {}

  /** Exactly one of maxTokens (absolute) and ratio (input tokens / ratio, ratio >= 1). */
  public record BudgetBody(
      @Schema(description = "Most tokens of the compressed context, > 0.") Integer maxTokens,
      @Schema(description = "Compression ratio R >= 1: budget = floor(input tokens / R).") Double ratio) {}
}
