package dev.precis.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.precis.index.CollectionStore.StoredDocument;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durability: a process ingesting batches is killed with SIGKILL at a random moment, 20 times over the same folder;
 * after each kill the collection opens and holds every document whose batch was acknowledged (its {@code put}
 * returned). The child is a plain JVM on the test class path, without the encoder, so that each run takes a moment.
 */
class KillDuringIngestTest {
  /** The ingesting process: prints {@code ACK <id>} for each document once its batch's put has returned. */
  public static final class Child {
    public static void main(String[] args) {
      Path root = Path.of(args[0]);
      Random random = new Random(Long.parseLong(args[1]));
      try (LuceneCollectionStore store = new LuceneCollectionStore(root, null)) {
        try {
          store.create("durable");
        } catch (CollectionStore.CollectionExists e) {
          // a later run
        }
        System.out.println("READY");
        System.out.flush();
        for (int batch = 0; ; batch++) {
          List<StoredDocument> documents = new ArrayList<>();
          int size = 1 + random.nextInt(8);
          for (int i = 0; i < size; i++) {
            String id = args[1] + "-" + batch + "-" + i;
            documents.add(new StoredDocument(id, "Document " + id, ("Text of " + id + ". ").repeat(
                20 + random.nextInt(200)), Map.of("run", args[1])));
          }
          store.put("durable", documents);
          StringBuilder acks = new StringBuilder();
          for (StoredDocument d : documents) acks.append("ACK ").append(d.id()).append('\n');
          System.out.print(acks);
          System.out.flush();
        }
      }
    }
  }

  @TempDir
  Path root;

  @Test
  void everyAcknowledgedDocumentSurvivesSigkill() throws Exception {
    long seed = Long.getLong("tests.seed", new Random().nextLong());
    Random random = new Random(seed);
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    for (int run = 0; run < 20; run++) {
      Process child = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
          Child.class.getName(), root.toString(), Long.toString(run)).redirectErrorStream(true).start();
      Set<String> thisRun = ConcurrentHashMap.newKeySet();
      Thread reader = new Thread(() -> {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(),
            StandardCharsets.UTF_8))) {
          String line;
          while ((line = in.readLine()) != null) {
            if (line.startsWith("ACK ")) thisRun.add(line.substring(4));
          }
        } catch (java.io.IOException e) {
          // the process is gone
        }
      });
      reader.start();
      long start = System.nanoTime();
      while (thisRun.isEmpty() && child.isAlive() && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(60)) {
        Thread.sleep(10);
      }
      assertTrue(child.isAlive(), "seed " + seed + " run " + run + ": the ingesting process ended by itself");
      Thread.sleep(50 + random.nextInt(400));
      child.destroyForcibly(); // SIGKILL on Unix
      assertTrue(child.waitFor(30, TimeUnit.SECONDS));
      reader.join(10_000);
      acknowledged.addAll(thisRun);
      try (LuceneCollectionStore store = new LuceneCollectionStore(root, null)) {
        long documents = store.info("durable").documents();
        assertTrue(documents >= acknowledged.size(), "seed " + seed + " run " + run + ": " + documents
            + " documents, " + acknowledged.size() + " acknowledged");
        for (String id : thisRun) {
          assertTrue(store.get("durable", id).isPresent(), "seed " + seed + " run " + run + ": " + id + " lost");
        }
      }
    }
    try (LuceneCollectionStore store = new LuceneCollectionStore(root, null)) {
      for (String id : acknowledged) assertTrue(store.get("durable", id).isPresent(), "seed " + seed + ": " + id);
      assertEquals(Set.of("durable"), Set.copyOf(store.list().stream().map(CollectionStore.CollectionInfo::name)
          .toList()));
    }
  }
}
