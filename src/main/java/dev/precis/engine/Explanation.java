package dev.precis.engine;

import java.util.List;

/** A score and how it was made, as a small tree (after Lucene's {@code Explanation}). */
public record Explanation(double value, String description, List<Explanation> details) {
  public Explanation {
    details = details == null ? List.of() : List.copyOf(details);
  }

  public static Explanation of(double value, String description, Explanation... details) {
    return new Explanation(value, description, List.of(details));
  }
}
