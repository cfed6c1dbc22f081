package dev.precis.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.precis.engine.EngineSettings;
import dev.precis.engine.PrecisEngine;
import dev.precis.tokens.Tokenizers;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Agent conversations replayed request by request, as a client sends them (each request repeats the whole
 * conversation so far), in each API's shape: every request's context fits its budget; a request that does not
 * re-compact forwards everything the previous request forwarded unchanged (a provider's prompt cache of it still
 * matches); re-compactions are rare; and a proxy that never saw the conversation forwards the same bytes.
 */
class ConversationReplayTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static PrecisEngine engine;

  @BeforeAll
  static void start() {
    engine = PrecisEngine.create(EngineSettings.defaults().withEncoder(false));
  }

  @AfterAll
  static void stop() {
    engine.close();
  }

  /** A tool's result: numbered sentences about one topic, so that each differs. */
  static String toolResult(Random random, int step) {
    StringBuilder text = new StringBuilder();
    int paragraphs = 1 + random.nextInt(4);
    for (int p = 0; p < paragraphs; p++) {
      for (int s = 0; s < 3 + random.nextInt(5); s++) {
        text.append("Result ").append(step).append('.').append(p).append('.').append(s)
            .append(": the service ").append(random.nextInt(50)).append(" answered in ")
            .append(random.nextInt(900)).append(" ms after ").append(random.nextInt(9)).append(" retries. ");
      }
      text.append("\n\n");
    }
    return text.toString().strip();
  }

  /** One request: the conversation's first {@code steps} tool round trips, in the family's shape. */
  static byte[] request(ApiFamily family, String question, List<String> results, int steps) throws Exception {
    ObjectNode root = JSON.createObjectNode();
    root.put("model", "gpt-4o");
    ArrayNode items;
    switch (family) {
      case CHAT_COMPLETIONS -> {
        items = root.putArray("messages");
        items.addObject().put("role", "system").put("content", "Use the tools.");
        items.addObject().put("role", "user").put("content", question);
        for (int s = 0; s < steps; s++) {
          ObjectNode call = items.addObject().put("role", "assistant");
          call.putNull("content");
          call.putArray("tool_calls").addObject().put("id", "call_" + s).put("type", "function")
              .putObject("function").put("name", "probe").put("arguments", "{\"n\": " + s + "}");
          items.addObject().put("role", "tool").put("tool_call_id", "call_" + s).put("content", results.get(s));
        }
      }
      case RESPONSES -> {
        root.put("instructions", "Use the tools.");
        items = root.putArray("input");
        items.addObject().put("role", "user").put("content", question);
        for (int s = 0; s < steps; s++) {
          items.addObject().put("type", "function_call").put("call_id", "call_" + s).put("name", "probe")
              .put("arguments", "{\"n\": " + s + "}");
          items.addObject().put("type", "function_call_output").put("call_id", "call_" + s)
              .put("output", results.get(s));
        }
      }
      case MESSAGES -> {
        root.put("max_tokens", 256);
        root.put("system", "Use the tools.");
        items = root.putArray("messages");
        items.addObject().put("role", "user").put("content", question);
        for (int s = 0; s < steps; s++) {
          ObjectNode use = items.addObject().put("role", "assistant").putArray("content").addObject()
              .put("type", "tool_use").put("id", "toolu_" + s).put("name", "probe");
          use.putObject("input").put("n", s);
          items.addObject().put("role", "user").putArray("content").addObject().put("type", "tool_result")
              .put("tool_use_id", "toolu_" + s).put("content", results.get(s));
        }
      }
      default -> throw new IllegalArgumentException(family.name());
    }
    return JSON.writeValueAsBytes(root);
  }

  static JsonNode conversation(ApiFamily family, byte[] body) throws Exception {
    JsonNode root = JSON.readTree(body);
    return root.get(family == ApiFamily.RESPONSES ? "input" : "messages");
  }

  @ParameterizedTest
  @EnumSource(ApiFamily.class)
  void earlierContextStaysByteIdenticalUntilARecompaction(ApiFamily family) throws Exception {
    // A fixed default: the last assertion is about how often re-compactions happen, not an invariant of each seed.
    long seed = Long.getLong("tests.seed", 0x5EEDL);
    Random random = new Random(seed);
    int totalRequests = 0;
    int totalRecompactions = 0;
    for (int conversationIndex = 0; conversationIndex < 6; conversationIndex++) {
      ChatCompressor proxy = new ChatCompressor(engine, ProxySettings.defaults());
      int steps = 10 + random.nextInt(15);
      int budget = 2000 + random.nextInt(4000); // several steps' worth: re-compactions can be rare
      List<String> results = new ArrayList<>();
      for (int s = 0; s < steps; s++) results.add(toolResult(random, s));
      String question = "Which service answered slowest after retries?";
      JsonNode previous = null;
      int events = 0;
      for (int step = 0; step <= steps; step++) {
        byte[] body = request(family, question, results, step);
        ChatRewrite r = proxy.rewrite(family, body, budget);
        String where = family + " seed " + seed + " conversation " + conversationIndex + " step " + step
            + " budget " + budget;
        assertTrue(r.outputTokens() <= budget, where + ": " + r.outputTokens() + " tokens of context");
        ChatContext after = ChatContext.read(family, JSON.readTree(r.body()), ProxySettings.defaults(),
            Tokenizers.forEncoding(r.encoding()).orElseThrow());
        assertEquals(r.outputTokens(), after.segments().stream().mapToInt(s -> Tokenizers.forEncoding(r.encoding())
            .orElseThrow().count(s.text())).sum(), where);
        JsonNode forwarded = conversation(family, r.body());
        if (previous != null && !r.recompacted()) {
          for (int i = 0; i < previous.size(); i++) {
            assertEquals(previous.get(i), forwarded.get(i), where + ": item " + i + " changed without a re-compaction");
          }
        }
        assertEquals(r.recompacted() ? events + 1 : events, r.compactionEvents(), where);
        events = r.compactionEvents();
        totalRecompactions += r.recompacted() ? 1 : 0;
        totalRequests++;
        previous = forwarded;
        if (step == steps) {
          ChatRewrite cold = new ChatCompressor(engine, ProxySettings.defaults()).rewrite(family, body, budget);
          assertArrayEquals(r.body(), cold.body(), where + ": a proxy that never saw the conversation differs");
        }
      }
    }
    assertTrue(totalRecompactions * 4 <= totalRequests, "seed " + seed + ": " + totalRecompactions
        + " re-compactions in " + totalRequests + " requests");
  }
}
