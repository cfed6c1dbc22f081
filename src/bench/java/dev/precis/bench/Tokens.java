package dev.precis.bench;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.IntArrayList;

/**
 * cl100k_base token counting for the benchmark (jtokkit). Text is encoded as ordinary text: special-token strings
 * such as {@code <|endoftext|>} count as the plain characters they are.
 */
public final class Tokens {

  private static final Encoding CL100K =
      Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);

  private Tokens() {}

  /** The number of cl100k_base tokens of {@code text}. */
  public static int count(String text) {
    return text.isEmpty() ? 0 : CL100K.countTokensOrdinary(text);
  }

  /**
   * The longest head of {@code text} cut at a token boundary that counts at most {@code maxTokens} tokens: encode,
   * keep the first {@code maxTokens} tokens, decode. Because a decoded prefix can re-encode differently, or end in the
   * middle of a multi-byte character, the result is shortened one token at a time until it is a prefix of
   * {@code text} and counts at most {@code maxTokens} tokens.
   */
  public static String head(String text, int maxTokens) {
    if (maxTokens <= 0) return "";
    IntArrayList tokens = CL100K.encodeOrdinary(text, maxTokens).getTokens();
    int keep = tokens.size();
    while (keep > 0) {
      String decoded = decodeFirst(tokens, keep);
      if (text.startsWith(decoded) && count(decoded) <= maxTokens) return decoded;
      keep--;
    }
    return "";
  }

  private static String decodeFirst(IntArrayList tokens, int n) {
    if (n == tokens.size()) return CL100K.decode(tokens);
    IntArrayList prefix = new IntArrayList(n);
    for (int i = 0; i < n; i++) prefix.add(tokens.get(i));
    return CL100K.decode(prefix);
  }
}
