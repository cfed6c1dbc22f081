package dev.precis.rank;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/**
 * A fitted fusion: a logistic regression over the {@link FusionFeature}s of a unit, fitted offline to tell the units
 * that hold the answer from the rest. A unit's score is {@code intercept + sum (weight_i + chunked * chunkedWeight_i)
 * * feature_i}, where {@code chunked} is the request's {@link FusionFeature#CHUNKED} share: a context of chunks cut
 * mid-sentence (retrieved passages) and one of whole paragraphs or one long document want different weights. Each
 * term is a feature's contribution, which {@code explain} shows.
 *
 * <p>A weights file is a properties file: {@code intercept}, {@code weight.<feature key>} and {@code
 * chunked.<feature key>} per feature (a missing one is 0), and {@code source}, the command and data that made it.
 *
 * @param source the command and data that made the weights
 * @param intercept the score of a unit whose features are all 0
 * @param weights one weight per {@link FusionFeature}, in its order
 * @param chunkedWeights one weight per {@link FusionFeature}, added to its weight in proportion to the chunked share
 * @param handForSections whether a request with a document of several sections (a long document) is scored by the
 *     hand-set weights instead (key {@code sections=hand}; the fit saw too few long documents to be trusted there)
 * @param candidateWeights the cheap score that chooses the units the encoder embeds, one weight per {@link
 *     #CANDIDATE_FEATURES} entry (keys {@code candidate.<name>}), fitted for the answer unit to be among them; empty
 *     for the hand-set cheap score
 */
public record FusionModel(String source, double intercept, double[] weights, double[] chunkedWeights,
    boolean handForSections, double[] candidateWeights) {
  /**
   * The cheap features of the candidate stage, each as the ranker's cheap score uses it: the unit's and its
   * document's BM25 and soft match, its section heading's, and {@code 1 / (1 + position after the lead)}.
   */
  public static final List<String> CANDIDATE_FEATURES = List.of(
      "lexical", "documentLexical", "soft", "documentSoft", "headingLexical", "headingSoft", "lead");

  /** Where the bundled weights are, on the classpath. */
  public static final String RESOURCE = "/dev/precis/rank/fusion-weights.properties";

  public FusionModel {
    if (source == null || source.isBlank()) {
      throw new IllegalArgumentException("illegal source: blank, must name the command and data that made the weights");
    }
    if (weights == null || weights.length != FusionFeature.values().length) {
      throw new IllegalArgumentException("illegal weights: " + (weights == null ? "null" : weights.length + " values")
          + ", must be one per feature (" + FusionFeature.values().length + ")");
    }
    if (chunkedWeights == null || chunkedWeights.length != FusionFeature.values().length) {
      throw new IllegalArgumentException("illegal chunkedWeights: "
          + (chunkedWeights == null ? "null" : chunkedWeights.length + " values") + ", must be one per feature ("
          + FusionFeature.values().length + ")");
    }
    if (candidateWeights == null) candidateWeights = new double[0];
    if (candidateWeights.length != 0 && candidateWeights.length != CANDIDATE_FEATURES.size()) {
      throw new IllegalArgumentException("illegal candidateWeights: " + candidateWeights.length + " values, must be "
          + "none (the hand-set cheap score) or one per candidate feature (" + CANDIDATE_FEATURES.size() + ")");
    }
    for (double w : candidateWeights) {
      if (!Double.isFinite(w)) {
        throw new IllegalArgumentException("illegal candidate weight: " + w + ", must be finite");
      }
    }
    candidateWeights = candidateWeights.clone();
    weights = weights.clone();
    chunkedWeights = chunkedWeights.clone();
    for (int i = 0; i < weights.length; i++) {
      if (!Double.isFinite(weights[i]) || !Double.isFinite(chunkedWeights[i])) {
        throw new IllegalArgumentException("illegal weight of " + FusionFeature.values()[i].key() + ": " + weights[i]
            + " (chunked " + chunkedWeights[i] + "), must be finite");
      }
    }
    if (!Double.isFinite(intercept)) {
      throw new IllegalArgumentException("illegal intercept: " + intercept + ", must be finite");
    }
  }

  @Override
  public double[] weights() {
    return weights.clone();
  }

  @Override
  public double[] chunkedWeights() {
    return chunkedWeights.clone();
  }

  @Override
  public double[] candidateWeights() {
    return candidateWeights.clone();
  }

  /** Whether the candidate stage's cheap score is fitted too. */
  public boolean fittedCandidates() {
    return candidateWeights.length > 0;
  }

  /** The fitted cheap score of a unit, from its {@link #CANDIDATE_FEATURES} values. */
  public double candidateScore(double[] cheap) {
    double s = 0;
    for (int i = 0; i < candidateWeights.length; i++) s += candidateWeights[i] * cheap[i];
    return s;
  }

  /** This model with another candidate stage (empty: the hand-set cheap score). */
  public FusionModel withCandidateWeights(double[] candidate) {
    return new FusionModel(source, intercept, weights, chunkedWeights, handForSections, candidate);
  }

  public double weight(FusionFeature feature) {
    return weights[feature.ordinal()];
  }

  public double chunkedWeight(FusionFeature feature) {
    return chunkedWeights[feature.ordinal()];
  }

  /** A feature's weight in a request of this chunked share. */
  public double effectiveWeight(FusionFeature feature, double chunked) {
    return weights[feature.ordinal()] + chunked * chunkedWeights[feature.ordinal()];
  }

  /** The score of a unit with these features: the log-odds (up to a constant per request) that it holds the answer. */
  public double score(double[] features) {
    double chunked = features[FusionFeature.CHUNKED.ordinal()];
    double z = intercept;
    for (int i = 0; i < weights.length; i++) z += (weights[i] + chunked * chunkedWeights[i]) * features[i];
    return z;
  }

  /** The weights bundled with the application ({@link #RESOURCE}), read once. */
  public static FusionModel bundled() {
    return Bundled.MODEL;
  }

  private static final class Bundled {
    static final FusionModel MODEL = read();
  }

  private static FusionModel read() {
    try (InputStream in = FusionModel.class.getResourceAsStream(RESOURCE)) {
      if (in == null) throw new IllegalStateException("missing resource " + RESOURCE + ": the fitted fusion weights");
      Properties p = new Properties();
      p.load(in);
      return of(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }

  /** A model from the properties of a weights file. */
  public static FusionModel of(Properties p) {
    double[] weights = new double[FusionFeature.values().length];
    double[] chunkedWeights = new double[weights.length];
    double[] candidate = new double[CANDIDATE_FEATURES.size()];
    boolean anyCandidate = false;
    for (String name : p.stringPropertyNames()) {
      if (name.startsWith("candidate.")) {
        int i = CANDIDATE_FEATURES.indexOf(name.substring("candidate.".length()));
        if (i < 0) {
          throw new IllegalArgumentException("illegal candidate feature in fusion weights: " + name
              + ", must be one of " + CANDIDATE_FEATURES);
        }
        candidate[i] = Double.parseDouble(p.getProperty(name));
        anyCandidate = true;
        continue;
      }
      if (name.startsWith("weight.")) {
        weights[FusionFeature.ofKey(name.substring("weight.".length())).ordinal()] =
            Double.parseDouble(p.getProperty(name));
      } else if (name.startsWith("chunked.")) {
        chunkedWeights[FusionFeature.ofKey(name.substring("chunked.".length())).ordinal()] =
            Double.parseDouble(p.getProperty(name));
      } else if (!name.equals("intercept") && !name.equals("source") && !name.equals("sections")) {
        throw new IllegalArgumentException("illegal key in fusion weights: " + name
            + ", must be source, intercept, sections, weight.<feature>, chunked.<feature> or candidate.<feature>");
      }
    }
    String sections = p.getProperty("sections", "fitted");
    if (!sections.equals("hand") && !sections.equals("fitted")) {
      throw new IllegalArgumentException(
          "illegal sections in fusion weights: " + sections + ", must be hand or fitted");
    }
    return new FusionModel(p.getProperty("source", ""), Double.parseDouble(p.getProperty("intercept", "0")), weights,
        chunkedWeights, sections.equals("hand"), anyCandidate ? candidate : new double[0]);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FusionModel m && source.equals(m.source) && intercept == m.intercept
        && Arrays.equals(weights, m.weights) && Arrays.equals(chunkedWeights, m.chunkedWeights)
        && handForSections == m.handForSections && Arrays.equals(candidateWeights, m.candidateWeights);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * (31 * source.hashCode() + Double.hashCode(intercept)) + Arrays.hashCode(weights))
        + Arrays.hashCode(chunkedWeights) + (handForSections ? 1 : 0) + 7 * Arrays.hashCode(candidateWeights);
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("FusionModel[intercept=" + intercept);
    for (FusionFeature f : FusionFeature.values()) {
      s.append(String.format(Locale.ROOT, ", %s=%.3f%+.3fc", f.key(), weight(f), chunkedWeight(f)));
    }
    for (int i = 0; i < candidateWeights.length; i++) {
      s.append(String.format(Locale.ROOT, ", candidate.%s=%.3f", CANDIDATE_FEATURES.get(i),
          candidateWeights[i]));
    }
    return s.append(handForSections ? ", sections=hand]" : "]").toString();
  }
}
