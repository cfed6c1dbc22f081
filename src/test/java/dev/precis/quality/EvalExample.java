package dev.precis.quality;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;

/**
 * One evaluation example, as stored in the JSONL files of {@code /work/shared/eval} and in the regression set.
 *
 * @param id the example id, for example {@code nq20-0007}
 * @param dataset the set it comes from: {@code nq20}, {@code hotpotqa} or {@code qasper}
 * @param question the question
 * @param answers the gold answers; one of them must be kept for the example to count as answered
 * @param documents the context documents, in order
 * @param answerPosition where the answer sits in the full context, from 0 (its start) to 1 (its end), for sets that
 *     record it (JSON {@code answer_position}, left out when null); null when the set does not
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record EvalExample(
    String id, String dataset, String question, List<String> answers, List<Document> documents,
    @JsonProperty("answer_position") @JsonInclude(JsonInclude.Include.NON_NULL) Double answerPosition) {

  public EvalExample {
    answers = answers == null ? List.of() : List.copyOf(answers);
    documents = documents == null ? List.of() : List.copyOf(documents);
    if (answerPosition != null && !(answerPosition >= 0 && answerPosition <= 1)) {
      throw new IllegalArgumentException("illegal answer_position: " + answerPosition + ", must be in [0, 1]");
    }
  }

  /** An example that does not record where its answer sits. */
  public EvalExample(String id, String dataset, String question, List<String> answers, List<Document> documents) {
    this(id, dataset, question, answers, documents, null);
  }

  /**
   * One context document.
   *
   * @param id the document id within its example
   * @param title the title; empty for qasper
   * @param text the text
   * @param gold true for a gold (supporting) document, false for a distractor, null when the set has no labels
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Document(String id, String title, String text, Boolean gold) {
    public Document {
      if (title == null) title = "";
      if (text == null) text = "";
    }

    /** The document as it appears in the full context: {@code title + "\n" + text}, or the text alone without a title. */
    public String render() {
      return render(title, text);
    }

    /** Renders a document with the given body: {@code title + "\n" + body}, or the body alone when the title is blank. */
    public static String render(String title, String body) {
      return title == null || title.isBlank() ? body : title + "\n" + body;
    }

    public boolean isGold() {
      return Boolean.TRUE.equals(gold);
    }
  }

  /** The full context: every document rendered, joined by blank lines ({@code "\n\n"}). */
  public String fullContext() {
    List<String> parts = new ArrayList<>(documents.size());
    for (Document d : documents) parts.add(d.render());
    return String.join("\n\n", parts);
  }

  /** True when the set labels gold documents (nq20, hotpotqa); false for unlabelled sets (qasper). */
  public boolean hasGoldLabels() {
    for (Document d : documents) {
      if (d.gold() != null) return true;
    }
    return false;
  }
}
