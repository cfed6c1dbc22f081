package dev.precis.engine;

import dev.precis.segment.Format;

/**
 * One input document. {@code id} and {@code title} are optional (null when absent); {@code text} is required.
 * The title is rendered as the document's header and counts as part of the document.
 *
 * @param format the format the caller declares ({@link Format#AUTO} to detect it; the text must parse as a declared
 *     structured format)
 */
public record SourceDocument(String id, String title, String text, Format format) {
  public SourceDocument {
    if (text == null) throw new IllegalArgumentException("illegal text: null, must be a string");
    if (title != null && title.isBlank()) title = null;
    if (format == null) format = Format.AUTO;
  }

  /** A document whose format is detected. */
  public SourceDocument(String id, String title, String text) {
    this(id, title, text, Format.AUTO);
  }
}
