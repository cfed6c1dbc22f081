package dev.precis.segment;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The cheap look at a first line never turns away a text that the strict parse would read as a table. */
class TableDetectionTest {
  private static final String[] PIECES = {"a", "name", "  x ", "\"q, d\"", "\"", "1.5", "long words of prose here", ""};

  private static String randomText(Random random) {
    StringBuilder text = new StringBuilder();
    int lines = random.nextInt(6);
    for (int l = 0; l < lines; l++) {
      if (random.nextInt(5) == 0) text.append(random.nextBoolean() ? "\n" : "\r\n");
      int cells = 1 + random.nextInt(4);
      for (int c = 0; c < cells; c++) {
        if (c > 0) text.append(random.nextBoolean() ? ',' : '\t');
        String piece = PIECES[random.nextInt(PIECES.length)];
        text.append(random.nextInt(8) == 0 ? piece.repeat(4) : piece);
      }
      text.append('\n');
    }
    return text.toString();
  }

  @Test
  void aTextTurnedAwayByItsFirstLineFailsTheStrictParse() {
    Random random = new Random(20261206);
    int turnedAway = 0;
    for (int r = 0; r < 20_000; r++) {
      int round = r;
      String text = randomText(random);
      for (char delimiter : new char[] {',', '\t'}) {
        if (TableSegmenter.mayBeStrictTable(text, delimiter)) continue;
        turnedAway++;
        Format format = delimiter == ',' ? Format.CSV : Format.TSV;
        assertThrows(FormatException.class, () -> new TableSegmenter(format, true).segment(text),
            () -> "round " + round + ": " + text.replace("\n", "\\n").replace("\t", "\\t"));
      }
    }
    assertTrue(turnedAway > 1_000, "the check turns some texts away: " + turnedAway);
  }

  @Test
  void proseIsTurnedAwayAtItsFirstLineAndATableIsNot() {
    assertFalse(TableSegmenter.mayBeStrictTable("We ran the model on the three datasets that the earlier studies had used, "
        + "and it worked well.\nMore.", ','));
    assertTrue(TableSegmenter.mayBeStrictTable("\n\nname,age\nAda,36\nAlan,41", ','));
    assertFalse(TableSegmenter.mayBeStrictTable("one cell only\nx\ny", ','));
  }
}
