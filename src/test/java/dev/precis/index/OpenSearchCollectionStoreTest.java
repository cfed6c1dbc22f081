package dev.precis.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.precis.encode.SentenceEncoder;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The collection suite against a real OpenSearch node ({@link OpenSearchNode}), each test under an index prefix of
 * its own, and what only a cluster can get wrong. Skipped, with the reason, where the node cannot run.
 */
class OpenSearchCollectionStoreTest extends CollectionStoreContract {
  private static final AtomicLong TESTS = new AtomicLong();
  private OpenSearchNode node;
  private String prefix;

  @BeforeEach
  void node() {
    node = OpenSearchNode.shared();
    prefix = "test-" + ProcessHandle.current().pid() + "-" + TESTS.incrementAndGet() + "-";
  }

  private OpenSearchCollectionStore.Settings settings(String url) {
    return new OpenSearchCollectionStore.Settings(List.of(URI.create(url)), prefix, null, null, 1, 0,
        Duration.ofSeconds(30), null);
  }

  @Override
  CollectionStore open(SentenceEncoder encoder, CollectionStore.DocumentVectors documentVectors) {
    return new OpenSearchCollectionStore(settings(node.baseUrl()), encoder, documentVectors);
  }

  @Test
  void theIndexIsNamedByThePrefixAndForeignIndexesAreNotCollections() throws IOException {
    try (CollectionStore store = open(new HashingEncoder())) {
      store.create("manuals");
      assertTrue(node.client().indices().exists(e -> e.index(prefix + "manuals")).value());
      node.client().indices().create(c -> c.index(prefix + "not-ours"));
      assertEquals(List.of("manuals"), store.list().stream().map(CollectionStore.CollectionInfo::name).toList());
      assertThrows(CollectionStore.NoSuchCollection.class, () -> store.info("not-ours"));
      assertTrue(store.drop("manuals"));
      assertFalse(node.client().indices().exists(e -> e.index(prefix + "manuals")).value());
    }
  }

  @Test
  void aCollectionDroppedByAnotherReplicaIsNotRecreatedByAWrite() throws IOException {
    try (CollectionStore one = open(new HashingEncoder()); CollectionStore other = open(new HashingEncoder())) {
      one.create("manuals");
      one.put("manuals", manuals().subList(0, 1));
      assertTrue(other.drop("manuals"));
      assertThrows(CollectionStore.NoSuchCollection.class, () -> one.put("manuals", manuals()));
      assertFalse(node.client().indices().exists(e -> e.index(prefix + "manuals")).value(),
          "no bare index made by the write");
      assertThrows(CollectionStore.NoSuchCollection.class, () -> one.search("manuals", "vacuum", 3, Map.of()));
    }
  }

  @Test
  void anUnreachableClusterIsUnavailableNamingTheSetting() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    try (CollectionStore store = new OpenSearchCollectionStore(new OpenSearchCollectionStore.Settings(
        List.of(URI.create("http://127.0.0.1:" + closedPort)), prefix, null, null, 1, 0, Duration.ofSeconds(2),
        null), null)) {
      CollectionStore.StorageUnavailable e = assertThrows(CollectionStore.StorageUnavailable.class,
          () -> store.create("manuals"));
      assertTrue(e.getMessage().contains("precis.indexes.opensearch.urls"), e.getMessage());
      assertThrows(CollectionStore.StorageUnavailable.class, () -> store.get("manuals", "x"));
    }
  }

  @Test
  void settingsAreCheckedWithTheKeyToFix() {
    IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () ->
        new OpenSearchCollectionStore.Settings(List.of(), "precis-", null, null, 1, 1, Duration.ofSeconds(1), null));
    assertTrue(none.getMessage().contains("precis.indexes.opensearch.urls"), none.getMessage());
    IllegalArgumentException scheme = assertThrows(IllegalArgumentException.class, () ->
        new OpenSearchCollectionStore.Settings(List.of(URI.create("opensearch:9200")), "precis-", null, null, 1, 1,
            Duration.ofSeconds(1), null));
    assertTrue(scheme.getMessage().contains("'opensearch:9200'"), scheme.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new OpenSearchCollectionStore.Settings(
        List.of(URI.create("http://o:9200")), "Precis", null, null, 1, 1, Duration.ofSeconds(1), null));
    assertThrows(IllegalArgumentException.class, () -> new OpenSearchCollectionStore.Settings(
        List.of(URI.create("http://o:9200")), "precis-", "user", null, 1, 1, Duration.ofSeconds(1), null));
  }

  /**
   * An https cluster whose certificate only the configured CA file vouches for: trusted with the file, refused (as
   * unavailable, naming the setting to check) without it. The "cluster" is a JDK HTTPS server answering every call
   * with an empty JSON object, enough for listing no collections.
   */
  @Test
  void anHttpsClusterIsTrustedThroughTheCaFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Path keystore = dir.resolve("server.p12");
    java.nio.file.Path pem = dir.resolve("ca.pem");
    String keytool = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    run(keytool, "-genkeypair", "-alias", "server", "-keyalg", "EC", "-dname", "CN=localhost", "-ext",
        "san=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(),
        "-storepass", "changeit");
    run(keytool, "-exportcert", "-rfc", "-alias", "server", "-keystore", keystore.toString(), "-storepass",
        "changeit", "-file", pem.toString());
    java.security.KeyStore keys = java.security.KeyStore.getInstance("PKCS12");
    try (var in = java.nio.file.Files.newInputStream(keystore)) {
      keys.load(in, "changeit".toCharArray());
    }
    var keyManagers =
        javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
    keyManagers.init(keys, "changeit".toCharArray());
    javax.net.ssl.SSLContext serverTls = javax.net.ssl.SSLContext.getInstance("TLS");
    serverTls.init(keyManagers.getKeyManagers(), null, null);
    var server = com.sun.net.httpserver.HttpsServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    server.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(serverTls));
    server.createContext("/", exchange -> {
      byte[] body = "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    try {
      URI url = URI.create("https://127.0.0.1:" + server.getAddress().getPort());
      try (CollectionStore store = new OpenSearchCollectionStore(new OpenSearchCollectionStore.Settings(List.of(url),
          prefix, null, null, 1, 0, Duration.ofSeconds(5), pem), null)) {
        assertTrue(store.list().isEmpty());
      }
      try (CollectionStore store = new OpenSearchCollectionStore(new OpenSearchCollectionStore.Settings(List.of(url),
          prefix, null, null, 1, 0, Duration.ofSeconds(5), null), null)) {
        CollectionStore.StorageUnavailable e = assertThrows(CollectionStore.StorageUnavailable.class, store::list);
        assertTrue(e.getMessage().contains("precis.indexes.opensearch.ca-file"), e.getMessage());
      }
    } finally {
      server.stop(0);
    }
    java.nio.file.Path garbage = java.nio.file.Files.writeString(dir.resolve("garbage.pem"), "not a certificate");
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
        () -> OpenSearchCollectionStore.trusting(garbage));
    assertTrue(bad.getMessage().contains("precis.indexes.opensearch.ca-file"), bad.getMessage());
  }

  private static void run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
  }
}
