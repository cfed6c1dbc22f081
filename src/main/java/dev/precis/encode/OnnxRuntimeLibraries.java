package dev.precis.encode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;

/**
 * Points ONNX Runtime at the native libraries the build unpacked beside the packaged application, so that it does not
 * extract its 28 MB library from the jar into {@code java.io.tmpdir} at every start (about 0.2 s of a cold start, and a
 * writable tmp directory that a read-only container would not have).
 *
 * <p>The package holds them under {@code lib/onnxruntime-<version>/ai/onnxruntime/native/<os>-<arch>/} next to
 * {@code quarkus-run.jar}; they are used only when the application runs as {@code java -jar <that jar>}, the directory
 * carries the version this build was compiled against, both libraries are there, and {@code onnxruntime.native.path}
 * is not already set (a user's own choice wins). Otherwise ONNX Runtime extracts its library as usual.
 */
public final class OnnxRuntimeLibraries {
  /** ONNX Runtime's own system property: the directory it loads its native libraries from. */
  public static final String NATIVE_PATH_PROPERTY = "onnxruntime.native.path";

  static final String LIBRARY = "libonnxruntime.so";
  static final String JNI_LIBRARY = "libonnxruntime4j_jni.so";

  private OnnxRuntimeLibraries() {}

  /**
   * Sets {@code onnxruntime.native.path} to the unpacked libraries when they apply (see the class comment); call it
   * before the first use of ONNX Runtime. Later calls, and calls after ONNX Runtime has loaded, change nothing.
   *
   * @return the directory ONNX Runtime loads from (this one, or the user's), or empty when it extracts its library
   */
  public static synchronized Optional<Path> preferUnpacked() {
    String set = System.getProperty(NATIVE_PATH_PROPERTY);
    if (set != null) return Optional.of(Path.of(set));
    Optional<Path> dir = unpackedDirectory(System.getProperty("java.class.path"), buildVersion(),
        System.getProperty("os.name"), System.getProperty("os.arch"));
    dir.ifPresent(d -> System.setProperty(NATIVE_PATH_PROPERTY, d.toString()));
    return dir;
  }

  /**
   * The directory of unpacked native libraries for an application started with {@code classPath}, or empty.
   *
   * @param classPath the JVM's class path: a single jar when started with {@code java -jar}
   * @param version the ONNX Runtime version the build used, or null when unknown
   */
  static Optional<Path> unpackedDirectory(String classPath, String version, String osName, String osArch) {
    if (classPath == null || classPath.isBlank() || version == null || version.isBlank()) return Optional.empty();
    if (classPath.contains(java.io.File.pathSeparator) || !classPath.endsWith(".jar")) return Optional.empty();
    String platform = platform(osName, osArch);
    if (platform == null) return Optional.empty();
    Path jar;
    try {
      jar = Path.of(classPath).toAbsolutePath();
    } catch (InvalidPathException e) {
      return Optional.empty();
    }
    Path appDirectory = jar.getParent();
    if (appDirectory == null) return Optional.empty();
    Path dir = appDirectory.resolve("lib").resolve("onnxruntime-" + version)
        .resolve("ai").resolve("onnxruntime").resolve("native").resolve(platform);
    boolean complete = Files.isRegularFile(dir.resolve(LIBRARY)) && Files.isRegularFile(dir.resolve(JNI_LIBRARY));
    return complete ? Optional.of(dir) : Optional.empty();
  }

  /** ONNX Runtime's name for the platform ({@code linux-x64}, {@code linux-aarch64}), or null for another one. */
  static String platform(String osName, String osArch) {
    if (osName == null || osArch == null || !osName.toLowerCase(Locale.ROOT).startsWith("linux")) return null;
    return switch (osArch.toLowerCase(Locale.ROOT)) {
      case "amd64", "x86_64" -> "linux-x64";
      case "aarch64", "arm64" -> "linux-aarch64";
      default -> null;
    };
  }

  /** The ONNX Runtime version written into the classpath by the build, or null (an IDE run without filtering). */
  static String buildVersion() {
    try (InputStream in = OnnxRuntimeLibraries.class.getResourceAsStream("onnxruntime.properties")) {
      if (in == null) return null;
      Properties properties = new Properties();
      properties.load(in);
      String version = properties.getProperty("version");
      return version == null || version.startsWith("${") ? null : version.strip();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read onnxruntime.properties", e);
    }
  }
}
