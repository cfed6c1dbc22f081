package dev.precis.bench;

import dev.precis.encode.CachingSentenceEncoder;
import dev.precis.engine.Budget;
import dev.precis.engine.Compression;
import dev.precis.engine.CompressionRequest;
import dev.precis.engine.Effort;
import dev.precis.engine.EngineSettings;
import dev.precis.engine.PrecisEngine;
import dev.precis.engine.SourceDocument;
import dev.precis.index.CollectionStore.StoredDocument;
import dev.precis.index.LuceneCollectionStore;
import dev.precis.quality.EvalExample;
import dev.precis.quality.EvalSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where the time of a first compression by reference goes, in process: the stored documents read, their segmentation,
 * their kept vectors read and decoded into the cache, then the compression's own stages. The documents are dev-nq20's
 * passages stored in one Lucene collection and warmed; the engine that compresses is a new one (its caches cold), run
 * in first on hotpotqa so the JIT is warm. With {@code -Dref-profile.query-first} the question is embedded before
 * the compression (timed alone), so the compression's own stages show without it.
 *
 * <pre>
 * ./mvnw -q -B test-compile exec:java@ref-profile -Dref-profile.args="../shared/eval 100"
 * </pre>
 */
public final class RefProfile {
  public static void main(String[] args) throws Exception {
    Path eval = Path.of(args.length > 0 ? args[0] : "../shared/eval");
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    List<EvalExample> examples = EvalSet.readDev(eval, "nq20").limit(n).examples();
    Map<String, String> ids = new LinkedHashMap<>();
    List<StoredDocument> stored = new ArrayList<>();
    for (EvalExample e : examples) {
      for (EvalExample.Document d : e.documents()) {
        ids.computeIfAbsent(d.title() + "\u0000" + d.text(), k -> {
          String id = "p" + stored.size();
          stored.add(new StoredDocument(id, d.title(), d.text(), Map.of()));
          return id;
        });
      }
    }
    Path root = Files.createTempDirectory("precis-ref-profile-");
    try (LuceneCollectionStore store = new LuceneCollectionStore(root, null)) {
      store.create("nq");
      store.put("nq", stored);
      try (PrecisEngine warmer = PrecisEngine.create(EngineSettings.defaults())) {
        Map<String, dev.precis.encode.StoredUnitVectors.Kept> kept = new LinkedHashMap<>();
        for (StoredDocument d : stored) kept.put(d.id(), warmer.keptUnits(source(d)));
        store.keepVectors("nq", kept);
      }
      List<EvalExample> warm = EvalSet.readDev(eval, "hotpotqa").limit(30).examples();
      try (PrecisEngine engine = PrecisEngine.create(EngineSettings.defaults())) {
        for (EvalExample e : warm) compress(engine, e.question(), e.documents().stream()
            .map(d -> new SourceDocument(null, d.title(), d.text())).toList());
        double[][] t = new double[examples.size()][];
        for (int i = 0; i < examples.size(); i++) {
          EvalExample e = examples.get(i);
          List<String> refs = e.documents().stream().map(d -> ids.get(d.title() + "\u0000" + d.text())).toList();
          long t0 = System.nanoTime();
          Map<String, StoredDocument> found = store.getAll("nq", refs);
          long t1 = System.nanoTime();
          Map<String, SourceDocument> byId = new LinkedHashMap<>();
          List<String> missing = new ArrayList<>();
          for (String id : refs) {
            SourceDocument s = source(found.get(id));
            byId.put(id, s);
            if (!engine.unitsCached(s)) missing.add(id);
          }
          long t2 = System.nanoTime();
          Map<String, byte[]> blobs = store.unitVectors("nq", missing);
          long t3 = System.nanoTime();
          for (var b : blobs.entrySet()) engine.preload(byId.get(b.getKey()), b.getValue());
          long t4 = System.nanoTime();
          long q0 = System.nanoTime();
          if (System.getProperty("ref-profile.query-first") != null) engine.encoder().embedQuery(e.question());
          long q1 = System.nanoTime();
          long misses = ((CachingSentenceEncoder) engine.encoder()).misses();
          Compression c = compress(engine, e.question(), List.copyOf(byId.values()));
          long t5 = System.nanoTime();
          Compression.StageTimings s = c.timings();
          t[i] = new double[] {(t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6, (t4 - t3) / 1e6, (t5 - t4) / 1e6,
              s.segmentMs(), s.rankMs(), s.summariseMs(), s.refineMs(), s.renderMs(), (t5 - t0) / 1e6,
              ((CachingSentenceEncoder) engine.encoder()).misses() - misses, (q1 - q0) / 1e6};
        }
        String[] names = {"getAll", "segment (unitsCached)", "read blobs", "decode+preload", "compress",
            "  segment", "  rank", "  summarise", "  refine", "  render", "total", "embedded", "query alone"};
        for (int k = 0; k < names.length; k++) {
          double[] col = new double[t.length];
          for (int i = 0; i < t.length; i++) col[i] = t[i][k];
          java.util.Arrays.sort(col);
          System.out.printf(Locale.ROOT, "%-24s p50 %7.2f  p90 %7.2f%n", names[k], col[col.length / 2],
              col[col.length * 9 / 10]);
        }
      }
    } finally {
      try (var paths = Files.walk(root)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static SourceDocument source(StoredDocument d) {
    return new SourceDocument(d.id(), d.title(), d.text());
  }

  private static Compression compress(PrecisEngine engine, String q, List<SourceDocument> docs) {
    return engine.compress(new CompressionRequest(q, docs, Budget.ofTokens(700), null, Effort.FAST, null, null,
        null, false));
  }

  private RefProfile() {}
}
