package dev.precis.rank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RankSettingsTest {
  private final RankSettings defaults = RankSettings.defaults();

  @Test
  void shortPassagesKeepTheFastLimitWhateverTheBudget() {
    assertEquals(32, defaults.fastEncoderTexts(12, 700));
    assertEquals(32, defaults.fastEncoderTexts(32, 100_000));
  }

  @Test
  void aLongPassageGetsOneEncoderTextPerSixteenBudgetTokensBetweenTheTwoLimits() {
    assertEquals(32, defaults.fastEncoderTexts(200, 500));
    assertEquals(40, defaults.fastEncoderTexts(200, 640));
    assertEquals(62, defaults.fastEncoderTexts(200, 1000));
    assertEquals(64, defaults.fastEncoderTexts(200, 4000));
  }

  @Test
  void zeroTurnsTheLongPassageRuleOff() {
    RankSettings off = new RankSettings(1.0, 0.5, 0.6, 0.7, 2.0, 3, 32, 64, 0, 0.0, 1.5, 1.0, 0.5);
    assertEquals(32, off.fastEncoderTexts(200, 4000));
  }

  @Test
  void aNegativeBudgetPerEncoderTextIsRefusedByName() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new RankSettings(1.0, 0.5, 0.6, 0.7, 2.0, 3, 32, 64, -1, 0.0, 1.5, 1.0, 0.5));
    assertTrue(e.getMessage().contains("longPassageBudgetPerEncoderText"), e.getMessage());
  }
}
