package dev.precis.encode;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A {@link SentenceEncoder} running a BERT-style ONNX model with ONNX Runtime on the CPU.
 *
 * <p>Texts are tokenised with the model's {@link WordPieceTokenizer}, sorted by length and run in batches of at most
 * {@code batchSize}, each padded only to its own longest sequence; the vectors come back in input order. A quantised
 * model's activations are quantised per call, over every text in the batch, so a text's vector depends slightly on
 * the texts it shares a batch with (cosine 0.994-0.999 to its vector alone, even without padding). With
 * {@code batchSize} 1 every text runs alone: its vector is the same whatever it is embedded with, so a cached or
 * stored vector is exactly the one a fresh request would compute, at a cost of a few per cent (32 units: 96-99 ms in
 * batches, 100-103 ms alone, on two cores). On the dev sets, texts alone kept 6-8 fewer answers of 1,016 than any of
 * four batchings, for reasons not established (docs/ranking-audit.md), so the service batches by default.
 *
 * <p>Each inference call runs on one thread (ONNX Runtime's intra-op parallelism is off): a call's operators are too
 * small to share two cores well (32 units of a request took 151 ms on two intra-op threads and 191 ms on one), so a
 * request's texts are cut into batches that run side by side instead, costliest first, on the calling thread and up
 * to {@code threads - 1} helpers (99 ms). Which texts share a batch depends on the texts alone, never on
 * timing, so the vectors are deterministic.
 *
 * <p>Thread-safe: {@link OrtSession#run} may be called concurrently. {@link #close()} waits for running calls.
 */
public final class OnnxSentenceEncoder implements SentenceEncoder {
  private static final String INPUT_IDS = "input_ids";
  private static final String ATTENTION_MASK = "attention_mask";
  private static final String TOKEN_TYPE_IDS = "token_type_ids";
  private static final String LAST_HIDDEN_STATE = "last_hidden_state";
  /**
   * Word pieces below which a request's texts are not cut for parallelism: a few short texts run faster as one batch
   * than as two, and a quantised model's vectors depend slightly on which texts share a batch (its activations are
   * quantised per batch), so small inputs keep the vectors of one batch.
   */
  static final int MIN_PARALLEL_PIECES = 256;

  private final EncoderModel model;
  private final WordPieceTokenizer tokenizer;
  private final OrtEnvironment environment;
  private final OrtSession session;
  private final int batchSize;
  private final int threads;
  private final ExecutorService helpers;
  private final boolean takesTokenTypes;
  private final String outputName;
  private final LongAdder embeddedWordPieces = new LongAdder();
  private final LongAdder embeddedTexts = new LongAdder();
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private boolean closed;

  /**
   * Loads {@code model} from {@code modelDirectory} when both of its files are there, else from the classpath under
   * {@code /models/}.
   *
   * @param modelDirectory where to look first; null to use the classpath only
   * @param threads how many inference calls of one {@link #embed} call run side by side, each on one thread (the
   *     calling thread and {@code threads - 1} helpers shared by all calls)
   * @param batchSize the most texts per inference call
   * @throws IllegalStateException when the model files are in neither place
   */
  public OnnxSentenceEncoder(EncoderModel model, Path modelDirectory, int threads, int batchSize) {
    this.model = Objects.requireNonNull(model, "model");
    if (threads < 1) throw new IllegalArgumentException("illegal threads: " + threads + ", must be >= 1");
    if (batchSize < 1) throw new IllegalArgumentException("illegal batchSize: " + batchSize + ", must be >= 1");
    this.batchSize = batchSize;
    this.threads = threads;

    List<String> tried = new ArrayList<>();
    Path onnxPath = fileIn(modelDirectory, model.onnxFile(), tried);
    Path tokenizerPath = fileIn(modelDirectory, model.tokenizerFile(), tried);
    byte[] onnxBytes = null;
    if (onnxPath == null || tokenizerPath == null) {
      onnxPath = null;
      tokenizerPath = null;
      tried.add("classpath:" + model.onnxResource());
      tried.add("classpath:" + model.tokenizerResource());
      if (OnnxSentenceEncoder.class.getResource(model.onnxResource()) == null
          || OnnxSentenceEncoder.class.getResource(model.tokenizerResource()) == null) {
        throw new IllegalStateException(
            "encoder model '"
                + model.name()
                + "' not found (tried "
                + String.join(", ", tried)
                + "); run ./mvnw generate-resources to unpack the encoder models into models/");
      }
      onnxBytes = resourceBytes(model.onnxResource());
    }

    // The vocabulary json (a few hundred ms on a cold JVM) is parsed on a second thread while ONNX Runtime loads its
    // native library and creates the session on this one; they share nothing.
    Path tokenizerFile = tokenizerPath;
    FutureTask<WordPieceTokenizer> readTokenizer = new FutureTask<>(() -> readTokenizer(model, tokenizerFile));
    Thread.ofPlatform().name("precis-tokenizer-loader").daemon(true).start(readTokenizer);

    OrtSession created = null;
    OnnxRuntimeLibraries.preferUnpacked();
    this.environment = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      options.setInterOpNumThreads(1);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      options.setMemoryPatternOptimization(true);
      created =
          onnxPath != null
              ? environment.createSession(onnxPath.toString(), options)
              : environment.createSession(onnxBytes, options);
      this.tokenizer = joinTokenizer(readTokenizer, model);
    } catch (OrtException | RuntimeException e) {
      if (created != null) closeQuietly(created);
      readTokenizer.cancel(false);
      if (e instanceof RuntimeException r) throw r;
      throw new IllegalStateException("cannot load ONNX model of encoder '" + model.name() + "'", e);
    }
    this.session = created;

    try {
      if (!session.getInputNames().contains(INPUT_IDS) || !session.getInputNames().contains(ATTENTION_MASK)) {
        throw new IllegalStateException(
            "encoder model '" + model.name() + "' has inputs " + session.getInputNames() + ", expected "
                + INPUT_IDS + " and " + ATTENTION_MASK);
      }
      this.takesTokenTypes = session.getInputNames().contains(TOKEN_TYPE_IDS);
      Map<String, NodeInfo> outputs = session.getOutputInfo();
      this.outputName = outputs.containsKey(LAST_HIDDEN_STATE) ? LAST_HIDDEN_STATE : outputs.keySet().iterator().next();
      if (!(outputs.get(outputName).getInfo() instanceof TensorInfo info)
          || info.getShape().length != 3
          || (info.getShape()[2] > 0 && info.getShape()[2] != model.dimension())) {
        throw new IllegalStateException(
            "encoder model '" + model.name() + "' output " + outputName + " is " + outputs.get(outputName).getInfo()
                + ", expected a [batch, sequence, " + model.dimension() + "] tensor");
      }
    } catch (OrtException | RuntimeException e) {
      closeQuietly(session);
      if (e instanceof RuntimeException r) throw r;
      throw new IllegalStateException("cannot inspect ONNX model of encoder '" + model.name() + "'", e);
    }
    this.helpers = threads == 1
        ? null
        : Executors.newFixedThreadPool(threads - 1, Thread.ofPlatform().name("precis-encoder-", 1).daemon(true).factory());
  }

  private static WordPieceTokenizer readTokenizer(EncoderModel model, Path tokenizerPath) {
    try (InputStream json =
        tokenizerPath != null
            ? Files.newInputStream(tokenizerPath)
            : OnnxSentenceEncoder.class.getResourceAsStream(model.tokenizerResource())) {
      return WordPieceTokenizer.fromJson(json);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read tokenizer of encoder model '" + model.name() + "'", e);
    }
  }

  private static WordPieceTokenizer joinTokenizer(FutureTask<WordPieceTokenizer> task, EncoderModel model) {
    try {
      return task.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) throw r;
      if (e.getCause() instanceof Error err) throw err;
      throw new IllegalStateException("cannot read tokenizer of encoder model '" + model.name() + "'", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the tokenizer of '" + model.name() + "'", e);
    }
  }

  private static Path fileIn(Path directory, String file, List<String> tried) {
    if (directory == null) return null;
    Path path = directory.resolve(file);
    tried.add(path.toAbsolutePath().toString());
    return Files.isRegularFile(path) ? path : null;
  }

  private static byte[] resourceBytes(String resource) {
    try (InputStream in = OnnxSentenceEncoder.class.getResourceAsStream(resource)) {
      if (in == null) throw new IllegalStateException("classpath resource " + resource + " disappeared");
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read classpath resource " + resource, e);
    }
  }

  private static void closeQuietly(OrtSession session) {
    try {
      session.close();
    } catch (OrtException ignored) {
      // already failing; the first error is the one to report
    }
  }

  @Override
  public int dimension() {
    return model.dimension();
  }

  @Override
  public String modelName() {
    return model.name();
  }

  public EncoderModel model() {
    return model;
  }

  public WordPieceTokenizer tokenizer() {
    return tokenizer;
  }

  /** Word pieces sent to the model so far ({@code [CLS]} and {@code [SEP]} included, padding excluded). */
  public long embeddedWordPieces() {
    return embeddedWordPieces.sum();
  }

  /** Texts embedded so far. */
  public long embeddedTexts() {
    return embeddedTexts.sum();
  }

  @Override
  public float[] embedQuery(String query) {
    Objects.requireNonNull(query, "query");
    return embed(List.of(model.queryPrefix() + query))[0];
  }

  @Override
  public float[][] embed(List<String> texts) {
    Objects.requireNonNull(texts, "texts");
    int n = texts.size();
    float[][] vectors = new float[n][];
    if (n == 0) return vectors;
    int[][] ids = new int[n][];
    long[] byLength = new long[n];
    for (int i = 0; i < n; i++) {
      String text = Objects.requireNonNull(texts.get(i), "texts[" + i + "]");
      ids[i] = tokenizer.encode(text, model.maxSequenceLength());
      byLength[i] = ((long) ids[i].length << 32) | i;
    }
    Arrays.sort(byLength);

    ReentrantReadWriteLock.ReadLock lock = lifecycle.readLock();
    lock.lock();
    try {
      if (closed) throw new IllegalStateException("encoder '" + model.name() + "' is closed");
      runAll(batches(byLength, threads, batchSize), ids, vectors);
    } finally {
      lock.unlock();
    }
    return vectors;
  }

  /**
   * Cuts the texts, sorted by length ({@code byLength}: length in the high half, index in the low), into batches:
   * consecutive texts, at most {@code batchSize}, closed when padding would exceed a quarter of the batch's real
   * word pieces (a batch is padded to its longest text) or when the batch reaches its share of all word pieces, but
   * not below {@link #MIN_PARALLEL_PIECES}; the share is a thread's part, so that {@code threads} batches can run side
   * by side. With several threads the batches are returned costliest first, so that the threads taking them in turn
   * finish together (longest processing time first): taken in length order, the last batch (the longest texts, the
   * costliest) often ran alone while the other thread idled. Median embedding time of 25 requests' texts on two
   * threads, length order against costliest first: a 16k-token document 118 / 110 ms, 100k 96 / 86, 4k 91 / 90, nq20
   * 101 / 96, hotpotqa 89 / 88. Only the order changes, not which texts share a batch, so the vectors are the same.
   * (Cutting a thread's part into three batches gained 6 ms more at 16k but changed the vectors, and the fusion
   * refitted on them kept 828 answers of 1,016 cross-validated against 836: within the batch noise of a quantised
   * model, but not a change to make for 6 ms.)
   */
  static List<int[]> batches(long[] byLength, int threads, int batchSize) {
    int n = byLength.length;
    long total = 0;
    for (long packed : byLength) total += packed >>> 32;
    long share = threads == 1 ? Long.MAX_VALUE : Math.max(MIN_PARALLEL_PIECES, (total + threads - 1) / threads);
    List<Batch> batches = new ArrayList<>();
    int from = 0;
    while (from < n) {
      int to = from + 1;
      long pieces = byLength[from] >>> 32;
      while (to < n && to - from < batchSize && pieces < share) {
        long length = byLength[to] >>> 32;
        if ((to - from + 1) * length * 4 > (pieces + length) * 5) break;
        pieces += length;
        to++;
      }
      int[] rows = new int[to - from];
      for (int r = 0; r < rows.length; r++) rows[r] = (int) byLength[from + r];
      batches.add(new Batch(rows, estimatedCost(rows.length, byLength[to - 1] >>> 32)));
      from = to;
    }
    // A stable sort: batches of equal cost stay in length order.
    if (threads > 1) batches.sort(Comparator.comparingLong(Batch::cost).reversed());
    return batches.stream().map(Batch::rows).toList();
  }

  private record Batch(int[] rows, long cost) {}

  /**
   * The relative cost of one inference call over {@code rows} texts padded to {@code sequence} word pieces: bge-small
   * took about 105 + 0.18 x sequence microseconds per padded word piece on one thread (8 x 24 to 4 x 192 word pieces;
   * attention grows with the sequence) plus about 1 ms per call, in units of 1/600 of those 105 microseconds.
   */
  static long estimatedCost(int rows, long sequence) {
    return rows * sequence * (600 + sequence) + 5_700;
  }

  /**
   * Runs the batches on the calling thread and on helpers, each taking the next batch not yet taken. The caller
   * never waits for a helper that has not started: whatever is left it runs itself, so a busy pool only costs the
   * parallelism. Returns when every batch is done; the first failure is thrown.
   */
  private void runAll(List<int[]> batches, int[][] ids, float[][] vectors) {
    AtomicInteger next = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(batches.size());
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Runnable worker = () -> {
      for (int b = next.getAndIncrement(); b < batches.size(); b = next.getAndIncrement()) {
        try {
          if (failure.get() == null) runBatch(ids, batches.get(b), vectors);
        } catch (OrtException | RuntimeException | Error e) {
          failure.compareAndSet(null, e);
        } finally {
          done.countDown();
        }
      }
    };
    int helping = helpers == null ? 0 : Math.min(threads - 1, batches.size() - 1);
    for (int h = 0; h < helping; h++) {
      try {
        helpers.execute(worker);
      } catch (RejectedExecutionException e) {
        break; // closing: the caller runs what is left
      }
    }
    worker.run();
    boolean interrupted = false;
    while (true) {
      try {
        done.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true; // helpers write into vectors: return only once they are done
      }
    }
    if (interrupted) Thread.currentThread().interrupt();
    Throwable e = failure.get();
    if (e instanceof OrtException ort) throw new IllegalStateException("encoder '" + model.name() + "' failed", ort);
    if (e instanceof RuntimeException r) throw r;
    if (e instanceof Error err) throw err;
  }

  /** Embeds the texts {@code rows} (indexes into {@code ids}) in one inference call into {@code vectors}. */
  private void runBatch(int[][] ids, int[] rows, float[][] vectors) throws OrtException {
    int batch = rows.length;
    int sequence = 0;
    long pieces = 0;
    for (int row : rows) {
      sequence = Math.max(sequence, ids[row].length);
      pieces += ids[row].length;
    }
    long[] inputIds = new long[batch * sequence];
    long[] mask = new long[batch * sequence];
    long padId = tokenizer.padId();
    for (int b = 0; b < batch; b++) {
      int[] seq = ids[rows[b]];
      int base = b * sequence;
      for (int t = 0; t < sequence; t++) {
        if (t < seq.length) {
          inputIds[base + t] = seq[t];
          mask[base + t] = 1;
        } else {
          inputIds[base + t] = padId;
        }
      }
    }
    long[] shape = {batch, sequence};
    Map<String, OnnxTensor> inputs = new HashMap<>(4);
    try (OnnxTensor idsTensor = OnnxTensor.createTensor(environment, LongBuffer.wrap(inputIds), shape);
        OnnxTensor maskTensor = OnnxTensor.createTensor(environment, LongBuffer.wrap(mask), shape);
        OnnxTensor typesTensor =
            takesTokenTypes
                ? OnnxTensor.createTensor(environment, LongBuffer.wrap(new long[batch * sequence]), shape)
                : null) {
      inputs.put(INPUT_IDS, idsTensor);
      inputs.put(ATTENTION_MASK, maskTensor);
      if (typesTensor != null) inputs.put(TOKEN_TYPE_IDS, typesTensor);
      try (OrtSession.Result result = session.run(inputs, Set.of(outputName))) {
        OnnxValue value = result.get(outputName).orElseThrow();
        if (!(value instanceof OnnxTensor hidden)) {
          throw new IllegalStateException("encoder '" + model.name() + "' output " + outputName + " is no tensor");
        }
        long[] outShape = hidden.getInfo().getShape();
        int dim = model.dimension();
        if (outShape.length != 3 || outShape[0] != batch || outShape[1] != sequence || outShape[2] != dim) {
          throw new IllegalStateException(
              "encoder '" + model.name() + "' returned shape " + Arrays.toString(outShape) + ", expected ["
                  + batch + ", " + sequence + ", " + dim + "]");
        }
        FloatBuffer hiddenState = hidden.getFloatBuffer();
        for (int b = 0; b < batch; b++) {
          vectors[rows[b]] = pool(hiddenState, b, sequence, ids[rows[b]].length, dim);
        }
      }
    }
    embeddedWordPieces.add(pieces);
    embeddedTexts.add(batch);
  }

  /** The pooled, L2-normalised vector of row {@code b}, whose first {@code length} tokens are real. */
  private float[] pool(FloatBuffer hidden, int b, int sequence, int length, int dim) {
    float[] v = new float[dim];
    int rowBase = b * sequence * dim;
    if (model.pooling() == EncoderModel.Pooling.CLS) {
      hidden.get(rowBase, v, 0, dim);
    } else {
      float[] token = new float[dim];
      for (int t = 0; t < length; t++) {
        hidden.get(rowBase + t * dim, token, 0, dim);
        for (int d = 0; d < dim; d++) v[d] += token[d];
      }
      float inverse = 1f / Math.max(length, 1);
      for (int d = 0; d < dim; d++) v[d] *= inverse;
    }
    double norm = 0;
    for (float x : v) norm += (double) x * x;
    norm = Math.sqrt(norm);
    if (norm > 1e-12) {
      float inverse = (float) (1.0 / norm);
      for (int d = 0; d < dim; d++) v[d] *= inverse;
    }
    return v;
  }

  /** Closes the ONNX session once running calls have finished; later calls fail. Idempotent. */
  @Override
  public void close() {
    ReentrantReadWriteLock.WriteLock lock = lifecycle.writeLock();
    lock.lock();
    try {
      if (closed) return;
      closed = true;
      if (helpers != null) helpers.shutdown();
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException("cannot close encoder '" + model.name() + "'", e);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String toString() {
    return "OnnxSentenceEncoder[" + model.name() + ", batch " + batchSize + ", threads " + threads + "]";
  }
}
