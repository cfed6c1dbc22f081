package dev.precis.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.precis.engine.EngineSettings;
import dev.precis.engine.PrecisEngine;
import dev.precis.proxy.ApiFamily;
import dev.precis.proxy.ChatCompressor;
import dev.precis.proxy.ChatRewrite;
import dev.precis.proxy.MalformedChatRequest;
import dev.precis.proxy.ProxySettings;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Hostile request bodies for the proxy's three APIs, built from valid shapes with parts replaced by the wrong type,
 * hostile text, deep nesting or nothing: the rewrite either succeeds, within its budget, or refuses with a
 * {@link MalformedChatRequest} (a 400 in the API's shape); any other exception would be a failure the proxy hides by
 * forwarding uncompressed. Seeded: {@code -Dfuzz.seed}.
 */
class ProxyFuzzTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  @Test
  void hostileBodiesAreRewrittenOrRefusedNeverBroken() throws Exception {
    long seed = EngineFuzzTest.seed() ^ 0x9E07;
    Random random = new Random(seed);
    int rewritten = 0;
    try (PrecisEngine engine = PrecisEngine.create(EngineSettings.defaults().withEncoder(false))) {
      ChatCompressor proxy = new ChatCompressor(engine, ProxySettings.defaults());
      for (int i = 0; i < 300; i++) {
        ApiFamily family = ApiFamily.values()[random.nextInt(3)];
        ObjectNode body = valid(family, random);
        for (int m = random.nextInt(4); m > 0; m--) mutate(body, random);
        byte[] bytes = JSON.writeValueAsBytes(body);
        int budget = 1 + random.nextInt(300);
        String shown = new String(bytes, StandardCharsets.UTF_8);
        String where = "seed " + seed + " case " + i + " " + family + ": "
            + shown.substring(0, Math.min(300, shown.length()));
        try {
          ChatRewrite r = proxy.rewrite(family, bytes, budget, random.nextBoolean());
          assertTrue(r.outputTokens() <= Math.max(budget, 0) || !r.changed() || r.outputTokens() <= r.inputTokens(),
              where);
          if (r.changed()) {
            JsonNode out = JSON.readTree(r.body()); // still JSON
            assertTrue(out.isObject(), where);
            rewritten++;
          }
        } catch (MalformedChatRequest refused) {
          assertTrue(refused.getMessage() != null && !refused.getMessage().isBlank(), where);
        } catch (RuntimeException | AssertionError e) {
          throw new AssertionError(where + " -> " + e, e);
        }
      }
    }
    assertTrue(rewritten > 20, "seed " + seed + ": only " + rewritten + " bodies were compressed");
  }

  private static String text(Random r) {
    return switch (r.nextInt(4)) {
      case 0 -> HostileText.any(r, 20 + r.nextInt(400));
      case 1 -> "<context>" + HostileText.any(r, 50 + r.nextInt(600)) + "</context> why?";
      default -> ("Result " + r.nextInt(99) + ": the build step passed in " + r.nextInt(900) + " ms. ").repeat(
          1 + r.nextInt(40));
    };
  }

  static ObjectNode valid(ApiFamily family, Random r) {
    ObjectNode root = F.objectNode().put("model", List.of("gpt-4o", "claude-sonnet-4-5", "x").get(r.nextInt(3)));
    if (r.nextBoolean()) root.put("stream", true);
    switch (family) {
      case CHAT_COMPLETIONS -> {
        ArrayNode messages = root.putArray("messages");
        messages.addObject().put("role", "system").put("content", "Be brief.");
        messages.addObject().put("role", "user").put("content", text(r));
        messages.addObject().put("role", "assistant").putNull("content").putArray("tool_calls").addObject()
            .put("id", "c1").put("type", "function").putObject("function").put("name", "f").put("arguments", "{}");
        messages.addObject().put("role", "tool").put("tool_call_id", "c1").put("content", text(r));
      }
      case RESPONSES -> {
        root.put("instructions", "Be brief.");
        ArrayNode input = root.putArray("input");
        input.addObject().put("role", "user").put("content", text(r));
        input.addObject().put("type", "function_call").put("call_id", "c1").put("name", "f").put("arguments", "{}");
        input.addObject().put("type", "function_call_output").put("call_id", "c1").put("output", text(r));
      }
      case MESSAGES -> {
        root.put("max_tokens", 100);
        ArrayNode messages = root.putArray("messages");
        messages.addObject().put("role", "user").put("content", text(r));
        messages.addObject().put("role", "assistant").putArray("content").addObject().put("type", "tool_use")
            .put("id", "t1").put("name", "f").putObject("input");
        ObjectNode result = messages.addObject().put("role", "user").putArray("content").addObject()
            .put("type", "tool_result").put("tool_use_id", "t1");
        if (r.nextBoolean()) result.put("content", text(r));
        else result.putArray("content").addObject().put("type", "text").put("text", text(r));
        if (r.nextInt(4) == 0) result.putObject("cache_control").put("type", "ephemeral");
      }
    }
    return root;
  }

  /** Replaces a random value somewhere in the tree by a value of another kind. */
  static void mutate(JsonNode node, Random r) {
    JsonNode current = node;
    for (int depth = 0; depth < 6; depth++) {
      if (current instanceof ObjectNode o && o.size() > 0) {
        List<String> names = new java.util.ArrayList<>();
        o.fieldNames().forEachRemaining(names::add);
        String name = names.get(r.nextInt(names.size()));
        if (r.nextInt(3) == 0 || !o.get(name).isContainerNode()) {
          o.set(name, wrong(r));
          return;
        }
        current = o.get(name);
      } else if (current instanceof ArrayNode a && a.size() > 0) {
        int i = r.nextInt(a.size());
        if (r.nextInt(3) == 0 || !a.get(i).isContainerNode()) {
          a.set(i, wrong(r));
          return;
        }
        current = a.get(i);
      } else {
        return;
      }
    }
  }

  private static JsonNode wrong(Random r) {
    return switch (r.nextInt(9)) {
      case 0 -> F.nullNode();
      case 1 -> F.numberNode(r.nextInt());
      case 2 -> F.numberNode(-1.5e300);
      case 3 -> F.booleanNode(r.nextBoolean());
      case 4 -> F.textNode(HostileText.any(r, r.nextInt(50)));
      case 5 -> F.arrayNode().add(F.objectNode().put("type", "text").put("text", "<context>x</context>"));
      case 6 -> {
        ObjectNode deep = F.objectNode();
        ObjectNode at = deep;
        for (int i = 0; i < 50; i++) at = at.putObject("x");
        yield deep;
      }
      case 7 -> F.objectNode().put("type", "tool_result").put("content", 5);
      default -> F.arrayNode();
    };
  }
}
