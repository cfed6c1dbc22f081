package dev.precis.proxy;

import java.util.List;

/**
 * A chat request after the proxy looked at it.
 *
 * @param body the bytes to forward: the client's own when nothing was compressed
 * @param changed whether any context was compressed
 * @param model the request's model, or null
 * @param encoding the encoding tokens were counted in
 * @param budget the context budget, or null when the request held no context
 * @param segments how many context segments were found
 * @param compressedSegments how many of them were compressed
 * @param inputTokens tokens of all context as received
 * @param outputTokens tokens of all context as forwarded
 * @param compactionEvents how many times the conversation's earlier context has been re-compacted
 *     ({@link Compaction}), this request's step included
 * @param recompacted whether this request re-compacted earlier context, so that a provider's prompt cache of the
 *     previous request matches less of it
 * @param elided with expandable elisions, each compressed segment by its reference: what to store for expansion
 * @param expandOffered whether the {@link ExpandTool} was added to the request's tools
 * @param streamed whether the request asks for a streamed response ({@code "stream": true})
 * @param millis time spent reading, compressing and rewriting
 */
public record ChatRewrite(
    byte[] body,
    boolean changed,
    String model,
    String encoding,
    ContextBudget budget,
    int segments,
    int compressedSegments,
    int inputTokens,
    int outputTokens,
    int compactionEvents,
    boolean recompacted,
    List<Elided> elided,
    boolean expandOffered,
    boolean streamed,
    double millis) {

  public ChatRewrite {
    elided = List.copyOf(elided);
  }

  /** A compressed segment whole, under its reference, with the question it was compressed for (or null). */
  public record Elided(String ref, String text, String query) {}


  public int savedTokens() {
    return inputTokens - outputTokens;
  }
}
