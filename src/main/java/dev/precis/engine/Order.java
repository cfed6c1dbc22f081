package dev.precis.engine;

/** Order of documents in the rendered output. */
public enum Order {
  /** As given in the request. */
  ORIGINAL,
  /** Most relevant document first; units inside a document stay in their original order. */
  RELEVANCE
}
