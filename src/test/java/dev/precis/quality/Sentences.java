package dev.precis.quality;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The simple sentence split of the eval protocol: a sentence ends at {@code .}, {@code !} or {@code ?} followed by
 * whitespace. Each sentence is returned exactly as it appears in the text (inner whitespace and newlines kept),
 * without the whitespace between sentences; empty pieces are dropped.
 */
public final class Sentences {

  private static final Pattern BOUNDARY = Pattern.compile("(?<=[.!?])\\s+");

  private Sentences() {}

  public static List<String> split(String text) {
    List<String> out = new ArrayList<>();
    for (String piece : BOUNDARY.split(text.strip())) {
      if (!piece.isEmpty()) out.add(piece);
    }
    return out;
  }
}
