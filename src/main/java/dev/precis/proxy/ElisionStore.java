package dev.precis.proxy;

import dev.precis.tokens.TextKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * What was left out of compressed context, by reference, so that a model (through the proxy's {@code precis_expand}
 * tool) or a REST client ({@code GET /v1/elisions/{ref}}) can read it back. Thread-safe.
 *
 * <p>A reference is 8 hex digits of a hash of the text, so the same text always gets the same reference and a
 * rendering that carries it stays byte-stable across requests. Entries are kept per tenant (a hash of the API key the
 * request came with): a reference stored under one key is not found under another. Bounded by entries, characters
 * and age; the least recently used go first.
 *
 * <p>Example: {@code put(tenant("sk-a"), "Long tool output…", "why did it fail?")} returns {@code "3f9c01d2"};
 * {@code get(tenant("sk-a"), "3f9c01d2")} finds it, {@code get(tenant("sk-b"), "3f9c01d2")} does not.
 */
public final class ElisionStore {
  /** An elided text as stored: its reference, the text whole, and the question it was compressed for (or null). */
  public record Entry(String ref, String text, String query, long storedMillis) {}

  private final int maxEntries;
  private final long maxChars;
  private final long ttlMillis;
  private final LongSupplier clock;
  private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(256, 0.75f, true);
  private long chars;

  public ElisionStore(int maxEntries, long maxChars, Duration ttl) {
    this(maxEntries, maxChars, ttl, System::currentTimeMillis);
  }

  ElisionStore(int maxEntries, long maxChars, Duration ttl, LongSupplier clock) {
    if (maxEntries < 1) throw new IllegalArgumentException("illegal maxEntries: " + maxEntries + ", must be >= 1");
    if (maxChars < 1) throw new IllegalArgumentException("illegal maxChars: " + maxChars + ", must be >= 1");
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("illegal ttl: " + ttl + ", must be > 0");
    }
    this.maxEntries = maxEntries;
    this.maxChars = maxChars;
    this.ttlMillis = ttl.toMillis();
    this.clock = clock;
  }

  /** The reference of a text: 8 hex digits of its content hash. */
  public static String ref(String text) {
    return String.format(Locale.ROOT, "%08x", (int) (TextKey.of('E', "", text).high() >>> 32));
  }

  /** Whether a string has the shape of a reference. */
  public static boolean isRef(String s) {
    return s != null && s.matches("[0-9a-f]{8}");
  }

  /** The tenant of a credential (an API key or Authorization header value; null or blank: the anonymous tenant). */
  public static String tenant(String credential) {
    String c = credential == null ? "" : credential.strip();
    if (c.regionMatches(true, 0, "Bearer ", 0, 7)) c = c.substring(7).strip();
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(c.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  /** Stores a text for a tenant and returns its reference; a text longer than the whole store is not kept. */
  public String put(String tenant, String text, String query) {
    String ref = ref(text);
    if (text.length() > maxChars) return ref;
    String key = tenant + '/' + ref;
    synchronized (this) {
      Entry previous = entries.remove(key);
      if (previous != null) chars -= previous.text().length();
      entries.put(key, new Entry(ref, text, query, clock.getAsLong()));
      chars += text.length();
      Iterator<Map.Entry<String, Entry>> eldest = entries.entrySet().iterator();
      while ((entries.size() > maxEntries || chars > maxChars) && eldest.hasNext()) {
        chars -= eldest.next().getValue().text().length();
        eldest.remove();
      }
    }
    return ref;
  }

  /** The tenant's entry for a reference, unless it has expired or was evicted. */
  public synchronized Optional<Entry> get(String tenant, String ref) {
    String key = tenant + '/' + ref;
    Entry e = entries.get(key);
    if (e == null) return Optional.empty();
    if (clock.getAsLong() - e.storedMillis() > ttlMillis) {
      entries.remove(key);
      chars -= e.text().length();
      return Optional.empty();
    }
    return Optional.of(e);
  }

  public synchronized int size() {
    return entries.size();
  }

  public synchronized long chars() {
    return chars;
  }
}
