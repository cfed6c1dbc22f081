package dev.precis.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.precis.proxy.OutputEstimator.Estimate;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class OutputEstimatorTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final OutputEstimator ESTIMATOR = OutputEstimator.loadDefault();

  @Test
  void explainingStepByStepWhyGetsMoreThanWhenSomeoneWasBorn() {
    Estimate born = ESTIMATOR.estimate("When was Guido van Rossum born?");
    Estimate why = ESTIMATOR.estimate("Explain step by step why default values are shared between objects, "
        + "and how to avoid it.");
    assertTrue(why.tokens() > born.tokens(), why + " vs " + born);
    assertTrue(why.median() > born.median(), why + " vs " + born);
    Estimate yesNo = ESTIMATOR.estimate("Is Python free?");
    assertTrue(yesNo.tokens() < why.tokens(), yesNo + " vs " + why);
  }

  @Test
  void budgetsAreWithinTheClampAndAtLeastTheMedian() {
    for (String q : new String[] {"", "?", "Why?", "x".repeat(20_000), "How do I write a list comprehension?",
        "What is 2 + 2?", "Please explain in detail, step by step, with code, how to prove and calculate things. "
            .repeat(50)}) {
      Estimate e = ESTIMATOR.estimate(q);
      assertTrue(e.tokens() >= ESTIMATOR.minTokens() && e.tokens() <= ESTIMATOR.maxTokens(), e.toString());
      assertTrue(e.median() <= e.tokens(), e.toString());
    }
    assertEquals(16, ESTIMATOR.minTokens());
    assertEquals(8192, ESTIMATOR.maxTokens());
    assertEquals(0.9, ESTIMATOR.quantile());
    assertEquals(16, ESTIMATOR.clamp(3));
    assertEquals(8192, ESTIMATOR.clamp(1e9));
    assertEquals(350, ESTIMATOR.clamp(350));
  }

  @Test
  void theContributionsAddUpToTheBudget() {
    Estimate e = ESTIMATOR.estimate("Why are default values shared between objects?");
    double log = e.contributions().values().stream().mapToDouble(Double::doubleValue).sum();
    assertEquals(ESTIMATOR.clamp(Math.exp(log)), e.tokens());
    assertEquals(OutputEstimator.FEATURES.size() + 2, e.contributions().size());
  }

  @Test
  void aLongPastedQuestionIsClampedToTheTrainingRange() {
    Estimate shortQ = ESTIMATOR.estimate("Why are default values shared between objects? " + "word ".repeat(40));
    Estimate longQ = ESTIMATOR.estimate("Why are default values shared between objects? " + "word ".repeat(5000));
    assertEquals(shortQ.contributions().get("log_question_tokens"), longQ.contributions().get("log_question_tokens"));
  }

  @Test
  void features() {
    double[] x = OutputEstimator.features("How do I write a list comprehension?", s -> 8);
    assertEquals(Math.log(9), x[0], 1e-12);
    double[] expected = {Math.log(9), 0, 1, 0, 1, 0, 1, 0, 0, 0, 0, 1};
    for (int i = 1; i < x.length; i++) assertEquals(expected[i], x[i], OutputEstimator.FEATURES.get(i));
    double[] factoid = OutputEstimator.features("When was Ada born? Tell me.", s -> 7);
    assertEquals(1, factoid[1]);
    assertEquals(2, factoid[11]);
    assertEquals(1, OutputEstimator.features("How many bytes is an int?", s -> 7)[1]);
    assertEquals(1, OutputEstimator.features("Can you explain why os.path.join() fails?", s -> 9)[2]);
    assertEquals(1, OutputEstimator.features("Can I use os.path here?", s -> 6)[3]);
    assertEquals(1, OutputEstimator.features("Can I use os.path here?", s -> 6)[7]);
    assertEquals(1, OutputEstimator.features("Solve it step-by-step: 3 * 4", s -> 9)[8]);
    assertEquals(1, OutputEstimator.features("Solve it step-by-step: 3 * 4", s -> 9)[9]);
    assertEquals(1, OutputEstimator.features("Solve it step-by-step: 3 * 4", s -> 9)[10]);
  }

  // ---- a malformed resource is refused with a message that says what is wrong

  static ObjectNode committed() throws Exception {
    try (InputStream in = OutputEstimator.class.getClassLoader().getResourceAsStream(OutputEstimator.RESOURCE)) {
      return (ObjectNode) JSON.readTree(in);
    }
  }

  static String refused(Consumer<ObjectNode> change) throws Exception {
    ObjectNode r = committed();
    change.accept(r);
    byte[] bytes = JSON.writeValueAsBytes(r);
    return assertThrows(IllegalStateException.class,
        () -> OutputEstimator.load(new ByteArrayInputStream(bytes), "test.json")).getMessage();
  }

  @Test
  void theCommittedResourceNamesItsCommandDataLicenceAndFigures() throws Exception {
    ObjectNode r = committed();
    assertTrue(r.get("command").asText().contains("exec:java@fit-output-estimator"));
    assertEquals(4, r.get("data").size());
    r.get("data").forEach(d -> assertTrue(d.hasNonNull("licence") && d.get("examples").asInt() > 0, d.toString()));
    assertTrue(r.at("/figures/cross_validated/median_abs_log_error").isNumber());
    assertTrue(r.at("/figures/in_sample/share_answer_over_budget").isNumber());
  }

  @Test
  void aMalformedResourceIsRefused() throws Exception {
    assertTrue(refused(r -> r.put("format", "v0")).startsWith("output estimator resource test.json: format is 'v0', "
        + "must be 'precis-output-estimator/1'; regenerate it with ./mvnw"));
    assertTrue(refused(r -> ((ObjectNode) r.get("weights")).remove("asks_open"))
        .contains("weights.asks_open is null, must be a finite number"));
    assertTrue(refused(r -> ((ObjectNode) r.get("weights")).put("asks_poetry", 1.0))
        .contains("weights has an unknown feature 'asks_poetry'"));
    assertTrue(refused(r -> ((ObjectNode) r.get("weights")).put("intercept", "big"))
        .contains("weights.intercept is \"big\", must be a finite number"));
    assertTrue(refused(r -> r.put("quantile", 1.5)).contains("quantile is 1.5, must be in (0, 1)"));
    assertTrue(refused(r -> {
      ArrayNode c = r.putArray("clamp");
      c.add(100);
      c.add(10);
    }).contains("clamp is [100,10], must be [min, max]"));
    assertTrue(refused(r -> ((ObjectNode) r.get("ranges")).putArray("sentences").add(3))
        .contains("ranges.sentences is [3], must be [min, max]"));
    assertTrue(refused(r -> r.remove("encoding")).contains("encoding is 'missing'"));
    assertTrue(assertThrows(IllegalStateException.class, () -> OutputEstimator.load(
        new ByteArrayInputStream("{\"format\":".getBytes(StandardCharsets.UTF_8)), "cut.json")).getMessage()
        .startsWith("output estimator resource cut.json: is not valid JSON"));
  }
}
