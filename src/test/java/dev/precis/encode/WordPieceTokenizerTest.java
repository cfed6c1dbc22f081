package dev.precis.encode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class WordPieceTokenizerTest {
  private static final Path TOKENIZER_JSON = Path.of("models", EncoderModel.ALL_MINILM_L6_V2_Q.tokenizerFile());

  private static WordPieceTokenizer tokenizer;

  @BeforeAll
  static void load() throws IOException {
    try (InputStream in = Files.newInputStream(TOKENIZER_JSON)) {
      tokenizer = WordPieceTokenizer.fromJson(in);
    }
  }

  private static int[] ids(String text) {
    return tokenizer.encode(text, 512);
  }

  @Test
  void knownIds() {
    assertArrayEquals(new int[] {101, 7592, 2088, 102}, ids("hello world"));
    assertArrayEquals(new int[] {101, 7592, 1010, 2088, 999, 102}, ids("Hello, World!"));
    // Greedy longest match: "una" (14477), "##ffa" (20961), "##ble" (3468).
    assertArrayEquals(new int[] {101, 14477, 20961, 3468, 102}, ids("unaffable"));
    // don ' t e - mail $ 5 .
    assertArrayEquals(
        new int[] {101, 2123, 1005, 1056, 1041, 1011, 5653, 1002, 1019, 1012, 102}, ids("don't e-mail $5."));
  }

  @Test
  void specialTokensAndVocab() {
    assertEquals(101, tokenizer.clsId());
    assertEquals(102, tokenizer.sepId());
    assertEquals(0, tokenizer.padId());
    assertEquals(100, tokenizer.unkId());
    assertEquals(30_522, tokenizer.vocabSize());
  }

  @Test
  void accentsAreStripped() {
    assertArrayEquals(ids("cafe"), ids("Café"));
    assertArrayEquals(ids("cafe"), ids("Cafe\u0301")); // decomposed form
    assertArrayEquals(ids("naive resume"), ids("naïve RÉSUMÉ"));
  }

  @Test
  void cjkIdeographsAreSeparateWords() {
    assertArrayEquals(new int[] {101, 1746, 1861, 102}, ids("中文"));
    assertArrayEquals(new int[] {101, 1037, 1746, 1038, 102}, ids("a中b"));
  }

  @Test
  void emptyAndBlankText() {
    assertArrayEquals(new int[] {101, 102}, ids(""));
    assertArrayEquals(new int[] {101, 102}, ids(" \t\n "));
    assertEquals(0, tokenizer.countWordPieces(""));
  }

  @Test
  void truncationKeepsSepAtTheEnd() {
    assertArrayEquals(new int[] {101, 7592, 102}, tokenizer.encode("hello world", 3));
    assertArrayEquals(new int[] {101, 102}, tokenizer.encode("hello world", 2));
    assertArrayEquals(new int[] {101, 7592, 2088, 102}, tokenizer.encode("hello world", 4));
    assertArrayEquals(new int[] {101, 7592, 2088, 102}, tokenizer.encode("hello world", 100));
    String longText = "the cat sat on the mat. ".repeat(100);
    int[] cut = tokenizer.encode(longText, 128);
    assertEquals(128, cut.length);
    assertEquals(101, cut[0]);
    assertEquals(102, cut[127]);
    assertEquals(7 * 100, tokenizer.countWordPieces(longText));
    assertThrows(IllegalArgumentException.class, () -> tokenizer.encode("x", 1));
  }

  @Test
  void controlCharactersAreDropped() {
    assertArrayEquals(ids("hello"), ids("hel\u0000lo"));
    assertArrayEquals(ids("hello"), ids("hel\u200Blo")); // zero-width space, Cf
    assertArrayEquals(ids("hello"), ids("hel\uFFFDlo"));
    assertArrayEquals(ids("hello"), ids("hel\u0007lo"));
    assertArrayEquals(ids("hello world"), ids("hello\u00A0world")); // no-break space is whitespace
    assertArrayEquals(ids("hello world"), ids("hello\r\n\tworld"));
  }

  @Test
  void unknownCharactersAndOverlongWords() {
    assertArrayEquals(new int[] {101, 100, 102}, ids("\uD83D\uDE00")); // 😀
    assertArrayEquals(new int[] {101, 7592, 100, 102}, ids("hello \uD83D\uDE00"));
    assertArrayEquals(new int[] {101, 100, 102}, ids("a".repeat(10_000)));
    assertArrayEquals(new int[] {101, 7592, 100, 2088, 102}, ids("hello " + "x".repeat(101) + " world"));
    assertEquals(1, tokenizer.countWordPieces("b".repeat(10_000)));
  }

  @Test
  void addedTokensInTheRawTextAreMatched() {
    assertArrayEquals(new int[] {101, 1060, 103, 1061, 102}, ids("x[MASK]y"));
    assertArrayEquals(ids("x [ mask ] y"), ids("x[mask]y")); // case-sensitive
  }

  @Test
  void bgeTokenizerAgrees() throws IOException {
    WordPieceTokenizer bge;
    try (InputStream in =
        Files.newInputStream(Path.of("models", EncoderModel.BGE_SMALL_EN_V15_Q.tokenizerFile()))) {
      bge = WordPieceTokenizer.fromJson(in);
    }
    for (String text : List.of("Hello, World!", "unaffable", "naïve résumé 中文 \uD83D\uDE00")) {
      assertArrayEquals(ids(text), bge.encode(text, 512), text);
    }
  }

  /** The ranker tokenises a document's title once: the pieces of "title: text" must be title's and ":" then text's. */
  @Test
  void titleAndTextTokeniseApart() {
    String[] alphabet = {"a", "Z", "é", "ß", "日本", "😀", "\u0301", "\u200b", " ", "\n", "[CLS]", "[SEP", ":", ".", "-",
        "'", "0", "٣", "ﬁ", "\u0000", "\ud800", "word", "unaffable", "\t"};
    Random random = new Random(20261201);
    for (int i = 0; i < 2_000; i++) {
      String title = randomText(random, alphabet);
      String text = randomText(random, alphabet);
      int[] apart = concat(tokenizer.wordPieceIds(title + ":"), tokenizer.wordPieceIds(text));
      assertArrayEquals(tokenizer.wordPieceIds(title + ": " + text), apart,
          () -> "title '" + title + "', text '" + text + "'");
    }
  }

  private static String randomText(Random random, String[] alphabet) {
    StringBuilder sb = new StringBuilder();
    int n = random.nextInt(8);
    for (int k = 0; k < n; k++) sb.append(alphabet[random.nextInt(alphabet.length)]);
    return sb.toString();
  }

  private static int[] concat(int[] a, int[] b) {
    int[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void rejectsOtherModels() {
    String json = "{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0}}}";
    assertThrows(
        IllegalArgumentException.class,
        () -> WordPieceTokenizer.fromJson(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8))));
  }

  @Test
  void rejectsAVocabularyEntryWithoutAnIntIdAndAMissingVocabulary() {
    String noInt = "{\"model\":{\"type\":\"WordPiece\",\"vocab\":{\"[UNK]\":0,\"a\":\"1\"}}}";
    var e = assertThrows(IllegalArgumentException.class,
        () -> WordPieceTokenizer.fromJson(new ByteArrayInputStream(noInt.getBytes(StandardCharsets.UTF_8))));
    assertTrue(e.getMessage().contains("'a' has no int id"), e.getMessage());
    String noVocab = "{\"model\":{\"type\":\"WordPiece\",\"vocab\":{}}}";
    e = assertThrows(IllegalArgumentException.class,
        () -> WordPieceTokenizer.fromJson(new ByteArrayInputStream(noVocab.getBytes(StandardCharsets.UTF_8))));
    assertTrue(e.getMessage().contains("no model.vocab"), e.getMessage());
    assertThrows(java.io.UncheckedIOException.class,
        () -> WordPieceTokenizer.fromJson(new ByteArrayInputStream("{\"model\": [".getBytes(StandardCharsets.UTF_8))));
  }

  /** Differential test against a direct, string-based transcription of the Hugging Face pipeline. */
  @Test
  void matchesStraightforwardReferenceOnRandomTexts() throws IOException {
    Reference reference = new Reference(new ObjectMapper().readTree(TOKENIZER_JSON.toFile()));
    Random random = new Random(42);
    String[] pieces = {
      "the", "The", "QUICK", "brown", "fox", "jumps", "unaffable", "résumé", "naïve", "Ærøskøbing", "straße",
      "İstanbul", "ΣΊΣΥΦΟΣ", "中文", "日本語", "한국어", "Привет", "مرحبا", "\uD83D\uDE00", "\uD83E\uDD70", "𝔘𝔫𝔦",
      "e\u0301", "\u0000", "\u200B", "\uFFFD", "\u00A0", "\t", "\n", " ", "  ", ",", ".", "!", "?", "'", "\"",
      "(", ")", "[", "]", "[CLS]", "[SEP]", "[MASK]", "$", "€", "«", "»", "—", "…", "_", "#", "##", "@", "1234",
      "3.14", "x".repeat(99), "y".repeat(101), "co-operate", "don't", "e-mail", "\uD800", "\uDC00", "ﬁ", "Ⅻ",
      "\u3000", "ｆｕｌｌ", "\u0085", "\u000B", "\uE000", "\uF900", "\uD87E\uDC00",
    };
    int checked = 0;
    for (int t = 0; t < 3_000; t++) {
      StringBuilder text = new StringBuilder();
      int parts = random.nextInt(12);
      for (int p = 0; p < parts; p++) {
        text.append(pieces[random.nextInt(pieces.length)]);
        if (random.nextInt(3) > 0) text.append(' ');
      }
      if (random.nextInt(4) == 0) {
        // random code points from the BMP and beyond
        for (int k = random.nextInt(6); k > 0; k--) text.appendCodePoint(random.nextInt(0x30000));
      }
      String s = text.toString();
      List<Integer> expected = reference.pieces(s);
      assertEquals(expected.size(), tokenizer.countWordPieces(s), () -> "count of " + escape(s));
      for (int max : new int[] {2, 3, 7, 512}) {
        int kept = Math.min(expected.size(), max - 2);
        int[] want = new int[kept + 2];
        want[0] = 101;
        for (int i = 0; i < kept; i++) want[i + 1] = expected.get(i);
        want[kept + 1] = 102;
        assertArrayEquals(want, tokenizer.encode(s, max), () -> "ids of " + escape(s) + " at " + max);
      }
      checked++;
    }
    assertEquals(3_000, checked);
  }

  private static String escape(String s) {
    StringBuilder sb = new StringBuilder();
    s.codePoints()
        .forEach(cp -> {
          if (cp >= 32 && cp < 127) sb.appendCodePoint(cp);
          else sb.append(String.format("\\u{%X}", cp));
        });
    return sb.toString();
  }

  /**
   * The Hugging Face BERT pipeline written out step by step on whole strings: added tokens, clean text, CJK spacing,
   * NFD and Mn removal, lowercase, whitespace/punctuation split, greedy WordPiece.
   */
  private static final class Reference {
    private final Map<String, Integer> vocab = new HashMap<>();
    private final List<String> specials = new ArrayList<>();

    Reference(JsonNode json) {
      json.path("model").path("vocab").properties().forEach(e -> vocab.put(e.getKey(), e.getValue().intValue()));
      json.path("added_tokens").forEach(t -> specials.add(t.path("content").asText()));
      specials.sort((a, b) -> b.length() - a.length());
    }

    List<Integer> pieces(String text) {
      List<Integer> out = new ArrayList<>();
      int from = 0;
      outer:
      for (int i = 0; i < text.length(); i++) {
        for (String special : specials) {
          if (text.startsWith(special, i)) {
            words(text.substring(from, i), out);
            out.add(vocab.get(special));
            from = i + special.length();
            i = from - 1;
            continue outer;
          }
        }
      }
      words(text.substring(from), out);
      return out;
    }

    private void words(String raw, List<Integer> out) {
      StringBuilder clean = new StringBuilder();
      raw.codePoints()
          .forEach(cp -> {
            if (cp == 0 || cp == 0xFFFD || control(cp)) return;
            if (whitespace(cp)) cp = ' ';
            if (chinese(cp)) clean.append(' ').appendCodePoint(cp).append(' ');
            else clean.appendCodePoint(cp);
          });
      String nfd = Normalizer.normalize(clean, Normalizer.Form.NFD);
      StringBuilder lower = new StringBuilder();
      nfd.codePoints()
          .forEach(cp -> {
            if (Character.getType(cp) == Character.NON_SPACING_MARK) return;
            if (cp == 0x130) lower.append("i\u0307");
            else lower.appendCodePoint(Character.toLowerCase(cp));
          });
      List<String> words = new ArrayList<>();
      StringBuilder word = new StringBuilder();
      lower.codePoints()
          .forEach(cp -> {
            if (whitespace(cp) || punctuation(cp)) {
              if (!word.isEmpty()) words.add(word.toString());
              word.setLength(0);
              if (!whitespace(cp)) words.add(new String(Character.toChars(cp)));
            } else {
              word.appendCodePoint(cp);
            }
          });
      if (!word.isEmpty()) words.add(word.toString());
      for (String w : words) wordPiece(w, out);
    }

    private void wordPiece(String word, List<Integer> out) {
      int[] cps = word.codePoints().toArray();
      if (cps.length > 100) {
        out.add(100);
        return;
      }
      List<Integer> ids = new ArrayList<>();
      int start = 0;
      while (start < cps.length) {
        Integer found = null;
        int end = cps.length;
        for (; end > start; end--) {
          String sub = new String(cps, start, end - start);
          found = vocab.get(start > 0 ? "##" + sub : sub);
          if (found != null) break;
        }
        if (found == null) {
          out.add(100);
          return;
        }
        ids.add(found);
        start = end;
      }
      out.addAll(ids);
    }

    private static boolean control(int cp) {
      if (cp == '\t' || cp == '\n' || cp == '\r') return false;
      int t = Character.getType(cp);
      return t == Character.CONTROL || t == Character.FORMAT || t == Character.PRIVATE_USE
          || t == Character.SURROGATE;
    }

    private static boolean whitespace(int cp) {
      return cp == ' ' || (cp >= 9 && cp <= 13) || cp == 0x85 || Character.getType(cp) == Character.SPACE_SEPARATOR
          || Character.getType(cp) == Character.LINE_SEPARATOR
          || Character.getType(cp) == Character.PARAGRAPH_SEPARATOR;
    }

    private static boolean punctuation(int cp) {
      if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) {
        return true;
      }
      int t = Character.getType(cp);
      return t == Character.CONNECTOR_PUNCTUATION || t == Character.DASH_PUNCTUATION
          || t == Character.START_PUNCTUATION || t == Character.END_PUNCTUATION
          || t == Character.INITIAL_QUOTE_PUNCTUATION || t == Character.FINAL_QUOTE_PUNCTUATION
          || t == Character.OTHER_PUNCTUATION;
    }

    private static boolean chinese(int cp) {
      return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
          || (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F)
          || (cp >= 0x2B920 && cp <= 0x2CEAF) || (cp >= 0xF900 && cp <= 0xFAFF)
          || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }
  }
}
