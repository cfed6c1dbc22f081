package dev.precis.api;

import dev.precis.proxy.ElisionStore;
import jakarta.ws.rs.HeaderParam;

import dev.precis.config.PrecisConfig;
import dev.precis.engine.Compression;
import dev.precis.engine.CompressionRequest;
import dev.precis.engine.WorkLimits;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * {@code POST /v1/compress}: compress documents or a context to a token budget. Runs on a worker thread (never the
 * event loop), inside a slot of the {@link CompressionLimiter} and within the request's time limit.
 */
@Path("/v1/compress")
public class CompressResource {
  private final EngineProducer engines;
  private final RequestMapper mapper;
  private final CompressionMetrics metrics;
  private final CompressionLimiter limiter;
  private final ElisionStore elisions;
  private final long timeoutNanos;
  private final int maxInputTokens;

  public CompressResource(EngineProducer engines, PrecisConfig config, CompressionMetrics metrics,
      CompressionLimiter limiter, ElisionStore elisions, dev.precis.index.CollectionStore collections) {
    this.engines = engines;
    this.elisions = elisions;
    this.mapper = new RequestMapper(config, collections, engines::engine);
    this.metrics = metrics;
    this.limiter = limiter;
    this.timeoutNanos = config.limits().requestTimeout().toNanos();
    this.maxInputTokens = config.limits().maxInputTokens();
    if (timeoutNanos <= 0) {
      throw new IllegalArgumentException("precis.limits.request-timeout is " + config.limits().requestTimeout()
          + ": must be > 0");
    }
  }

  @POST
  @Blocking
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(summary = "Compress a context to a token budget",
      description = "Keeps what the query needs; the text's exact token count in the chosen encoding is at most the "
          + "budget.")
  @APIResponse(responseCode = "200", description = "The compressed context")
  @APIResponse(responseCode = "400", description = "The request is malformed; the detail says what to change")
  @APIResponse(responseCode = "413", description = "Too many documents, characters or tokens")
  @APIResponse(responseCode = "415", description = "The body is not application/json")
  @APIResponse(responseCode = "429", description = "At capacity and the queue is full; retry after Retry-After")
  @APIResponse(responseCode = "503", description = "Not done within the time limit; retry after Retry-After")
  public CompressResponseBody compress(CompressRequestBody body, @HeaderParam("x-api-key") String apiKey,
      @HeaderParam("Authorization") String authorization) {
    long deadline = System.nanoTime() + timeoutNanos;
    CompressionRequest request = mapper.toRequest(body);
    Compression compression;
    try (CompressionLimiter.Slot slot = limiter.acquire(deadline)) {
      compression = engines.engine().compress(request, WorkLimits.until(deadline, maxInputTokens));
    } catch (IllegalArgumentException e) {
      metrics.rejected();
      throw ProblemException.badRequest(e.getMessage());
    } catch (WorkLimits.InputTooLargeException e) {
      metrics.rejected();
      throw ProblemException.tooLarge("the context holds " + e.tokens() + " tokens in " + e.encoding()
          + ": send at most " + e.limit() + " per request (precis.limits.max-input-tokens)");
    } catch (WorkLimits.DeadlineExceededException e) {
      metrics.timedOut("engine");
      throw ProblemException.unavailable("the compression did not finish within " + timeoutNanos / 1_000_000
          + " ms (precis.limits.request-timeout) and was stopped before " + e.stage() + ": send less text or "
          + "fewer documents, or retry after " + CompressionLimiter.RETRY_AFTER_SECONDS + " s if the service is busy",
          CompressionLimiter.RETRY_AFTER_SECONDS);
    }
    metrics.record(request.encoding(), request.effort(), compression);
    String ref = null;
    boolean elided = compression.usage().outputTokens() < compression.usage().inputTokens();
    if (Boolean.TRUE.equals(body.expandable()) && elided) {
      ref = elisions.put(ElisionsResource.tenant(apiKey, authorization),
          RequestMapper.expandableText(request.documents()), request.query());
    }
    return CompressResponseBody.from(compression, request.encoding(), request.explain(), ref);
  }
}
