package dev.precis.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.precis.proxy.ReasoningBudget.Source;
import dev.precis.proxy.ReasoningBudget.Spec;
import dev.precis.proxy.ReasoningBudget.Via;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReasoningBudgetSpecTest {

  @Test
  void autoIsTheFittedEstimatorThroughTheKnob() {
    assertEquals(new Spec(Source.FITTED, 0, Via.KNOB), Spec.parse("auto"));
    assertEquals(new Spec(Source.FITTED, 0, Via.KNOB), Spec.parse(" AUTO:Fitted "));
    assertEquals(new Spec(Source.ASK, 0, Via.KNOB), Spec.parse("auto:ask"));
  }

  @Test
  void aWholeNumberIsTheBudget() {
    assertEquals(new Spec(Source.HEADER, 350, Via.KNOB), Spec.parse("350"));
    assertEquals(new Spec(Source.HEADER, 1, Via.KNOB), Spec.parse("1"));
    assertEquals(new Spec(Source.HEADER, 1_000_000, Via.KNOB), Spec.parse("1000000"));
  }

  @Test
  void viaChoosesHowItIsApplied() {
    assertEquals(new Spec(Source.HEADER, 350, Via.INSTRUCTION), Spec.parse("350;via=instruction"));
    assertEquals(new Spec(Source.ASK, 0, Via.INSTRUCTION), Spec.parse("auto:ask ; via = Instruction"));
    assertEquals(new Spec(Source.FITTED, 0, Via.KNOB), Spec.parse("auto;via=knob"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-5", "1000001", "99999999999999999999", "auto:guess", "low", "350 tokens", "3.5",
      "auto;via=header", "auto;", "350;via=", "auto,via=knob", "1e3"})
  void anythingElseIsRejectedNamingTheHeaderAndTheAcceptedValues(String value) {
    MalformedChatRequest e = assertThrows(MalformedChatRequest.class, () -> Spec.parse(value));
    assertEquals("X-Precis-Reasoning-Budget", e.param());
    assertTrue(e.getMessage().startsWith("X-Precis-Reasoning-Budget"), e.getMessage());
    assertTrue(e.getMessage().contains("auto, auto:fitted, auto:ask or a whole number of tokens in [1, 1000000]"),
        e.getMessage());
  }

  @Test
  void theMessageQuotesTheValue() {
    assertEquals("X-Precis-Reasoning-Budget 'lots' is not a reasoning budget; accepted: auto, auto:fitted, "
        + "auto:ask or a whole number of tokens in [1, 1000000], optionally followed by ;via=knob or "
        + ";via=instruction, for example 'auto;via=instruction'",
        assertThrows(MalformedChatRequest.class, () -> Spec.parse("lots")).getMessage());
    assertTrue(assertThrows(MalformedChatRequest.class, () -> Spec.parse("0")).getMessage()
        .startsWith("X-Precis-Reasoning-Budget 0 is out of range;"));
    assertTrue(assertThrows(MalformedChatRequest.class, () -> Spec.parse(" ")).getMessage()
        .startsWith("X-Precis-Reasoning-Budget is empty;"));
    assertThrows(MalformedChatRequest.class, () -> Spec.parse(null));
  }

  @Test
  void theRecordValidatesItsValues() {
    assertEquals("illegal reasoning budget: -5, must be in [1, 1000000]",
        assertThrows(IllegalArgumentException.class, () -> new Spec(Source.HEADER, -5, Via.KNOB)).getMessage());
    assertEquals("illegal reasoning budget: 10 with source FITTED, must be 0 for an estimated budget",
        assertThrows(IllegalArgumentException.class, () -> new Spec(Source.FITTED, 10, Via.KNOB)).getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Spec(null, 0, Via.KNOB));
    assertThrows(IllegalArgumentException.class, () -> new Spec(Source.ASK, 0, null));
  }
}
