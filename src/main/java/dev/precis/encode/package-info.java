/**
 * Sentence encoding: the stage that turns text units and the query into L2-normalised vectors for semantic ranking.
 *
 * <p>{@link dev.precis.encode.WordPieceTokenizer} reproduces Hugging Face's BERT tokenisation in plain Java from the
 * model's {@code tokenizer.json}; {@link dev.precis.encode.OnnxSentenceEncoder} runs a quantised encoder (see {@link
 * dev.precis.encode.EncoderModel}) with ONNX Runtime, batching texts of similar length; {@link
 * dev.precis.encode.CachingSentenceEncoder} puts a bounded LRU {@link dev.precis.encode.VectorCache} in front of it
 * so repeated units are embedded once. The model files come from {@code ./mvnw generate-resources} into {@code
 * models/}.
 */
package dev.precis.encode;
