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
import dev.precis.tokens.TokenCountCache;
import dev.precis.tokens.Tokenizers;
import dev.precis.tokens.Tokenizers.TokenCounter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compresses the context of a chat completion, Responses or Anthropic Messages request body to its budget and
 * returns the body to forward. Thread-safe.
 *
 * <p>Each context segment gets a share of the budget from {@link Compaction}, which replays the conversation's
 * steps so that a segment once compressed is forwarded the same way in every later request (the provider's prompt
 * cache keeps matching) until the conversation outgrows its budget and earlier context is re-compacted in one step.
 * A segment is compressed by the engine for the question a user asked at or before it, to its share; its rendering
 * is remembered by content ({@link CompressionMemo}). The request is forwarded untouched (the very bytes received)
 * when every segment keeps all its tokens. Only the changed JSON strings are rewritten ({@link JsonSplicer}).
 */
public final class ChatCompressor {
  private final Compressor engine;
  private final ProxySettings settings;
  private final CompressionMemo memo;
  private final TokenCountCache tokenCounts = new TokenCountCache(100_000);
  private final ObjectMapper json = new ObjectMapper();

  public ChatCompressor(Compressor engine, ProxySettings settings) {
    this.engine = engine;
    this.settings = settings;
    this.memo = new CompressionMemo(settings.memoChars());
  }

  public ProxySettings settings() {
    return settings;
  }

  /** A chat completion request: {@link #rewrite(ApiFamily, byte[], Integer)}. */
  public ChatRewrite rewrite(byte[] body, Integer headerBudget) {
    return rewrite(ApiFamily.CHAT_COMPLETIONS, body, headerBudget);
  }

  /** Without expandable elisions: {@link #rewrite(ApiFamily, byte[], Integer, boolean)}. */
  public ChatRewrite rewrite(ApiFamily family, byte[] body, Integer headerBudget) {
    return rewrite(family, body, headerBudget, false);
  }

  /** The elision marker of a segment whose omissions can be expanded: {@code [… ref 3f9c01d2]}. */
  public static String expandableMarker(String marker, String ref) {
    return "[" + marker + " ref " + ref + "]";
  }

  /**
   * @param family the API the body is a request of
   * @param body the request body as received
   * @param headerBudget the client's {@code X-Precis-Max-Context-Tokens}, or null
   * @param expandable whether each compressed segment's elision markers carry its reference (see
   *     {@link ElisionStore}) and the request gets the {@link ExpandTool}, when its {@code tool_choice} allows
   *     another tool
   * @throws MalformedChatRequest when the body is not a request of that API
   */
  public ChatRewrite rewrite(ApiFamily family, byte[] body, Integer headerBudget, boolean expandable) {
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
    if (root == null) throw new MalformedChatRequest("the body is empty: send a request of " + family.path(), null);
    String model = root.isObject() && root.path("model").isTextual() ? root.get("model").asText() : null;
    String encoding = Tokenizers.encodingForModel(model).orElse(settings.fallbackEncoding());
    TokenCounter counter = Tokenizers.forEncoding(encoding).orElseThrow(() ->
        new IllegalStateException("unknown encoding " + encoding));
    ChatContext chat = ChatContext.read(family, root, settings, text -> tokenCounts.count(counter, text));

    List<ContextSegment> segments = chat.segments();
    if (segments.isEmpty()) {
      return new ChatRewrite(body, false, model, encoding, null, 0, 0, 0, 0, 0, false, List.of(), false, streamed(root),
          ms(t0));
    }
    int n = segments.size();
    int[] tokens = new int[n];
    int[] steps = new int[n];
    boolean[] pinned = new boolean[n];
    int input = 0;
    for (int i = 0; i < n; i++) {
      ContextSegment segment = segments.get(i);
      tokens[i] = tokenCounts.count(counter, segment.text());
      steps[i] = segment.step();
      pinned[i] = segment.pinned();
      input += tokens[i];
    }
    int[] budgets = new int[chat.steps()];
    ContextBudget budget = null;
    for (int s = 0; s < budgets.length; s++) {
      budget = ContextBudget.resolve(headerBudget, model, chat.completionTokens(), chat.otherTokensAtStep()[s],
          settings);
      budgets[s] = budget.tokens();
    }
    Compaction.Result plan = Compaction.plan(tokens, steps, pinned, budgets, settings.compaction());
    int compressed = 0;
    for (int i = 0; i < n; i++) if (plan.share(i) < tokens[i]) compressed++;
    if (compressed == 0) {
      return new ChatRewrite(body, false, model, encoding, budget, n, 0, input, input, plan.events(),
          plan.recompacted(), List.of(), false, streamed(root), ms(t0));
    }

    // Markers carry references, and the request gets the expand tool, only where the model may call another tool.
    boolean refs = expandable && ExpandTool.allowedBy(root)
        && !chat.toolsJson().contains("\"" + ExpandTool.NAME + "\"");
    Map<String, List<Replacement>> byPointer = new LinkedHashMap<>();
    List<ChatRewrite.Elided> elided = new ArrayList<>();
    int output = 0;
    for (int i = 0; i < n; i++) {
      ContextSegment segment = segments.get(i);
      int share = plan.share(i);
      if (share >= tokens[i]) {
        output += tokens[i];
        continue;
      }
      String ref = ElisionStore.ref(segment.text());
      String marker = refs ? expandableMarker(settings.elisionMarker(), ref) : settings.elisionMarker();
      CompressionMemo.Rendering rendering = share == 0 ? new CompressionMemo.Rendering("", 0)
          : memo.get(CompressionMemo.key(segment.text(), segment.query(), share, encoding, settings.effort().name(),
              marker), () -> {
                Compression c = engine.compress(new CompressionRequest(segment.query(), documents(segment.text()),
                    Budget.ofTokens(share), encoding, settings.effort(), Order.ORIGINAL, marker, List.of(), false));
                if (!refs) return new CompressionMemo.Rendering(c.text(), c.usage().outputTokens());
                // One reference per segment is enough to expand it: later gaps get the plain marker, fewer tokens.
                String text = firstMarkerOnly(c.text(), marker, settings.elisionMarker());
                return new CompressionMemo.Rendering(text, tokenCounts.count(counter, text));
              });
      if (refs) elided.add(new ChatRewrite.Elided(ref, segment.text(), segment.query()));
      output += rendering.tokens();
      byPointer.computeIfAbsent(segment.pointer(), p -> new ArrayList<>())
          .add(new Replacement(segment.start(), segment.end(), rendering.text()));
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
    boolean offered = refs && !elided.isEmpty();
    if (offered) rewritten = JsonSplicer.appendToArray(rewritten, "tools", ExpandTool.definition(family));
    return new ChatRewrite(rewritten, true, model, encoding, budget, n, compressed, input, output, plan.events(),
        plan.recompacted(), elided, offered, streamed(root), ms(t0));
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

  /** The text with every occurrence of {@code marker} after the first replaced by {@code plain}. */
  static String firstMarkerOnly(String text, String marker, String plain) {
    int first = text.indexOf(marker);
    if (first < 0) return text;
    int from = first + marker.length();
    return text.substring(0, from) + text.substring(from).replace(marker, plain);
  }

  private static boolean streamed(JsonNode root) {
    return root.isObject() && root.path("stream").asBoolean(false);
  }

  private static double ms(long t0) {
    return Math.round((System.nanoTime() - t0) / 1_000.0) / 1_000.0;
  }
}
