package dev.precis.jmh;

import dev.precis.engine.StoredTree;
import dev.precis.quality.EvalExample;
import dev.precis.segment.DocumentSegmenter;
import dev.precis.segment.Format;
import dev.precis.segment.SegmentedDocument;
import dev.precis.tokens.Tokenizers;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What a kept tree saves a stored document's first compression: the 20 passages of an nq20 request segmented and
 * their units counted in two encodings (what a document never seen costs), against their kept trees decoded
 * ({@link StoredTree}, what a stored document costs instead).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx1g"})
public class KeptTreeBenchmarks {
  private static final byte[] SEGMENTER = new byte[16];
  private EvalExample example;
  private DocumentSegmenter segmenter;
  private List<Tokenizers.TokenCounter> counters;
  private List<byte[]> trees;

  @Setup
  public void setUp() {
    example = NqRequest.examples(1).get(0);
    segmenter = new DocumentSegmenter(NqRequest.MAX_UNIT_CHARS);
    counters = List.of(Tokenizers.forEncoding("cl100k_base").orElseThrow(),
        Tokenizers.forEncoding("o200k_base").orElseThrow());
    trees = new ArrayList<>();
    for (EvalExample.Document d : example.documents()) {
      SegmentedDocument doc = segmenter.segment(0, d.title(), d.text(), Format.AUTO);
      Map<String, int[]> units = new LinkedHashMap<>();
      Map<String, Integer> whole = new LinkedHashMap<>();
      for (Tokenizers.TokenCounter c : counters) {
        int[] counts = new int[doc.units().size()];
        for (int u = 0; u < counts.length; u++) counts[u] = c.count(doc.unitText(u));
        units.put(c.name(), counts);
        whole.put(c.name(), c.count(d.text()));
      }
      trees.add(StoredTree.encode(doc, null, SEGMENTER, Format.AUTO, units, whole));
    }
  }

  /** Segments the 20 passages and counts every unit in cl100k_base and o200k_base. */
  @Benchmark
  public void segmentAndCount(Blackhole bh) {
    for (EvalExample.Document d : example.documents()) {
      SegmentedDocument doc = segmenter.segment(0, d.title(), d.text(), Format.AUTO);
      for (Tokenizers.TokenCounter c : counters) {
        for (int u = 0; u < doc.units().size(); u++) bh.consume(c.count(doc.unitText(u)));
      }
    }
  }

  /** Decodes the 20 passages' kept trees (fingerprints checked, units and counts read). */
  @Benchmark
  public void decodeKeptTrees(Blackhole bh) {
    for (int i = 0; i < trees.size(); i++) {
      EvalExample.Document d = example.documents().get(i);
      bh.consume(StoredTree.decode(trees.get(i), SEGMENTER, d.title(), d.text(), Format.AUTO));
    }
  }
}
