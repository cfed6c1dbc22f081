package dev.precis.encode;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A BERT WordPiece tokenizer read from a Hugging Face {@code tokenizer.json}, reproducing what the {@code tokenizers}
 * library does for {@code encode(text, add_special_tokens = true)} with right truncation:
 *
 * <ol>
 *   <li>added special tokens ({@code [CLS]}, {@code [MASK]}, ...) are cut out of the raw text first (leftmost-longest,
 *       case-sensitive), as Hugging Face does for added tokens with {@code normalized: false};
 *   <li>{@code BertNormalizer}: clean text (drop U+0000, U+FFFD and control/format/private-use characters, map
 *       whitespace to a space), put spaces around CJK ideographs, strip accents (NFD, drop Mn; on when {@code
 *       strip_accents} is true, or null and {@code lowercase} is true), lowercase per character;
 *   <li>{@code BertPreTokenizer}: split on whitespace and isolate every punctuation character (ASCII punctuation or
 *       Unicode P*);
 *   <li>{@code WordPiece}: greedy longest match from the left with the continuing-subword prefix; a word longer than
 *       {@code max_input_chars_per_word} characters, or one with an unmatchable rest, becomes a single {@code [UNK]}.
 * </ol>
 *
 * <p>Character properties come from the JDK's Unicode tables, which are newer than the ones Hugging Face compiles in;
 * the two differ only for characters assigned in recent Unicode versions.
 *
 * <p>Immutable after construction and thread-safe. Every call works in its own small scratch buffers: no regex, no
 * per-character strings, nothing cached between texts.
 */
public final class WordPieceTokenizer {
  private static final int FNV_PRIME = 0x01000193;
  private static final int SEED_WORD = 0x811C9DC5;
  private static final int SEED_CONTINUATION = 0x6A09E667;

  // What an ASCII character does, precomputed from the general path (see asciiAction).
  private static final byte DROP = 0;
  private static final byte SPLIT = 1;
  private static final byte ISOLATE = 2;
  private static final byte APPEND = 3;

  private final boolean cleanText;
  private final boolean handleChineseChars;
  private final boolean stripAccents;
  private final boolean lowercase;
  private final int maxInputCharsPerWord;

  private final int clsId;
  private final int sepId;
  private final int padId;
  private final int unkId;
  private final int vocabSize;

  /** Added special tokens matched on the raw text, longest first. */
  private final String[] specialTokens;

  private final int[] specialIds;

  /** The distinct first characters of the added tokens. */
  private final String specialFirstChars;

  // Open-addressing table over (continuation flag, chars) -> id; keys live in one char pool.
  private final int[] slots;
  private final int slotMask;
  private final int[] entryHash;
  private final int[] entryOffset;
  private final int[] entryLength;
  private final boolean[] entryContinuation;
  private final int[] entryId;
  private final char[] pool;
  private final int maxWordKeyLength;
  private final int maxContinuationKeyLength;

  private final byte[] asciiAction = new byte[128];
  private final char[] asciiMapped = new char[128];

  private WordPieceTokenizer(
      Map<String, Integer> vocab,
      String continuationPrefix,
      String unkToken,
      int maxInputCharsPerWord,
      boolean cleanText,
      boolean handleChineseChars,
      boolean stripAccents,
      boolean lowercase,
      List<String> specialTokens,
      String padToken) {
    this.cleanText = cleanText;
    this.handleChineseChars = handleChineseChars;
    this.stripAccents = stripAccents;
    this.lowercase = lowercase;
    this.maxInputCharsPerWord = maxInputCharsPerWord;
    this.vocabSize = vocab.size();
    this.unkId = requiredId(vocab, unkToken);
    this.clsId = requiredId(vocab, "[CLS]");
    this.sepId = requiredId(vocab, "[SEP]");
    this.padId = requiredId(vocab, padToken);

    List<String> specials = new ArrayList<>(specialTokens);
    specials.sort((a, b) -> a.length() != b.length() ? b.length() - a.length() : a.compareTo(b));
    this.specialTokens = specials.toArray(String[]::new);
    this.specialIds = new int[this.specialTokens.length];
    for (int i = 0; i < this.specialTokens.length; i++) {
      specialIds[i] = requiredId(vocab, this.specialTokens[i]);
    }
    StringBuilder firstChars = new StringBuilder();
    for (String special : this.specialTokens) {
      if (firstChars.indexOf(special.substring(0, 1)) < 0) firstChars.append(special.charAt(0));
    }
    this.specialFirstChars = firstChars.toString();

    int entries = 0;
    int poolChars = 0;
    for (String token : vocab.keySet()) {
      entries++;
      poolChars += token.length();
      if (token.length() > continuationPrefix.length() && token.startsWith(continuationPrefix)) {
        entries++;
      }
    }
    int capacity = Integer.highestOneBit(Math.max(16, entries * 3)) << 1;
    this.slots = new int[capacity];
    this.slotMask = capacity - 1;
    this.entryHash = new int[entries];
    this.entryOffset = new int[entries];
    this.entryLength = new int[entries];
    this.entryContinuation = new boolean[entries];
    this.entryId = new int[entries];
    this.pool = new char[poolChars];
    int next = 0;
    int poolEnd = 0;
    int maxWord = 0;
    int maxContinuation = 0;
    for (Map.Entry<String, Integer> e : vocab.entrySet()) {
      String token = e.getKey();
      int id = e.getValue();
      int offset = poolEnd;
      token.getChars(0, token.length(), pool, offset);
      poolEnd += token.length();
      insert(next++, offset, token.length(), false, id);
      maxWord = Math.max(maxWord, token.length());
      int p = continuationPrefix.length();
      if (token.length() > p && token.startsWith(continuationPrefix)) {
        insert(next++, offset + p, token.length() - p, true, id);
        maxContinuation = Math.max(maxContinuation, token.length() - p);
      }
    }
    this.maxWordKeyLength = maxWord;
    this.maxContinuationKeyLength = maxContinuation;

    for (int c = 0; c < 128; c++) {
      classifyAscii(c);
    }
  }

  /**
   * Reads a Hugging Face {@code tokenizer.json} with a {@code WordPiece} model and BERT normaliser/pre-tokeniser. The
   * vocabulary (about 30,000 entries) is read as a stream straight into a map; only the small rest becomes a tree.
   * On a cold JVM at start-up this takes about half the time of reading the whole file as a tree.
   */
  public static WordPieceTokenizer fromJson(InputStream json) {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode root = mapper.createObjectNode();
    Map<String, Integer> vocab = null;
    try (JsonParser parser = mapper.getFactory().createParser(json)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("tokenizer json is not an object");
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        if (field.equals("model") && value == JsonToken.START_OBJECT) {
          ObjectNode model = root.putObject("model");
          while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String modelField = parser.currentName();
            JsonToken modelValue = parser.nextToken();
            if (modelField.equals("vocab") && modelValue == JsonToken.START_OBJECT) {
              vocab = readVocab(parser);
            } else {
              model.set(modelField, tree(mapper, parser));
            }
          }
        } else {
          root.set(field, tree(mapper, parser));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read tokenizer json", e);
    }
    JsonNode model = root.path("model");
    if (!"WordPiece".equals(model.path("type").asText())) {
      throw new IllegalArgumentException(
          "unsupported tokenizer model type '" + model.path("type").asText() + "', expected WordPiece");
    }
    if (vocab == null || vocab.isEmpty()) {
      throw new IllegalArgumentException("tokenizer json has no model.vocab");
    }
    String unk = model.path("unk_token").asText("[UNK]");
    String prefix = model.path("continuing_subword_prefix").asText("##");
    int maxChars = model.path("max_input_chars_per_word").asInt(100);
    if (prefix.isEmpty() || maxChars < 1) {
      throw new IllegalArgumentException("invalid WordPiece settings: prefix '" + prefix + "', max chars " + maxChars);
    }

    JsonNode normalizer = root.path("normalizer");
    boolean clean = false;
    boolean chinese = false;
    boolean strip = false;
    boolean lower = false;
    if (!normalizer.isMissingNode() && !normalizer.isNull()) {
      if (!"BertNormalizer".equals(normalizer.path("type").asText())) {
        throw new IllegalArgumentException(
            "unsupported normalizer '" + normalizer.path("type").asText() + "', expected BertNormalizer");
      }
      clean = normalizer.path("clean_text").asBoolean(true);
      chinese = normalizer.path("handle_chinese_chars").asBoolean(true);
      lower = normalizer.path("lowercase").asBoolean(true);
      JsonNode sa = normalizer.path("strip_accents");
      strip = sa.isMissingNode() || sa.isNull() ? lower : sa.asBoolean();
    }
    JsonNode pre = root.path("pre_tokenizer");
    if (!"BertPreTokenizer".equals(pre.path("type").asText())) {
      throw new IllegalArgumentException(
          "unsupported pre_tokenizer '" + pre.path("type").asText() + "', expected BertPreTokenizer");
    }

    List<String> specials = new ArrayList<>();
    for (JsonNode added : root.path("added_tokens")) {
      String content = added.path("content").asText();
      if (content.isEmpty()) continue;
      if (added.path("normalized").asBoolean(false)
          || added.path("lstrip").asBoolean(false)
          || added.path("rstrip").asBoolean(false)
          || added.path("single_word").asBoolean(false)) {
        throw new IllegalArgumentException(
            "unsupported added token '" + content + "': only normalized=false without lstrip/rstrip/single_word");
      }
      if (!vocab.containsKey(content)) {
        throw new IllegalArgumentException("added token '" + content + "' is not in the vocab");
      }
      if (!specials.contains(content)) specials.add(content);
    }
    String pad = root.path("padding").path("pad_token").asText("[PAD]");
    return new WordPieceTokenizer(vocab, prefix, unk, maxChars, clean, chinese, strip, lower, specials, pad);
  }

  /** The entries of a vocabulary object, the parser on its START_OBJECT; leaves it on the END_OBJECT. */
  private static Map<String, Integer> readVocab(JsonParser parser) throws IOException {
    Map<String, Integer> vocab = new HashMap<>(65_536);
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String token = parser.currentName();
      if (parser.nextToken() != JsonToken.VALUE_NUMBER_INT || parser.getNumberType() != JsonParser.NumberType.INT) {
        throw new IllegalArgumentException("vocab entry '" + token + "' has no int id");
      }
      vocab.put(token, parser.getIntValue());
    }
    return vocab;
  }

  /** The value the parser is on, as a tree (a JSON null as a null node). */
  private static JsonNode tree(ObjectMapper mapper, JsonParser parser) throws IOException {
    JsonNode node = mapper.readTree(parser);
    return node == null ? NullNode.getInstance() : node;
  }

  private static int requiredId(Map<String, Integer> vocab, String token) {
    Integer id = vocab.get(token);
    if (id == null) throw new IllegalArgumentException("token '" + token + "' is not in the vocab");
    return id;
  }

  /**
   * Token ids of {@code text}: {@code [CLS]}, the word pieces cut on the right to at most {@code maxLength - 2}, then
   * {@code [SEP]}.
   */
  public int[] encode(String text, int maxLength) {
    Objects.requireNonNull(text, "text");
    if (maxLength < 2) {
      throw new IllegalArgumentException("illegal maxLength: " + maxLength + ", must be >= 2 for [CLS] and [SEP]");
    }
    Scratch s = new Scratch(true, maxLength - 1); // [CLS] and at most maxLength - 2 pieces
    s.push(clsId);
    run(text, s);
    int kept = Math.min(s.size, maxLength - 1);
    int[] out = Arrays.copyOf(s.ids, kept + 1);
    out[kept] = sepId;
    return out;
  }

  /** How many word pieces {@code text} has, without {@code [CLS]} and {@code [SEP]} and without truncation. */
  public int countWordPieces(String text) {
    Objects.requireNonNull(text, "text");
    Scratch s = new Scratch(false, Integer.MAX_VALUE);
    run(text, s);
    return s.size;
  }

  /**
   * Token ids of the word pieces of {@code text}, without {@code [CLS]} and {@code [SEP]} and without truncation
   * (added special tokens written in the text itself are kept, as {@link #encode} keeps them).
   */
  public int[] wordPieceIds(String text) {
    Objects.requireNonNull(text, "text");
    Scratch s = new Scratch(true, Integer.MAX_VALUE);
    run(text, s);
    return Arrays.copyOf(s.ids, s.size);
  }

  public int clsId() {
    return clsId;
  }

  public int sepId() {
    return sepId;
  }

  public int padId() {
    return padId;
  }

  public int unkId() {
    return unkId;
  }

  public int vocabSize() {
    return vocabSize;
  }

  // ---------------------------------------------------------------------------------------------------------------

  /** Per-call state: the ids, the current word, the prefix hashes of a word piece. */
  private final class Scratch {
    int[] ids;
    int size;
    final int limit;
    char[] word = new char[32];
    int wordLength;
    int wordChars;
    final int[] hashes = new int[Math.max(maxWordKeyLength, maxContinuationKeyLength) + 1];

    Scratch(boolean storeIds, int limit) {
      this.ids = storeIds ? new int[16] : null;
      this.limit = limit;
    }

    void push(int id) {
      if (ids != null) {
        if (size == ids.length) ids = Arrays.copyOf(ids, size * 2);
        ids[size] = id;
      }
      size++;
    }

    boolean full() {
      return size >= limit;
    }

    void append(int cp) {
      wordChars++;
      // A word longer than maxInputCharsPerWord is [UNK] whatever it holds; stop storing its characters.
      if (wordChars > maxInputCharsPerWord) return;
      if (wordLength + 2 > word.length) word = Arrays.copyOf(word, word.length * 2);
      if (cp < Character.MIN_SUPPLEMENTARY_CODE_POINT) {
        word[wordLength++] = (char) cp;
      } else {
        word[wordLength++] = Character.highSurrogate(cp);
        word[wordLength++] = Character.lowSurrogate(cp);
      }
    }
  }

  private void run(String text, Scratch s) {
    int n = text.length();
    int from = 0;
    for (int i = firstSpecialCandidate(text); i < n; i++) {
      if (specialFirstChars.indexOf(text.charAt(i)) < 0) continue;
      for (int k = 0; k < specialTokens.length; k++) {
        String special = specialTokens[k];
        if (text.startsWith(special, i)) {
          segment(text, from, i, s);
          if (s.full()) return;
          s.push(specialIds[k]);
          if (s.full()) return;
          from = i + special.length();
          i = from - 1;
          break;
        }
      }
    }
    segment(text, from, n, s);
  }

  /** Where the first added token may start: the first occurrence of any of their first characters, or the end. */
  private int firstSpecialCandidate(String text) {
    int first = text.length();
    for (int k = 0; k < specialFirstChars.length(); k++) {
      int at = text.indexOf(specialFirstChars.charAt(k));
      if (at >= 0 && at < first) first = at;
    }
    return first;
  }

  /** Normalises, pre-tokenises and word-pieces text[from, to), which holds no added token. */
  private void segment(String text, int from, int to, Scratch s) {
    if (from >= to) return;
    String src = text;
    int start = from;
    int end = to;
    if (stripAccents && needsDecomposition(text, from, to)) {
      src = Normalizer.normalize(text.subSequence(from, to), Normalizer.Form.NFD);
      start = 0;
      end = src.length();
    }
    s.wordLength = 0;
    s.wordChars = 0;
    int i = start;
    while (i < end) {
      char c = src.charAt(i);
      if (c < 128) {
        i++;
        switch (asciiAction[c]) {
          case APPEND -> s.append(asciiMapped[c]);
          case SPLIT -> {
            if (flushWord(s)) return;
          }
          case ISOLATE -> {
            if (flushWord(s)) return;
            s.append(asciiMapped[c]);
            if (flushWord(s)) return;
          }
          default -> {}
        }
      } else {
        int cp = Character.codePointAt(src, i);
        i += Character.charCount(cp);
        if (normalize(cp, s)) return;
      }
    }
    flushWord(s);
  }

  private static boolean needsDecomposition(String text, int from, int to) {
    for (int i = from; i < to; i++) {
      // Nothing below U+00C0 has a canonical decomposition.
      if (text.charAt(i) >= 0xC0) return true;
    }
    return false;
  }

  /** BertNormalizer for one (already decomposed) code point, then pre-tokenisation. True when the ids are full. */
  private boolean normalize(int cp, Scratch s) {
    if (cleanText) {
      if (cp == 0 || cp == 0xFFFD || isControl(cp)) return false;
      if (isWhitespace(cp)) cp = ' ';
    }
    if (handleChineseChars && isChineseChar(cp)) {
      return isolate(cp, s);
    }
    if (stripAccents && Character.getType(cp) == Character.NON_SPACING_MARK) return false;
    if (lowercase) {
      if (cp == 0x130) {
        // The one unconditional multi-character lowercase mapping: U+0130 -> "i\u0307".
        return preTokenize('i', s) || preTokenize(0x307, s);
      }
      cp = Character.toLowerCase(cp);
    }
    return preTokenize(cp, s);
  }

  private boolean preTokenize(int cp, Scratch s) {
    if (isWhitespace(cp)) return flushWord(s);
    if (isPunctuation(cp)) return isolate(cp, s);
    s.append(cp);
    return false;
  }

  private boolean isolate(int cp, Scratch s) {
    if (flushWord(s)) return true;
    s.append(cp);
    return flushWord(s);
  }

  private void classifyAscii(int c) {
    asciiMapped[c] = (char) c;
    if (cleanText && (c == 0 || isControl(c))) {
      asciiAction[c] = DROP;
    } else if (isWhitespace(c)) {
      asciiAction[c] = SPLIT;
    } else if (isPunctuation(c)) {
      asciiAction[c] = ISOLATE;
    } else {
      asciiAction[c] = APPEND;
      if (lowercase) asciiMapped[c] = (char) Character.toLowerCase(c);
    }
  }

  /** The BERT control test: Cc, Cf, Co (and lone surrogates), except tab, newline and carriage return. */
  private static boolean isControl(int cp) {
    if (cp == '\t' || cp == '\n' || cp == '\r') return false;
    int type = Character.getType(cp);
    return type == Character.CONTROL
        || type == Character.FORMAT
        || type == Character.PRIVATE_USE
        || type == Character.SURROGATE;
  }

  /** Rust's {@code char::is_whitespace} (the Unicode White_Space property), which BERT uses. */
  private static boolean isWhitespace(int cp) {
    if (cp < 128) return cp == ' ' || (cp >= 0x09 && cp <= 0x0D);
    if (cp == 0x85) return true;
    int type = Character.getType(cp);
    return type == Character.SPACE_SEPARATOR
        || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR;
  }

  /** ASCII punctuation (33-47, 58-64, 91-96, 123-126) or any Unicode P* category. */
  private static boolean isPunctuation(int cp) {
    if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) {
      return true;
    }
    if (cp < 128) return false;
    return switch (Character.getType(cp)) {
      case Character.CONNECTOR_PUNCTUATION,
          Character.DASH_PUNCTUATION,
          Character.START_PUNCTUATION,
          Character.END_PUNCTUATION,
          Character.INITIAL_QUOTE_PUNCTUATION,
          Character.FINAL_QUOTE_PUNCTUATION,
          Character.OTHER_PUNCTUATION -> true;
      default -> false;
    };
  }

  /** The CJK ideograph blocks BERT surrounds with spaces (the ranges of Hugging Face's {@code is_chinese_char}). */
  private static boolean isChineseChar(int cp) {
    return (cp >= 0x4E00 && cp <= 0x9FFF)
        || (cp >= 0x3400 && cp <= 0x4DBF)
        || (cp >= 0x20000 && cp <= 0x2A6DF)
        || (cp >= 0x2A700 && cp <= 0x2B73F)
        || (cp >= 0x2B740 && cp <= 0x2B81F)
        || (cp >= 0x2B920 && cp <= 0x2CEAF)
        || (cp >= 0xF900 && cp <= 0xFAFF)
        || (cp >= 0x2F800 && cp <= 0x2FA1F);
  }

  /** Word-pieces the current word into the ids and empties it. True when the ids are full. */
  private boolean flushWord(Scratch s) {
    int length = s.wordLength;
    int chars = s.wordChars;
    s.wordLength = 0;
    s.wordChars = 0;
    if (chars == 0) return false;
    if (chars > maxInputCharsPerWord) {
      s.push(unkId);
      return s.full();
    }
    char[] w = s.word;
    int[] hashes = s.hashes;
    int mark = s.size;
    int start = 0;
    while (start < length) {
      boolean continuation = start > 0;
      int maxEnd = Math.min(length, start + (continuation ? maxContinuationKeyLength : maxWordKeyLength));
      int h = continuation ? SEED_CONTINUATION : SEED_WORD;
      for (int e = start; e < maxEnd; e++) {
        h = (h ^ w[e]) * FNV_PRIME;
        hashes[e - start + 1] = h;
      }
      int found = -1;
      int end = maxEnd;
      for (; end > start; end--) {
        if (end < length && Character.isLowSurrogate(w[end]) && Character.isHighSurrogate(w[end - 1])) continue;
        found = lookup(hashes[end - start], w, start, end - start, continuation);
        if (found >= 0) break;
      }
      if (found < 0) {
        s.size = mark;
        s.push(unkId);
        return s.full();
      }
      s.push(found);
      start = end;
    }
    return s.full();
  }

  private int lookup(int rawHash, char[] chars, int offset, int length, boolean continuation) {
    int hash = mix(rawHash);
    for (int slot = hash & slotMask; ; slot = (slot + 1) & slotMask) {
      int entry = slots[slot] - 1;
      if (entry < 0) return -1;
      if (entryHash[entry] == hash
          && entryLength[entry] == length
          && entryContinuation[entry] == continuation
          && Arrays.equals(pool, entryOffset[entry], entryOffset[entry] + length, chars, offset, offset + length)) {
        return entryId[entry];
      }
    }
  }

  private void insert(int entry, int offset, int length, boolean continuation, int id) {
    int h = continuation ? SEED_CONTINUATION : SEED_WORD;
    for (int i = offset; i < offset + length; i++) {
      h = (h ^ pool[i]) * FNV_PRIME;
    }
    int hash = mix(h);
    entryHash[entry] = hash;
    entryOffset[entry] = offset;
    entryLength[entry] = length;
    entryContinuation[entry] = continuation;
    entryId[entry] = id;
    int slot = hash & slotMask;
    while (slots[slot] != 0) slot = (slot + 1) & slotMask;
    slots[slot] = entry + 1;
  }

  /** Murmur3's 32-bit finaliser, so that the low bits used for the slot depend on every input bit. */
  private static int mix(int h) {
    h ^= h >>> 16;
    h *= 0x85EBCA6B;
    h ^= h >>> 13;
    h *= 0xC2B2AE35;
    h ^= h >>> 16;
    return h;
  }
}
