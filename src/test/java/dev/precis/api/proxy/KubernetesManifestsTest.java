package dev.precis.api.proxy;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.precis.api.EngineReady;
import dev.precis.config.PrecisConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * Every manifest under {@code k8s/} parsed with the fabric8 Kubernetes model classes and checked against the
 * application: ports against the HTTP port it listens on, probe paths against its health endpoints (each is asked
 * here), environment variable names against the configuration keys it reads, the image against the Dockerfile.
 */
@QuarkusTest
class KubernetesManifestsTest {
  static final Path K8S = Path.of("k8s");
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
  static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
      "Deployment", Deployment.class, "Service", Service.class, "ConfigMap", ConfigMap.class,
      "HorizontalPodAutoscaler", HorizontalPodAutoscaler.class, "PodDisruptionBudget", PodDisruptionBudget.class);
  static final Set<String> PROBES = Set.of("/q/health/started", "/q/health/ready", "/q/health/live");
  /** Quarkus settings the manifests may set, besides every precis.* key. */
  static final Set<String> QUARKUS_KEYS = Set.of("quarkus.shutdown.timeout", "quarkus.http.port");

  record Manifest(Path file, HasMetadata resource) {}

  static List<Manifest> manifests(Path dir) throws IOException {
    List<Manifest> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        if (file.getFileName().toString().equals("kustomization.yaml")) continue;
        for (JsonNode doc : YAML.readValues(YAML.createParser(file.toFile()), JsonNode.class).readAll()) {
          String kind = doc.path("kind").asText();
          Class<? extends HasMetadata> type = KINDS.get(kind);
          assertNotNull(type, file + ": unexpected kind '" + kind + "'");
          HasMetadata resource = YAML.treeToValue(doc, type);
          assertNoUnknownFields(file + " " + kind, resource);
          out.add(new Manifest(file, resource));
        }
      }
    }
    return out;
  }

  /** Fields the model does not know land in additionalProperties: a misspelt key shows up there. */
  static void assertNoUnknownFields(String where, Object model) {
    try {
      Object extra = model.getClass().getMethod("getAdditionalProperties").invoke(model);
      assertTrue(((Map<?, ?>) extra).isEmpty(), () -> where + ": unknown fields " + ((Map<?, ?>) extra).keySet());
      Object spec = model.getClass().getMethod("getSpec").invoke(model);
      if (spec != null) assertNoUnknownFields(where + " spec", spec);
    } catch (NoSuchMethodException e) {
      // no spec (ConfigMap)
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  /** Every key of PrecisConfig, as an environment variable name (precis.upstream.url: PRECIS_UPSTREAM_URL). */
  static Set<String> configEnvNames() {
    Set<String> names = new TreeSet<>();
    addKeys(names, "precis", PrecisConfig.class);
    for (String key : QUARKUS_KEYS) names.add(env(key));
    return names;
  }

  /** The keys of a group: its members, and the members of its nested groups (precis.indexes.opensearch.urls). */
  private static void addKeys(Set<String> names, String prefix, Class<?> group) {
    for (Method key : group.getMethods()) {
      String name = prefix + "." + kebab(key.getName());
      if (key.getReturnType().isInterface() && key.getReturnType().getName().startsWith(PrecisConfig.class.getName())) {
        addKeys(names, name, key.getReturnType());
      } else {
        names.add(env(name));
      }
    }
  }

  static String kebab(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }

  static String env(String key) {
    return key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
  }

  static int httpPort() {
    return Integer.parseInt(applicationProperties().get("quarkus.http.port"));
  }

  static Map<String, String> applicationProperties() {
    Map<String, String> props = new HashMap<>();
    try {
      for (String line : Files.readAllLines(Path.of("src/main/resources/application.properties"))) {
        int eq = line.indexOf('=');
        if (!line.startsWith("#") && eq > 0) props.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
      }
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return props;
  }

  @Test
  void theProbePathsAreServed() {
    EngineReady.await(); // readiness is down while the engine loads in the background
    for (String path : PROBES) given().get(path).then().statusCode(200);
  }

  @Test
  void theEnvironmentNamesAreRealSettings() {
    Set<String> known = configEnvNames();
    assertTrue(known.contains("PRECIS_UPSTREAM_URL") && known.contains("PRECIS_PROXY_DEFAULT_CONTEXT_TOKENS"),
        known::toString);
    // Each name maps back to a key the running application resolves.
    assertEquals("4096", ConfigProvider.getConfig().getValue("precis.proxy.default-context-tokens", String.class));
  }

  /**
   * The image fixes the heap the memory figures were measured with, and picks the collector only through the
   * image's GC_CONTAINER_OPTIONS (a second collector option next to the image's default would stop the JVM).
   */
  @Test
  void theImageFixesTheMeasuredHeapAndCollector() throws IOException {
    String dockerfile = Files.readString(Path.of("src/main/docker/Dockerfile.jvm"));
    String opts = dockerfile.lines().filter(l -> l.startsWith("ENV JAVA_OPTS_APPEND=")).findFirst()
        .orElseThrow(() -> new AssertionError("no JAVA_OPTS_APPEND in the Dockerfile"));
    assertTrue(opts.contains("-Xmx256m"), opts);
    assertTrue(opts.contains("--enable-native-access=ALL-UNNAMED"), opts);
    assertFalse(opts.matches(".*-XX:[+]Use\\w+GC.*"), "the collector belongs in GC_CONTAINER_OPTIONS: " + opts);
    assertTrue(dockerfile.contains("ENV GC_CONTAINER_OPTIONS=\"-XX:+UseSerialGC\""), "Serial GC");
    assertFalse(dockerfile.contains("JAVA_MAX_MEM_RATIO"), "the heap is fixed, not a share of the limit");
    for (String dir : List.of("standalone", "sidecar")) {
      Deployment deployment = only(manifests(K8S.resolve(dir)), Deployment.class);
      PodSpec pod = deployment.getSpec().getTemplate().getSpec();
      List<Container> all = new ArrayList<>(pod.getContainers());
      if (pod.getInitContainers() != null) all.addAll(pod.getInitContainers());
      Container precis = container(all, "precis");
      long limit = precis.getResources().getLimits().get("memory").getNumericalAmount().longValue();
      assertTrue(limit >= 1024L * 1024 * 1024, dir + ": memory limit " + limit + " is below 1 GiB; peak RSS "
          + "measured with the image's flags was about 490 MiB");
    }
  }

  @Test
  void standalone() throws IOException {
    List<Manifest> all = manifests(K8S.resolve("standalone"));
    Deployment deployment = only(all, Deployment.class);
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    Container precis = container(pod.getContainers(), "precis");
    checkPrecis(precis, pod, all);

    Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
    assertEquals(deployment.getSpec().getSelector().getMatchLabels(), podLabels);
    Service service = only(all, Service.class);
    assertTrue(podLabels.entrySet().containsAll(service.getSpec().getSelector().entrySet()), "service selector");
    ServicePort port = service.getSpec().getPorts().get(0);
    assertEquals(httpPort(), port.getPort());
    assertTrue(portMatches(port.getTargetPort(), precis), "service targetPort " + port.getTargetPort());

    HorizontalPodAutoscaler hpa = only(all, HorizontalPodAutoscaler.class);
    assertEquals("Deployment", hpa.getSpec().getScaleTargetRef().getKind());
    assertEquals(deployment.getMetadata().getName(), hpa.getSpec().getScaleTargetRef().getName());
    assertTrue(hpa.getSpec().getMinReplicas() >= 2 && hpa.getSpec().getMaxReplicas() > hpa.getSpec().getMinReplicas());
    PodDisruptionBudget pdb = only(all, PodDisruptionBudget.class);
    assertTrue(podLabels.entrySet().containsAll(pdb.getSpec().getSelector().getMatchLabels().entrySet()));
    assertTrue(pdb.getSpec().getMinAvailable().getIntVal() < hpa.getSpec().getMinReplicas(),
        "the PDB must let a node drain");
    checkKustomization(K8S.resolve("standalone"), all);
  }

  @Test
  void sidecar() throws IOException {
    List<Manifest> all = manifests(K8S.resolve("sidecar"));
    Deployment deployment = only(all, Deployment.class);
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    Container precis = container(pod.getInitContainers(), "precis");
    assertEquals("Always", precis.getRestartPolicy(), "a native sidecar");
    checkPrecis(precis, pod, all);
    Container app = container(pod.getContainers(), "app");
    String baseUrl = app.getEnv().stream().filter(e -> e.getName().equals("OPENAI_BASE_URL")).findFirst()
        .orElseThrow().getValue();
    assertEquals("http://localhost:" + httpPort() + "/v1", baseUrl);
    checkKustomization(K8S.resolve("sidecar"), all);
  }

  /**
   * The OpenSearch overlay rendered by kubectl: the standalone service with the backend set, every variable a real
   * setting, the settings a valid cluster configuration, and the CA file on a mounted Secret.
   */
  @Test
  void openSearchOverlay() throws Exception {
    Path kubectl = Path.of("/usr/bin/kubectl");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(kubectl),
        "no /usr/bin/kubectl to render the overlay k8s/opensearch");
    Process p = new ProcessBuilder(kubectl.toString(), "kustomize", K8S.resolve("opensearch").toString())
        .redirectErrorStream(true).start();
    String rendered = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "kubectl kustomize hung");
    assertEquals(0, p.exitValue(), rendered);
    List<Manifest> all = new ArrayList<>();
    for (JsonNode doc : YAML.readValues(YAML.createParser(rendered), JsonNode.class).readAll()) {
      HasMetadata resource = YAML.treeToValue(doc, KINDS.get(doc.path("kind").asText()));
      assertNoUnknownFields("k8s/opensearch " + doc.path("kind").asText(), resource);
      all.add(new Manifest(K8S.resolve("opensearch"), resource));
    }
    Deployment deployment = only(all, Deployment.class);
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    Container precis = container(pod.getContainers(), "precis");
    checkPrecis(precis, pod, all);
    Map<String, String> data = only(all, ConfigMap.class).getData();
    assertEquals("opensearch", data.get("PRECIS_INDEXES_BACKEND"));
    var settings = new dev.precis.index.OpenSearchCollectionStore.Settings(
        List.of(java.net.URI.create(data.get("PRECIS_INDEXES_OPENSEARCH_URLS"))),
        data.get("PRECIS_INDEXES_OPENSEARCH_INDEX_PREFIX"), "user", "password",
        Integer.parseInt(data.get("PRECIS_INDEXES_OPENSEARCH_SHARDS")),
        Integer.parseInt(data.get("PRECIS_INDEXES_OPENSEARCH_REPLICAS")), java.time.Duration.ofSeconds(10), null);
    assertEquals("precis-", settings.indexPrefix());
    Set<String> env = new TreeSet<>();
    precis.getEnv().forEach(e -> env.add(e.getName()));
    assertTrue(env.containsAll(Set.of("PRECIS_INDEXES_OPENSEARCH_USERNAME", "PRECIS_INDEXES_OPENSEARCH_PASSWORD")),
        env::toString);
    Path caFile = Path.of(data.get("PRECIS_INDEXES_OPENSEARCH_CA_FILE"));
    VolumeMount mount = precis.getVolumeMounts().stream().filter(m -> caFile.startsWith(m.getMountPath()))
        .findFirst().orElseThrow(() -> new AssertionError("nothing mounted at " + caFile));
    Volume secret = pod.getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst()
        .orElseThrow();
    assertEquals("precis-opensearch", secret.getSecret().getSecretName());
    assertEquals(caFile.getFileName().toString(), secret.getSecret().getItems().get(0).getPath());
  }

  private void checkPrecis(Container precis, PodSpec pod, List<Manifest> all) throws IOException {
    assertTrue(precis.getImage().startsWith("precis:"), precis.getImage());
    assertTrue(precis.getAdditionalProperties().isEmpty(), () -> "unknown fields " + precis.getAdditionalProperties());
    assertTrue(pod.getAdditionalProperties().isEmpty(), () -> "unknown fields " + pod.getAdditionalProperties());
    assertTrue(Files.readString(Path.of("src/main/docker/Dockerfile.jvm")).contains("EXPOSE " + httpPort()));
    assertEquals(httpPort(), precis.getPorts().get(0).getContainerPort());
    EngineReady.await();
    Map<String, HTTPGetAction> probes = Map.of(
        "/q/health/started", precis.getStartupProbe().getHttpGet(),
        "/q/health/ready", precis.getReadinessProbe().getHttpGet(),
        "/q/health/live", precis.getLivenessProbe().getHttpGet());
    probes.forEach((path, get) -> {
      assertEquals(path, get.getPath());
      assertTrue(portMatches(get.getPort(), precis), path + " port " + get.getPort());
      given().get(get.getPath()).then().statusCode(200);
    });

    Set<String> known = configEnvNames();
    Map<String, String> values = new HashMap<>();
    for (EnvVar e : precis.getEnv()) values.put(e.getName(), e.getValue());
    for (EnvFromSource from : precis.getEnvFrom()) {
      String name = from.getConfigMapRef().getName();
      ConfigMap map = all.stream().map(Manifest::resource).filter(r -> r instanceof ConfigMap)
          .map(ConfigMap.class::cast).filter(c -> c.getMetadata().getName().equals(name)).findFirst()
          .orElseThrow(() -> new AssertionError("no ConfigMap " + name));
      values.putAll(map.getData());
    }
    Set<String> names = values.keySet();
    assertTrue(names.contains("PRECIS_UPSTREAM_URL"), names::toString);
    for (String name : names) assertTrue(known.contains(name), () -> name + " is not a setting of Precis: " + known);

    var pc = pod.getSecurityContext();
    assertTrue(pc.getRunAsNonRoot());
    assertTrue(Files.readString(Path.of("src/main/docker/Dockerfile.jvm")).contains("USER " + pc.getRunAsUser()));
    var sc = precis.getSecurityContext();
    assertTrue(sc.getReadOnlyRootFilesystem());
    assertFalse(sc.getAllowPrivilegeEscalation());
    assertEquals(List.of("ALL"), sc.getCapabilities().getDrop());
    VolumeMount tmp = precis.getVolumeMounts().stream().filter(m -> m.getMountPath().equals("/tmp")).findFirst()
        .orElseThrow(() -> new AssertionError("no writable /tmp for ONNX Runtime's native library"));
    Volume volume = pod.getVolumes().stream().filter(v -> v.getName().equals(tmp.getName())).findFirst().orElseThrow();
    assertNotNull(volume.getEmptyDir());

    assertNotNull(precis.getLifecycle().getPreStop());
    String shutdown = values.get("QUARKUS_SHUTDOWN_TIMEOUT");
    assertNotNull(shutdown, "QUARKUS_SHUTDOWN_TIMEOUT");
    long shutdownSeconds = java.time.Duration.parse("PT" + shutdown.toUpperCase(Locale.ROOT)).toSeconds();
    assertTrue(pod.getTerminationGracePeriodSeconds() > shutdownSeconds + 5,
        "terminationGracePeriodSeconds covers the preStop sleep and quarkus.shutdown.timeout");
    assertNotNull(precis.getResources().getLimits().get("memory"));
    assertNotNull(precis.getResources().getRequests().get("cpu"));
  }

  private static boolean portMatches(IntOrString port, Container container) {
    ContainerPort declared = container.getPorts().get(0);
    return port.getIntVal() != null ? port.getIntVal().equals(declared.getContainerPort())
        : port.getStrVal().equals(declared.getName());
  }

  private static void checkKustomization(Path dir, List<Manifest> all) throws IOException {
    JsonNode k = new ObjectMapper(new YAMLFactory()).readTree(dir.resolve("kustomization.yaml").toFile());
    Set<String> listed = new TreeSet<>();
    k.get("resources").forEach(r -> listed.add(r.asText()));
    Set<String> files = new TreeSet<>();
    for (Manifest m : all) files.add(m.file().getFileName().toString());
    assertEquals(files, listed, "kustomization.yaml lists every manifest");
    assertEquals("precis", k.get("images").get(0).get("name").asText());
    Path kubectl = Path.of("/usr/bin/kubectl");
    if (Files.isExecutable(kubectl)) {
      try {
        Process p = new ProcessBuilder(kubectl.toString(), "kustomize", dir.toString()).redirectErrorStream(true)
            .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "kubectl kustomize hung");
        assertEquals(0, p.exitValue(), out);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static <T extends HasMetadata> T only(List<Manifest> all, Class<T> type) {
    List<T> found = all.stream().map(Manifest::resource).filter(type::isInstance).map(type::cast).toList();
    assertEquals(1, found.size(), type.getSimpleName());
    return found.get(0);
  }

  private static Container container(List<Container> containers, String name) {
    return containers.stream().filter(c -> c.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no container " + name));
  }
}
