package dev.precis.proxy;

import dev.precis.engine.Budget;
import dev.precis.engine.Compression;
import dev.precis.engine.CompressionRequest;
import dev.precis.engine.Compressor;
import dev.precis.engine.Order;
import dev.precis.tokens.Tokenizers;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Answers a call of {@link ExpandTool}: the text an elision reference stands for, from the request being answered
 * or from the {@link ElisionStore}, whole when it fits {@code maxTokens}, else compressed to that for the call's query
 * (or for the question the text was first compressed for). Thread-safe.
 *
 * <p>Example: a call {@code {"ref": "3f9c01d2", "query": "exit code"}} for a 9,000-token test log with
 * {@code maxTokens} 2,000 gives the log's parts about the exit code, 2,000 tokens at most, under a line saying so.
 */
public final class Expander {
  private final Compressor engine;
  private final ProxySettings settings;
  private final int maxTokens;

  public Expander(Compressor engine, ProxySettings settings, int maxTokens) {
    if (maxTokens < 1) throw new IllegalArgumentException("illegal maxTokens: " + maxTokens + ", must be >= 1");
    this.engine = engine;
    this.settings = settings;
    this.maxTokens = maxTokens;
  }

  /**
   * @param fromRequest the segments elided in the request that led to the call, by reference
   * @param store where earlier requests' elided segments are kept
   * @param tenant the caller's tenant ({@link ElisionStore#tenant})
   * @param encoding the encoding the model counts in
   */
  public ExpandTool.Result expand(ExpandTool.Call call, Map<String, ChatRewrite.Elided> fromRequest, ElisionStore store,
      String tenant, String encoding) {
    if (call.ref() == null || !ElisionStore.isRef(call.ref())) {
      return new ExpandTool.Result(call.id(), "precis_expand needs a ref: the 8 hex digits after 'ref' in a marker "
          + "such as [… ref 3f9c01d2].");
    }
    String text;
    String question;
    ChatRewrite.Elided elided = fromRequest.get(call.ref());
    if (elided != null) {
      text = elided.text();
      question = elided.query();
    } else {
      Optional<ElisionStore.Entry> stored = store.get(tenant, call.ref());
      if (stored.isEmpty()) {
        return new ExpandTool.Result(call.id(), "No omitted text has the ref " + call.ref() + " (it may have "
            + "expired); answer from the context you have.");
      }
      text = stored.get().text();
      question = stored.get().query();
    }
    return new ExpandTool.Result(call.id(), render(text, call.query() != null ? call.query() : question, encoding));
  }

  /** The text whole when it fits, else compressed for the query, with a line that says so. */
  public String render(String text, String query, String encoding) {
    Tokenizers.TokenCounter counter = Tokenizers.forEncoding(encoding).orElseThrow();
    int tokens = counter.count(text);
    if (tokens <= maxTokens) return text;
    String note = "[The omitted text has " + tokens + " tokens; these are its parts most related to "
        + (query == null ? "the conversation" : "\"" + query + "\"") + ", " + maxTokens + " tokens at most.]\n";
    int budget = Math.max(1, maxTokens - counter.count(note));
    Compression c = engine.compress(new CompressionRequest(query, ChatCompressor.documents(text),
        Budget.ofTokens(budget), encoding, settings.effort(), Order.ORIGINAL, settings.elisionMarker(), List.of(),
        false));
    return note + c.text();
  }
}
