package dev.precis.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The collections API over HTTP: create, add, read, delete, compress by reference, retrieve then compress. */
@QuarkusTest
@TestProfile(CollectionsApiTest.TempIndexes.class)
class CollectionsApiTest {
  public static class TempIndexes implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      try {
        return Map.of("precis.indexes.path", Files.createTempDirectory("precis-indexes").toString());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  static final String DOCUMENTS = "{\"documents\": ["
      + "{\"id\": \"curie\", \"title\": \"Marie Curie\", \"text\": \"Marie Curie was a physicist and chemist. In 1911 "
      + "she won the Nobel Prize in Chemistry for her discovery of polonium and radium. She founded the Curie "
      + "Institutes.\", \"metadata\": {\"field\": \"chemistry\"}},"
      + "{\"id\": \"turing\", \"title\": \"Alan Turing\", \"text\": \"Alan Turing formalised algorithm and computation "
      + "with the Turing machine. He worked at Bletchley Park.\", \"metadata\": {\"field\": \"computing\"}},"
      + "{\"id\": \"lovelace\", \"title\": \"Ada Lovelace\", \"text\": \"Ada Lovelace wrote the first algorithm for "
      + "Babbage's Analytical Engine.\", \"metadata\": {\"field\": \"computing\"}}]}";

  @jakarta.inject.Inject
  EngineProducer engines;

  @Test
  void aCollectionsLife() {
    given().when().put("/v1/collections/people").then().statusCode(201).body("name", equalTo("people"))
        .body("documents", equalTo(0));
    given().when().put("/v1/collections/people").then().statusCode(409)
        .contentType("application/problem+json").body("detail", containsString("exists already"));
    given().when().put("/v1/collections/Bad%20Name").then().statusCode(400)
        .body("detail", containsString("illegal collection name"));
    given().contentType(ContentType.JSON).body(DOCUMENTS).when().post("/v1/collections/people/documents")
        .then().statusCode(200).body("documents", equalTo(3)).body("total", equalTo(3));
    given().contentType(ContentType.JSON).body(DOCUMENTS).when().post("/v1/collections/people/documents")
        .then().statusCode(200).body("total", equalTo(3));
    given().when().get("/v1/collections").then().statusCode(200).body("collections.name", hasItem("people"));
    given().when().get("/v1/collections/people/documents/turing").then().statusCode(200)
        .body("title", equalTo("Alan Turing")).body("metadata.field", equalTo("computing"));
    given().when().get("/v1/collections/people/documents/nobody").then().statusCode(404);
    given().contentType(ContentType.JSON).body(DOCUMENTS).when().post("/v1/collections/nowhere/documents")
        .then().statusCode(404).contentType("application/problem+json")
        .body("detail", containsString("PUT /v1/collections/nowhere"));
    given().contentType(ContentType.JSON).body("{\"documents\": [{\"id\": \"x\"}]}").when()
        .post("/v1/collections/people/documents").then().statusCode(400)
        .body("detail", containsString("documents[0]"));

    // compress by reference: the stored text, no text in the request, and, once the units are warmed in the
    // background, no unit embedded now (only the query)
    long waitUntil = System.nanoTime() + 60_000_000_000L;
    while (given().when().get("/v1/collections/people").then().extract().path("warming") instanceof Integer w && w > 0
        && System.nanoTime() < waitUntil) {
      Thread.onSpinWait();
    }
    var encoder = (dev.precis.encode.CachingSentenceEncoder) engines.engine().encoder();
    long before = encoder.misses();
    given().contentType(ContentType.JSON).body("{\"query\": \"Which elements did Curie discover?\", \"documents\": "
        + "[{\"ref\": \"people/curie\"}, {\"ref\": \"people/turing\"}], \"budget\": {\"maxTokens\": 60}}")
        .when().post("/v1/compress").then().statusCode(200)
        .body("text", containsString("polonium and radium")).body("usage.outputTokens", lessThanOrEqualTo(60))
        .body("documents[0].id", equalTo("curie"));
    org.junit.jupiter.api.Assertions.assertEquals(1, encoder.misses() - before, "the query's vector only");
    // a replica that never saw the documents (nothing cached in memory): their trees and their units' vectors come
    // from the collection, not from the segmenter, the encoder or this replica's disk
    encoder.cache().clear();
    engines.engine().forgetDocuments();
    long misses = encoder.misses();
    long diskHits = encoder.diskHits();
    long segmented = engines.engine().documentsSegmented();
    long restored = engines.engine().keptTreesRestored();
    given().contentType(ContentType.JSON).body("{\"query\": \"Where did Turing work during the war?\", \"documents\": "
        + "[{\"ref\": \"people/curie\"}, {\"ref\": \"people/turing\"}], \"budget\": {\"maxTokens\": 60}}")
        .when().post("/v1/compress").then().statusCode(200).body("text", containsString("Bletchley Park"));
    org.junit.jupiter.api.Assertions.assertEquals(1, encoder.misses() - misses, "the query's vector only, cold");
    org.junit.jupiter.api.Assertions.assertEquals(0, encoder.diskHits() - diskHits, "kept in the collection");
    org.junit.jupiter.api.Assertions.assertEquals(segmented, engines.engine().documentsSegmented(),
        "their trees kept in the collection");
    org.junit.jupiter.api.Assertions.assertEquals(restored + 2, engines.engine().keptTreesRestored(),
        "both documents' trees restored");
    encoder.cache().clear();
    misses = encoder.misses();
    given().contentType(ContentType.JSON).body("{\"query\": \"Who wrote the first algorithm?\", \"budget\": "
        + "{\"maxTokens\": 40}, \"k\": 3}").when().post("/v1/collections/people/compress").then().statusCode(200);
    org.junit.jupiter.api.Assertions.assertEquals(1, encoder.misses() - misses,
        "retrieve then compress, cold: the query's vector once, for the search and the ranking");
    given().contentType(ContentType.JSON).body("{\"documents\": [{\"ref\": \"people/nobody\"}], \"budget\": "
        + "{\"maxTokens\": 30}}").when().post("/v1/compress").then().statusCode(404)
        .body("detail", containsString("no document 'nobody'"));
    given().contentType(ContentType.JSON).body("{\"documents\": [{\"ref\": \"curie\"}], \"budget\": "
        + "{\"maxTokens\": 30}}").when().post("/v1/compress").then().statusCode(400)
        .body("detail", containsString("collection/id"));

    // retrieve, then compress
    given().contentType(ContentType.JSON).body("{\"query\": \"Who wrote the first algorithm?\", \"budget\": "
        + "{\"maxTokens\": 40}, \"k\": 2, \"filter\": {\"field\": \"computing\"}}")
        .when().post("/v1/collections/people/compress").then().statusCode(200)
        .body("retrieved.size()", equalTo(2)).body("retrieved[0].id", equalTo("lovelace")).body("warming", equalTo(0))
        .body("text", containsString("first algorithm")).body("usage.outputTokens", lessThanOrEqualTo(40));

    given().contentType(ContentType.JSON).body("{\"query\": \"Bletchley Park\", \"k\": 1}")
        .when().post("/v1/collections/people/search").then().statusCode(200)
        .body("documents.size()", equalTo(1)).body("documents[0].id", equalTo("turing"))
        .body("documents[0].text", containsString("Turing machine")).body("documents[0].bm25Rank", equalTo(1))
        .body("warming", equalTo(0));

    given().when().delete("/v1/collections/people/documents/turing").then().statusCode(204);
    given().when().delete("/v1/collections/people/documents/turing").then().statusCode(404);
    given().when().get("/v1/collections/people").then().statusCode(200).body("documents", equalTo(2));
    given().when().delete("/v1/collections/people").then().statusCode(204);
    given().when().delete("/v1/collections/people").then().statusCode(404);
  }
}
