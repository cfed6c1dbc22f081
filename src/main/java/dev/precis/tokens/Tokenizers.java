package dev.precis.tokens;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.IntArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The target model's tokenizers (jtokkit): encodings by name, and model names mapped to their encoding.
 *
 * <p>Model names are matched by family prefix, longest first, so {@code gpt-4o-mini-2024-07-18} maps like {@code
 * gpt-4o}. Loading an encoding's rank table costs a few hundred milliseconds: call {@link #warmUp()} at start-up.
 */
public final class Tokenizers {
  private static final EncodingRegistry REGISTRY = Encodings.newLazyEncodingRegistry();

  /** Encoding names this service accepts. */
  public static final List<String> ENCODINGS =
      List.of("cl100k_base", "o200k_base", "p50k_base", "r50k_base");

  /** Model family prefix → encoding name; longest matching prefix wins. */
  private static final Map<String, String> MODEL_FAMILIES = modelFamilies();

  private Tokenizers() {}

  private static Map<String, String> modelFamilies() {
    Map<String, String> m = new LinkedHashMap<>();
    for (String p : List.of("gpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "o1", "o3", "o4", "chatgpt-4o", "gpt-oss")) {
      m.put(p, "o200k_base");
    }
    for (String p : List.of("gpt-4", "gpt-3.5-turbo", "gpt-35-turbo", "text-embedding-ada-002",
        "text-embedding-3")) {
      m.put(p, "cl100k_base");
    }
    for (String p : List.of("text-davinci-003", "text-davinci-002", "code-davinci", "code-cushman")) {
      m.put(p, "p50k_base");
    }
    for (String p : List.of("text-davinci-001", "davinci", "curie", "babbage", "ada", "gpt2", "gpt-2")) {
      m.put(p, "r50k_base");
    }
    return Collections.unmodifiableMap(m);
  }

  /** Known model family prefixes and their encodings, for listings. */
  public static Map<String, String> modelFamiliesView() {
    return MODEL_FAMILIES;
  }

  /** The encoding with this name, if known. */
  public static Optional<TokenCounter> forEncoding(String name) {
    if (name == null) return Optional.empty();
    String normalised = name.trim().toLowerCase(Locale.ROOT);
    if (!ENCODINGS.contains(normalised)) return Optional.empty();
    return REGISTRY.getEncoding(normalised).map(TokenCounter::new);
  }

  /** The encoding name for a model name such as {@code gpt-4o-mini}, if its family is known. */
  public static Optional<String> encodingForModel(String model) {
    if (model == null || model.isBlank()) return Optional.empty();
    String m = model.trim().toLowerCase(Locale.ROOT);
    int slash = m.lastIndexOf('/');
    if (slash >= 0) m = m.substring(slash + 1); // "openai/gpt-4o" as used by gateways
    String best = null;
    for (String prefix : MODEL_FAMILIES.keySet()) {
      if (m.startsWith(prefix) && (best == null || prefix.length() > best.length())) best = prefix;
    }
    return Optional.ofNullable(best).map(MODEL_FAMILIES::get);
  }

  /** Loads the rank tables of every encoding so that no request pays for it. */
  public static void warmUp() {
    for (String name : ENCODINGS) {
      forEncoding(name).ifPresent(c -> c.count("warm up the rank table"));
    }
  }

  /**
   * {@code text} with every unpaired surrogate replaced by U+FFFD (the same length), or {@code text} itself when it
   * has none. jtokkit's cl100k parser fails with an {@link AssertionError} on an unpaired surrogate.
   */
  public static String wellFormed(String text) {
    int n = text.length();
    char[] out = null;
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      if (!Character.isSurrogate(c)) continue;
      if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
        continue;
      }
      if (out == null) out = text.toCharArray();
      out[i] = '\uFFFD';
    }
    return out == null ? text : new String(out);
  }

  /** Exact token counting and token-boundary cutting in one encoding. Thread-safe. */
  public static final class TokenCounter {
    private final Encoding encoding;

    TokenCounter(Encoding encoding) {
      this.encoding = encoding;
    }

    public String name() {
      return encoding.getName();
    }

    /**
     * The exact number of tokens of {@code text} as the model will see it. An unpaired surrogate cannot be sent as
     * UTF-8: it is counted as the replacement character U+FFFD that an encoder puts in its place.
     */
    public int count(String text) {
      return text.isEmpty() ? 0 : encoding.countTokensOrdinary(wellFormed(text));
    }

    /**
     * The longest prefix of {@code text} that ends on a token boundary, holds whole characters, and counts at most
     * {@code maxTokens} tokens. Empty when not even one token fits.
     */
    public String prefixWithin(String text, int maxTokens) {
      if (maxTokens <= 0 || text.isEmpty()) return "";
      IntArrayList tokens = encoding.encodeOrdinary(wellFormed(text));
      if (tokens.size() <= maxTokens) return text;
      int n = maxTokens;
      while (n > 0) {
        IntArrayList head = new IntArrayList(n);
        for (int i = 0; i < n; i++) head.add(tokens.get(i));
        String decoded = encoding.decode(head);
        // A cut inside a multi-byte character decodes to U+FFFD; step back until the prefix is verbatim.
        if (text.startsWith(decoded) && count(decoded) <= maxTokens) return decoded;
        n--;
      }
      return "";
    }
  }
}
