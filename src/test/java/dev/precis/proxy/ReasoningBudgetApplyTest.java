package dev.precis.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.precis.proxy.ReasoningBudget.Applied;
import dev.precis.proxy.ReasoningBudget.Source;
import dev.precis.proxy.ReasoningBudget.Via;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReasoningBudgetApplyTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String TAIL = "\nLet's think step by step and use less than 350 tokens:";

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String text(Applied a) {
    return new String(a.body(), StandardCharsets.UTF_8);
  }

  static Applied apply(ApiFamily family, String body, int tokens, Via via) {
    return ReasoningBudget.apply(family, utf8(body), tokens, via);
  }

  /** Every top-level field other than {@code changed} has the same value before and after. */
  static void othersUnchanged(String before, Applied after, String... changed) throws Exception {
    ObjectNode a = (ObjectNode) JSON.readTree(before);
    ObjectNode b = (ObjectNode) JSON.readTree(after.body());
    for (String c : changed) {
      a.remove(c);
      b.remove(c);
    }
    assertEquals(a, b);
  }

  // ---- OpenAI chat completions, knob

  static final String CHAT = "{\n  \"model\": \"gpt-4o-mini\",\n  \"stream\": true,\n  \"stream_options\": "
      + "{\"include_usage\": true},\n  \"temperature\": 0.70,\n  \"messages\": [\n    {\"role\": \"system\", "
      + "\"content\": \"Be brief.\"},\n    {\"role\": \"user\", \"content\": \"Why is the sky blue? caf\\u00e9\"}\n  ]\n}";

  @Test
  void chatWithoutACapGetsMaxCompletionTokensAndEveryOtherByteStays() {
    Applied a = apply(ApiFamily.CHAT_COMPLETIONS, CHAT, 350, Via.KNOB);
    assertEquals("{\"max_completion_tokens\":350" + "," + CHAT.substring(1), text(a));
    assertEquals("budget=350; max_completion_tokens=350", a.description());
  }

  @Test
  void chatKeepsASmallerCapAndLowersALargerOne() throws Exception {
    String small = CHAT.replace("\"temperature\"", "\"max_completion_tokens\" : 200,\n  \"temperature\"");
    Applied kept = apply(ApiFamily.CHAT_COMPLETIONS, small, 350, Via.KNOB);
    assertArrayEquals(utf8(small), kept.body());
    assertEquals("budget=350; max_completion_tokens=200 kept", kept.description());

    String large = CHAT.replace("\"temperature\"", "\"max_tokens\" : 4000,\n  \"temperature\"");
    Applied lowered = apply(ApiFamily.CHAT_COMPLETIONS, large, 350, Via.KNOB);
    assertEquals(large.replace("\"max_tokens\" : 4000", "\"max_tokens\" : 350"), text(lowered));
    assertEquals("budget=350; max_tokens=350", lowered.description());
    othersUnchanged(large, lowered, "max_tokens");
  }

  @Test
  void chatWithBothCapsLowersBoth() throws Exception {
    String both = "{\"model\":\"gpt-4o\",\"max_tokens\":1000,\"max_completion_tokens\":100,\"messages\":"
        + "[{\"role\":\"user\",\"content\":\"hi\"}]}";
    Applied a = apply(ApiFamily.CHAT_COMPLETIONS, both, 350, Via.KNOB);
    assertEquals(both.replace("1000", "350"), text(a));
    assertEquals("budget=350; max_completion_tokens=100 kept; max_tokens=350", a.description());
  }

  @Test
  void chatAddsNoCapLargerThanEveryModelAccepts() {
    Applied a = apply(ApiFamily.CHAT_COMPLETIONS, CHAT, 8192, Via.KNOB);
    assertArrayEquals(utf8(CHAT), a.body());
    assertEquals("budget=8192; max_completion_tokens=not set (over 4096)", a.description());
  }

  @Test
  void chatReasoningModelGetsAnEffortAndKeepsItsCap() throws Exception {
    String o3 = "{\"model\":\"o3-mini\",\"max_completion_tokens\":25000,\"messages\":[{\"role\":\"user\","
        + "\"content\":\"Prove that sqrt(2) is irrational.\"}]}";
    Applied low = ReasoningBudget.apply(ApiFamily.CHAT_COMPLETIONS, utf8(o3), 350, Via.KNOB, Source.FITTED);
    assertEquals("{\"reasoning_effort\":\"low\"," + o3.substring(1), text(low));
    assertEquals("budget=350; reasoning_effort=low; estimated=fitted", low.description());

    String medium = o3.replace("{\"model\"", "{\"reasoning_effort\": \"high\", \"model\"");
    Applied lowered = ReasoningBudget.apply(ApiFamily.CHAT_COMPLETIONS, utf8(medium), 2000, Via.KNOB, Source.ASK);
    assertEquals(medium.replace("\"high\"", "\"medium\""), text(lowered));
    assertEquals("budget=2000; reasoning_effort=medium; estimated=ask", lowered.description());

    String minimal = o3.replace("o3-mini", "gpt-5").replace("{\"model\"", "{\"reasoning_effort\":\"minimal\",\"model\"");
    Applied kept = apply(ApiFamily.CHAT_COMPLETIONS, minimal, 9000, Via.KNOB);
    assertArrayEquals(utf8(minimal), kept.body());
    assertEquals("budget=9000; reasoning_effort=minimal kept", kept.description());
  }

  @Test
  void effortMappingAndReasoningModels() {
    assertEquals("low", ReasoningBudget.effortFor(1));
    assertEquals("low", ReasoningBudget.effortFor(512));
    assertEquals("medium", ReasoningBudget.effortFor(513));
    assertEquals("medium", ReasoningBudget.effortFor(4096));
    assertEquals("high", ReasoningBudget.effortFor(4097));
    for (String m : new String[] {"o1", "o1-2024-12-17", "o3", "o3-mini", "o4-mini", "gpt-5", "gpt-5-mini",
        "openai/gpt-5-nano", "O3"}) {
      assertTrue(ReasoningBudget.isReasoningModel(m), m);
    }
    for (String m : new String[] {"gpt-4o", "gpt-4.1", "o1-mini", "o1-preview", "gpt-5-chat-latest", "claude-sonnet-4",
        ""}) {
      assertTrue(!ReasoningBudget.isReasoningModel(m), m);
    }
    assertTrue(!ReasoningBudget.isReasoningModel(null));
  }

  // ---- OpenAI chat completions, instruction

  @Test
  void chatInstructionGoesAtTheEndOfTheLastUserText() throws Exception {
    Applied a = ReasoningBudget.apply(ApiFamily.CHAT_COMPLETIONS, utf8(CHAT), 350, Via.INSTRUCTION, Source.FITTED);
    assertEquals("Why is the sky blue? café" + TAIL,
        JSON.readTree(a.body()).at("/messages/1/content").asText());
    assertEquals("budget=350; instruction=350; estimated=fitted", a.description());
    String before = CHAT.substring(0, CHAT.indexOf("\"Why is"));
    assertTrue(text(a).startsWith(before), "bytes before the rewritten string stay");
    assertTrue(text(a).endsWith(" tokens:\"}\n  ]\n}"), text(a));
    othersUnchanged(CHAT, a, "messages");
  }

  @Test
  void chatInstructionGoesIntoTheLastTextPartOfArrayContent() throws Exception {
    String body = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":"
        + "\"Look:\"},{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,AAAA\"}},{\"type\":"
        + "\"text\",\"text\":\"What is in it?\"},{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://x/y.png\"}}"
        + "]}]}";
    Applied a = apply(ApiFamily.CHAT_COMPLETIONS, body, 350, Via.INSTRUCTION);
    assertEquals(body.replace("What is in it?", "What is in it?\\nLet's think step by step and use less than 350 "
        + "tokens:"), text(a));
  }

  @Test
  void instructionIsNotAppliedWhenTheLastMessageIsNoUserText() {
    String tool = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"Weather?\"},{\"role\":"
        + "\"assistant\",\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"w\","
        + "\"arguments\":\"{}\"}}]},{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"sunny\"}]}";
    Applied a = apply(ApiFamily.CHAT_COMPLETIONS, tool, 350, Via.INSTRUCTION);
    assertArrayEquals(utf8(tool), a.body());
    assertEquals("budget=350; instruction=not applied (the last message has no user text)", a.description());
  }

  // ---- OpenAI Responses

  static final String RESPONSES = "{\"model\":\"gpt-4.1\",\"instructions\":\"You are terse.\",\"stream\":true,"
      + "\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"Compare TCP and UDP.\"},"
      + "{\"type\":\"input_image\",\"image_url\":\"https://x/y.png\"}]}],\"tools\":[{\"type\":\"web_search\"}]}";

  @Test
  void responsesKnobSetsMaxOutputTokensAtLeastTheApisMinimum() {
    Applied a = apply(ApiFamily.RESPONSES, RESPONSES, 350, Via.KNOB);
    assertEquals("{\"max_output_tokens\":350," + RESPONSES.substring(1), text(a));
    assertEquals("budget=350; max_output_tokens=350", a.description());
    Applied tiny = apply(ApiFamily.RESPONSES, RESPONSES.replace("{\"model\"", "{\"max_output_tokens\":900,\"model\""),
        5, Via.KNOB);
    assertTrue(text(tiny).startsWith("{\"max_output_tokens\":16,\"model\""), text(tiny));
    assertEquals("budget=5; max_output_tokens=16", tiny.description());
  }

  @Test
  void responsesReasoningModelGetsReasoningEffortInItsObject() {
    String o4 = RESPONSES.replace("gpt-4.1", "o4-mini");
    Applied added = apply(ApiFamily.RESPONSES, o4, 300, Via.KNOB);
    assertEquals("{\"reasoning\":{\"effort\":\"low\"}," + o4.substring(1), text(added));
    assertEquals("budget=300; reasoning.effort=low", added.description());

    String withSummary = o4.replace("\"stream\":true", "\"reasoning\": {\"summary\": \"auto\", \"effort\": \"high\"},"
        + "\"stream\":true");
    Applied set = apply(ApiFamily.RESPONSES, withSummary, 1000, Via.KNOB);
    assertEquals(withSummary.replace("\"high\"", "\"medium\""), text(set));

    String noEffort = o4.replace("\"stream\":true", "\"reasoning\":{\"summary\":\"auto\"},\"stream\":true");
    assertEquals(noEffort.replace("{\"summary\"", "{\"effort\":\"high\",\"summary\""),
        text(apply(ApiFamily.RESPONSES, noEffort, 5000, Via.KNOB)));

    String nullReasoning = o4.replace("\"stream\":true", "\"reasoning\":null,\"stream\":true");
    assertEquals(nullReasoning.replace("null", "{\"effort\":\"low\"}"),
        text(apply(ApiFamily.RESPONSES, nullReasoning, 100, Via.KNOB)));
  }

  @Test
  void responsesInstructionGoesIntoTheLastInputText() throws Exception {
    Applied a = apply(ApiFamily.RESPONSES, RESPONSES, 350, Via.INSTRUCTION);
    assertEquals(RESPONSES.replace("Compare TCP and UDP.", "Compare TCP and UDP.\\nLet's think step by step and use "
        + "less than 350 tokens:"), text(a));
    String plain = "{\"model\":\"gpt-4.1\",\"input\":\"When was Ada Lovelace born?\"}";
    assertEquals("When was Ada Lovelace born?" + TAIL,
        JSON.readTree(apply(ApiFamily.RESPONSES, plain, 350, Via.INSTRUCTION).body()).get("input").asText());
  }

  // ---- Anthropic Messages

  static final String ANTHROPIC = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":16000,\"stream\":true,"
      + "\"system\":[{\"type\":\"text\",\"text\":\"Be exact.\",\"cache_control\":{\"type\":\"ephemeral\"}}],"
      + "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Explain step by step why the "
      + "sum of two odd numbers is even.\"}]}]}";

  @Test
  void anthropicWithoutThinkingCapsMaxTokensAndNeverTurnsThinkingOn() throws Exception {
    Applied a = apply(ApiFamily.MESSAGES, ANTHROPIC, 350, Via.KNOB);
    assertEquals(ANTHROPIC.replace("16000", "350"), text(a));
    assertEquals("budget=350; max_tokens=350", a.description());
    assertTrue(!JSON.readTree(a.body()).has("thinking"));
    Applied kept = apply(ApiFamily.MESSAGES, ANTHROPIC, 20000, Via.KNOB);
    assertArrayEquals(utf8(ANTHROPIC), kept.body());
    assertEquals("budget=20000; max_tokens=16000 kept", kept.description());
    String disabled = ANTHROPIC.replace("\"stream\"", "\"thinking\":{\"type\":\"disabled\"},\"stream\"");
    assertEquals(disabled.replace("16000", "350"), text(apply(ApiFamily.MESSAGES, disabled, 350, Via.KNOB)));
  }

  @Test
  void anthropicThinkingBudgetIsLoweredToAtLeastTheMinimumAndMaxTokensStaysAbove() throws Exception {
    String thinking = ANTHROPIC.replace("\"stream\"", "\"thinking\": {\"type\": \"enabled\", \"budget_tokens\": "
        + "10000},\"stream\"");
    Applied a = apply(ApiFamily.MESSAGES, thinking, 2500, Via.KNOB);
    assertEquals(thinking.replace("10000", "2500"), text(a));
    assertEquals("budget=2500; thinking.budget_tokens=2500", a.description());

    Applied floor = apply(ApiFamily.MESSAGES, thinking, 350, Via.KNOB);
    JsonNode root = JSON.readTree(floor.body());
    assertEquals(1024, root.at("/thinking/budget_tokens").asInt());
    assertEquals(16000, root.get("max_tokens").asInt());
    assertTrue(root.get("max_tokens").asInt() > root.at("/thinking/budget_tokens").asInt());
    assertEquals("budget=350; thinking.budget_tokens=1024 (the minimum)", floor.description());

    Applied kept = apply(ApiFamily.MESSAGES, thinking, 50000, Via.KNOB);
    assertArrayEquals(utf8(thinking), kept.body());
    assertEquals("budget=50000; thinking.budget_tokens=10000 kept", kept.description());

    String atMinimum = thinking.replace("10000", "1024");
    assertArrayEquals(utf8(atMinimum), apply(ApiFamily.MESSAGES, atMinimum, 100, Via.KNOB).body());
  }

  @Test
  void anthropicInstructionGoesIntoTheLastTextBlockEvenWithToolResults() throws Exception {
    Applied a = apply(ApiFamily.MESSAGES, ANTHROPIC, 350, Via.INSTRUCTION);
    assertEquals("Explain step by step why the sum of two odd numbers is even." + TAIL,
        JSON.readTree(a.body()).at("/messages/0/content/0/text").asText());
    othersUnchanged(ANTHROPIC, a, "messages");

    String toolOnly = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":1000,\"messages\":[{\"role\":\"user\","
        + "\"content\":\"Weather?\"},{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"t1\","
        + "\"name\":\"w\",\"input\":{}}]},{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":"
        + "\"t1\",\"content\":\"sunny\"}]}]}";
    Applied none = apply(ApiFamily.MESSAGES, toolOnly, 350, Via.INSTRUCTION);
    assertArrayEquals(utf8(toolOnly), none.body());
    assertTrue(none.description().contains("instruction=not applied"));
  }

  // ---- errors and the question

  @Test
  void badBodiesAndBudgetsAreRejected() {
    assertThrows(MalformedChatRequest.class, () -> apply(ApiFamily.CHAT_COMPLETIONS, "not json", 10, Via.KNOB));
    assertThrows(MalformedChatRequest.class, () -> apply(ApiFamily.CHAT_COMPLETIONS, "[1]", 10, Via.KNOB));
    MalformedChatRequest cap = assertThrows(MalformedChatRequest.class, () -> apply(ApiFamily.CHAT_COMPLETIONS,
        "{\"model\":\"gpt-4o\",\"max_tokens\":\"lots\",\"messages\":[]}", 10, Via.KNOB));
    assertEquals("max_tokens", cap.param());
    assertEquals("illegal budget: 0, must be in [1, 1000000]", assertThrows(IllegalArgumentException.class,
        () -> apply(ApiFamily.CHAT_COMPLETIONS, CHAT, 0, Via.KNOB)).getMessage());
  }

  @Test
  void theQuestionIsTheLatestUserText() {
    assertEquals("Why is the sky blue? café", ReasoningBudget.question(ApiFamily.CHAT_COMPLETIONS, utf8(CHAT))
        .orElseThrow());
    assertEquals("Compare TCP and UDP.", ReasoningBudget.question(ApiFamily.RESPONSES, utf8(RESPONSES))
        .orElseThrow());
    assertTrue(ReasoningBudget.question(ApiFamily.MESSAGES, utf8(ANTHROPIC)).orElseThrow().startsWith("Explain"));
    assertTrue(ReasoningBudget.question(ApiFamily.CHAT_COMPLETIONS,
        utf8("{\"messages\":[{\"role\":\"system\",\"content\":\"x\"}]}")).isEmpty());
  }

  @Test
  void onlyTheChangedValueDiffersInEveryModeAndApi() {
    Map<ApiFamily, String> bodies = Map.of(ApiFamily.CHAT_COMPLETIONS, CHAT, ApiFamily.RESPONSES, RESPONSES,
        ApiFamily.MESSAGES, ANTHROPIC);
    for (Map.Entry<ApiFamily, String> e : bodies.entrySet()) {
      for (Via via : Via.values()) {
        byte[] in = utf8(e.getValue());
        byte[] out = apply(e.getKey(), e.getValue(), 350, via).body();
        int prefix = 0;
        while (prefix < Math.min(in.length, out.length) && in[prefix] == out[prefix]) prefix++;
        int suffix = 0;
        while (suffix < Math.min(in.length, out.length) - prefix
            && in[in.length - 1 - suffix] == out[out.length - 1 - suffix]) {
          suffix++;
        }
        // the bytes of the original that are not kept at either end: at most the one value that changed
        int replaced = in.length - prefix - suffix;
        assertTrue(replaced <= 8, e.getKey() + " " + via + ": " + replaced + " bytes of the original replaced");
        assertTrue(!java.util.Arrays.equals(in, out), e.getKey() + " " + via + ": nothing applied");
      }
    }
  }
}
