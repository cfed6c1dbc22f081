package dev.precis.api;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the engine (and its encoder) is loaded. */
@Readiness
@ApplicationScoped
public class EngineReadiness implements HealthCheck {
  private final EngineProducer engines;

  public EngineReadiness(EngineProducer engines) {
    this.engines = engines;
  }

  @Override
  public HealthCheckResponse call() {
    return HealthCheckResponse.named("compression-engine").status(engines.ready()).build();
  }
}
