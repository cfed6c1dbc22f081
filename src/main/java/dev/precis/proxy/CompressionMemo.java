package dev.precis.proxy;

import dev.precis.tokens.TextKey;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The renderings of context segments compressed recently, by content hash of (text, question, share, encoding,
 * effort, marker): the next request of a conversation re-sends its earlier segments, and they are forwarded as they
 * were without running the engine again. Compression is deterministic, so a forgotten entry is computed again to the
 * same text. Bounded by the characters it holds (least recently used out first). Thread-safe.
 */
public final class CompressionMemo {
  /** A segment as forwarded: its text and token count. */
  public record Rendering(String text, int tokens) {}

  private final long maxChars;
  private long chars;
  private final LinkedHashMap<TextKey, Rendering> entries = new LinkedHashMap<>(256, 0.75f, true);

  public CompressionMemo(long maxChars) {
    if (maxChars < 0) throw new IllegalArgumentException("illegal maxChars: " + maxChars + ", must be >= 0");
    this.maxChars = maxChars;
  }

  static TextKey key(String text, String query, int share, String encoding, String effort, String marker) {
    String namespace = encoding + '\u0000' + effort + '\u0000' + share + '\u0000' + marker + '\u0000'
        + (query == null ? "\u0001" : query);
    return TextKey.of('C', namespace, text);
  }

  /** The remembered rendering, or {@code compute}'s (remembered when it fits the bound). */
  public Rendering get(TextKey key, Supplier<Rendering> compute) {
    synchronized (this) {
      Rendering r = entries.get(key);
      if (r != null) return r;
    }
    Rendering computed = compute.get();
    if (computed.text().length() > maxChars) return computed;
    synchronized (this) {
      Rendering previous = entries.put(key, computed);
      if (previous != null) chars -= previous.text().length();
      chars += computed.text().length();
      var it = entries.entrySet().iterator();
      while (chars > maxChars && it.hasNext()) {
        Map.Entry<TextKey, Rendering> eldest = it.next();
        chars -= eldest.getValue().text().length();
        it.remove();
      }
    }
    return computed;
  }
}
