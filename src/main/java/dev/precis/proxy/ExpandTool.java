package dev.precis.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code precis_expand} tool the proxy offers a model whose context it compressed: its definition in each API's
 * shape, the model's calls to it in a response, the response without them, and the request that continues the
 * conversation with their results.
 *
 * <p>Example (chat completions): a response whose message calls {@code precis_expand} with {@code {"ref":
 * "3f9c01d2"}} gives one {@link Call}; {@link #followUp} appends that assistant message and a {@code tool} message
 * with the expanded text to the request's {@code messages}.
 */
public final class ExpandTool {
  public static final String NAME = "precis_expand";
  static final String DESCRIPTION = "Some context in this conversation was shortened to fit the model's budget: "
      + "left-out text is marked with …, and the first mark in each shortened text carries its ref, like "
      + "[… ref 3f9c01d2]. Call this tool with that ref to read the shortened text whole when you need what was left "
      + "out to answer. Give a query to get the parts about it first when the text is long.";
  private static final ObjectMapper JSON = new ObjectMapper();

  private ExpandTool() {}

  /** A call of the tool: the call's id, the reference asked for (null when missing) and the optional query. */
  public record Call(String id, String ref, String query) {}

  /** The calls in a response, and whether it calls other tools too. */
  public record Calls(List<Call> expand, int others) {
    public boolean onlyExpand() {
      return !expand.isEmpty() && others == 0;
    }
  }

  /** The tool's definition as an element of the request's {@code tools} array, as compact JSON. */
  public static String definition(ApiFamily family) {
    ObjectNode parameters = JSON.createObjectNode();
    parameters.put("type", "object");
    ObjectNode properties = parameters.putObject("properties");
    properties.putObject("ref").put("type", "string")
        .put("description", "The ref of an omission, the 8 hex digits after 'ref', for example 3f9c01d2.");
    properties.putObject("query").put("type", "string")
        .put("description", "Optional: what you are looking for in the omitted text.");
    parameters.putArray("required").add("ref");
    ObjectNode tool = JSON.createObjectNode();
    switch (family) {
      case CHAT_COMPLETIONS -> {
        tool.put("type", "function");
        ObjectNode function = tool.putObject("function");
        function.put("name", NAME).put("description", DESCRIPTION);
        function.set("parameters", parameters);
      }
      case RESPONSES -> {
        tool.put("type", "function").put("name", NAME).put("description", DESCRIPTION);
        tool.set("parameters", parameters);
      }
      case MESSAGES -> {
        tool.put("name", NAME).put("description", DESCRIPTION);
        tool.set("input_schema", parameters);
      }
    }
    return tool.toString();
  }

  /**
   * Whether the request lets the proxy add a tool: not when {@code tool_choice} forbids tools ({@code none}) or names
   * one tool, so that adding ours would change what the client asked for.
   */
  public static boolean allowedBy(JsonNode request) {
    JsonNode choice = request.get("tool_choice");
    if (choice == null || choice.isNull()) return true;
    if (choice.isTextual()) return !choice.asText().equals("none");
    String type = choice.path("type").asText();
    return type.equals("auto") || type.equals("any") || type.equals("required");
  }

  /** The calls of {@code precis_expand} in a response body, and how many calls of other tools it makes. */
  public static Calls calls(ApiFamily family, JsonNode response) {
    List<Call> expand = new ArrayList<>();
    int others = 0;
    switch (family) {
      case CHAT_COMPLETIONS -> {
        for (JsonNode choice : response.path("choices")) {
          for (JsonNode call : choice.path("message").path("tool_calls")) {
            if (NAME.equals(call.path("function").path("name").asText())) {
              expand.add(call(call.path("id").asText(), call.path("function").path("arguments").asText()));
            } else {
              others++;
            }
          }
        }
      }
      case RESPONSES -> {
        for (JsonNode item : response.path("output")) {
          if (!item.path("type").asText().endsWith("_call")) continue;
          if (item.path("type").asText().equals("function_call") && NAME.equals(item.path("name").asText())) {
            expand.add(call(item.path("call_id").asText(), item.path("arguments").asText()));
          } else {
            others++;
          }
        }
      }
      case MESSAGES -> {
        for (JsonNode block : response.path("content")) {
          if (!block.path("type").asText().equals("tool_use")) continue;
          if (NAME.equals(block.path("name").asText())) {
            JsonNode input = block.path("input");
            expand.add(new Call(block.path("id").asText(), text(input.get("ref")), text(input.get("query"))));
          } else {
            others++;
          }
        }
      }
    }
    return new Calls(expand, others);
  }

  private static Call call(String id, String arguments) {
    try {
      JsonNode args = JSON.readTree(arguments);
      return new Call(id, text(args == null ? null : args.get("ref")), text(args == null ? null : args.get("query")));
    } catch (IOException e) {
      return new Call(id, null, null);
    }
  }

  private static String text(JsonNode node) {
    return node == null || !node.isTextual() || node.asText().isBlank() ? null : node.asText().strip();
  }

  /** A call's result: what the model reads as the tool's output. */
  public record Result(String callId, String text) {}

  /**
   * The request that continues the conversation: the request as it was sent, then the response's assistant turn, then
   * the results of its {@code precis_expand} calls.
   */
  public static byte[] followUp(ApiFamily family, byte[] sent, JsonNode response, List<Result> results) {
    try {
      ObjectNode request = (ObjectNode) JSON.readTree(sent);
      switch (family) {
        case CHAT_COMPLETIONS -> {
          ArrayNode messages = (ArrayNode) request.get("messages");
          JsonNode message = response.path("choices").path(0).path("message");
          ObjectNode assistant = messages.addObject();
          assistant.put("role", "assistant");
          assistant.set("content", message.has("content") ? message.get("content") : JSON.nullNode());
          assistant.set("tool_calls", message.path("tool_calls"));
          for (Result r : results) {
            messages.addObject().put("role", "tool").put("tool_call_id", r.callId()).put("content", r.text());
          }
        }
        case RESPONSES -> {
          JsonNode input = request.get("input");
          ArrayNode items;
          if (input != null && input.isArray()) {
            items = (ArrayNode) input;
          } else {
            items = JSON.createArrayNode();
            if (input != null && input.isTextual()) {
              items.addObject().put("role", "user").put("content", input.asText());
            }
            request.set("input", items);
          }
          for (JsonNode item : response.path("output")) items.add(item);
          for (Result r : results) {
            items.addObject().put("type", "function_call_output").put("call_id", r.callId()).put("output", r.text());
          }
        }
        case MESSAGES -> {
          ArrayNode messages = (ArrayNode) request.get("messages");
          ObjectNode assistant = messages.addObject();
          assistant.put("role", "assistant");
          assistant.set("content", response.path("content"));
          ArrayNode content = messages.addObject().put("role", "user").putArray("content");
          for (Result r : results) {
            content.addObject().put("type", "tool_result").put("tool_use_id", r.callId()).put("content", r.text());
          }
        }
      }
      return JSON.writeValueAsBytes(request);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The response without its {@code precis_expand} calls (when it also calls the client's own tools). */
  public static byte[] withoutExpandCalls(ApiFamily family, JsonNode response) {
    ObjectNode copy = response.deepCopy();
    switch (family) {
      case CHAT_COMPLETIONS -> {
        for (JsonNode choice : copy.path("choices")) {
          JsonNode calls = choice.path("message").path("tool_calls");
          if (calls.isArray()) removeIf((ArrayNode) calls, c -> NAME.equals(c.path("function").path("name").asText()));
        }
      }
      case RESPONSES -> {
        if (copy.path("output").isArray()) {
          removeIf((ArrayNode) copy.get("output"), i -> NAME.equals(i.path("name").asText())
              && i.path("type").asText().equals("function_call"));
        }
      }
      case MESSAGES -> {
        if (copy.path("content").isArray()) {
          removeIf((ArrayNode) copy.get("content"), b -> NAME.equals(b.path("name").asText())
              && b.path("type").asText().equals("tool_use"));
        }
      }
    }
    try {
      return JSON.writeValueAsBytes(copy);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void removeIf(ArrayNode array, java.util.function.Predicate<JsonNode> drop) {
    for (int i = array.size() - 1; i >= 0; i--) if (drop.test(array.get(i))) array.remove(i);
  }
}
