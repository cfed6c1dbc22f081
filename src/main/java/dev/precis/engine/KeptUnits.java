package dev.precis.engine;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * What a collection keeps beside a stored document once its units are prepared: its {@link StoredTree} (prose only)
 * and its units' vectors ({@link dev.precis.encode.StoredUnitVectors}; none without an encoder), in one blob the
 * stores keep as bytes and never read. A blob of vectors alone, as kept before trees were, reads as vectors without
 * a tree.
 *
 * @param tree the kept tree, or null
 * @param vectors the units' vectors, or null
 */
record KeptUnits(byte[] tree, byte[] vectors) {
  private static final int MAGIC = 0x504b5531; // "PKU1"
  private static final int VECTORS_ALONE = 0x50555631; // StoredUnitVectors' own magic, "PUV1"

  byte[] join() {
    byte[] t = tree == null ? new byte[0] : tree;
    byte[] v = vectors == null ? new byte[0] : vectors;
    return ByteBuffer.allocate(12 + t.length + v.length).putInt(MAGIC).putInt(t.length).put(t).putInt(v.length).put(v)
        .array();
  }

  /** The parts of a kept blob; both null when it is neither a blob of these nor vectors alone. */
  static KeptUnits split(byte[] blob) {
    if (blob == null || blob.length < 4) return new KeptUnits(null, null);
    ByteBuffer in = ByteBuffer.wrap(blob);
    int magic = in.getInt();
    if (magic == VECTORS_ALONE) return new KeptUnits(null, blob);
    if (magic != MAGIC) return new KeptUnits(null, null);
    try {
      int treeLength = in.getInt();
      if (treeLength < 0 || treeLength > in.remaining()) return new KeptUnits(null, null);
      byte[] tree = Arrays.copyOfRange(blob, in.position(), in.position() + treeLength);
      in.position(in.position() + treeLength);
      int vectorsLength = in.getInt();
      if (vectorsLength != in.remaining()) return new KeptUnits(null, null);
      byte[] vectors = Arrays.copyOfRange(blob, in.position(), blob.length);
      return new KeptUnits(tree.length == 0 ? null : tree, vectors.length == 0 ? null : vectors);
    } catch (java.nio.BufferUnderflowException e) {
      return new KeptUnits(null, null);
    }
  }
}
