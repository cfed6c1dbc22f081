package dev.precis.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.precis.proxy.RequestMessages.Message;
import dev.precis.proxy.RequestMessages.Origin;
import dev.precis.proxy.RequestMessages.Part;
import dev.precis.proxy.RequestMessages.Role;
import dev.precis.tokens.Tokenizers.TokenCounter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a request holds, as the proxy sees it, whichever API it is for: model, completion allowance, the question,
 * every message text (by JSON Pointer), the context segments among them and the model calls (steps) the
 * conversation has made so far.
 *
 * <p>Example: {@code {"model": "gpt-4o", "messages": [{"role": "user", "content": "<context>A. B.</context> Why?"}]}}
 * gives the question {@code "Why?"} and one tagged segment {@code "A. B."} in {@code /messages/0/content}, step 0.
 *
 * @param model the request's {@code model}, or null
 * @param completionTokens the completion allowance ({@code max_completion_tokens}, {@code max_tokens},
 *     {@code max_output_tokens}), or null
 * @param query the latest user text without its tagged context, or null when there is none
 * @param texts every message text by JSON Pointer, in prompt order
 * @param messageCount how many messages (or input items) the request has
 * @param toolsJson the request's tool definitions as JSON (they count as prompt)
 * @param segments the context, in prompt order
 * @param otherTokensAtStep for each step {@code s} of the conversation, the prompt tokens that are not context in
 *     the request that step sent (its messages' texts outside the segments, the per-message overhead, the tools)
 */
public record ChatContext(
    String model,
    Integer completionTokens,
    String query,
    Map<String, String> texts,
    int messageCount,
    String toolsJson,
    List<ContextSegment> segments,
    int[] otherTokensAtStep) {

  /** Tokens the chat format adds per message and per reply (OpenAI's published estimate). */
  static final int TOKENS_PER_MESSAGE = 4;
  static final int TOKENS_PER_REPLY = 3;

  public ChatContext {
    texts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(texts));
    segments = List.copyOf(segments);
    otherTokensAtStep = otherTokensAtStep.clone();
  }

  /** The conversation's steps: how many model calls it has made, this request's included. */
  public int steps() {
    return otherTokensAtStep.length;
  }

  /** Reads a parsed chat completion request body. */
  public static ChatContext read(JsonNode root, ProxySettings settings, TokenCounter counter) {
    return read(ApiFamily.CHAT_COMPLETIONS, root, settings, counter);
  }

  /**
   * Reads a parsed request body of the given API; {@code counter} counts tokens for the large-message rule and the
   * budgets of earlier steps.
   *
   * @throws MalformedChatRequest when the body is not a request of that API
   */
  public static ChatContext read(ApiFamily family, JsonNode root, ProxySettings settings, TokenCounter counter) {
    return read(family, root, settings, counter::count);
  }

  /** As {@link #read(ApiFamily, JsonNode, ProxySettings, TokenCounter)}, counting with {@code tokens}. */
  static ChatContext read(ApiFamily family, JsonNode root, ProxySettings settings, ToIntFunction<String> tokens) {
    RequestMessages request = RequestMessages.read(family, root);
    List<Message> messages = request.messages();
    int lastUser = -1;
    for (int i = 0; i < messages.size(); i++) if (messages.get(i).hasUserText()) lastUser = i;

    Pattern tag = tagPattern(settings.contextTag());
    // Steps, and the question each step's request asked: the latest user text (outside context tags) in it.
    int[] stepOf = new int[messages.size()];
    List<String> queryAtStep = new ArrayList<>();
    String latestQuery = null;
    int step = 0;
    String asked = null;
    for (int i = 0; i < messages.size(); i++) {
      Message m = messages.get(i);
      if (m.role() == Role.ASSISTANT && i > 0 && messages.get(i - 1).role() != Role.ASSISTANT) {
        queryAtStep.add(asked);
        step++;
      }
      stepOf[i] = step;
      if (!m.hasUserText()) continue;
      StringBuilder outside = new StringBuilder();
      for (Part part : m.parts()) {
        if (part.origin() != Origin.MESSAGE) continue;
        String rest = tag.matcher(part.text()).replaceAll(" ").strip();
        if (!rest.isEmpty()) outside.append(outside.isEmpty() ? "" : "\n").append(rest);
      }
      if (!outside.isEmpty()) asked = outside.toString();
      if (i == lastUser) latestQuery = outside.isEmpty() ? null : outside.toString();
    }
    queryAtStep.add(asked);

    Map<String, String> texts = new LinkedHashMap<>();
    List<ContextSegment> segments = new ArrayList<>();
    int[] otherTokens = new int[step + 1];
    long other = TOKENS_PER_REPLY + (request.toolsJson().isEmpty() ? 0 : tokens.applyAsInt(request.toolsJson()));
    for (int i = 0; i < messages.size(); i++) {
      Message m = messages.get(i);
      if (i > 0 && stepOf[i] != stepOf[i - 1]) otherTokens[stepOf[i - 1]] = (int) Math.min(Integer.MAX_VALUE, other);
      other += TOKENS_PER_MESSAGE;
      String current = queryAtStep.get(stepOf[i]);
      for (Part part : m.parts()) {
        String pointer = part.pointer();
        String text = part.text();
        texts.put(pointer, text);
        int contextChars = 0;
        int contextTokens = 0;
        if (part.origin() == Origin.MESSAGE) {
          Matcher matcher = tag.matcher(text);
          boolean tagged = false;
          while (matcher.find()) {
            tagged = true;
            if (!matcher.group(1).isBlank()) {
              segments.add(new ContextSegment(pointer, matcher.start(1), matcher.end(1), matcher.group(1),
                  stepOf[i], current, part.pinned(), ContextSegment.Kind.TAGGED));
              contextChars += matcher.group(1).length();
              contextTokens += tokens.applyAsInt(matcher.group(1));
            }
          }
          boolean large = !tagged && !text.isBlank() && settings.compressMessagesOverTokens() > 0
              && (m.role() == Role.SYSTEM || (m.role() == Role.USER && i != lastUser))
              && tokens.applyAsInt(text) > settings.compressMessagesOverTokens();
          if (large) {
            segments.add(new ContextSegment(pointer, 0, text.length(), text, stepOf[i], current, part.pinned(),
                ContextSegment.Kind.LARGE_MESSAGE));
            contextChars = text.length();
          }
        } else if (settings.compressToolResults() && !text.isBlank()) {
          segments.add(new ContextSegment(pointer, 0, text.length(), text, stepOf[i], current, part.pinned(),
              part.origin() == Origin.DOCUMENT ? ContextSegment.Kind.DOCUMENT : ContextSegment.Kind.TOOL_RESULT));
          contextChars = text.length();
        }
        if (contextChars == text.length()) continue;
        other += Math.max(0, tokens.applyAsInt(text) - contextTokens);
      }
    }
    otherTokens[step] = (int) Math.min(Integer.MAX_VALUE, other);
    return new ChatContext(request.model(), request.completionTokens(), latestQuery, texts, messages.size(),
        request.toolsJson(), segments, otherTokens);
  }

  /** {@code <tag>…</tag>}, attributes allowed on the opening tag, case-insensitive; group 1 is the content. */
  static Pattern tagPattern(String tag) {
    String t = Pattern.quote(tag);
    return Pattern.compile("<" + t + "(?:\\s[^>]*)?>(.*?)</" + t + "\\s*>", Pattern.DOTALL | Pattern.CASE_INSENSITIVE);
  }
}
