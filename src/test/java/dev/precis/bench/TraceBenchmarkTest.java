package dev.precis.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pure parts of {@link TraceBenchmark}: the three renderings of a trace, the canonical text, the cache share. */
class TraceBenchmarkTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * user (with context) / assistant: text + two parallel calls / two results / assistant: text / user / assistant.
   * Requests go before steps 1, 4 and 6.
   */
  static Trace small() throws Exception {
    Trace.Tool grep = new Trace.Tool("grep", "Search files.",
        JSON.readTree("{\"type\":\"object\",\"properties\":{\"pattern\":{\"type\":\"string\"}}}"));
    Trace.ToolCall c1 = new Trace.ToolCall("call_1", "grep", (ObjectNode) JSON.readTree("{\"pattern\":\"foo\"}"));
    Trace.ToolCall c2 = new Trace.ToolCall("call_2", "grep", (ObjectNode) JSON.readTree("{\"pattern\":\"bar\"}"));
    return new Trace("small", "hand-made", "none", "You are terse.", List.of(grep), List.of(
        Trace.Step.user("Where is foo?", "passage one\n\npassage two"),
        Trace.Step.assistant("Searching.", List.of(c1, c2)),
        Trace.Step.tool(c1, "a.py:1:foo"),
        Trace.Step.tool(c2, "b.py:2:bar"),
        Trace.Step.assistant("In a.py.", null),
        Trace.Step.user("Thanks, and bar?", null),
        Trace.Step.assistant("In b.py.", null)));
  }

  @Test
  void requestsGoBeforeEveryAssistantStep() throws Exception {
    assertEquals(List.of(1, 4, 6), small().requestPoints());
  }

  @Test
  void chatPairsEveryToolMessageWithACallOfTheAssistantBeforeIt() throws Exception {
    JsonNode r = TraceApi.CHAT.request(small(), 4);
    assertEquals("gpt-4o", r.get("model").asText());
    assertEquals(1024, r.get("max_tokens").asInt());
    JsonNode m = r.get("messages");
    assertEquals(List.of("system", "user", "assistant", "tool", "tool"), roles(m));
    assertEquals("You are terse.", m.get(0).get("content").asText());
    assertEquals("<context>passage one\n\npassage two</context>\n\nWhere is foo?", m.get(1).get("content").asText());
    JsonNode calls = m.get(2).get("tool_calls");
    assertEquals(2, calls.size());
    assertEquals("function", calls.get(0).get("type").asText());
    assertEquals("grep", calls.get(0).get("function").get("name").asText());
    // arguments travel as a JSON string
    assertEquals("foo", JSON.readTree(calls.get(0).get("function").get("arguments").asText()).get("pattern").asText());
    assertEquals("call_1", m.get(3).get("tool_call_id").asText());
    assertEquals("call_2", m.get(4).get("tool_call_id").asText());
    assertEquals("b.py:2:bar", m.get(4).get("content").asText());
    JsonNode tool = r.get("tools").get(0);
    assertEquals("function", tool.get("type").asText());
    assertEquals("grep", tool.get("function").get("name").asText());
    assertEquals("object", tool.get("function").get("parameters").get("type").asText());
  }

  @Test
  void chatAssistantWithoutTextHasNullContent() throws Exception {
    Trace t = small();
    List<Trace.Step> steps = new ArrayList<>(t.steps());
    steps.set(1, Trace.Step.assistant(null, steps.get(1).toolCalls()));
    Trace noText = new Trace("x", null, null, "s", t.tools(), steps);
    assertTrue(TraceApi.CHAT.request(noText, 4).get("messages").get(2).get("content").isNull());
  }

  @Test
  void anthropicMergesConsecutiveToolResultsIntoOneUserMessage() throws Exception {
    JsonNode r = TraceApi.MESSAGES.request(small(), 6);
    assertEquals("claude-sonnet-4-5", r.get("model").asText());
    assertEquals("You are terse.", r.get("system").asText());
    assertEquals("grep", r.get("tools").get(0).get("name").asText());
    assertEquals("object", r.get("tools").get(0).get("input_schema").get("type").asText());
    JsonNode m = r.get("messages");
    assertEquals(List.of("user", "assistant", "user", "assistant", "user"), roles(m));
    assertEquals("text", m.get(0).get("content").get(0).get("type").asText());
    JsonNode assistant = m.get(1).get("content");
    assertEquals(List.of("text", "tool_use", "tool_use"), types(assistant));
    assertEquals("foo", assistant.get(1).get("input").get("pattern").asText());
    JsonNode results = m.get(2).get("content");
    assertEquals(List.of("tool_result", "tool_result"), types(results));
    Set<String> used = new HashSet<>();
    for (JsonNode b : assistant) if (b.has("id")) used.add(b.get("id").asText());
    for (JsonNode b : results) assertTrue(used.remove(b.get("tool_use_id").asText()));
    assertTrue(used.isEmpty(), "every tool_use answered");
    assertEquals("Thanks, and bar?", m.get(4).get("content").get(0).get("text").asText());
  }

  @Test
  void anthropicRequestsAlternateRolesAndEndWithTheUser() throws Exception {
    Trace t = small();
    for (int point : t.requestPoints()) {
      List<String> roles = roles(TraceApi.MESSAGES.request(t, point).get("messages"));
      for (int i = 0; i < roles.size(); i++) assertEquals(i % 2 == 0 ? "user" : "assistant", roles.get(i));
      assertEquals("user", roles.get(roles.size() - 1));
    }
  }

  @Test
  void responsesHaveCallsAndOutputsAsItems() throws Exception {
    JsonNode r = TraceApi.RESPONSES.request(small(), 4);
    assertEquals(1024, r.get("max_output_tokens").asInt());
    assertEquals("You are terse.", r.get("instructions").asText());
    JsonNode tool = r.get("tools").get(0);
    assertEquals("function", tool.get("type").asText());
    assertEquals("grep", tool.get("name").asText());
    assertEquals("object", tool.get("parameters").get("type").asText());
    JsonNode in = r.get("input");
    assertEquals(6, in.size());
    assertEquals("user", in.get(0).get("role").asText());
    assertEquals("input_text", in.get(0).get("content").get(0).get("type").asText());
    assertEquals("assistant", in.get(1).get("role").asText());
    assertEquals("output_text", in.get(1).get("content").get(0).get("type").asText());
    assertEquals("function_call", in.get(2).get("type").asText());
    assertEquals("call_1", in.get(2).get("call_id").asText());
    assertEquals("bar", JSON.readTree(in.get(3).get("arguments").asText()).get("pattern").asText());
    assertEquals("function_call_output", in.get(4).get("type").asText());
    assertEquals("call_1", in.get(4).get("call_id").asText());
    assertEquals("call_2", in.get(5).get("call_id").asText());
    assertEquals("b.py:2:bar", in.get(5).get("output").asText());
  }

  @Test
  void aGrowingConversationsCanonicalTextsArePrefixesOfEachOther() throws Exception {
    Trace t = small();
    for (TraceApi api : TraceApi.values()) {
      String previous = null;
      List<String> texts = new ArrayList<>();
      for (int point : t.requestPoints()) {
        // read back from the bytes, as the recorder gets them
        String text = api.canonical(JSON.readTree(JSON.writeValueAsString(api.request(t, point))));
        if (previous != null) assertTrue(text.startsWith(previous), api + ": " + text);
        previous = text;
        texts.add(text);
      }
      CacheShare share = CacheShare.of(texts, String::length);
      long input = texts.stream().mapToLong(String::length).sum();
      assertEquals(input, share.inputTokens());
      assertEquals(texts.get(0).length() + texts.get(1).length(), share.prefixTokens(), api.id);
      assertTrue(previous.contains("tool grep") && previous.contains("You are terse.")
          && previous.contains("a.py:1:foo") && previous.contains("\"pattern\":\"bar\""), previous);
      assertTrue(previous.indexOf("tool grep") < previous.indexOf("You are terse."), "tools come first");
    }
  }

  @Test
  void aChangedToolResultEndsTheCommonPrefixThere() throws Exception {
    Trace t = small();
    ObjectNode before = TraceApi.CHAT.request(t, 4);
    ObjectNode after = TraceApi.CHAT.request(t, 6);
    ((ObjectNode) after.get("messages").get(3)).put("content", "a.py:1:f\u2026");
    String a = TraceApi.CHAT.canonical(before);
    String b = TraceApi.CHAT.canonical(after);
    int lcp = CacheShare.lcp(a, b);
    assertEquals(a.indexOf("a.py:1:foo") + "a.py:1:f".length(), lcp);
  }

  @Test
  void cacheShareOfHandMadeTexts() {
    // one token per character: input 4 + 6 + 4, prefixes 0 + 4 ("abcd") + 2 ("ab")
    CacheShare s = CacheShare.of(List.of("abcd", "abcdef", "abXY"), String::length);
    assertEquals(14, s.inputTokens());
    assertEquals(6, s.prefixTokens());
    assertEquals(6.0 / 14, s.share(), 1e-12);
    assertEquals(new CacheShare(28, 12), s.plus(s));
    assertEquals(0, CacheShare.of(List.of(), String::length).share());
    assertEquals(0, CacheShare.of(List.of("only one"), String::length).prefixTokens());
  }

  @Test
  void cacheShareCountsThePrefixWithTheGivenTokenizer() {
    // words as tokens: "a b c" (3), "a b d e" (4) share "a b " -> 2 words
    CacheShare s = CacheShare.of(List.of("a b c", "a b d e"), t -> t.isBlank() ? 0 : t.strip().split(" ").length);
    assertEquals(7, s.inputTokens());
    assertEquals(2, s.prefixTokens());
  }

  @Test
  void lcpNeverSplitsASurrogatePair() {
    assertEquals(3, CacheShare.lcp("abc", "abcd"));
    assertEquals(0, CacheShare.lcp("x", "y"));
    assertEquals(1, CacheShare.lcp("a\uD83D\uDE00", "a\uD83D\uDE01"));
    assertEquals(3, CacheShare.lcp("a\uD83D\uDE00", "a\uD83D\uDE00b"));
  }

  @Test
  void illegalSharesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new CacheShare(3, 4));
    assertThrows(IllegalArgumentException.class, () -> new CacheShare(-1, 0));
  }

  @Test
  void traceRefusesAResultWithoutItsCall() {
    Trace.ToolCall c = new Trace.ToolCall("call_1", "grep", JSON.createObjectNode());
    Trace.ToolCall other = new Trace.ToolCall("call_9", "grep", JSON.createObjectNode());
    assertThrows(IllegalArgumentException.class, () -> new Trace("bad", null, null, "s", List.of(), List.of(
        Trace.Step.user("q", null), Trace.Step.assistant(null, List.of(c)), Trace.Step.tool(other, "r"),
        Trace.Step.assistant("a", null))));
    assertThrows(IllegalArgumentException.class, () -> new Trace("unanswered", null, null, "s", List.of(), List.of(
        Trace.Step.user("q", null), Trace.Step.assistant(null, List.of(c)), Trace.Step.user("q2", null),
        Trace.Step.assistant("a", null))));
  }

  @Test
  void traceFilesRoundTripInSnakeCase(@TempDir Path dir) throws Exception {
    Trace t = small();
    Path f = dir.resolve("small.json");
    t.write(f);
    String text = java.nio.file.Files.readString(f);
    assertTrue(text.contains("\"tool_calls\"") && text.contains("\"tool_call_id\":\"call_1\""), text);
    assertFalse(text.contains("toolCalls"), text);
    Trace back = Trace.read(f);
    assertEquals(t, back);
    assertEquals(List.of(f), Trace.files(dir));
  }

  @Test
  void percentileIsTheNearestRank() {
    double[] v = {5, 1, 4, 2, 3};
    assertEquals(3, Latencies.percentile(v, 0.5));
    assertEquals(5, Latencies.percentile(v, 0.95));
    assertEquals(1, Latencies.percentile(new double[] {1}, 0.95));
  }

  @Test
  void compactionLevelsSortNumerically() {
    List<String> levels = new ArrayList<>(List.of("10", "2", "x", "0", "-1"));
    levels.sort(TraceBenchmark::compareLevels);
    assertEquals(List.of("-1", "0", "2", "10", "x"), levels);
  }

  @Test
  void theRecorderAnswersEachApiWithItsShape() throws Exception {
    assertEquals("chat.completion", JSON.readTree(TraceBenchmark.Recorder.answer("/openai/v1/chat/completions"))
        .get("object").asText());
    assertEquals("message", JSON.readTree(TraceBenchmark.Recorder.answer("/anthropic/v1/messages"))
        .get("type").asText());
    assertEquals("response", JSON.readTree(TraceBenchmark.Recorder.answer("/openai/v1/responses"))
        .get("object").asText());
    assertEquals(null, TraceBenchmark.Recorder.answer("/openai/v1/models"));
  }

  private static List<String> roles(JsonNode messages) {
    List<String> out = new ArrayList<>();
    for (JsonNode m : messages) out.add(m.get("role").asText());
    return out;
  }

  private static List<String> types(JsonNode blocks) {
    List<String> out = new ArrayList<>();
    for (JsonNode b : blocks) out.add(b.get("type").asText());
    return out;
  }
}
