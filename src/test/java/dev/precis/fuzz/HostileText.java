package dev.precis.fuzz;

import java.util.Base64;
import java.util.List;
import java.util.Random;

/**
 * Hostile and odd text for the fuzz suites, from a seeded {@link Random} so that every case replays: scripts without
 * spaces, right-to-left text, stacked combining marks, emoji sequences, zero-width and control characters, lone
 * surrogates, one enormous word, text without punctuation, broken markdown, HTML, base64 blobs, repetition, random
 * code points from every plane, and mixtures of them.
 */
final class HostileText {
  private HostileText() {}

  /** The kinds of text, by name (a failure message names the kind). */
  static final List<String> KINDS = List.of("cjk", "rtl", "combining", "emoji", "invisible", "surrogates",
      "one-word", "no-punctuation", "markdown", "html", "base64", "repeated", "code-points", "whitespace", "mixed");

  /** A text of the given kind, about {@code size} characters long (at least one non-blank character). */
  static String of(String kind, Random r, int size) {
    String text = switch (kind) {
      case "cjk" -> cjk(r, size);
      case "rtl" -> rtl(r, size);
      case "combining" -> combining(r, size);
      case "emoji" -> emoji(r, size);
      case "invisible" -> invisible(r, size);
      case "surrogates" -> surrogates(r, size);
      case "one-word" -> oneWord(r, size);
      case "no-punctuation" -> noPunctuation(r, size);
      case "markdown" -> markdown(r, size);
      case "html" -> html(r, size);
      case "base64" -> base64(r, size);
      case "repeated" -> repeated(r, size);
      case "code-points" -> codePoints(r, size);
      case "whitespace" -> whitespace(r, size);
      case "mixed" -> mixed(r, size);
      default -> throw new IllegalArgumentException("unknown kind " + kind);
    };
    return text.isBlank() ? text + "x" : text;
  }

  static String any(Random r, int size) {
    return of(KINDS.get(r.nextInt(KINDS.size())), r, size);
  }

  static String cjk(Random r, int size) {
    StringBuilder b = new StringBuilder(size);
    while (b.length() < size) {
      int block = r.nextInt(4);
      if (block == 0) b.appendCodePoint(0x4E00 + r.nextInt(0x9FFF - 0x4E00)); // CJK ideographs
      else if (block == 1) b.appendCodePoint(0x3041 + r.nextInt(0x3096 - 0x3041)); // hiragana
      else if (block == 2) b.appendCodePoint(0xAC00 + r.nextInt(0xD7A3 - 0xAC00)); // hangul
      else b.append(r.nextInt(20) == 0 ? '。' : r.nextInt(30) == 0 ? '、' : '的');
    }
    return b.toString();
  }

  static String rtl(Random r, int size) {
    String[] words = {"مرحبا", "بالعالم", "שלום", "עולם", "كتاب", "ספר", "123", "2026", "\u200F", "\u200E", "\u202B",
        "\u202E", "\u202C", "(", ")", "؟", ".", "،"};
    return words(r, size, words, " ");
  }

  static String combining(Random r, int size) {
    StringBuilder b = new StringBuilder(size);
    while (b.length() < size) {
      b.append((char) ('a' + r.nextInt(26)));
      int marks = r.nextInt(r.nextInt(10) == 0 ? 60 : 4);
      for (int i = 0; i < marks; i++) b.append((char) (0x0300 + r.nextInt(0x70)));
      if (r.nextInt(6) == 0) b.append(' ');
    }
    return b.toString();
  }

  static String emoji(Random r, int size) {
    String[] e = {"😀", "👩‍💻", "👨‍👩‍👧‍👦", "🏳️‍🌈", "🇳🇴", "👍🏽", "❤️", "🧑🏿‍🚀", "1️⃣", "🫠", " ", ". ", "word"};
    return words(r, size, e, "");
  }

  static String invisible(Random r, int size) {
    StringBuilder b = new StringBuilder(size);
    char[] odd = {'\u200B', '\u200C', '\u200D', '\uFEFF', '\u2060', '\u00AD', '\u2028', '\u2029', '\u0085', '\r',
        '\t', '\u000B', '\f', '\u0000', '\u0001', '\u001B', '\u007F', '\u009F', '\u00A0', '\u3000', '\u180E'};
    while (b.length() < size) {
      if (r.nextBoolean()) b.append(odd[r.nextInt(odd.length)]);
      else b.append((char) ('a' + r.nextInt(26)));
      if (r.nextInt(40) == 0) b.append(". ");
    }
    return b.toString();
  }

  /** Unpaired surrogates and pairs in the wrong order, among ordinary words. */
  static String surrogates(Random r, int size) {
    StringBuilder b = new StringBuilder(size);
    while (b.length() < size) {
      switch (r.nextInt(5)) {
        case 0 -> b.append((char) (0xD800 + r.nextInt(0x400)));
        case 1 -> b.append((char) (0xDC00 + r.nextInt(0x400)));
        case 2 -> b.append((char) (0xDC00 + r.nextInt(0x400))).append((char) (0xD800 + r.nextInt(0x400)));
        case 3 -> b.append("😀");
        default -> b.append("word ");
      }
      if (r.nextInt(10) == 0) b.append(". ");
    }
    return b.toString();
  }

  static String oneWord(Random r, int size) {
    StringBuilder b = new StringBuilder(size);
    boolean same = r.nextBoolean();
    while (b.length() < size) b.append(same ? 'a' : (char) ('a' + r.nextInt(26)));
    return b.toString();
  }

  static String noPunctuation(Random r, int size) {
    String[] w = {"the", "river", "city", "museum", "founded", "population", "capital", "norway", "and", "of", "in"};
    return words(r, size, w, " ");
  }

  static String markdown(Random r, int size) {
    String[] parts = {"```java\nint x = 1;\n", "```\n", "# Heading\n", "## ", "- item\n", "* ", "1. one\n",
        "| a | b |\n|---|\n", "> quote\n", "**bold", "_", "[link](http://x", "~~~\n", "\n\n", "Sentence. ",
        "    indented code\n", "<!-- comment", "---\n"};
    return words(r, size, parts, "");
  }

  static String html(Random r, int size) {
    String[] parts = {"<html>", "<body>", "<div class=\"a\">", "</div>", "<p>", "Paragraph text. ", "</p>",
        "<script>alert('x')</script>", "<style>p{color:red}</style>", "&amp;", "&nbsp;", "&#x1F600;", "<br/>",
        "<table><tr><td>1</td></tr></table>", "<!DOCTYPE html>", "<![CDATA[ x ]]>", "<a href='?q=1&b=2'>",
        "</a>", "<"};
    return words(r, size, parts, "");
  }

  static String base64(Random r, int size) {
    byte[] bytes = new byte[Math.max(1, size * 3 / 4)];
    r.nextBytes(bytes);
    String blob = Base64.getEncoder().encodeToString(bytes);
    return r.nextBoolean() ? blob : "data:image/png;base64," + Base64.getMimeEncoder().encodeToString(bytes);
  }

  static String repeated(Random r, int size) {
    String unit = switch (r.nextInt(4)) {
      case 0 -> "Oslo is the capital of Norway. ";
      case 1 -> "ha";
      case 2 -> "\n";
      default -> ". ";
    };
    return unit.repeat(Math.max(1, size / unit.length())) + "end";
  }

  /** Random code points from every plane, unassigned and private-use ones included (no surrogate halves). */
  static String codePoints(Random r, int size) {
    StringBuilder b = new StringBuilder(size);
    while (b.length() < size) {
      int cp = r.nextInt(4) == 0 ? r.nextInt(0x110000) : r.nextInt(0x3000);
      if (cp >= 0xD800 && cp <= 0xDFFF) continue;
      b.appendCodePoint(cp);
    }
    return b.toString();
  }

  static String whitespace(Random r, int size) {
    String[] parts = {" ", "\n", "\t", "\r\n", "\u00A0", "\u3000", "\n\n\n"};
    String w = words(r, size, parts, "");
    int at = r.nextInt(w.length() + 1);
    return w.substring(0, at) + "x" + w.substring(at);
  }

  static String mixed(Random r, int size) {
    StringBuilder b = new StringBuilder(size);
    while (b.length() < size) {
      String kind = KINDS.get(r.nextInt(KINDS.size() - 1));
      b.append(of(kind, r, 1 + r.nextInt(Math.max(1, size / 3)))).append(r.nextBoolean() ? " " : "\n");
    }
    return b.toString();
  }

  private static String words(Random r, int size, String[] words, String separator) {
    StringBuilder b = new StringBuilder(size);
    while (b.length() < size) b.append(words[r.nextInt(words.length)]).append(separator);
    return b.toString();
  }
}
