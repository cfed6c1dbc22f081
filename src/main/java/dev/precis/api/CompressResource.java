package dev.precis.api;

import dev.precis.config.PrecisConfig;
import dev.precis.engine.Compression;
import dev.precis.engine.CompressionRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** {@code POST /v1/compress}: compress documents or a context to a token budget. */
@Path("/v1/compress")
public class CompressResource {
  private final EngineProducer engines;
  private final RequestMapper mapper;
  private final CompressionMetrics metrics;

  public CompressResource(EngineProducer engines, PrecisConfig config, CompressionMetrics metrics) {
    this.engines = engines;
    this.mapper = new RequestMapper(config);
    this.metrics = metrics;
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(summary = "Compress a context to a token budget",
      description = "Keeps what the query needs; the text's exact token count in the chosen encoding is at most the "
          + "budget.")
  @APIResponse(responseCode = "200", description = "The compressed context")
  @APIResponse(responseCode = "400", description = "The request is malformed; the detail says what to change")
  @APIResponse(responseCode = "413", description = "Too many documents or too much text")
  @APIResponse(responseCode = "415", description = "The body is not application/json")
  public CompressResponseBody compress(CompressRequestBody body) {
    CompressionRequest request = mapper.toRequest(body);
    Compression compression;
    try {
      compression = engines.engine().compress(request);
    } catch (IllegalArgumentException e) {
      metrics.rejected();
      throw ProblemException.badRequest(e.getMessage());
    }
    metrics.record(request.encoding(), request.effort(), compression);
    return CompressResponseBody.from(compression, request.encoding(), request.explain());
  }
}
