package dev.precis.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ContextBudgetTest {
  final ProxySettings settings = ProxySettings.defaults()
      .withContextWindows(ContextWindows.parse(List.of("gpt-4o=128000", "gpt-4o-mini = 16_000", "llama=8192")));

  @Test
  void theHeaderComesFirst() {
    assertEquals(new ContextBudget(77, ContextBudget.Source.HEADER),
        ContextBudget.resolve(77, "gpt-4o", 100, 50, settings));
  }

  @Test
  void thenTheContextWindowLessCompletionReserveAndOtherTokens() {
    assertEquals(new ContextBudget(8192 - 1000 - 1024 - 600, ContextBudget.Source.CONTEXT_WINDOW),
        ContextBudget.resolve(null, "meta/llama-3.1-8b", 1000, 600, settings));
    assertEquals(16_000 - 1024 - 10, ContextBudget.resolve(null, "gpt-4o-mini-2024-07-18", null, 10, settings)
        .tokens(), "the longest prefix wins; no max_tokens subtracts only the reserve");
    assertEquals(0, ContextBudget.resolve(null, "llama", 9000, 0, settings).tokens(), "never below 0");
  }

  @Test
  void thenTheDefault() {
    assertEquals(new ContextBudget(4096, ContextBudget.Source.DEFAULT),
        ContextBudget.resolve(null, "claude-3", 100, 50, settings));
    assertEquals(ContextBudget.Source.DEFAULT, ContextBudget.resolve(null, null, null, 0, settings).source());
  }

  @Test
  void badTableEntriesSayWhatToWrite() {
    assertEquals("illegal context window 'gpt-4o:128000': write model=tokens, for example gpt-4o=128000",
        assertThrows(IllegalArgumentException.class, () -> ContextWindows.parse(List.of("gpt-4o:128000")))
            .getMessage());
    assertThrows(IllegalArgumentException.class, () -> ContextWindows.parse(List.of("gpt-4o=lots")));
    assertThrows(IllegalArgumentException.class, () -> ContextWindows.parse(List.of("gpt-4o=0")));
  }
}
