package dev.precis.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch.cat.plugins.PluginsRecord;
import org.opensearch.client.opensearch.core.SearchResponse;
import org.opensearch.client.opensearch.core.search.Hit;

/**
 * Smoke test of {@link OpenSearchNode}: the shared node answers, has the k-NN plugin, and finds documents both by
 * words (BM25 {@code match}) and by vector ({@code knn}, Lucene HNSW, cosine) through the official Java client.
 * Skipped, with the reason, when the node cannot run here.
 */
class OpenSearchNodeTest {
  private static final int DIMENSIONS = 384;
  private OpenSearchNode node;

  /** What the smoke index holds: a text field and a vector field. */
  public record Doc(String text, float[] embedding) {}

  /** Per test, not in {@code @BeforeAll}: Surefire reports a class aborted there as no test at all, reason lost. */
  @BeforeEach
  void node() {
    node = OpenSearchNode.shared();
  }

  @Test
  void answersWithItsVersionAndTheKnnPlugin() throws Exception {
    HttpResponse<String> root = HttpClient.newHttpClient()
        .send(HttpRequest.newBuilder(URI.create(node.baseUrl() + "/")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, root.statusCode(), root.body());
    assertTrue(root.body().contains("\"lucene_version\" : \"10.3.2\""), root.body());

    OpenSearchClient client = node.client();
    assertEquals("3.5.0", client.info().version().number());
    Set<String> plugins = client.cat().plugins().valueBody().stream()
        .map(PluginsRecord::component)
        .collect(Collectors.toSet());
    assertTrue(plugins.contains("opensearch-knn"), "plugins: " + plugins);
  }

  @Test
  void findsDocumentsByWordsAndByVector() throws IOException {
    OpenSearchClient client = node.client();
    String index = "precis-smoke-" + System.nanoTime();
    client.indices().create(c -> c.index(index)
        .settings(s -> s.knn(true).numberOfShards(1).numberOfReplicas(0))
        .mappings(m -> m
            .properties("text", p -> p.text(t -> t))
            .properties("embedding", p -> p.knnVector(k -> k
                .dimension(DIMENSIONS)
                .method(method -> method.name("hnsw").engine("lucene").spaceType("cosinesimil"))))));
    try {
      List<String> texts = List.of(
          "Marie Curie discovered polonium and radium with Pierre Curie.",
          "The Eiffel Tower was finished in Paris in 1889.",
          "Radium paint made watch dials glow in the dark.");
      for (int i = 0; i < texts.size(); i++) {
        Doc doc = new Doc(texts.get(i), vector(i + 1));
        String id = String.valueOf(i + 1);
        client.index(r -> r.index(index).id(id).document(doc));
      }
      client.indices().refresh(r -> r.index(index));

      assertEquals(List.of("1"), ids(client.search(s -> s.index(index)
          .query(q -> q.match(m -> m.field("text").query(v -> v.stringValue("polonium")))), Doc.class)));
      assertEquals(Set.of("1", "3"), Set.copyOf(ids(client.search(s -> s.index(index)
          .query(q -> q.match(m -> m.field("text").query(v -> v.stringValue("radium")))), Doc.class))));

      float[] nearTwo = vector(2);
      float[] noise = vector(42);
      List<Float> query = new ArrayList<>(DIMENSIONS);
      for (int d = 0; d < DIMENSIONS; d++) {
        query.add(nearTwo[d] + 0.1f * noise[d]);
      }
      SearchResponse<Doc> nearest = client.search(s -> s.index(index)
          .query(q -> q.knn(k -> k.field("embedding").vector(query).k(3))), Doc.class);
      List<String> ids = ids(nearest);
      assertEquals("2", ids.get(0), "knn hits: " + ids);
      Hit<Doc> best = nearest.hits().hits().get(0);
      // the Lucene engine's cosine score is (1 + cosine) / 2: nearly 1 for a slightly moved copy of the vector
      assertTrue(best.score() > 0.99, "score of the nearest: " + best.score());
      assertEquals(DIMENSIONS, best.source().embedding().length);
      assertEquals(texts.get(1), best.source().text());
    } finally {
      client.indices().delete(d -> d.index(index));
    }
    assertFalse(client.indices().exists(e -> e.index(index)).value());
  }

  /** A replayable Gaussian vector: random 384-dimensional vectors are nearly orthogonal to each other. */
  private static float[] vector(long seed) {
    Random random = new Random(seed);
    float[] vector = new float[DIMENSIONS];
    for (int d = 0; d < DIMENSIONS; d++) {
      vector[d] = (float) random.nextGaussian();
    }
    return vector;
  }

  private static List<String> ids(SearchResponse<Doc> response) {
    return response.hits().hits().stream().map(Hit::id).toList();
  }
}
