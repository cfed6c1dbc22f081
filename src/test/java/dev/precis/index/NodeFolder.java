package dev.precis.index;

import dev.precis.index.OpenSearchNode.Unavailable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The OpenSearch distribution unpacked with the k-NN plugin installed, and how to launch it.
 *
 * <p>Maven copies the two zips into {@code target/opensearch/} (execution {@code copy-opensearch}); the first
 * {@link #prepare()} of a build unpacks the distribution into {@code target/opensearch/node/}, installs the plugin
 * with {@code bin/opensearch-plugin install --batch file:///...} and writes a marker, so later runs reuse the folder.
 * OpenSearch refuses to run as root: as root this creates the system user {@value #USER} when missing, gives it the
 * folder and starts the node as that user with {@code setpriv} (or {@code runuser}). When that user cannot reach
 * {@code target/} (a parent folder closed to others), the prepared folder is copied to a temporary folder under
 * {@code java.io.tmpdir}, deleted at exit.
 */
final class NodeFolder {
  static final String USER = "precis-opensearch";
  private static final String MARKER = ".prepared";
  private static final String MAIN_CLASS = "org.opensearch.bootstrap.OpenSearch";
  private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(3);

  private final Path home;
  private final Path run;
  private final Path temporaryCopy;
  private final List<String> asUser;
  private final String name;

  private NodeFolder(Path home, Path run, Path temporaryCopy, List<String> asUser, String name) {
    this.home = home;
    this.run = run;
    this.temporaryCopy = temporaryCopy;
    this.asUser = asUser;
    this.name = name;
  }

  /** Unpacks and installs the plugin when not done yet in this build, then readies a fresh run folder. */
  static NodeFolder prepare() throws Unavailable {
    if (Runtime.version().feature() < 21) {
      throw new Unavailable("OpenSearch 3 needs Java 21 or newer; the tests run on " + Runtime.version());
    }
    Path distribution = zip("test.opensearch.zip", "opensearch-[0-9]*.zip");
    Path knn = zip("test.opensearch.knn-zip", "opensearch-knn-*.zip");
    Path base = distribution.toAbsolutePath().getParent();
    Path nodeDir = base.resolve("node");
    String name = fileStem(distribution) + " with " + fileStem(knn);
    Path home;
    try (FileChannel lockFile = FileChannel.open(base.resolve(".lock"), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE); FileLock lock = lockFile.lock()) {
      String expected = distribution.getFileName() + " " + Files.size(distribution) + " " + knn.getFileName() + " "
          + Files.size(knn) + "\n";
      Path marker = nodeDir.resolve(MARKER);
      if (!Files.exists(marker) || !Files.readString(marker).equals(expected)) {
        long started = System.nanoTime();
        deleteTree(nodeDir);
        home = unzip(distribution, nodeDir);
        installPlugin(home, knn, nodeDir.resolve("plugin-install.log"));
        Files.writeString(marker, expected);
        System.out.printf(Locale.ROOT, "[OpenSearchNode] unpacked %s and installed %s in %.1f s%n",
            distribution.getFileName(), knn.getFileName(), (System.nanoTime() - started) / 1e9);
      } else {
        home = homeIn(nodeDir);
      }
    } catch (IOException e) {
      throw new Unavailable("could not prepare " + nodeDir, e);
    }

    List<String> asUser = List.of();
    Path temporaryCopy = null;
    Path run = base.resolve("run");
    if (isRoot()) {
      asUser = switchUserCommand();
      chown(nodeDir);
      if (!reachable(asUser, home)) {
        try {
          temporaryCopy = Files.createTempDirectory("precis-opensearch-");
          home = copyTree(home, temporaryCopy.resolve(home.getFileName()));
          run = temporaryCopy.resolve("run");
          chown(temporaryCopy);
        } catch (IOException e) {
          throw new Unavailable("the user " + USER + " cannot reach " + nodeDir
              + ", and copying it to a temporary folder failed", e);
        }
      }
    }
    stopStaleNode(run.resolve("opensearch.pid"));
    try {
      deleteTree(run);
      for (String dir : List.of("data", "logs", "tmp")) {
        Files.createDirectories(run.resolve(dir));
      }
    } catch (IOException e) {
      throw new Unavailable("could not make the run folder " + run, e);
    }
    if (!asUser.isEmpty()) {
      chown(run);
    }
    return new NodeFolder(home, run, temporaryCopy, asUser, name);
  }

  /** Starts {@code bin/opensearch} on these loopback ports; the caller waits for it to answer. */
  Process launch(int httpPort, int transportPort) throws Unavailable {
    List<String> command = new ArrayList<>(asUser);
    command.addAll(List.of(home.resolve("bin/opensearch").toString(),
        "-Ediscovery.type=single-node",
        "-Enetwork.host=127.0.0.1",
        "-Ehttp.port=" + httpPort,
        "-Etransport.port=" + transportPort,
        "-Epath.data=" + run.resolve("data"),
        "-Epath.logs=" + run.resolve("logs"),
        "-Ecluster.name=precis-test",
        "-Enode.name=precis-test",
        // a nearly full disk must not make the indexes read-only in the middle of a test run
        "-Ecluster.routing.allocation.disk.threshold_enabled=false",
        "-p", run.resolve("opensearch.pid").toString()));
    if (Files.isDirectory(home.resolve("plugins/opensearch-security"))) {
      command.add("-Eplugins.security.disabled=true");
    }
    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(home.toFile())
        .redirectErrorStream(true)
        .redirectOutput(console().toFile());
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(key -> key.startsWith("OPENSEARCH_") || key.equals("JAVA_TOOL_OPTIONS")
        || key.equals("_JAVA_OPTIONS") || key.equals("JDK_JAVA_OPTIONS"));
    env.put("OPENSEARCH_JAVA_HOME", System.getProperty("java.home"));
    env.put("OPENSEARCH_JAVA_OPTS", "-Xms" + heap() + " -Xmx" + heap());
    env.put("OPENSEARCH_TMPDIR", run.resolve("tmp").toString());
    env.put("HOME", run.toString());
    try {
      return builder.start();
    } catch (IOException e) {
      throw new Unavailable("could not run " + command, e);
    }
  }

  Path console() {
    return run.resolve("console.log");
  }

  String consoleTail() {
    return tail(console(), 40);
  }

  String name() {
    return name;
  }

  /** After the node stopped: drops the data (and a temporary copy); the logs stay under target/ for a look. */
  void cleanUp() {
    try {
      deleteTree(temporaryCopy != null ? temporaryCopy : run.resolve("data"));
    } catch (IOException ignored) {
      // best effort at exit
    }
  }

  static String tail(Path file, int lines) {
    try {
      List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
      return all.isEmpty() ? "(no output)" : String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no output: " + e + ")";
    }
  }

  private static String heap() {
    return System.getProperty("test.opensearch.heap", "512m");
  }

  private static Path zip(String property, String glob) throws Unavailable {
    String configured = System.getProperty(property);
    if (configured != null) {
      Path path = Path.of(configured);
      if (Files.isRegularFile(path)) {
        return path;
      }
      throw new Unavailable("no " + path + " (" + property + "): ./mvnw process-test-resources copies it from "
          + "Maven, unless -DskipOpenSearch");
    }
    Path dir = Path.of("target", "opensearch");
    if (Files.isDirectory(dir)) {
      try (DirectoryStream<Path> found = Files.newDirectoryStream(dir, glob)) {
        for (Path path : found) {
          return path;
        }
      } catch (IOException e) {
        throw new Unavailable("could not list " + dir, e);
      }
    }
    throw new Unavailable("no " + dir.resolve(glob) + ": ./mvnw process-test-resources copies it from Maven, "
        + "unless -DskipOpenSearch");
  }

  private static String fileStem(Path zip) {
    String file = zip.getFileName().toString();
    return file.endsWith(".zip") ? file.substring(0, file.length() - 4) : file;
  }

  /** Unpacks into {@code into} and returns the distribution's one top folder; files in bin/ become executable. */
  private static Path unzip(Path zip, Path into) throws IOException {
    Files.createDirectories(into);
    try (ZipFile file = new ZipFile(zip.toFile())) {
      Enumeration<? extends ZipEntry> entries = file.entries();
      while (entries.hasMoreElements()) {
        ZipEntry entry = entries.nextElement();
        Path target = into.resolve(entry.getName()).normalize();
        if (!target.startsWith(into)) {
          throw new IOException("zip entry outside the folder: " + entry.getName());
        }
        if (entry.isDirectory()) {
          Files.createDirectories(target);
          continue;
        }
        Files.createDirectories(target.getParent());
        try (InputStream in = file.getInputStream(entry)) {
          Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
        if (target.getParent().getFileName().toString().equals("bin")) {
          Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
      }
    }
    return homeIn(into);
  }

  private static Path homeIn(Path nodeDir) throws IOException {
    try (Stream<Path> children = Files.list(nodeDir)) {
      return children.filter(p -> Files.isRegularFile(p.resolve("bin/opensearch"))).findFirst()
          .orElseThrow(() -> new IOException("no bin/opensearch under " + nodeDir));
    }
  }

  private static void installPlugin(Path home, Path plugin, Path log) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/opensearch-plugin").toString(), "install",
        "--batch", plugin.toAbsolutePath().toUri().toString())
        .directory(home.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().put("OPENSEARCH_JAVA_HOME", System.getProperty("java.home"));
    int exit = await(builder.start());
    if (exit != 0) {
      throw new IOException("bin/opensearch-plugin install " + plugin.getFileName() + " exited with " + exit + ":\n"
          + tail(log, 15));
    }
  }

  private static boolean isRoot() {
    try {
      return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }

  /** The command prefix that runs a command as {@value #USER}, creating that user when missing. */
  private static List<String> switchUserCommand() throws Unavailable {
    String why = "the tests run as root and OpenSearch refuses to run as root";
    if (run(List.of("id", "-u", USER)).exit() != 0) {
      Result added = run(List.of("useradd", "--system", "--no-create-home", "--user-group", "--shell",
          "/usr/sbin/nologin", USER));
      if (added.exit() != 0) {
        throw new Unavailable(why + ", and creating the user " + USER + " to run it failed: " + added.output());
      }
    }
    String uid = run(List.of("id", "-u", USER)).output().strip();
    String gid = run(List.of("id", "-g", USER)).output().strip();
    if (onPath("setpriv")) {
      return List.of("setpriv", "--reuid=" + uid, "--regid=" + gid, "--init-groups", "--");
    }
    if (onPath("runuser")) {
      return List.of("runuser", "-u", USER, "--");
    }
    throw new Unavailable(why + ", and neither setpriv nor runuser is installed to run it as " + USER);
  }

  private static boolean reachable(List<String> asUser, Path home) throws Unavailable {
    List<String> command = new ArrayList<>(asUser);
    command.addAll(List.of("test", "-x", home.resolve("bin/opensearch").toString(), "-a", "-w",
        home.resolve("config").toString()));
    return run(command).exit() == 0;
  }

  private static void chown(Path path) throws Unavailable {
    Result result = run(List.of("chown", "-R", USER + ":", path.toString()));
    if (result.exit() != 0) {
      throw new Unavailable("could not give " + path + " to " + USER + ": " + result.output());
    }
  }

  /** A node left running by a test JVM that was killed before its shutdown hook ran. */
  private static void stopStaleNode(Path pidFile) {
    try {
      long pid = Long.parseLong(Files.readString(pidFile).strip());
      ProcessHandle.of(pid)
          .filter(p -> p.info().commandLine().orElse("").contains(MAIN_CLASS))
          .ifPresent(p -> {
            System.out.println("[OpenSearchNode] stopping the node left running as process " + pid);
            p.destroy();
            try {
              p.onExit().get(20, TimeUnit.SECONDS);
            } catch (Exception e) {
              p.destroyForcibly();
            }
          });
    } catch (IOException | NumberFormatException e) {
      // none left
    }
  }

  private static boolean onPath(String command) {
    String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
    for (String dir : (path + ":/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }

  private record Result(int exit, String output) {}

  private static Result run(List<String> command) throws Unavailable {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      process.getOutputStream().close();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return new Result(await(process), output.strip());
    } catch (IOException e) {
      return new Result(-1, String.valueOf(e));
    }
  }

  private static int await(Process process) throws IOException {
    try {
      if (!process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException(process.info().command().orElse("a command") + " took over " + COMMAND_TIMEOUT);
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private static Path copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path source : (Iterable<Path>) paths::iterator) {
        Path target = to.resolve(from.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else {
          Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
    return to;
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(path);
      }
    }
  }
}
