package dev.precis.proxy;

import dev.precis.engine.Effort;

/**
 * How the proxy finds and compresses context.
 *
 * @param contextTag the tag whose content is context: {@code context} marks {@code <context>…</context>}
 * @param compressToolResults whether {@code tool} and {@code function} result messages are context
 * @param compressMessagesOverTokens a {@code system} or earlier {@code user} message text with more tokens than this
 *     is context as a whole; 0 turns the rule off
 * @param defaultContextTokens the context budget when neither the request header nor the context-window table
 *     gives one
 * @param reserveTokens what the context-window rule keeps free besides the request's {@code max_tokens}
 * @param contextWindows context windows by model name prefix
 * @param olderTurnWeight {@code c} in (0, 1]: earlier context at compaction level {@code k} keeps {@code c^k} of
 *     its tokens ({@link Compaction})
 * @param compactionTarget {@code h} in (0, 1]: the share of the budget the compacted levels may hold together; the
 *     rest is room for new context to arrive whole
 * @param compactionLevels {@code L} >= 1: compacted levels before earlier context is dropped
 * @param arrivalRatio in (0, 1]: new context over {@link Compaction#ARRIVAL_MIN_TOKENS} tokens is compressed to this
 *     fraction of its tokens when it arrives; 1 forwards it whole while it fits
 * @param memoChars most characters of compressed segments remembered ({@link CompressionMemo})
 * @param fallbackEncoding the encoding when the request's model is not a known family
 * @param effort the engine's effort
 * @param elisionMarker what marks removed text
 */
public record ProxySettings(
    String contextTag,
    boolean compressToolResults,
    int compressMessagesOverTokens,
    int defaultContextTokens,
    int reserveTokens,
    ContextWindows contextWindows,
    double olderTurnWeight,
    double compactionTarget,
    int compactionLevels,
    double arrivalRatio,
    long memoChars,
    String fallbackEncoding,
    Effort effort,
    String elisionMarker) {

  public ProxySettings {
    if (contextTag == null || !contextTag.matches("[A-Za-z][A-Za-z0-9_.:-]*")) {
      throw new IllegalArgumentException("illegal contextTag: '" + contextTag + "', must be an XML-like tag name "
          + "such as context");
    }
    if (compressMessagesOverTokens < 0) {
      throw new IllegalArgumentException("illegal compressMessagesOverTokens: " + compressMessagesOverTokens
          + ", must be >= 0 (0 turns it off)");
    }
    if (defaultContextTokens <= 0) {
      throw new IllegalArgumentException("illegal defaultContextTokens: " + defaultContextTokens + ", must be > 0");
    }
    if (reserveTokens < 0) {
      throw new IllegalArgumentException("illegal reserveTokens: " + reserveTokens + ", must be >= 0");
    }
    new Compaction.Policy(compactionTarget, olderTurnWeight, compactionLevels, arrivalRatio); // validates
    if (memoChars < 0) throw new IllegalArgumentException("illegal memoChars: " + memoChars + ", must be >= 0");
    if (contextWindows == null) contextWindows = ContextWindows.none();
    if (fallbackEncoding == null) fallbackEncoding = "cl100k_base";
    if (effort == null) effort = Effort.FAST;
    if (elisionMarker == null) elisionMarker = "…";
  }

  /** The service's defaults: tag {@code context}, tool results on, large messages off, 4096 tokens. */
  public static ProxySettings defaults() {
    return new ProxySettings("context", true, 0, 4096, 1024, ContextWindows.none(), 0.5, 0.5, 3, 1.0, 16_000_000,
        "cl100k_base", Effort.FAST, "…");
  }

  public ProxySettings withCompressMessagesOverTokens(int tokens) {
    return new ProxySettings(contextTag, compressToolResults, tokens, defaultContextTokens, reserveTokens,
        contextWindows, olderTurnWeight, compactionTarget, compactionLevels, arrivalRatio, memoChars,
        fallbackEncoding, effort, elisionMarker);
  }

  public ProxySettings withContextWindows(ContextWindows windows) {
    return new ProxySettings(contextTag, compressToolResults, compressMessagesOverTokens, defaultContextTokens,
        reserveTokens, windows, olderTurnWeight, compactionTarget, compactionLevels, arrivalRatio, memoChars,
        fallbackEncoding, effort, elisionMarker);
  }

  public ProxySettings withDefaultContextTokens(int tokens) {
    return new ProxySettings(contextTag, compressToolResults, compressMessagesOverTokens, tokens, reserveTokens,
        contextWindows, olderTurnWeight, compactionTarget, compactionLevels, arrivalRatio, memoChars,
        fallbackEncoding, effort, elisionMarker);
  }

  /** The compaction policy these settings describe. */
  public Compaction.Policy compaction() {
    return new Compaction.Policy(compactionTarget, olderTurnWeight, compactionLevels, arrivalRatio);
  }

  public ProxySettings withOlderTurnWeight(double weight) {
    return new ProxySettings(contextTag, compressToolResults, compressMessagesOverTokens, defaultContextTokens,
        reserveTokens, contextWindows, weight, compactionTarget, compactionLevels, arrivalRatio, memoChars,
        fallbackEncoding, effort, elisionMarker);
  }
}
