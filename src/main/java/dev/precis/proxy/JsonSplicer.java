package dev.precis.proxy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Replaces string values, addressed by JSON Pointer, in a JSON document's bytes and leaves every other byte as it
 * was (whitespace, number spelling, key order, escapes elsewhere).
 *
 * <p>Example: replacing {@code /a} with {@code "y"} in {@code {"a" : "x",  "b":1.50}} gives
 * {@code {"a" : "y",  "b":1.50}}.
 */
public final class JsonSplicer {
  private static final JsonFactory FACTORY = new JsonFactory();

  private JsonSplicer() {}

  public static byte[] replace(byte[] json, Map<String, String> newValues) {
    if (newValues.isEmpty()) return json;
    ByteArrayOutputStream out = new ByteArrayOutputStream(json.length);
    int copied = 0;
    int replaced = 0;
    try (JsonParser parser = FACTORY.createParser(json)) {
      JsonToken token;
      while ((token = parser.nextToken()) != null) {
        if (token != JsonToken.VALUE_STRING) continue;
        String value = newValues.get(parser.getParsingContext().pathAsPointer().toString());
        if (value == null) continue;
        int start = (int) parser.currentTokenLocation().getByteOffset();
        parser.getText(); // reads the string to its closing quote
        int end = (int) parser.currentLocation().getByteOffset();
        if (start < copied || end > json.length || json[start] != '"' || json[end - 1] != '"') {
          throw new IllegalStateException("string at " + parser.getParsingContext().pathAsPointer()
              + " not found at bytes [" + start + ", " + end + ")");
        }
        out.write(json, copied, start - copied);
        out.write('"');
        out.writeBytes(JsonStringEncoder.getInstance().quoteAsUTF8(value));
        out.write('"');
        copied = end;
        replaced++;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (replaced != newValues.size()) {
      throw new IllegalStateException("replaced " + replaced + " of " + newValues.size() + " strings "
          + newValues.keySet());
    }
    out.write(json, copied, json.length - copied);
    return out.toByteArray();
  }
}
