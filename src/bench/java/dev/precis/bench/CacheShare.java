package dev.precis.bench;

import java.util.List;
import java.util.function.ToIntFunction;

/**
 * How much of a conversation's prompts a provider's prompt cache could serve: for each request after the first, the
 * tokens of the longest common prefix (in characters) of its canonical text ({@link TraceApi#canonical}) with the
 * previous request's, summed, against the tokens of all the requests. The first request's prefix counts 0.
 *
 * <p>Example: the texts {@code "abcd"}, {@code "abcdef"}, {@code "abXY"} with one token per character give input
 * 4 + 6 + 4 = 14 and prefixes 0 + 4 + 2 = 6, a share of 6/14.
 *
 * @param inputTokens the tokens of every request, summed
 * @param prefixTokens the tokens of each request's common prefix with the one before, summed
 */
record CacheShare(long inputTokens, long prefixTokens) {

  CacheShare {
    if (inputTokens < 0 || prefixTokens < 0 || prefixTokens > inputTokens) {
      throw new IllegalArgumentException("illegal tokens: input " + inputTokens + ", prefix " + prefixTokens
          + ", must be 0 <= prefix <= input");
    }
  }

  /** The share of cache-eligible tokens, 0 when there is no input. */
  double share() {
    return inputTokens == 0 ? 0 : (double) prefixTokens / inputTokens;
  }

  /** The cache share of one conversation's requests, in the order they were sent. */
  static CacheShare of(List<String> texts, ToIntFunction<String> tokens) {
    long input = 0;
    long prefix = 0;
    String previous = null;
    for (String t : texts) {
      input += tokens.applyAsInt(t);
      if (previous != null) prefix += tokens.applyAsInt(t.substring(0, lcp(previous, t)));
      previous = t;
    }
    return new CacheShare(input, prefix);
  }

  /** This share and another's together. */
  CacheShare plus(CacheShare other) {
    return new CacheShare(inputTokens + other.inputTokens, prefixTokens + other.prefixTokens);
  }

  /**
   * The length in chars of the longest common prefix of two strings, never ending between the two halves of a
   * surrogate pair.
   */
  static int lcp(String a, String b) {
    int n = Math.min(a.length(), b.length());
    int i = 0;
    while (i < n && a.charAt(i) == b.charAt(i)) i++;
    if (i > 0 && i < a.length() && Character.isHighSurrogate(a.charAt(i - 1))) i--;
    return i;
  }
}
