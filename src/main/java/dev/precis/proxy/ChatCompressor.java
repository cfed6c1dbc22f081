package dev.precis.proxy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.precis.engine.Budget;
import dev.precis.engine.Compression;
import dev.precis.engine.CompressionRequest;
import dev.precis.engine.Compressor;
import dev.precis.engine.Order;
import dev.precis.engine.SourceDocument;
import dev.precis.segment.DocumentSegmenter;
import dev.precis.segment.Format;
import dev.precis.tokens.Tokenizers;
import dev.precis.tokens.Tokenizers.TokenCounter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compresses the context of an OpenAI chat completion request body to its budget and returns the body to forward.
 * Thread-safe.
 *
 * <p>The request is forwarded untouched (the very bytes received) when it holds no context or its context already
 * fits the budget. Otherwise each context segment gets its share of the budget ({@link TurnShares}) and is
 * compressed by the engine with the last user message as the query; a segment whose share is 0 is emptied. Only
 * the changed JSON strings are rewritten ({@link JsonSplicer}).
 */
public final class ChatCompressor {
  /** Tokens the chat format adds per message and per reply (OpenAI's published estimate). */
  static final int TOKENS_PER_MESSAGE = 4;
  static final int TOKENS_PER_REPLY = 3;

  private final Compressor engine;
  private final ProxySettings settings;
  private final ObjectMapper json = new ObjectMapper();

  public ChatCompressor(Compressor engine, ProxySettings settings) {
    this.engine = engine;
    this.settings = settings;
  }

  public ProxySettings settings() {
    return settings;
  }

  /**
   * @param body the request body as received
   * @param headerBudget the client's {@code X-Precis-Max-Context-Tokens}, or null
   * @throws MalformedChatRequest when the body is not a chat completion request
   */
  public ChatRewrite rewrite(byte[] body, Integer headerBudget) {
    long t0 = System.nanoTime();
    JsonNode root;
    try {
      root = json.readTree(body);
    } catch (JsonProcessingException e) {
      throw new MalformedChatRequest("the body is not valid JSON (" + e.getOriginalMessage() + " at line "
          + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")", null);
    } catch (IOException e) {
      throw new MalformedChatRequest("the body could not be read as JSON: " + e.getMessage(), null);
    }
    if (root == null) throw new MalformedChatRequest("the body is empty: send a chat completion request", null);
    String model = root.isObject() && root.path("model").isTextual() ? root.get("model").asText() : null;
    String encoding = Tokenizers.encodingForModel(model).orElse(settings.fallbackEncoding());
    TokenCounter counter = Tokenizers.forEncoding(encoding).orElseThrow(() ->
        new IllegalStateException("unknown encoding " + encoding));
    ChatContext chat = ChatContext.read(root, settings, counter);

    List<ContextSegment> segments = chat.segments();
    int[] tokens = new int[segments.size()];
    int[] ages = new int[segments.size()];
    int input = 0;
    for (int i = 0; i < tokens.length; i++) {
      tokens[i] = counter.count(segments.get(i).text());
      ages[i] = segments.get(i).turnAge();
      input += tokens[i];
    }
    if (segments.isEmpty()) {
      return new ChatRewrite(body, false, model, encoding, null, 0, 0, 0, 0, ms(t0));
    }
    int textTokens = 0;
    for (String text : chat.texts().values()) textTokens += counter.count(text);
    int other = Math.max(0, textTokens - input) + TOKENS_PER_MESSAGE * chat.messageCount() + TOKENS_PER_REPLY
        + counter.count(chat.toolsJson());
    ContextBudget budget = ContextBudget.resolve(headerBudget, model, chat.completionTokens(), other, settings);
    if (input <= budget.tokens()) {
      return new ChatRewrite(body, false, model, encoding, budget, segments.size(), 0, input, input, ms(t0));
    }

    int[] shares = TurnShares.allocate(tokens, ages, settings.olderTurnWeight(), budget.tokens());
    Map<String, List<Replacement>> byPointer = new LinkedHashMap<>();
    int output = 0;
    int compressed = 0;
    for (int i = 0; i < segments.size(); i++) {
      ContextSegment segment = segments.get(i);
      String text = segment.text();
      int after = tokens[i];
      if (shares[i] < tokens[i]) {
        compressed++;
        if (shares[i] == 0) {
          text = "";
          after = 0;
        } else {
          Compression c = engine.compress(new CompressionRequest(chat.query(),
              documents(segment.text()), Budget.ofTokens(shares[i]), encoding,
              settings.effort(), Order.ORIGINAL, settings.elisionMarker(), List.of(), false));
          text = c.text();
          after = c.usage().outputTokens();
        }
        byPointer.computeIfAbsent(segment.pointer(), p -> new ArrayList<>())
            .add(new Replacement(segment.start(), segment.end(), text));
      }
      output += after;
    }
    Map<String, String> newValues = new LinkedHashMap<>();
    for (Map.Entry<String, List<Replacement>> e : byPointer.entrySet()) {
      StringBuilder value = new StringBuilder(chat.texts().get(e.getKey()));
      List<Replacement> replacements = new ArrayList<>(e.getValue());
      replacements.sort(Comparator.comparingInt(Replacement::start).reversed());
      for (Replacement r : replacements) value.replace(r.start(), r.end(), r.text());
      newValues.put(e.getKey(), value.toString());
    }
    byte[] rewritten = JsonSplicer.replace(body, newValues);
    return new ChatRewrite(rewritten, true, model, encoding, budget, segments.size(), compressed, input, output,
        ms(t0));
  }

  /**
   * A segment's blocks separated by blank lines, each a document of its own, so that the engine ranks and
   * summarises passages as it does for {@code documents}; a segment without blank lines is one document. The
   * engine joins kept documents with a blank line. A segment that is structured as a whole (a JSON tool result, a
   * log, a table, a source file) is one document of that format, so that its output stays valid of its kind; a
   * segment with an outline (Markdown headings) or fenced blocks is one document too, so that it is ranked section by
   * section and its kept parts come back under their headings, with its code blocks whole.
   */
  static List<SourceDocument> documents(String text) {
    Format format = DocumentSegmenter.detect(text);
    if (format.structured() && format != Format.MIXED) return List.of(new SourceDocument(null, null, text, format));
    if (OUTLINE.matcher(text).find()) return List.of(new SourceDocument(null, null, text));
    List<SourceDocument> documents = new ArrayList<>();
    for (String block : BLANK_LINES.split(text)) {
      if (!block.isBlank()) documents.add(new SourceDocument(null, null, block));
    }
    return documents.isEmpty() ? List.of(new SourceDocument(null, null, text)) : documents;
  }

  private static final java.util.regex.Pattern BLANK_LINES = java.util.regex.Pattern.compile("\\n[ \\t]*\\n\\s*");
  /** A Markdown heading or a code fence at the start of a line. */
  private static final java.util.regex.Pattern OUTLINE =
      java.util.regex.Pattern.compile("(?m)^(?:#{1,6}[ \\t]+\\S|```|~~~)");

  private record Replacement(int start, int end, String text) {}

  private static double ms(long t0) {
    return Math.round((System.nanoTime() - t0) / 1_000.0) / 1_000.0;
  }
}
