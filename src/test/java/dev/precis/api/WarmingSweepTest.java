package dev.precis.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import dev.precis.encode.EncoderModel;
import dev.precis.encode.SentenceEncoder;
import dev.precis.engine.EngineSettings;
import dev.precis.index.CollectionStore;
import dev.precis.index.CollectionStore.StoredDocument;
import dev.precis.index.LuceneCollectionStore;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Documents a process acknowledged and then stopped before warming (here: written straight to the folder, with no
 * service running) are found at the next start and warmed: their units' vectors kept, and, with the default
 * {@code document-vector=units}, their vector for search set, so that vector search finds them.
 */
@QuarkusTest
@TestProfile(WarmingSweepTest.Unwarmed.class)
class WarmingSweepTest {
  public static class Unwarmed implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      try {
        Path folder = Files.createTempDirectory("precis-sweep");
        EncoderModel model = EncoderModel.named(EngineSettings.defaults().encoderModel());
        SentenceEncoder sameModel = new SentenceEncoder() {
          @Override
          public int dimension() {
            return model.dimension();
          }

          @Override
          public String modelName() {
            return model.name();
          }

          @Override
          public float[][] embed(List<String> texts) {
            throw new AssertionError("nothing is embedded before the acknowledgement with document-vector=units");
          }

          @Override
          public float[] embedQuery(String query) {
            throw new AssertionError("no search here");
          }

          @Override
          public void close() {}
        };
        try (LuceneCollectionStore store = new LuceneCollectionStore(folder, sameModel,
            CollectionStore.DocumentVectors.UNITS)) {
          store.create("people");
          store.put("people", List.of(
              new StoredDocument("curie", "Marie Curie", "Marie Curie discovered polonium and radium.", Map.of()),
              new StoredDocument("turing", "Alan Turing", "Alan Turing worked at Bletchley Park.", Map.of())));
        }
        return Map.of("precis.indexes.path", folder.toString());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @Test
  void unwarmedDocumentsAreWarmedAtStartAndThenFoundByVector() {
    long until = System.nanoTime() + 120_000_000_000L;
    int vectorRank = 0;
    while (System.nanoTime() < until) {
      // no word in common with the document: before its vector is set, nothing finds it
      List<Map<String, Object>> found = given().contentType(ContentType.JSON)
          .body("{\"query\": \"Which physicist found radioactive elements?\", \"k\": 2}")
          .when().post("/v1/collections/people/search").then().statusCode(200).extract().path("documents");
      vectorRank = found.isEmpty() || !"curie".equals(found.get(0).get("id")) ? 0
          : (Integer) found.get(0).get("vectorRank");
      if (vectorRank > 0) break;
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
    org.junit.jupiter.api.Assertions.assertEquals(1, vectorRank, "found by its vector once swept and warmed");
    given().when().get("/v1/collections/people").then().statusCode(200).body("warming", equalTo(0));
  }
}
