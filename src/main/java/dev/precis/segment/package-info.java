/**
 * Segmentation: cutting a document's text into {@link dev.precis.segment.Unit units}, the pieces compression keeps or
 * drops.
 *
 * <p>The {@link dev.precis.segment.Segmenter} works in one linear pass over the lines. It first groups lines into
 * markdown-aware blocks separated by blank lines: fenced code (an unclosed fence runs to the end), indented code,
 * ATX and setext headings (a heading line is its own block), pipe tables, lists with their continuation lines, and
 * prose paragraphs. Headings are one unit each; code, tables and lists are one unit each where they fit the size limit,
 * else greedy groups of lines (list items) up to the limit. Prose is cut into sentences with the JDK's
 * {@link java.text.BreakIterator} (newlines inside a paragraph read as spaces), whose known mistakes are then undone:
 * no break after abbreviations, initials, inside ellipses or dotted tokens, or before a lowercase word; closing
 * quotes and brackets stay with their sentence. A piece still over the limit is cut at the last clause boundary
 * ({@code ; : , – —}, full-width commas) within the limit, else the last whitespace, else a hard cut that keeps surrogate
 * pairs, combining marks and emoji sequences together. Every unit is trimmed, so whitespace is the only text left out.
 *
 * <p>The {@link dev.precis.segment.DocumentSegmenter} chooses the cut by the document's format, declared or detected:
 * JSON and JSON Lines ({@link dev.precis.segment.JsonSegmenter}: members and elements at the depth that fits, records
 * named by their id and name), tables ({@link dev.precis.segment.TableSegmenter}: rows under their header), logs and
 * code (below), prose with structured blocks in it ({@link dev.precis.segment.CompositeStructure}), or prose. A
 * structured document carries a {@link dev.precis.segment.Structure}: what ranking sees per unit, which unit must come
 * with it, a prior, and how the kept units are written back valid of their kind.
 *
 * <p>A log ({@link dev.precis.segment.LogSegmenter}) is cut at lines in one pass: consecutive lines of the same shape
 * (numbers, ids, hashes, paths, timestamps and quoted strings read alike) fold under their first line, an exception
 * line with its message and first frames is one unit with its other frames anchored to it, and failure summaries,
 * errors and warnings carry a prior; left-out lines come back as one note per gap ({@code … 412 similar lines}).
 *
 * <p>Source code ({@link dev.precis.segment.CodeSegmenter}) is cut by lines and brackets, never by a native parser: a
 * lexer ({@code CodeLexer}) marks strings, comments, text blocks, templates and raw strings so that only code braces
 * count; imports are one unit, each block (a brace at a line's end, a Python colon over an indented block) is a header
 * (annotations and signature; a doc comment above it is a unit of its own anchored to it) and its body, classes are
 * opened into their members, other lines are line units; a body's anchor is its header, a member's its class. Kept
 * lines are written verbatim; a body left out under its kept signature reads {@code { … }} (Python {@code ...}), other
 * left-out lines one comment line.
 */
package dev.precis.segment;
