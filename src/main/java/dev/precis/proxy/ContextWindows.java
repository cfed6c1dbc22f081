package dev.precis.proxy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Context windows by model name prefix, longest prefix first: {@code gpt-4o=128000} applies to
 * {@code gpt-4o-mini-2024-07-18} too, unless a longer entry such as {@code gpt-4o-mini=...} exists.
 */
public record ContextWindows(Map<String, Integer> byPrefix) {
  public ContextWindows {
    for (Map.Entry<String, Integer> e : byPrefix.entrySet()) {
      if (e.getKey().isBlank()) throw new IllegalArgumentException("illegal context window: blank model name");
      if (e.getValue() <= 0) {
        throw new IllegalArgumentException("illegal context window for '" + e.getKey() + "': " + e.getValue()
            + ", must be > 0");
      }
    }
    byPrefix = Map.copyOf(byPrefix);
  }

  public static ContextWindows none() {
    return new ContextWindows(Map.of());
  }

  /** Entries written {@code model=tokens}, for example {@code gpt-4o=128000}. */
  public static ContextWindows parse(List<String> entries) {
    Map<String, Integer> map = new LinkedHashMap<>();
    for (String entry : entries) {
      String e = entry.trim();
      if (e.isEmpty()) continue;
      int eq = e.lastIndexOf('=');
      if (eq <= 0 || eq == e.length() - 1) {
        throw new IllegalArgumentException("illegal context window '" + e + "': write model=tokens, for example "
            + "gpt-4o=128000");
      }
      String model = e.substring(0, eq).trim().toLowerCase(Locale.ROOT);
      String tokens = e.substring(eq + 1).trim();
      try {
        map.put(model, Integer.parseInt(tokens.replace("_", "")));
      } catch (NumberFormatException ex) {
        throw new IllegalArgumentException("illegal context window '" + e + "': '" + tokens
            + "' is not a whole number of tokens");
      }
    }
    return new ContextWindows(map);
  }

  /** The window of the longest prefix of {@code model} in the table (a {@code vendor/} prefix is ignored). */
  public OptionalInt forModel(String model) {
    if (model == null || model.isBlank()) return OptionalInt.empty();
    String m = model.trim().toLowerCase(Locale.ROOT);
    int slash = m.lastIndexOf('/');
    String bare = slash >= 0 ? m.substring(slash + 1) : m;
    String best = null;
    for (String prefix : byPrefix.keySet()) {
      boolean matches = m.startsWith(prefix) || bare.startsWith(prefix);
      if (matches && (best == null || prefix.length() > best.length())) best = prefix;
    }
    return best == null ? OptionalInt.empty() : OptionalInt.of(byPrefix.get(best));
  }
}
