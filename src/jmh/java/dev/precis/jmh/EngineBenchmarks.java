package dev.precis.jmh;

import dev.precis.engine.Compression;
import dev.precis.engine.CompressionRequest;
import dev.precis.engine.EngineSettings;
import dev.precis.engine.PrecisEngine;
import dev.precis.quality.EvalExample;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The whole engine compressing nq20 requests at ratio 4 (effort fast), cycling through the first 20 dev examples.
 * {@code cold}: vector cache off, so every unit chosen for the encoder is embedded; {@code warm}: default cache,
 * filled with these 20 requests in the setup, so no unit reaches the encoder; {@code bm25}: encoder disabled.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx1g"})
public class EngineBenchmarks {
  @Param({"cold", "warm", "bm25"})
  public String cache;

  private PrecisEngine engine;
  private List<CompressionRequest> requests;
  private int next;

  @Setup(Level.Trial)
  public void setUp() {
    EngineSettings settings = switch (cache) {
      case "cold" -> EngineSettings.defaults().withVectorCacheEntries(0);
      case "warm" -> EngineSettings.defaults();
      case "bm25" -> EngineSettings.defaults().withEncoder(false);
      default -> throw new IllegalArgumentException("unknown cache " + cache);
    };
    engine = PrecisEngine.create(settings);
    requests = new ArrayList<>();
    for (EvalExample example : NqRequest.examples(20)) requests.add(NqRequest.request(example));
    if (cache.equals("warm")) for (CompressionRequest r : requests) engine.compress(r);
  }

  @Benchmark
  public Compression compress() {
    CompressionRequest request = requests.get(next++ % requests.size());
    Compression c = engine.compress(request);
    if (c.usage().outputTokens() > c.usage().maxTokens() || c.text().isEmpty()) {
      throw new IllegalStateException("over budget or empty: " + c.usage());
    }
    return c;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    engine.close();
  }
}
