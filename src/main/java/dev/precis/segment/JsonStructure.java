package dev.precis.segment;

import dev.precis.segment.JsonSegmenter.JsonTree;
import dev.precis.segment.StructuredSegmenter.Structured;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The units of a JSON document and how their kept subset is written back as valid JSON.
 *
 * <p><b>Ranking</b> sees each unit with its path and the identifying members of the records it sits in: the member
 * {@code "email": "x@example.org"} inside the 13th element of {@code orders}, whose {@code id} is {@code "A-17"}, reads
 * {@code id: "A-17"; orders[12].customer.email: "x@example.org"}. An array element that is an object too large to be
 * one unit is a record, named by up to two of its members: an identifier ({@code id}, {@code sku}, {@code *Id}) and a
 * name ({@code name}, {@code title}, {@code email}), looked for among its scalar members, inside a member object named
 * so ({@code "name": {"common": "Denmark"}}) and inside the envelopes APIs wrap fields in ({@code attributes},
 * {@code metadata}, {@code _source}, {@code properties}); else its first short scalar member. Every other unit of the
 * record is ranked with them and anchored to them, so a kept member always comes with what says which record it
 * belongs to.
 *
 * <p><b>Output</b>: the kept units verbatim, in the original order and key order, inside the skeleton of the objects
 * and arrays that lead to them (their keys, brackets and the original whitespace before each kept child); what was
 * left out is noted inside the JSON, when the request has an elision marker {@code M}:
 *
 * <ul>
 *   <li>in an array, each run of left-out elements becomes one string element {@code "M 37 more items"};
 *   <li>in an object, the left-out members become one member {@code "M": "12 more keys"}, where the first of them was
 *       (one per object, so no key repeats);
 *   <li>in JSON Lines, each run of left-out lines becomes one line {@code "M 37 more lines"}.
 * </ul>
 *
 * Values are never cut. A document kept whole is written exactly as it came (trimmed).
 */
final class JsonStructure implements Structure {
  private static final int MAX_RANK_VALUE_CHARS = 2_000;
  private static final int MAX_LABEL_VALUE_CHARS = 80;
  /** Keys that name a record by an identifier, best first (compared lowercased, without {@code _} and {@code -}). */
  private static final List<String> ID_KEYS = List.of("id", "uuid", "guid", "key", "sku", "code", "ref", "number",
      "slug");
  /** Keys that name a record by a name, best first (compared as {@link #ID_KEYS}). */
  private static final List<String> NAME_KEYS = List.of("name", "title", "label", "email", "username", "login",
      "handle", "displayname", "fullname");
  /** Member objects that wrap a record's fields in common API shapes; their members may name the record. */
  private static final java.util.Set<String> ENVELOPE_KEYS = java.util.Set.of("attributes", "properties", "fields",
      "metadata", "meta", "source", "spec", "info", "details", "data", "node", "item", "record", "document");
  private static final Pattern SIMPLE_KEY = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$-]*");
  private static final Pattern ERROR_KEY = Pattern.compile(
      "\"(?:error|errors|err|exception|exceptions|fault|failure|failures|stack_?trace|traceback)\"\\s*:",
      Pattern.CASE_INSENSITIVE);
  private static final Pattern ERROR_VALUE = Pattern.compile(
      "\"(?:status|level|state|severity|result|outcome|conclusion|health)\"\\s*:\\s*\"(?:error|errored|failed|failure"
          + "|failing|fatal|critical|crit|exception|panic|denied|timeout|timed[ _]out|unhealthy|down)\"",
      Pattern.CASE_INSENSITIVE);
  private static final Pattern WARNING = Pattern.compile(
      "\"(?:warning|warnings)\"\\s*:|\"(?:level|severity|status)\"\\s*:\\s*\"warn(?:ing)?\"", Pattern.CASE_INSENSITIVE);

  private final JsonTree tree;
  private final String text;
  private final int maxUnitChars;
  /** Whether homogeneous arrays of flat records may be written as a table ({@code jsonStyle: compact}). */
  private final boolean compact;
  /** Per array node, its records' keys when it is a table (see {@link #tableKeys}); filled lazily. */
  private final java.util.Map<Integer, List<String>> tables = new java.util.concurrent.ConcurrentHashMap<>();
  private final boolean jsonLines;
  private final int[][] children;
  /** Per node, its unit's ordinal, or -1 for an opened container (or a node inside a unit). */
  private final int[] unitOf;
  /** Per unit, its node. */
  private final int[] nodeOf;
  /** Per node, how many units lie under it (itself included). */
  private final int[] unitsUnder;
  private final int[] anchors;
  private final String[] rankTexts;
  private final double[] priors;

  private JsonStructure(JsonTree tree, String text, int[][] children, int[] unitOf, int[] nodeOf, int maxUnitChars,
      boolean compact) {
    this.maxUnitChars = maxUnitChars;
    this.compact = compact;
    this.tree = tree;
    this.text = text;
    this.jsonLines = tree.jsonLines;
    this.children = children;
    this.unitOf = unitOf;
    this.nodeOf = nodeOf;
    int units = nodeOf.length;
    unitsUnder = new int[tree.size];
    for (int u = 0; u < units; u++) {
      for (int n = nodeOf[u]; n >= 0; n = tree.parent[n]) unitsUnder[n]++;
    }
    int[] idNode = new int[tree.size];
    int[] nameNode = new int[tree.size];
    labelNodes(idNode, nameNode);
    int[] idUnit = unitsHolding(idNode);
    int[] nameUnit = unitsHolding(nameNode);
    anchors = new int[units];
    rankTexts = new String[units];
    priors = new double[units];
    for (int u = 0; u < units; u++) {
      anchors[u] = anchorOf(u, idUnit, nameUnit);
      rankTexts[u] = rankTextOf(u, idNode, nameNode);
      priors[u] = priorOf(u);
    }
  }

  /** Cuts the parsed tree into units: the root (and a JSON Lines root) is always opened, then by size. */
  static Structured build(JsonTree tree, String text, int maxUnitChars, boolean compact) {
    int[][] children = tree.children();
    int[] unitOf = new int[tree.size];
    java.util.Arrays.fill(unitOf, -1);
    List<Unit> units = new ArrayList<>();
    List<Integer> nodes = new ArrayList<>();
    int[] paragraphOf = new int[tree.size];
    int paragraphs = 0;
    // Pre-order over opened nodes with an explicit stack (children pushed in reverse keep the text order).
    int[] stack = new int[Math.max(16, tree.size)];
    int top = 0;
    stack[top++] = 0;
    while (top > 0) {
      int n = stack[--top];
      boolean open = tree.type[n] != JsonTree.SCALAR && children[n].length > 0
          && (n == 0 || tree.end[n] - tree.spanStart(n) > maxUnitChars);
      if (!open) {
        int ordinal = units.size();
        unitOf[n] = ordinal;
        boolean line = tree.jsonLines && tree.parent[n] == 0;
        units.add(new Unit(ordinal, line ? UnitKind.ROW : UnitKind.FIELD, tree.spanStart(n), tree.end[n],
            paragraphOf[tree.parent[n] < 0 ? n : tree.parent[n]], 0));
        nodes.add(n);
        continue;
      }
      paragraphOf[n] = paragraphs++;
      for (int i = children[n].length - 1; i >= 0; i--) stack[top++] = children[n][i];
    }
    int[] nodeOf = new int[nodes.size()];
    for (int u = 0; u < nodeOf.length; u++) nodeOf[u] = nodes.get(u);
    return new Structured(units, new JsonStructure(tree, text, children, unitOf, nodeOf, maxUnitChars, compact));
  }

  @Override
  public Structured withUnitLimit(int limit) {
    if (limit >= maxUnitChars) return null;
    for (int n : nodeOf) {
      if (tree.type[n] != JsonTree.SCALAR && children[n].length > 0 && tree.end[n] - tree.spanStart(n) > limit) {
        return build(tree, text, limit, compact);
      }
    }
    return null;
  }

  @Override
  public Format format() {
    return jsonLines ? Format.JSONL : Format.JSON;
  }

  @Override
  public String rankText(int unit) {
    return rankTexts[unit];
  }

  @Override
  public int anchor(int unit) {
    return anchors[unit];
  }

  @Override
  public double prior(int unit) {
    return priors[unit];
  }

  @Override
  public String locator(int unit) {
    int node = nodeOf[unit];
    String path = path(node);
    if (!jsonLines) return path.isEmpty() ? "$" : path;
    int line = 1;
    int lineNode = node;
    while (tree.parent[lineNode] > 0) lineNode = tree.parent[lineNode];
    for (int i = 0; i < tree.start[lineNode]; i++) if (text.charAt(i) == '\n') line++;
    return "line " + line + ": " + path;
  }

  @Override
  public int elisionTokens(int markerTokens) {
    return markerTokens + 10;
  }

  // ---------------------------------------------------------------------------------------------------------- labels

  /**
   * Per record (an opened object in an array), the scalar nodes that name it, or -1: {@code ids[n]}, the best member
   * named like an identifier ({@code id}, {@code uuid}, {@code sku}, {@code *Id}, ...), and {@code names[n]}, the best
   * named like a name ({@code name}, {@code title}, {@code email}, {@code *Name}, ...). Both are looked for among the
   * record's scalar members, inside a member object named so ({@code "name": {"common": "Denmark"}}), and inside the
   * envelope objects APIs wrap fields in (JSON:API {@code attributes}, Kubernetes {@code metadata}, Elasticsearch
   * {@code _source}, GeoJSON {@code properties}, ...). A record with neither is named by its first short scalar.
   */
  private void labelNodes(int[] ids, int[] names) {
    java.util.Arrays.fill(ids, -1);
    java.util.Arrays.fill(names, -1);
    for (int n = 0; n < tree.size; n++) {
      if (tree.type[n] != JsonTree.OBJECT || unitOf[n] >= 0 || unitsUnder[n] == 0) continue;
      int parent = tree.parent[n];
      if (parent < 0 || tree.type[parent] != JsonTree.ARRAY) continue;
      int bestId = -1;
      int bestIdRank = Integer.MAX_VALUE;
      int bestName = -1;
      int bestNameRank = Integer.MAX_VALUE;
      int firstShort = -1;
      List<Integer> members = new ArrayList<>();
      for (int c : children[n]) {
        if (tree.type[c] == JsonTree.SCALAR && shortScalar(c) && firstShort < 0) firstShort = c;
        members.add(c);
        if (tree.type[c] == JsonTree.OBJECT && ENVELOPE_KEYS.contains(normalisedKey(tree.key[c]))) {
          for (int m : children[c]) members.add(m);
        }
      }
      for (int m : members) {
        if (tree.type[m] == JsonTree.OBJECT) {
          int rank = nameRank(tree.key[m]);
          int named = rank < bestNameRank ? nestedName(m) : -1;
          if (named >= 0) {
            bestNameRank = rank;
            bestName = named;
          }
          continue;
        }
        if (tree.type[m] != JsonTree.SCALAR || !shortScalar(m)) continue;
        int idRank = idRank(tree.key[m]);
        int nameRank = nameRank(tree.key[m]);
        if (idRank < bestIdRank) {
          bestIdRank = idRank;
          bestId = m;
        } else if (nameRank < bestNameRank) {
          bestNameRank = nameRank;
          bestName = m;
        }
      }
      ids[n] = bestId;
      names[n] = bestName;
      if (bestId < 0 && bestName < 0) ids[n] = firstShort;
    }
  }

  private boolean shortScalar(int node) {
    return tree.end[node] - tree.start[node] <= MAX_LABEL_VALUE_CHARS;
  }

  /** The scalar that names a member object: its best name-like scalar member, else its first short scalar member. */
  private int nestedName(int object) {
    int best = -1;
    int bestRank = Integer.MAX_VALUE;
    for (int c : children[object]) {
      if (tree.type[c] != JsonTree.SCALAR || !shortScalar(c)) continue;
      int rank = nameRank(tree.key[c]);
      if (best < 0 || rank < bestRank) {
        bestRank = rank;
        best = c;
      }
    }
    return best;
  }

  /** Per record, the unit holding the given naming scalar of {@link #labelNodes}, or -1. */
  private int[] unitsHolding(int[] nodes) {
    int[] units = new int[tree.size];
    java.util.Arrays.fill(units, -1);
    for (int n = 0; n < tree.size; n++) {
      for (int m = nodes[n]; m >= 0 && m != n; m = tree.parent[m]) {
        if (unitOf[m] >= 0) {
          units[n] = unitOf[m];
          break;
        }
      }
    }
    return units;
  }

  /** Whether {@code node} is {@code ancestor} or lies inside it. */
  private boolean inside(int node, int ancestor) {
    for (int m = node; m >= 0; m = tree.parent[m]) if (m == ancestor) return true;
    return false;
  }

  private static String normalisedKey(String key) {
    return key == null ? "" : key.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
  }

  /** How well a key names its record as an identifier: the index in {@link #ID_KEYS}, then keys ending in id. */
  private static int idRank(String key) {
    if (key == null) return Integer.MAX_VALUE;
    String k = normalisedKey(key);
    int exact = ID_KEYS.indexOf(k);
    if (exact >= 0) return exact;
    return k.endsWith("id") ? ID_KEYS.size() : Integer.MAX_VALUE;
  }

  /** How well a key names its record as a name: the index in {@link #NAME_KEYS}, then keys ending in name or title. */
  private static int nameRank(String key) {
    if (key == null) return Integer.MAX_VALUE;
    String k = normalisedKey(key);
    int exact = NAME_KEYS.indexOf(k);
    if (exact >= 0) return exact;
    return k.endsWith("name") || k.endsWith("title") ? NAME_KEYS.size() : Integer.MAX_VALUE;
  }

  /**
   * What must come with a unit: the name of the nearest record around it (else its identifier); a record's name comes
   * with its identifier; a record's identifier with what names the record around that record.
   */
  private int anchorOf(int unit, int[] idUnit, int[] nameUnit) {
    for (int n = tree.parent[nodeOf[unit]]; n >= 0; n = tree.parent[n]) {
      int id = idUnit[n];
      int name = nameUnit[n];
      if (id < 0 && name < 0) continue;
      if (unit == id) continue;
      if (unit == name) {
        if (id >= 0) return id;
        continue;
      }
      return name >= 0 ? name : id;
    }
    return -1;
  }

  // ----------------------------------------------------------------------------------------------------- rank texts

  private String rankTextOf(int unit, int[] idNode, int[] nameNode) {
    int node = nodeOf[unit];
    StringBuilder out = new StringBuilder();
    List<Integer> records = new ArrayList<>();
    for (int n = tree.parent[node]; n >= 0; n = tree.parent[n]) {
      for (int named : new int[] {nameNode[n], idNode[n]}) {
        if (named >= 0 && !inside(named, node)) records.add(0, named);
      }
    }
    for (int named : records) {
      out.append(tree.key[named]).append(": ");
      out.append(text, tree.start[named], tree.end[named]).append("; ");
    }
    String path = path(node);
    out.append(path.isEmpty() ? "$" : path).append(": ");
    int valueEnd = Math.min(tree.end[node], tree.start[node] + MAX_RANK_VALUE_CHARS);
    out.append(text, tree.start[node], valueEnd);
    return out.toString();
  }

  /** The node's path from the root: {@code orders[12].customer.email}, {@code ["odd key"]}; empty for the root. */
  String path(int node) {
    List<Integer> chain = new ArrayList<>();
    for (int n = node; n > 0; n = tree.parent[n]) chain.add(0, n); // node 0 is the root
    StringBuilder out = new StringBuilder();
    for (int n : chain) {
      String key = tree.key[n];
      if (tree.keyStart[n] >= 0 && key != null) {
        if (SIMPLE_KEY.matcher(key).matches()) {
          if (!out.isEmpty()) out.append('.');
          out.append(key);
        } else {
          out.append("[\"").append(key.replace("\\", "\\\\").replace("\"", "\\\"")).append("\"]");
        }
      } else {
        out.append('[').append(tree.position[n]).append(']');
      }
    }
    return out.toString();
  }

  // ---------------------------------------------------------------------------------------------------------- priors

  private double priorOf(int unit) {
    int node = nodeOf[unit];
    int end = Math.min(tree.end[node], tree.spanStart(node) + MAX_RANK_VALUE_CHARS);
    CharSequence span = text.subSequence(tree.spanStart(node), end);
    if (ERROR_KEY.matcher(span).find() || ERROR_VALUE.matcher(span).find()) return 1.0;
    double prior = WARNING.matcher(span).find() ? 0.5 : 0;
    int parent = tree.parent[node];
    if (parent >= 0 && tree.type[parent] == JsonTree.ARRAY && tree.childCount[parent] >= 3) {
      int position = tree.position[node];
      if (position == 0 || position == tree.childCount[parent] - 1) prior = Math.max(prior, 0.5);
    }
    return prior;
  }

  // ---------------------------------------------------------------------------------------------------------- render

  @Override
  public void render(SegmentedDocument doc, BitSet kept, String marker, StringBuilder out) {
    if (kept.cardinality() == nodeOf.length) {
      int first = JsonSegmenter.firstNonWhitespace(text, 0);
      if (first >= 0) out.append(text, first, JsonSegmenter.lastNonWhitespace(text) + 1);
      return;
    }
    int[] keptUnder = new int[tree.size];
    for (int u = kept.nextSetBit(0); u >= 0; u = kept.nextSetBit(u + 1)) {
      for (int n = nodeOf[u]; n >= 0; n = tree.parent[n]) keptUnder[n]++;
    }
    if (jsonLines) writeLines(keptUnder, marker, out);
    else writeOpen(0, keptUnder, marker, out);
  }

  private void writeLines(int[] keptUnder, String marker, StringBuilder out) {
    boolean written = false;
    int gap = 0;
    for (int c : children[0]) {
      if (keptUnder[c] == 0) {
        gap++;
        continue;
      }
      if (gap > 0 && !marker.isEmpty()) {
        if (written) out.append('\n');
        out.append(note(marker + " " + gap + " more line" + (gap == 1 ? "" : "s")));
        written = true;
      }
      gap = 0;
      if (written) out.append('\n');
      writeChild(c, keptUnder, marker, out);
      written = true;
    }
    if (gap > 0 && !marker.isEmpty()) {
      if (written) out.append('\n');
      out.append(note(marker + " " + gap + " more line" + (gap == 1 ? "" : "s")));
    }
  }

  /** An opened container: its kept children in the original skeleton, left-out ones noted. */
  private void writeOpen(int n, int[] keptUnder, String marker, StringBuilder out) {
    if (compact && tree.type[n] == JsonTree.ARRAY) {
      List<String> keys = tables.computeIfAbsent(n, this::tableKeys);
      if (!keys.isEmpty()) {
        int from = out.length();
        writePreserved(n, keptUnder, marker, out);
        String preserved = out.substring(from);
        String table = table(n, keys, keptUnder, marker);
        if (table.length() <= COMPACT_MAX_SHARE * preserved.length()) {
          out.setLength(from);
          out.append(table);
        }
        return;
      }
    }
    writePreserved(n, keptUnder, marker, out);
  }

  /** The compact form is taken when it is at most this share of the preserved form's length. */
  private static final double COMPACT_MAX_SHARE = 0.7;

  /**
   * The keys of an array of flat records that all have the same keys in the same order (at least two records of at
   * least two keys, each record one unit), or an empty list when the array is no such table.
   */
  private List<String> tableKeys(int n) {
    int[] records = children[n];
    if (records.length < 2) return List.of();
    List<String> keys = null;
    for (int r : records) {
      if (tree.type[r] != JsonTree.OBJECT || unitOf[r] < 0 || children[r].length < 2) return List.of();
      List<String> own = new ArrayList<>(children[r].length);
      for (int m : children[r]) {
        if (tree.type[m] != JsonTree.SCALAR) return List.of();
        own.add(tree.key[m]);
      }
      if (keys == null) keys = own;
      else if (!keys.equals(own)) return List.of();
    }
    return List.copyOf(keys);
  }

  /**
   * An array of flat records as a table, valid JSON with the keys once: {@code {"columns": ["id", "name"], "rows":
   * [["A-1", "Ann"], "… 3 more items", ["A-5", "Eve"]]}}, values verbatim.
   */
  private String table(int n, List<String> keys, int[] keptUnder, String marker) {
    StringBuilder out = new StringBuilder("{\"columns\": [");
    for (int k = 0; k < keys.size(); k++) out.append(k == 0 ? "" : ", ").append(note(keys.get(k)));
    out.append("], \"rows\": [");
    boolean written = false;
    int gap = 0;
    for (int r : children[n]) {
      if (keptUnder[r] == 0) {
        gap++;
        continue;
      }
      if (gap > 0 && !marker.isEmpty()) {
        out.append(written ? ", " : "").append(note(marker + " " + gap + " more item" + (gap == 1 ? "" : "s")));
        written = true;
      }
      gap = 0;
      out.append(written ? ", " : "").append('[');
      for (int m = 0; m < children[r].length; m++) {
        int member = children[r][m];
        out.append(m == 0 ? "" : ", ").append(text, tree.start[member], tree.end[member]);
      }
      out.append(']');
      written = true;
    }
    if (gap > 0 && !marker.isEmpty()) {
      out.append(written ? ", " : "").append(note(marker + " " + gap + " more item" + (gap == 1 ? "" : "s")));
    }
    return out.append("]}").toString();
  }

  private void writePreserved(int n, int[] keptUnder, String marker, StringBuilder out) {
    boolean object = tree.type[n] == JsonTree.OBJECT;
    out.append(object ? '{' : '[');
    boolean written = false;
    boolean objectNoted = false;
    int leftOut = 0;
    if (object) for (int c : children[n]) if (keptUnder[c] == 0) leftOut++;
    int gap = 0;
    int gapFirst = -1;
    for (int c : children[n]) {
      if (keptUnder[c] == 0) {
        if (gap++ == 0) gapFirst = c;
        continue;
      }
      if (gap > 0 && !marker.isEmpty() && (!object || !objectNoted)) {
        written = writeNote(object, gapFirst, object ? leftOut : gap, written, marker, out);
        objectNoted = object;
      }
      gap = 0;
      if (written) out.append(',');
      out.append(text, leadStart(tree.spanStart(c)), tree.spanStart(c));
      writeChild(c, keptUnder, marker, out);
      written = true;
    }
    if (gap > 0 && !marker.isEmpty() && (!object || !objectNoted)) {
      writeNote(object, gapFirst, object ? leftOut : gap, written, marker, out);
    }
    int close = tree.end[n] - 1;
    out.append(text, leadStart(close), close);
    out.append(object ? '}' : ']');
  }

  private boolean writeNote(boolean object, int first, int count, boolean written, String marker, StringBuilder out) {
    if (written) out.append(',');
    out.append(text, leadStart(tree.spanStart(first)), tree.spanStart(first));
    if (object) {
      out.append(note(marker)).append(": ").append(note(count + " more key" + (count == 1 ? "" : "s")));
    } else {
      out.append(note(marker + " " + count + " more item" + (count == 1 ? "" : "s")));
    }
    return true;
  }

  private void writeChild(int c, int[] keptUnder, String marker, StringBuilder out) {
    if (unitOf[c] >= 0 || keptUnder[c] == unitsUnder[c]) {
      out.append(text, tree.spanStart(c), tree.end[c]);
    } else {
      out.append(text, tree.spanStart(c), tree.start[c]); // a member's key and colon, as written
      writeOpen(c, keptUnder, marker, out);
    }
  }

  /** Where the run of whitespace that ends at {@code at} starts. */
  private int leadStart(int at) {
    int i = at;
    while (i > 0 && Character.isWhitespace(text.charAt(i - 1))) i--;
    return i;
  }

  /** A JSON string literal of {@code s}. */
  static String note(String s) {
    StringBuilder out = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          else out.append(c);
        }
      }
    }
    return out.append('"').toString();
  }
}
