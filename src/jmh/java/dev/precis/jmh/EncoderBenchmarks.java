package dev.precis.jmh;

import dev.precis.encode.EncoderModel;
import dev.precis.encode.OnnxSentenceEncoder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
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
 * The sentence encoder (bge-small-en-v1.5-q, ONNX Runtime, default threads) embedding {@code batch} nq20
 * units with their titles in front. The texts are consecutive units of similar length around the median, so they
 * form one batch without padding waste; {@code pieces} in the setup log gives word pieces per call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx1g"})
public class EncoderBenchmarks {
  @Param({"1", "8", "32"})
  public int batch;

  @Param({"bge-small-en-v1.5-q"})
  public String model;

  private OnnxSentenceEncoder encoder;
  private List<String> texts;

  @Setup(Level.Trial)
  public void setUp() {
    int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    encoder = new OnnxSentenceEncoder(EncoderModel.named(model), Path.of("models"), threads, 32);
    List<String> all = new ArrayList<>();
    for (var example : NqRequest.examples(5)) all.addAll(NqRequest.encoderTexts(NqRequest.segmented(example)));
    all.sort(Comparator.comparingInt(t -> encoder.tokenizer().countWordPieces(t)));
    int from = Math.max(0, all.size() / 2 - batch / 2);
    texts = List.copyOf(all.subList(from, from + batch));
    int pieces = 0;
    for (String t : texts) pieces += encoder.tokenizer().countWordPieces(t) + 2;
    System.out.println("batch " + batch + ": " + pieces + " word pieces per call");
  }

  @Benchmark
  public float[][] embed() {
    float[][] vectors = encoder.embed(texts);
    if (vectors.length != batch || vectors[batch - 1].length != encoder.dimension()) {
      throw new IllegalStateException("wrong output shape");
    }
    return vectors;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    encoder.close();
  }
}
