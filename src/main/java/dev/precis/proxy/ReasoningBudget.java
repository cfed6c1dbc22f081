package dev.precis.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.precis.proxy.RequestMessages.Message;
import dev.precis.proxy.RequestMessages.Origin;
import dev.precis.proxy.RequestMessages.Part;
import dev.precis.proxy.RequestMessages.Role;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The reasoning budget: how many output tokens a question should take, asked for with the request header
 * {@value #HEADER}, and that budget written into the request through the provider's own knob or as an instruction in
 * the last user turn ({@code docs/reasoning-budget.md}).
 *
 * <p>Example: {@code apply(CHAT_COMPLETIONS, {"model":"gpt-4o","messages":[…]}, 350, KNOB)} gives
 * {@code {"max_completion_tokens":350,"model":"gpt-4o","messages":[…]}} and the description {@code budget=350;
 * max_completion_tokens=350}; with {@code INSTRUCTION} the last user text gets {@code "\nLet's think step by step and
 * use less than 350 tokens:"} appended instead.
 *
 * <p>What the knob does, per API (the budget never raises a limit the request already sets, and never writes a value
 * the provider rejects):
 *
 * <ul>
 *   <li>OpenAI chat completions, a model that takes {@code reasoning_effort} ({@link #isReasoningModel}):
 *       {@code reasoning_effort} from the budget ({@link #effortFor}), lowered only; {@code max_completion_tokens} is
 *       left as sent, because it also counts the hidden reasoning tokens and a cap near the answer's length returns
 *       an empty answer. Any other model: {@code max_completion_tokens} (or {@code max_tokens}, when the request uses
 *       that one) becomes the smaller of the request's and the budget; a request with neither gets
 *       {@code max_completion_tokens} only when the budget is at most {@value #LARGEST_NEW_CAP}, the largest output
 *       every current model accepts.
 *   <li>OpenAI Responses: likewise, with {@code reasoning.effort} and {@code max_output_tokens} (at least
 *       {@value #RESPONSES_MIN_OUTPUT}, the API's minimum).
 *   <li>Anthropic Messages with {@code thinking: {type: enabled, budget_tokens}}: {@code budget_tokens} becomes the
 *       smaller of the request's and the budget, but at least {@value #ANTHROPIC_MIN_THINKING} (the API's minimum);
 *       {@code max_tokens} is kept, so it stays above {@code budget_tokens}. Without thinking (thinking is never
 *       turned on): {@code max_tokens} becomes the smaller of the request's and the budget.
 * </ul>
 */
public final class ReasoningBudget {
  /** The request header that asks for a reasoning budget. */
  public static final String HEADER = "X-Precis-Reasoning-Budget";
  /** The response header that says what was applied ({@link Applied#description()}). */
  public static final String APPLIED_HEADER = "X-Precis-Reasoning-Budget-Applied";
  /** The largest whole-number budget the header accepts. */
  public static final int MAX_TOKENS = 1_000_000;
  /** The largest cap the knob adds to a request that has none: every current model's output limit is at least this. */
  public static final int LARGEST_NEW_CAP = 4096;
  /** The Responses API rejects {@code max_output_tokens} below this. */
  public static final int RESPONSES_MIN_OUTPUT = 16;
  /** The Messages API rejects {@code thinking.budget_tokens} below this. */
  public static final int ANTHROPIC_MIN_THINKING = 1024;
  /** Budgets up to this map to {@code low} reasoning effort. */
  public static final int LOW_EFFORT_UP_TO = 512;
  /** Budgets up to this (and over {@link #LOW_EFFORT_UP_TO}) map to {@code medium}; larger ones to {@code high}. */
  public static final int MEDIUM_EFFORT_UP_TO = 4096;

  /** Reasoning effort values, least first, as OpenAI's APIs spell them. */
  private static final List<String> EFFORTS = List.of("none", "minimal", "low", "medium", "high", "xhigh");
  private static final ObjectMapper JSON = new ObjectMapper();

  private ReasoningBudget() {}

  /** How the budget is written into the request. */
  public enum Via {
    /** The provider's own parameter ({@code max_completion_tokens}, {@code reasoning_effort}, ...). */
    KNOB,
    /** TALE-EP's instruction appended to the last user turn's text. */
    INSTRUCTION
  }

  /** Where the budget's number comes from. */
  public enum Source {
    /** A whole number in the header. */
    HEADER,
    /** {@link OutputEstimator}: a regression on the question's text, fitted offline. */
    FITTED,
    /** {@link TaleEstimate}: the model is asked first (TALE-EP). */
    ASK;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * The header's value, parsed. Grammar (case-insensitive, spaces around the parts ignored):
   *
   * <pre>
   * value  = amount [ ";" "via=" ( "knob" | "instruction" ) ]
   * amount = "auto" | "auto:fitted" | "auto:ask" | N        ; N a whole number in [1, 1000000]
   * </pre>
   *
   * <p>{@code auto} is {@code auto:fitted}; without {@code via} the budget goes through the knob. Examples:
   * {@code "350"} → {@code (HEADER, 350, KNOB)}; {@code "auto:ask; via=instruction"} → {@code (ASK, 0,
   * INSTRUCTION)}.
   *
   * @param source where the number comes from
   * @param tokens the budget for {@link Source#HEADER}, 0 for the estimated sources
   * @param via how it is applied
   */
  public record Spec(Source source, int tokens, Via via) {
    private static final Pattern VALUE = Pattern.compile(
        "\\s*(auto(?::(fitted|ask))?|[0-9]+)\\s*(?:;\\s*via\\s*=\\s*(knob|instruction)\\s*)?",
        Pattern.CASE_INSENSITIVE);
    private static final String ACCEPTED = "accepted: auto, auto:fitted, auto:ask or a whole number of tokens in [1, "
        + MAX_TOKENS + "], optionally followed by ;via=knob or ;via=instruction, for example 'auto;via=instruction'";

    public Spec {
      if (source == null) throw new IllegalArgumentException("illegal reasoning budget source: null, must be set");
      if (via == null) throw new IllegalArgumentException("illegal reasoning budget via: null, must be set");
      if (source == Source.HEADER && (tokens < 1 || tokens > MAX_TOKENS)) {
        throw new IllegalArgumentException("illegal reasoning budget: " + tokens + ", must be in [1, " + MAX_TOKENS
            + "]");
      }
      if (source != Source.HEADER && tokens != 0) {
        throw new IllegalArgumentException("illegal reasoning budget: " + tokens + " with source " + source
            + ", must be 0 for an estimated budget");
      }
    }

    /**
     * Parses the header's value.
     *
     * @throws MalformedChatRequest naming the header and the accepted values when {@code value} is not one
     */
    public static Spec parse(String value) {
      if (value == null || value.isBlank()) {
        throw new MalformedChatRequest(HEADER + " is empty; " + ACCEPTED, HEADER);
      }
      Matcher m = VALUE.matcher(value);
      if (!m.matches()) {
        throw new MalformedChatRequest(HEADER + " '" + value.strip() + "' is not a reasoning budget; " + ACCEPTED,
            HEADER);
      }
      Via via = m.group(3) == null ? Via.KNOB : Via.valueOf(m.group(3).toUpperCase(Locale.ROOT));
      String amount = m.group(1).toLowerCase(Locale.ROOT);
      if (amount.startsWith("auto")) {
        return new Spec("ask".equals(m.group(2) == null ? null : m.group(2).toLowerCase(Locale.ROOT)) ? Source.ASK
            : Source.FITTED, 0, via);
      }
      long n = amount.length() > 9 ? Long.MAX_VALUE : Long.parseLong(amount);
      if (n < 1 || n > MAX_TOKENS) {
        throw new MalformedChatRequest(HEADER + " " + amount + " is out of range; " + ACCEPTED, HEADER);
      }
      return new Spec(Source.HEADER, (int) n, via);
    }
  }

  /**
   * The request with the budget applied.
   *
   * @param body the request body to send upstream (the received bytes where nothing was changed)
   * @param description what was applied, for the {@value #APPLIED_HEADER} response header, for example
   *     {@code budget=350; max_completion_tokens=350; estimated=fitted}
   */
  public record Applied(byte[] body, String description) {
    public Applied {
      if (body == null) throw new IllegalArgumentException("illegal body: null, must be set");
      if (description == null || description.isBlank()) {
        throw new IllegalArgumentException("illegal description: '" + description + "', must not be blank");
      }
    }
  }

  /** TALE-EP's instruction for a budget: {@code "Let's think step by step and use less than 350 tokens:"}. */
  public static String instruction(int tokens) {
    return "Let's think step by step and use less than " + tokens + " tokens:";
  }

  /** As {@link #apply(ApiFamily, byte[], int, Via, Source)} for a budget from the header. */
  public static Applied apply(ApiFamily family, byte[] body, int tokens, Via via) {
    return apply(family, body, tokens, via, Source.HEADER);
  }

  /**
   * Writes the budget into a request body of the given API; every byte the change does not need stays as received.
   * Where it cannot be applied (an instruction with no user text in the last message, a cap the provider might
   * reject), the body is returned unchanged and the description says why.
   *
   * @param tokens the budget, in [1, {@value #MAX_TOKENS}]
   * @param source where the budget came from; an estimated one adds {@code estimated=fitted} or {@code
   *     estimated=ask} to the description
   * @throws MalformedChatRequest when the body is not a request of that API
   */
  public static Applied apply(ApiFamily family, byte[] body, int tokens, Via via, Source source) {
    if (tokens < 1 || tokens > MAX_TOKENS) {
      throw new IllegalArgumentException("illegal budget: " + tokens + ", must be in [1, " + MAX_TOKENS + "]");
    }
    JsonNode root = parse(family, body);
    List<String> said = new ArrayList<>();
    byte[] out = via == Via.INSTRUCTION ? viaInstruction(family, body, root, tokens, said)
        : switch (family) {
          case CHAT_COMPLETIONS -> chatKnob(body, root, tokens, said);
          case RESPONSES -> responsesKnob(body, root, tokens, said);
          case MESSAGES -> messagesKnob(body, root, tokens, said);
        };
    StringBuilder d = new StringBuilder("budget=").append(tokens);
    for (String s : said) d.append("; ").append(s);
    if (source != Source.HEADER) d.append("; estimated=").append(source.label());
    return new Applied(out, d.toString());
  }

  /**
   * The question to estimate a budget for: the text a user wrote in the latest message that has any (every text part
   * of it, joined by a blank line), or empty when no message has user text.
   *
   * <p>Example: {@code {"messages":[{"role":"user","content":"When was Ada Lovelace born?"}]}} → {@code "When was
   * Ada Lovelace born?"}.
   *
   * @throws MalformedChatRequest when the body is not a request of that API
   */
  public static Optional<String> question(ApiFamily family, byte[] body) {
    List<Message> messages = RequestMessages.read(family, parse(family, body)).messages();
    for (int i = messages.size() - 1; i >= 0; i--) {
      Message m = messages.get(i);
      if (!m.hasUserText()) continue;
      StringBuilder sb = new StringBuilder();
      for (Part p : m.parts()) {
        if (p.origin() == Origin.MESSAGE && !p.text().isBlank()) sb.append(sb.isEmpty() ? "" : "\n\n").append(p.text());
      }
      if (!sb.isEmpty()) return Optional.of(sb.toString());
    }
    return Optional.empty();
  }

  /**
   * Whether the model takes a reasoning effort ({@code reasoning_effort}, {@code reasoning.effort}): names starting
   * with {@code o1}, {@code o3}, {@code o4} or {@code gpt-5} (after a gateway's {@code provider/} prefix), except
   * {@code o1-mini}, {@code o1-preview} and {@code gpt-5-chat}, which reject it. A name list, so it must follow
   * OpenAI's model releases.
   */
  public static boolean isReasoningModel(String model) {
    if (model == null) return false;
    String m = model.strip().toLowerCase(Locale.ROOT);
    m = m.substring(m.lastIndexOf('/') + 1);
    if (m.startsWith("o1-mini") || m.startsWith("o1-preview") || m.startsWith("gpt-5-chat")) return false;
    return m.startsWith("o1") || m.startsWith("o3") || m.startsWith("o4") || m.startsWith("gpt-5");
  }

  /**
   * The reasoning effort for a budget, a heuristic: up to {@value #LOW_EFFORT_UP_TO} tokens {@code low}, up to
   * {@value #MEDIUM_EFFORT_UP_TO} {@code medium}, else {@code high}. Example: 350 → {@code low}.
   */
  public static String effortFor(int tokens) {
    return tokens <= LOW_EFFORT_UP_TO ? "low" : tokens <= MEDIUM_EFFORT_UP_TO ? "medium" : "high";
  }

  // ---- the knob, per API

  private static byte[] chatKnob(byte[] body, JsonNode root, int tokens, List<String> said) {
    if (isReasoningModel(root.path("model").asText(null))) {
      return effort(body, "", "reasoning_effort", root.get("reasoning_effort"), tokens, said);
    }
    Map<String, String> set = new LinkedHashMap<>();
    boolean any = false;
    for (String field : List.of("max_completion_tokens", "max_tokens")) {
      Integer existing = RequestMessages.nonNegativeInt(root, field);
      if (existing == null) continue;
      any = true;
      cap(field, existing, tokens, set, said);
    }
    if (!any) addCap("max_completion_tokens", tokens, set, said);
    return JsonFields.set(body, "", set);
  }

  private static byte[] responsesKnob(byte[] body, JsonNode root, int tokens, List<String> said) {
    if (isReasoningModel(root.path("model").asText(null))) {
      JsonNode reasoning = root.get("reasoning");
      if (reasoning == null || reasoning.isNull()) {
        String effort = effortFor(tokens);
        said.add("reasoning.effort=" + effort);
        return JsonFields.set(body, "", Map.of("reasoning", "{\"effort\":" + JsonFields.string(effort) + "}"));
      }
      if (!reasoning.isObject()) {
        throw new MalformedChatRequest("reasoning must be an object such as {\"effort\": \"low\"}", "reasoning");
      }
      return effort(body, "/reasoning", "reasoning.effort", reasoning.get("effort"), tokens, said);
    }
    Map<String, String> set = new LinkedHashMap<>();
    int budget = Math.max(RESPONSES_MIN_OUTPUT, tokens);
    Integer existing = RequestMessages.nonNegativeInt(root, "max_output_tokens");
    if (existing != null) {
      cap("max_output_tokens", existing, budget, set, said);
    } else {
      addCap("max_output_tokens", budget, set, said);
    }
    return JsonFields.set(body, "", set);
  }

  private static byte[] messagesKnob(byte[] body, JsonNode root, int tokens, List<String> said) {
    JsonNode thinking = root.get("thinking");
    if (thinking != null && thinking.isObject() && "enabled".equals(thinking.path("type").asText())) {
      Integer existing = RequestMessages.nonNegativeInt(thinking, "budget_tokens");
      if (existing == null) {
        throw new MalformedChatRequest("thinking.budget_tokens is missing: enabled thinking needs a budget of at least "
            + ANTHROPIC_MIN_THINKING + " tokens", "thinking.budget_tokens");
      }
      int budget = Math.max(ANTHROPIC_MIN_THINKING, Math.min(existing, tokens));
      if (budget >= existing) {
        said.add("thinking.budget_tokens=" + existing + " kept");
        return body;
      }
      said.add("thinking.budget_tokens=" + budget + (budget > tokens ? " (the minimum)" : ""));
      return JsonFields.set(body, "/thinking", Map.of("budget_tokens", JsonFields.number(budget)));
    }
    Integer existing = RequestMessages.nonNegativeInt(root, "max_tokens");
    if (existing == null) {
      said.add("max_tokens=missing, not set"); // the API requires it: the request fails as it would without Precis
      return body;
    }
    Map<String, String> set = new LinkedHashMap<>();
    cap("max_tokens", existing, tokens, set, said);
    return JsonFields.set(body, "", set);
  }

  /** Lowers an existing cap to the budget, or says it is kept. */
  private static void cap(String field, int existing, int tokens, Map<String, String> set, List<String> said) {
    if (existing <= tokens) {
      said.add(field + "=" + existing + " kept");
    } else {
      set.put(field, JsonFields.number(tokens));
      said.add(field + "=" + tokens);
    }
  }

  /** Adds a cap where the request has none, if every model accepts it. */
  private static void addCap(String field, int tokens, Map<String, String> set, List<String> said) {
    if (tokens <= LARGEST_NEW_CAP) {
      set.put(field, JsonFields.number(tokens));
      said.add(field + "=" + tokens);
    } else {
      said.add(field + "=not set (over " + LARGEST_NEW_CAP + ")");
    }
  }

  /** Sets the reasoning effort for the budget in the object at {@code pointer}, lowering it only. */
  private static byte[] effort(byte[] body, String pointer, String label, JsonNode existing, int tokens,
      List<String> said) {
    String effort = effortFor(tokens);
    if (existing != null && !existing.isNull()) {
      int rank = existing.isTextual() ? EFFORTS.indexOf(existing.asText().toLowerCase(Locale.ROOT)) : -1;
      if (rank < 0 || rank <= EFFORTS.indexOf(effort)) {
        said.add(label + "=" + existing.asText() + " kept");
        return body;
      }
    }
    said.add(label + "=" + effort);
    String field = label.substring(label.lastIndexOf('.') + 1);
    return JsonFields.set(body, pointer, Map.of(field, JsonFields.string(effort)));
  }

  // ---- the instruction

  private static byte[] viaInstruction(ApiFamily family, byte[] body, JsonNode root, int tokens, List<String> said) {
    List<Message> messages = RequestMessages.read(family, root).messages();
    Message last = messages.isEmpty() ? null : messages.get(messages.size() - 1);
    Part target = null;
    if (last != null && last.role() == Role.USER) {
      for (Part p : last.parts()) if (p.origin() == Origin.MESSAGE) target = p;
    }
    if (target == null) {
      said.add("instruction=not applied (the last message has no user text)");
      return body;
    }
    said.add("instruction=" + tokens);
    return JsonSplicer.replace(body, Map.of(target.pointer(), target.text() + "\n" + instruction(tokens)));
  }

  private static JsonNode parse(ApiFamily family, byte[] body) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException e) {
      throw new MalformedChatRequest("the body is not valid JSON", null);
    }
    if (root == null || !root.isObject()) {
      throw new MalformedChatRequest("the body must be a JSON object with "
          + (family == ApiFamily.RESPONSES ? "model and input" : "model and messages"), null);
    }
    return root;
  }
}
