package dev.precis.index;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.hc.core5.http.HttpHost;
import org.opensearch.client.json.jackson.JacksonJsonpMapper;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.transport.OpenSearchTransport;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5TransportBuilder;
import org.opentest4j.TestAbortedException;

/**
 * One real single-node OpenSearch 3.5.0 (Lucene 10.3.2) with the k-NN plugin for the whole test run, started on
 * first use and stopped by a shutdown hook, so that later test classes (the collection store against both backends)
 * reuse it. {@code OpenSearchNode.shared().client()} gives a ready client of the official Java client.
 *
 * <p>Nothing is downloaded at test time: the build copies the pinned Maven artifacts
 * {@code org.opensearch.distribution.integ-test-zip:opensearch:3.5.0:zip} and
 * {@code org.opensearch.plugin:opensearch-knn:3.5.0.0:zip} into {@code target/opensearch/} (phase
 * process-test-resources, execution {@code copy-opensearch}); the first test after {@code mvn clean} unpacks them
 * into {@code target/opensearch/node/} (about 5 s, see {@link NodeFolder}); the node then starts in 10-30 s. It
 * listens on loopback only, on free ports, with a 512 MB heap; its data, logs and console output
 * ({@code console.log}) are under {@code target/opensearch/run/}. Vectors use the k-NN plugin's {@code lucene}
 * engine (HNSW), which needs no native library.
 *
 * <p>Run only these tests: {@code ./mvnw -B test -Dtest='OpenSearch*Test' -Dsurefire.failIfNoSpecifiedTests=false}
 * on Java 21 or newer. System properties: {@code -DskipOpenSearch} (no copy, tests skipped),
 * {@code -Dtest.opensearch.start-timeout-seconds=180}, {@code -Dtest.opensearch.heap=512m}.
 *
 * <p>{@link #shared()} throws a {@link TestAbortedException} (JUnit reports a skip, with the reason and the end of
 * the node's console output) when: the build ran with {@code -DskipOpenSearch} or the zips are missing (an IDE run
 * before {@code ./mvnw process-test-resources}); the JDK is older than 21; the tests run as root (OpenSearch refuses
 * root) and the user {@code precis-opensearch} cannot be created with {@code useradd}, or neither {@code setpriv}
 * nor {@code runuser} is there; unpacking or the plugin install fails; the node exits before answering (a port
 * taken twice, too little memory); or it does not answer within the timeout. Every later call gives the same reason.
 * Call it in {@code @BeforeEach} or in the test, not in {@code @BeforeAll}: Surefire reports a class aborted in
 * {@code @BeforeAll} as "Tests run: 0", without the reason. A test that runs against several backends can ask
 * {@link #unavailableReason()} first.
 */
public final class OpenSearchNode {
  /**
   * Where the one node's state lives: a system property, because Quarkus loads test classes in more than one class
   * loader and all of them must reach the same node (as {@code FakeUpstream} does). Only JDK types are kept there:
   * {@code port} (Integer) once it answers, or {@code unavailable} (String) saying why it does not.
   */
  private static final String STATE = "precis.test.opensearch-node";
  private static final Duration POLL = Duration.ofMillis(250);
  private static volatile OpenSearchNode shared;

  private final int port;
  private final OpenSearchClient client;

  private OpenSearchNode(int port) {
    this.port = port;
    OpenSearchTransport transport = ApacheHttpClient5TransportBuilder.builder(new HttpHost("http", "127.0.0.1", port))
        .setMapper(new JacksonJsonpMapper())
        .build();
    this.client = new OpenSearchClient(transport);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        transport.close();
      } catch (IOException | RuntimeException ignored) {
        // the JVM is going away
      }
    }, "opensearch-client-close"));
  }

  /**
   * The node of this test run, started on first use (about 10-30 s, plus a few seconds to unpack the distribution
   * the first time after {@code mvn clean}).
   *
   * @throws TestAbortedException when the node cannot run here, with the reason; every later call throws the same
   */
  public static synchronized OpenSearchNode shared() {
    if (shared == null) {
      Map<String, Object> state = state();
      Object reason = state.get("unavailable");
      if (reason != null) {
        throw new TestAbortedException((String) reason);
      }
      shared = new OpenSearchNode((Integer) state.get("port"));
    }
    return shared;
  }

  /** Empty when the shared node runs (starting it if needed), else why it cannot. */
  public static Optional<String> unavailableReason() {
    return Optional.ofNullable((String) state().get("unavailable"));
  }

  /** {@code http://127.0.0.1:PORT}, without a trailing slash. */
  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** A client of the official Java client over Apache HttpClient 5, closed at JVM exit. */
  public OpenSearchClient client() {
    return client;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> state() {
    synchronized (System.getProperties()) {
      Object existing = System.getProperties().get(STATE);
      if (existing != null) {
        return (Map<String, Object>) existing;
      }
      Map<String, Object> state = new ConcurrentHashMap<>();
      try {
        state.put("port", start());
      } catch (Unavailable e) {
        state.put("unavailable", "OpenSearch node not available: " + e.getMessage());
        System.out.println("[OpenSearchNode] " + state.get("unavailable"));
      }
      System.getProperties().put(STATE, state);
      return state;
    }
  }

  /** Why the node cannot run here; turned into a skip. */
  static final class Unavailable extends Exception {
    Unavailable(String message) {
      super(message);
    }

    Unavailable(String message, Throwable cause) {
      super(message + ": " + cause, cause);
    }
  }

  private static int start() throws Unavailable {
    if (Boolean.getBoolean("test.opensearch.skip")) {
      throw new Unavailable("skipped by -DskipOpenSearch (test.opensearch.skip=true)");
    }
    long started = System.nanoTime();
    NodeFolder folder = NodeFolder.prepare();
    long prepared = System.nanoTime();
    Duration timeout = Duration.ofSeconds(Long.getLong("test.opensearch.start-timeout-seconds", 180));
    Process process = null;
    int port = 0;
    for (int attempt = 1; process == null; attempt++) {
      int[] ports = freePorts();
      Process candidate = folder.launch(ports[0], ports[1]);
      try {
        awaitAnswer(candidate, ports[0], timeout, folder.console());
        process = candidate;
        port = ports[0];
      } catch (Unavailable e) {
        stop(candidate);
        boolean portTaken = folder.consoleTail().contains("BindException")
            || folder.consoleTail().contains("Address already in use");
        if (!portTaken || attempt == 2) {
          throw e;
        }
      }
    }
    Process node = process;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stop(node);
      folder.cleanUp();
    }, "opensearch-node-stop"));
    System.out.printf(Locale.ROOT, "[OpenSearchNode] %s answers at http://127.0.0.1:%d (prepared in %.1f s, started in %.1f s)%n",
        folder.name(), port, (prepared - started) / 1e9, (System.nanoTime() - prepared) / 1e9);
    return port;
  }

  private static void awaitAnswer(Process process, int port, Duration timeout, Path console) throws Unavailable {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    HttpRequest health = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/_cluster/health?wait_for_status=yellow&timeout=1s"))
        .timeout(Duration.ofSeconds(5))
        .build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new Unavailable("the node exited with code " + process.exitValue() + " before answering; the end of "
            + console + ":\n" + NodeFolder.tail(console, 15));
      }
      try {
        if (http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new Unavailable("interrupted while waiting for the node", e);
      }
      try {
        Thread.sleep(POLL);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new Unavailable("interrupted while waiting for the node", e);
      }
    }
    throw new Unavailable("the node did not answer within " + timeout.toSeconds()
        + " s (-Dtest.opensearch.start-timeout-seconds); the end of " + console + ":\n" + NodeFolder.tail(console, 15));
  }

  /** Two free loopback ports, HTTP and transport. Another process may take one before the node binds it. */
  private static int[] freePorts() throws Unavailable {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      int[] ports = new int[2];
      for (int i = 0; i < ports.length; i++) {
        ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        sockets.add(socket);
        ports[i] = socket.getLocalPort();
      }
      return ports;
    } catch (IOException e) {
      throw new Unavailable("no free loopback port", e);
    } finally {
      for (ServerSocket socket : sockets) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // nothing held
        }
      }
    }
  }

  /** SIGTERM to the node (and anything its start script still runs), SIGKILL after 20 s. */
  static void stop(Process process) {
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    children.forEach(ProcessHandle::destroy);
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }
}
