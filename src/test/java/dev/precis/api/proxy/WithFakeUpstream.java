package dev.precis.api.proxy;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** Precis forwarding to the shared {@link FakeUpstream} (OpenAI and Anthropic alike), with a 2 s upstream timeout and bodies of at most 100 kB. */
public class WithFakeUpstream implements QuarkusTestProfile {
  static final long TIMEOUT_MILLIS = 2_000;
  static final int MAX_BODY_BYTES = 100_000;

  @Override
  public Map<String, String> getConfigOverrides() {
    return Map.of(
        "precis.upstream.url", FakeUpstream.shared().baseUrl(),
        "precis.upstream.anthropic-url", FakeUpstream.shared().rootUrl(),
        "precis.upstream.timeout", TIMEOUT_MILLIS / 1000 + "s",
        "precis.proxy.context-windows", "tiny-window=1400",
        "precis.limits.max-body-bytes", Integer.toString(MAX_BODY_BYTES));
  }
}
