package dev.precis.segment;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Cuts a JSON document (one value, or JSON Lines: one value per line) into its members and array elements, at the
 * depth where they fit the unit size: a member or element whose text is at most {@code maxUnitChars} is one unit,
 * whole (a record is one unit when it can be); a larger object or array is opened and its children are units in turn
 * (a huge record is split by its members). Scalars are never split, however long: values are never cut.
 *
 * <p>The text is parsed with Jackson's streaming parser, strictly (RFC 8259: no comments, no trailing commas, nothing
 * after the value), at most {@link #MAX_DEPTH} levels deep; the tree keeps only offsets. See {@link JsonStructure} for
 * what ranking sees and how the kept subset is written back as valid JSON.
 *
 * <p>Example: {@code {"a": 1, "b": {"c": [1, 2]}}} with a unit size of 12 chars has units {@code "a": 1} and {@code
 * "b": {"c": [1, 2]}} is 18 chars, so it is opened: {@code "c": [1, 2]} is one unit, 3 units in all.
 */
public final class JsonSegmenter implements StructuredSegmenter {
  /** The deepest nesting parsed; deeper documents are refused (a declared json) or read as text (auto). */
  public static final int MAX_DEPTH = 512;

  private static final JsonFactory FACTORY = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNestingDepth(MAX_DEPTH)
          .maxStringLength(Integer.MAX_VALUE)
          .maxNumberLength(10_000)
          .maxDocumentLength(-1)
          .build())
      .build();

  private final int maxUnitChars;
  private final boolean lines;
  private final boolean compact;

  /**
   * @param maxUnitChars the longest member or element kept as one unit, in chars; larger containers are opened
   * @param lines whether the text is JSON Lines (one value per non-blank line) rather than one value
   */
  public JsonSegmenter(int maxUnitChars, boolean lines) {
    this(maxUnitChars, lines, false);
  }

  /**
   * @param compact whether a homogeneous array of flat records may be written as a table with its keys once, when
   *     that is at most 70% of its length ({@code jsonStyle: compact}); the output is valid JSON either way
   */
  public JsonSegmenter(int maxUnitChars, boolean lines, boolean compact) {
    this.compact = compact;
    if (maxUnitChars <= 0) {
      throw new IllegalArgumentException("illegal maxUnitChars: " + maxUnitChars + ", must be > 0");
    }
    this.maxUnitChars = maxUnitChars;
    this.lines = lines;
  }

  @Override
  public Structured segment(String text) {
    JsonTree tree = lines ? parseLines(text) : parseValue(text);
    return JsonStructure.build(tree, text, maxUnitChars, compact);
  }

  /** Whether the text parses as one JSON object or array (what detection asks before choosing this format). */
  public static boolean parsesAsContainer(String text) {
    int first = firstNonWhitespace(text, 0);
    if (first < 0 || (text.charAt(first) != '{' && text.charAt(first) != '[')) return false;
    try {
      parse(text, 0, text.length(), Format.JSON, new JsonTree(16, false));
      return true;
    } catch (FormatException e) {
      return false;
    }
  }

  private static JsonTree parseValue(String text) {
    if (firstNonWhitespace(text, 0) < 0) throw new FormatException(Format.JSON, 1, 1, "no value, the text is empty");
    JsonTree tree = new JsonTree(Math.max(16, text.length() / 16), false);
    parse(text, 0, text.length(), Format.JSON, tree);
    return tree;
  }

  /** JSON Lines: a virtual array (node 0) whose elements are the lines' values. */
  private static JsonTree parseLines(String text) {
    JsonTree tree = new JsonTree(Math.max(16, text.length() / 16), true);
    int root = tree.add(JsonTree.ARRAY, 0, -1, -1, null);
    int lineStart = 0;
    int count = 0;
    while (lineStart <= text.length()) {
      int lineEnd = text.indexOf('\n', lineStart);
      if (lineEnd < 0) lineEnd = text.length();
      if (firstNonWhitespace(text.substring(0, lineEnd), lineStart) >= 0) {
        tree.pushRoot(root);
        parse(text, lineStart, lineEnd, Format.JSONL, tree);
        count++;
      }
      lineStart = lineEnd + 1;
    }
    if (count == 0) throw new FormatException(Format.JSONL, 1, 1, "no value, the text is empty");
    int first = firstNonWhitespace(text, 0);
    tree.setSpan(root, first, lastNonWhitespace(text) + 1);
    return tree;
  }

  /** Parses {@code text[from, to)} as one JSON value into {@code tree}, under its pushed root if any. */
  private static void parse(String text, int from, int to, Format format, JsonTree tree) {
    // A parser over the value's own text: Jackson's offsets are then relative to {@code from}.
    JsonParser parser = null;
    try {
      parser = FACTORY.createParser(from == 0 && to == text.length() ? text : text.substring(from, to));
      String key = null;
      int keyStart = -1;
      JsonToken token;
      while ((token = parser.nextToken()) != null) {
        int at = from + (int) parser.currentTokenLocation().getCharOffset();
        switch (token) {
          case FIELD_NAME -> {
            key = parser.currentName();
            keyStart = at;
          }
          case START_OBJECT, START_ARRAY -> {
            tree.open(token == JsonToken.START_OBJECT ? JsonTree.OBJECT : JsonTree.ARRAY, at, keyStart, key);
            key = null;
            keyStart = -1;
          }
          case END_OBJECT, END_ARRAY -> tree.close(at + 1);
          default -> {
            tree.scalar(at, scalarEnd(text, at, to), keyStart, key);
            key = null;
            keyStart = -1;
          }
        }
        if (tree.depth() == 0) {
          JsonToken next = parser.nextToken();
          if (next != null) {
            int after = from + (int) parser.currentTokenLocation().getCharOffset();
            int[] lc = FormatException.lineAndColumn(text, after);
            throw new FormatException(format, lc[0], lc[1], "unexpected content after the value"
                + (format == Format.JSON ? " (one JSON value per document; JSON Lines is format jsonl)" : ""));
          }
          return;
        }
      }
      int[] lc = FormatException.lineAndColumn(text, to);
      throw new FormatException(format, lc[0], lc[1], "unexpected end of input: the value is not closed");
    } catch (StreamConstraintsException e) {
      int offset = parser == null ? from : from + (int) Math.max(0, parser.currentLocation().getCharOffset() - 1);
      int[] lc = FormatException.lineAndColumn(text, offset);
      throw new FormatException(format, lc[0], lc[1], e.getMessage().contains("nesting")
          ? "nested deeper than " + MAX_DEPTH + " levels, the most read" : "a number or name is too long");
    } catch (JsonProcessingException e) {
      JsonLocation location = e.getLocation();
      int offset = location == null ? from : from + (int) Math.max(0, location.getCharOffset());
      int[] lc = FormatException.lineAndColumn(text, offset);
      String problem = e.getOriginalMessage();
      if (problem == null || problem.isBlank()) problem = "not valid JSON";
      int cut = problem.indexOf('\n');
      if (cut > 0) problem = problem.substring(0, cut);
      throw new FormatException(format, lc[0], lc[1], problem.strip());
    } catch (IOException e) {
      throw new FormatException(format, 1, 1, "cannot read the text");
    } finally {
      if (parser != null) {
        try {
          parser.close();
        } catch (IOException ignored) {
          // a parser over a string holds nothing to release
        }
      }
    }
  }

  /** The end of the scalar token starting at {@code start}: after the closing quote, or after the literal. */
  private static int scalarEnd(String text, int start, int limit) {
    if (text.charAt(start) == '"') {
      int i = start + 1;
      while (i < limit) {
        char c = text.charAt(i);
        if (c == '\\') {
          i += 2;
        } else if (c == '"') {
          return i + 1;
        } else {
          i++;
        }
      }
      return limit;
    }
    int i = start;
    while (i < limit) {
      char c = text.charAt(i);
      if (Character.isLetterOrDigit(c) || c == '+' || c == '-' || c == '.') i++;
      else break;
    }
    return i;
  }

  static int firstNonWhitespace(String text, int from) {
    for (int i = from; i < text.length(); i++) if (!Character.isWhitespace(text.charAt(i))) return i;
    return -1;
  }

  static int lastNonWhitespace(String text) {
    for (int i = text.length() - 1; i >= 0; i--) if (!Character.isWhitespace(text.charAt(i))) return i;
    return -1;
  }

  /**
   * A parsed JSON value as offsets: per node its type, span, key (for a member), parent and children. Nodes are
   * numbered in text order (a container before its children).
   */
  static final class JsonTree {
    static final byte SCALAR = 0;
    static final byte OBJECT = 1;
    static final byte ARRAY = 2;

    final boolean jsonLines;
    int size;
    byte[] type;
    int[] start;
    int[] end;
    /** Where the member's key starts (its opening quote), or -1 for an array element or the root. */
    int[] keyStart;
    int[] parent;
    /** Position among its parent's children. */
    int[] position;
    int[] childCount;
    String[] key;
    private int[] stack = new int[64];
    private int depth;

    JsonTree(int capacity, boolean jsonLines) {
      this.jsonLines = jsonLines;
      type = new byte[capacity];
      start = new int[capacity];
      end = new int[capacity];
      keyStart = new int[capacity];
      parent = new int[capacity];
      position = new int[capacity];
      childCount = new int[capacity];
      key = new String[capacity];
    }

    int depth() {
      return depth;
    }

    /** The JSON Lines root: the parent of the next line's value, which ends the parse when it closes. */
    void pushRoot(int root) {
      stack[0] = root;
      depth = 0;
      rootParent = root;
    }

    private int rootParent = -1;

    int add(byte nodeType, int nodeStart, int nodeKeyStart, int parentNode, String nodeKey) {
      if (size == type.length) grow();
      int n = size++;
      type[n] = nodeType;
      start[n] = nodeStart;
      end[n] = nodeStart;
      keyStart[n] = nodeKeyStart;
      key[n] = nodeKey;
      parent[n] = parentNode;
      position[n] = parentNode >= 0 ? childCount[parentNode]++ : 0;
      return n;
    }

    void open(byte nodeType, int at, int nodeKeyStart, String nodeKey) {
      int n = add(nodeType, at, nodeKeyStart, currentParent(), nodeKey);
      if (depth == stack.length) stack = Arrays.copyOf(stack, depth * 2);
      stack[depth++] = n;
    }

    void close(int at) {
      int n = stack[--depth];
      end[n] = at;
    }

    void scalar(int at, int scalarEnd, int nodeKeyStart, String nodeKey) {
      int n = add(SCALAR, at, nodeKeyStart, currentParent(), nodeKey);
      end[n] = scalarEnd;
    }

    void setSpan(int n, int from, int to) {
      start[n] = from;
      end[n] = to;
    }

    private int currentParent() {
      return depth > 0 ? stack[depth - 1] : rootParent;
    }

    /** Where the node's text starts: its key for a member, else its value. */
    int spanStart(int n) {
      return keyStart[n] >= 0 ? keyStart[n] : start[n];
    }

    private void grow() {
      int capacity = type.length * 2;
      type = Arrays.copyOf(type, capacity);
      start = Arrays.copyOf(start, capacity);
      end = Arrays.copyOf(end, capacity);
      keyStart = Arrays.copyOf(keyStart, capacity);
      parent = Arrays.copyOf(parent, capacity);
      position = Arrays.copyOf(position, capacity);
      childCount = Arrays.copyOf(childCount, capacity);
      key = Arrays.copyOf(key, capacity);
    }

    /** Children of every node, as index lists (built once, after parsing). */
    int[][] children() {
      int[][] out = new int[size][];
      for (int n = 0; n < size; n++) out[n] = childCount[n] == 0 ? EMPTY : new int[childCount[n]];
      for (int n = 0; n < size; n++) if (parent[n] >= 0) out[parent[n]][position[n]] = n;
      return out;
    }

    private static final int[] EMPTY = new int[0];
  }

  /** For tests: the units' texts. */
  static List<String> texts(String text, List<Unit> units) {
    List<String> out = new ArrayList<>(units.size());
    for (Unit u : units) out.add(u.textOf(text));
    return out;
  }
}
