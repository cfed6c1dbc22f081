package dev.precis.engine;

import dev.precis.plan.PlanSettings;
import dev.precis.rank.RankSettings;
import java.nio.file.Path;

/**
 * Everything that configures an engine, as plain values (the service fills it from its configuration).
 *
 * @param bm25 whether BM25 ranks units (off only for ablations)
 * @param encoder whether the sentence encoder ranks units (off only for ablations, or to run without a model)
 * @param staticVectors whether the encoder's static word piece vectors (built with the application) help choose
 *     what the encoder embeds; they must then be present beside the model
 * @param encoderModel the encoder model's name (see {@code dev.precis.encode.EncoderModel#known()})
 * @param modelDirectory where the model files are, or null to look on the classpath only
 * @param encoderThreads threads one encoder call may use: batches run side by side, each inference on one thread
 * @param encoderBatchSize texts per encoder inference; 1 makes a text's vector independent of the texts embedded
 *     with it
 * @param vectorCacheEntries how many unit vectors are cached by content hash (0 disables the cache)
 * @param tokenCountCacheEntries how many exact token counts of units and documents are cached by content hash (0
 *     disables the cache)
 * @param maxUnitChars longest unit in characters; longer sentences and blocks are split
 * @param segmentCacheChars how many characters of recently segmented documents are kept, segmented, by their text
 *     (a long document asked many questions is cut once); 0 disables the cache
 * @param maxFillAttempts how many leftover units are tried to fill slack after the exact count
 * @param rank fusion weights
 * @param plan budget spending
 */
public record EngineSettings(
    boolean bm25,
    boolean encoder,
    boolean staticVectors,
    String encoderModel,
    Path modelDirectory,
    int encoderThreads,
    int encoderBatchSize,
    int vectorCacheEntries,
    int tokenCountCacheEntries,
    int maxUnitChars,
    int segmentCacheChars,
    int maxFillAttempts,
    RankSettings rank,
    PlanSettings plan) {

  public EngineSettings {
    if (encoderModel == null || encoderModel.isBlank()) {
      throw new IllegalArgumentException("illegal encoderModel: blank, must name a model");
    }
    if (encoderThreads <= 0) {
      throw new IllegalArgumentException("illegal encoderThreads: " + encoderThreads + ", must be > 0");
    }
    if (encoderBatchSize <= 0) {
      throw new IllegalArgumentException("illegal encoderBatchSize: " + encoderBatchSize + ", must be > 0");
    }
    if (vectorCacheEntries < 0) {
      throw new IllegalArgumentException("illegal vectorCacheEntries: " + vectorCacheEntries + ", must be >= 0");
    }
    if (tokenCountCacheEntries < 0) {
      throw new IllegalArgumentException(
          "illegal tokenCountCacheEntries: " + tokenCountCacheEntries + ", must be >= 0");
    }
    if (segmentCacheChars < 0) {
      throw new IllegalArgumentException("illegal segmentCacheChars: " + segmentCacheChars + ", must be >= 0");
    }
    if (maxUnitChars <= 0) {
      throw new IllegalArgumentException("illegal maxUnitChars: " + maxUnitChars + ", must be > 0");
    }
    if (maxFillAttempts < 0) {
      throw new IllegalArgumentException("illegal maxFillAttempts: " + maxFillAttempts + ", must be >= 0");
    }
    if (rank == null) throw new IllegalArgumentException("illegal rank settings: null, must be set");
    if (plan == null) throw new IllegalArgumentException("illegal plan settings: null, must be set");
  }

  public static final String DEFAULT_MODEL = "bge-small-en-v1.5-q";

  /** The defaults the service also uses; model files from {@code models/} or the classpath. */
  public static EngineSettings defaults() {
    return new EngineSettings(true, true, true, DEFAULT_MODEL, Path.of("models"),
        Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())), 32, 20_000, 50_000, 600, 4_000_000, 32,
        RankSettings.defaults(), PlanSettings.defaults());
  }

  public EngineSettings withBm25(boolean enabled) {
    return new EngineSettings(enabled, encoder, staticVectors, encoderModel, modelDirectory, encoderThreads, encoderBatchSize,
        vectorCacheEntries, tokenCountCacheEntries, maxUnitChars, segmentCacheChars, maxFillAttempts, rank, plan);
  }

  public EngineSettings withEncoder(boolean enabled) {
    return new EngineSettings(bm25, enabled, staticVectors, encoderModel, modelDirectory, encoderThreads, encoderBatchSize,
        vectorCacheEntries, tokenCountCacheEntries, maxUnitChars, segmentCacheChars, maxFillAttempts, rank, plan);
  }

  public EngineSettings withStaticVectors(boolean enabled) {
    return new EngineSettings(bm25, encoder, enabled, encoderModel, modelDirectory, encoderThreads, encoderBatchSize,
        vectorCacheEntries, tokenCountCacheEntries, maxUnitChars, segmentCacheChars, maxFillAttempts, rank, plan);
  }

  public EngineSettings withCoarseSummaries(boolean enabled) {
    return withPlan(plan.withCoarseSummaries(enabled));
  }

  public EngineSettings withEncoderModel(String model) {
    return new EngineSettings(bm25, encoder, staticVectors, model, modelDirectory, encoderThreads, encoderBatchSize,
        vectorCacheEntries, tokenCountCacheEntries, maxUnitChars, segmentCacheChars, maxFillAttempts, rank, plan);
  }

  public EngineSettings withEncoderBatchSize(int batchSize) {
    return new EngineSettings(bm25, encoder, staticVectors, encoderModel, modelDirectory, encoderThreads, batchSize,
        vectorCacheEntries, tokenCountCacheEntries, maxUnitChars, segmentCacheChars, maxFillAttempts, rank, plan);
  }

  public EngineSettings withVectorCacheEntries(int entries) {
    return new EngineSettings(bm25, encoder, staticVectors, encoderModel, modelDirectory, encoderThreads, encoderBatchSize,
        entries, tokenCountCacheEntries, maxUnitChars, segmentCacheChars, maxFillAttempts, rank, plan);
  }

  public EngineSettings withTokenCountCacheEntries(int entries) {
    return new EngineSettings(bm25, encoder, staticVectors, encoderModel, modelDirectory, encoderThreads, encoderBatchSize,
        vectorCacheEntries, entries, maxUnitChars, segmentCacheChars, maxFillAttempts, rank, plan);
  }

  public EngineSettings withSegmentCacheChars(int chars) {
    return new EngineSettings(bm25, encoder, staticVectors, encoderModel, modelDirectory, encoderThreads, encoderBatchSize,
        vectorCacheEntries, tokenCountCacheEntries, maxUnitChars, chars, maxFillAttempts, rank, plan);
  }

  public EngineSettings withRank(RankSettings newRank) {
    return new EngineSettings(bm25, encoder, staticVectors, encoderModel, modelDirectory, encoderThreads, encoderBatchSize,
        vectorCacheEntries, tokenCountCacheEntries, maxUnitChars, segmentCacheChars, maxFillAttempts, newRank, plan);
  }

  public EngineSettings withPlan(PlanSettings newPlan) {
    return new EngineSettings(bm25, encoder, staticVectors, encoderModel, modelDirectory, encoderThreads, encoderBatchSize,
        vectorCacheEntries, tokenCountCacheEntries, maxUnitChars, segmentCacheChars, maxFillAttempts, rank, newPlan);
  }
}
