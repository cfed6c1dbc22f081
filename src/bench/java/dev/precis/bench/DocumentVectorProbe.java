package dev.precis.bench;

import dev.precis.encode.CachingSentenceEncoder;
import dev.precis.encode.EncoderModel;
import dev.precis.encode.OnnxSentenceEncoder;
import dev.precis.engine.EngineSettings;
import dev.precis.engine.PrecisEngine;
import dev.precis.engine.SourceDocument;
import dev.precis.index.CollectionStore;
import dev.precis.index.CollectionStore.StoredDocument;
import dev.precis.index.LuceneCollectionStore;
import dev.precis.quality.EvalExample;
import dev.precis.quality.EvalSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which vector should stand for a stored document in retrieval: recall@20 of the gold passage on dev-nq20's passages
 * (one collection, as {@link CollectionBenchmark}), by the vectors alone (exact nearest neighbours) and fused with
 * BM25 by reciprocal rank as the collection stores fuse, for documents embedded from their title and text cut at 128
 * word pieces (the default), cut at 64 (half the encoder's work per document), and as the mean of their units'
 * vectors (no work of its own: the units are embedded for compression anyway). Nothing is fitted.
 *
 * <pre>
 * ./mvnw -q -B test-compile exec:java@document-vector-probe -Ddocument-vector-probe.args="../shared/eval 200"
 * </pre>
 */
public final class DocumentVectorProbe {
  private static final int K = 20;
  private static final int DEPTH = 50;
  private static final int RRF_K = 60;

  record Question(String text, Set<String> gold) {}

  public static void main(String[] args) throws Exception {
    Path eval = Path.of(args.length > 0 ? args[0] : "../shared/eval");
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    Map<String, StoredDocument> byContent = new LinkedHashMap<>();
    List<Question> questions = new ArrayList<>();
    for (EvalExample e : EvalSet.readDev(eval, "nq20").limit(n).examples()) {
      Set<String> gold = new HashSet<>();
      for (EvalExample.Document d : e.documents()) {
        StoredDocument doc = byContent.computeIfAbsent(d.title() + "\u0000" + d.text(),
            k -> new StoredDocument("p" + byContent.size(), d.title(), d.text(), Map.of()));
        if (d.isGold()) gold.add(doc.id());
      }
      questions.add(new Question(e.question(), gold));
    }
    List<StoredDocument> documents = List.copyOf(byContent.values());
    System.out.printf(Locale.ROOT, "%d questions, %d passages; load average %s%n%n", questions.size(),
        documents.size(), CollectionBenchmark.load());

    Path root = Files.createTempDirectory("precis-docvec-");
    EngineSettings settings = EngineSettings.defaults();
    try (PrecisEngine engine = PrecisEngine.create(settings);
        LuceneCollectionStore bm25 = new LuceneCollectionStore(root, null)) {
      bm25.create("nq");
      for (int from = 0; from < documents.size(); from += 500) {
        bm25.put("nq", documents.subList(from, Math.min(documents.size(), from + 500)));
      }
      Map<Question, List<String>> bm25Ranks = new HashMap<>();
      for (Question q : questions) {
        bm25Ranks.put(q, bm25.search("nq", q.text(), DEPTH, Map.of()).stream()
            .map(h -> h.document().id()).toList());
      }
      OnnxSentenceEncoder full = (OnnxSentenceEncoder) ((CachingSentenceEncoder) engine.encoder()).delegate();
      float[][] queries = new float[questions.size()][];
      for (int i = 0; i < questions.size(); i++) queries[i] = full.embedQuery(questions.get(i).text());
      List<String> texts = documents.stream().map(d -> d.title() + "\n" + d.text()).toList();

      System.out.println("| document vector | encoder seconds | vectors alone, recall@20 | fused with BM25, "
          + "recall@20 |");
      System.out.println("|---|---|---|---|");
      System.out.printf(Locale.ROOT, "| (BM25 alone) | - | - | %.1f%% |%n", recall(questions, bm25Ranks));

      long t0 = System.nanoTime();
      float[][] cut128 = embed(full, texts);
      report("title and text, first 128 word pieces (default)", t0, cut128, queries, questions, bm25Ranks, documents);

      try (OnnxSentenceEncoder half = new OnnxSentenceEncoder(
          EncoderModel.named(settings.encoderModel()).withMaxSequenceLength(64), settings.modelDirectory(),
          settings.encoderThreads(), settings.encoderBatchSize())) {
        t0 = System.nanoTime();
        float[][] cut64 = embed(half, texts);
        report("title and text, first 64 word pieces", t0, cut64, queries, questions, bm25Ranks, documents);
      }

      t0 = System.nanoTime();
      float[][] mean = new float[documents.size()][];
      for (int i = 0; i < documents.size(); i++) {
        StoredDocument d = documents.get(i);
        List<String> units = engine.encoderTextsOf(new SourceDocument(d.id(), d.title(), d.text()));
        mean[i] = dev.precis.encode.StoredUnitVectors.mean(full.embed(units));
      }
      report("mean of the units' vectors", t0, mean, queries, questions, bm25Ranks, documents);
    } finally {
      try (var paths = Files.walk(root)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    System.out.printf(Locale.ROOT, "%nload average at the end %s%n", CollectionBenchmark.load());
  }

  private static float[][] embed(OnnxSentenceEncoder encoder, List<String> texts) {
    float[][] out = new float[texts.size()][];
    for (int from = 0; from < texts.size(); from += 50) {
      float[][] part = encoder.embed(texts.subList(from, Math.min(texts.size(), from + 50)));
      System.arraycopy(part, 0, out, from, part.length);
    }
    return out;
  }

  private static void report(String label, long t0, float[][] vectors, float[][] queries, List<Question> questions,
      Map<Question, List<String>> bm25Ranks, List<StoredDocument> documents) {
    double seconds = (System.nanoTime() - t0) / 1e9;
    int alone = 0;
    int fusedHits = 0;
    for (int q = 0; q < questions.size(); q++) {
      List<String> byVector = nearest(queries[q], vectors, documents);
      Question question = questions.get(q);
      if (byVector.subList(0, K).stream().anyMatch(question.gold()::contains)) alone++;
      Map<String, Double> fused = new HashMap<>();
      List<String> lexical = bm25Ranks.get(question);
      for (int r = 0; r < lexical.size(); r++) fused.merge(lexical.get(r), 1.0 / (RRF_K + r + 1), Double::sum);
      for (int r = 0; r < DEPTH; r++) fused.merge(byVector.get(r), 1.0 / (RRF_K + r + 1), Double::sum);
      List<String> top = fused.entrySet().stream()
          .sorted((a, b) -> Double.compare(b.getValue(), a.getValue())).limit(K).map(Map.Entry::getKey).toList();
      if (top.stream().anyMatch(question.gold()::contains)) fusedHits++;
    }
    System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f%% | %.1f%% |%n", label, seconds,
        100.0 * alone / questions.size(), 100.0 * fusedHits / questions.size());
  }

  private static double recall(List<Question> questions, Map<Question, List<String>> ranks) {
    int hits = 0;
    for (Question q : questions) {
      List<String> r = ranks.get(q);
      if (r.subList(0, Math.min(K, r.size())).stream().anyMatch(q.gold()::contains)) hits++;
    }
    return 100.0 * hits / questions.size();
  }

  private static List<String> nearest(float[] query, float[][] vectors, List<StoredDocument> documents) {
    Integer[] order = new Integer[vectors.length];
    double[] score = new double[vectors.length];
    for (int i = 0; i < vectors.length; i++) {
      order[i] = i;
      double dot = 0;
      for (int d = 0; d < query.length; d++) dot += query[d] * vectors[i][d];
      score[i] = dot;
    }
    java.util.Arrays.sort(order, (a, b) -> Double.compare(score[b], score[a]));
    List<String> ids = new ArrayList<>(DEPTH);
    for (int i = 0; i < DEPTH; i++) ids.add(documents.get(order[i]).id());
    return ids;
  }

  private DocumentVectorProbe() {}
}
