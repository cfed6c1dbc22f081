package dev.precis.jmh;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.precis.bench.Trace;
import dev.precis.bench.TraceApi;
import dev.precis.engine.EngineSettings;
import dev.precis.engine.PrecisEngine;
import dev.precis.proxy.ApiFamily;
import dev.precis.proxy.ChatCompressor;
import dev.precis.proxy.ChatRewrite;
import dev.precis.proxy.ProxySettings;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
 * The proxy's own work on one request, without HTTP: the last request of the coding-agent trace (eval/traces, 27
 * steps, about 25,000 tokens of tool results) read, its conversation replayed and its body rewritten. {@code fits}:
 * a budget it fits, so the body is forwarded as received (the cost a request pays for nothing); {@code compressed}:
 * the 4,096-token default budget with every segment already remembered (a conversation's steady state: earlier
 * segments come from the memo, nothing is compressed again). Checks the outcome in set-up.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx1g"})
public class ProxyBenchmarks {
  @Param({"chat", "messages", "responses"})
  public String api;

  @Param({"fits", "compressed"})
  public String budget;

  private PrecisEngine engine;
  private ChatCompressor compressor;
  private ApiFamily family;
  private byte[] body;
  private int tokens;

  @Setup
  public void setUp() throws Exception {
    Trace trace = Trace.read(Path.of("eval/traces/coding-agent.json"));
    TraceApi shape = TraceApi.named(api);
    List<Integer> points = trace.requestPoints();
    body = new ObjectMapper().writeValueAsBytes(shape.request(trace, points.get(points.size() - 1)));
    family = switch (api) {
      case "chat" -> ApiFamily.CHAT_COMPLETIONS;
      case "messages" -> ApiFamily.MESSAGES;
      default -> ApiFamily.RESPONSES;
    };
    tokens = budget.equals("fits") ? 1_000_000 : 4096;
    engine = PrecisEngine.create(EngineSettings.defaults().withEncoder(false));
    compressor = new ChatCompressor(engine, ProxySettings.defaults());
    ChatRewrite first = compressor.rewrite(family, body, tokens);
    if (first.changed() != budget.equals("compressed") || first.segments() < 10) {
      throw new IllegalStateException("unexpected outcome: " + first);
    }
  }

  @TearDown
  public void tearDown() {
    engine.close();
  }

  @Benchmark
  public ChatRewrite rewrite() {
    return compressor.rewrite(family, body, tokens);
  }
}
