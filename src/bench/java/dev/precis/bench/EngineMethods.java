package dev.precis.bench;

import dev.precis.engine.Budget;
import dev.precis.engine.CompressionRequest;
import dev.precis.engine.Effort;
import dev.precis.engine.EngineSettings;
import dev.precis.engine.PrecisEngine;
import dev.precis.engine.SourceDocument;
import dev.precis.quality.EvalExample;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Precis engine methods of the benchmark; the only class of the benchmark that touches the engine.
 *
 * <ul>
 *   <li>{@code precis}: {@link EngineSettings#defaults()}, effort FAST
 *   <li>{@code precis-cv}: as {@code precis}, but each example ranked by the fitted fusion of the fold it is not in
 *       (folds by {@link RankSweep#fold}; the models from {@code exec:java@fusion-fit --fold-out DIR}, given as
 *       {@code --fold-weights DIR}): answer kept cross-validated, beside {@code precis}'s in-sample figure
 *   <li>{@code precis-best}: {@link EngineSettings#defaults()}, effort BEST
 *   <li>{@code precis-instant}: {@link EngineSettings#defaults()}, effort INSTANT (no transformer pass)
 *   <li>{@code precis-bm25-only}: defaults {@code withEncoder(false)}, effort FAST
 *   <li>{@code precis-encoder-only}: defaults {@code withBm25(false)}, effort FAST
 *   <li>{@code precis-no-summaries}: defaults {@code withCoarseSummaries(false)}, effort FAST
 *   <li>{@code precis-no-query}: as {@code precis}, but without the question: the query-less summary, whose answer
 *       kept says how much of what is asked about a document a summary of it holds
 *   <li>{@code precis-context}: as {@code precis}, but the example comes as one {@code context} string, its documents
 *       pasted as {@code title + "\n" + text} blocks joined by blank lines (the full context of the protocol), as a
 *       RAG pipeline or a chat message pastes retrieved passages
 * </ul>
 *
 * Each request is {@code CompressionRequest.of(question, documents, Budget.ofTokens(budget))} with one
 * {@link SourceDocument}{@code (id, title, text)} per document (cl100k_base, the request default). Every instance
 * opened from a factory is a new {@link PrecisEngine} ({@link PrecisEngine#create}), closed with the instance.
 */
public final class EngineMethods {

  public static final String PRECIS = "precis";
  public static final String PRECIS_CV = "precis-cv";
  public static final String PRECIS_BEST = "precis-best";
  public static final String PRECIS_INSTANT = "precis-instant";
  public static final String BM25_ONLY = "precis-bm25-only";
  public static final String ENCODER_ONLY = "precis-encoder-only";
  public static final String NO_SUMMARIES = "precis-no-summaries";
  public static final String AS_CONTEXT = "precis-context";
  public static final String NO_QUERY = "precis-no-query";

  /** Every engine method, in report order. */
  public static final List<String> NAMES = List.of(PRECIS, PRECIS_CV, PRECIS_BEST, PRECIS_INSTANT, BM25_ONLY, ENCODER_ONLY, NO_SUMMARIES,
      AS_CONTEXT, NO_QUERY);

  private EngineMethods() {}

  /** Factories for the wanted methods (names from {@link #NAMES}), in report order. */
  public static Map<String, MethodFactory> factories(Set<String> wanted) {
    return factories(wanted, false);
  }

  /**
   * Factories for the wanted methods. With {@code shareVectors}, every engine instance ranks with one encoder and
   * one vector cache that live for the whole run: each text is embedded once, so answer kept is measured in a
   * fraction of the time, but latency after the first setting is that of cached documents.
   */
  public static Map<String, MethodFactory> factories(Set<String> wanted, boolean shareVectors) {
    return factories(wanted, shareVectors, null);
  }

  /** @param foldWeights the folder of {@code fusion-weights-fold-<f>.properties} for {@code precis-cv}, or null */
  public static Map<String, MethodFactory> factories(Set<String> wanted, boolean shareVectors,
      java.nio.file.Path foldWeights) {
    Map<String, MethodFactory> factories = new LinkedHashMap<>();
    EngineSettings defaults = EngineSettings.defaults();
    shared = shareVectors && !wanted.isEmpty() ? PrecisEngine.encoderFor(defaults) : null;
    for (String name : NAMES) {
      if (!wanted.contains(name)) continue;
      factories.put(name, switch (name) {
        case PRECIS -> factory(defaults, Effort.FAST);
        case PRECIS_CV -> crossValidated(defaults, foldWeights);
        case PRECIS_BEST -> factory(defaults, Effort.BEST);
        case PRECIS_INSTANT -> factory(defaults, Effort.INSTANT);
        case BM25_ONLY -> factory(defaults.withEncoder(false), Effort.FAST);
        case ENCODER_ONLY -> factory(defaults.withBm25(false), Effort.FAST);
        case NO_SUMMARIES -> factory(defaults.withCoarseSummaries(false), Effort.FAST);
        case AS_CONTEXT -> factory(defaults, Effort.FAST, EngineMethods::contextRequest);
        case NO_QUERY -> factory(defaults, Effort.FAST, EngineMethods::summaryRequest);
        default -> throw new IllegalStateException("unknown engine method " + name);
      });
    }
    return factories;
  }

  private static dev.precis.encode.SentenceEncoder shared;

  private static MethodFactory factory(EngineSettings settings, Effort effort) {
    return factory(settings, effort, EngineMethods::request);
  }

  private static MethodFactory factory(EngineSettings settings, Effort effort,
      java.util.function.BiFunction<EvalExample, Integer, CompressionRequest> requestOf) {
    return () -> {
      PrecisEngine engine = shared != null ? PrecisEngine.sharing(settings, shared) : PrecisEngine.create(settings);
      return new MethodFactory.Instance() {
        @Override
        public String compress(EvalExample example, int budgetTokens) {
          CompressionRequest request = requestOf.apply(example, budgetTokens);
          return engine.compress(request.withEffort(effort)).text();
        }

        @Override
        public void close() {
          engine.close();
        }
      };
    };
  }

  /** One engine per fold, each with the fusion fitted without that fold; an example goes to its own fold's. */
  private static MethodFactory crossValidated(EngineSettings defaults, java.nio.file.Path foldWeights) {
    return () -> {
      if (foldWeights == null) {
        throw new IllegalStateException(PRECIS_CV + " needs --fold-weights DIR (made by exec:java@fusion-fit with "
            + "--fold-out DIR)");
      }
      PrecisEngine[] engines = new PrecisEngine[5];
      for (int f = 0; f < engines.length; f++) {
        java.util.Properties p = new java.util.Properties();
        try (var in = java.nio.file.Files.newInputStream(foldWeights.resolve("fusion-weights-fold-" + f
            + ".properties"))) {
          p.load(in);
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException("cannot read fold " + f + "'s weights in " + foldWeights, e);
        }
        EngineSettings settings = defaults.withRank(defaults.rank().withFusion(dev.precis.rank.FusionModel.of(p)));
        engines[f] = shared != null ? PrecisEngine.sharing(settings, shared) : PrecisEngine.create(settings);
      }
      return new MethodFactory.Instance() {
        @Override
        public String compress(EvalExample example, int budgetTokens) {
          return engines[RankSweep.fold(example)].compress(request(example, budgetTokens).withEffort(Effort.FAST))
              .text();
        }

        @Override
        public void close() {
          for (PrecisEngine e : engines) e.close();
        }
      };
    };
  }

  /** The engine request for an example's full context as one {@code context} string and an absolute budget. */
  public static CompressionRequest contextRequest(EvalExample example, int budget) {
    return CompressionRequest.of(example.question(), List.of(new SourceDocument(null, null, example.fullContext())),
        Budget.ofTokens(budget));
  }

  /**
   * The engine request for an example's documents without its question: the summary a caller gets who sends no query.
   * Whether it holds the answer to a question about the document measures how much of what is asked survives.
   */
  public static CompressionRequest summaryRequest(EvalExample example, int budget) {
    CompressionRequest asked = request(example, budget);
    return new CompressionRequest(null, asked.documents(), asked.budget(), null, null, null, null, null, false);
  }

  /** The engine request for an example and an absolute budget. */
  public static CompressionRequest request(EvalExample example, int budget) {
    List<SourceDocument> docs = new ArrayList<>(example.documents().size());
    for (EvalExample.Document d : example.documents()) docs.add(new SourceDocument(d.id(), d.title(), d.text()));
    return CompressionRequest.of(example.question(), docs, Budget.ofTokens(budget));
  }
}
