package dev.precis.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.precis.tokens.Tokenizers;
import dev.precis.tokens.Tokenizers.TokenCounter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToIntFunction;
import java.util.regex.Pattern;

/**
 * Predicts the output tokens a question needs from its text alone (the reasoning budget's {@code auto:fitted} mode):
 * a log-linear (ridge) regression of the reference answer's length on a few features of the question, plus a
 * residual quantile so that the budget rarely falls short, fitted offline by {@code exec:java@fit-output-estimator}
 * on public FAQ pages and committed as {@value #RESOURCE} ({@code docs/reasoning-budget.md}).
 *
 * <p>{@code budget = clamp(exp(w·x + offset))}, where {@code x} holds the {@link #FEATURES} (each clamped to the
 * range it had in the training data), {@code w·x} predicts {@code ln(answer tokens)} and {@code offset} is the
 * residuals' {@code quantile}. Example: with the committed weights, {@code "When was Guido van Rossum born?"} gets a
 * smaller budget than {@code "Explain step by step why default values are shared between objects."}.
 *
 * <p>What it measures: the length (cl100k tokens) of the answer that documentation writers gave to a question,
 * a proxy for the output a question needs, not a measure of reasoning.
 */
public final class OutputEstimator {
  /** The committed weights, on the class path. */
  public static final String RESOURCE = "precis/output-estimator.json";
  /** The resource format this class reads. */
  public static final String FORMAT = "precis-output-estimator/1";
  /** The encoding the features and the target are counted in. */
  public static final String ENCODING = "cl100k_base";
  /** The regeneration command, for error messages. */
  public static final String COMMAND = "./mvnw -q -B test-compile exec:java@fit-output-estimator";

  /**
   * The features, in the weight vector's order (the intercept comes first, separately):
   *
   * <ul>
   *   <li>{@code log_question_tokens}: {@code ln(1 + cl100k tokens of the question)};
   *   <li>{@code asks_factoid}: the question word is what/when/who/whom/whose/which/where or how many/much/old/long/
   *       often/big;
   *   <li>{@code asks_open}: it is why/how (other) or explain/describe/compare/discuss;
   *   <li>{@code asks_yes_no}: the question opens with an auxiliary (is, are, can, does, should, ...), "can you" and
   *       "please" not counted; none of the three: a statement or another question word (the baseline);
   *   <li>{@code asks_list}: list, enumerate, examples, ways, steps, options, alternatives, differences, pros/cons;
   *   <li>{@code asks_code}: code, program, script, implement, function, snippet, regex, query, command;
   *   <li>{@code asks_writing}: write, draft, essay, story, poem, letter, article;
   *   <li>{@code names_identifier}: an identifier such as {@code foo()}, {@code os.path}, {@code max_tokens} or a
   *       backquoted span;
   *   <li>{@code asks_detail}: step by step, in detail, detailed, thorough, comprehensive, elaborate;
   *   <li>{@code asks_math}: prove, proof, calculate, compute, solve, derive, equation, or digits joined by an
   *       operator ({@code 3 + 4});
   *   <li>{@code has_digits}: any digit;
   *   <li>{@code sentences}: the number of sentences (runs ending in {@code .?!}).
   * </ul>
   */
  public static final List<String> FEATURES = List.of("log_question_tokens", "asks_factoid", "asks_open",
      "asks_yes_no", "asks_list", "asks_code", "asks_writing", "names_identifier", "asks_detail", "asks_math",
      "has_digits", "sentences");

  private static final Set<String> FACTOID = Set.of("what", "when", "who", "whom", "whose", "which", "where");
  private static final Set<String> HOW_FACTOID = Set.of("many", "much", "old", "long", "often", "big", "far");
  private static final Set<String> OPEN = Set.of("why", "how", "explain", "describe", "compare", "discuss");
  private static final Set<String> AUX = Set.of("is", "are", "am", "was", "were", "can", "could", "do", "does",
      "did", "should", "shall", "will", "would", "may", "might", "must", "has", "have", "had", "isn't", "aren't",
      "can't", "doesn't", "don't", "won't", "shouldn't");
  private static final Pattern LIST = words("list", "lists", "enumerate", "examples", "ways", "steps", "options",
      "alternatives", "differences", "pros", "cons", "advantages", "disadvantages");
  private static final Pattern CODE = words("code", "program", "programs", "script", "scripts", "implement",
      "function", "functions", "snippet", "regex", "regexp", "query", "command");
  private static final Pattern WRITING = words("write", "draft", "essay", "story", "poem", "letter", "article");
  private static final Pattern IDENTIFIER =
      Pattern.compile("[A-Za-z_]\\w*\\(\\)|\\b[A-Za-z_]\\w*\\.[A-Za-z_]\\w*\\b|\\b[A-Za-z]\\w*_\\w+\\b|`[^`]+`");
  private static final Pattern DETAIL = Pattern.compile(
      "(?i)\\bstep[- ]by[- ]step\\b|\\bin detail\\b|\\b(?:detailed|thorough|thoroughly|comprehensive|elaborate)\\b");
  private static final Pattern MATH = Pattern.compile("(?i)\\b(?:prove|proof|calculate|compute|solve|derive|equation)"
      + "\\b|\\d\\s*[-+*/^=<>×÷]\\s*\\d");
  private static final Pattern DIGIT = Pattern.compile("\\d");
  private static final Pattern SENTENCE_END = Pattern.compile("[.?!]+(?=\\s|$)");
  private static final Pattern WORD = Pattern.compile("[a-z][a-z']*");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final double intercept;
  private final double[] weights;
  private final double[] low;
  private final double[] high;
  private final double quantile;
  private final double offset;
  private final int minTokens;
  private final int maxTokens;
  private final ToIntFunction<String> tokens;

  private OutputEstimator(double intercept, double[] weights, double[] low, double[] high, double quantile,
      double offset, int minTokens, int maxTokens, ToIntFunction<String> tokens) {
    this.intercept = intercept;
    this.weights = weights;
    this.low = low;
    this.high = high;
    this.quantile = quantile;
    this.offset = offset;
    this.minTokens = minTokens;
    this.maxTokens = maxTokens;
    this.tokens = tokens;
  }

  /**
   * A prediction, explained.
   *
   * @param tokens the budget: the predicted answer length at the fitted quantile, clamped
   * @param median the predicted typical answer length (no quantile offset), clamped
   * @param contributions each term's part of {@code ln(budget)} before clamping: {@code intercept}, every feature's
   *     weight times its value, and {@code quantile_offset}; they add up to {@code ln} of the unclamped budget
   */
  public record Estimate(int tokens, int median, Map<String, Double> contributions) {
    public Estimate {
      if (tokens < 1) throw new IllegalArgumentException("illegal budget: " + tokens + ", must be > 0");
      if (median < 1 || median > tokens) {
        throw new IllegalArgumentException("illegal median: " + median + ", must be in [1, " + tokens + "]");
      }
      contributions = Collections.unmodifiableMap(new LinkedHashMap<>(contributions));
    }
  }

  /**
   * The committed estimator ({@value #RESOURCE}), counting in cl100k.
   *
   * @throws IllegalStateException when the resource is missing or malformed, saying what is wrong
   */
  public static OutputEstimator loadDefault() {
    try (InputStream in = OutputEstimator.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("output estimator resource " + RESOURCE + " is not on the class path; "
            + "regenerate it with " + COMMAND);
      }
      return load(in, RESOURCE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * An estimator read from a resource in the committed format.
   *
   * @param name the resource's name, for messages
   * @throws IllegalStateException when it is malformed, saying what is wrong
   */
  public static OutputEstimator load(InputStream in, String name) throws IOException {
    JsonNode root;
    try {
      root = JSON.readTree(in);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw bad(name, "is not valid JSON (" + e.getOriginalMessage() + ")");
    }
    if (root == null || !root.isObject()) throw bad(name, "must be a JSON object");
    if (!FORMAT.equals(root.path("format").asText(null))) {
      throw bad(name, "format is '" + root.path("format").asText("missing") + "', must be '" + FORMAT + "'");
    }
    if (!ENCODING.equals(root.path("encoding").asText(null))) {
      throw bad(name, "encoding is '" + root.path("encoding").asText("missing") + "', must be '" + ENCODING + "'");
    }
    JsonNode w = root.get("weights");
    if (w == null || !w.isObject()) throw bad(name, "weights must be an object of feature name → number");
    List<String> expected = new ArrayList<>();
    expected.add("intercept");
    expected.addAll(FEATURES);
    for (var it = w.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!expected.contains(f)) throw bad(name, "weights has an unknown feature '" + f + "', known: " + expected);
    }
    double intercept = finite(name, w, "intercept", "weights.intercept");
    double[] weights = new double[FEATURES.size()];
    double[] low = new double[FEATURES.size()];
    double[] high = new double[FEATURES.size()];
    JsonNode ranges = root.get("ranges");
    if (ranges == null || !ranges.isObject()) throw bad(name, "ranges must be an object of feature name → [min, max]");
    for (int i = 0; i < FEATURES.size(); i++) {
      String f = FEATURES.get(i);
      weights[i] = finite(name, w, f, "weights." + f);
      JsonNode r = ranges.get(f);
      if (r == null || !r.isArray() || r.size() != 2 || !r.get(0).isNumber() || !r.get(1).isNumber()
          || r.get(0).asDouble() > r.get(1).asDouble()) {
        throw bad(name, "ranges." + f + " is " + r + ", must be [min, max] with min <= max");
      }
      low[i] = r.get(0).asDouble();
      high[i] = r.get(1).asDouble();
    }
    double quantile = finite(name, root, "quantile", "quantile");
    if (quantile <= 0 || quantile >= 1) throw bad(name, "quantile is " + quantile + ", must be in (0, 1)");
    double offset = finite(name, root, "offset", "offset");
    JsonNode clamp = root.get("clamp");
    if (clamp == null || !clamp.isArray() || clamp.size() != 2 || !clamp.get(0).canConvertToInt()
        || !clamp.get(1).canConvertToInt() || !clamp.get(0).isIntegralNumber() || !clamp.get(1).isIntegralNumber()
        || clamp.get(0).asInt() < 1 || clamp.get(0).asInt() > clamp.get(1).asInt()
        || clamp.get(1).asInt() > ReasoningBudget.MAX_TOKENS) {
      throw bad(name, "clamp is " + clamp + ", must be [min, max] whole numbers with 1 <= min <= max <= "
          + ReasoningBudget.MAX_TOKENS);
    }
    TokenCounter counter = Tokenizers.forEncoding(ENCODING).orElseThrow();
    return new OutputEstimator(intercept, weights, low, high, quantile, offset, clamp.get(0).asInt(),
        clamp.get(1).asInt(), counter::count);
  }

  /** The budget for a question: its predicted answer length at the fitted quantile, clamped. */
  public Estimate estimate(String question) {
    if (question == null) throw new IllegalArgumentException("illegal question: null, must be a string");
    double[] x = features(question, tokens);
    Map<String, Double> parts = new LinkedHashMap<>();
    parts.put("intercept", intercept);
    double log = intercept;
    for (int i = 0; i < x.length; i++) {
      double v = Math.max(low[i], Math.min(high[i], x[i]));
      double c = weights[i] * v;
      parts.put(FEATURES.get(i), c);
      log += c;
    }
    parts.put("quantile_offset", offset);
    int median = clamp(Math.exp(log));
    int budget = Math.max(median, clamp(Math.exp(log + offset)));
    return new Estimate(budget, median, parts);
  }

  /** The smallest and largest budget this estimator gives. */
  public int minTokens() {
    return minTokens;
  }

  public int maxTokens() {
    return maxTokens;
  }

  /** The residual quantile the budget is set at, for example 0.9. */
  public double quantile() {
    return quantile;
  }

  /** A number of tokens clamped to this estimator's range; also for a number TALE-EP's ask mode got. */
  public int clamp(double tokens) {
    if (Double.isNaN(tokens)) return minTokens;
    return (int) Math.max(minTokens, Math.min(maxTokens, Math.round(tokens)));
  }

  /**
   * The question's {@link #FEATURES}, unclamped, counting tokens with {@code tokens}.
   *
   * <p>Example: {@code "How do I write a list comprehension?"} → {@code log_question_tokens = ln(1 + 8)},
   * {@code asks_open = 1}, {@code asks_list = 1}, {@code asks_writing = 1}, {@code sentences = 1}, the others 0.
   */
  public static double[] features(String question, ToIntFunction<String> tokens) {
    String text = question.strip();
    String lower = text.toLowerCase(Locale.ROOT);
    double[] x = new double[FEATURES.size()];
    x[0] = Math.log1p(text.isEmpty() ? 0 : tokens.applyAsInt(text));
    switch (questionKind(lower)) {
      case 1 -> x[1] = 1;
      case 2 -> x[2] = 1;
      case 3 -> x[3] = 1;
      default -> { }
    }
    x[4] = LIST.matcher(lower).find() ? 1 : 0;
    x[5] = CODE.matcher(lower).find() ? 1 : 0;
    x[6] = WRITING.matcher(lower).find() ? 1 : 0;
    x[7] = IDENTIFIER.matcher(text).find() ? 1 : 0;
    x[8] = DETAIL.matcher(text).find() ? 1 : 0;
    x[9] = MATH.matcher(text).find() ? 1 : 0;
    x[10] = DIGIT.matcher(text).find() ? 1 : 0;
    int sentences = 0;
    var m = SENTENCE_END.matcher(text);
    while (m.find()) sentences++;
    if (!text.isEmpty() && ".?!".indexOf(text.charAt(text.length() - 1)) < 0) sentences++; // an unended last one
    x[11] = Math.max(text.isEmpty() ? 0 : 1, sentences);
    return x;
  }

  /** 1 factoid, 2 open, 3 yes/no, 0 none: the first question word, an auxiliary only as the first word. */
  private static int questionKind(String lower) {
    List<String> words = new ArrayList<>();
    var m = WORD.matcher(lower);
    while (m.find()) words.add(m.group());
    int start = 0;
    if (words.size() > start && words.get(start).equals("please")) start++;
    if (words.size() > start + 1 && Set.of("can", "could", "would", "will").contains(words.get(start))
        && words.get(start + 1).equals("you")) {
      start += 2;
    }
    if (start == 0 && !words.isEmpty() && AUX.contains(words.get(0))) return 3;
    for (int i = start; i < words.size(); i++) {
      String w = words.get(i);
      if (FACTOID.contains(w)) return 1;
      if (w.equals("how") && i + 1 < words.size() && HOW_FACTOID.contains(words.get(i + 1))) return 1;
      if (OPEN.contains(w)) return 2;
    }
    return 0;
  }

  private static Pattern words(String... words) {
    return Pattern.compile("\\b(?:" + String.join("|", words) + ")\\b");
  }

  private static double finite(String name, JsonNode object, String field, String path) {
    JsonNode n = object.get(field);
    if (n == null || !n.isNumber() || !Double.isFinite(n.asDouble())) {
      throw bad(name, path + " is " + n + ", must be a finite number");
    }
    return n.asDouble();
  }

  private static IllegalStateException bad(String name, String what) {
    return new IllegalStateException("output estimator resource " + name + ": " + what + "; regenerate it with "
        + COMMAND);
  }
}
