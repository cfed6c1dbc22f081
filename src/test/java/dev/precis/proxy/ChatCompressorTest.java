package dev.precis.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.precis.engine.EngineSettings;
import dev.precis.engine.PrecisEngine;
import dev.precis.tokens.Tokenizers;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The proxy's rewriting with a real engine (BM25 ranking, no encoder, for speed); tokens counted here. */
class ChatCompressorTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Encoding CL100K = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
  static final Encoding O200K = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
  static PrecisEngine engine;

  static final String ANSWER = "The Eiffel Tower was completed in 1889 for the World's Fair.";
  static final String FILLER = "Paris has many museums and parks. The river Seine flows through the city. "
      + "Cafes line the boulevards of the old districts. The metro opened at the start of the twentieth century. ";

  @BeforeAll
  static void start() {
    engine = PrecisEngine.create(EngineSettings.defaults().withEncoder(false));
  }

  @AfterAll
  static void stop() {
    engine.close();
  }

  static ObjectNode message(String role, Object content) {
    ObjectNode m = JSON.createObjectNode();
    m.put("role", role);
    m.set("content", JSON.valueToTree(content));
    return m;
  }

  static byte[] body(String model, ObjectNode... messages) throws Exception {
    ObjectNode root = JSON.createObjectNode();
    root.put("model", model);
    ArrayNode array = root.putArray("messages");
    for (ObjectNode m : messages) array.add(m);
    return JSON.writeValueAsBytes(root);
  }

  /** The answer between fillers; each filler is numbered, since the engine keeps a repeated sentence only once. */
  static String doc(int fillers) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < fillers; i++) text.append(filler(i));
    text.append(ANSWER).append(' ');
    for (int i = fillers; i < 2 * fillers; i++) text.append(filler(i));
    return text.toString();
  }

  private static String filler(int i) {
    return FILLER.replace("many museums", (i + 2) + " museums").replace("the city", "district " + (i + 1));
  }

  @Test
  void olderToolResultsAreCompressedHarderThanRecentOnes() throws Exception {
    ChatCompressor c = new ChatCompressor(engine, ProxySettings.defaults());
    byte[] body = body("gpt-4", message("user", "Tell me about Paris."),
        message("tool", doc(6)),
        message("assistant", "Here is what I found."),
        message("user", "When was the Eiffel Tower completed?"),
        message("tool", doc(6)));
    ChatRewrite r = c.rewrite(body, 200);
    JsonNode out = JSON.readTree(r.body());
    String older = out.get("messages").get(1).get("content").asText();
    String recent = out.get("messages").get(4).get("content").asText();
    int olderTokens = CL100K.countTokens(older);
    int recentTokens = CL100K.countTokens(recent);
    assertTrue(olderTokens + recentTokens <= 200, olderTokens + " + " + recentTokens);
    assertTrue(recentTokens > olderTokens * 3 / 2, "recent " + recentTokens + ", older " + olderTokens);
    assertTrue(recent.contains(ANSWER), recent);
    assertEquals(olderTokens + recentTokens, r.outputTokens());
    assertEquals(2 * CL100K.countTokens(doc(6)), r.inputTokens());
    assertEquals(ContextBudget.Source.HEADER, r.budget().source());
    for (int i : new int[] {0, 2, 3}) {
      assertEquals(JSON.readTree(body).get("messages").get(i), out.get("messages").get(i), "message " + i);
    }
  }

  @Test
  void onlyTextPartsOfMultiPartContentAreTouched() throws Exception {
    ObjectNode image = JSON.createObjectNode().put("type", "image_url");
    image.putObject("image_url").put("url", "data:image/png;base64,iVBORw0KGgo=").put("detail", "low");
    List<Object> parts = List.of(
        JSON.createObjectNode().put("type", "text").put("text", "<context>" + doc(5) + "</context>"),
        image,
        JSON.createObjectNode().put("type", "text").put("text", "When was the Eiffel Tower completed?"));
    byte[] body = body("gpt-4o", message("user", parts));
    ChatRewrite r = new ChatCompressor(engine, ProxySettings.defaults()).rewrite(body, 60);
    assertTrue(r.changed());
    assertEquals("o200k_base", r.encoding());
    JsonNode content = JSON.readTree(r.body()).get("messages").get(0).get("content");
    assertEquals(image, content.get(1), "the image part");
    assertEquals("When was the Eiffel Tower completed?", content.get(2).get("text").asText());
    String text = content.get(0).get("text").asText();
    assertTrue(text.startsWith("<context>") && text.endsWith("</context>"), text);
    String inner = text.substring(9, text.length() - 10);
    assertTrue(O200K.countTokens(inner) <= 60, inner);
    assertTrue(inner.contains(ANSWER), "the question came from the last user message's other part: " + inner);
  }

  @Test
  void theQuestionIsTheLastUserMessageWithoutItsContext() throws Exception {
    JsonNode root = JSON.readTree(body("gpt-4o", message("user", "First question?"),
        message("assistant", "An answer."),
        message("user", "<context attr=\"1\">Some text.</context>\n Second question? <CONTEXT>More.</CONTEXT>")));
    ChatContext chat = ChatContext.read(root, ProxySettings.defaults(), Tokenizers.forEncoding("o200k_base")
        .orElseThrow());
    assertEquals("Second question?", chat.query());
    assertEquals(2, chat.segments().size());
    assertEquals("Some text.", chat.segments().get(0).text());
    assertEquals("More.", chat.segments().get(1).text());
    assertEquals(ContextSegment.Kind.TAGGED, chat.segments().get(0).kind());
    assertNull(ChatContext.read(JSON.readTree(body("x", message("system", "hi"))), ProxySettings.defaults(),
        Tokenizers.forEncoding("o200k_base").orElseThrow()).query());
  }

  @Test
  void largeMessagesAreContextOnlyWhenConfigured() throws Exception {
    byte[] body = body("gpt-4", message("system", doc(8)), message("user", "When was the Eiffel Tower completed?"));
    ChatRewrite off = new ChatCompressor(engine, ProxySettings.defaults()).rewrite(body, 50);
    assertFalse(off.changed());
    assertSame(body, off.body(), "no context: the very bytes");
    assertEquals(0, off.segments());

    ChatRewrite on = new ChatCompressor(engine, ProxySettings.defaults().withCompressMessagesOverTokens(100))
        .rewrite(body, 50);
    assertTrue(on.changed());
    String system = JSON.readTree(on.body()).get("messages").get(0).get("content").asText();
    assertTrue(CL100K.countTokens(system) <= 50, system);
    assertTrue(system.contains(ANSWER), system);
    assertEquals("When was the Eiffel Tower completed?",
        JSON.readTree(on.body()).get("messages").get(1).get("content").asText(), "the question is never context");
  }

  @Test
  void contextThatFitsIsForwardedAsTheSameBytes() throws Exception {
    byte[] body = body("gpt-4o", message("user", "<context>" + doc(1) + "</context> When?"));
    ChatRewrite r = new ChatCompressor(engine, ProxySettings.defaults()).rewrite(body, null);
    assertSame(body, r.body());
    assertEquals(ContextBudget.Source.DEFAULT, r.budget().source());
    assertEquals(r.inputTokens(), r.outputTokens());
  }

  @Test
  void blocksBetweenBlankLinesAreDocuments() {
    assertEquals(List.of("A one.\nA two.", "B.", "C."), ChatCompressor.documents("A one.\nA two.\n\nB.\n \n\n C.")
        .stream().map(d -> d.text().strip()).toList());
    assertEquals(1, ChatCompressor.documents("no blank line\nhere").size());
  }

  @Test
  void aTextWithAnOutlineOrFencedBlocksStaysOneDocument() {
    assertEquals(1, ChatCompressor.documents("# Manual\n\nIntro.\n\n## Install\n\nRun it.").size());
    assertEquals(1, ChatCompressor.documents("Run this:\n\n```sh\nmake\n\nmake install\n```\n\nDone.").size());
    assertEquals(2, ChatCompressor.documents("#hashtag first.\n\nSecond block.").size(), "no space: no heading");
  }

  @Test
  void malformedBodiesSayWhatIsWrong() {
    ChatCompressor c = new ChatCompressor(engine, ProxySettings.defaults());
    assertTrue(assertThrows(MalformedChatRequest.class, () -> c.rewrite("{\"messages\": [".getBytes(), null))
        .getMessage().startsWith("the body is not valid JSON"));
    assertEquals("messages[0].content", assertThrows(MalformedChatRequest.class, () -> c.rewrite(
        "{\"messages\": [{\"role\": \"user\", \"content\": 5}]}".getBytes(), null)).param());
    assertEquals("max_tokens", assertThrows(MalformedChatRequest.class, () -> c.rewrite(
        "{\"messages\": [], \"max_tokens\": \"many\"}".getBytes(), null)).param());
    assertThrows(MalformedChatRequest.class, () -> c.rewrite(new byte[0], null));
  }

  /** Random conversations: the forwarded context never exceeds the budget, and non-context stays equal. */
  @Test
  void randomConversationsHoldTheBudget() throws Exception {
    long seed = Long.getLong("tests.seed", 0x5EED);
    Random random = new Random(seed);
    ChatCompressor c = new ChatCompressor(engine, ProxySettings.defaults().withOlderTurnWeight(0.6));
    for (int n = 0; n < 25; n++) {
      List<ObjectNode> messages = new ArrayList<>();
      messages.add(message("system", "Be brief."));
      int turns = 1 + random.nextInt(3);
      for (int t = 0; t < turns; t++) {
        messages.add(message("user", (random.nextBoolean() ? "<context>" + doc(1 + random.nextInt(4))
            + "</context> " : "") + "When was the tower built? é 東京"));
        if (random.nextBoolean()) messages.add(message("tool", doc(1 + random.nextInt(3))));
        if (t < turns - 1) messages.add(message("assistant", "Noted."));
      }
      byte[] body = body(random.nextBoolean() ? "gpt-4o" : "gpt-3.5-turbo", messages.toArray(ObjectNode[]::new));
      int budget = 1 + random.nextInt(400);
      ChatRewrite r = c.rewrite(body, budget);
      String where = "seed " + seed + " case " + n + " budget " + budget;
      assertTrue(r.outputTokens() <= budget, where + ": " + r.outputTokens() + " tokens");
      ChatContext after = ChatContext.read(JSON.readTree(r.body()), ProxySettings.defaults(),
          Tokenizers.forEncoding(r.encoding()).orElseThrow());
      Encoding enc = r.encoding().equals("o200k_base") ? O200K : CL100K;
      int counted = after.segments().stream().mapToInt(s -> enc.countTokens(s.text())).sum();
      assertEquals(r.outputTokens(), counted, where);
      JsonNode in = JSON.readTree(body).get("messages");
      JsonNode out = JSON.readTree(r.body()).get("messages");
      for (int i = 0; i < in.size(); i++) {
        String role = in.get(i).get("role").asText();
        String content = in.get(i).get("content").asText();
        if (!role.equals("tool") && !content.contains("<context>")) assertEquals(in.get(i), out.get(i), where);
      }
    }
  }
}
