package dev.precis.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.precis.engine.Compression;
import dev.precis.engine.Explanation;
import java.util.List;
import java.util.Locale;

/** The JSON body answering {@code POST /v1/compress}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CompressResponseBody(
    String text,
    String encoding,
    List<DocumentResult> documents,
    Usage usage,
    Timings timings,
    List<UnitResult> units,
    List<SectionResult> sections,
    String ref) {

  public record DocumentResult(String id, int index, String decision, int tokensBefore, int tokensAfter,
      Double score, String format) {}

  public record Usage(int inputTokens, int outputTokens, int maxTokens, double ratio, int savedTokens) {}

  public record Timings(double segmentMs, double rankMs, double summariseMs, double refineMs, double renderMs,
      double totalMs) {}

  public record UnitResult(int document, int start, int end, boolean kept, String reason, double score,
      Explanation explanation, String locator, String note) {}

  public record SectionResult(int document, int start, int end, String heading, double score, int units,
      int keptUnits, String decision) {}

  static CompressResponseBody from(Compression c, String encoding, boolean explain) {
    return from(c, encoding, explain, null);
  }

  /** @param ref the reference of the elided input, or null */
  static CompressResponseBody from(Compression c, String encoding, boolean explain, String ref) {
    List<DocumentResult> documents = c.documents().stream()
        .map(d -> new DocumentResult(d.id(), d.index(), d.decision().name().toLowerCase(Locale.ROOT),
            d.tokensBefore(), d.tokensAfter(), d.score(), d.format().label()))
        .toList();
    Compression.Usage u = c.usage();
    Compression.StageTimings t = c.timings();
    List<UnitResult> units = explain
        ? c.units().stream().map(x -> new UnitResult(x.document(), x.start(), x.end(), x.kept(), x.reason(),
            Math.round(x.score() * 1_000_000.0) / 1_000_000.0, x.explanation(), x.locator(), x.note())).toList()
        : null;
    List<SectionResult> sections = explain
        ? c.sections().stream().map(x -> new SectionResult(x.document(), x.start(), x.end(), x.heading(), x.score(),
            x.units(), x.keptUnits(), x.decision())).toList()
        : null;
    return new CompressResponseBody(c.text(), encoding, documents,
        new Usage(u.inputTokens(), u.outputTokens(), u.maxTokens(), Math.round(u.ratio() * 1000.0) / 1000.0,
            u.inputTokens() - u.outputTokens()),
        new Timings(t.segmentMs(), t.rankMs(), t.summariseMs(), t.refineMs(), t.renderMs(), t.totalMs()),
        units, sections, ref);
  }
}
