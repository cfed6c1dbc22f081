package dev.precis.api;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * Request bodies are read strictly, so that a mistake becomes a 400 naming the field instead of a silent guess: a
 * fraction where an integer belongs ({@code "maxTokens": 99.5}) is refused rather than truncated. Unknown fields are
 * refused too ({@code quarkus.jackson.fail-on-unknown-properties=true} in application.properties).
 */
@Singleton
public class StrictJson implements ObjectMapperCustomizer {
  @Override
  public void customize(ObjectMapper mapper) {
    mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
  }
}
