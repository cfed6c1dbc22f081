package dev.precis.api.proxy;

import dev.precis.api.CompressionLimiter;
import dev.precis.api.EngineProducer;
import dev.precis.api.ProblemException;
import dev.precis.config.PrecisConfig;
import dev.precis.engine.Effort;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.precis.api.ElisionsResource;
import dev.precis.proxy.ApiFamily;
import dev.precis.proxy.ChatCompressor;
import dev.precis.proxy.ChatRewrite;
import dev.precis.proxy.ContextWindows;
import dev.precis.proxy.ElisionStore;
import dev.precis.proxy.ExpandTool;
import dev.precis.proxy.ExpandingStream;
import dev.precis.proxy.Expander;
import dev.precis.proxy.OutputEstimator;
import dev.precis.proxy.ReasoningBudget;
import dev.precis.proxy.TaleEstimate;
import dev.precis.proxy.MalformedChatRequest;
import dev.precis.proxy.ProxySettings;
import dev.precis.tokens.Tokenizers;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * The LLM proxy: {@code POST /v1/chat/completions} and {@code POST /v1/responses} (OpenAI, to
 * {@code precis.upstream.url}) and {@code POST /v1/messages} (Anthropic, to {@code precis.upstream.anthropic-url})
 * with their context compressed; every other {@code /v1/*} path (but Precis' own) passed through verbatim, to the
 * Anthropic upstream under {@code /v1/messages/}, else to the OpenAI one.
 *
 * <p>The request body is read whole (within {@code precis.limits.max-body-bytes}) and compressed on a worker
 * thread; the upstream's response, server-sent events included, is piped back as it arrives and never buffered.
 * Upstream unreachable: 502; silent past {@code precis.upstream.timeout}: 504; its own errors pass through as they
 * are. A client that goes away resets the upstream request. Authorization headers are forwarded and never logged.
 */
@ApplicationScoped
public class LlmProxy {
  private static final Logger LOG = Logger.getLogger(LlmProxy.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  public static final String INPUT_TOKENS = "X-Precis-Input-Tokens";
  public static final String OUTPUT_TOKENS = "X-Precis-Output-Tokens";
  public static final String SAVED_TOKENS = "X-Precis-Saved-Tokens";
  public static final String COMPRESSION_MS = "X-Precis-Compression-Ms";
  public static final String BYPASS = "X-Precis-Bypass";
  /** On a response whose request was forwarded uncompressed because every compression slot was busy. */
  public static final String SKIPPED = "X-Precis-Skipped";
  public static final String MAX_CONTEXT_TOKENS = "X-Precis-Max-Context-Tokens";
  /** How many times the conversation's earlier context has been re-compacted, this request included. */
  public static final String COMPACTION_LEVEL = "X-Precis-Compaction-Level";
  /** {@code true} when this request re-compacted earlier context (a provider's prompt cache matches less of it). */
  public static final String RECOMPACTED = "X-Precis-Recompacted";
  /** A request header: {@code off} keeps elision references and the expand tool out of this request. */
  public static final String EXPAND = "X-Precis-Expand";
  /** How many {@code precis_expand} rounds the proxy answered for this request. */
  public static final String EXPANSIONS = "X-Precis-Expansions";

  /** Paths under /v1 that Precis serves itself (Quarkus REST) and never forwards. */
  static final Set<String> OWN_PATHS = Set.of("/v1/compress", "/v1/encodings", "/v1/elisions");
  /** Headers that belong to one connection (RFC 9110 7.6.1) or that the client sets itself. */
  private static final Set<String> NOT_FORWARDED = Set.of("connection", "keep-alive", "proxy-connection",
      "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host",
      "content-length", "expect", "http2-settings");

  private final Vertx vertx;
  private final PrecisConfig config;
  private final EngineProducer engines;
  private final CompressionLimiter limiter;
  private final ProxyMetrics metrics;
  private final ElisionStore elisions;
  private final ProxySettings settings;
  private final String upstream;
  private final String anthropicUpstream;
  private final long timeoutMillis;
  private volatile HttpClient client;
  private final Lazy<ChatCompressor> compressor;
  private final Lazy<Expander> expander;
  private final Lazy<OutputEstimator> estimator = new Lazy<>(OutputEstimator::loadDefault);

  public LlmProxy(Vertx vertx, PrecisConfig config, EngineProducer engines, CompressionLimiter limiter,
      ProxyMetrics metrics, ElisionStore elisions) {
    this.vertx = vertx;
    this.elisions = elisions;
    this.config = config;
    this.engines = engines;
    this.limiter = limiter;
    this.metrics = metrics;
    this.settings = settings(config);
    this.upstream = config.upstream().url().map(u -> baseUrl(u, "precis.upstream.url",
        "https://api.openai.com/v1")).orElse(null);
    this.anthropicUpstream = config.upstream().anthropicUrl().map(u -> baseUrl(u, "precis.upstream.anthropic-url",
        "https://api.anthropic.com")).orElse(null);
    this.timeoutMillis = config.upstream().timeout().toMillis();
    this.compressor = new Lazy<>(() -> new ChatCompressor(engines.engine(), settings));
    this.expander = new Lazy<>(() -> new Expander(engines.engine(), settings, config.proxy().expandMaxTokens()));
  }

  static ProxySettings settings(PrecisConfig config) {
    PrecisConfig.Proxy p = config.proxy();
    String fallback = p.fallbackEncoding().trim().toLowerCase(Locale.ROOT);
    if (!Tokenizers.ENCODINGS.contains(fallback)) {
      throw new IllegalArgumentException("precis.proxy.fallback-encoding '" + p.fallbackEncoding()
          + "' is not one of " + Tokenizers.ENCODINGS);
    }
    Effort effort = Effort.named(config.defaults().effort());
    if (effort == null) {
      throw new IllegalArgumentException("precis.defaults.effort '" + config.defaults().effort()
          + "' is not one of instant, fast, best");
    }
    ContextWindows windows;
    try {
      windows = ContextWindows.parse(p.contextWindows().orElse(List.of()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("precis.proxy.context-windows: " + e.getMessage(), e);
    }
    return new ProxySettings(p.contextTag(), p.compressToolResults(), p.compressMessagesOverTokens(),
        p.defaultContextTokens(), p.reserveTokens(), windows, p.olderTurnWeight(), p.compactionTarget(),
        p.compactionLevels(), p.arrivalRatio(), p.memoChars(), fallback, effort, config.defaults().elisionMarker());
  }

  /** {@code http(s)://host[:port][/path]} without a trailing slash; anything else stops the start. */
  static String baseUrl(String url) {
    return baseUrl(url, "precis.upstream.url", "https://api.openai.com/v1");
  }

  static String baseUrl(String url, String key, String example) {
    String trimmed = url.trim();
    while (trimmed.endsWith("/")) trimmed = trimmed.substring(0, trimmed.length() - 1);
    try {
      URI uri = new URI(trimmed);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null || uri.getQuery() != null) {
        throw new IllegalArgumentException(key + " '" + url + "' must be an http(s) base URL such as " + example);
      }
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(key + " '" + url + "' is not a URL: " + e.getMessage(), e);
    }
    return trimmed;
  }

  void install(@Observes Router router) {
    for (ApiFamily family : ApiFamily.values()) router.post(family.path()).handler(ctx -> compressing(ctx, family));
    router.route("/v1/*").handler(this::passThrough);
    if (upstream == null) {
      LOG.info("proxy: no OpenAI upstream (set precis.upstream.url to forward /v1/chat/completions and "
          + "/v1/responses)");
    } else {
      LOG.infof("proxy: /v1/chat/completions, /v1/responses and other /v1/* paths forward to %s", upstream);
    }
    if (anthropicUpstream != null) LOG.infof("proxy: /v1/messages forwards to %s/v1/messages", anthropicUpstream);
  }

  /** Where a path's requests go: the Anthropic upstream for {@code /v1/messages[/...]}, else the OpenAI one. */
  private Target target(String path) {
    if (ProxyError.Shape.forPath(path) == ProxyError.Shape.ANTHROPIC) {
      return new Target(anthropicUpstream, path, ProxyError.Shape.ANTHROPIC,
          config.upstream().anthropicApiKey().filter(k -> !k.isBlank()).map(k -> Map.entry("x-api-key", k.trim()))
              .orElse(null));
    }
    return new Target(upstream, path.substring("/v1".length()), ProxyError.Shape.OPENAI,
        config.upstream().apiKey().filter(k -> !k.isBlank())
            .map(k -> Map.entry(HttpHeaders.AUTHORIZATION.toString(), "Bearer " + k.trim())).orElse(null));
  }

  /**
   * An upstream request's destination.
   *
   * @param base the upstream's base URL, or null when it is not configured
   * @param path what follows the base URL
   * @param errors the error shape the client reads
   * @param key the header that replaces the client's credentials, or null
   */
  private record Target(String base, String path, ProxyError.Shape errors, Map.Entry<String, String> key) {
    String uri(String query) {
      return base + path + (query == null ? "" : "?" + query);
    }
  }

  private HttpClient client() {
    HttpClient c = client;
    if (c == null) {
      synchronized (this) {
        c = client;
        if (c == null) {
          client = c = vertx.createHttpClient(new HttpClientOptions()
              .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, config.upstream().connectTimeout().toMillis()))
              .setKeepAlive(true)
              .setMaxPoolSize(config.upstream().maxConnections())
              .setDecompressionSupported(false)
              .setForceSni(true)
              .setVerifyHost(true));
        }
      }
    }
    return c;
  }

  private ChatCompressor compressor() {
    return compressor.get();
  }

  private Expander expander() {
    return expander.get();
  }

  private OutputEstimator estimator() {
    return estimator.get();
  }

  /** A value made on first use, once, from what the engine needs (which is not there at construction). */
  private static final class Lazy<T> {
    private final java.util.function.Supplier<T> make;
    private volatile T value;

    Lazy(java.util.function.Supplier<T> make) {
      this.make = make;
    }

    T get() {
      T v = value;
      if (v == null) {
        synchronized (this) {
          v = value;
          if (v == null) value = v = make.get();
        }
      }
      return v;
    }
  }

  /** A request body with its reasoning budget applied, and what the response header says about it. */
  private record Reasoned(byte[] body, String description) {}

  /**
   * Applies {@code X-Precis-Reasoning-Budget}: the header's number, the fitted estimate, or the model's own estimate
   * (TALE-EP: one more upstream call first, falling back to the fitted estimate when it fails or says nothing).
   */
  private Future<Reasoned> reason(RoutingContext ctx, Target target, ApiFamily family, ReasoningBudget.Spec spec,
      byte[] body, String model) {
    if (spec.source() == ReasoningBudget.Source.HEADER) {
      ReasoningBudget.Applied a = ReasoningBudget.apply(family, body, spec.tokens(), spec.via());
      return Future.succeededFuture(new Reasoned(a.body(), a.description()));
    }
    String question = ReasoningBudget.question(family, body).orElse(null);
    if (question == null) {
      return Future.succeededFuture(new Reasoned(body, "not applied: the request has no question to estimate for"));
    }
    if (spec.source() == ReasoningBudget.Source.FITTED || model == null) {
      return vertx.executeBlocking(() -> fitted(family, body, question, spec.via(), null), false);
    }
    RequestOptions options = upstreamOptions(ctx.request(), target, HttpMethod.POST);
    return client().request(options)
        .compose(out -> out.send(Buffer.buffer(TaleEstimate.request(family, model, question))))
        .compose(in -> in.body().map(b -> in.statusCode() == 200
            ? TaleEstimate.parse(b.toString(java.nio.charset.StandardCharsets.UTF_8), family)
            : java.util.OptionalInt.empty()))
        .otherwise(java.util.OptionalInt.empty())
        .compose(estimate -> vertx.executeBlocking(() -> {
          if (estimate.isEmpty()) return fitted(family, body, question, spec.via(), "the model's estimate failed");
          ReasoningBudget.Applied a = ReasoningBudget.apply(family, body,
              estimator().clamp(estimate.getAsInt()), spec.via(), ReasoningBudget.Source.ASK);
          return new Reasoned(a.body(), a.description());
        }, false));
  }

  private Reasoned fitted(ApiFamily family, byte[] body, String question, ReasoningBudget.Via via, String why) {
    ReasoningBudget.Applied a = ReasoningBudget.apply(family, body, estimator().estimate(question).tokens(), via,
        ReasoningBudget.Source.FITTED);
    return new Reasoned(a.body(), why == null ? a.description() : a.description() + "; " + why);
  }

  /** Options for an upstream request carrying the client's end-to-end headers (and Precis' key, when set). */
  private RequestOptions upstreamOptions(HttpServerRequest request, Target target, HttpMethod method) {
    RequestOptions options = new RequestOptions().setMethod(method)
        .setAbsoluteURI(target.uri(request.query())).setIdleTimeout(timeoutMillis);
    for (Map.Entry<String, String> header : request.headers()) {
      String name = header.getKey().toLowerCase(Locale.ROOT);
      if (NOT_FORWARDED.contains(name) || name.startsWith("x-precis-")) continue;
      if (target.key() != null && (name.equals("authorization") || name.equals("x-api-key"))) continue;
      options.addHeader(header.getKey(), header.getValue());
    }
    if (target.key() != null) options.putHeader(target.key().getKey(), target.key().getValue());
    return options;
  }

  private void compressing(RoutingContext ctx, ApiFamily family) {
    String route = family.label();
    Target target = target(family.path());
    if (target.base() == null) {
      notConfigured(ctx, route, target);
      return;
    }
    HttpServerRequest request = ctx.request();
    boolean bypass = "true".equalsIgnoreCase(trim(request.getHeader(BYPASS)));
    boolean expandable = config.proxy().expand() && !"off".equalsIgnoreCase(trim(request.getHeader(EXPAND)));
    String tenant = ElisionsResource.tenant(request.getHeader("x-api-key"), request.getHeader("Authorization"));
    readBody(ctx).onComplete(read -> {
      if (read.failed()) {
        metrics.request(route, "rejected", null);
        bodyFailed(ctx, read.cause(), target);
        return;
      }
      Buffer body = read.result();
      Integer headerBudget;
      ReasoningBudget.Spec reasoning;
      try {
        headerBudget = headerBudget(request.getHeader(MAX_CONTEXT_TOKENS));
        String r = request.getHeader(ReasoningBudget.HEADER);
        reasoning = r == null ? null : ReasoningBudget.Spec.parse(r);
      } catch (MalformedChatRequest e) { // answered once the body is read, so the connection stays usable
        metrics.request(route, "rejected", null);
        new ProxyError(400, e.getMessage(), "invalid_request_error", e.param(), null)
            .send(ctx.response(), target.errors());
        return;
      }
      if (bypass) {
        metrics.request(route, "bypass", null);
        forward(ctx, body, Transparency.NONE, target);
        return;
      }
      byte[] bytes = body.getBytes();
      long deadline = System.nanoTime() + config.limits().requestTimeout().toNanos();
      vertx.<ChatRewrite>executeBlocking(() -> {
            // The same slots as /v1/compress: a sidecar must not run more compressions at once than its cores serve.
            ChatRewrite rewrite;
            try (CompressionLimiter.Slot slot = limiter.acquire(deadline)) {
              rewrite = compressor().rewrite(family, bytes, headerBudget, expandable);
            }
            for (ChatRewrite.Elided e : rewrite.elided()) elisions.put(tenant, e.text(), e.query());
            return rewrite;
          }, false)
          .onComplete(done -> {
            if (done.failed() && done.cause() instanceof ProblemException busy) {
              overloaded(ctx, body, busy, route, target);
            } else if (done.succeeded()) {
              ChatRewrite r = done.result();
              metrics.request(route, r.changed() ? "compressed" : "untouched", r.model());
              metrics.compressed(r);
              Future<Reasoned> reasoned = reasoning == null ? Future.succeededFuture(new Reasoned(r.body(), null))
                  : reason(ctx, target, family, reasoning, r.body(), r.model());
              reasoned.onComplete(rr -> {
                byte[] out = r.body();
                if (rr.succeeded()) {
                  out = rr.result().body();
                  if (rr.result().description() != null) {
                    ctx.response().putHeader(ReasoningBudget.APPLIED_HEADER, rr.result().description());
                  }
                } else {
                  ctx.response().putHeader(ReasoningBudget.APPLIED_HEADER, "not applied: " + rr.cause().getMessage());
                }
                if (r.expandOffered()) {
                  Map<String, ChatRewrite.Elided> elided = new HashMap<>();
                  for (ChatRewrite.Elided e : r.elided()) elided.put(e.ref(), e);
                  Expansion expansion = new Expansion(elided, tenant, r.encoding());
                  if (r.streamed()) {
                    streamExpanding(ctx, out, Transparency.of(r), target, family, expansion,
                        new ExpandingStream(family), 0, System.nanoTime());
                  } else {
                    expanding(ctx, out, Transparency.of(r), target, family, expansion, 0, System.nanoTime());
                  }
                } else {
                  forward(ctx, out == bytes ? body : Buffer.buffer(out), Transparency.of(r), target);
                }
              });
            } else if (done.cause() instanceof MalformedChatRequest e) {
              metrics.request(route, "rejected", null);
              new ProxyError(400, e.getMessage(), "invalid_request_error", e.param(), null)
                  .send(ctx.response(), target.errors());
            } else {
              metrics.compressionFailed();
              LOG.warnf("proxy: compression failed (%s); %s", done.cause().toString(),
                  config.proxy().failOpen() ? "forwarding the request as received"
                      : "answering 500 (precis.proxy.fail-open=false)");
              if (config.proxy().failOpen()) {
                metrics.request(route, "failed-open", null);
                forward(ctx, body, Transparency.NONE, target);
              } else {
                metrics.request(route, "failed", null);
                new ProxyError(500, "Precis could not compress the request's context: "
                    + done.cause().getMessage(), "server_error", null, "precis_compression_failed")
                    .send(ctx.response(), target.errors());
              }
            }
          });
    });
  }

  /**
   * Every compression slot busy and the queue full, or the wait past the request's time limit: with fail-open the
   * request goes on uncompressed (the model call matters more than the tokens saved), else a 429 or 503 in the API's
   * error shape with {@code Retry-After}.
   */
  private void overloaded(RoutingContext ctx, Buffer body, ProblemException busy, String route, Target target) {
    if (config.proxy().failOpen()) {
      metrics.request(route, "overloaded-forwarded", null);
      ctx.response().putHeader(SKIPPED, "overloaded");
      forward(ctx, body, Transparency.NONE, target);
      return;
    }
    metrics.request(route, "overloaded", null);
    ctx.response().putHeader("Retry-After", Integer.toString(Math.max(1, busy.retryAfterSeconds())));
    new ProxyError(busy.status(), busy.getMessage(), busy.status() == 429 ? "rate_limit_error" : "server_error", null,
        "precis_overloaded").send(ctx.response(), target.errors());
  }

  /** Whether a request path is one the proxy serves ({@code /v1/*}, except Precis' own endpoints). */
  public static boolean isProxied(String path) {
    if (path == null || !path.startsWith("/v1/")) return false;
    return OWN_PATHS.stream().noneMatch(p -> path.equals(p) || path.startsWith(p + "/"));
  }

  private void passThrough(RoutingContext ctx) {
    String path = ctx.normalizedPath();
    if (!isProxied(path)) {
      ctx.next();
      return;
    }
    Target target = target(path);
    if (target.base() == null) {
      // Without an upstream only the endpoints Precis stands in for say so; other paths get the usual 404.
      if (path.equals("/v1/models") || target.errors() == ProxyError.Shape.ANTHROPIC) {
        notConfigured(ctx, "other", target);
      } else {
        ctx.next();
      }
      return;
    }
    metrics.request("other", "passed", null);
    readBody(ctx).onComplete(read -> {
      if (read.failed()) {
        bodyFailed(ctx, read.cause(), target);
        return;
      }
      Buffer body = read.result();
      HttpMethod method = ctx.request().method();
      boolean noBody = body.length() == 0 && (method == HttpMethod.GET || method == HttpMethod.HEAD
          || method == HttpMethod.DELETE || method == HttpMethod.OPTIONS);
      forward(ctx, noBody ? null : body, Transparency.NONE, target);
    });
  }

  /**
   * The whole body, refused past {@code precis.limits.max-body-bytes} also when it comes chunked (a body announced
   * larger is refused before this by the body limit filter).
   */
  private Future<Buffer> readBody(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    long limit = config.limits().maxBodyBytes();
    Promise<Buffer> body = Promise.promise();
    Buffer buffer = Buffer.buffer();
    request.handler(chunk -> {
      if (buffer.length() + (long) chunk.length() > limit) {
        if (body.tryFail(new BodyTooLarge(limit))) request.pause();
      } else {
        buffer.appendBuffer(chunk);
      }
    });
    request.exceptionHandler(body::tryFail);
    request.endHandler(v -> body.tryComplete(buffer));
    request.resume(); // Quarkus may hand the request over paused
    return body.future();
  }

  private void bodyFailed(RoutingContext ctx, Throwable cause, Target target) {
    if (cause instanceof BodyTooLarge) {
      ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
      new ProxyError(413, cause.getMessage(), "invalid_request_error", null, "request_too_large")
          .send(ctx.response(), target.errors());
    } else {
      new ProxyError(400, "the request body could not be read: " + cause.getMessage(), "invalid_request_error",
          null, null).send(ctx.response(), target.errors());
    }
  }

  private static final class BodyTooLarge extends RuntimeException {
    BodyTooLarge(long limit) {
      super("the body is larger than " + limit + " bytes: send at most that (precis.limits.max-body-bytes)", null,
          false, false);
    }
  }

  /** Sends the request upstream and pipes the answer back as it comes. */
  private void forward(RoutingContext ctx, Buffer body, Transparency transparency, Target target) {
    HttpServerResponse response = ctx.response();
    RequestOptions options = upstreamOptions(ctx.request(), target, ctx.request().method());
    long t0 = System.nanoTime();
    client().request(options).onComplete(opened -> {
      if (opened.failed()) {
        upstreamFailed(ctx, opened.cause(), t0, target);
        return;
      }
      HttpClientRequest out = opened.result();
      response.closeHandler(v -> out.reset());
      if (response.closed()) {
        out.reset();
        return;
      }
      Future<HttpClientResponse> answered = body == null ? out.send() : out.send(body);
      answered.onComplete(ar -> {
        if (ar.failed()) {
          if (!response.closed()) upstreamFailed(ctx, ar.cause(), t0, target);
          return;
        }
        HttpClientResponse in = ar.result();
        metrics.upstream(Integer.toString(in.statusCode()), System.nanoTime() - t0);
        if (response.closed()) {
          out.reset();
          return;
        }
        response.setStatusCode(in.statusCode());
        if (in.statusMessage() != null) response.setStatusMessage(in.statusMessage());
        for (Map.Entry<String, String> header : in.headers()) {
          String name = header.getKey().toLowerCase(Locale.ROOT);
          if (NOT_FORWARDED.contains(name)) continue;
          response.headers().add(header.getKey(), header.getValue());
        }
        String length = in.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null) {
          response.putHeader(HttpHeaders.CONTENT_LENGTH, length);
        } else {
          response.setChunked(true);
        }
        transparency.write(response);
        in.pipe().endOnFailure(false).to(response).onComplete(piped -> {
          if (piped.failed()) {
            LOG.debugf("proxy: stream from %s cut (%s)", target.base(), piped.cause().toString());
            out.reset();
            if (!response.ended() && !response.closed()) response.reset();
          }
        });
      });
    });
  }

  /** What the proxy needs to answer the model's {@code precis_expand} calls for one client request. */
  private record Expansion(Map<String, ChatRewrite.Elided> elided, String tenant, String encoding) {}

  /** An upstream answer read whole. */
  private record Answer(int status, String statusMessage, io.vertx.core.MultiMap headers, Buffer body) {}

  /**
   * Sends a request whose context carries elision references and the expand tool, reads the answer whole, and
   * answers the model's {@code precis_expand} calls itself: the conversation goes on upstream with their results
   * (at most {@code precis.proxy.expand-max-rounds} times), and the client gets the last answer, as one response. An
   * answer that also calls the client's tools goes to the client without the {@code precis_expand} calls.
   */
  private void expanding(RoutingContext ctx, byte[] sent, Transparency transparency, Target target, ApiFamily family,
      Expansion expansion, int rounds, long t0) {
    HttpServerResponse response = ctx.response();
    if (response.closed()) return;
    RequestOptions options = upstreamOptions(ctx.request(), target, HttpMethod.POST);
    long sentAt = System.nanoTime();
    client().request(options)
        .compose(out -> out.send(Buffer.buffer(sent)))
        .compose(in -> {
          metrics.upstream(Integer.toString(in.statusCode()), System.nanoTime() - sentAt);
          return in.body().map(b -> new Answer(in.statusCode(), in.statusMessage(), in.headers(), b));
        })
        .onComplete(ar -> {
          if (ar.failed()) {
            if (!response.closed()) upstreamFailed(ctx, ar.cause(), t0, target);
            return;
          }
          Answer answer = ar.result();
          String type = answer.headers().get(HttpHeaders.CONTENT_TYPE);
          if (answer.status() != 200 || type == null || !type.toLowerCase(Locale.ROOT).contains("json")) {
            reply(response, answer, answer.body(), transparency, rounds);
            return;
          }
          vertx.<Object>executeBlocking(() -> {
                com.fasterxml.jackson.databind.JsonNode json = JSON.readTree(answer.body().getBytes());
                ExpandTool.Calls calls = ExpandTool.calls(family, json);
                if (calls.expand().isEmpty()) return answer.body();
                if (!calls.onlyExpand() || rounds >= config.proxy().expandMaxRounds()) {
                  return Buffer.buffer(ExpandTool.withoutExpandCalls(family, json));
                }
                List<ExpandTool.Result> results = new java.util.ArrayList<>();
                for (ExpandTool.Call call : calls.expand()) {
                  results.add(expander().expand(call, expansion.elided(), elisions, expansion.tenant(),
                      expansion.encoding()));
                }
                metrics.expanded(calls.expand().size());
                return ExpandTool.followUp(family, sent, json, results);
              }, false)
              .onComplete(done -> {
                if (done.failed()) {
                  LOG.warnf("proxy: answering precis_expand failed (%s); relaying the upstream's answer",
                      done.cause().toString());
                  reply(response, answer, answer.body(), transparency, rounds);
                } else if (done.result() instanceof byte[] followUp) {
                  expanding(ctx, followUp, transparency, target, family, expansion, rounds + 1, t0);
                } else {
                  reply(response, answer, (Buffer) done.result(), transparency, rounds);
                }
              });
        });
  }

  /**
   * The streamed form of {@link #expanding}: the upstream's events are relayed as they come until the model starts a
   * {@code precis_expand} call ({@link ExpandingStream}); the proxy then answers it and relays the next round's
   * stream as the continuation of the same response.
   */
  private void streamExpanding(RoutingContext ctx, byte[] sent, Transparency transparency, Target target,
      ApiFamily family, Expansion expansion, ExpandingStream stream, int rounds, long t0) {
    HttpServerResponse response = ctx.response();
    if (response.closed()) return;
    RequestOptions options = upstreamOptions(ctx.request(), target, HttpMethod.POST);
    long sentAt = System.nanoTime();
    client().request(options).compose(out -> {
      response.closeHandler(v -> out.reset());
      return out.send(Buffer.buffer(sent));
    }).onComplete(ar -> {
      if (ar.failed()) {
        if (!response.headWritten()) {
          if (!response.closed()) upstreamFailed(ctx, ar.cause(), t0, target);
        } else if (!response.ended() && !response.closed()) {
          response.end(Buffer.buffer(stream.release()));
        }
        return;
      }
      HttpClientResponse in = ar.result();
      metrics.upstream(Integer.toString(in.statusCode()), System.nanoTime() - sentAt);
      if (response.closed()) {
        in.request().reset();
        return;
      }
      String type = in.getHeader(HttpHeaders.CONTENT_TYPE);
      boolean events = in.statusCode() == 200 && type != null
          && type.toLowerCase(Locale.ROOT).startsWith("text/event-stream");
      if (!response.headWritten()) {
        response.setStatusCode(in.statusCode());
        if (in.statusMessage() != null) response.setStatusMessage(in.statusMessage());
        for (Map.Entry<String, String> header : in.headers()) {
          String name = header.getKey().toLowerCase(Locale.ROOT);
          if (NOT_FORWARDED.contains(name) || name.equals("content-length")) continue;
          response.headers().add(header.getKey(), header.getValue());
        }
        response.setChunked(true);
        transparency.write(response);
      } else if (!events) {
        // a follow-up round failed once the client's stream had begun: end it with what was held
        in.body().onComplete(ignored -> response.end(Buffer.buffer(stream.release())));
        return;
      }
      if (!events) {
        in.pipe().endOnFailure(true).to(response);
        return;
      }
      in.handler(chunk -> {
        byte[] relay = stream.feed(chunk.getBytes());
        if (relay.length > 0 && !response.closed()) response.write(Buffer.buffer(relay));
      });
      in.exceptionHandler(e -> {
        if (!response.ended() && !response.closed()) response.reset();
      });
      in.endHandler(v -> {
        if (response.closed()) return;
        if (!stream.onlyExpand() || rounds >= config.proxy().expandMaxRounds()) {
          response.end(Buffer.buffer(stream.release()));
          return;
        }
        vertx.<byte[]>executeBlocking(() -> {
              List<ExpandTool.Result> results = new java.util.ArrayList<>();
              for (ExpandTool.Call call : stream.calls()) {
                results.add(expander().expand(call, expansion.elided(), elisions, expansion.tenant(),
                    expansion.encoding()));
              }
              metrics.expanded(results.size());
              return ExpandTool.followUp(family, sent, stream.response(), results);
            }, false)
            .onComplete(done -> {
              if (done.failed()) {
                LOG.warnf("proxy: answering precis_expand failed (%s); ending the stream", done.cause().toString());
                response.end(Buffer.buffer(stream.release()));
                return;
              }
              stream.nextRound();
              streamExpanding(ctx, done.result(), transparency, target, family, expansion, stream, rounds + 1, t0);
            });
      });
    });
  }

  private static void reply(HttpServerResponse response, Answer answer, Buffer body, Transparency transparency,
      int rounds) {
    if (response.closed() || response.headWritten()) return;
    response.setStatusCode(answer.status());
    if (answer.statusMessage() != null) response.setStatusMessage(answer.statusMessage());
    for (Map.Entry<String, String> header : answer.headers()) {
      String name = header.getKey().toLowerCase(Locale.ROOT);
      if (NOT_FORWARDED.contains(name) || name.equals("content-length")) continue;
      response.headers().add(header.getKey(), header.getValue());
    }
    transparency.write(response);
    response.putHeader(EXPANSIONS, Integer.toString(rounds));
    response.end(body);
  }

  private void upstreamFailed(RoutingContext ctx, Throwable cause, long t0, Target target) {
    boolean timeout = cause instanceof TimeoutException || cause instanceof ConnectTimeoutException;
    metrics.upstream(timeout ? "timeout" : "unreachable", System.nanoTime() - t0);
    ProxyError error;
    String key = target.errors() == ProxyError.Shape.ANTHROPIC ? "precis.upstream.anthropic-url"
        : "precis.upstream.url";
    if (timeout) {
      error = new ProxyError(504, "the upstream " + target.base() + " did not answer in time (" + cause.getMessage()
          + "; precis.upstream.timeout=" + config.upstream().timeout().toSeconds() + "s, precis.upstream."
          + "connect-timeout=" + config.upstream().connectTimeout().toSeconds() + "s)", "upstream_error", null,
          "upstream_timeout");
    } else {
      error = new ProxyError(502, "the upstream " + target.base() + " could not be reached (" + cause
          .getClass().getSimpleName() + ": " + cause.getMessage() + "): check " + key + " and that the "
          + "server is up", "upstream_error", null, "upstream_unreachable");
    }
    LOG.warnf("proxy: %s", error.message());
    error.send(ctx.response(), target.errors());
  }

  private void notConfigured(RoutingContext ctx, String route, Target target) {
    metrics.request(route, "not-configured", null);
    String message = target.errors() == ProxyError.Shape.ANTHROPIC
        ? "Precis has no upstream to forward " + ctx.request().path() + " to: set precis.upstream.anthropic-url "
            + "(environment variable PRECIS_UPSTREAM_ANTHROPIC_URL) to an Anthropic base URL such as "
            + "https://api.anthropic.com, and restart"
        : "Precis has no upstream to forward " + ctx.request().path() + " to: set precis.upstream.url "
            + "(environment variable PRECIS_UPSTREAM_URL) to an OpenAI-compatible base URL such as "
            + "https://api.openai.com/v1 or http://localhost:11434/v1, and restart";
    new ProxyError(503, message, "upstream_error", null, "upstream_not_configured")
        .send(ctx.response(), target.errors());
  }

  private static Integer headerBudget(String value) {
    if (value == null || value.isBlank()) return null;
    try {
      int tokens = Integer.parseInt(value.trim());
      if (tokens > 0) return tokens;
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new MalformedChatRequest("the header " + MAX_CONTEXT_TOKENS + " is '" + value + "': give a whole "
        + "number of tokens > 0", MAX_CONTEXT_TOKENS);
  }

  private static String trim(String s) {
    return s == null ? null : s.trim();
  }

  /** The X-Precis-* response headers. */
  private record Transparency(int input, int output, double millis, int compactionLevel, boolean recompacted) {
    static final Transparency NONE = new Transparency(0, 0, 0, 0, false);

    static Transparency of(ChatRewrite r) {
      return new Transparency(r.inputTokens(), r.outputTokens(), r.millis(), r.compactionEvents(), r.recompacted());
    }

    void write(HttpServerResponse response) {
      response.putHeader(INPUT_TOKENS, Integer.toString(input));
      response.putHeader(OUTPUT_TOKENS, Integer.toString(output));
      response.putHeader(SAVED_TOKENS, Integer.toString(input - output));
      response.putHeader(COMPRESSION_MS, String.format(Locale.ROOT, "%.3f", millis));
      response.putHeader(COMPACTION_LEVEL, Integer.toString(compactionLevel));
      response.putHeader(RECOMPACTED, Boolean.toString(recompacted));
    }
  }
}
