package dev.precis.encode;

import java.util.List;

/** Turns texts into L2-normalised vectors. Implementations are thread-safe. */
public interface SentenceEncoder extends AutoCloseable {
  /** The length of every vector. */
  int dimension();

  /** The name of the model behind the vectors; vectors of different models are not comparable. */
  String modelName();

  /**
   * One unit-length vector per text, in the order of {@code texts}; an empty list gives an empty array. Texts longer
   * than the model's input limit are cut.
   */
  float[][] embed(List<String> texts);

  /** The vector of a search query, with the model's query prefix (if any) in front of it. */
  float[] embedQuery(String query);

  @Override
  void close();
}
