package dev.precis.encode;

import dev.precis.tokens.TextKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Vectors kept on disk, so that a restarted service does not embed again what it embedded before: the second tier
 * behind the in-memory {@link VectorCache}. One file, a header naming the model and the dimension, then records of a
 * 128-bit text key and the vector in half precision (float16: about 1e-3 from the float32 vector, far below what
 * changes a ranking), appended as vectors are computed. The index of keys to records is rebuilt by reading the file
 * at start. Bounded: past {@code maxEntries} the file is rewritten with the most recently used half. A file of
 * another model or dimension is set aside, a torn last record (a crash mid-append) ignored; a file another process
 * holds (locked) is refused. Writes are not forced to
 * disk one by one: it is a cache, and a vector lost is computed again. Thread-safe.
 *
 * <p>Example: 100,000 vectors of 384 dimensions take 100,000 × (16 + 768) bytes, about 78 MB.
 */
public final class DiskVectorStore implements AutoCloseable {
  private static final String MAGIC = "precis-vectors/1";

  private final Path file;
  private final String model;
  private final int dimension;
  private final int maxEntries;
  private final int recordBytes;
  private final LinkedHashMap<TextKey, Long> offsets = new LinkedHashMap<>(1024, 0.75f, true);
  private FileChannel channel;
  private long end;
  private int headerBytes;

  public DiskVectorStore(Path file, String model, int dimension, int maxEntries) {
    if (dimension < 1) throw new IllegalArgumentException("illegal dimension: " + dimension + ", must be >= 1");
    if (maxEntries < 2) throw new IllegalArgumentException("illegal maxEntries: " + maxEntries + ", must be >= 2");
    this.file = file;
    this.model = model;
    this.dimension = dimension;
    this.maxEntries = maxEntries;
    this.recordBytes = 16 + 2 * dimension;
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      open();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the vector store " + file + ": " + e.getMessage(), e);
    }
  }

  private byte[] header() {
    return (MAGIC + " " + model + " " + dimension + "\n").getBytes(StandardCharsets.UTF_8);
  }

  private void open() throws IOException {
    byte[] header = header();
    headerBytes = header.length;
    if (Files.exists(file)) {
      try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
        ByteBuffer first = ByteBuffer.allocate(header.length);
        in.read(first, 0);
        if (!java.util.Arrays.equals(first.array(), header)) {
          Files.move(file, file.resolveSibling(file.getFileName() + ".other"), StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    if (channel.tryLock() == null) {
      channel.close();
      throw new IOException("another process uses it");
    }
    if (channel.size() < header.length) {
      channel.truncate(0);
      channel.write(ByteBuffer.wrap(header), 0);
      end = header.length;
      return;
    }
    long records = (channel.size() - header.length) / recordBytes;
    end = header.length + records * recordBytes;
    channel.truncate(end); // a torn last record
    ByteBuffer keys = ByteBuffer.allocate(16);
    for (long r = 0; r < records; r++) {
      long offset = header.length + r * recordBytes;
      keys.clear();
      channel.read(keys, offset);
      keys.flip();
      offsets.put(new TextKey(keys.getLong(), keys.getLong()), offset);
    }
  }

  /** The vectors of the keys found, by position; null where absent. Counts as a use. */
  public synchronized float[][] getAll(TextKey[] keys) {
    float[][] out = new float[keys.length][];
    ByteBuffer record = ByteBuffer.allocate(recordBytes);
    try {
      for (int i = 0; i < keys.length; i++) {
        if (keys[i] == null) continue;
        Long offset = offsets.get(keys[i]);
        if (offset == null) continue;
        record.clear();
        channel.read(record, offset);
        record.flip();
        record.position(16);
        float[] v = new float[dimension];
        for (int d = 0; d < dimension; d++) v[d] = Float.float16ToFloat(record.getShort());
        out[i] = v;
      }
    } catch (IOException e) {
      return new float[keys.length][]; // unreadable: the vectors are computed again
    }
    return out;
  }

  public synchronized void putAll(TextKey[] keys, float[][] vectors) {
    ByteBuffer records = ByteBuffer.allocate(recordBytes * keys.length);
    List<TextKey> added = new ArrayList<>();
    for (int i = 0; i < keys.length; i++) {
      if (offsets.containsKey(keys[i]) || vectors[i] == null || vectors[i].length != dimension) continue;
      records.putLong(keys[i].high()).putLong(keys[i].low());
      for (float x : vectors[i]) records.putShort(Float.floatToFloat16(x));
      added.add(keys[i]);
    }
    if (added.isEmpty()) return;
    records.flip();
    try {
      long at = end;
      while (records.hasRemaining()) at += channel.write(records, at);
      for (int i = 0; i < added.size(); i++) offsets.put(added.get(i), end + (long) i * recordBytes);
      end = at;
      if (offsets.size() > maxEntries) compact();
    } catch (IOException e) {
      // a full disk or a lost file: the store stops growing; vectors are computed as without it
    }
  }

  /** Rewrites the file with the most recently used half of the entries. */
  private void compact() throws IOException {
    int keep = maxEntries / 2;
    List<Map.Entry<TextKey, Long>> all = new ArrayList<>(offsets.entrySet());
    List<Map.Entry<TextKey, Long>> kept = all.subList(all.size() - keep, all.size());
    Path temp = file.resolveSibling(file.getFileName() + ".tmp");
    LinkedHashMap<TextKey, Long> newOffsets = new LinkedHashMap<>(1024, 0.75f, true);
    try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE)) {
      out.write(ByteBuffer.wrap(header()), 0);
      long at = headerBytes;
      ByteBuffer record = ByteBuffer.allocate(recordBytes);
      for (Map.Entry<TextKey, Long> e : kept) {
        record.clear();
        channel.read(record, e.getValue());
        record.flip();
        while (record.hasRemaining()) out.write(record, at + record.position());
        newOffsets.put(e.getKey(), at);
        at += recordBytes;
      }
      out.force(true);
      end = at;
    }
    channel.close();
    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    channel.tryLock();
    offsets.clear();
    offsets.putAll(newOffsets);
  }

  public synchronized int size() {
    return offsets.size();
  }

  @Override
  public synchronized void close() {
    try {
      channel.force(false);
      channel.close();
    } catch (IOException e) {
      // closing anyway
    }
  }
}
