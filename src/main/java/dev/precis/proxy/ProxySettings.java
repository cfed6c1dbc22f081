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
 * @param olderTurnWeight {@code w} in (0, 1]: when earlier context is re-compacted, it keeps at most {@code w}
 *     times the fraction of its tokens that the new context keeps; 1 treats them alike ({@link Compaction})
 * @param compactionTarget {@code h} in (0, 1]: a re-compaction shrinks the earlier context so that all context
 *     takes about this fraction of the budget, leaving the rest for later steps to arrive whole
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
    if (!(olderTurnWeight > 0 && olderTurnWeight <= 1)) {
      throw new IllegalArgumentException("illegal olderTurnWeight: " + olderTurnWeight + ", must be in (0, 1]");
    }
    if (!(compactionTarget > 0 && compactionTarget <= 1)) {
      throw new IllegalArgumentException("illegal compactionTarget: " + compactionTarget + ", must be in (0, 1]");
    }
    if (memoChars < 0) throw new IllegalArgumentException("illegal memoChars: " + memoChars + ", must be >= 0");
    if (contextWindows == null) contextWindows = ContextWindows.none();
    if (fallbackEncoding == null) fallbackEncoding = "cl100k_base";
    if (effort == null) effort = Effort.FAST;
    if (elisionMarker == null) elisionMarker = "…";
  }

  /** The service's defaults: tag {@code context}, tool results on, large messages off, 4096 tokens. */
  public static ProxySettings defaults() {
    return new ProxySettings("context", true, 0, 4096, 1024, ContextWindows.none(), 0.5, 0.5, 16_000_000,
        "cl100k_base", Effort.FAST, "…");
  }

  public ProxySettings withCompressMessagesOverTokens(int tokens) {
    return new ProxySettings(contextTag, compressToolResults, tokens, defaultContextTokens, reserveTokens,
        contextWindows, olderTurnWeight, compactionTarget, memoChars, fallbackEncoding, effort, elisionMarker);
  }

  public ProxySettings withContextWindows(ContextWindows windows) {
    return new ProxySettings(contextTag, compressToolResults, compressMessagesOverTokens, defaultContextTokens,
        reserveTokens, windows, olderTurnWeight, compactionTarget, memoChars, fallbackEncoding, effort, elisionMarker);
  }

  public ProxySettings withDefaultContextTokens(int tokens) {
    return new ProxySettings(contextTag, compressToolResults, compressMessagesOverTokens, tokens, reserveTokens,
        contextWindows, olderTurnWeight, compactionTarget, memoChars, fallbackEncoding, effort, elisionMarker);
  }

  public ProxySettings withCompactionTarget(double target) {
    return new ProxySettings(contextTag, compressToolResults, compressMessagesOverTokens, defaultContextTokens,
        reserveTokens, contextWindows, olderTurnWeight, target, memoChars, fallbackEncoding, effort, elisionMarker);
  }

  public ProxySettings withOlderTurnWeight(double weight) {
    return new ProxySettings(contextTag, compressToolResults, compressMessagesOverTokens, defaultContextTokens,
        reserveTokens, contextWindows, weight, compactionTarget, memoChars, fallbackEncoding, effort, elisionMarker);
  }
}
