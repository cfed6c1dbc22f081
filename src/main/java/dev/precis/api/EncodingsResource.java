package dev.precis.api;

import dev.precis.tokens.Tokenizers;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** {@code GET /v1/encodings}: the encodings and model names a request may use. */
@Path("/v1/encodings")
public class EncodingsResource {

  /** @param models model family prefix → encoding; a model name matches its longest prefix */
  public record Listing(List<String> encodings, String defaultEncoding, Map<String, String> models) {}

  @GET
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(summary = "List the encodings and model families the service counts tokens for")
  public Listing list() {
    return new Listing(Tokenizers.ENCODINGS, "cl100k_base", Tokenizers.modelFamiliesView());
  }
}
