package dev.precis.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.precis.index.OpenSearchNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The collections API suite of {@link CollectionsApiTest} with {@code precis.indexes.backend=opensearch} against a real
 * node ({@link OpenSearchNode}). Skipped, with the reason, where the node cannot run.
 */
@QuarkusTest
@TestProfile(CollectionsApiOpenSearchTest.OpenSearchBackend.class)
class CollectionsApiOpenSearchTest extends CollectionsApiTest {
  public static class OpenSearchBackend implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      Map<String, String> local = new TempIndexes().getConfigOverrides();
      if (OpenSearchNode.unavailableReason().isPresent()) return local; // the test skips in @BeforeEach
      String url;
      try {
        url = OpenSearchNode.shared().baseUrl();
      } catch (RuntimeException unavailable) {
        return local;
      }
      return Map.of(
          "precis.indexes.path", local.get("precis.indexes.path"),
          "precis.indexes.backend", "opensearch",
          "precis.indexes.opensearch.urls", url,
          "precis.indexes.opensearch.index-prefix", "api-" + ProcessHandle.current().pid() + "-",
          "precis.indexes.opensearch.replicas", "0");
    }
  }

  @BeforeEach
  void node() {
    OpenSearchNode.shared();
  }

  @Test
  void theCollectionIsAnIndexOfTheCluster() throws java.io.IOException {
    String index = "api-" + ProcessHandle.current().pid() + "-probe";
    given().when().put("/v1/collections/probe").then().statusCode(201);
    assertTrue(OpenSearchNode.shared().client().indices().exists(e -> e.index(index)).value(), index);
    given().when().delete("/v1/collections/probe").then().statusCode(204);
    assertFalse(OpenSearchNode.shared().client().indices().exists(e -> e.index(index)).value(), index);
  }
}
