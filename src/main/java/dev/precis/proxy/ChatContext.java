package dev.precis.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.precis.tokens.Tokenizers.TokenCounter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a chat completion request holds, as the proxy sees it: model, completion allowance, the question, every
 * message text (by JSON Pointer) and the context segments among them.
 *
 * <p>Example: {@code {"model": "gpt-4o", "messages": [{"role": "user", "content": "<context>A. B.</context> Why?"}]}}
 * gives the question {@code "Why?"} and one tagged segment {@code "A. B."} in {@code /messages/0/content}.
 *
 * @param model the request's {@code model}, or null
 * @param completionTokens {@code max_completion_tokens}, else {@code max_tokens}, or null
 * @param query the last {@code user} message's text without its tagged context, or null when there is none
 * @param texts every message text by JSON Pointer, in request order
 * @param messageCount how many messages the request has
 * @param toolsJson the request's {@code tools} and {@code functions} definitions as JSON (they count as prompt)
 * @param segments the context, in request order
 */
public record ChatContext(
    String model,
    Integer completionTokens,
    String query,
    Map<String, String> texts,
    int messageCount,
    String toolsJson,
    List<ContextSegment> segments) {

  public ChatContext {
    texts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(texts));
    segments = List.copyOf(segments);
  }

  /** Reads a parsed request body; {@code counter} counts tokens for the large-message rule. */
  public static ChatContext read(JsonNode root, ProxySettings settings, TokenCounter counter) {
    if (root == null || !root.isObject()) {
      throw new MalformedChatRequest("the body must be a JSON object with model and messages", null);
    }
    JsonNode messages = root.get("messages");
    if (messages == null || messages.isNull()) {
      throw new MalformedChatRequest("messages is missing: send an array of {role, content} objects", "messages");
    }
    if (!messages.isArray()) {
      throw new MalformedChatRequest("messages must be an array of {role, content} objects, not "
          + messages.getNodeType().name().toLowerCase(java.util.Locale.ROOT), "messages");
    }
    JsonNode modelNode = root.get("model");
    if (modelNode != null && !modelNode.isNull() && !modelNode.isTextual()) {
      throw new MalformedChatRequest("model must be a string", "model");
    }
    String model = modelNode == null || modelNode.isNull() ? null : modelNode.asText();
    Integer completion = positiveInt(root, "max_completion_tokens");
    if (completion == null) completion = positiveInt(root, "max_tokens");

    int lastUser = -1;
    for (int i = 0; i < messages.size(); i++) {
      JsonNode m = messages.get(i);
      if (!m.isObject()) {
        throw new MalformedChatRequest("messages[" + i + "] must be an object with role and content",
            "messages[" + i + "]");
      }
      if ("user".equals(m.path("role").asText())) lastUser = i;
    }

    Pattern tag = tagPattern(settings.contextTag());
    Map<String, String> texts = new LinkedHashMap<>();
    List<ContextSegment> segments = new ArrayList<>();
    StringBuilder query = new StringBuilder();
    int usersAfter = 0;
    int[] age = new int[messages.size()];
    for (int i = messages.size() - 1; i >= 0; i--) {
      String role = messages.get(i).path("role").asText();
      boolean system = role.equals("system") || role.equals("developer");
      age[i] = system ? 0 : usersAfter;
      if (role.equals("user")) usersAfter++;
    }
    for (int i = 0; i < messages.size(); i++) {
      JsonNode m = messages.get(i);
      String role = m.path("role").asText();
      Map<String, String> own = messageTexts(m, i);
      texts.putAll(own);
      for (Map.Entry<String, String> t : own.entrySet()) {
        String pointer = t.getKey();
        String text = t.getValue();
        Matcher matcher = tag.matcher(text);
        boolean tagged = false;
        StringBuilder outside = new StringBuilder();
        int last = 0;
        while (matcher.find()) {
          tagged = true;
          outside.append(text, last, matcher.start()).append(' ');
          last = matcher.end();
          if (!matcher.group(1).isBlank()) {
            segments.add(new ContextSegment(pointer, matcher.start(1), matcher.end(1), matcher.group(1), age[i],
                ContextSegment.Kind.TAGGED));
          }
        }
        outside.append(text, last, text.length());
        if (i == lastUser) {
          if (!query.isEmpty()) query.append('\n');
          query.append(outside.toString().strip());
        }
        if (tagged || text.isBlank()) continue;
        boolean toolResult = role.equals("tool") || role.equals("function");
        boolean large = settings.compressMessagesOverTokens() > 0
            && (role.equals("system") || role.equals("developer") || (role.equals("user") && i != lastUser))
            && counter.count(text) > settings.compressMessagesOverTokens();
        if (toolResult && settings.compressToolResults()) {
          segments.add(new ContextSegment(pointer, 0, text.length(), text, age[i], ContextSegment.Kind.TOOL_RESULT));
        } else if (large) {
          segments.add(new ContextSegment(pointer, 0, text.length(), text, age[i],
              ContextSegment.Kind.LARGE_MESSAGE));
        }
      }
    }
    StringBuilder tools = new StringBuilder();
    for (String field : List.of("tools", "functions")) {
      JsonNode node = root.get(field);
      if (node != null && !node.isNull()) tools.append(node);
    }
    String q = query.toString().strip();
    return new ChatContext(model, completion, q.isEmpty() ? null : q, texts, messages.size(), tools.toString(),
        segments);
  }

  /** {@code <tag>…</tag>}, attributes allowed on the opening tag, case-insensitive; group 1 is the content. */
  static Pattern tagPattern(String tag) {
    String t = Pattern.quote(tag);
    return Pattern.compile("<" + t + "(?:\\s[^>]*)?>(.*?)</" + t + "\\s*>", Pattern.DOTALL | Pattern.CASE_INSENSITIVE);
  }

  /** A message's texts: a string content, or the {@code text} of each text part of a content array. */
  private static Map<String, String> messageTexts(JsonNode message, int index) {
    Map<String, String> texts = new LinkedHashMap<>();
    JsonNode content = message.get("content");
    String base = "/messages/" + index + "/content";
    if (content == null || content.isNull()) return texts;
    if (content.isTextual()) {
      texts.put(base, content.asText());
    } else if (content.isArray()) {
      for (int k = 0; k < content.size(); k++) {
        JsonNode part = content.get(k);
        JsonNode text = part.get("text");
        if (part.isObject() && "text".equals(part.path("type").asText()) && text != null && text.isTextual()) {
          texts.put(base + "/" + k + "/text", text.asText());
        }
      }
    } else {
      throw new MalformedChatRequest("messages[" + index + "].content must be a string, an array of content parts "
          + "or null", "messages[" + index + "].content");
    }
    return texts;
  }

  private static Integer positiveInt(JsonNode root, String field) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) return null;
    if (!node.canConvertToInt() || !node.isIntegralNumber() || node.asInt() < 0) {
      throw new MalformedChatRequest(field + " must be a whole number >= 0", field);
    }
    return node.asInt();
  }
}
