package dev.precis.bench;

import dev.precis.quality.EvalExample;

/** A compression method under test: the example's question and documents in, a context of at most the budget out. */
@FunctionalInterface
public interface Method {

  /**
   * Compresses {@code example}'s full context for its question.
   *
   * @param example the question and documents
   * @param budgetTokens the most cl100k_base tokens the output may take
   * @return the compressed context
   */
  String compress(EvalExample example, int budgetTokens);
}
