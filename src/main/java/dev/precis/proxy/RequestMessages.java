package dev.precis.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A request body read into the shape the three APIs share: the model, the completion allowance, the tool
 * definitions, and the messages in prompt order, each with its texts addressed by JSON Pointer.
 *
 * <p>Example: the Anthropic request {@code {"system": "Be brief.", "messages": [{"role": "user", "content":
 * [{"type": "tool_result", "tool_use_id": "t1", "content": "log…"}]}]}} gives a system message with the text at
 * {@code /system} and a user message whose part {@code /messages/0/content/0/content} is a tool result.
 */
record RequestMessages(String model, Integer completionTokens, String toolsJson, List<Message> messages) {
  RequestMessages {
    messages = List.copyOf(messages);
  }

  enum Role { SYSTEM, USER, ASSISTANT, TOOL }

  /** What a text part is: something a participant wrote, a tool's result, or an attached document. */
  enum Origin { MESSAGE, TOOL_RESULT, DOCUMENT }

  record Part(String pointer, String text, Origin origin, boolean pinned) {}

  record Message(Role role, List<Part> parts) {
    Message {
      parts = List.copyOf(parts);
    }

    /** Whether a user wrote text here (an Anthropic user message may hold only tool results). */
    boolean hasUserText() {
      return role == Role.USER && parts.stream().anyMatch(p -> p.origin() == Origin.MESSAGE);
    }
  }

  static RequestMessages read(ApiFamily family, JsonNode root) {
    if (root == null || !root.isObject()) {
      throw new MalformedChatRequest("the body must be a JSON object with "
          + (family == ApiFamily.RESPONSES ? "model and input" : "model and messages"), null);
    }
    JsonNode modelNode = root.get("model");
    if (modelNode != null && !modelNode.isNull() && !modelNode.isTextual()) {
      throw new MalformedChatRequest("model must be a string", "model");
    }
    String model = modelNode == null || modelNode.isNull() ? null : modelNode.asText();
    StringBuilder tools = new StringBuilder();
    for (String field : List.of("tools", "functions")) {
      JsonNode node = root.get(field);
      if (node != null && !node.isNull()) tools.append(node);
    }
    return switch (family) {
      case CHAT_COMPLETIONS -> {
        Integer completion = nonNegativeInt(root, "max_completion_tokens");
        if (completion == null) completion = nonNegativeInt(root, "max_tokens");
        yield new RequestMessages(model, completion, tools.toString(), chatMessages(root));
      }
      case RESPONSES -> new RequestMessages(model, nonNegativeInt(root, "max_output_tokens"), tools.toString(),
          responsesItems(root));
      case MESSAGES -> new RequestMessages(model, nonNegativeInt(root, "max_tokens"), tools.toString(),
          anthropicMessages(root));
    };
  }

  // ---- OpenAI chat completions

  private static List<Message> chatMessages(JsonNode root) {
    JsonNode messages = array(root, "messages", "an array of {role, content} objects");
    List<Message> out = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      JsonNode m = messages.get(i);
      if (!m.isObject()) {
        throw new MalformedChatRequest("messages[" + i + "] must be an object with role and content",
            "messages[" + i + "]");
      }
      String role = m.path("role").asText();
      Role r = switch (role) {
        case "system", "developer" -> Role.SYSTEM;
        case "assistant" -> Role.ASSISTANT;
        case "tool", "function" -> Role.TOOL;
        default -> Role.USER;
      };
      Origin origin = r == Role.TOOL ? Origin.TOOL_RESULT : Origin.MESSAGE;
      List<Part> parts = new ArrayList<>();
      JsonNode content = m.get("content");
      String base = "/messages/" + i + "/content";
      if (content == null || content.isNull()) {
        // an assistant message with tool calls only
      } else if (content.isTextual()) {
        parts.add(new Part(base, content.asText(), origin, false));
      } else if (content.isArray()) {
        for (int k = 0; k < content.size(); k++) {
          JsonNode part = content.get(k);
          JsonNode text = part.get("text");
          if (part.isObject() && "text".equals(part.path("type").asText()) && text != null && text.isTextual()) {
            parts.add(new Part(base + "/" + k + "/text", text.asText(), origin, false));
          }
        }
      } else {
        throw new MalformedChatRequest("messages[" + i + "].content must be a string, an array of content parts "
            + "or null", "messages[" + i + "].content");
      }
      out.add(new Message(r, parts));
    }
    return out;
  }

  // ---- OpenAI Responses

  private static List<Message> responsesItems(JsonNode root) {
    List<Message> out = new ArrayList<>();
    JsonNode instructions = root.get("instructions");
    if (instructions != null && instructions.isTextual()) {
      out.add(new Message(Role.SYSTEM, List.of(new Part("/instructions", instructions.asText(), Origin.MESSAGE,
          false))));
    }
    JsonNode input = root.get("input");
    if (input == null || input.isNull()) return out; // a request continuing previous_response_id may send none
    if (input.isTextual()) {
      out.add(new Message(Role.USER, List.of(new Part("/input", input.asText(), Origin.MESSAGE, false))));
      return out;
    }
    if (!input.isArray()) {
      throw new MalformedChatRequest("input must be a string or an array of items, not "
          + input.getNodeType().name().toLowerCase(Locale.ROOT), "input");
    }
    for (int i = 0; i < input.size(); i++) {
      JsonNode item = input.get(i);
      if (!item.isObject()) {
        throw new MalformedChatRequest("input[" + i + "] must be an object (a message or an item with a type)",
            "input[" + i + "]");
      }
      String base = "/input/" + i;
      String type = item.path("type").asText(item.has("role") ? "message" : "");
      switch (type) {
        case "message" -> {
          Role role = switch (item.path("role").asText()) {
            case "system", "developer" -> Role.SYSTEM;
            case "assistant" -> Role.ASSISTANT;
            default -> Role.USER;
          };
          out.add(new Message(role, textParts(item.get("content"), base + "/content", Origin.MESSAGE,
              "input[" + i + "].content")));
        }
        case "function_call_output", "custom_tool_call_output", "local_shell_call_output", "shell_call_output" ->
            out.add(new Message(Role.TOOL, textParts(item.get("output"), base + "/output", Origin.TOOL_RESULT,
                "input[" + i + "].output")));
        case "item_reference" -> {
          // a reference to an item the server stores: no text here, and not a turn of its own
        }
        default -> out.add(new Message(Role.ASSISTANT, List.of())); // function_call, reasoning, *_call: model output
      }
    }
    return out;
  }

  /** A string, or an array of parts with a string {@code text} ({@code input_text}, {@code output_text}, ...). */
  private static List<Part> textParts(JsonNode content, String base, Origin origin, String field) {
    List<Part> parts = new ArrayList<>();
    if (content == null || content.isNull()) return parts;
    if (content.isTextual()) {
      parts.add(new Part(base, content.asText(), origin, false));
    } else if (content.isArray()) {
      for (int k = 0; k < content.size(); k++) {
        JsonNode text = content.get(k).get("text");
        String type = content.get(k).path("type").asText();
        if (text != null && text.isTextual() && (type.endsWith("text") || type.isEmpty())) {
          parts.add(new Part(base + "/" + k + "/text", text.asText(), origin, false));
        }
      }
    } else if (!content.isObject()) {
      throw new MalformedChatRequest(field + " must be a string or an array of content parts", field);
    }
    return parts;
  }

  // ---- Anthropic Messages

  /**
   * The system prompt and messages; a part at or before the last {@code cache_control} breakpoint (in prompt order:
   * tools, system, messages) is pinned.
   */
  private static List<Message> anthropicMessages(JsonNode root) {
    JsonNode messages = array(root, "messages", "an array of {role, content} objects");
    List<Message> out = new ArrayList<>();
    List<Part> all = new ArrayList<>();
    int breakpoint = -1; // index in `all` of the last part a cache_control covers
    JsonNode system = root.get("system");
    List<Part> systemParts = new ArrayList<>();
    if (system != null && system.isTextual()) {
      systemParts.add(new Part("/system", system.asText(), Origin.MESSAGE, false));
    } else if (system != null && system.isArray()) {
      for (int k = 0; k < system.size(); k++) {
        JsonNode block = system.get(k);
        if (block.path("text").isTextual()) {
          systemParts.add(new Part("/system/" + k + "/text", block.get("text").asText(), Origin.MESSAGE, false));
        }
        if (block.hasNonNull("cache_control")) breakpoint = all.size() + systemParts.size() - 1;
      }
    } else if (system != null && !system.isNull()) {
      throw new MalformedChatRequest("system must be a string or an array of text blocks", "system");
    }
    all.addAll(systemParts);
    int systemCount = all.size();
    List<int[]> ranges = new ArrayList<>();
    List<Role> roles = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      JsonNode m = messages.get(i);
      if (!m.isObject()) {
        throw new MalformedChatRequest("messages." + i + " must be an object with role and content", "messages." + i);
      }
      String role = m.path("role").asText();
      if (!role.equals("user") && !role.equals("assistant")) {
        throw new MalformedChatRequest("messages." + i + ".role must be user or assistant, not '" + role + "'",
            "messages." + i + ".role");
      }
      int from = all.size();
      JsonNode content = m.get("content");
      String base = "/messages/" + i + "/content";
      if (content != null && content.isTextual()) {
        all.add(new Part(base, content.asText(), Origin.MESSAGE, false));
      } else if (content != null && content.isArray()) {
        for (int k = 0; k < content.size(); k++) {
          JsonNode block = content.get(k);
          String blockBase = base + "/" + k;
          int before = all.size();
          switch (block.path("type").asText()) {
            case "text" -> {
              if (block.path("text").isTextual()) {
                all.add(new Part(blockBase + "/text", block.get("text").asText(), Origin.MESSAGE, false));
              }
            }
            case "tool_result" -> {
              JsonNode result = block.get("content");
              if (result != null && result.isTextual()) {
                all.add(new Part(blockBase + "/content", result.asText(), Origin.TOOL_RESULT, false));
              } else if (result != null && result.isArray()) {
                for (int j = 0; j < result.size(); j++) {
                  JsonNode inner = result.get(j);
                  if ("text".equals(inner.path("type").asText()) && inner.path("text").isTextual()) {
                    all.add(new Part(blockBase + "/content/" + j + "/text", inner.get("text").asText(),
                        Origin.TOOL_RESULT, false));
                  }
                  if (inner.hasNonNull("cache_control")) breakpoint = Math.max(breakpoint, all.size() - 1);
                }
              }
            }
            case "document" -> {
              JsonNode source = block.path("source");
              if ("text".equals(source.path("type").asText()) && source.path("data").isTextual()) {
                all.add(new Part(blockBase + "/source/data", source.get("data").asText(), Origin.DOCUMENT, false));
              } else if ("content".equals(source.path("type").asText()) && source.path("content").isArray()) {
                JsonNode inner = source.get("content");
                for (int j = 0; j < inner.size(); j++) {
                  if ("text".equals(inner.get(j).path("type").asText()) && inner.get(j).path("text").isTextual()) {
                    all.add(new Part(blockBase + "/source/content/" + j + "/text", inner.get(j).get("text").asText(),
                        Origin.DOCUMENT, false));
                  }
                }
              }
            }
            default -> {
              // images, tool_use, thinking, ...: not text the proxy compresses
            }
          }
          if (block.hasNonNull("cache_control")) {
            // a breakpoint caches the prompt up to and including its block, also a block without text
            breakpoint = Math.max(breakpoint, all.size() > before ? all.size() - 1 : before - 1);
          }
        }
      } else if (content != null && !content.isNull()) {
        throw new MalformedChatRequest("messages." + i + ".content must be a string or an array of content blocks",
            "messages." + i + ".content");
      }
      ranges.add(new int[] {from, all.size()});
      roles.add(role.equals("user") ? Role.USER : Role.ASSISTANT);
    }
    List<Part> pinned = new ArrayList<>(all.size());
    for (int p = 0; p < all.size(); p++) {
      Part part = all.get(p);
      pinned.add(p <= breakpoint ? new Part(part.pointer(), part.text(), part.origin(), true) : part);
    }
    if (systemCount > 0) out.add(new Message(Role.SYSTEM, pinned.subList(0, systemCount)));
    for (int i = 0; i < ranges.size(); i++) {
      out.add(new Message(roles.get(i), pinned.subList(ranges.get(i)[0], ranges.get(i)[1])));
    }
    return out;
  }

  private static JsonNode array(JsonNode root, String field, String what) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      throw new MalformedChatRequest(field + " is missing: send " + what, field);
    }
    if (!node.isArray()) {
      throw new MalformedChatRequest(field + " must be " + what + ", not "
          + node.getNodeType().name().toLowerCase(Locale.ROOT), field);
    }
    return node;
  }

  /** A whole number >= 0 at {@code field}, null when absent; anything else is a malformed request naming it. */
  static Integer nonNegativeInt(JsonNode root, String field) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) return null;
    if (!node.canConvertToInt() || !node.isIntegralNumber() || node.asInt() < 0) {
      throw new MalformedChatRequest(field + " must be a whole number >= 0", field);
    }
    return node.asInt();
  }
}
