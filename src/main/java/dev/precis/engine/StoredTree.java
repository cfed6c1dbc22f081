package dev.precis.engine;

import dev.precis.segment.DocumentSegmenter;
import dev.precis.segment.Format;
import dev.precis.segment.SegmentedDocument;
import dev.precis.segment.Unit;
import dev.precis.segment.UnitKind;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A prose document's segmentation and token counts in the form a collection keeps beside the document, so that
 * compressing it by reference neither segments it nor counts its units again, on any replica and after any restart:
 * its units (kind, span, paragraph, section) and, per encoding, each unit's token count and the count of the document
 * rendered alone, with a CRC32C of it all. Two fingerprints make a kept tree safe to use: one of the content (title, text, declared format),
 * so a document replaced since is never given another text's units, and one of the segmenter
 * ({@link PrecisEngine#segmenterFingerprint}), so a tree cut by another version or setting of the segmenter is
 * ignored and the document is segmented afresh.
 *
 * <p>Prose (Markdown and plain text) is kept whole. A mixed document (prose with tables, code, JSON or logs in it)
 * keeps its parts too: its prose parts' units, and for each structured block how it was read, so that only the
 * blocks are read again ({@link DocumentSegmenter#restoreMixed}). A wholly structured document (JSON, a table, a log,
 * code) carries a structure that is rebuilt by segmenting and is not kept. A 500-token document of 25 units takes
 * about 300 bytes.
 */
public final class StoredTree {
  private static final int MAGIC = 0x50535431; // "PST1"
  static final int FINGERPRINT_BYTES = 16;

  private StoredTree() {}

  /**
   * What a kept tree gives back.
   *
   * @param units the document's units as segmenting it gives
   * @param parts a mixed document's parts ({@link DocumentSegmenter#keptParts}), or null for prose
   * @param unitCounts per encoding name, each unit's token count in that encoding
   * @param documentCounts per encoding name, the count of the document rendered alone
   */
  public record Decoded(List<Unit> units, List<DocumentSegmenter.KeptPart> parts, Map<String, int[]> unitCounts,
      Map<String, Integer> documentCounts) {}

  /**
   * @param document a prose document ({@code structure() == null})
   * @param segmenter the fingerprint of the segmenter that cut it
   * @param format the format it was declared in (the content fingerprint includes it)
   * @param unitCounts per encoding, one count per unit
   * @param documentCounts per encoding (the same names), the count of the document rendered alone
   */
  public static byte[] encode(SegmentedDocument document, List<DocumentSegmenter.KeptPart> parts, byte[] segmenter,
      Format format, Map<String, int[]> unitCounts, Map<String, Integer> documentCounts) {
    if (document.structure() != null && parts == null) {
      throw new IllegalArgumentException("illegal document: " + document.format().label() + " without its parts, must "
          + "be prose or mixed with its kept parts (a wholly structured document is segmented again, not kept)");
    }
    if (segmenter.length != FINGERPRINT_BYTES) {
      throw new IllegalArgumentException("illegal segmenter fingerprint: " + segmenter.length + " bytes, must be "
          + FINGERPRINT_BYTES);
    }
    if (!unitCounts.keySet().equals(documentCounts.keySet())) {
      throw new IllegalArgumentException("illegal counts: encodings " + unitCounts.keySet() + " and "
          + documentCounts.keySet() + ", must be the same");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 + 6 * document.units().size());
    writeInt(out, MAGIC);
    out.writeBytes(segmenter);
    out.writeBytes(contentFingerprint(document.title(), document.text(), format));
    List<Unit> units = document.units();
    writeUnits(out, units);
    writeVarint(out, parts == null ? 0 : parts.size());
    for (DocumentSegmenter.KeptPart part : parts == null ? List.<DocumentSegmenter.KeptPart>of() : parts) {
      writeVarint(out, part.start());
      writeVarint(out, part.end() - part.start());
      writeVarint(out, part.innerStart() - part.start());
      writeVarint(out, part.innerEnd() - part.innerStart());
      writeVarint(out, part.reading() + 2);
      if (part.reading() == DocumentSegmenter.KeptPart.PROSE) writeUnits(out, part.units());
    }
    writeVarint(out, unitCounts.size());
    for (Map.Entry<String, int[]> e : unitCounts.entrySet()) {
      if (e.getValue().length != units.size()) {
        throw new IllegalArgumentException("illegal counts for " + e.getKey() + ": " + e.getValue().length + " for "
            + units.size() + " units, must be one per unit");
      }
      byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
      writeVarint(out, name.length);
      out.writeBytes(name);
      writeVarint(out, documentCounts.get(e.getKey()));
      for (int c : e.getValue()) writeVarint(out, c);
    }
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(out.toByteArray());
    writeInt(out, (int) crc.getValue());
    return out.toByteArray();
  }

  /**
   * The kept tree of this content, when it was cut by this segmenter from exactly this title, text and format;
   * otherwise (another segmenter, the document replaced, a blob cut short or not a tree) null.
   */
  public static Decoded decode(byte[] blob, byte[] segmenter, String title, String text, Format format) {
    if (blob == null || blob.length < 8 + 2 * FINGERPRINT_BYTES) return null;
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(blob, 0, blob.length - 4);
    if ((int) crc.getValue() != ByteBuffer.wrap(blob, blob.length - 4, 4).getInt()) return null;
    ByteBuffer in = ByteBuffer.wrap(blob, 0, blob.length - 4);
    try {
      if (in.getInt() != MAGIC) return null;
      byte[] fingerprint = new byte[FINGERPRINT_BYTES];
      in.get(fingerprint);
      if (!Arrays.equals(fingerprint, segmenter)) return null;
      in.get(fingerprint);
      if (!Arrays.equals(fingerprint, contentFingerprint(title, text, format))) return null;
      List<Unit> units = readUnits(in, text.length());
      if (units == null) return null;
      int count = units.size();
      int partCount = readVarint(in);
      if (partCount > in.remaining()) return null;
      List<DocumentSegmenter.KeptPart> parts = partCount == 0 ? null : new ArrayList<>(partCount);
      for (int p = 0; p < partCount; p++) {
        int start = readVarint(in);
        int end = start + readVarint(in);
        int innerStart = start + readVarint(in);
        int innerEnd = innerStart + readVarint(in);
        int reading = readVarint(in) - 2;
        if (end > text.length() || innerEnd > end || reading >= Format.values().length) return null;
        List<Unit> local = null;
        if (reading == DocumentSegmenter.KeptPart.PROSE) {
          local = readUnits(in, innerEnd - innerStart);
          if (local == null) return null;
        }
        parts.add(new DocumentSegmenter.KeptPart(start, end, innerStart, innerEnd, reading, local));
      }
      int encodings = readVarint(in);
      Map<String, int[]> unitCounts = new LinkedHashMap<>();
      Map<String, Integer> documentCounts = new LinkedHashMap<>();
      for (int e = 0; e < encodings; e++) {
        byte[] name = new byte[readVarint(in)];
        in.get(name);
        String encoding = new String(name, StandardCharsets.UTF_8);
        documentCounts.put(encoding, readVarint(in));
        int[] counts = new int[count];
        for (int u = 0; u < count; u++) counts[u] = readVarint(in);
        unitCounts.put(encoding, counts);
      }
      if (in.hasRemaining()) return null;
      return new Decoded(units, parts, unitCounts, documentCounts);
    } catch (java.nio.BufferUnderflowException | IllegalArgumentException | NegativeArraySizeException e) {
      return null; // cut short, or spans no segmenter makes: not a tree of this text
    }
  }

  private static void writeUnits(ByteArrayOutputStream out, List<Unit> units) {
    writeVarint(out, units.size());
    int end = 0;
    int paragraph = 0;
    int section = 0;
    for (Unit u : units) {
      // offsets, paragraphs and sections only grow: deltas keep them to a byte or two
      writeVarint(out, u.kind().ordinal());
      writeVarint(out, u.start() - end);
      writeVarint(out, u.end() - u.start());
      writeVarint(out, u.paragraph() - paragraph);
      writeVarint(out, u.section() - section);
      end = u.end();
      paragraph = u.paragraph();
      section = u.section();
    }
  }

  /** Units as {@link #writeUnits} wrote them, inside a text of {@code length}; null when they cannot be. */
  private static List<Unit> readUnits(ByteBuffer in, int length) {
    int count = readVarint(in);
    if (count < 0 || count > in.remaining()) return null;
    List<Unit> units = new ArrayList<>(count);
    UnitKind[] kinds = UnitKind.values();
    int end = 0;
    int paragraph = 0;
    int section = 0;
    for (int u = 0; u < count; u++) {
      int kind = readVarint(in);
      if (kind < 0 || kind >= kinds.length) return null;
      int start = end + readVarint(in);
      end = start + readVarint(in);
      paragraph += readVarint(in);
      section += readVarint(in);
      if (end > length) return null;
      units.add(new Unit(u, kinds[kind], start, end, paragraph, section));
    }
    return units;
  }

  static byte[] contentFingerprint(String title, String text, Format format) {
    MessageDigest sha = sha256();
    sha.update((title == null ? "" : title).getBytes(StandardCharsets.UTF_8));
    sha.update((byte) 0);
    sha.update(format.name().getBytes(StandardCharsets.UTF_8));
    sha.update((byte) 0);
    sha.update(text.getBytes(StandardCharsets.UTF_8));
    return Arrays.copyOf(sha.digest(), FINGERPRINT_BYTES);
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private static void writeInt(ByteArrayOutputStream out, int v) {
    out.write(v >>> 24);
    out.write(v >>> 16);
    out.write(v >>> 8);
    out.write(v);
  }

  private static void writeVarint(ByteArrayOutputStream out, int v) {
    if (v < 0) throw new IllegalArgumentException("illegal value: " + v + ", must be >= 0");
    while ((v & ~0x7F) != 0) {
      out.write((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    out.write(v);
  }

  private static int readVarint(ByteBuffer in) {
    int v = 0;
    for (int shift = 0; shift < 32; shift += 7) {
      byte b = in.get();
      v |= (b & 0x7F) << shift;
      if (b >= 0) return v;
    }
    throw new IllegalArgumentException("varint longer than 5 bytes");
  }
}
