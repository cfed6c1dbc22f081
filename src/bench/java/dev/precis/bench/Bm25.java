package dev.precis.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.WordlistLoader;
import org.apache.lucene.analysis.snowball.SnowballFilter;
import org.apache.lucene.util.IOUtils;

/**
 * Okapi BM25 over a small in-memory collection (the units of one example), as used by the bm25 baselines.
 *
 * <p>Analysis: lowercase ({@link Locale#ROOT}) word tokens (maximal runs of letters and digits), with the Snowball
 * English stop words dropped (the 174-word list Lucene ships as {@code snowball/english_stop.txt}); no stemming.
 * Scoring follows Lucene's
 * {@code BM25Similarity}: {@code idf = ln(1 + (N - n + 0.5) / (n + 0.5))} and a term scores
 * {@code idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))}; each distinct query term counts once.
 */
public final class Bm25 {

  /** Lucene's default term-frequency saturation. */
  public static final double DEFAULT_K1 = 1.2;

  /** Lucene's default length normalisation. */
  public static final double DEFAULT_B = 0.75;

  private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]+");

  /** The Snowball English stop words, from lucene-analysis-common. */
  public static final CharArraySet STOP_WORDS = loadStopWords();

  private final double k1;
  private final double b;
  private final List<Map<String, Integer>> termFrequencies;
  private final int[] lengths;
  private final double averageLength;
  private final Map<String, Integer> documentFrequencies = new HashMap<>();

  /** Indexes the given units (raw text) with {@link #DEFAULT_K1} and {@link #DEFAULT_B}. */
  public Bm25(List<String> units) {
    this(units, DEFAULT_K1, DEFAULT_B);
  }

  public Bm25(List<String> units, double k1, double b) {
    this.k1 = k1;
    this.b = b;
    this.termFrequencies = new ArrayList<>(units.size());
    this.lengths = new int[units.size()];
    long total = 0;
    for (int i = 0; i < units.size(); i++) {
      List<String> terms = terms(units.get(i));
      Map<String, Integer> tf = new HashMap<>();
      for (String t : terms) tf.merge(t, 1, Integer::sum);
      for (String t : tf.keySet()) documentFrequencies.merge(t, 1, Integer::sum);
      termFrequencies.add(tf);
      lengths[i] = terms.size();
      total += terms.size();
    }
    this.averageLength = units.isEmpty() ? 0 : Math.max(1e-9, (double) total / units.size());
  }

  /** The analysed terms of {@code text}: lowercase word tokens without English stop words. */
  public static List<String> terms(String text) {
    List<String> out = new ArrayList<>();
    Matcher m = WORD.matcher(text.toLowerCase(Locale.ROOT));
    while (m.find()) {
      String t = m.group();
      if (!STOP_WORDS.contains(t)) out.add(t);
    }
    return out;
  }

  /** The BM25 score of every unit for {@code query}, in unit order. */
  public double[] scores(String query) {
    Set<String> queryTerms = new LinkedHashSet<>(terms(query));
    int n = lengths.length;
    double[] scores = new double[n];
    for (String q : queryTerms) {
      Integer df = documentFrequencies.get(q);
      if (df == null) continue;
      double idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      for (int i = 0; i < n; i++) {
        Integer tf = termFrequencies.get(i).get(q);
        if (tf == null) continue;
        double norm = k1 * (1 - b + b * lengths[i] / averageLength);
        scores[i] += idf * tf * (k1 + 1) / (tf + norm);
      }
    }
    return scores;
  }

  /** Unit indices by descending score; ties keep the original order. */
  public List<Integer> ranking(String query) {
    double[] s = scores(query);
    List<Integer> order = new ArrayList<>(s.length);
    for (int i = 0; i < s.length; i++) order.add(i);
    order.sort(Comparator.comparingDouble((Integer i) -> -s[i]));
    return order;
  }

  private static CharArraySet loadStopWords() {
    String resource = "english_stop.txt";
    try (InputStream in = SnowballFilter.class.getResourceAsStream(resource)) {
      if (in == null) throw new IllegalStateException("missing Lucene resource snowball/" + resource);
      return CharArraySet.unmodifiableSet(
          WordlistLoader.getSnowballWordSet(IOUtils.getDecodingReader(in, StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read Lucene resource snowball/" + resource, e);
    }
  }
}
