package dev.precis.api;

import dev.precis.config.PrecisConfig;
import dev.precis.proxy.ElisionStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * {@code GET /v1/elisions/{ref}}: the text an elision marker's reference stands for ({@code [… ref 3f9c01d2]}), as
 * stored by {@code /v1/compress} with {@code "expandable": true} or by the proxy. Readable only with the API key it
 * was made with ({@code Authorization} or {@code x-api-key}; none is a key of its own).
 */
@Path("/v1/elisions")
public class ElisionsResource {
  /** @param query the question the text was compressed for, or null */
  public record Elision(String ref, String text, String query) {}

  private final ElisionStore store;

  public ElisionsResource(ElisionStore store) {
    this.store = store;
  }

  /** The one store of the service. */
  @ApplicationScoped
  static class StoreProducer {
    @Produces
    @ApplicationScoped
    ElisionStore store(PrecisConfig config) {
      PrecisConfig.Elisions e = config.elisions();
      return new ElisionStore(e.maxEntries(), e.maxChars(), e.ttl());
    }
  }

  /** The tenant of a request: its {@code x-api-key}, else its {@code Authorization}. */
  public static String tenant(String apiKey, String authorization) {
    return ElisionStore.tenant(apiKey != null && !apiKey.isBlank() ? apiKey : authorization);
  }

  @GET
  @Path("/{ref}")
  @jakarta.ws.rs.Produces(MediaType.APPLICATION_JSON)
  @Operation(summary = "Read the text an elision reference stands for")
  public Elision get(@PathParam("ref") String ref, @HeaderParam("x-api-key") String apiKey,
      @HeaderParam("Authorization") String authorization) {
    if (!ElisionStore.isRef(ref)) {
      throw ProblemException.badRequest("'" + ref + "' is not an elision reference: give the 8 hex digits after "
          + "'ref' in a marker such as [… ref 3f9c01d2]");
    }
    return store.get(tenant(apiKey, authorization), ref)
        .map(e -> new Elision(e.ref(), e.text(), e.query()))
        .orElseThrow(() -> ProblemException.notFound("no elided text has the reference " + ref + " for this API key: "
            + "it expired (precis.elisions.ttl), was evicted, or was made with another key"));
  }
}
