package dev.precis.proxy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Sets fields of one JSON object, addressed by JSON Pointer, in a document's bytes and leaves every other byte as it
 * was, the way {@link JsonSplicer} rewrites strings: an existing field's value bytes are replaced (whatever their
 * type), a missing field is inserted right after the object's opening brace.
 *
 * <p>Example: setting {@code max_tokens} to {@code 300} and {@code stream} to {@code true} in the object {@code ""}
 * of {@code {"model" : "m",  "max_tokens":1024}} gives {@code {"stream":true,"model" : "m",  "max_tokens":300}}.
 */
final class JsonFields {
  private static final JsonFactory FACTORY = new JsonFactory();

  private JsonFields() {}

  /** A JSON number literal for {@code value}. */
  static String number(long value) {
    return Long.toString(value);
  }

  /** A JSON string literal for {@code value}, quoted and escaped. */
  static String string(String value) {
    return "\"" + new String(JsonStringEncoder.getInstance().quoteAsUTF8(value), StandardCharsets.UTF_8) + "\"";
  }

  /**
   * {@code json} with the fields {@code rawValues} (name → a JSON literal written as is) set in the object at
   * {@code objectPointer} ({@code ""} for the top level). New fields come first, in the map's order; a field that is
   * present (every occurrence, if a client sent it twice) keeps its place and gets the new value.
   *
   * @throws IllegalStateException when no object is at {@code objectPointer}
   * @throws UncheckedIOException when {@code json} is not JSON
   */
  static byte[] set(byte[] json, String objectPointer, Map<String, String> rawValues) {
    if (rawValues.isEmpty()) return json;
    record Edit(int start, int end, byte[] replacement) {}
    List<Edit> edits = new ArrayList<>();
    Set<String> present = new HashSet<>();
    boolean found = false;
    try (JsonParser parser = FACTORY.createParser(json)) {
      JsonToken token;
      while (!found && (token = parser.nextToken()) != null) {
        if (token != JsonToken.START_OBJECT) continue;
        String at = parser.getParsingContext().getParent().pathAsPointer().toString();
        if (!at.equals(objectPointer)) continue;
        found = true;
        int brace = (int) parser.currentTokenLocation().getByteOffset();
        if (json[brace] != '{') throw new IllegalStateException("object " + objectPointer + " not at byte " + brace);
        boolean empty = true;
        while ((token = parser.nextToken()) != JsonToken.END_OBJECT) {
          String name = parser.currentName();
          empty = false;
          JsonToken value = parser.nextToken();
          int start = (int) parser.currentTokenLocation().getByteOffset();
          int end = valueEnd(parser, value, json, start);
          if (rawValues.containsKey(name)) {
            present.add(name);
            edits.add(new Edit(start, end, rawValues.get(name).getBytes(StandardCharsets.UTF_8)));
          }
        }
        StringBuilder inserted = new StringBuilder();
        for (Map.Entry<String, String> e : rawValues.entrySet()) {
          if (present.contains(e.getKey())) continue;
          if (!inserted.isEmpty()) inserted.append(',');
          inserted.append(string(e.getKey())).append(':').append(e.getValue());
        }
        if (!inserted.isEmpty()) {
          if (!empty) inserted.append(',');
          edits.add(new Edit(brace + 1, brace + 1, inserted.toString().getBytes(StandardCharsets.UTF_8)));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (!found) throw new IllegalStateException("no object at " + (objectPointer.isEmpty() ? "the top level"
        : objectPointer));
    edits.sort(Comparator.comparingInt(Edit::start));
    ByteArrayOutputStream out = new ByteArrayOutputStream(json.length + 64);
    int copied = 0;
    for (Edit edit : edits) {
      out.write(json, copied, edit.start() - copied);
      out.writeBytes(edit.replacement());
      copied = edit.end();
    }
    out.write(json, copied, json.length - copied);
    return out.toByteArray();
  }

  /** The byte offset just after the value whose first token {@code value} starts at {@code start}. */
  private static int valueEnd(JsonParser parser, JsonToken value, byte[] json, int start) throws IOException {
    switch (value) {
      case START_OBJECT, START_ARRAY -> {
        parser.skipChildren();
        int end = (int) parser.currentLocation().getByteOffset();
        byte close = (byte) (value == JsonToken.START_OBJECT ? '}' : ']');
        if (end <= start || json[end - 1] != close) {
          throw new IllegalStateException("value at byte " + start + " does not end at byte " + end);
        }
        return end;
      }
      case VALUE_STRING -> {
        parser.getText(); // reads the string to its closing quote
        int end = (int) parser.currentLocation().getByteOffset();
        if (json[start] != '"' || json[end - 1] != '"') {
          throw new IllegalStateException("string at byte " + start + " does not end at byte " + end);
        }
        return end;
      }
      default -> {
        // a number, true, false or null: up to the next delimiter
        int end = start;
        while (end < json.length && !isDelimiter(json[end])) end++;
        return end;
      }
    }
  }

  private static boolean isDelimiter(byte b) {
    return b == ',' || b == '}' || b == ']' || b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '/';
  }
}
