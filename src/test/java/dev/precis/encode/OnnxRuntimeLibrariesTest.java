package dev.precis.encode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxRuntimeLibrariesTest {
  @TempDir Path app;

  private Path unpack(String version, String platform, String... files) throws IOException {
    Path dir = app.resolve("lib/onnxruntime-" + version + "/ai/onnxruntime/native/" + platform);
    Files.createDirectories(dir);
    for (String f : files) Files.writeString(dir.resolve(f), "not a real library");
    return dir;
  }

  private String jar() {
    return app.resolve("quarkus-run.jar").toString();
  }

  @Test
  void findsTheUnpackedLibrariesOfTheBuildsVersionBesideTheJar() throws IOException {
    Path dir = unpack("1.29.0", "linux-x64", OnnxRuntimeLibraries.LIBRARY, OnnxRuntimeLibraries.JNI_LIBRARY);
    assertEquals(Optional.of(dir), OnnxRuntimeLibraries.unpackedDirectory(jar(), "1.29.0", "Linux", "amd64"));
  }

  @Test
  void ignoresAnotherVersionAPartialUnpackOrAnotherPlatform() throws IOException {
    unpack("1.28.0", "linux-x64", OnnxRuntimeLibraries.LIBRARY, OnnxRuntimeLibraries.JNI_LIBRARY);
    unpack("1.29.0", "linux-aarch64", OnnxRuntimeLibraries.LIBRARY);
    assertTrue(OnnxRuntimeLibraries.unpackedDirectory(jar(), "1.29.0", "Linux", "amd64").isEmpty(), "other version");
    assertTrue(OnnxRuntimeLibraries.unpackedDirectory(jar(), "1.29.0", "Linux", "aarch64").isEmpty(), "no JNI library");
    assertTrue(OnnxRuntimeLibraries.unpackedDirectory(jar(), "1.28.0", "Mac OS X", "aarch64").isEmpty(), "not Linux");
  }

  @Test
  void appliesOnlyToASingleJarOnTheClassPathWithAKnownVersion() throws IOException {
    unpack("1.29.0", "linux-x64", OnnxRuntimeLibraries.LIBRARY, OnnxRuntimeLibraries.JNI_LIBRARY);
    String twoEntries = jar() + File.pathSeparator + app.resolve("other.jar");
    assertTrue(OnnxRuntimeLibraries.unpackedDirectory(twoEntries, "1.29.0", "Linux", "amd64").isEmpty());
    assertTrue(OnnxRuntimeLibraries.unpackedDirectory(app.toString(), "1.29.0", "Linux", "amd64").isEmpty());
    assertTrue(OnnxRuntimeLibraries.unpackedDirectory(jar(), null, "Linux", "amd64").isEmpty());
    assertTrue(OnnxRuntimeLibraries.unpackedDirectory(null, "1.29.0", "Linux", "amd64").isEmpty());
  }

  @Test
  void namesPlatformsAsOnnxRuntimeDoes() {
    assertEquals("linux-x64", OnnxRuntimeLibraries.platform("Linux", "x86_64"));
    assertEquals("linux-aarch64", OnnxRuntimeLibraries.platform("Linux", "aarch64"));
    assertNull(OnnxRuntimeLibraries.platform("Windows 11", "amd64"));
    assertNull(OnnxRuntimeLibraries.platform("Linux", "riscv64"));
  }

  @Test
  void theBuildWritesItsOnnxRuntimeVersion() {
    String version = OnnxRuntimeLibraries.buildVersion();
    assertTrue(version != null && version.matches("\\d+\\.\\d+\\.\\d+.*"), "version " + version);
  }
}
