package dev.precis.api;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same requests against the packaged application ({@code ./mvnw verify -DskipITs=false}). */
@QuarkusIntegrationTest
class CompressResourceIT extends CompressResourceTest {}
