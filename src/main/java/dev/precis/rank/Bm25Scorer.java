package dev.precis.rank;

import dev.precis.segment.SegmentedDocument;
import dev.precis.segment.Sections;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.util.SmallFloat;

/**
 * BM25 scores of every unit and every document against a query, with Lucene's English analyzer (stop words,
 * possessives, Porter stemming) and Lucene's BM25: the formula of {@link BM25Similarity}, its one-byte length norms,
 * and a query of one optional clause per query token in the body field and, boosted, in the title field. A unit is
 * scored with its document's title as the title field, so a sentence of a document whose title names the query's
 * subject scores higher; a document is scored as the terms of all its units.
 *
 * <p>The scores are those of a per-request Lucene index searched with {@code BM25Similarity} (a test checks it
 * against one), computed directly from the analysed terms: each unit is analysed once, for its own score and its
 * document's, and nothing is written to or read from an index, which took about three quarters of the time.
 *
 * <p>Thread-safe.
 */
public final class Bm25Scorer {
  private static final String BODY = "body";
  private static final String TITLE = "title";
  /** Prefix of identifier terms ({@link Identifiers}), which no analysed term can start with. */
  private static final String IDENTIFIER = "\u0001";
  /** Document lengths as Lucene's norms store them: one byte, exact up to 40, then about 4 significant bits. */
  private static final float[] LENGTH_TABLE = new float[256];

  static {
    for (int i = 0; i < 256; i++) LENGTH_TABLE[i] = SmallFloat.byte4ToInt((byte) i);
  }

  private final Analyzer analyzer = new EnglishAnalyzer();
  private final float k1;
  private final float b;
  private final float titleBoost;

  /**
   * @param k1 BM25 term-frequency saturation (Lucene's default 1.2)
   * @param b BM25 length normalisation (Lucene's default 0.75)
   * @param titleBoost weight of a match in the document title relative to the body
   */
  public Bm25Scorer(float k1, float b, float titleBoost) {
    new BM25Similarity(k1, b); // validates k1 and b with Lucene's own messages
    if (!(titleBoost >= 0)) {
      throw new IllegalArgumentException("illegal titleBoost: " + titleBoost + ", must be >= 0");
    }
    this.k1 = k1;
    this.b = b;
    this.titleBoost = titleBoost;
  }

  /**
   * Raw BM25 scores: {@code units[d][u]} for unit u of document d, {@code documents[d]}, and {@code sections[d][s]}
   * for section s of document d (each section scored as the terms of its units, with every section of the request
   * as the collection; empty arrays when no sections were given).
   */
  public record Scores(float[][] units, float[] documents, float[][] sections) {}

  public Scores score(String query, List<SegmentedDocument> documents) {
    return score(query, documents, null);
  }

  /** @param sections each document's sections, or null to score no sections */
  public Scores score(String query, List<SegmentedDocument> documents, List<Sections> sections) {
    int n = documents.size();
    float[][] unitScores = new float[n][];
    float[][] sectionScores = new float[n][];
    int total = 0;
    int sectionTotal = 0;
    for (int d = 0; d < n; d++) {
      unitScores[d] = new float[documents.get(d).units().size()];
      total += unitScores[d].length;
      sectionScores[d] = new float[sections == null ? 0 : sections.get(d).count()];
      sectionTotal += sectionScores[d].length;
    }
    float[] documentScores = new float[n];
    if (query == null || total == 0) return new Scores(unitScores, documentScores, sectionScores);

    // Distinct query terms; a term the query repeats is one clause per occurrence, so it counts that many times.
    Map<String, Integer> slots = new HashMap<>();
    List<Integer> occurrences = new ArrayList<>();
    analyze(query, term -> {
      Integer slot = slots.putIfAbsent(term, slots.size());
      if (slot == null) occurrences.add(1);
      else occurrences.set(slot, occurrences.get(slot) + 1);
    });
    // The question's identifiers, as whole tokens: only structured units carry such terms, so prose scores are as
    // without them.
    for (String id : Identifiers.of(query)) {
      if (slots.putIfAbsent(IDENTIFIER + id, slots.size()) == null) occurrences.add(1);
    }
    int q = slots.size();
    if (q == 0) return new Scores(unitScores, documentScores, sectionScores);

    Field unitBody = new Field(total, q);
    Field unitTitle = new Field(total, q);
    Field docBody = new Field(n, q);
    Field docTitle = new Field(n, q);
    Field sectionBody = new Field(sectionTotal, q);
    int unit = 0;
    int sectionBase = 0;
    for (int d = 0; d < n; d++) {
      SegmentedDocument doc = documents.get(d);
      if (doc.title() != null) docTitle.add(d, doc.title(), slots);
      // A passage's title line is its title field already; as a body it would be a short unit made of the title's
      // words, the best match of the request, and count the title twice in its document's body.
      int first = doc.opensWithTitleLine() ? 1 : 0;
      unit += first;
      for (int u = first; u < doc.units().size(); u++, unit++) {
        if (!doc.structured(u)) {
          unitBody.add(unit, doc.unitText(u), slots);
        } else {
          unitBody.addStructured(unit, doc.rankText(u), slots);
        }
        unitTitle.copy(unit, docTitle, d);
        docBody.accumulate(d, unitBody, unit);
        if (sections != null) sectionBody.accumulate(sectionBase + sections.get(d).of(u), unitBody, unit);
      }
      sectionBase += sectionScores[d].length;
    }

    float[] unitFlat = combine(unitBody, unitTitle, occurrences);
    unit = 0;
    for (int d = 0; d < n; d++) {
      for (int u = 0; u < unitScores[d].length; u++) unitScores[d][u] = unitFlat[unit++];
    }
    float[] docFlat = combine(docBody, docTitle, occurrences);
    System.arraycopy(docFlat, 0, documentScores, 0, n);
    if (sectionTotal > 0) {
      // The title is the same for every section of a document: it does not tell them apart, and is left out.
      float[] sectionFlat = new float[sectionTotal];
      sectionBody.addScores(sectionFlat, 1f, occurrences, k1, b);
      int s = 0;
      for (int d = 0; d < n; d++) {
        for (int i = 0; i < sectionScores[d].length; i++) sectionScores[d][i] = sectionFlat[s++];
      }
    }
    return new Scores(unitScores, documentScores, sectionScores);
  }

  /** The body score plus the boosted title score of every entry, each the sum over the query's clauses. */
  private float[] combine(Field body, Field title, List<Integer> occurrences) {
    float[] out = new float[body.lengths.length];
    body.addScores(out, 1f, occurrences, k1, b);
    if (titleBoost > 0) title.addScores(out, titleBoost, occurrences, k1, b);
    return out;
  }

  private interface TermSink {
    void accept(String term);
  }

  private void analyze(String text, TermSink sink) {
    try (TokenStream stream = analyzer.tokenStream(BODY, text)) {
      CharTermAttribute term = stream.addAttribute(CharTermAttribute.class);
      stream.reset();
      while (stream.incrementToken()) sink.accept(term.toString());
      stream.end();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot analyse text for BM25", e);
    }
  }

  /** One field of a set of scored entries (units or documents): lengths and the frequencies of the query's terms. */
  private final class Field {
    final int[] lengths;
    /** {@code freqs[entry * q + slot]}. */
    final int[] freqs;
    final int q;

    Field(int entries, int q) {
      this.lengths = new int[entries];
      this.freqs = new int[entries * q];
      this.q = q;
    }

    void add(int entry, String text, Map<String, Integer> slots) {
      int base = entry * q;
      analyze(text, term -> {
        lengths[entry]++;
        Integer slot = slots.get(term);
        if (slot != null) freqs[base + slot]++;
      });
    }

    /** A structured unit: its words with identifiers opened, and each identifier whole as a term of its own. */
    void addStructured(int entry, String text, Map<String, Integer> slots) {
      add(entry, Identifiers.words(text), slots);
      int base = entry * q;
      for (String id : Identifiers.of(text)) {
        lengths[entry]++;
        Integer slot = slots.get(IDENTIFIER + id);
        if (slot != null) freqs[base + slot]++;
      }
    }

    void copy(int entry, Field from, int fromEntry) {
      lengths[entry] = from.lengths[fromEntry];
      System.arraycopy(from.freqs, fromEntry * q, freqs, entry * q, q);
    }

    void accumulate(int entry, Field from, int fromEntry) {
      lengths[entry] += from.lengths[fromEntry];
      for (int s = 0; s < q; s++) freqs[entry * q + s] += from.freqs[fromEntry * q + s];
    }

    /**
     * Adds each entry's BM25 score in this field, as Lucene computes it: collection statistics over the entries that
     * have the field (at least one term), idf {@code log(1 + (N - n + 0.5) / (n + 0.5))}, the length from the one-byte
     * norm, and {@code weight - weight / (1 + freq / (k1 * (1 - b + b * dl / avgdl)))}.
     */
    void addScores(float[] out, float boost, List<Integer> occurrences, float k1, float b) {
      long docCount = 0;
      long sumTotalTermFreq = 0;
      long[] docFreq = new long[q];
      for (int e = 0; e < lengths.length; e++) {
        if (lengths[e] == 0) continue;
        docCount++;
        sumTotalTermFreq += lengths[e];
        for (int s = 0; s < q; s++) if (freqs[e * q + s] > 0) docFreq[s]++;
      }
      if (docCount == 0) return;
      float avgdl = (float) (sumTotalTermFreq / (double) docCount);
      float[] weights = new float[q];
      for (int s = 0; s < q; s++) {
        float idf = (float) Math.log(1 + (docCount - docFreq[s] + 0.5D) / (docFreq[s] + 0.5D));
        weights[s] = boost * idf;
      }
      for (int e = 0; e < lengths.length; e++) {
        if (lengths[e] == 0) continue;
        float dl = LENGTH_TABLE[SmallFloat.intToByte4(lengths[e]) & 0xFF];
        float normInverse = 1f / (k1 * ((1 - b) + b * dl / avgdl));
        float score = 0;
        for (int s = 0; s < q; s++) {
          int freq = freqs[e * q + s];
          if (freq == 0) continue;
          float clause = weights[s] - weights[s] / (1f + freq * normInverse);
          score += occurrences.get(s) * clause;
        }
        out[e] += score;
      }
    }
  }
}
