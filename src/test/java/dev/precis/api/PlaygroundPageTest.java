package dev.precis.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * The playground is served at {@code /} with its script and style, and refers to nothing outside the service (no
 * CDN, no external fonts). The browser tests are in {@link PlaygroundBrowserTest}.
 */
@QuarkusTest
class PlaygroundPageTest {

  @Test
  void thePageIsServedAtTheRoot() {
    given().when().get("/")
        .then().statusCode(200)
        .contentType(startsWith("text/html"))
        .header("Cache-Control", not(containsString("immutable")))
        .body(containsString("<title>Precis playground</title>"))
        .body(containsString("src=\"playground/playground.js\""))
        .body(containsString("href=\"playground/playground.css\""))
        .body(not(containsString("http://")))
        .body(not(containsString("https://")));
  }

  @Test
  void itsScriptAndStyleAreServedAndCallOnlyThisService() {
    given().when().get("/playground/playground.js")
        .then().statusCode(200)
        .contentType(containsString("javascript"))
        .body(containsString("fetch('v1/compress'"))
        .body(containsString("fetch('v1/encodings')"))
        .body(not(containsString("http://")))
        .body(not(containsString("https://")));
    given().when().get("/playground/playground.css")
        .then().statusCode(200)
        .contentType(startsWith("text/css"))
        .body(containsString("prefers-color-scheme: dark"))
        .body(not(containsString("@import")))
        .body(not(containsString("url(")));
  }
}
