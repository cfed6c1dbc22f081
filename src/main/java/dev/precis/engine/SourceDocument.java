package dev.precis.engine;

/**
 * One input document. {@code id} and {@code title} are optional (null when absent); {@code text} is required.
 * The title is rendered as the document's header and counts as part of the document.
 */
public record SourceDocument(String id, String title, String text) {
  public SourceDocument {
    if (text == null) throw new IllegalArgumentException("illegal text: null, must be a string");
    if (title != null && title.isBlank()) title = null;
  }
}
