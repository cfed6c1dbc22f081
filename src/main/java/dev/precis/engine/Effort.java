package dev.precis.engine;

/** Operating point: how much ranking work a request may cost. */
public enum Effort {
  /** BM25 and cheap signals first; the encoder re-ranks a short list only. Lowest latency. */
  FAST,
  /** The encoder scores every candidate unit. Best answer retention, higher latency on cold documents. */
  BEST
}
