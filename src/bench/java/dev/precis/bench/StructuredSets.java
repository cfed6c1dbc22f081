package dev.precis.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.precis.quality.EvalExample;
import dev.precis.quality.EvalExample.Document;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Writes the structured evaluation sets ({@code eval/structured/README.md}) as {@code dev-<set>.jsonl.gz} files.
 *
 * <pre>
 * ./mvnw -q -B test-compile exec:java@structured-sets -Dstructured-sets.args="--countries C --src-zip Z --out DIR"
 * </pre>
 *
 * <p>{@code --countries} is {@code countries.json} of the npm package {@code world-countries@5.1.0} (ODbL);
 * {@code --src-zip} the JDK's {@code lib/src.zip} (GPLv2 with the Classpath Exception). Every set has its own seed, so
 * the same inputs give byte-identical files. Each example has one document with an empty title; each answer occurs
 * once in it (checked as a substring), so a question has exactly one place it can be answered from.
 */
public final class StructuredSets {

  static final ObjectMapper JSON = new ObjectMapper();
  static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private StructuredSets() {}

  public static void main(String[] args) throws IOException {
    Map<String, String> o = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    if (!o.containsKey("countries") || !o.containsKey("src-zip") || !o.containsKey("out")) {
      throw new IllegalArgumentException("usage: --countries countries.json --src-zip src.zip --out DIR [--n 150]");
    }
    int n = Integer.parseInt(o.getOrDefault("n", "150"));
    Path out = Path.of(o.get("out"));
    Files.createDirectories(out);
    List<Country> countries = Country.load(Path.of(o.get("countries")));
    write(out, "json-keys", jsonKeys(n, new Random(101)));
    write(out, "json-records", jsonRecords(countries, n, new Random(102)));
    write(out, "json-api", jsonApi(countries, n, new Random(103)));
    write(out, "csv-lookup", table(countries, n, new Random(104), "csv-lookup", ','));
    write(out, "tsv-lookup", table(countries, n, new Random(105), "tsv-lookup", '\t'));
    write(out, "md-table-lookup", table(countries, n, new Random(106), "md-table-lookup", '|'));
    write(out, "log-failure", Logs.failures(n, new Random(107)));
    write(out, "code-which", codeWhich(Path.of(o.get("src-zip")), n, new Random(108)));
    write(out, "code-what", codeWhat(Path.of(o.get("src-zip")), n, new Random(109)));
  }

  static void write(Path dir, String set, List<EvalExample> examples) throws IOException {
    Path file = dir.resolve("dev-" + set + ".jsonl.gz");
    try (OutputStream os = new GZIPOutputStream(Files.newOutputStream(file));
         Writer w = new OutputStreamWriter(os, StandardCharsets.UTF_8)) {
      for (EvalExample e : examples) w.write(JSON.writeValueAsString(e) + "\n");
    }
    System.err.printf(Locale.ROOT, "%s: %d examples -> %s%n", set, examples.size(), file);
  }

  static EvalExample example(String set, int i, String question, String answer, String text) {
    if (count(text, answer) != 1) throw new IllegalStateException(set + " " + i + ": answer not unique: " + answer);
    return new EvalExample(String.format(Locale.ROOT, "%s-%04d", set, i), set, question, List.of(answer),
        List.of(new Document("d0", "", text, true)));
  }

  static int count(String text, String needle) {
    int c = 0;
    for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) c++;
    return c;
  }

  // ---- json-keys: 75 identifier -> identifier pairs

  static List<EvalExample> jsonKeys(int n, Random rnd) throws IOException {
    List<EvalExample> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ObjectNode obj = JSON.createObjectNode();
      List<String> keys = new ArrayList<>();
      boolean skus = rnd.nextBoolean();
      for (int k = 0; k < 75; k++) {
        String key = skus ? String.format(Locale.ROOT, "SKU-%s-%05d", letters(rnd, 3), rnd.nextInt(100000))
            : uuid(rnd);
        String value = skus ? uuid(rnd) : String.format(Locale.ROOT, "SKU-%s-%05d", letters(rnd, 3), rnd.nextInt(100000));
        obj.put(key, value);
        keys.add(key);
      }
      String key = keys.get(rnd.nextInt(keys.size()));
      out.add(example("json-keys", i, "What is the value of key " + key + "?", obj.get(key).asText(),
          PRETTY.writeValueAsString(obj)));
    }
    return out;
  }

  static String uuid(Random rnd) {
    return new UUID(rnd.nextLong(), rnd.nextLong()).toString();
  }

  static String letters(Random rnd, int len) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < len; i++) sb.append((char) ('A' + rnd.nextInt(26)));
    return sb.toString();
  }

  // ---- countries (world-countries, ODbL)

  /** One country of world-countries, with the fields the sets use. */
  record Country(String name, String official, String cca2, String cca3, String ccn3, String capital, String region,
                 String subregion, List<String> languages, List<String[]> currencies, String callingCode, double area,
                 List<String> borders, String tld, String demonym, boolean landlocked, double lat, double lng) {

    static List<Country> load(Path file) throws IOException {
      List<Country> out = new ArrayList<>();
      for (JsonNode c : JSON.readTree(file.toFile())) {
        List<String> langs = new ArrayList<>();
        c.path("languages").properties().forEach(e -> langs.add(e.getValue().asText()));
        List<String[]> cur = new ArrayList<>();
        c.path("currencies").properties().forEach(e ->
            cur.add(new String[] {e.getKey(), e.getValue().path("name").asText(), e.getValue().path("symbol").asText()}));
        List<String> borders = new ArrayList<>();
        c.path("borders").forEach(b -> borders.add(b.asText()));
        JsonNode idd = c.path("idd");
        String calling = idd.path("suffixes").size() == 1 ? idd.path("root").asText() + idd.path("suffixes").get(0).asText()
            : idd.path("root").asText();
        out.add(new Country(c.path("name").path("common").asText(), c.path("name").path("official").asText(),
            c.path("cca2").asText(), c.path("cca3").asText(), c.path("ccn3").asText(),
            c.path("capital").size() > 0 ? c.path("capital").get(0).asText() : "", c.path("region").asText(),
            c.path("subregion").asText(), langs, cur, calling, c.path("area").asDouble(), borders,
            c.path("tld").size() > 0 ? c.path("tld").get(0).asText() : "",
            c.path("demonyms").path("eng").path("m").asText(), c.path("landlocked").asBoolean(),
            c.path("latlng").path(0).asDouble(), c.path("latlng").path(1).asDouble()));
      }
      return out;
    }

    String currencyName() {
      return currencies.isEmpty() ? "" : currencies.get(0)[1];
    }

    String currencyCode() {
      return currencies.isEmpty() ? "" : currencies.get(0)[0];
    }

    String areaText() {
      return area == Math.rint(area) ? Long.toString((long) area) : Double.toString(area);
    }
  }

  /** A question about one field: its wording and how to read the answer. */
  record Field(String label, Function<Country, String> value) {}

  static final List<Field> RECORD_FIELDS = List.of(
      new Field("capital", Country::capital),
      new Field("official name", Country::official),
      new Field("currency", Country::currencyName),
      new Field("ISO 3166-1 alpha-3 code", Country::cca3),
      new Field("calling code", Country::callingCode),
      new Field("area in square kilometres", Country::areaText),
      new Field("top-level domain", Country::tld),
      new Field("demonym", Country::demonym));

  /** Picks a country and a field whose value is at least 3 characters and unique in the text; null if none. */
  static String[] pick(List<Country> chosen, List<Field> fields, Random rnd, Function<Country, String> textOf,
                       String text) {
    for (int attempt = 0; attempt < 200; attempt++) {
      Country c = chosen.get(rnd.nextInt(chosen.size()));
      Field f = fields.get(rnd.nextInt(fields.size()));
      String v = f.value().apply(c);
      if (v.length() < 3 || count(text, v) != 1 || c.name().contains(v) || v.contains(c.name())) continue;
      return new String[] {c.name(), f.label(), v};
    }
    return null;
  }

  static ObjectNode record(Country c) {
    ObjectNode r = JSON.createObjectNode();
    r.put("name", c.name());
    r.put("officialName", c.official());
    r.put("cca2", c.cca2());
    r.put("cca3", c.cca3());
    r.put("ccn3", c.ccn3());
    r.put("capital", c.capital());
    r.put("region", c.region());
    r.put("subregion", c.subregion());
    ArrayNode langs = r.putArray("languages");
    c.languages().forEach(langs::add);
    ArrayNode cur = r.putArray("currencies");
    for (String[] x : c.currencies()) cur.addObject().put("code", x[0]).put("name", x[1]).put("symbol", x[2]);
    r.put("callingCode", c.callingCode());
    r.put("area", c.area());
    ArrayNode borders = r.putArray("borders");
    c.borders().forEach(borders::add);
    r.put("tld", c.tld());
    r.put("demonym", c.demonym());
    r.put("landlocked", c.landlocked());
    r.putArray("latlng").add(c.lat()).add(c.lng());
    return r;
  }

  static List<EvalExample> jsonRecords(List<Country> countries, int n, Random rnd) throws IOException {
    List<EvalExample> out = new ArrayList<>();
    while (out.size() < n) {
      List<Country> chosen = sample(countries, 40, rnd);
      ArrayNode arr = JSON.createArrayNode();
      chosen.forEach(c -> arr.add(record(c)));
      String text = PRETTY.writeValueAsString(arr);
      String[] q = pick(chosen, RECORD_FIELDS, rnd, Country::name, text);
      if (q == null) continue;
      out.add(example("json-records", out.size(), "What is the " + q[1] + " of " + q[0] + "?", q[2], text));
    }
    return out;
  }

  static final List<Field> API_FIELDS = List.of(
      new Field("capital", Country::capital),
      new Field("currency code", Country::currencyCode),
      new Field("currency name", Country::currencyName),
      new Field("numeric code", Country::ccn3),
      new Field("dialling prefix", Country::callingCode),
      new Field("subregion", Country::subregion),
      new Field("official name", Country::official));

  static List<EvalExample> jsonApi(List<Country> countries, int n, Random rnd) throws IOException {
    List<EvalExample> out = new ArrayList<>();
    while (out.size() < n) {
      int perPage = 20;
      int page = 1 + rnd.nextInt(10);
      List<Country> chosen = sample(countries, perPage, rnd);
      ObjectNode root = JSON.createObjectNode();
      ObjectNode data = root.putObject("data");
      data.put("kind", "CountryList");
      ArrayNode items = data.putArray("items");
      for (Country c : chosen) {
        ObjectNode it = items.addObject();
        it.put("id", "cty_" + c.cca3().toLowerCase(Locale.ROOT) + Integer.toHexString(rnd.nextInt(0xfffff)));
        it.put("type", "country");
        ObjectNode a = it.putObject("attributes");
        a.putObject("name").put("common", c.name()).put("official", c.official());
        a.putObject("codes").put("alpha2", c.cca2()).put("alpha3", c.cca3()).put("numeric", c.ccn3());
        ObjectNode geo = a.putObject("geography");
        geo.put("region", c.region()).put("subregion", c.subregion()).put("capital", c.capital())
            .put("areaKm2", c.area()).put("landlocked", c.landlocked());
        ArrayNode cur = a.putObject("economy").putArray("currencies");
        for (String[] x : c.currencies()) cur.addObject().put("code", x[0]).put("name", x[1]).put("symbol", x[2]);
        a.putObject("telecom").put("diallingPrefix", c.callingCode()).put("tld", c.tld());
        it.putObject("links").put("self", "https://api.example.com/v2/countries/" + c.cca3().toLowerCase(Locale.ROOT));
      }
      int total = 250;
      root.putObject("pagination").put("page", page).put("perPage", perPage).put("total", total)
          .put("next", "https://api.example.com/v2/countries?page=" + (page + 1));
      root.putObject("meta").put("requestId", uuid(rnd)).put("apiVersion", "2.4.1")
          .put("generatedAt", String.format(Locale.ROOT, "2026-0%d-1%dT0%d:%02d:00Z", 1 + rnd.nextInt(9),
              rnd.nextInt(10), rnd.nextInt(10), rnd.nextInt(60)));
      String text = PRETTY.writeValueAsString(root);
      String[] q = pick(chosen, API_FIELDS, rnd, Country::name, text);
      if (q == null) continue;
      out.add(example("json-api", out.size(),
          "In this API response, what is the " + q[1] + " of the item for " + q[0] + "?", q[2], text));
    }
    return out;
  }

  static final List<Field> TABLE_FIELDS = List.of(
      new Field("capital", Country::capital),
      new Field("currency", Country::currencyName),
      new Field("calling_code", Country::callingCode),
      new Field("area_km2", Country::areaText),
      new Field("official_name", Country::official),
      new Field("alpha3", Country::cca3));

  static List<EvalExample> table(List<Country> countries, int n, Random rnd, String set, char sep) {
    List<String> header = List.of("name", "official_name", "alpha3", "capital", "region", "subregion", "currency",
        "calling_code", "area_km2", "tld");
    List<EvalExample> out = new ArrayList<>();
    while (out.size() < n) {
      List<Country> rows = sample(countries, 200 + rnd.nextInt(51), rnd);
      StringBuilder sb = new StringBuilder();
      line(sb, header, sep);
      if (sep == '|') line(sb, Collections.nCopies(header.size(), "---"), sep);
      for (Country c : rows) {
        line(sb, List.of(c.name(), c.official(), c.cca3(), c.capital(), c.region(), c.subregion(), c.currencyName(),
            c.callingCode(), c.areaText(), c.tld()), sep);
      }
      String text = sb.toString().stripTrailing();
      String[] q = pick(rows, TABLE_FIELDS, rnd, Country::name, text);
      if (q == null) continue;
      out.add(example(set, out.size(), "In the table, what is the " + q[1] + " of the row whose name is " + q[0] + "?",
          q[2], text));
    }
    return out;
  }

  static void line(StringBuilder sb, List<String> cells, char sep) {
    if (sep == '|') {
      sb.append("| ").append(String.join(" | ", cells.stream().map(s -> s.replace("|", "\\|")).toList()))
          .append(" |\n");
      return;
    }
    for (int i = 0; i < cells.size(); i++) {
      if (i > 0) sb.append(sep);
      String c = cells.get(i);
      if (sep == ',' && (c.contains(",") || c.contains("\""))) c = "\"" + c.replace("\"", "\"\"") + "\"";
      if (sep == '\t') c = c.replace('\t', ' ');
      sb.append(c);
    }
    sb.append('\n');
  }

  static <T> List<T> sample(List<T> all, int k, Random rnd) {
    List<T> copy = new ArrayList<>(all);
    Collections.shuffle(copy, rnd);
    return new ArrayList<>(copy.subList(0, Math.min(k, copy.size())));
  }

  // ---- JDK sources, for code-which and code-what

  /** One source file of the JDK: its path in {@code src.zip}, its text and its lines. */
  record JdkSource(String name, String text, String[] lines) {}

  /**
   * The {@code java.base} source files of {@code java.util}, {@code java.lang}, {@code java.io}, {@code java.time},
   * {@code java.nio}, {@code java.net}, {@code java.math} and {@code java.text} (top-level classes only) with 300 to
   * 4,000 lines, in path order.
   */
  static List<JdkSource> jdkSources(Path srcZip) throws IOException {
    List<JdkSource> out = new ArrayList<>();
    try (ZipFile zip = new ZipFile(srcZip.toFile())) {
      List<ZipEntry> entries = new ArrayList<>();
      zip.stream().filter(e -> e.getName().matches("java\\.base/java/(util|lang|io|time|nio|net|math|text)/[A-Z]\\w*\\.java"))
          .forEach(entries::add);
      entries.sort((a, b) -> a.getName().compareTo(b.getName()));
      for (ZipEntry e : entries) {
        String text;
        try (InputStream in = zip.getInputStream(e)) {
          text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String[] lines = text.split("\n", -1);
        if (lines.length >= 300 && lines.length <= 4000) out.add(new JdkSource(e.getName(), text, lines));
      }
    }
    return out;
  }

  // ---- code-which: JDK sources, the message of an exception thrown in one method

  static final Pattern METHOD = Pattern.compile(
      "^ {4}(?:(?:public|protected|private|static|final|synchronized|abstract|native|default)\\s+)*"
          + "(?:<[^>]+>\\s+)?[\\w<>\\[\\],.? ]+\\s+(\\w+)\\s*\\(");
  static final Set<String> KEYWORDS = Set.of("if", "for", "while", "switch", "catch", "return",
      "synchronized", "new", "throw", "else", "do", "try", "assert", "super", "this");
  static final Pattern THROW = Pattern.compile("throw new (\\w+(?:Exception|Error))\\(\"([^\"]{12,80})\"");

  static List<EvalExample> codeWhich(Path srcZip, int n, Random rnd) throws IOException {
    List<EvalExample> candidates = new ArrayList<>();
    for (JdkSource source : jdkSources(srcZip)) {
      String text = source.text();
      String cls = source.name().substring(source.name().lastIndexOf('/') + 1).replace(".java", "");
      String method = null;
      for (String line : source.lines()) {
        Matcher m = METHOD.matcher(line);
        if (m.find() && !line.contains(" new ") && !line.contains("=") && !KEYWORDS.contains(m.group(1))
            && !line.trim().startsWith("return")) {
          method = m.group(1);
        }
        Matcher t = THROW.matcher(line);
        if (t.find() && method != null && count(text, t.group(2)) == 1) {
          candidates.add(new EvalExample("", "code-which",
              "What message does the " + t.group(1) + " thrown in " + cls + "." + method + " carry?",
              List.of(t.group(2).strip()), List.of(new Document("d0", "", text, true))));
        }
      }
    }
    Collections.shuffle(candidates, rnd);
    List<EvalExample> out = new ArrayList<>();
    for (EvalExample c : candidates) {
      if (out.size() == n) break;
      Document d = c.documents().get(0);
      if (out.stream().anyMatch(x -> x.documents().get(0).text().equals(d.text()))) continue; // one question a file
      out.add(example("code-which", out.size(), c.question(), c.answers().get(0), d.text()));
    }
    return out;
  }

  // ---- code-what: JDK sources, the public method a javadoc's first sentence describes, that javadoc removed

  static final Pattern TAG = Pattern.compile("\\{@(?:code|literal|link|linkplain)\\s+([^}]*)}");

  /**
   * CodeSearchNet's design (Husain et al. 2019) on one file: the first sentence of a public method's javadoc, turned
   * into a question ("Returns the ... ." -> "Which method returns the ...?"), asked of the file without that javadoc;
   * the answer is the method's declaration line, which must occur once in the file. Only sentences that open with a
   * verb in the third person (a capitalised word ending in s) and hold 6 to 30 words are taken.
   */
  static List<EvalExample> codeWhat(Path srcZip, int n, Random rnd) throws IOException {
    List<EvalExample> candidates = new ArrayList<>();
    for (JdkSource source : jdkSources(srcZip)) {
      List<String> lines = List.of(source.lines());
      for (int i = 0; i < lines.size(); i++) {
        if (!lines.get(i).equals("    /**")) continue;
        int end = i;
        while (end < lines.size() && !lines.get(end).trim().endsWith("*/")) end++;
        int decl = end + 1;
        while (decl < lines.size() && lines.get(decl).startsWith("    @")) decl++;
        if (decl >= lines.size()) break;
        String declaration = lines.get(decl);
        Matcher m = METHOD.matcher(declaration);
        if (!declaration.startsWith("    public ") || !m.find() || declaration.contains("=")
            || KEYWORDS.contains(m.group(1))) {
          continue;
        }
        String sentence = firstSentence(lines.subList(i + 1, end + 1));
        if (sentence == null) continue;
        String answer = declaration.strip();
        if (answer.endsWith("{")) answer = answer.substring(0, answer.length() - 1).strip();
        List<String> without = new ArrayList<>(lines.subList(0, i));
        without.addAll(lines.subList(end + 1, lines.size()));
        String document = String.join("\n", without);
        if (count(document, answer) != 1) continue;
        String question = "Which method " + Character.toLowerCase(sentence.charAt(0))
            + sentence.substring(1, sentence.length() - 1) + "?";
        candidates.add(new EvalExample("", "code-what", question, List.of(answer),
            List.of(new Document("d0", "", document, true))));
      }
    }
    Collections.shuffle(candidates, rnd);
    List<EvalExample> out = new ArrayList<>();
    Set<String> files = new HashSet<>();
    for (EvalExample c : candidates) {
      if (out.size() == n) break;
      Document d = c.documents().get(0);
      // one question a file: the file with any one javadoc removed is a different text, so key on its first lines
      if (!files.add(d.text().substring(0, Math.min(2000, d.text().length())))) continue;
      out.add(example("code-what", out.size(), c.question(), c.answers().get(0), d.text()));
    }
    return out;
  }

  /**
   * What an inline tag reads as: {@code {@code x}} and {@code {@literal x}} as x; {@code {@link ref label}} as its label;
   * {@code {@link Type#member(args)}} as {@code Type.member}.
   */
  static String tagText(String tag, String inner) {
    String body = inner.strip();
    if (!tag.startsWith("{@link")) return body;
    int close = body.indexOf(')');
    int space = body.indexOf(' ', close < 0 ? 0 : close);
    if (space > 0) return body.substring(space + 1).strip();
    return body.replaceFirst("^#", "").replaceAll("\\(.*\\)$", "").replace('#', '.');
  }

  /** The javadoc's first sentence with its inline tags and HTML as plain words, or null when it does not qualify. */
  static String firstSentence(List<String> javadoc) {
    StringBuilder b = new StringBuilder();
    for (String line : javadoc) {
      String t = line.strip();
      if (t.startsWith("*/")) break;
      if (t.startsWith("*")) t = t.substring(1).strip();
      if (t.startsWith("@") || (t.isEmpty() && !b.isEmpty())) break;
      b.append(b.isEmpty() ? "" : " ").append(t);
    }
    String text = TAG.matcher(b.toString()).replaceAll(r -> Matcher.quoteReplacement(tagText(r.group(0), r.group(1))))
        .replaceAll("<[^>]+>", "").replaceAll("\\s+", " ").strip();
    int stop = text.indexOf(". ");
    String sentence = stop > 0 ? text.substring(0, stop + 1) : text;
    if (!sentence.endsWith(".") || sentence.contains("{@") || sentence.contains("&")) return null;
    String first = sentence.split(" ", 2)[0];
    int words = sentence.split(" ").length;
    if (!first.matches("[A-Z][a-z]+s") || words < 6 || words > 30) return null;
    return sentence;
  }
}
