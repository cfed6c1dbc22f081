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
        out.writeBytes(quote(value));
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

  /**
   * A string's JSON content in UTF-8. A lone surrogate (which a JSON string may carry as an escape, and which the text
   * then keeps verbatim) cannot be UTF-8: it is written back as the escape it came as, {@code \\ude6f} for U+DE6F.
   */
  static byte[] quote(String value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(value.length() + 16);
    int from = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (!Character.isSurrogate(c)) continue;
      if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
        i++;
        continue;
      }
      out.writeBytes(JsonStringEncoder.getInstance().quoteAsUTF8(value.substring(from, i)));
      out.writeBytes(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c).getBytes(
          java.nio.charset.StandardCharsets.US_ASCII));
      from = i + 1;
    }
    out.writeBytes(JsonStringEncoder.getInstance().quoteAsUTF8(value.substring(from)));
    return out.toByteArray();
  }

  /**
   * Adds an element at the end of the root object's array {@code field}, or adds the field with a one-element array
   * right after the root's opening brace when it is missing; every other byte stays as it was. Example: adding
   * {@code {"n":1}} to {@code tools} in {@code {"a": 1, "tools": [ ]}} gives {@code {"a": 1, "tools": [ {"n":1}]}}.
   *
   * @throws IllegalArgumentException when the root is not an object or the field is not an array
   */
  public static byte[] appendToArray(byte[] json, String field, String elementJson) {
    byte[] element = elementJson.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    try (JsonParser parser = FACTORY.createParser(json)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("the body is not a JSON object");
      }
      int open = (int) parser.currentTokenLocation().getByteOffset();
      boolean empty = true;
      JsonToken token;
      while ((token = parser.nextToken()) != JsonToken.END_OBJECT && token != null) {
        empty = false;
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        if (!field.equals(name)) {
          parser.skipChildren();
          continue;
        }
        if (value == JsonToken.VALUE_NULL) {
          // "tools": null: replace the null by the array
          int start = (int) parser.currentTokenLocation().getByteOffset();
          return splice(json, start, start + 4, concat("[".getBytes(), element, "]".getBytes()));
        }
        if (value != JsonToken.START_ARRAY) throw new IllegalArgumentException(field + " is not an array");
        boolean hasElements = parser.nextToken() != JsonToken.END_ARRAY;
        if (hasElements) {
          parser.skipChildren();
          while (parser.nextToken() != JsonToken.END_ARRAY) parser.skipChildren();
        }
        int close = (int) parser.currentTokenLocation().getByteOffset();
        return splice(json, close, close, hasElements ? concat(",".getBytes(), element) : element);
      }
      byte[] head = ("\"" + field + "\":[").getBytes(java.nio.charset.StandardCharsets.UTF_8);
      return splice(json, open + 1, open + 1, concat(head, element, (empty ? "]" : "],").getBytes()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] splice(byte[] json, int from, int to, byte[] insert) {
    byte[] out = new byte[json.length - (to - from) + insert.length];
    System.arraycopy(json, 0, out, 0, from);
    System.arraycopy(insert, 0, out, from, insert.length);
    System.arraycopy(json, to, out, from + insert.length, json.length - to);
    return out;
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) out.writeBytes(p);
    return out.toByteArray();
  }
}
