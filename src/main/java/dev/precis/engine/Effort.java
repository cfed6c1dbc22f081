package dev.precis.engine;

/** Operating point: how much ranking work a request may cost. */
public enum Effort {
  /** BM25 and cheap signals first; the encoder re-ranks a short list (32 units by default). Lowest latency. */
  FAST,
  /** The encoder re-ranks a longer list (64 units by default): better retention, higher latency when cold. */
  BEST
}
