package dev.precis.tokens;

/**
 * A 128-bit key of a text within a namespace (a model or an encoding name) and a domain (what is cached about it), so
 * that caches can hold results without holding texts. Two independent 64-bit hashes make an accidental collision
 * negligible (about n²/2¹²⁹ for n keys).
 */
public record TextKey(long high, long low) {
  @Override
  public int hashCode() {
    return (int) (low ^ (low >>> 32));
  }

  /**
   * Two independent 64-bit hashes over (domain, namespace length, namespace, text): an FNV-1a over the UTF-16 chars
   * and a multiply-rotate hash, each finished with the Murmur3 64-bit finaliser and the total length.
   */
  public static TextKey of(char domain, String namespace, String text) {
    long a = 0xCBF29CE484222325L;
    long b = 0x243F6A8885A308D3L;
    a = fnv(a, domain);
    b = mulRot(b, domain);
    a = fnv(a, namespace.length());
    b = mulRot(b, namespace.length());
    for (int i = 0; i < namespace.length(); i++) {
      char c = namespace.charAt(i);
      a = fnv(a, c);
      b = mulRot(b, c);
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      a = fnv(a, c);
      b = mulRot(b, c);
    }
    long length = text.length();
    return new TextKey(fmix64(a ^ length), fmix64(b + length * 0x9E3779B97F4A7C15L));
  }

  private static long fnv(long h, int c) {
    return (h ^ c) * 0x100000001B3L;
  }

  private static long mulRot(long h, int c) {
    return Long.rotateLeft(h + c * 0xC2B2AE3D27D4EB4FL, 31) * 0x9E3779B97F4A7C15L;
  }

  private static long fmix64(long k) {
    k ^= k >>> 33;
    k *= 0xFF51AFD7ED558CCDL;
    k ^= k >>> 33;
    k *= 0xC4CEB9FE1A85EC53L;
    k ^= k >>> 33;
    return k;
  }
}
