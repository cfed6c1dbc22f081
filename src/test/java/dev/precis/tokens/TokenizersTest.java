package dev.precis.tokens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class TokenizersTest {
  @Test
  void modelsMapToTheirEncodings() {
    assertEquals(Optional.of("o200k_base"), Tokenizers.encodingForModel("gpt-4o"));
    assertEquals(Optional.of("o200k_base"), Tokenizers.encodingForModel("gpt-4o-mini-2024-07-18"));
    assertEquals(Optional.of("o200k_base"), Tokenizers.encodingForModel("GPT-4.1"));
    assertEquals(Optional.of("o200k_base"), Tokenizers.encodingForModel("o3-mini"));
    assertEquals(Optional.of("o200k_base"), Tokenizers.encodingForModel("openai/gpt-4o"));
    assertEquals(Optional.of("cl100k_base"), Tokenizers.encodingForModel("gpt-4-turbo"));
    assertEquals(Optional.of("cl100k_base"), Tokenizers.encodingForModel("gpt-3.5-turbo-0125"));
    assertEquals(Optional.of("p50k_base"), Tokenizers.encodingForModel("text-davinci-003"));
    assertEquals(Optional.of("r50k_base"), Tokenizers.encodingForModel("davinci"));
    assertEquals(Optional.empty(), Tokenizers.encodingForModel("llama-3-70b"));
    assertEquals(Optional.empty(), Tokenizers.encodingForModel(" "));
  }

  @Test
  void countsMatchJtokkitReference() {
    Tokenizers.TokenCounter cl100k = Tokenizers.forEncoding("cl100k_base").orElseThrow();
    // Reference values from OpenAI's tiktoken for cl100k_base.
    assertEquals(4, cl100k.count("hello world, again"));
    assertEquals(0, cl100k.count(""));
    assertTrue(Tokenizers.forEncoding("nope").isEmpty());
  }

  @Test
  void prefixEndsOnTokenBoundaryAndFits() {
    Tokenizers.TokenCounter counter = Tokenizers.forEncoding("o200k_base").orElseThrow();
    String text = "Precis keeps what the model needs: 東京は日本の首都です。 😀 and the rest is cut.";
    for (int n = 0; n <= counter.count(text) + 1; n++) {
      String head = counter.prefixWithin(text, n);
      assertTrue(text.startsWith(head), "prefix is verbatim at " + n);
      assertTrue(counter.count(head) <= n, "prefix fits at " + n);
      if (!head.isEmpty()) {
        assertTrue(!Character.isHighSurrogate(head.charAt(head.length() - 1)), "no split surrogate at " + n);
      }
    }
    assertEquals(text, counter.prefixWithin(text, 1000));
  }

  @Test
  void unpairedSurrogatesCountAsTheReplacementCharacter() {
    // Found by EngineFuzzTest (kind "surrogates"): jtokkit's cl100k parser threw an AssertionError ("Input is not
    // UTF-8") on an unpaired surrogate, which left the service as a 500.
    for (String name : Tokenizers.ENCODINGS) {
      Tokenizers.TokenCounter counter = Tokenizers.forEncoding(name).orElseThrow();
      for (String odd : java.util.List.of("a\uD800b", "\uDC00", "x \uDC00\uD800 y", "end\uD83D")) {
        String replaced = Tokenizers.wellFormed(odd);
        assertEquals(odd.length(), replaced.length());
        assertTrue(replaced.chars().noneMatch(c -> Character.isSurrogate((char) c)), replaced);
        assertEquals(counter.count(replaced), counter.count(odd), name + " " + odd);
        assertTrue(counter.prefixWithin(odd + " more words here", 2).length() <= odd.length() + 16);
      }
    }
    String pair = "ok 😀";
    assertTrue(Tokenizers.wellFormed(pair) == pair, "a well-formed text is returned as it is");
  }
}
