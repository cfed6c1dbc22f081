package dev.precis.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * The three provider APIs a {@link Trace} is replayed through: how the steps before a request point become that
 * API's request body, and how a body the upstream received is read back as one canonical text in the provider's
 * prompt order (for the prompt-cache prefix, {@link CacheShare}).
 *
 * <p>{@code chat} is OpenAI chat completions, {@code messages} Anthropic Messages (consecutive tool results go in one
 * user message, as Anthropic requires), {@code responses} OpenAI Responses (a call and its output are items of their
 * own). Example, the steps {@code user "q"}, {@code assistant call_1 grep {"pattern":"x"}}, {@code tool call_1 "r"}
 * rendered for {@code messages}: {@code [{user [{text q}]}, {assistant [{tool_use call_1 grep {pattern x}}]},
 * {user [{tool_result call_1 "r"}]}]}.
 */
public enum TraceApi {
  CHAT("chat", "/v1/chat/completions", "gpt-4o"),
  MESSAGES("messages", "/v1/messages", "claude-sonnet-4-5"),
  RESPONSES("responses", "/v1/responses", "gpt-4o");

  static final ObjectMapper JSON = new ObjectMapper();
  static final int MAX_OUTPUT_TOKENS = 1024;

  final String id;
  final String path;
  final String model;

  TraceApi(String id, String path, String model) {
    this.id = id;
    this.path = path;
    this.model = model;
  }

  public static TraceApi named(String id) {
    for (TraceApi a : values()) if (a.id.equals(id.trim().toLowerCase(Locale.ROOT))) return a;
    throw new IllegalArgumentException("unknown API '" + id + "', must be chat, messages or responses");
  }

  /** The request body for the steps {@code [0, upTo)} of the trace. */
  public ObjectNode request(Trace trace, int upTo) {
    return switch (this) {
      case CHAT -> chat(trace, upTo);
      case MESSAGES -> messages(trace, upTo);
      case RESPONSES -> responses(trace, upTo);
    };
  }

  // ------------------------------------------------------------------ rendering

  private ObjectNode chat(Trace trace, int upTo) {
    ObjectNode root = JSON.createObjectNode();
    root.put("model", model);
    root.put("max_tokens", MAX_OUTPUT_TOKENS);
    ArrayNode messages = root.putArray("messages");
    messages.addObject().put("role", "system").put("content", trace.system());
    for (Trace.Step s : trace.steps().subList(0, upTo)) {
      switch (s.role()) {
        case "user" -> messages.addObject().put("role", "user").put("content", userText(s));
        case "assistant" -> {
          ObjectNode m = messages.addObject().put("role", "assistant");
          if (s.text() == null || s.text().isEmpty()) m.putNull("content");
          else m.put("content", s.text());
          if (!s.toolCalls().isEmpty()) {
            ArrayNode calls = m.putArray("tool_calls");
            for (Trace.ToolCall c : s.toolCalls()) {
              ObjectNode call = calls.addObject().put("id", c.id()).put("type", "function");
              call.putObject("function").put("name", c.name()).put("arguments", argumentsText(c));
            }
          }
        }
        default -> messages.addObject().put("role", "tool").put("tool_call_id", s.toolCallId())
            .put("content", s.content());
      }
    }
    if (!trace.tools().isEmpty()) {
      ArrayNode tools = root.putArray("tools");
      for (Trace.Tool t : trace.tools()) {
        ObjectNode f = tools.addObject().put("type", "function").putObject("function");
        f.put("name", t.name()).put("description", t.description()).set("parameters", t.parameters());
      }
    }
    return root;
  }

  private ObjectNode messages(Trace trace, int upTo) {
    ObjectNode root = JSON.createObjectNode();
    root.put("model", model);
    root.put("max_tokens", MAX_OUTPUT_TOKENS);
    root.put("system", trace.system());
    if (!trace.tools().isEmpty()) {
      ArrayNode tools = root.putArray("tools");
      for (Trace.Tool t : trace.tools()) {
        tools.addObject().put("name", t.name()).put("description", t.description())
            .set("input_schema", t.parameters());
      }
    }
    ArrayNode messages = root.putArray("messages");
    for (Trace.Step s : trace.steps().subList(0, upTo)) {
      switch (s.role()) {
        case "user" -> content(messages, "user").addObject().put("type", "text").put("text", userText(s));
        case "assistant" -> {
          ArrayNode content = content(messages, "assistant");
          if (s.text() != null && !s.text().isEmpty()) content.addObject().put("type", "text").put("text", s.text());
          for (Trace.ToolCall c : s.toolCalls()) {
            content.addObject().put("type", "tool_use").put("id", c.id()).put("name", c.name())
                .set("input", arguments(c));
          }
        }
        default -> content(messages, "user").addObject().put("type", "tool_result")
            .put("tool_use_id", s.toolCallId()).put("content", s.content());
      }
    }
    return root;
  }

  /** The content array of the last message if it has this role (Anthropic alternates roles), else of a new one. */
  private static ArrayNode content(ArrayNode messages, String role) {
    if (!messages.isEmpty()) {
      JsonNode last = messages.get(messages.size() - 1);
      if (last.path("role").asText().equals(role)) return (ArrayNode) last.get("content");
    }
    return messages.addObject().put("role", role).putArray("content");
  }

  private ObjectNode responses(Trace trace, int upTo) {
    ObjectNode root = JSON.createObjectNode();
    root.put("model", model);
    root.put("max_output_tokens", MAX_OUTPUT_TOKENS);
    root.put("instructions", trace.system());
    if (!trace.tools().isEmpty()) {
      ArrayNode tools = root.putArray("tools");
      for (Trace.Tool t : trace.tools()) {
        tools.addObject().put("type", "function").put("name", t.name()).put("description", t.description())
            .set("parameters", t.parameters());
      }
    }
    ArrayNode input = root.putArray("input");
    for (Trace.Step s : trace.steps().subList(0, upTo)) {
      switch (s.role()) {
        case "user" -> input.addObject().put("role", "user").putArray("content").addObject()
            .put("type", "input_text").put("text", userText(s));
        case "assistant" -> {
          if (s.text() != null && !s.text().isEmpty()) {
            input.addObject().put("role", "assistant").putArray("content").addObject()
                .put("type", "output_text").put("text", s.text());
          }
          for (Trace.ToolCall c : s.toolCalls()) {
            input.addObject().put("type", "function_call").put("call_id", c.id()).put("name", c.name())
                .put("arguments", argumentsText(c));
          }
        }
        default -> input.addObject().put("type", "function_call_output").put("call_id", s.toolCallId())
            .put("output", s.content());
      }
    }
    return root;
  }

  /** A user turn's text: its retrieved passages in {@code <context>} tags, a blank line, then the question. */
  static String userText(Trace.Step s) {
    return s.context() == null || s.context().isEmpty() ? s.text()
        : "<context>" + s.context() + "</context>\n\n" + s.text();
  }

  private static JsonNode arguments(Trace.ToolCall c) {
    return c.arguments() == null ? JSON.createObjectNode() : c.arguments();
  }

  private static String argumentsText(Trace.ToolCall c) {
    try {
      return JSON.writeValueAsString(arguments(c));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ------------------------------------------------------------------ canonical text

  /**
   * A request body as the provider lays out its prompt: the tools (name, description, schema), the system prompt or
   * instructions, then every message or item in order with its role and its contents (text, tool calls with their
   * arguments, tool results). Fields that are not prompt text (model, max tokens) are left out. Two bodies whose
   * prompts begin alike give canonical texts that begin alike.
   */
  String canonical(JsonNode body) {
    StringBuilder sb = new StringBuilder();
    JsonNode tools = body.path("tools");
    for (JsonNode t : tools) {
      JsonNode f = t.has("function") ? t.get("function") : t;
      JsonNode schema = f.has("parameters") ? f.get("parameters") : f.path("input_schema");
      part(sb, "tool " + f.path("name").asText(), f.path("description").asText() + "\n" + schema);
    }
    switch (this) {
      case CHAT -> {
        for (JsonNode m : body.path("messages")) {
          String role = m.path("role").asText();
          if (role.equals("tool")) {
            part(sb, "tool_result " + m.path("tool_call_id").asText(), text(m.get("content")));
            continue;
          }
          part(sb, role, text(m.get("content")));
          for (JsonNode c : m.path("tool_calls")) {
            part(sb, "tool_call " + c.path("id").asText() + " " + c.path("function").path("name").asText(),
                c.path("function").path("arguments").asText());
          }
        }
      }
      case MESSAGES -> {
        if (body.has("system")) part(sb, "system", text(body.get("system")));
        for (JsonNode m : body.path("messages")) {
          String role = m.path("role").asText();
          JsonNode content = m.get("content");
          if (content == null || content.isTextual()) {
            part(sb, role, text(content));
            continue;
          }
          sb.append("\n<").append(role).append('>');
          for (JsonNode b : content) {
            switch (b.path("type").asText()) {
              case "tool_use" -> part(sb, "tool_call " + b.path("id").asText() + " " + b.path("name").asText(),
                  b.path("input").toString());
              case "tool_result" -> part(sb, "tool_result " + b.path("tool_use_id").asText(),
                  text(b.get("content")));
              default -> part(sb, "text", text(b));
            }
          }
        }
      }
      case RESPONSES -> {
        if (body.has("instructions")) part(sb, "system", text(body.get("instructions")));
        JsonNode input = body.path("input");
        if (input.isTextual()) part(sb, "user", input.asText());
        for (JsonNode item : input) {
          switch (item.path("type").asText("message")) {
            case "function_call" -> part(sb, "tool_call " + item.path("call_id").asText() + " "
                + item.path("name").asText(), item.path("arguments").asText());
            case "function_call_output" -> part(sb, "tool_result " + item.path("call_id").asText(),
                text(item.get("output")));
            default -> part(sb, item.path("role").asText(), text(item.get("content")));
          }
        }
      }
    }
    return sb.toString();
  }

  private static void part(StringBuilder sb, String label, String text) {
    sb.append("\n<").append(label).append(">\n").append(text);
  }

  /** The text of a content value: a string, a block with {@code text}, or an array of such blocks joined by lines. */
  static String text(JsonNode content) {
    if (content == null || content.isNull() || content.isMissingNode()) return "";
    if (content.isTextual()) return content.asText();
    if (content.isArray()) {
      StringBuilder sb = new StringBuilder();
      for (JsonNode part : content) {
        if (sb.length() > 0) sb.append('\n');
        sb.append(text(part));
      }
      return sb.toString();
    }
    if (content.has("text")) return content.get("text").asText();
    if (content.has("content")) return text(content.get("content"));
    return content.toString();
  }
}
