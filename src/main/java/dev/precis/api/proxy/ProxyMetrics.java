package dev.precis.api.proxy;

import dev.precis.proxy.ChatRewrite;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.TimeUnit;

/**
 * Prometheus meters of the proxy: {@code precis_proxy_requests_total} (by route, outcome and model),
 * {@code precis_proxy_tokens_input_total}, {@code _output_total}, {@code _saved_total} (by model),
 * {@code precis_proxy_recompactions_total} (requests that re-compacted earlier context, by model),
 * {@code precis_proxy_expansions_total} ({@code precis_expand} calls answered),
 * {@code precis_proxy_compression_duration_seconds} (histogram), {@code precis_proxy_compression_failures_total},
 * {@code precis_proxy_upstream_duration_seconds} (time to the upstream's response head, histogram, by status) and
 * {@code precis_proxy_upstream_responses_total} (by status: the HTTP code, {@code unreachable} or {@code timeout}).
 */
@ApplicationScoped
public class ProxyMetrics {
  private final MeterRegistry registry;

  public ProxyMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void request(String route, String outcome, String model) {
    Counter.builder("precis.proxy.requests").description("Requests received by the proxy")
        .tags("route", route, "outcome", outcome, "model", model(model)).register(registry).increment();
  }

  void compressed(ChatRewrite r) {
    String model = model(r.model());
    Counter.builder("precis.proxy.tokens.input").description("Context tokens received by the proxy")
        .tags("model", model).register(registry).increment(r.inputTokens());
    Counter.builder("precis.proxy.tokens.output").description("Context tokens forwarded upstream")
        .tags("model", model).register(registry).increment(r.outputTokens());
    Counter.builder("precis.proxy.tokens.saved").description("Context tokens removed by the proxy")
        .tags("model", model).register(registry).increment(r.savedTokens());
    if (r.recompacted()) {
      Counter.builder("precis.proxy.recompactions")
          .description("Requests that re-compacted a conversation's earlier context (its prompt cache breaks there)")
          .tags("model", model).register(registry).increment();
    }
    Timer.builder("precis.proxy.compression.duration").description("Time to read and compress one chat request")
        .publishPercentileHistogram().register(registry)
        .record((long) (r.millis() * 1_000_000), TimeUnit.NANOSECONDS);
  }

  void expanded(int calls) {
    Counter.builder("precis.proxy.expansions").description("precis_expand calls the proxy answered")
        .register(registry).increment(calls);
  }

  void compressionFailed() {
    Counter.builder("precis.proxy.compression.failures")
        .description("Chat requests whose compression failed (forwarded as received when fail-open)")
        .register(registry).increment();
  }

  void upstream(String status, long nanos) {
    Timer.builder("precis.proxy.upstream.duration").description("Time until the upstream's response head")
        .tags("status", status).publishPercentileHistogram().register(registry).record(nanos, TimeUnit.NANOSECONDS);
    Counter.builder("precis.proxy.upstream.responses").description("Upstream outcomes by status")
        .tags("status", status).register(registry).increment();
  }

  private static String model(String model) {
    if (model == null || model.isBlank()) return "unknown";
    return model.length() <= 64 ? model : model.substring(0, 64);
  }
}
