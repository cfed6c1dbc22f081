package dev.precis.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * TALE-EP's budget estimation (Han et al., "Token-Budget-Aware LLM Reasoning", 2024): before the question is sent,
 * the model is asked for the tokens its answer needs, with the paper's zero-shot estimation prompt, and replies
 * {@code [[N]]}. Pure functions: the caller sends the request and passes the reply back.
 *
 * <p>Example: {@code request(CHAT_COMPLETIONS, "gpt-4o-mini", "When was Ada Lovelace born?")} gives
 * {@code {"model":"gpt-4o-mini","messages":[{"role":"user","content":"Task: Analyze … Budget: [[12]].\n\nWhen was
 * Ada Lovelace born?"}],"max_completion_tokens":64,"stream":false,"temperature":0}}; a reply whose message content
 * is {@code "Budget: [[40]]"} parses to 40.
 */
public final class TaleEstimate {
  /** TALE-EP's zero-shot estimation prompt; the question follows it after a blank line. */
  public static final String PROMPT = "Task: Analyze the given question and estimate the minimum number of tokens "
      + "required to generate a complete and accurate response. Please give the response by strictly following this "
      + "format: [[budget]], for example, Budget: [[12]].";
  /** The estimation call's output cap for a model that does not reason: {@code [[N]]} and a few words. */
  public static final int MAX_TOKENS = 64;
  /** The cap for a reasoning model ({@link ReasoningBudget#isReasoningModel}), asked at low effort: its hidden
   * reasoning counts against the cap. */
  public static final int REASONING_MAX_TOKENS = 1024;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern BRACKETS = Pattern.compile("\\[\\[\\s*([0-9][0-9,]{0,12})\\s*\\]\\]");
  private static final Pattern LABELLED = Pattern.compile("(?i)budget\\s*[:=]\\s*([0-9][0-9,]{0,12})");

  private TaleEstimate() {}

  /**
   * The JSON body of the estimation call for the given API and model: one user message (the prompt, a blank line,
   * the question), a small output cap, not streamed, nothing stored; temperature 0 except for reasoning models,
   * which reject it and get the lowest widely accepted effort ({@code low}) instead.
   */
  public static byte[] request(ApiFamily family, String model, String question) {
    if (model == null || model.isBlank()) throw new IllegalArgumentException("illegal model: '" + model
        + "', must not be blank");
    if (question == null || question.isBlank()) throw new IllegalArgumentException("illegal question: '" + question
        + "', must not be blank");
    String prompt = PROMPT + "\n\n" + question;
    boolean reasoning = ReasoningBudget.isReasoningModel(model);
    int cap = reasoning ? REASONING_MAX_TOKENS : MAX_TOKENS;
    ObjectNode body = JSON.createObjectNode();
    body.put("model", model);
    switch (family) {
      case CHAT_COMPLETIONS -> {
        body.putArray("messages").addObject().put("role", "user").put("content", prompt);
        body.put("max_completion_tokens", cap);
        body.put("stream", false);
        if (reasoning) {
          body.put("reasoning_effort", "low");
        } else {
          body.put("temperature", 0);
        }
      }
      case RESPONSES -> {
        body.put("input", prompt);
        body.put("max_output_tokens", cap);
        body.put("stream", false);
        body.put("store", false);
        if (reasoning) {
          body.putObject("reasoning").put("effort", "low");
        } else {
          body.put("temperature", 0);
        }
      }
      case MESSAGES -> {
        body.put("max_tokens", MAX_TOKENS);
        body.putArray("messages").addObject().put("role", "user").put("content", prompt);
        body.put("stream", false);
        body.put("temperature", 0);
      }
    }
    try {
      return JSON.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The budget in the estimation call's response body: the last {@code [[N]]} in the reply's text (commas in
   * {@code N} allowed), else the last {@code Budget: N}; empty when the body is not the API's response, has no
   * text, or the number is not in [1, {@value ReasoningBudget#MAX_TOKENS}]. The reply's text is {@code
   * choices[0].message.content} (chat completions), every {@code output_text} part of {@code output[].content[]}
   * (Responses), every {@code text} block of {@code content[]} (Messages).
   *
   * <p>Example: {@code {"content":[{"type":"text","text":"Budget: [[1,200]]"}]}} → 1200.
   */
  public static OptionalInt parse(String responseBody, ApiFamily family) {
    if (responseBody == null || responseBody.isBlank()) return OptionalInt.empty();
    JsonNode root;
    try {
      root = JSON.readTree(responseBody);
    } catch (IOException e) {
      return OptionalInt.empty();
    }
    if (root == null || !root.isObject()) return OptionalInt.empty();
    StringBuilder text = new StringBuilder();
    switch (family) {
      case CHAT_COMPLETIONS -> {
        JsonNode content = root.path("choices").path(0).path("message").path("content");
        if (content.isTextual()) text.append(content.asText());
      }
      case RESPONSES -> {
        JsonNode textField = root.get("output_text"); // an SDK convenience some gateways send too
        if (textField != null && textField.isTextual()) text.append(textField.asText()).append('\n');
        for (JsonNode item : root.path("output")) {
          for (JsonNode part : item.path("content")) {
            if ("output_text".equals(part.path("type").asText()) && part.path("text").isTextual()) {
              text.append(part.get("text").asText()).append('\n');
            }
          }
        }
      }
      case MESSAGES -> {
        for (JsonNode block : root.path("content")) {
          if ("text".equals(block.path("type").asText()) && block.path("text").isTextual()) {
            text.append(block.get("text").asText()).append('\n');
          }
        }
      }
    }
    return budgetIn(text.toString());
  }

  /** The budget in a reply's text, as {@link #parse} reads it. Example: {@code "Budget: [[40]]"} → 40. */
  public static OptionalInt budgetIn(String text) {
    String found = last(BRACKETS.matcher(text));
    if (found == null) found = last(LABELLED.matcher(text));
    if (found == null) return OptionalInt.empty();
    String digits = found.replace(",", "");
    if (digits.isEmpty() || digits.length() > 9) return OptionalInt.empty();
    long n = Long.parseLong(digits);
    return n < 1 || n > ReasoningBudget.MAX_TOKENS ? OptionalInt.empty() : OptionalInt.of((int) n);
  }

  private static String last(Matcher m) {
    String found = null;
    while (m.find()) found = m.group(1);
    return found;
  }
}
