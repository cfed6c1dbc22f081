package dev.precis.bench;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.precis.quality.EvalExample;
import java.io.IOException;

/**
 * Whether an output keeps the structure of a structured set's document: for {@code json-*} sets, a strict JSON parser
 * accepts the whole output as one value; for table sets ({@code csv-*}, {@code tsv-*}, {@code md-table-*}), the
 * output holds the header row (the document's first line) as a whole line. Null for other sets.
 */
final class StructureCheck {

  private static final ObjectMapper STRICT = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private StructureCheck() {}

  static Boolean check(EvalExample example, String output) {
    String set = example.dataset() == null ? "" : example.dataset();
    if (set.startsWith("json-")) return parses(output);
    if (set.startsWith("csv-") || set.startsWith("tsv-") || set.startsWith("md-table-")) {
      if (example.documents().isEmpty()) return null;
      String text = example.documents().get(0).text();
      int nl = text.indexOf('\n');
      String header = (nl < 0 ? text : text.substring(0, nl)).strip();
      for (String line : output.split("\n", -1)) {
        if (line.strip().equals(header)) return true;
      }
      return false;
    }
    return null;
  }

  static boolean parses(String output) {
    try (JsonParser p = STRICT.createParser(output)) {
      if (p.nextToken() == null) return false;
      p.skipChildren();
      return p.nextToken() == null || p.currentToken() == JsonToken.NOT_AVAILABLE;
    } catch (IOException e) {
      return false;
    }
  }
}
