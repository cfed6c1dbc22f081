package dev.precis.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class TaleEstimateTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String Q = "When was Ada Lovelace born?";

  @Test
  void chatRequestAsksWithThePapersPromptAndASmallCap() throws Exception {
    JsonNode r = JSON.readTree(TaleEstimate.request(ApiFamily.CHAT_COMPLETIONS, "gpt-4o-mini", Q));
    assertEquals("gpt-4o-mini", r.get("model").asText());
    String prompt = r.at("/messages/0/content").asText();
    assertTrue(prompt.startsWith("Task: Analyze the given question and estimate the minimum number of tokens required "
        + "to generate a complete and accurate response. Please give the response by strictly following this format: "
        + "[[budget]], for example, Budget: [[12]]."));
    assertTrue(prompt.endsWith("\n\n" + Q));
    assertEquals("user", r.at("/messages/0/role").asText());
    assertEquals(64, r.get("max_completion_tokens").asInt());
    assertFalse(r.get("stream").asBoolean());
    assertEquals(0, r.get("temperature").asInt());
  }

  @Test
  void reasoningModelsGetLowEffortARoomierCapAndNoTemperature() throws Exception {
    JsonNode chat = JSON.readTree(TaleEstimate.request(ApiFamily.CHAT_COMPLETIONS, "o3-mini", Q));
    assertEquals("low", chat.get("reasoning_effort").asText());
    assertEquals(1024, chat.get("max_completion_tokens").asInt());
    assertFalse(chat.has("temperature"));
    JsonNode responses = JSON.readTree(TaleEstimate.request(ApiFamily.RESPONSES, "gpt-5", Q));
    assertEquals("low", responses.at("/reasoning/effort").asText());
    assertFalse(responses.has("temperature"));
  }

  @Test
  void responsesAndMessagesRequestsHaveTheirShapes() throws Exception {
    JsonNode responses = JSON.readTree(TaleEstimate.request(ApiFamily.RESPONSES, "gpt-4.1", Q));
    assertTrue(responses.get("input").asText().endsWith(Q));
    assertEquals(64, responses.get("max_output_tokens").asInt());
    assertFalse(responses.get("store").asBoolean());
    assertFalse(responses.get("stream").asBoolean());
    JsonNode messages = JSON.readTree(TaleEstimate.request(ApiFamily.MESSAGES, "claude-haiku-4-5", Q));
    assertEquals(64, messages.get("max_tokens").asInt());
    assertTrue(messages.at("/messages/0/content").asText().endsWith(Q));
    assertFalse(messages.has("thinking"));
    assertThrows(IllegalArgumentException.class, () -> TaleEstimate.request(ApiFamily.MESSAGES, "m", " "));
    assertThrows(IllegalArgumentException.class, () -> TaleEstimate.request(ApiFamily.MESSAGES, null, Q));
  }

  @Test
  void parsesTheBudgetFromEachApisReply() {
    assertEquals(OptionalInt.of(40), TaleEstimate.parse("{\"id\":\"c\",\"choices\":[{\"index\":0,\"message\":{\"role\":"
        + "\"assistant\",\"content\":\"Budget: [[40]]\"},\"finish_reason\":\"stop\"}]}", ApiFamily.CHAT_COMPLETIONS));
    assertEquals(OptionalInt.of(120), TaleEstimate.parse("{\"output\":[{\"type\":\"reasoning\",\"summary\":[]},"
        + "{\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"[[120]]\"}]}]}",
        ApiFamily.RESPONSES));
    assertEquals(OptionalInt.of(1200), TaleEstimate.parse("{\"type\":\"message\",\"content\":[{\"type\":\"thinking\","
        + "\"thinking\":\"[[5]]\"},{\"type\":\"text\",\"text\":\"Budget: [[1,200]]\"}]}", ApiFamily.MESSAGES));
  }

  @Test
  void theLastBracketedNumberWinsAndALabelledOneIsAFallback() {
    assertEquals(OptionalInt.of(80), TaleEstimate.budgetIn("The format example is Budget: [[12]]; mine: [[ 80 ]]."));
    assertEquals(OptionalInt.of(75), TaleEstimate.budgetIn("Budget: 75 tokens"));
    assertEquals(OptionalInt.of(30), TaleEstimate.budgetIn("budget = 50, no, Budget: [[30]]"));
  }

  @Test
  void garbledOrMissingRepliesGiveNothing() {
    for (String body : new String[] {null, "", "not json", "[]", "{}", "{\"choices\":[]}",
        "{\"choices\":[{\"message\":{\"content\":null}}]}", "{\"choices\":[{\"message\":{\"content\":\"about fifty\"}}]}",
        "{\"choices\":[{\"message\":{\"content\":\"[[0]]\"}}]}",
        "{\"choices\":[{\"message\":{\"content\":\"[[99999999999]]\"}}]}",
        "{\"choices\":[{\"message\":{\"content\":\"[[-5]]\"}}]}",
        "{\"error\":{\"message\":\"rate limited\",\"type\":\"rate_limit\"}}"}) {
      assertEquals(OptionalInt.empty(), TaleEstimate.parse(body, ApiFamily.CHAT_COMPLETIONS), String.valueOf(body));
    }
    assertEquals(OptionalInt.empty(), TaleEstimate.parse("{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\"}}",
        ApiFamily.MESSAGES));
    assertEquals(OptionalInt.empty(), TaleEstimate.parse("{\"output\":[{\"type\":\"message\",\"content\":[{\"type\":"
        + "\"refusal\",\"refusal\":\"[[5]]\"}]}]}", ApiFamily.RESPONSES));
  }
}
