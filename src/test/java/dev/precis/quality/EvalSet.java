package dev.precis.quality;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * A named list of {@link EvalExample}s read from JSONL (one JSON object per line), gzip-compressed or plain.
 *
 * @param name the set name, for example {@code nq20}
 * @param examples the examples in file order
 */
public record EvalSet(String name, List<EvalExample> examples) {

  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  public EvalSet {
    examples = List.copyOf(examples);
  }

  /** The development file of a set in an eval directory: {@code <dir>/dev-<name>.jsonl.gz}. */
  public static Path devFile(Path evalDir, String name) {
    return evalDir.resolve("dev-" + name + ".jsonl.gz");
  }

  /** Reads {@code dev-<name>.jsonl.gz} from an eval directory. */
  public static EvalSet readDev(Path evalDir, String name) {
    return new EvalSet(name, read(devFile(evalDir, name)));
  }

  /** Reads a JSONL file; gzip when its name ends with {@code .gz}. */
  public static List<EvalExample> read(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return read(in, file.getFileName().toString().endsWith(".gz"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** Reads JSONL examples from a stream (not closed here). */
  public static List<EvalExample> read(InputStream in, boolean gzip) throws IOException {
    List<EvalExample> out = new ArrayList<>();
    for (String line : readLines(in, gzip)) out.add(parse(line));
    return out;
  }

  /** The non-blank lines of a JSONL stream (not closed here), unparsed. */
  public static List<String> readLines(InputStream in, boolean gzip) throws IOException {
    InputStream source = gzip ? new GZIPInputStream(in, 1 << 16) : in;
    BufferedReader reader = new BufferedReader(new InputStreamReader(source, StandardCharsets.UTF_8));
    List<String> lines = new ArrayList<>();
    String line;
    while ((line = reader.readLine()) != null) {
      if (!line.isBlank()) lines.add(line);
    }
    return lines;
  }

  /** Parses one JSONL line. */
  public static EvalExample parse(String line) {
    try {
      return JSON.readValue(line, EvalExample.class);
    } catch (IOException e) {
      String head = line.length() > 80 ? line.substring(0, 80) + "..." : line;
      throw new IllegalArgumentException("illegal eval example: " + head, e);
    }
  }

  /** The first {@code n} examples (all when {@code n} is at least the size). */
  public EvalSet limit(int n) {
    return n >= examples.size() ? this : new EvalSet(name, examples.subList(0, n));
  }
}
