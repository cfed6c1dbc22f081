package dev.precis.encode;

import java.util.List;
import java.util.Objects;

/**
 * A sentence encoder model: its ONNX graph and tokenizer files, how token vectors are pooled into one vector, the
 * vector dimension, the longest input in word pieces ({@code [CLS]} and {@code [SEP]} included), and the prefix the
 * model wants in front of search queries ({@code ""} when none).
 *
 * <p>The files are looked up by name in a model directory (normally {@code models/}, filled by {@code ./mvnw
 * generate-resources}) or on the classpath under {@code /models/}.
 */
public record EncoderModel(
    String name,
    String onnxFile,
    String tokenizerFile,
    Pooling pooling,
    int dimension,
    int maxSequenceLength,
    String queryPrefix) {

  /** How the token vectors of the last hidden state become one sentence vector (before L2 normalisation). */
  public enum Pooling {
    /** The mean of the token vectors under the attention mask. */
    MEAN,
    /** The vector of the first token ({@code [CLS]}). */
    CLS
  }

  public static final int DEFAULT_MAX_SEQUENCE_LENGTH = 128;

  /** sentence-transformers/all-MiniLM-L6-v2, int8-quantised: mean pooling, 384 dimensions, no query prefix. */
  public static final EncoderModel ALL_MINILM_L6_V2_Q =
      new EncoderModel(
          "all-minilm-l6-v2-q",
          "all-minilm-l6-v2-q.onnx",
          "all-minilm-l6-v2-q-tokenizer.json",
          Pooling.MEAN,
          384,
          DEFAULT_MAX_SEQUENCE_LENGTH,
          "");

  /** BAAI/bge-small-en-v1.5, int8-quantised: CLS pooling, 384 dimensions, with bge's retrieval query instruction. */
  public static final EncoderModel BGE_SMALL_EN_V15_Q =
      new EncoderModel(
          "bge-small-en-v1.5-q",
          "bge-small-en-v1.5-q.onnx",
          "bge-small-en-v1.5-q-tokenizer.json",
          Pooling.CLS,
          384,
          DEFAULT_MAX_SEQUENCE_LENGTH,
          "Represent this sentence for searching relevant passages: ");

  public EncoderModel {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(onnxFile, "onnxFile");
    Objects.requireNonNull(tokenizerFile, "tokenizerFile");
    Objects.requireNonNull(pooling, "pooling");
    Objects.requireNonNull(queryPrefix, "queryPrefix");
    if (name.isBlank()) throw new IllegalArgumentException("illegal encoder model name: blank");
    if (dimension <= 0) throw new IllegalArgumentException("illegal dimension: " + dimension + ", must be > 0");
    if (maxSequenceLength < 2) {
      throw new IllegalArgumentException("illegal maxSequenceLength: " + maxSequenceLength + ", must be >= 2");
    }
  }

  /** The two models the build provides. */
  public static List<EncoderModel> known() {
    return List.of(ALL_MINILM_L6_V2_Q, BGE_SMALL_EN_V15_Q);
  }

  /** The known model called {@code name}. */
  public static EncoderModel named(String name) {
    for (EncoderModel m : known()) {
      if (m.name.equals(name)) return m;
    }
    throw new IllegalArgumentException(
        "unknown encoder model '" + name + "', known: " + known().stream().map(EncoderModel::name).toList());
  }

  /** The classpath resource of the ONNX graph. */
  public String onnxResource() {
    return "/models/" + onnxFile;
  }

  /** The classpath resource of the tokenizer json. */
  public String tokenizerResource() {
    return "/models/" + tokenizerFile;
  }

  /** This model with another input length limit. */
  public EncoderModel withMaxSequenceLength(int maxSequenceLength) {
    return new EncoderModel(name, onnxFile, tokenizerFile, pooling, dimension, maxSequenceLength, queryPrefix);
  }
}
