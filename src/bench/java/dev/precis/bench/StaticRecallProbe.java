package dev.precis.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.management.OperatingSystemMXBean;
import dev.precis.encode.EncoderModel;
import dev.precis.encode.OnnxSentenceEncoder;
import dev.precis.encode.StaticEncoder;
import dev.precis.encode.StaticVectorsBuilder;
import dev.precis.encode.StaticVectorsBuilder.Encoding;
import dev.precis.encode.StaticVectorsBuilder.Reduction;
import dev.precis.encode.StaticVectorsBuilder.Source;
import dev.precis.rank.Bm25Scorer;
import dev.precis.segment.SegmentedDocument;
import dev.precis.segment.Segmenter;
import dev.precis.segment.Unit;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * How well static word-piece vectors ({@link StaticEncoder}) find the sentence that holds the answer, against BM25
 * and the transformer encoder; see docs/static-vectors.md.
 *
 * <p>For each example of the dev sets (the first {@code --limit}), every document is cut into sentences with {@code
 * new Segmenter(600)}; a sentence is embedded as {@code title + ": " + sentence}; a sentence is an answer sentence
 * when it holds one of the answers as whole words (NFKC, lowercase, whitespace collapsed). Recall@K is the share of
 * examples (with at least one answer sentence) whose best-ranked answer sentence is among the top K for the
 * question. Ties are broken by text order.
 *
 * <p>Run (the classpath in the environment, not on the command line: ONNX Runtime crashes with a very long one):
 *
 * <pre>
 * ./mvnw -q -B test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * CLASSPATH=target/classes:target/test-classes:$(cat /tmp/cp.txt) java --enable-native-access=ALL-UNNAMED \
 *     dev.precis.bench.StaticRecallProbe [--eval /work/shared/eval] [--models models] [--limit 200] \
 *     [--sets nq20,hotpotqa] [--cache /tmp/precis-static-probe] [--no-transformer] \
 *     [--variants "minilm token/raw,bge token/pca256"] [--time-only]
 * </pre>
 *
 * <p>The model outputs for the whole vocabulary and the transformer's scores are cached in {@code --cache}, so that
 * later runs take minutes. {@code --time-only} measures only the costs, for the variants given (default all).
 */
public final class StaticRecallProbe {
  private static final int[] KS = {10, 20, 30, 40, 60};
  private static final float[] FUSION_WEIGHTS = {0.3f, 0.5f, 0.7f};
  private static final ObjectMapper JSON = new ObjectMapper();

  private StaticRecallProbe() {}

  record Prepared(
      String question, List<String> sentences, boolean[] answer, float[] bm25, List<SegmentedDocument> documents) {}

  record Variant(String model, Source source, Reduction reduction, int dims, Encoding encoding) {
    String name() {
      String r =
          switch (reduction) {
            case NONE -> "raw";
            case CENTER -> "center";
            case PCA -> "pca" + dims;
            case WHITEN -> "whiten" + dims;
          };
      return shortName(model) + " " + source.name().toLowerCase(Locale.ROOT) + "/" + r
          + (encoding == Encoding.FLOAT16 ? "/f16" : "");
    }
  }

  enum Weighting {
    UNIFORM,
    PRIOR,
    IDF,
    IDF_PRIOR
  }

  public static void main(String[] args) throws Exception {
    Path eval = Path.of("/work/shared/eval");
    Path models = Path.of("models");
    int limit = 200;
    List<String> sets = List.of("nq20", "hotpotqa");
    Path cache = Path.of("/tmp/precis-static-probe");
    boolean transformer = true;
    List<String> only = null;
    boolean timeOnly = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--eval" -> eval = Path.of(args[++i]);
        case "--models" -> models = Path.of(args[++i]);
        case "--limit" -> limit = Integer.parseInt(args[++i]);
        case "--sets" -> sets = List.of(args[++i].split(","));
        case "--cache" -> cache = Path.of(args[++i]);
        case "--no-transformer" -> transformer = false;
        case "--variants" -> only = List.of(args[++i].split(","));
        case "--time-only" -> timeOnly = true;
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Files.createDirectories(cache);
    int cores = Runtime.getRuntime().availableProcessors();
    System.out.printf(Locale.ROOT, "# static recall probe: %d cores, limit %d, sets %s%n", cores, limit, sets);

    Map<String, List<Prepared>> data = new LinkedHashMap<>();
    for (String set : sets) {
      List<Prepared> prepared = prepare(eval.resolve("dev-" + set + ".jsonl.gz"), limit);
      data.put(set, prepared);
      int sentences = 0;
      for (Prepared p : prepared) sentences += p.sentences().size();
      System.out.printf(
          Locale.ROOT, "%s: %d examples with an answer sentence, %.1f sentences per request%n",
          set, prepared.size(), sentences / (double) prepared.size());
    }

    // Rows of the results: method name -> set -> per-example scores.
    Map<String, Map<String, List<float[]>>> scores = new LinkedHashMap<>();
    Map<String, List<float[]>> bm25 = new LinkedHashMap<>();
    for (String set : sets) {
      List<float[]> s = new ArrayList<>();
      for (Prepared p : data.get(set)) s.add(p.bm25());
      bm25.put(set, s);
    }
    scores.put("BM25", bm25);

    String[] modelNames = {"all-minilm-l6-v2-q", "bge-small-en-v1.5-q"};
    List<Variant> variants = new ArrayList<>();
    for (String model : modelNames) {
      for (Source source : Source.values()) {
        for (Reduction reduction : Reduction.values()) {
          Variant v = new Variant(model, source, reduction, 256, Encoding.INT8);
          if (only == null || only.contains(v.name())) variants.add(v);
        }
      }
    }
    Map<String, StaticEncoder> encoders = new LinkedHashMap<>();
    Map<String, StaticVectorsBuilder.ModelOutputs> raw = new LinkedHashMap<>();
    for (String model : modelNames) {
      if (variants.stream().anyMatch(v -> v.model().equals(model))) {
        raw.put(model, rawOutputs(EncoderModel.named(model), models, cache));
      }
    }
    int[] ranks = StaticVectorsBuilder.ranks(raw.values().iterator().next().vocab());
    for (Variant v : variants) {
      encoders.put(v.name(), encoder(v, raw.get(v.model()), ranks, models, cache));
    }

    if (timeOnly) {
      System.out.println();
      System.out.println("## Cost per request (median over the examples; wall and CPU time)");
      for (Variant v : variants) timeStatic(v.name(), encoders.get(v.name()), Weighting.IDF_PRIOR, data, sets);
      if (transformer) timeTransformer(models, data, sets);
      return;
    }

    // Static scores for every variant and weighting.
    for (Variant v : variants) {
      StaticEncoder enc = encoders.get(v.name());
      for (Weighting w : Weighting.values()) {
        Map<String, List<float[]>> perSet = new LinkedHashMap<>();
        for (String set : sets) {
          List<float[]> s = new ArrayList<>();
          for (Prepared p : data.get(set)) s.add(staticScores(enc, p, w));
          perSet.put(set, s);
        }
        scores.put(v.name() + " " + w.name().toLowerCase(Locale.ROOT), perSet);
      }
    }

    // Experiment: soft term matching (for each query piece, its best cosine with a piece of the sentence, weighted).
    List<String> maxSimNames = new ArrayList<>();
    for (Variant v : variants) {
      if (v.source() != Source.TOKEN || v.reduction() == Reduction.CENTER) continue;
      StaticEncoder enc = encoders.get(v.name());
      Map<String, List<float[]>> perSet = new LinkedHashMap<>();
      for (String set : sets) {
        List<float[]> s = new ArrayList<>();
        for (Prepared p : data.get(set)) s.add(maxSimScores(enc, p));
        perSet.put(set, s);
      }
      String name = v.name() + " maxsim";
      scores.put(name, perSet);
      maxSimNames.add(name);
    }

    Map<String, List<float[]>> transformerScores = null;
    if (transformer) {
      transformerScores = transformerScores(models, sets, data, limit, cache);
      scores.put("transformer bge-small-en-v1.5-q", transformerScores);
    }

    // Static alone: every variant and weighting.
    System.out.println();
    System.out.println("## Recall@K of the answer sentence, single rankers");
    printHeader(sets);
    for (Map.Entry<String, Map<String, List<float[]>>> e : scores.entrySet()) {
      printRow(e.getKey(), e.getValue(), data, sets);
    }

    // The best static rankings by mean recall, then fused with BM25.
    List<String> staticNames = new ArrayList<>();
    for (String name : scores.keySet()) {
      if (!name.equals("BM25") && !name.startsWith("transformer")) staticNames.add(name);
    }
    staticNames.removeAll(maxSimNames);
    staticNames.sort((a, b) -> Double.compare(meanRecall(scores.get(b), data), meanRecall(scores.get(a), data)));
    List<String> best = new ArrayList<>(staticNames.subList(0, Math.min(6, staticNames.size())));
    for (String model : modelNames) {
      // The best per model and per source too, so both are in the fused table.
      for (String name : staticNames) {
        if (name.startsWith(shortName(model) + " ")) {
          if (!best.contains(name)) best.add(name);
          break;
        }
      }
    }
    System.out.println();
    System.out.println("## Recall@K, static fused with BM25 (min-max per request; w = weight of static)");
    printHeader(sets);
    printRow("BM25", bm25, data, sets);
    for (String name : best) {
      printRow(name, scores.get(name), data, sets);
      for (float w : FUSION_WEIGHTS) {
        printRow(String.format(Locale.ROOT, "%s + BM25, w %.1f", name, w), fuse(scores.get(name), bm25, w), data, sets);
      }
    }
    for (String name : maxSimNames) {
      printRow(name, scores.get(name), data, sets);
      for (float w : FUSION_WEIGHTS) {
        printRow(String.format(Locale.ROOT, "%s + BM25, w %.1f", name, w), fuse(scores.get(name), bm25, w), data, sets);
      }
    }
    if (transformerScores != null) {
      printRow("transformer bge-small-en-v1.5-q", transformerScores, data, sets);
      printRow("transformer + BM25, w 0.5", fuse(transformerScores, bm25, 0.5f), data, sets);
    }

    // int8 against float16 for the best variants.
    System.out.println();
    System.out.println("## Quantisation: int8 against float16 rows");
    printHeader(sets);
    List<String> checked = new ArrayList<>();
    for (String name : best) {
      String variantName = name.substring(0, name.lastIndexOf(' '));
      if (checked.contains(variantName)) continue;
      checked.add(variantName);
      Variant v = null;
      for (Variant candidate : variants) if (candidate.name().equals(variantName)) v = candidate;
      Weighting w = Weighting.valueOf(name.substring(name.lastIndexOf(' ') + 1).toUpperCase(Locale.ROOT));
      Variant half = new Variant(v.model(), v.source(), v.reduction(), v.dims(), Encoding.FLOAT16);
      StaticEncoder enc = encoder(half, raw.get(v.model()), ranks, models, cache);
      Map<String, List<float[]>> perSet = new LinkedHashMap<>();
      for (String set : sets) {
        List<float[]> s = new ArrayList<>();
        for (Prepared p : data.get(set)) s.add(staticScores(enc, p, w));
        perSet.put(set, s);
      }
      printRow(name, scores.get(name), data, sets);
      printRow(half.name() + " " + w.name().toLowerCase(Locale.ROOT), perSet, data, sets);
    }

    // Costs.
    System.out.println();
    System.out.println("## Cost per request (median over the examples; wall and CPU time)");
    for (String model : modelNames) {
      for (String name : best) {
        if (!name.startsWith(shortName(model) + " ")) continue;
        String variantName = name.substring(0, name.lastIndexOf(' '));
        Weighting w = Weighting.valueOf(name.substring(name.lastIndexOf(' ') + 1).toUpperCase(Locale.ROOT));
        timeStatic(variantName, encoders.get(variantName), w, data, sets);
        break;
      }
    }
    if (transformer) timeTransformer(models, data, sets);
  }

  private static String shortName(String model) {
    return model.startsWith("bge") ? "bge" : "minilm";
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Data

  static List<Prepared> prepare(Path file, int limit) throws IOException {
    Segmenter segmenter = new Segmenter(600);
    Bm25Scorer bm25 = new Bm25Scorer(1.2f, 0.75f, 0.5f);
    List<Prepared> out = new ArrayList<>();
    try (BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(file), 1 << 16), StandardCharsets.UTF_8))) {
      String line;
      int read = 0;
      while ((line = reader.readLine()) != null && read < limit) {
        if (line.isBlank()) continue;
        read++;
        JsonNode ex = JSON.readTree(line);
        String question = ex.path("question").asText();
        List<String> answers = new ArrayList<>();
        for (JsonNode a : ex.path("answers")) {
          String n = normalise(a.asText());
          if (!n.isEmpty()) answers.add(n);
        }
        List<SegmentedDocument> docs = new ArrayList<>();
        List<String> sentences = new ArrayList<>();
        List<Boolean> answer = new ArrayList<>();
        int d = 0;
        for (JsonNode doc : ex.path("documents")) {
          String title = doc.path("title").asText("");
          String text = doc.path("text").asText("");
          List<Unit> units = segmenter.segment(text);
          docs.add(new SegmentedDocument(d++, title.isEmpty() ? null : title, text, units));
          for (Unit u : units) {
            String sentence = u.textOf(text);
            sentences.add(title.isEmpty() ? sentence : title + ": " + sentence);
            answer.add(holdsAnswer(normalise(sentence), answers));
          }
        }
        if (!answer.contains(Boolean.TRUE)) continue;
        boolean[] flags = new boolean[answer.size()];
        for (int i = 0; i < flags.length; i++) flags[i] = answer.get(i);
        Bm25Scorer.Scores s = bm25.score(question, docs);
        float[] flat = new float[sentences.size()];
        int k = 0;
        for (float[] unitScores : s.units()) {
          for (float x : unitScores) flat[k++] = x;
        }
        out.add(new Prepared(question, List.copyOf(sentences), flags, flat, docs));
      }
    }
    return out;
  }

  static String normalise(String s) {
    String n = Normalizer.normalize(s, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    return n.replaceAll("\\s+", " ").strip();
  }

  static boolean holdsAnswer(String sentence, List<String> answers) {
    for (String a : answers) {
      int i = sentence.indexOf(a);
      while (i >= 0) {
        int end = i + a.length();
        boolean startOk = i == 0 || !Character.isLetterOrDigit(sentence.codePointBefore(i));
        boolean endOk = end == sentence.length() || !Character.isLetterOrDigit(sentence.codePointAt(end));
        if (startOk && endOk) return true;
        i = sentence.indexOf(a, i + 1);
      }
    }
    return false;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Static vectors

  /** The raw model outputs for every vocabulary id, from the cache or computed (and cached). */
  static StaticVectorsBuilder.ModelOutputs rawOutputs(EncoderModel model, Path models, Path cache) throws IOException {
    Path file = cache.resolve(model.name() + ".raw");
    String[] vocab;
    try (InputStream json = Files.newInputStream(models.resolve(model.tokenizerFile()))) {
      vocab = StaticVectorsBuilder.readVocab(json);
    }
    if (Files.isRegularFile(file)) {
      try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 20))) {
        int n = in.readInt();
        int dim = in.readInt();
        long nanos = in.readLong();
        float[][] pooled = new float[n][];
        float[][] token = new float[n][];
        for (float[][] target : new float[][][] {pooled, token}) {
          for (int i = 0; i < n; i++) {
            float[] row = new float[dim];
            for (int d = 0; d < dim; d++) row[d] = in.readFloat();
            target[i] = row;
          }
        }
        System.out.printf(
            Locale.ROOT, "%s: raw outputs from %s (computed in %.1f s)%n", model.name(), file, nanos / 1e9);
        return new StaticVectorsBuilder.ModelOutputs(model, vocab, 0, n, pooled, token, nanos);
      }
    }
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    StaticVectorsBuilder.ModelOutputs out =
        StaticVectorsBuilder.runModel(model, models, 0, vocab.length, Runtime.getRuntime().availableProcessors());
    long cpu = os.getProcessCpuTime() - cpu0;
    System.out.printf(
        Locale.ROOT, "%s: ran the model on %d ids in %.1f s wall, %.1f s CPU%n",
        model.name(), vocab.length, out.nanos() / 1e9, cpu / 1e9);
    try (DataOutputStream o = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 20))) {
      int dim = out.token()[0].length;
      o.writeInt(vocab.length);
      o.writeInt(dim);
      o.writeLong(out.nanos());
      for (float[][] source : new float[][][] {out.pooled(), out.token()}) {
        for (float[] row : source) {
          for (float x : row) o.writeFloat(x);
        }
      }
    }
    return out;
  }

  /** The static encoder of a variant: post-processed, written to the cache directory and read back. */
  static StaticEncoder encoder(
      Variant v, StaticVectorsBuilder.ModelOutputs raw, int[] ranks, Path models, Path cache) throws IOException {
    long t0 = System.nanoTime();
    float[][] rows =
        StaticVectorsBuilder.postprocess(StaticVectorsBuilder.select(raw, v.source()), ranks, v.reduction(), v.dims());
    long t1 = System.nanoTime();
    Path file = cache.resolve(v.name().replace(' ', '_').replace('/', '_') + ".static.bin");
    StaticVectorsBuilder.write(file, v.model(), v.name(), rows, ranks, v.encoding());
    EncoderModel model = EncoderModel.named(v.model());
    try (InputStream json = Files.newInputStream(models.resolve(model.tokenizerFile()));
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 20)) {
      StaticEncoder enc = StaticEncoder.read(in, dev.precis.encode.WordPieceTokenizer.fromJson(json));
      System.out.printf(
          Locale.ROOT, "%s: post-processing %.1f s, %,d bytes%n", v.name(), (t1 - t0) / 1e9, Files.size(file));
      return enc;
    }
  }

  static float[] weights(StaticEncoder enc, int[][] ids, Weighting w) {
    return switch (w) {
      case UNIFORM -> {
        float[] u = enc.priorWeights();
        for (int i = 0; i < u.length; i++) u[i] = u[i] > 0 ? 1f : 0f;
        yield u;
      }
      case PRIOR -> enc.priorWeights();
      case IDF -> enc.idf(ids);
      case IDF_PRIOR -> enc.requestWeights(ids);
    };
  }

  static float[] staticScores(StaticEncoder enc, Prepared p, Weighting w) {
    int[][] ids = enc.tokenize(p.sentences());
    float[] weights = weights(enc, ids, w);
    float[][] vectors = enc.embedIds(ids, weights);
    float[] q = enc.embedQuery(p.question(), weights);
    float[] s = new float[vectors.length];
    for (int i = 0; i < s.length; i++) s[i] = StaticEncoder.dot(q, vectors[i]);
    return s;
  }

  /** Soft term matching ({@link StaticEncoder#softMatch}) with the request weights. */
  static float[] maxSimScores(StaticEncoder enc, Prepared p) {
    int[][] ids = enc.tokenize(p.sentences());
    return enc.softMatch(enc.tokenizer().wordPieceIds(p.question()), ids, enc.requestWeights(ids));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Transformer

  static Map<String, List<float[]>> transformerScores(
      Path models, List<String> sets, Map<String, List<Prepared>> data, int limit, Path cache) throws IOException {
    Map<String, List<float[]>> out = new LinkedHashMap<>();
    OnnxSentenceEncoder enc = null;
    try {
      for (String set : sets) {
        Path file = cache.resolve("transformer-bge-" + set + "-" + limit + ".scores");
        List<Prepared> examples = data.get(set);
        List<float[]> s = readScores(file, examples);
        if (s == null) {
          if (enc == null) enc = new OnnxSentenceEncoder(EncoderModel.BGE_SMALL_EN_V15_Q, models, 2, 32);
          s = new ArrayList<>();
          long t0 = System.nanoTime();
          for (Prepared p : examples) {
            float[][] v = enc.embed(p.sentences());
            float[] q = enc.embedQuery(p.question());
            float[] scores = new float[v.length];
            for (int i = 0; i < v.length; i++) scores[i] = StaticEncoder.dot(q, v[i]);
            s.add(scores);
          }
          System.out.printf(Locale.ROOT, "transformer on %s: %.1f s%n", set, (System.nanoTime() - t0) / 1e9);
          writeScores(file, s);
        }
        out.put(set, s);
      }
    } finally {
      if (enc != null) enc.close();
    }
    return out;
  }

  static List<float[]> readScores(Path file, List<Prepared> examples) throws IOException {
    if (!Files.isRegularFile(file)) return null;
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
      int n = in.readInt();
      if (n != examples.size()) return null;
      List<float[]> out = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        float[] s = new float[in.readInt()];
        if (s.length != examples.get(i).sentences().size()) return null;
        for (int k = 0; k < s.length; k++) s[k] = in.readFloat();
        out.add(s);
      }
      return out;
    }
  }

  static void writeScores(Path file, List<float[]> scores) throws IOException {
    try (DataOutputStream o = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
      o.writeInt(scores.size());
      for (float[] s : scores) {
        o.writeInt(s.length);
        for (float x : s) o.writeFloat(x);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Measures

  /** 1-based rank of the best-ranked answer sentence (ties broken by text order). */
  static int answerRank(float[] scores, boolean[] answer) {
    int best = -1;
    for (int i = 0; i < scores.length; i++) {
      if (answer[i] && (best < 0 || scores[i] > scores[best])) best = i;
    }
    int rank = 1;
    for (int i = 0; i < scores.length; i++) {
      if (scores[i] > scores[best] || (scores[i] == scores[best] && i < best)) rank++;
    }
    return rank;
  }

  static double[] recall(List<float[]> scores, List<Prepared> examples) {
    double[] hits = new double[KS.length];
    for (int e = 0; e < examples.size(); e++) {
      int rank = answerRank(scores.get(e), examples.get(e).answer());
      for (int k = 0; k < KS.length; k++) if (rank <= KS[k]) hits[k]++;
    }
    for (int k = 0; k < KS.length; k++) hits[k] = 100.0 * hits[k] / examples.size();
    return hits;
  }

  static double meanRecall(Map<String, List<float[]>> scores, Map<String, List<Prepared>> data) {
    double sum = 0;
    int n = 0;
    for (Map.Entry<String, List<float[]>> e : scores.entrySet()) {
      for (double r : recall(e.getValue(), data.get(e.getKey()))) {
        sum += r;
        n++;
      }
    }
    return sum / n;
  }

  static Map<String, List<float[]>> fuse(Map<String, List<float[]>> a, Map<String, List<float[]>> b, float wa) {
    Map<String, List<float[]>> out = new LinkedHashMap<>();
    for (String set : a.keySet()) {
      List<float[]> fused = new ArrayList<>();
      for (int e = 0; e < a.get(set).size(); e++) {
        float[] x = minMax(a.get(set).get(e));
        float[] y = minMax(b.get(set).get(e));
        float[] f = new float[x.length];
        for (int i = 0; i < f.length; i++) f[i] = wa * x[i] + (1 - wa) * y[i];
        fused.add(f);
      }
      out.put(set, fused);
    }
    return out;
  }

  static float[] minMax(float[] s) {
    float min = Float.POSITIVE_INFINITY;
    float max = Float.NEGATIVE_INFINITY;
    for (float x : s) {
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    float[] out = new float[s.length];
    if (max > min) {
      for (int i = 0; i < s.length; i++) out[i] = (s[i] - min) / (max - min);
    }
    return out;
  }

  static void printHeader(List<String> sets) {
    StringBuilder h = new StringBuilder("| method |");
    StringBuilder line = new StringBuilder("|---|");
    for (String set : sets) {
      for (int k : KS) {
        h.append(' ').append(set).append(" R@").append(k).append(" |");
        line.append("---|");
      }
    }
    System.out.println(h);
    System.out.println(line);
  }

  static void printRow(
      String name, Map<String, List<float[]>> scores, Map<String, List<Prepared>> data, List<String> sets) {
    StringBuilder row = new StringBuilder("| " + name + " |");
    for (String set : sets) {
      for (double r : recall(scores.get(set), data.get(set))) row.append(String.format(Locale.ROOT, " %.1f |", r));
    }
    System.out.println(row);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Costs

  static void timeStatic(
      String name, StaticEncoder enc, Weighting w, Map<String, List<Prepared>> data, List<String> sets) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    for (String set : sets) {
      List<Prepared> examples = data.get(set);
      long pieces = 0;
      for (int round = 0; round < 3; round++) {
        for (Prepared p : examples) staticScores(enc, p, w); // warm-up
      }
      long[] wall = new long[examples.size()];
      long[] cpu = new long[examples.size()];
      long tokenizeNanos = 0;
      long embedNanos = 0;
      for (int e = 0; e < examples.size(); e++) {
        Prepared p = examples.get(e);
        long c0 = threads.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        float[] s = staticScores(enc, p, w);
        wall[e] = System.nanoTime() - t0;
        cpu[e] = threads.getCurrentThreadCpuTime() - c0;
        if (s.length == 0) throw new AssertionError();
        // Split: tokenisation, and the gather-and-add alone.
        long t1 = System.nanoTime();
        int[][] ids = enc.tokenize(p.sentences());
        long t2 = System.nanoTime();
        float[] weights = weights(enc, ids, w);
        long t3 = System.nanoTime();
        enc.embedIds(ids, weights);
        long t4 = System.nanoTime();
        tokenizeNanos += t2 - t1;
        embedNanos += t4 - t3;
        for (int[] x : ids) pieces += x.length;
      }
      System.out.printf(
          Locale.ROOT,
          "static %s %s on %s: median %.2f ms wall, %.2f ms CPU per request; tokenise %.1f M pieces/s,"
              + " gather-and-add %.1f M pieces/s (one thread)%n",
          name, w.name().toLowerCase(Locale.ROOT), set, median(wall) / 1e6, median(cpu) / 1e6,
          pieces / (tokenizeNanos / 1e9) / 1e6, pieces / (embedNanos / 1e9) / 1e6);
      for (int round = 0; round < 3; round++) {
        for (Prepared p : examples) maxSimScores(enc, p); // warm-up
      }
      for (int e = 0; e < examples.size(); e++) {
        long c0 = threads.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        maxSimScores(enc, examples.get(e));
        wall[e] = System.nanoTime() - t0;
        cpu[e] = threads.getCurrentThreadCpuTime() - c0;
      }
      System.out.printf(
          Locale.ROOT, "static %s maxsim on %s: median %.2f ms wall, %.2f ms CPU per request%n",
          name, set, median(wall) / 1e6, median(cpu) / 1e6);
    }
  }

  static void timeTransformer(Path models, Map<String, List<Prepared>> data, List<String> sets) {
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    try (OnnxSentenceEncoder enc = new OnnxSentenceEncoder(EncoderModel.BGE_SMALL_EN_V15_Q, models, 2, 32)) {
      for (String set : sets) {
        List<Prepared> examples = data.get(set);
        int n = Math.min(40, examples.size());
        for (int e = 0; e < 3; e++) enc.embed(examples.get(e).sentences()); // warm-up
        long[] wall = new long[n];
        long[] cpu = new long[n];
        long pieces0 = enc.embeddedWordPieces();
        long wallSum = 0;
        for (int e = 0; e < n; e++) {
          Prepared p = examples.get(e);
          long c0 = os.getProcessCpuTime();
          long t0 = System.nanoTime();
          enc.embed(p.sentences());
          enc.embedQuery(p.question());
          wall[e] = System.nanoTime() - t0;
          cpu[e] = os.getProcessCpuTime() - c0;
          wallSum += wall[e];
        }
        long pieces = enc.embeddedWordPieces() - pieces0;
        System.out.printf(
            Locale.ROOT,
            "transformer bge-small-en-v1.5-q on %s (first %d): median %.1f ms wall, %.1f ms CPU (process) per"
                + " request; %.1f k pieces/s wall%n",
            set, n, median(wall) / 1e6, median(cpu) / 1e6, pieces / (wallSum / 1e9) / 1e3);
      }
    }
  }

  static double median(long[] values) {
    long[] s = values.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0;
  }
}
