package dev.precis.bench;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;

/**
 * HTML to plain text with Markdown headings, for the long-document eval sets ({@link LongDocSets}).
 *
 * <p>Headings become {@code #}-prefixed lines (level by {@link #headingLevel}); paragraphs, list items, definition
 * terms and definitions are blocks separated by blank lines, their inline text with whitespace collapsed; a list item
 * starts with {@code "- "}; {@code pre} keeps its lines; a table row is one line of cells joined by {@code " | "}, or,
 * when the row has one cell (PostgreSQL's function tables), one line per paragraph of the cell. Elements for which
 * {@code skip} holds (navigation, tables of contents, the document's title) and Sphinx's permalink marks are left out.
 */
final class HtmlText {

  private static final Set<String> BLOCK = Set.of("p", "div", "section", "article", "main", "pre", "table", "thead",
      "tbody", "tfoot", "tr", "ul", "ol", "dl", "dt", "dd", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
      "hr", "figure", "figcaption", "caption", "body", "header", "footer", "aside", "center", "form");
  private static final Set<String> DROP = Set.of("script", "style", "nav", "head", "input", "button", "select",
      "textarea", "noscript", "img", "svg", "colgroup");
  private static final Pattern NUMBERED = Pattern.compile("^(?:[A-Z]|\\d+)(?:\\.\\d+)*\\.\\s.*");
  private static final Pattern CHAPTER = Pattern.compile("^(?:Chapter|Appendix|Part)\\s+[\\dA-Z]+\\..*");
  private static final Set<String> ADMONITIONS = Set.of("note", "tip", "warning", "caution", "important",
      "admonition", "sidebar");

  /** What to leave out of the text. */
  interface Skip {
    boolean test(Element e);
  }

  private final Skip skip;
  private final StringBuilder out = new StringBuilder();

  private HtmlText(Skip skip) {
    this.skip = skip;
  }

  /** The text of the given roots, in order, as one document (blocks separated by blank lines). */
  static String convert(List<Element> roots, Skip skip) {
    HtmlText t = new HtmlText(skip);
    for (Element r : roots) t.blocks(r);
    return t.out.toString().strip() + "\n";
  }

  /** The inline text of an element: its text nodes in order, whitespace runs collapsed, trimmed. */
  static String inline(Element e) {
    StringBuilder sb = new StringBuilder();
    inlineInto(e, sb, null);
    return collapse(sb.toString());
  }

  /**
   * The Markdown heading level of a heading element, or 0 when it is not rendered as a heading (an admonition's or
   * sidebar's title such as PostgreSQL's "Note", which stays a paragraph). Numbered headings ("20.4.1. Memory",
   * "A.2. ...") take their level from the number of components; "Chapter N." is level 1; other headings take the
   * tag's level.
   */
  static int headingLevel(Element h) {
    String tag = h.normalName();
    if (tag.length() != 2 || tag.charAt(0) != 'h' || !Character.isDigit(tag.charAt(1))) return 0;
    for (Element p = h.parent(); p != null; p = p.parent()) {
      for (String c : p.classNames()) {
        if (ADMONITIONS.contains(c)) return 0;
      }
    }
    String text = inline(h);
    if (text.isEmpty()) return 0;
    if (CHAPTER.matcher(text).matches()) return 1;
    if (NUMBERED.matcher(text).matches()) {
      String num = text.substring(0, text.indexOf(". ") + 1);
      int parts = num.split("\\.").length;
      return Math.min(6, Math.max(1, parts));
    }
    return Math.min(6, tag.charAt(1) - '0');
  }

  /** Elements left out everywhere: Sphinx's permalink marks ("¶"). */
  static boolean dropped(Element e) {
    return DROP.contains(e.normalName()) || e.hasClass("headerlink");
  }

  private void blocks(Element e) {
    if (skip.test(e) || dropped(e)) return;
    String tag = e.normalName();
    switch (tag) {
      case "h1", "h2", "h3", "h4", "h5", "h6" -> {
        int level = headingLevel(e);
        String text = inline(e);
        if (text.isEmpty()) return;
        paragraph(level > 0 ? "#".repeat(level) + " " + text : text);
        return;
      }
      case "pre" -> {
        String text = e.wholeText().replaceAll("[ \\t\\x0B\\f\\r]+\\n", "\n").strip();
        if (!text.isEmpty()) paragraph(text);
        return;
      }
      case "table" -> {
        table(e);
        return;
      }
      case "li" -> {
        HtmlText sub = new HtmlText(skip);
        sub.mixed(e);
        String text = sub.out.toString().strip();
        if (!text.isEmpty()) paragraph("- " + text);
        return;
      }
      case "hr", "br" -> {
        return;
      }
      default -> mixed(e);
    }
  }

  /** Children in order: runs of inline content become paragraphs, block children are handled as blocks. */
  private void mixed(Element e) {
    StringBuilder run = new StringBuilder();
    for (Node n : e.childNodes()) {
      if (n instanceof TextNode t) {
        run.append(t.getWholeText());
      } else if (n instanceof Element c) {
        if (skip.test(c) || dropped(c)) continue;
        if (isBlock(c)) {
          flush(run);
          blocks(c);
        } else {
          inlineInto(c, run, skip);
        }
      }
    }
    flush(run);
  }

  private void flush(StringBuilder run) {
    String text = collapse(run.toString());
    run.setLength(0);
    if (!text.isEmpty()) paragraph(text);
  }

  private void table(Element table) {
    StringBuilder sb = new StringBuilder();
    for (Element tr : table.select("tr")) {
      if (tr.closest("table") != table) continue; // nested tables: their rows come with their cell's text
      List<Element> cells = tr.children().stream().filter(c -> c.normalName().equals("td")
          || c.normalName().equals("th")).toList();
      if (cells.isEmpty()) continue;
      if (cells.size() == 1) {
        HtmlText sub = new HtmlText(skip);
        sub.mixed(cells.get(0));
        for (String line : sub.out.toString().strip().split("\n+")) {
          if (!line.isBlank()) sb.append(line.strip()).append('\n');
        }
      } else {
        StringBuilder row = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
          StringBuilder cell = new StringBuilder();
          inlineInto(cells.get(i), cell, skip);
          if (i > 0) row.append(" | ");
          row.append(collapse(cell.toString()));
        }
        if (!row.toString().replace("|", "").isBlank()) sb.append(row.toString().strip()).append('\n');
      }
    }
    String text = sb.toString().strip();
    if (!text.isEmpty()) paragraph(text);
  }

  private void paragraph(String text) {
    if (out.length() > 0) out.append("\n\n");
    out.append(text);
  }

  private static void inlineInto(Element e, StringBuilder sb, Skip skip) {
    for (Node n : e.childNodes()) {
      if (n instanceof TextNode t) {
        sb.append(t.getWholeText());
      } else if (n instanceof Element c) {
        if ((skip != null && skip.test(c)) || dropped(c)) continue;
        if (c.normalName().equals("br")) {
          sb.append(' ');
          continue;
        }
        boolean block = isBlock(c);
        if (block) sb.append(' ');
        inlineInto(c, sb, skip);
        if (block) sb.append(' ');
      }
    }
  }

  private static boolean isBlock(Element e) {
    return BLOCK.contains(e.normalName());
  }

  /** Whitespace runs (including no-break spaces) to one space, trimmed. */
  static String collapse(String s) {
    return s.replaceAll("[\\s\\u00a0\\u2000-\\u200b\\u202f\\u205f\\u3000]+", " ").strip();
  }
}
