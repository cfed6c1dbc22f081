package dev.precis.api;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The playground served by the packaged application, as the README's start command runs it. */
@QuarkusIntegrationTest
class PlaygroundPageIT extends PlaygroundPageTest {}
