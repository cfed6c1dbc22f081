package dev.precis.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalSetTest {

  @Test
  void readsAnswerPositionAndIgnoresOtherUnknownFields(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("dev-long.jsonl");
    Files.writeString(file, """
        {"id": "long-0001", "dataset": "long", "question": "q?", "answers": ["a"], "answer_position": 0.42, \
        "source_tokens": 120000, "documents": [{"id": "d0", "title": "", "text": "x a", "gold": null, "page": 3}]}

        {"id": "long-0002", "dataset": "long", "question": "q?", "answers": ["a"], \
        "documents": [{"id": "d0", "title": "", "text": "a x", "gold": null}]}
        """, StandardCharsets.UTF_8);

    List<EvalExample> examples = EvalSet.read(file);

    assertEquals(2, examples.size());
    assertEquals(0.42, examples.get(0).answerPosition());
    assertEquals("x a", examples.get(0).documents().get(0).text());
    assertNull(examples.get(1).answerPosition());
    assertEquals("a x", examples.get(1).fullContext());
  }

  @Test
  void rejectsAnAnswerPositionOutsideZeroToOne() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EvalSet.parse(
        "{\"id\": \"long-0003\", \"answers\": [\"a\"], \"answer_position\": 1.5, \"documents\": []}"));
    assertTrue(e.getMessage().startsWith("illegal eval example"), e.getMessage());
  }

  @Test
  void writesAnswerPositionOnlyWhenRecorded() throws Exception {
    ObjectMapper json = new ObjectMapper();
    EvalExample without = new EvalExample("s-0001", "s", "q?", List.of("a"), List.of());
    EvalExample with = new EvalExample("s-0002", "s", "q?", List.of("a"), List.of(), 0.25);

    assertFalse(json.writeValueAsString(without).contains("answer_position"));
    assertTrue(json.writeValueAsString(with).contains("\"answer_position\":0.25"));
    assertEquals(0.25, EvalSet.parse(json.writeValueAsString(with)).answerPosition());
  }
}
