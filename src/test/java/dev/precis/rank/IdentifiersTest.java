package dev.precis.rank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class IdentifiersTest {
  @Test
  void namesOfCodeAndIdsAreIdentifiersWholeAndLowercasedPlainWordsAreNot() {
    assertEquals(List.of("pg_hba.conf", "asyncio.loop.call_later", "ord-1234-xy", "getchannelbinding"),
        List.copyOf(Identifiers.of("Does pg_hba.conf or asyncio.loop.call_later() hold ORD-1234-XY and "
            + "getChannelBinding?")));
    assertEquals(List.of(), List.copyOf(Identifiers.of("Which physician treated the patients?")));
  }

  @Test
  void namesWithCodePunctuationOrLettersAndDigitsReadAsCodeNumbersAndCompoundWordsDoNot() {
    for (String code : List.of("pg_hba.conf", "asyncio.loop", "s/s", "user@example.com", "c++", "win1258", "ipv4")) {
      assertTrue(Identifiers.codeLike(code), code);
    }
    for (String word : List.of("1990", "12,500", "co-founded", "state-of-the-art", "mcdonald", "")) {
      assertFalse(Identifiers.codeLike(word), word);
    }
  }
}
