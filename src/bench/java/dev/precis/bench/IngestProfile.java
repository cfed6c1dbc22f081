package dev.precis.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.precis.encode.CachingSentenceEncoder;
import dev.precis.encode.OnnxSentenceEncoder;
import dev.precis.encode.SentenceEncoder;
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
 * Where the time of ingesting a document goes, in process (no HTTP): its own vector (title and text, as far as the
 * encoder reads), the Lucene write and commit, and its units' vectors (the background warming), each timed alone over
 * the same documents of about 500 cl100k tokens as {@link CollectionBenchmark}'s ingest, with the word pieces the
 * encoder was given, so that pieces per second show the encoder's own speed.
 *
 * <pre>
 * ./mvnw -q -B test-compile exec:java@ingest-profile -Dingest-profile.args="../shared/eval 200"
 * </pre>
 *
 * Arguments: the eval folder (dev-nq20's passages make the documents), how many documents (200).
 */
public final class IngestProfile {
  private static final Encoding CL100K = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
  private static final int BATCH = 50;

  public static void main(String[] args) throws Exception {
    Path eval = Path.of(args.length > 0 ? args[0] : "../shared/eval");
    int count = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    Map<String, CollectionBenchmark.Passage> byContent = new LinkedHashMap<>();
    for (EvalExample e : EvalSet.readDev(eval, "nq20").examples()) {
      for (EvalExample.Document d : e.documents()) {
        byContent.computeIfAbsent(d.title() + "\u0000" + d.text(), k -> new CollectionBenchmark.Passage(
            "p" + byContent.size(), d.title(), d.text(), CL100K.countTokens(d.render())));
      }
    }
    CollectionBenchmark.DocumentMaker maker = new CollectionBenchmark.DocumentMaker(
        List.copyOf(byContent.values()), 7);
    List<StoredDocument> documents = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ObjectNode d = maker.next("d");
      documents.add(new StoredDocument(d.get("id").asText(), d.get("title").asText(), d.get("text").asText(),
          Map.of()));
    }
    System.out.printf(Locale.ROOT, "%d documents of about 500 cl100k tokens; %d cores; load average %s%n%n", count,
        Runtime.getRuntime().availableProcessors(), CollectionBenchmark.load());

    try (PrecisEngine engine = PrecisEngine.create(EngineSettings.defaults())) {
      SentenceEncoder cached = engine.encoder();
      OnnxSentenceEncoder onnx = (OnnxSentenceEncoder) ((CachingSentenceEncoder) cached).delegate();
      List<String> docTexts = documents.stream().map(d -> d.title() + "\n" + d.text()).toList();
      onnx.embed(docTexts.subList(0, Math.min(BATCH, docTexts.size()))); // warm-up: sessions, JIT
      long docPieces = 0;
      for (String t : docTexts) docPieces += Math.min(onnx.tokenizer().encode(t, 128).length, 128);

      long t0 = System.nanoTime();
      for (int from = 0; from < docTexts.size(); from += BATCH) {
        onnx.embed(docTexts.subList(from, Math.min(docTexts.size(), from + BATCH)));
      }
      double docSeconds = (System.nanoTime() - t0) / 1e9;

      Path root = Files.createTempDirectory("precis-ingest-profile-");
      double writeSeconds;
      try (LuceneCollectionStore store = new LuceneCollectionStore(root, null)) {
        store.create("profile");
        t0 = System.nanoTime();
        for (int from = 0; from < documents.size(); from += BATCH) {
          store.put("profile", documents.subList(from, Math.min(documents.size(), from + BATCH)));
        }
        writeSeconds = (System.nanoTime() - t0) / 1e9;
      } finally {
        try (var paths = Files.walk(root)) {
          paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }

      long unitPieces = 0;
      int units = 0;
      t0 = System.nanoTime();
      long before = ((CachingSentenceEncoder) cached).misses();
      for (StoredDocument d : documents) engine.keptUnits(new SourceDocument(d.id(), d.title(), d.text()));
      double unitSeconds = (System.nanoTime() - t0) / 1e9;
      units = (int) (((CachingSentenceEncoder) cached).misses() - before);
      for (StoredDocument d : documents) {
        // the same texts again, counted (not timed): the units as the encoder is given them
        for (String t : unitTexts(engine, d)) unitPieces += Math.min(onnx.tokenizer().encode(t, 128).length, 128);
      }

      System.out.println("| step | documents | seconds | docs/s | word pieces | pieces/s | ms per document |");
      System.out.println("|---|---|---|---|---|---|---|");
      row("the document's own vector (title + text, at most 128 pieces), batches of 50", count, docSeconds,
          docPieces);
      row("Lucene write and commit (fsync), batches of 50, no vector", count, writeSeconds, 0);
      row("its units' vectors (" + units + " units, the background warming)", count, unitSeconds, unitPieces);
      System.out.printf(Locale.ROOT, "%nAcknowledged ingest is bounded by the first two rows: %.1f docs/s; "
          + "with the units before the acknowledgement: %.1f docs/s.%n", count / (docSeconds + writeSeconds),
          count / (docSeconds + writeSeconds + unitSeconds));
      System.out.printf(Locale.ROOT, "load average at the end %s%n", CollectionBenchmark.load());
    }
  }

  /** The encoder texts of a document's units, read back through a blob's fingerprint-free path: segment and list. */
  private static List<String> unitTexts(PrecisEngine engine, StoredDocument d) {
    return engine.encoderTextsOf(new SourceDocument(d.id(), d.title(), d.text()));
  }

  private static void row(String step, int docs, double seconds, long pieces) {
    System.out.printf(Locale.ROOT, "| %s | %d | %.2f | %.1f | %s | %s | %.1f |%n", step, docs, seconds,
        docs / seconds, pieces == 0 ? "-" : Long.toString(pieces),
        pieces == 0 ? "-" : String.format(Locale.ROOT, "%.0f", pieces / seconds), 1000 * seconds / docs);
  }

  private IngestProfile() {}
}
