package dev.precis.engine;

/** Operating point: how much ranking work a request may cost. */
public enum Effort {
  /**
   * No transformer pass: BM25 and the static word-piece vectors' soft match (a lookup per word piece) rank alone.
   * Milliseconds even when nothing is cached; keeps about as much as {@link #FAST} where the question shares words
   * with the answer, less where it must be matched by meaning.
   */
  INSTANT,
  /** BM25 and cheap signals first; the encoder re-ranks a short list (32 units by default). */
  FAST,
  /** The encoder re-ranks a longer list (64 units by default): better retention, higher latency when cold. */
  BEST;

  /** The effort named (case and surrounding blanks ignored), or null for an unknown name. */
  public static Effort named(String name) {
    if (name == null) return null;
    return switch (name.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "instant" -> INSTANT;
      case "fast" -> FAST;
      case "best" -> BEST;
      default -> null;
    };
  }
}
