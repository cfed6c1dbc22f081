package dev.precis.segment;

import java.util.Locale;
import java.util.Optional;

/**
 * The format a document is written in, which decides how it is cut into units and how the kept units are written
 * back. {@link #AUTO} asks {@link FormatDetector} to tell; the others are declared by the caller (and then must parse).
 */
public enum Format {
  /** Detect the format from the text. */
  AUTO,
  /** Prose, cut into sentences (markdown-aware, as {@link #MARKDOWN}). */
  TEXT,
  /** Markdown: headings, paragraphs, lists, tables and code blocks, cut into sentences and blocks. */
  MARKDOWN,
  /** One JSON value: members and array elements are units, the output is valid JSON. */
  JSON,
  /** JSON Lines: one JSON value per line; lines are records. */
  JSONL,
  /** Comma-separated values with a header row. */
  CSV,
  /** Tab-separated values with a header row. */
  TSV,
  /** A log: lines, with runs of similar lines folded and errors with their stack traces ranked first. */
  LOG,
  /** Source code: imports, declarations with their doc comments, and bodies. */
  CODE,
  /**
   * Found, never declared: prose with structured blocks in it (a fenced or blank-line block of JSON, a table, a log,
   * code), each block read in its own format.
   */
  MIXED;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The format a caller may declare with this label ({@code "json"}), case-insensitively. */
  public static Optional<Format> ofLabel(String label) {
    if (label == null) return Optional.empty();
    for (Format f : values()) {
      if (f != MIXED && f.label().equals(label.strip().toLowerCase(Locale.ROOT))) return Optional.of(f);
    }
    return Optional.empty();
  }

  /** Whether documents of this format are cut by their structure rather than into sentences. */
  public boolean structured() {
    return this != AUTO && this != TEXT && this != MARKDOWN;
  }
}
