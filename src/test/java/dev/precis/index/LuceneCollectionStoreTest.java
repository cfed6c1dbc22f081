package dev.precis.index;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.precis.encode.SentenceEncoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The collection suite on Lucene indexes in a temporary folder, and what only a local folder can do. */
class LuceneCollectionStoreTest extends CollectionStoreContract {
  @TempDir
  Path root;

  @Override
  CollectionStore open(SentenceEncoder encoder, CollectionStore.DocumentVectors documentVectors) {
    return new LuceneCollectionStore(root, encoder, documentVectors);
  }

  /** Read straight from the index's last commit, as a restarted process would (the open store is not asked). */
  @Override
  long durableDocuments(String name) {
    try {
      return LuceneCollectionStore.committedDocuments(root, name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void anUnwritableFolderRefusesCollectionsButNothingElse() throws Exception {
    Path file = Files.createFile(root.resolve("a-file"));
    try (LuceneCollectionStore store = new LuceneCollectionStore(file.resolve("indexes"), null)) {
      assertTrue(store.list().isEmpty());
      assertThrows(CollectionStore.NoSuchCollection.class, () -> store.get("manuals", "x"));
      CollectionStore.StorageUnavailable e = assertThrows(CollectionStore.StorageUnavailable.class,
          () -> store.create("manuals"));
      assertTrue(e.getMessage().contains("precis.indexes.path"), e.getMessage());
    }
  }
}
