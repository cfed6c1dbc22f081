package dev.precis.engine;

/** Compresses documents to a token budget. Implementations are thread-safe. */
public interface Compressor {
  Compression compress(CompressionRequest request);
}
