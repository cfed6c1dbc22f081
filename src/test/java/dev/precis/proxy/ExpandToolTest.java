package dev.precis.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.precis.engine.EngineSettings;
import dev.precis.engine.PrecisEngine;
import dev.precis.tokens.Tokenizers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExpandToolTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void callsAreFoundInEachApisShapeAndOtherToolsAreCounted() throws Exception {
    JsonNode chat = JSON.readTree("{\"choices\": [{\"message\": {\"tool_calls\": ["
        + "{\"id\": \"c1\", \"function\": {\"name\": \"precis_expand\", \"arguments\": \"{\\\"ref\\\": \\\"0a1b2c3d\\\", "
        + "\\\"query\\\": \\\"exit code\\\"}\"}}, {\"id\": \"c2\", \"function\": {\"name\": \"run\", \"arguments\": \"{}\"}}]}}]}");
    ExpandTool.Calls calls = ExpandTool.calls(ApiFamily.CHAT_COMPLETIONS, chat);
    assertEquals(List.of(new ExpandTool.Call("c1", "0a1b2c3d", "exit code")), calls.expand());
    assertEquals(1, calls.others());
    assertFalse(calls.onlyExpand());
    JsonNode stripped = JSON.readTree(ExpandTool.withoutExpandCalls(ApiFamily.CHAT_COMPLETIONS, chat));
    assertEquals(1, stripped.at("/choices/0/message/tool_calls").size());
    assertEquals("run", stripped.at("/choices/0/message/tool_calls/0/function/name").asText());

    JsonNode anthropic = JSON.readTree("{\"content\": [{\"type\": \"text\", \"text\": \"Let me look.\"}, "
        + "{\"type\": \"tool_use\", \"id\": \"t1\", \"name\": \"precis_expand\", \"input\": {\"ref\": \"0a1b2c3d\"}}]}");
    assertTrue(ExpandTool.calls(ApiFamily.MESSAGES, anthropic).onlyExpand());
    JsonNode responses = JSON.readTree("{\"output\": [{\"type\": \"reasoning\"}, {\"type\": \"function_call\", "
        + "\"call_id\": \"r1\", \"name\": \"precis_expand\", \"arguments\": \"not json\"}]}");
    assertEquals(List.of(new ExpandTool.Call("r1", null, null)), ExpandTool.calls(ApiFamily.RESPONSES, responses)
        .expand(), "garbled arguments: a call without a ref, answered with how to call");
  }

  @Test
  void theToolIsOfferedUnlessToolChoiceFixesAnother() throws Exception {
    assertTrue(ExpandTool.allowedBy(JSON.readTree("{}")));
    assertTrue(ExpandTool.allowedBy(JSON.readTree("{\"tool_choice\": \"auto\"}")));
    assertTrue(ExpandTool.allowedBy(JSON.readTree("{\"tool_choice\": {\"type\": \"any\"}}")));
    assertFalse(ExpandTool.allowedBy(JSON.readTree("{\"tool_choice\": \"none\"}")));
    assertFalse(ExpandTool.allowedBy(JSON.readTree("{\"tool_choice\": {\"type\": \"tool\", \"name\": \"x\"}}")));
    for (ApiFamily f : ApiFamily.values()) {
      JsonNode definition = JSON.readTree(ExpandTool.definition(f));
      assertTrue(definition.toString().contains("\"precis_expand\""), f.name());
    }
  }

  @Test
  void theExpanderGivesShortTextsWholeAndLongOnesForTheQuery() {
    try (PrecisEngine engine = PrecisEngine.create(EngineSettings.defaults().withEncoder(false))) {
      Expander expander = new Expander(engine, ProxySettings.defaults(), 60);
      ElisionStore store = new ElisionStore(10, 100_000, Duration.ofMinutes(1));
      String tenant = ElisionStore.tenant("k");
      StringBuilder log = new StringBuilder();
      for (int i = 0; i < 40; i++) log.append("step ").append(i).append(" passed in ").append(i * 3).append(" ms.\n");
      log.append("step 40 failed with exit code 137 (out of memory).\n");
      String ref = store.put(tenant, log.toString(), null);
      ExpandTool.Result r = expander.expand(new ExpandTool.Call("c1", ref, "exit code"), Map.of(), store, tenant,
          "cl100k_base");
      assertTrue(r.text().contains("exit code 137"), r.text());
      assertTrue(Tokenizers.forEncoding("cl100k_base").orElseThrow().count(r.text()) <= 60, r.text());
      assertTrue(r.text().startsWith("[The omitted text has "), r.text());
      String shortRef = store.put(tenant, "short", null);
      assertEquals("short", expander.expand(new ExpandTool.Call("c2", shortRef, null), Map.of(), store, tenant,
          "cl100k_base").text());
      assertTrue(expander.expand(new ExpandTool.Call("c3", shortRef, null), Map.of(), store,
          ElisionStore.tenant("other"), "cl100k_base").text().startsWith("No omitted text has the ref"));
    }
  }

  @Test
  void aStreamThatAlsoCallsTheClientsToolsIsReleasedWithoutTheExpandCall() throws Exception {
    ExpandingStream stream = new ExpandingStream(ApiFamily.MESSAGES);
    String events = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{}}\n\n"
        + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
        + "{\"type\":\"tool_use\",\"id\":\"t1\",\"name\":\"precis_expand\",\"input\":{}}}\n\n"
        + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
        + "{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"ref\\\": \\\"0a1b2c3d\\\"}\"}}\n\n"
        + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":"
        + "{\"type\":\"tool_use\",\"id\":\"t2\",\"name\":\"run_tests\",\"input\":{}}}\n\n"
        + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
    byte[] bytes = events.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    // fed in pieces that cut events apart
    StringBuilder relayed = new StringBuilder();
    for (int i = 0; i < bytes.length; i += 17) {
      relayed.append(new String(stream.feed(java.util.Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + 17))),
          java.nio.charset.StandardCharsets.UTF_8));
    }
    assertTrue(relayed.toString().startsWith("event: message_start"), relayed.toString());
    assertFalse(relayed.toString().contains("precis_expand"), "held from the call's start: " + relayed);
    assertFalse(stream.onlyExpand(), "the model also calls run_tests");
    assertEquals(List.of(new ExpandTool.Call("t1", "0a1b2c3d", null)), stream.calls());
    String released = new String(stream.release(), java.nio.charset.StandardCharsets.UTF_8);
    assertFalse(released.contains("precis_expand"), released);
    assertTrue(released.contains("\"index\":0") && released.contains("run_tests"), "run_tests becomes block 0: "
        + released);
    assertTrue(released.endsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"), released);
  }
}
