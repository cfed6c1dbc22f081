package dev.precis.encode;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Builds the static word-piece vectors of a sentence encoder (the Model2Vec idea): every id of the model's WordPiece
 * vocabulary is run through the ONNX model once, as {@code [CLS] piece [SEP]}, and the output becomes that piece's
 * vector. {@link StaticEncoder} then embeds a sentence as a weighted mean of its pieces' vectors, at the cost of a
 * table look-up per piece.
 *
 * <p>What the builder keeps (see {@link Options}): the output at the piece's own position ({@link Source#TOKEN}) or
 * the model's pooled output ({@link Source#POOLED}: CLS for bge, mean of the three positions for MiniLM); the rows,
 * each first scaled to unit length, then optionally centred, reduced with PCA, or PCA-whitened; finally each row
 * scaled to unit length again and stored as int8 with one float scale per row, or as float16. Rows of the bracketed
 * special tokens ({@code [PAD]}, {@code [UNK]}, {@code [CLS]}, {@code [SEP]}, {@code [MASK]}, {@code [unusedN]}) are
 * zero and have rank 0, so they never count in a sentence vector.
 *
 * <p>Next to each row the file stores a frequency rank for a Zipf-like prior weight: BERT's vocabulary lists
 * whole words and continuation pieces roughly by falling frequency, so the rank is the position among the
 * multi-character entries; single characters (punctuation, digits, letters) get rank 1, the most frequent.
 *
 * <p>File format (big-endian, see {@link StaticEncoder#read}): the magic {@code "PRECISSV"}, an int version (1), the
 * model name and a description of the variant (modified UTF-8, as {@link DataOutputStream#writeUTF}), the
 * vocabulary size, the dimension, an encoding byte (0 int8, 1 float16), the ranks ({@code int[vocab]}), for int8
 * the row scales ({@code float[vocab]}), then the rows.
 *
 * <p>Command line: {@code StaticVectorsBuilder <models directory> <model name> <output file> [--force] [--source
 * pooled|token] [--reduce none|center|pca|whiten] [--dims N] [--encoding int8|float16] [--ids FROM:TO]}. An existing
 * output for the same model and variant that is newer than the ONNX file is kept unless {@code --force} is given.
 */
public final class StaticVectorsBuilder {
  static final byte[] MAGIC = {'P', 'R', 'E', 'C', 'I', 'S', 'S', 'V'};
  static final int VERSION = 1;
  static final byte ENCODING_INT8 = 0;
  static final byte ENCODING_FLOAT16 = 1;

  private static final String INPUT_IDS = "input_ids";
  private static final String ATTENTION_MASK = "attention_mask";
  private static final String TOKEN_TYPE_IDS = "token_type_ids";
  private static final String LAST_HIDDEN_STATE = "last_hidden_state";
  private static final int BATCH = 512;

  private StaticVectorsBuilder() {}

  /** Which output of {@code [CLS] piece [SEP]} becomes the piece's vector. */
  public enum Source {
    /** The sentence vector as the model pools it (CLS or mean over the three positions). */
    POOLED,
    /** The output at the piece's own position (1). */
    TOKEN
  }

  /** What is done to the unit-length rows before they are stored. */
  public enum Reduction {
    /** Nothing. */
    NONE,
    /** The mean row is subtracted. */
    CENTER,
    /** Centred, then projected on the top principal components. */
    PCA,
    /** Centred, projected on the top principal components and scaled by 1/sqrt(eigenvalue). */
    WHITEN
  }

  /** How the rows are stored. */
  public enum Encoding {
    INT8,
    FLOAT16
  }

  /**
   * What to build.
   *
   * @param dimension the kept dimension for {@link Reduction#PCA} and {@link Reduction#WHITEN}; ignored otherwise
   */
  public record Options(Source source, Reduction reduction, int dimension, Encoding encoding) {
    public Options {
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(reduction, "reduction");
      Objects.requireNonNull(encoding, "encoding");
      if (dimension < 1) throw new IllegalArgumentException("illegal dimension: " + dimension + ", must be >= 1");
    }

    /** The variant that measured best (docs/static-vectors.md). */
    public static Options defaults() {
      return new Options(Source.TOKEN, Reduction.NONE, 384, Encoding.INT8);
    }

    /** For example {@code token/none/int8} or {@code pooled/pca256/float16}. */
    public String describe() {
      String r =
          switch (reduction) {
            case NONE -> "none";
            case CENTER -> "center";
            case PCA -> "pca" + dimension;
            case WHITEN -> "whiten" + dimension;
          };
      return source.name().toLowerCase(Locale.ROOT) + "/" + r + "/" + encoding.name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * The raw model outputs for the ids {@code [from, to)} (other rows null), with the vocabulary and the time the
   * model took.
   */
  public record ModelOutputs(
      EncoderModel model, String[] vocab, int from, int to, float[][] pooled, float[][] token, long nanos) {}

  /** The vocabulary of a tokenizer json, indexed by id. */
  public static String[] readVocab(InputStream tokenizerJson) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(tokenizerJson);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read tokenizer json", e);
    }
    JsonNode vocab = root.path("model").path("vocab");
    if (!vocab.isObject() || vocab.isEmpty()) throw new IllegalArgumentException("tokenizer json has no model.vocab");
    String[] byId = new String[vocab.size()];
    for (Map.Entry<String, JsonNode> e : vocab.properties()) {
      int id = e.getValue().intValue();
      if (id < 0 || id >= byId.length || byId[id] != null) {
        throw new IllegalArgumentException("tokenizer vocab ids are not 0.." + (byId.length - 1));
      }
      byId[id] = e.getKey();
    }
    return byId;
  }

  /**
   * The frequency rank of each vocabulary entry: 0 for bracketed special tokens (never counted), 1 for single
   * characters, else 1 + the number of multi-character entries before it.
   */
  public static int[] ranks(String[] vocab) {
    int[] ranks = new int[vocab.length];
    int next = 1;
    for (int id = 0; id < vocab.length; id++) {
      String token = vocab[id];
      if (isBracketed(token)) {
        ranks[id] = 0;
      } else if (token.codePointCount(0, token.length()) == 1) {
        ranks[id] = 1;
      } else {
        ranks[id] = next++;
      }
    }
    return ranks;
  }

  private static boolean isBracketed(String token) {
    return token.length() > 2 && token.startsWith("[") && token.endsWith("]");
  }

  /**
   * Runs the model on {@code [CLS] id [SEP]} for every id in {@code [from, to)}.
   *
   * @param threads ONNX Runtime intra-op threads
   */
  public static ModelOutputs runModel(EncoderModel model, Path modelDirectory, int from, int to, int threads) {
    Path onnx = modelDirectory.resolve(model.onnxFile());
    Path tokenizerJson = modelDirectory.resolve(model.tokenizerFile());
    if (!Files.isRegularFile(onnx) || !Files.isRegularFile(tokenizerJson)) {
      throw new IllegalStateException(
          "encoder model '" + model.name() + "' not found in " + modelDirectory.toAbsolutePath()
              + "; run ./mvnw generate-resources");
    }
    String[] vocab;
    WordPieceTokenizer tokenizer;
    try (InputStream a = Files.newInputStream(tokenizerJson);
        InputStream b = Files.newInputStream(tokenizerJson)) {
      vocab = readVocab(a);
      tokenizer = WordPieceTokenizer.fromJson(b);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + tokenizerJson, e);
    }
    if (from < 0 || to > vocab.length || from >= to) {
      throw new IllegalArgumentException("illegal id range [" + from + ", " + to + ") for vocab " + vocab.length);
    }
    int dim = model.dimension();
    float[][] pooled = new float[vocab.length][];
    float[][] token = new float[vocab.length][];
    long start = System.nanoTime();
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(threads);
      options.setInterOpNumThreads(1);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      try (OrtSession session = env.createSession(onnx.toString(), options)) {
        boolean types = session.getInputNames().contains(TOKEN_TYPE_IDS);
        Map<String, NodeInfo> outputs = session.getOutputInfo();
        String output = outputs.containsKey(LAST_HIDDEN_STATE) ? LAST_HIDDEN_STATE : outputs.keySet().iterator().next();
        for (int lo = from; lo < to; lo += BATCH) {
          int hi = Math.min(to, lo + BATCH);
          int batch = hi - lo;
          long[] ids = new long[batch * 3];
          long[] mask = new long[batch * 3];
          Arrays.fill(mask, 1L);
          for (int b = 0; b < batch; b++) {
            ids[b * 3] = tokenizer.clsId();
            ids[b * 3 + 1] = lo + b;
            ids[b * 3 + 2] = tokenizer.sepId();
          }
          long[] shape = {batch, 3};
          Map<String, OnnxTensor> inputs = new HashMap<>(4);
          try (OnnxTensor idsTensor = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape);
              OnnxTensor maskTensor = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape);
              OnnxTensor typesTensor =
                  types ? OnnxTensor.createTensor(env, LongBuffer.wrap(new long[batch * 3]), shape) : null) {
            inputs.put(INPUT_IDS, idsTensor);
            inputs.put(ATTENTION_MASK, maskTensor);
            if (typesTensor != null) inputs.put(TOKEN_TYPE_IDS, typesTensor);
            try (OrtSession.Result result = session.run(inputs, Set.of(output))) {
              OnnxValue value = result.get(output).orElseThrow();
              if (!(value instanceof OnnxTensor hidden)) throw new IllegalStateException("output is no tensor");
              long[] outShape = hidden.getInfo().getShape();
              if (outShape.length != 3 || outShape[0] != batch || outShape[1] != 3 || outShape[2] != dim) {
                throw new IllegalStateException(
                    "model '" + model.name() + "' returned shape " + Arrays.toString(outShape));
              }
              FloatBuffer h = hidden.getFloatBuffer();
              for (int b = 0; b < batch; b++) {
                float[] cls = new float[dim];
                float[] piece = new float[dim];
                float[] sep = new float[dim];
                h.get((b * 3) * dim, cls, 0, dim);
                h.get((b * 3 + 1) * dim, piece, 0, dim);
                h.get((b * 3 + 2) * dim, sep, 0, dim);
                token[lo + b] = piece;
                if (model.pooling() == EncoderModel.Pooling.CLS) {
                  pooled[lo + b] = cls;
                } else {
                  float[] mean = new float[dim];
                  for (int d = 0; d < dim; d++) mean[d] = (cls[d] + piece[d] + sep[d]) / 3f;
                  pooled[lo + b] = mean;
                }
              }
            }
          }
        }
      }
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX model of '" + model.name() + "' failed", e);
    }
    return new ModelOutputs(model, vocab, from, to, pooled, token, System.nanoTime() - start);
  }

  /**
   * The stored rows from raw outputs: rows with rank 0 or no output are zero; the others are scaled to unit length,
   * reduced as {@code reduction} says (statistics over the non-zero rows) and scaled to unit length again.
   */
  public static float[][] postprocess(float[][] raw, int[] ranks, Reduction reduction, int dimension) {
    int n = raw.length;
    int inDim = 0;
    for (float[] r : raw) {
      if (r != null) {
        inDim = r.length;
        break;
      }
    }
    if (inDim == 0) throw new IllegalArgumentException("no rows");
    boolean[] used = new boolean[n];
    float[][] unit = new float[n][];
    int count = 0;
    for (int i = 0; i < n; i++) {
      used[i] = raw[i] != null && ranks[i] > 0;
      unit[i] = new float[inDim];
      if (used[i]) {
        System.arraycopy(raw[i], 0, unit[i], 0, inDim);
        normalise(unit[i]);
        count++;
      }
    }
    if (reduction == Reduction.NONE) return unit;
    double[] mean = new double[inDim];
    for (int i = 0; i < n; i++) {
      if (!used[i]) continue;
      for (int d = 0; d < inDim; d++) mean[d] += unit[i][d];
    }
    float[] meanF = new float[inDim];
    for (int d = 0; d < inDim; d++) meanF[d] = (float) (mean[d] / Math.max(1, count));
    for (int i = 0; i < n; i++) {
      if (!used[i]) continue;
      for (int d = 0; d < inDim; d++) unit[i][d] -= meanF[d];
    }
    if (reduction == Reduction.CENTER) {
      for (int i = 0; i < n; i++) {
        if (used[i]) normalise(unit[i]);
      }
      return unit;
    }
    int k = Math.min(dimension, inDim);
    double[][] cov = covariance(unit, used, count);
    Eigen eigen = symmetricEigen(cov);
    // eigen.vectors[j] is the j-th eigenvector, sorted by falling eigenvalue.
    float[][] basis = new float[k][inDim];
    for (int j = 0; j < k; j++) {
      double s = reduction == Reduction.WHITEN ? 1.0 / Math.sqrt(Math.max(eigen.values[j], 1e-12)) : 1.0;
      for (int d = 0; d < inDim; d++) basis[j][d] = (float) (eigen.vectors[j][d] * s);
    }
    float[][] out = new float[n][];
    for (int i = 0; i < n; i++) {
      out[i] = new float[k];
      if (!used[i]) continue;
      float[] row = unit[i];
      for (int j = 0; j < k; j++) {
        float[] b = basis[j];
        float dot = 0;
        for (int d = 0; d < inDim; d++) dot += row[d] * b[d];
        out[i][j] = dot;
      }
      normalise(out[i]);
    }
    return out;
  }

  static void normalise(float[] v) {
    double norm = 0;
    for (float x : v) norm += (double) x * x;
    if (norm <= 1e-24) return;
    float inverse = (float) (1.0 / Math.sqrt(norm));
    for (int d = 0; d < v.length; d++) v[d] *= inverse;
  }

  private static double[][] covariance(float[][] rows, boolean[] used, int count) {
    int dim = rows[0].length;
    // Accumulate in float per block of rows (fast, vectorisable), flush to double to keep precision.
    double[][] cov = new double[dim][dim];
    float[][] block = new float[dim][dim];
    int inBlock = 0;
    for (int r = 0; r < rows.length; r++) {
      if (!used[r]) continue;
      float[] x = rows[r];
      for (int i = 0; i < dim; i++) {
        float xi = x[i];
        float[] bi = block[i];
        for (int j = i; j < dim; j++) bi[j] += xi * x[j];
      }
      if (++inBlock == 256) {
        flush(block, cov);
        inBlock = 0;
      }
    }
    flush(block, cov);
    for (int i = 0; i < dim; i++) {
      for (int j = i; j < dim; j++) {
        cov[i][j] /= Math.max(1, count - 1);
        cov[j][i] = cov[i][j];
      }
    }
    return cov;
  }

  private static void flush(float[][] block, double[][] cov) {
    for (int i = 0; i < block.length; i++) {
      for (int j = i; j < block.length; j++) cov[i][j] += block[i][j];
      Arrays.fill(block[i], 0f);
    }
  }

  /** Eigenvalues (falling) and their eigenvectors (rows). */
  record Eigen(double[] values, double[][] vectors) {}

  /**
   * Eigen-decomposition of a symmetric matrix: Householder reduction to tridiagonal form, then the implicit QL
   * algorithm (tred2 and tql2 of EISPACK, as in the public-domain JAMA library). {@code a} is not changed.
   */
  static Eigen symmetricEigen(double[][] a) {
    int n = a.length;
    double[][] v = new double[n][];
    for (int i = 0; i < n; i++) v[i] = a[i].clone();
    double[] d = new double[n];
    double[] e = new double[n];
    tred2(v, d, e);
    tql2(v, d, e);
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) order[i] = i;
    Arrays.sort(order, (x, y) -> Double.compare(d[y], d[x]));
    double[] values = new double[n];
    double[][] vectors = new double[n][n];
    for (int j = 0; j < n; j++) {
      values[j] = d[order[j]];
      for (int k = 0; k < n; k++) vectors[j][k] = v[k][order[j]];
    }
    return new Eigen(values, vectors);
  }

  private static void tred2(double[][] v, double[] d, double[] e) {
    int n = d.length;
    for (int j = 0; j < n; j++) d[j] = v[n - 1][j];
    for (int i = n - 1; i > 0; i--) {
      double scale = 0.0;
      double h = 0.0;
      for (int k = 0; k < i; k++) scale += Math.abs(d[k]);
      if (scale == 0.0) {
        e[i] = d[i - 1];
        for (int j = 0; j < i; j++) {
          d[j] = v[i - 1][j];
          v[i][j] = 0.0;
          v[j][i] = 0.0;
        }
      } else {
        for (int k = 0; k < i; k++) {
          d[k] /= scale;
          h += d[k] * d[k];
        }
        double f = d[i - 1];
        double g = Math.sqrt(h);
        if (f > 0) g = -g;
        e[i] = scale * g;
        h -= f * g;
        d[i - 1] = f - g;
        for (int j = 0; j < i; j++) e[j] = 0.0;
        for (int j = 0; j < i; j++) {
          f = d[j];
          v[j][i] = f;
          g = e[j] + v[j][j] * f;
          for (int k = j + 1; k <= i - 1; k++) {
            g += v[k][j] * d[k];
            e[k] += v[k][j] * f;
          }
          e[j] = g;
        }
        f = 0.0;
        for (int j = 0; j < i; j++) {
          e[j] /= h;
          f += e[j] * d[j];
        }
        double hh = f / (h + h);
        for (int j = 0; j < i; j++) e[j] -= hh * d[j];
        for (int j = 0; j < i; j++) {
          f = d[j];
          g = e[j];
          for (int k = j; k <= i - 1; k++) v[k][j] -= (f * e[k] + g * d[k]);
          d[j] = v[i - 1][j];
          v[i][j] = 0.0;
        }
      }
      d[i] = h;
    }
    for (int i = 0; i < n - 1; i++) {
      v[n - 1][i] = v[i][i];
      v[i][i] = 1.0;
      double h = d[i + 1];
      if (h != 0.0) {
        for (int k = 0; k <= i; k++) d[k] = v[k][i + 1] / h;
        for (int j = 0; j <= i; j++) {
          double g = 0.0;
          for (int k = 0; k <= i; k++) g += v[k][i + 1] * v[k][j];
          for (int k = 0; k <= i; k++) v[k][j] -= g * d[k];
        }
      }
      for (int k = 0; k <= i; k++) v[k][i + 1] = 0.0;
    }
    for (int j = 0; j < n; j++) {
      d[j] = v[n - 1][j];
      v[n - 1][j] = 0.0;
    }
    v[n - 1][n - 1] = 1.0;
    e[0] = 0.0;
  }

  private static void tql2(double[][] v, double[] d, double[] e) {
    int n = d.length;
    for (int i = 1; i < n; i++) e[i - 1] = e[i];
    e[n - 1] = 0.0;
    double f = 0.0;
    double tst1 = 0.0;
    double eps = Math.pow(2.0, -52.0);
    for (int l = 0; l < n; l++) {
      tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
      int m = l;
      while (m < n) {
        if (Math.abs(e[m]) <= eps * tst1) break;
        m++;
      }
      if (m > l) {
        do {
          double g = d[l];
          double p = (d[l + 1] - g) / (2.0 * e[l]);
          double r = Math.hypot(p, 1.0);
          if (p < 0) r = -r;
          d[l] = e[l] / (p + r);
          d[l + 1] = e[l] * (p + r);
          double dl1 = d[l + 1];
          double h = g - d[l];
          for (int i = l + 2; i < n; i++) d[i] -= h;
          f += h;
          p = d[m];
          double c = 1.0;
          double c2 = c;
          double c3 = c;
          double el1 = e[l + 1];
          double s = 0.0;
          double s2 = 0.0;
          for (int i = m - 1; i >= l; i--) {
            c3 = c2;
            c2 = c;
            s2 = s;
            g = c * e[i];
            h = c * p;
            r = Math.hypot(p, e[i]);
            e[i + 1] = s * r;
            s = e[i] / r;
            c = p / r;
            p = c * d[i] - s * g;
            d[i + 1] = h + s * (c * g + s * d[i]);
            for (int k = 0; k < n; k++) {
              h = v[k][i + 1];
              v[k][i + 1] = s * v[k][i] + c * h;
              v[k][i] = c * v[k][i] - s * h;
            }
          }
          p = -s * s2 * c3 * el1 * e[l] / dl1;
          e[l] = s * p;
          d[l] = c * p;
        } while (Math.abs(e[l]) > eps * tst1);
      }
      d[l] += f;
      e[l] = 0.0;
    }
  }

  /** Writes rows (all of one length) in the format {@link StaticEncoder#read} reads, atomically. */
  public static void write(
      Path file, String modelName, String variant, float[][] rows, int[] ranks, Encoding encoding) {
    int vocab = rows.length;
    int dim = rows[0].length;
    Path dir = file.toAbsolutePath().getParent();
    try {
      Files.createDirectories(dir);
      Path tmp = dir.resolve(file.getFileName() + ".tmp");
      try (DataOutputStream out =
          new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16))) {
        out.write(MAGIC);
        out.writeInt(VERSION);
        out.writeUTF(modelName);
        out.writeUTF(variant);
        out.writeInt(vocab);
        out.writeInt(dim);
        out.writeByte(encoding == Encoding.INT8 ? ENCODING_INT8 : ENCODING_FLOAT16);
        for (int r : ranks) out.writeInt(r);
        if (encoding == Encoding.INT8) {
          float[] scales = new float[vocab];
          byte[] data = new byte[vocab * dim];
          quantise(rows, scales, data);
          for (float s : scales) out.writeFloat(s);
          out.write(data);
        } else {
          for (float[] row : rows) {
            for (float x : row) out.writeShort(Float.floatToFloat16(x));
          }
        }
      } catch (IOException | RuntimeException e) {
        Files.deleteIfExists(tmp);
        throw e;
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** Symmetric int8 per row: {@code row[d] ~= scales[r] * data[r * dim + d]}. */
  static void quantise(float[][] rows, float[] scales, byte[] data) {
    int dim = rows[0].length;
    for (int r = 0; r < rows.length; r++) {
      float max = 0;
      for (float x : rows[r]) max = Math.max(max, Math.abs(x));
      float scale = max / 127f;
      scales[r] = scale;
      if (scale == 0) continue;
      for (int d = 0; d < dim; d++) {
        data[r * dim + d] = (byte) Math.max(-127, Math.min(127, Math.round(rows[r][d] / scale)));
      }
    }
  }

  /** The model outputs for {@code options.source()}. */
  public static float[][] select(ModelOutputs outputs, Source source) {
    return source == Source.POOLED ? outputs.pooled() : outputs.token();
  }

  /** Builds and writes the static vectors of {@code model} for ids {@code [from, to)}; returns the build time. */
  public static long build(
      EncoderModel model, Path modelDirectory, Path output, Options options, int from, int to, int threads) {
    long start = System.nanoTime();
    ModelOutputs outputs = runModel(model, modelDirectory, from, to, threads);
    long modelDone = System.nanoTime();
    int[] ranks = ranks(outputs.vocab());
    float[][] rows = postprocess(select(outputs, options.source()), ranks, options.reduction(), options.dimension());
    long reduced = System.nanoTime();
    // A partial build says so in its variant, so that it never passes for the full one.
    String variant = options.describe();
    if (from != 0 || to != outputs.vocab().length) variant += " ids " + from + ":" + to;
    write(output, model.name(), variant, rows, ranks, options.encoding());
    long end = System.nanoTime();
    System.out.printf(
        Locale.ROOT,
        "%s: model %.1f s, %s %.1f s, write %.1f s%n",
        model.name(), (modelDone - start) / 1e9, options.reduction().name().toLowerCase(Locale.ROOT),
        (reduced - modelDone) / 1e9, (end - reduced) / 1e9);
    return end - start;
  }

  public static void main(String[] args) {
    if (args.length < 3) {
      System.err.println(
          "usage: StaticVectorsBuilder <models directory> <model name> <output file> [--force]"
              + " [--source pooled|token] [--reduce none|center|pca|whiten] [--dims N] [--encoding int8|float16]"
              + " [--ids FROM:TO]");
      System.exit(2);
    }
    Path modelDirectory = Path.of(args[0]);
    EncoderModel model = EncoderModel.named(args[1]);
    Path output = Path.of(args[2]);
    Options defaults = Options.defaults();
    Source source = defaults.source();
    Reduction reduction = defaults.reduction();
    int dims = defaults.dimension();
    Encoding encoding = defaults.encoding();
    boolean force = false;
    int from = 0;
    int to = -1;
    for (int i = 3; i < args.length; i++) {
      switch (args[i]) {
        case "--force" -> force = true;
        case "--source" -> source = Source.valueOf(args[++i].toUpperCase(Locale.ROOT));
        case "--reduce" -> reduction = Reduction.valueOf(args[++i].toUpperCase(Locale.ROOT));
        case "--dims" -> dims = Integer.parseInt(args[++i]);
        case "--encoding" -> encoding = Encoding.valueOf(args[++i].toUpperCase(Locale.ROOT));
        case "--ids" -> {
          String[] range = args[++i].split(":", 2);
          from = Integer.parseInt(range[0]);
          to = Integer.parseInt(range[1]);
        }
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Options options = new Options(source, reduction, dims, encoding);
    Path onnx = modelDirectory.resolve(model.onnxFile());
    if (!force && upToDate(output, model.name(), options.describe(), onnx)) {
      System.out.println("static vectors " + output + " (" + options.describe() + ") are up to date");
      return;
    }
    if (to < 0) {
      try (InputStream json = Files.newInputStream(modelDirectory.resolve(model.tokenizerFile()))) {
        to = WordPieceTokenizer.fromJson(json).vocabSize();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read tokenizer of " + model.name(), e);
      }
    }
    int threads = Runtime.getRuntime().availableProcessors();
    long nanos = build(model, modelDirectory, output, options, from, to, threads);
    long bytes;
    try {
      bytes = Files.size(output);
    } catch (IOException e) {
      bytes = -1;
    }
    System.out.printf(
        Locale.ROOT,
        "static vectors of %s (%s, ids %d..%d) written to %s: %,d bytes in %.1f s%n",
        model.name(), options.describe(), from, to - 1, output, bytes, nanos / 1e9);
  }

  /** True when {@code output} holds static vectors of {@code modelName} in {@code variant}, newer than the model. */
  static boolean upToDate(Path output, String modelName, String variant, Path onnx) {
    if (!Files.isRegularFile(output)) return false;
    try {
      StaticEncoder.Header header = StaticEncoder.readHeader(output);
      if (!header.modelName().equals(modelName) || !header.variant().equals(variant)) return false;
      return !Files.isRegularFile(onnx)
          || Files.getLastModifiedTime(output).compareTo(Files.getLastModifiedTime(onnx)) >= 0;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }
}
