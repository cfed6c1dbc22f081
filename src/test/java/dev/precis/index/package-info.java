/**
 * Index: a real OpenSearch for the tests that will run the collection store against both backends (local Lucene
 * indexes and OpenSearch).
 *
 * <p>{@link dev.precis.index.OpenSearchNode#shared()} starts one single-node OpenSearch 3.5.0 (Lucene 10.3.2) with
 * the k-NN plugin per test JVM, on first use, on free loopback ports, and stops it at exit; later test classes
 * reuse it. Nothing is downloaded at test time: the build copies the pinned Maven artifacts
 * {@code org.opensearch.distribution.integ-test-zip:opensearch:3.5.0:zip} and
 * {@code org.opensearch.plugin:opensearch-knn:3.5.0.0:zip} into {@code target/opensearch/} (phase
 * process-test-resources, execution {@code copy-opensearch}), and the first test unpacks them into
 * {@code target/opensearch/node/} (a few seconds, once per {@code mvn clean}). The node itself starts in about
 * 10-30 s. Vectors use the k-NN plugin's {@code lucene} engine (HNSW), which needs no native library.
 *
 * <p>Run only these tests: {@code ./mvnw -B test -Dtest='OpenSearch*Test' -Dsurefire.failIfNoSpecifiedTests=false}
 * (on Java 21 or newer). Options, as system properties: {@code -DskipOpenSearch} (no copy, tests skipped),
 * {@code -Dtest.opensearch.start-timeout-seconds=180}, {@code -Dtest.opensearch.heap=512m}. The node's output is
 * in {@code target/opensearch/run/console.log} and its logs in {@code target/opensearch/run/logs/}.
 *
 * <p>A test that needs the node is skipped, never failed, with the reason in the report, when: the build ran with
 * {@code -DskipOpenSearch} or the zips are missing (an IDE run before {@code ./mvnw process-test-resources});
 * the tests run on a JDK older than 21; they run as root (OpenSearch refuses root) and the user
 * {@code precis-opensearch} cannot be created with {@code useradd}, or neither {@code setpriv} nor {@code runuser}
 * is there; unpacking or the plugin install fails; or the node exits before answering (a port taken twice, too
 * little memory) or does not answer within the timeout. The reason includes the end of the node's console output.
 */
package dev.precis.index;
