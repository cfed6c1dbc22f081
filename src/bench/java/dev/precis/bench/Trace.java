package dev.precis.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * An agent conversation in a neutral format, written by {@link AgentTraces} and replayed by {@link TraceBenchmark}:
 * a system prompt, the tools offered, and the steps in order.
 *
 * <pre>
 * {"name": "coding-agent", "sources": "...", "licence": "...", "system": "You are ...",
 *  "tools": [{"name": "read_file", "description": "...", "parameters": {JSON Schema}}],
 *  "steps": [
 *    {"role": "user", "text": "question", "context": "optional retrieved passages"},
 *    {"role": "assistant", "text": "optional", "tool_calls": [{"id": "call_1", "name": "read_file", "arguments": {...}}]},
 *    {"role": "tool", "tool_call_id": "call_1", "name": "read_file", "content": "..."}]}
 * </pre>
 *
 * <p>Invariants checked here: every tool step answers a call of the assistant step before it (its run of tool steps),
 * each call is answered exactly once before the next assistant or user step, and the last step is an assistant's.
 */
public record Trace(String name, String sources, String licence, String system, List<Tool> tools, List<Step> steps) {

  static final ObjectMapper JSON = new ObjectMapper()
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .setSerializationInclusion(JsonInclude.Include.NON_EMPTY)
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  public Trace {
    Objects.requireNonNull(name, "name");
    tools = List.copyOf(tools == null ? List.of() : tools);
    steps = List.copyOf(steps);
    if (steps.isEmpty()) throw new IllegalArgumentException("trace " + name + " has no steps");
    List<String> open = new ArrayList<>();
    for (int i = 0; i < steps.size(); i++) {
      Step s = steps.get(i);
      switch (s.role()) {
        case "user", "assistant" -> {
          if (!open.isEmpty()) {
            throw new IllegalArgumentException("trace " + name + " step " + i + ": tool calls " + open
                + " not answered before this " + s.role() + " step");
          }
          if (s.role().equals("assistant")) s.toolCalls().forEach(c -> open.add(c.id()));
        }
        case "tool" -> {
          if (!open.remove(s.toolCallId())) {
            throw new IllegalArgumentException("trace " + name + " step " + i + ": tool result for "
                + s.toolCallId() + ", which is not an open call of the assistant step before it");
          }
        }
        default -> throw new IllegalArgumentException("trace " + name + " step " + i + ": illegal role '"
            + s.role() + "', must be user, assistant or tool");
      }
    }
    if (!steps.get(steps.size() - 1).role().equals("assistant")) {
      throw new IllegalArgumentException("trace " + name + " must end with an assistant step");
    }
  }

  /** A tool the model may call: its name, description and JSON Schema of its arguments. */
  public record Tool(String name, String description, JsonNode parameters) {}

  /** One call of a tool by the assistant; {@code arguments} is a JSON object. */
  public record ToolCall(String id, String name, JsonNode arguments) {}

  /**
   * One step: a user turn ({@code text}, optional retrieved {@code context}), an assistant turn (optional
   * {@code text}, optional {@code toolCalls}), or a tool result ({@code toolCallId}, {@code name}, {@code content}).
   */
  public record Step(String role, String text, String context, List<ToolCall> toolCalls, String toolCallId,
      String name, String content) {
    public Step {
      Objects.requireNonNull(role, "role");
      toolCalls = toolCalls == null || toolCalls.isEmpty() ? null : List.copyOf(toolCalls);
    }

    @Override
    public List<ToolCall> toolCalls() {
      return toolCalls == null ? List.of() : toolCalls;
    }

    static Step user(String text, String context) {
      return new Step("user", text, context, null, null, null, null);
    }

    static Step assistant(String text, List<ToolCall> calls) {
      return new Step("assistant", text, null, calls, null, null, null);
    }

    static Step tool(ToolCall call, String content) {
      return new Step("tool", null, null, null, call.id(), call.name(), content);
    }
  }

  /** Indices of the steps a request is sent before: every assistant step (the request holds the steps before it). */
  public List<Integer> requestPoints() {
    List<Integer> points = new ArrayList<>();
    for (int i = 0; i < steps.size(); i++) if (steps.get(i).role().equals("assistant")) points.add(i);
    return points;
  }

  /** Names of the traces in a directory ({@code <name>.json}), sorted. */
  static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
    }
  }

  public static Trace read(Path file) throws IOException {
    return JSON.readValue(file.toFile(), Trace.class);
  }

  void write(Path file) throws IOException {
    Files.writeString(file, JSON.writeValueAsString(this) + "\n");
  }
}
