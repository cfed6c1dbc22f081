package dev.precis.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A streamed response relayed to the client while the model may call {@link ExpandTool}: events go through as they
 * come until one starts a {@code precis_expand} call; from there on they are held. When the round's stream ends, the
 * held events either go to the client (without the {@code precis_expand} call, when the model also called the client's
 * tools or no round is left) or are dropped, and the proxy continues the conversation upstream, streamed again: the
 * next round's events are relayed as the continuation of the same response (no second start event, block and item
 * indices and sequence numbers carried on), so the client sees one ordinary stream. Not thread-safe: one per request.
 *
 * <p>Example (Anthropic): {@code message_start}, a text block 0 and its deltas go through; {@code content_block_start}
 * of a {@code tool_use} named {@code precis_expand} at index 1 is held with its input deltas and the closing
 * {@code message_delta}/{@code message_stop}; the next round's {@code message_start} is dropped and its text block 0
 * is relayed as block 1.
 */
public final class ExpandingStream {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ApiFamily family;
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
  private int round;
  /** Blocks (Anthropic) or output items (Responses) relayed in earlier rounds: the next round's indices start here. */
  private int indexOffset;
  private int relayedIndices;
  private int sequence;
  private boolean holding;
  private int expandIndex = -1;
  private final List<String> held = new ArrayList<>();
  private final Map<Integer, Call> calls = new LinkedHashMap<>();
  private int otherCalls;
  private final StringBuilder text = new StringBuilder();

  private static final class Call {
    String id;
    String name;
    final StringBuilder arguments = new StringBuilder();
  }

  public ExpandingStream(ApiFamily family) {
    this.family = family;
  }

  /** Bytes of the current round's stream as they arrive; returns what to relay to the client now. */
  public byte[] feed(byte[] chunk) {
    pending.writeBytes(chunk);
    byte[] all = pending.toByteArray();
    int start = 0;
    StringBuilder out = new StringBuilder();
    for (int i = 0; i + 1 < all.length; i++) {
      int end = -1;
      if (all[i] == '\n' && all[i + 1] == '\n') end = i + 2;
      else if (i + 3 < all.length && all[i] == '\r' && all[i + 1] == '\n' && all[i + 2] == '\r' && all[i + 3] == '\n')
        end = i + 4;
      if (end < 0) continue;
      out.append(event(new String(all, start, end - start, StandardCharsets.UTF_8)));
      start = end;
      i = end - 1;
    }
    pending.reset();
    pending.write(all, start, all.length - start);
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Whether this round's model turn calls {@code precis_expand} and nothing else: the proxy answers and goes on. */
  public boolean onlyExpand() {
    return !calls.isEmpty() && otherCalls == 0;
  }

  /** This round's {@code precis_expand} calls. */
  public List<ExpandTool.Call> calls() {
    return ExpandTool.calls(family, response()).expand();
  }

  /**
   * The round's model turn in the shape of a non-streamed response ({@link ExpandTool#followUp} reads it): its text
   * and its {@code precis_expand} calls.
   */
  public JsonNode response() {
    ObjectNode root = JSON.createObjectNode();
    switch (family) {
      case CHAT_COMPLETIONS -> {
        ObjectNode message = root.putArray("choices").addObject().putObject("message");
        message.put("role", "assistant");
        if (text.isEmpty()) message.putNull("content");
        else message.put("content", text.toString());
        ArrayNode toolCalls = message.putArray("tool_calls");
        for (Call c : calls.values()) {
          toolCalls.addObject().put("id", c.id).put("type", "function").putObject("function")
              .put("name", c.name).put("arguments", c.arguments.toString());
        }
      }
      case MESSAGES -> {
        ArrayNode content = root.putArray("content");
        if (!text.isEmpty()) content.addObject().put("type", "text").put("text", text.toString());
        for (Call c : calls.values()) {
          ObjectNode use = content.addObject().put("type", "tool_use").put("id", c.id).put("name", c.name);
          use.set("input", parseOrEmpty(c.arguments.toString()));
        }
      }
      case RESPONSES -> {
        ArrayNode output = root.putArray("output");
        for (Call c : calls.values()) {
          output.addObject().put("type", "function_call").put("call_id", c.id).put("name", c.name)
              .put("arguments", c.arguments.toString());
        }
      }
    }
    return root;
  }

  /**
   * The round's stream ended and the proxy will not go on: the held events for the client, without the
   * {@code precis_expand} call's own events.
   */
  public byte[] release() {
    StringBuilder out = new StringBuilder();
    for (String e : held) out.append(withoutExpand(e));
    held.clear();
    holding = false;
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The proxy answered the calls and goes on: the next round's stream is relayed as the same response. */
  public void nextRound() {
    round++;
    indexOffset += relayedIndices;
    relayedIndices = 0;
    holding = false;
    expandIndex = -1;
    held.clear();
    calls.clear();
    otherCalls = 0;
    text.setLength(0);
    pending.reset();
  }

  // ---------------------------------------------------------------- events

  private String event(String raw) {
    String name = null;
    StringBuilder data = new StringBuilder();
    for (String line : raw.split("\r?\n")) {
      if (line.startsWith("event:")) name = line.substring(6).strip();
      else if (line.startsWith("data:")) data.append(data.isEmpty() ? "" : "\n").append(line.substring(5).strip());
    }
    JsonNode json = null;
    if (!data.isEmpty() && !data.toString().equals("[DONE]")) {
      try {
        json = JSON.readTree(data.toString());
      } catch (IOException e) {
        json = null;
      }
    }
    if (json == null || !json.isObject()) return hold(raw); // [DONE], comments, pings without data
    return switch (family) {
      case CHAT_COMPLETIONS -> chat(raw, (ObjectNode) json);
      case MESSAGES -> anthropic(raw, name, (ObjectNode) json);
      case RESPONSES -> responses(raw, name, (ObjectNode) json);
    };
  }

  /** A {@code precis_expand} call begins at a tool-call, block or item index: the round holds from here on. */
  private Call startCall(int index, String id) {
    Call call = new Call();
    call.id = id;
    call.name = ExpandTool.NAME;
    calls.put(index, call);
    if (!holding) {
      holding = true;
      expandIndex = index;
    }
    return call;
  }

  /** Relays an event unless the round is holding. */
  private String hold(String raw) {
    if (holding) {
      held.add(raw);
      return "";
    }
    return raw;
  }

  private String chat(String raw, ObjectNode json) {
    for (JsonNode choice : json.path("choices")) {
      JsonNode delta = choice.path("delta");
      if (delta.path("content").isTextual()) text.append(delta.get("content").asText());
      for (JsonNode tc : delta.path("tool_calls")) {
        int index = tc.path("index").asInt();
        Call call = calls.get(index);
        String name = tc.path("function").path("name").asText(null);
        if (call == null && ExpandTool.NAME.equals(name)) {
          call = startCall(index, tc.path("id").asText());
        } else if (call == null && name != null) {
          otherCalls++;
        }
        if (call != null) call.arguments.append(tc.path("function").path("arguments").asText(""));
      }
    }
    return hold(raw);
  }

  private String anthropic(String raw, String name, ObjectNode json) {
    String type = json.path("type").asText(name == null ? "" : name);
    if (type.equals("message_start") && round > 0) return "";
    if (json.has("index")) {
      int index = json.get("index").asInt();
      if (type.equals("content_block_start")) {
        JsonNode block = json.path("content_block");
        if (block.path("type").asText().equals("tool_use") && ExpandTool.NAME.equals(block.path("name").asText())) {
          startCall(index, block.path("id").asText());
        } else if (block.path("type").asText().equals("tool_use")) {
          otherCalls++;
        }
      }
      if (type.equals("content_block_delta")) {
        JsonNode delta = json.path("delta");
        if (delta.path("type").asText().equals("text_delta")) text.append(delta.path("text").asText());
        Call call = calls.get(index);
        if (call != null) call.arguments.append(delta.path("partial_json").asText(""));
      }
      json.put("index", index + indexOffset);
      if (!holding) relayedIndices = Math.max(relayedIndices, index + 1);
    }
    return hold(round == 0 ? raw : sse(type, json)); // the first round's events go as the upstream sent them
  }

  private String responses(String raw, String name, ObjectNode json) {
    String type = json.path("type").asText(name == null ? "" : name);
    if (round > 0 && (type.equals("response.created") || type.equals("response.in_progress"))) return "";
    if (type.equals("response.output_item.added")) {
      JsonNode item = json.path("item");
      int index = json.path("output_index").asInt();
      if (item.path("type").asText().equals("function_call") && ExpandTool.NAME.equals(item.path("name").asText())) {
        startCall(index, item.path("call_id").asText());
      } else if (item.path("type").asText().endsWith("_call")) {
        otherCalls++;
      }
    }
    if (type.equals("response.output_text.delta")) text.append(json.path("delta").asText());
    if (type.equals("response.function_call_arguments.done") && json.has("output_index")) {
      Call call = calls.get(json.get("output_index").asInt());
      if (call != null) {
        call.arguments.setLength(0);
        call.arguments.append(json.path("arguments").asText());
      }
    } else if (type.equals("response.function_call_arguments.delta") && json.has("output_index")) {
      Call call = calls.get(json.get("output_index").asInt());
      if (call != null) call.arguments.append(json.path("delta").asText());
    }
    if (json.has("output_index")) {
      int index = json.get("output_index").asInt();
      json.put("output_index", index + indexOffset);
      if (!holding) relayedIndices = Math.max(relayedIndices, index + 1);
    }
    if (json.has("sequence_number")) {
      if (round > 0) json.put("sequence_number", ++sequence);
      else sequence = Math.max(sequence, json.get("sequence_number").asInt());
    }
    return hold(round == 0 ? raw : sse(type, json)); // the first round's events go as the upstream sent them
  }

  /** A held event as the client gets it when the proxy stops: the {@code precis_expand} call's own events left out. */
  private String withoutExpand(String raw) {
    if (expandIndex < 0) return raw;
    String data = null;
    String name = null;
    for (String line : raw.split("\r?\n")) {
      if (line.startsWith("data:")) data = line.substring(5).strip();
      if (line.startsWith("event:")) name = line.substring(6).strip();
    }
    if (data == null || data.equals("[DONE]")) return raw;
    try {
      JsonNode json = JSON.readTree(data);
      if (!json.isObject()) return raw;
      ObjectNode o = (ObjectNode) json;
      switch (family) {
        case CHAT_COMPLETIONS -> {
          boolean touched = false;
          for (JsonNode choice : o.path("choices")) {
            JsonNode tcs = choice.path("delta").path("tool_calls");
            if (!tcs.isArray()) continue;
            ArrayNode array = (ArrayNode) tcs;
            for (int i = array.size() - 1; i >= 0; i--) {
              int index = array.get(i).path("index").asInt();
              if (calls.containsKey(index)) array.remove(i);
              else ((ObjectNode) array.get(i)).put("index", index - countBelow(index));
              touched = true;
            }
          }
          return touched ? "data: " + o + "\n\n" : raw;
        }
        case MESSAGES -> {
          if (!o.has("index")) return raw;
          int index = o.get("index").asInt() - indexOffset;
          if (calls.containsKey(index)) return "";
          o.put("index", index - countBelow(index) + indexOffset);
          return sse(o.path("type").asText(name), o);
        }
        case RESPONSES -> {
          if (!o.has("output_index")) return raw;
          int index = o.get("output_index").asInt() - indexOffset;
          if (calls.containsKey(index)) return "";
          o.put("output_index", index - countBelow(index) + indexOffset);
          return sse(o.path("type").asText(name), o);
        }
      }
    } catch (IOException e) {
      return raw;
    }
    return raw;
  }

  private int countBelow(int index) {
    int n = 0;
    for (int k : calls.keySet()) if (k < index) n++;
    return n;
  }

  private static String sse(String type, JsonNode json) {
    return (type == null || type.isEmpty() ? "" : "event: " + type + "\n") + "data: " + json + "\n\n";
  }

  private static JsonNode parseOrEmpty(String json) {
    try {
      JsonNode node = JSON.readTree(json.isBlank() ? "{}" : json);
      return node != null && node.isObject() ? node : JSON.createObjectNode();
    } catch (IOException e) {
      return JSON.createObjectNode();
    }
  }
}
