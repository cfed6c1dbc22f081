package dev.precis.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Every setting of the service, under the prefix {@code precis}. Each key's default is in its javadoc. */
@ConfigMapping(prefix = "precis")
public interface PrecisConfig {

  /** The sentence encoder. */
  Encoder encoder();

  /** Segmentation. */
  Segment segment();

  /** Token counting. */
  Tokens tokens();

  /** Ranking weights. */
  Rank rank();

  /** Budget spending. */
  Plan plan();

  /** Request limits. */
  Limits limits();

  /** Defaults applied when a request leaves an option out. */
  Defaults defaults();

  /** The OpenAI-compatible server the proxy forwards to. */
  Upstream upstream();

  /** What the proxy compresses, and how. */
  Proxy proxy();

  /** Collections of documents ({@code /v1/collections}), and the vectors kept across restarts. */
  Indexes indexes();

  interface Indexes {
    /**
     * The folder holding one Lucene index per collection (backend {@code lucene}) and, with either backend, the unit
     * vectors kept across restarts ({@code _vectors}); a volume in Kubernetes. Default {@code indexes}.
     */
    @WithDefault("indexes")
    String path();

    /**
     * Where collections live: {@code lucene} (on this machine's disk, under {@code path}) or {@code opensearch} (in
     * an OpenSearch cluster with the k-NN plugin, shared by every Precis pod; set {@code opensearch.urls}). Default
     * {@code lucene}.
     */
    @WithDefault("lucene")
    Backend backend();

    /**
     * Which vector stands for a stored document in vector search: {@code units} (the mean of its units' vectors, set
     * once they are embedded after the batch is acknowledged: ingest embeds nothing before acknowledging, and vector
     * search finds a document once its units are embedded, BM25 at once) or {@code lead} (its title and text as far
     * as the encoder reads, 128 word pieces, embedded before acknowledging). Default {@code units}.
     */
    @WithDefault("units")
    dev.precis.index.CollectionStore.DocumentVectors documentVector();

    /** The cluster of backend {@code opensearch}. */
    OpenSearch opensearch();

    enum Backend {
      LUCENE,
      OPENSEARCH
    }

    interface OpenSearch {
      /** The cluster's nodes, comma-separated, e.g. {@code http://opensearch:9200}. No default: required. */
      Optional<List<String>> urls();

      /** Put before a collection's name to name its index. Default {@code precis-}. */
      @WithDefault("precis-")
      String indexPrefix();

      /** Basic authentication user, with {@code password}. Default none. */
      Optional<String> username();

      /** Basic authentication password, with {@code username}. Default none. */
      Optional<String> password();

      /** Primary shards of each new collection's index. Default {@code 1}. */
      @WithDefault("1")
      int shards();

      /** Replicas of each new collection's index (0 on a single node). Default {@code 1}. */
      @WithDefault("1")
      int replicas();

      /** Connect and response timeout of each call to the cluster. Default {@code 10s}. */
      @WithDefault("10s")
      Duration timeout();

      /**
       * PEM file of the certificate authorities an {@code https} cluster's certificate is checked against (the
       * cluster's own CA, e.g. mounted from a Secret). Default none: the JVM's trust store.
       */
      Optional<String> caFile();
    }
  }

  /** Where elided text is kept for expansion ({@code precis_expand}, {@code GET /v1/elisions/{ref}}). */
  Elisions elisions();

  interface Elisions {
    /** Most elided texts kept. Default {@code 10000}. */
    @WithDefault("10000")
    int maxEntries();

    /** Most characters of elided text kept. Default {@code 64000000}. */
    @WithDefault("64000000")
    long maxChars();

    /** How long an elided text stays readable. Default {@code 1h}. */
    @WithDefault("1h")
    Duration ttl();
  }

  interface Encoder {
    /** Whether the encoder ranks units; without it ranking is BM25 only. Default {@code true}. */
    @WithDefault("true")
    boolean enabled();

    /** The model: {@code bge-small-en-v1.5-q} or {@code all-minilm-l6-v2-q}. Default {@code bge-small-en-v1.5-q}. */
    @WithDefault("bge-small-en-v1.5-q")
    String model();

    /**
     * Directory holding the model files; when they are not there they are read from the classpath (the build puts
     * them in the application). Default {@code models}.
     */
    @WithDefault("models")
    String modelDirectory();

    /**
     * Threads one request's encoder work may use: its texts are cut into batches of about equal word pieces that run
     * side by side, each inference on one thread (ONNX Runtime intra-op parallelism is off, since one call's operators
     * are too small to share cores well). Default: the number of cores, at most 4.
     */
    Optional<Integer> threads();

    /**
     * Whether the model's static word piece vectors (built with the application, {@code <model>.static.bin}) help
     * choose the units the encoder embeds. Default {@code true}.
     */
    @WithDefault("true")
    boolean staticVectors();

    /**
     * Texts per encoder inference. A quantised model quantises each call's activations over all its texts, so a text's
     * vector depends slightly on the texts embedded with it (cosine 0.994-0.999), and a request whose vectors partly
     * come from the cache can score its units slightly differently from the same request computed afresh. With 1
     * every text runs alone and that never happens, for about 4% more encoder time and, on the dev sets, 8 fewer
     * answers kept of 1,016 cross-validated (docs/ranking-audit.md). Default {@code 32}.
     */
    @WithDefault("32")
    int batchSize();

    /**
     * Unit vectors cached by content hash (about 1.6 KB each, so about 32 MB of heap when full); 0 disables. Default
     * {@code 20000}.
     */
    @WithDefault("20000")
    int cacheEntries();

    /**
     * Most unit vectors also kept on disk, in {@code <precis.indexes.path>/_vectors}, so that a restarted service does
     * not embed again what it embedded before (the stored documents of collections included); 0 keeps them in memory
     * only. About 800 bytes each at 384 dimensions. Default {@code 100000}.
     */
    @WithDefault("100000")
    int vectorStoreEntries();
  }

  interface Tokens {
    /**
     * Exact token counts of units and documents cached by content hash (about 100 bytes each, so about 5 MB of heap
     * when full), so documents seen recently are not counted again; 0 disables. Default {@code 50000}.
     */
    @WithDefault("50000")
    int countCacheEntries();
  }

  interface Segment {
    /** Longest unit in characters; longer sentences and blocks are split. Default {@code 600}. */
    @WithDefault("600")
    int maxUnitChars();

    /**
     * Characters of recently segmented documents kept, segmented, by their text, so a long document asked many
     * questions (or resent at every turn of a conversation) is cut once; least recently used first out; 0 disables.
     * Default {@code 4000000} (about 8 MB of text).
     */
    @WithDefault("4000000")
    int cacheChars();
  }

  interface Rank {
    /** Weight of the encoder's similarity in a unit's score. Default {@code 1.0}. */
    @WithDefault("1.0")
    double semanticWeight();

    /** Weight of BM25 in a unit's score. Default {@code 0.5}. */
    @WithDefault("0.5")
    double lexicalWeight();

    /** Weight of the unit's document score (the document prior). Default {@code 0.6}. */
    @WithDefault("0.6")
    double documentWeight();

    /** Share of the encoder in the document score; the rest is document BM25. Default {@code 0.7}. */
    @WithDefault("0.7")
    double documentSemanticShare();

    /**
     * Bonus to the document score of a document whose title is named by another document's best units (and not by
     * the question): the second hop of a multi-hop question. Default {@code 2.0}.
     */
    @WithDefault("2.0")
    double bridgeBonus();

    /** How many of the best units are searched for other documents' titles. Default {@code 3}. */
    @WithDefault("3")
    int bridgeSources();

    /**
     * With effort {@code fast}, at most this many units (the best by BM25 and position) are embedded; the rest keep
     * their cheap score. Default {@code 32}.
     */
    @WithDefault("32")
    int encoderTextLimit();

    /** The same limit with effort {@code best}. Default {@code 64}. */
    @WithDefault("64")
    int bestEncoderTextLimit();

    /**
     * What the encoder may read, in characters per unit of its limit (32 units and 175 characters: 5,600 characters
     * of text, titles included). The chosen units stop before the one that would go past it, so a request of long
     * sentences costs the encoder about what one of average sentences costs; at least one unit is embedded. 0 counts
     * units only. Default {@code 175}.
     */
    @WithDefault("175")
    int encoderCharsPerUnit();

    /** Share of the better neighbour's relevance added to a unit's own. Default {@code 0.0}. */
    @WithDefault("0.0")
    double contextWeight();

    /** Score taken off a sentence cut off at its document's start or end. Default {@code 1.5}. */
    @WithDefault("1.5")
    double fragmentPenalty();

    /**
     * Weight of the soft term match with static vectors, next to BM25, in the cheap score that chooses the units the
     * encoder embeds; 0 leaves the choice to BM25. Default {@code 1.0}.
     */
    @WithDefault("1.0")
    double staticWeight();

    /**
     * Weight of a unit's section heading's relevance added to the unit's score (a question about "how the data was
     * collected" reaches the sentences under "Data Collection"); 0 disables it. Default {@code 0.5}.
     */
    @WithDefault("0.5")
    double sectionWeight();

    /**
     * Weight of the share of the question's identifiers (ids, SKUs, hashes, e-mail addresses, numbers, snake_case
     * and camelCase names, dotted paths) that a unit holds exactly, as whole tokens: in structured documents (JSON,
     * table, log, code), and in prose where the hand-set weights rank (long documents of several sections, effort
     * instant). Default {@code 1.5}.
     */
    @WithDefault("1.5")
    double identifierWeight();

    /**
     * In a structured document, weight of the structural prior: errors and failures, the head and tail of an array or
     * a log. Default {@code 0.6}, chosen by five-fold cross-validation over 0.3, 0.6, 1.0 and 2.0 on the structured
     * eval sets (docs/quality-structured.md).
     */
    @WithDefault("0.6")
    double structureWeight();

    /**
     * In a long document of several sections (its headings, or windows of about 400 tokens of paragraphs where it has
     * none), weight of how far a unit's section falls short of the document's best section (the section's BM25 and
     * its best semantic score): subtracted from the unit's score. Default {@code 0.5}, chosen by five-fold
     * cross-validation over 0, 0.5, 1 and 2 on qasper at 500 and 1,000 tokens (docs/quality.md).
     */
    @WithDefault("0.5")
    double sectionPriorWeight();

    /**
     * In a long document of several sections, weight of the section's BM25 and soft match in the cheap score that
     * chooses which units the encoder embeds. Default {@code 0.0}.
     */
    @WithDefault("0.0")
    double sectionCheapWeight();

    /**
     * In the cheap score that chooses which units the encoder embeds, the bonus of a document's first unit, {@code
     * weight / (1 + position)}. Default {@code 0.3}.
     */
    @WithDefault("0.3")
    double leadWeight();

    /**
     * Added to the score of a unit that holds the kind of answer the question asks for (a number for "how many" or "what
     * percentage", a date for "when" or "what year"), in the hand-set sum and in the cheap score that chooses the units
     * the encoder embeds, where the hand-set sum ranks (long documents of several sections, structured documents, no
     * fitted fusion); 0 disables it. Default {@code 1.0}.
     */
    @WithDefault("1.0")
    double answerTypeWeight();

    /**
     * Without a question, the weight of a section's lead in a unit's score: {@code weight / (1 + k)}, k the unit's
     * place among its section's sentences, so the summary of a long document shows where each section's text begins.
     * 0 leaves the summary to centrality alone. Default {@code 5.0}.
     */
    @WithDefault("5.0")
    double summaryLeadWeight();

    /**
     * How a unit's score is made: {@code hand}, the weighted sum of the weights above; {@code fitted}, the logistic
     * regression bundled as {@code dev/precis/rank/fusion-weights.properties}, for requests of prose passages (a
     * request with a structured or a long sectioned document keeps the hand-set sum; see docs/ranking-audit.md).
     * Default {@code fitted}.
     */
    @WithDefault("fitted")
    String fusion();
  }

  interface Plan {
    /** Whether documents in play first get a coarse summary (header and best unit). Default {@code true}. */
    @WithDefault("true")
    boolean coarseSummaries();

    /** Largest share of the budget spent on coarse summaries. Default {@code 0.4}. */
    @WithDefault("0.4")
    double summaryShare();

    /** A document gets a summary only with at least this share of the best document's score. Default {@code 0.5}. */
    @WithDefault("0.5")
    double summaryMinRelativeScore();

    /** Priority bonus for a unit next to a kept unit of its paragraph. Default {@code 0.1}. */
    @WithDefault("0.1")
    double neighbourBonus();

    /** Refinement orders units by priority / tokens^exponent (0: relevance only; 1: per token). Default {@code 0.0}. */
    @WithDefault("0.0")
    double costExponent();

    /**
     * Without a question, largest share of the budget spent on the map of a long document: each section's heading and
     * its most central unit, best sections first; the rest refines the most central sections. Default {@code 0.5}.
     */
    @WithDefault("0.5")
    double mapShare();

    /**
     * With a question, the map's largest share, scaled by how evenly relevance spreads over the document's sections
     * (1 when alike, 1/sections when one section holds it all); 0 leaves the map out of answers to questions. Default
     * {@code 0.0}.
     */
    @WithDefault("0.0")
    double queryMapShare();

    /**
     * Whether a kept unit brings the headings over it (the nearest, then each enclosing one), paid for as part of its
     * cost, so that refined text reads under the headings that locate it. Default {@code true}.
     */
    @WithDefault("true")
    boolean headingPaths();

    /** Leftover units tried, each with an exact count, to fill slack below the budget. Default {@code 32}. */
    @WithDefault("32")
    int maxFillAttempts();
  }

  interface Limits {
    /** Most documents in one request (413 beyond). Default {@code 1000}. */
    @WithDefault("1000")
    int maxDocuments();

    /** Largest request body in bytes (413 beyond). Default {@code 10485760} (10 MiB). */
    @WithDefault("10485760")
    long maxBodyBytes();

    /** Most characters of context (all documents' text and titles) in one request (413 beyond). Default
     * {@code 4000000}. */
    @WithDefault("4000000")
    long maxInputChars();

    /** Most keep patterns in one request. Default {@code 32}. */
    @WithDefault("32")
    int maxKeepPatterns();

    /**
     * Most tokens of context (counted in the request's encoding) in one request (413 beyond). Default
     * {@code 1000000}.
     */
    @WithDefault("1000000")
    int maxInputTokens();

    /** Most compressions running at once; default: the number of cores. */
    Optional<Integer> maxConcurrent();

    /**
     * Most requests waiting for a compression slot; one more is refused at once with 429 and {@code Retry-After}.
     * Default: 8 times {@code max-concurrent}.
     */
    Optional<Integer> maxQueued();

    /**
     * Longest time a request may take, waiting for a slot included; beyond it the work stops at the next stage and
     * the answer is 503 with {@code Retry-After}. Default {@code 30s}.
     */
    @WithDefault("30s")
    Duration requestTimeout();
  }

  interface Defaults {
    /** Encoding when a request names neither encoding nor model. Default {@code cl100k_base}. */
    @WithDefault("cl100k_base")
    String encoding();

    /** Effort when a request does not say: {@code instant}, {@code fast} or {@code best}. Default {@code fast}. */
    @WithDefault("fast")
    String effort();

    /** Elision marker when a request does not say. Default {@code …}. */
    @WithDefault("…")
    String elisionMarker();
  }

  interface Upstream {
    /**
     * Base URL of the OpenAI-compatible API, as an OpenAI SDK's base URL: {@code https://api.openai.com/v1},
     * {@code http://localhost:11434/v1} (Ollama), {@code http://vllm:8000/v1}. A request to Precis'
     * {@code /v1/chat/completions} goes to {@code <url>/chat/completions}. No default: without it the proxy
     * endpoints answer 503 saying how to set it, and {@code /v1/compress} works as before.
     */
    Optional<String> url();

    /**
     * An API key sent upstream as {@code Authorization: Bearer <key>} in place of the client's. No default: the
     * client's {@code Authorization} header is forwarded as it is.
     */
    Optional<String> apiKey();

    /**
     * Base URL of the Anthropic Messages API, as the Anthropic SDK's base URL: {@code https://api.anthropic.com}. A
     * request to Precis' {@code /v1/messages} goes to {@code <url>/v1/messages}; other {@code /v1/messages/*} paths
     * pass through to it. No default: without it {@code /v1/messages} answers 503 saying how to set it.
     */
    Optional<String> anthropicUrl();

    /**
     * An API key sent to the Anthropic upstream as {@code x-api-key} in place of the client's. No default: the
     * client's {@code x-api-key} header is forwarded as it is.
     */
    Optional<String> anthropicApiKey();

    /** Longest wait for a connection to the upstream (then 504). Default {@code 10s}. */
    @WithDefault("10s")
    Duration connectTimeout();

    /**
     * Longest time the upstream may stay silent: before its response starts (then 504) or between two chunks of
     * a stream (then the stream is cut). Default {@code 600s}, like the OpenAI SDKs' own timeout.
     */
    @WithDefault("600s")
    Duration timeout();

    /** Most connections kept open to the upstream. Default {@code 64}. */
    @WithDefault("64")
    int maxConnections();
  }

  interface Proxy {
    /** The tag whose content is context: {@code context} marks {@code <context>…</context>}. Default {@code context}. */
    @WithDefault("context")
    String contextTag();

    /** Whether {@code tool} and {@code function} result messages are context. Default {@code true}. */
    @WithDefault("true")
    boolean compressToolResults();

    /**
     * A {@code system} or earlier {@code user} message text over this many tokens is context as a whole; 0 turns the
     * rule off. Default {@code 0}.
     */
    @WithDefault("0")
    int compressMessagesOverTokens();

    /** Context budget in tokens when neither the request header nor the context-window table gives one. Default
     * {@code 4096}. */
    @WithDefault("4096")
    int defaultContextTokens();

    /**
     * Context windows by model name prefix, {@code model=tokens}, comma-separated (longest prefix wins), for
     * example {@code gpt-4o=128000,gpt-4.1=1047576}. For a listed model the context budget is the window minus
     * the request's {@code max_completion_tokens}/{@code max_tokens}, the reserve and the other messages. Default:
     * none.
     */
    Optional<List<String>> contextWindows();

    /** Tokens the context-window rule keeps free besides the request's completion allowance. Default {@code 1024}. */
    @WithDefault("1024")
    int reserveTokens();

    /**
     * In (0, 1]: when the conversation outgrows its budget, earlier context is re-compacted in levels, and a segment
     * at level k keeps this to the power k of its tokens (1 keeps it whole until it is dropped). Default {@code 0.5}.
     */
    @WithDefault("0.5")
    double olderTurnWeight();

    /**
     * How many compaction levels earlier context goes through before it is dropped (each holds at most
     * {@code compaction-target / compaction-levels} of the budget). Default {@code 3}.
     */
    @WithDefault("3")
    int compactionLevels();

    /**
     * In (0, 1]: new context (a tool result, a document, tagged text) of more than 200 tokens is compressed to this
     * fraction of its tokens when it arrives, even when it fits; 1 forwards it whole while the budget allows.
     * Default {@code 1}.
     */
    @WithDefault("1")
    double arrivalRatio();

    /**
     * In (0, 1]: the share of the budget that re-compacted earlier context may hold; the rest is room for the next
     * requests' new context to arrive whole, so that re-compactions (which change earlier context and so miss the
     * provider's prompt cache) stay rare. Default {@code 0.5}.
     */
    @WithDefault("0.5")
    double compactionTarget();

    /**
     * Most characters of compressed context segments the proxy remembers, so that a conversation's earlier segments
     * are re-sent without compressing them again (a forgotten one is compressed again, to the same text). Default
     * {@code 16000000}.
     */
    @WithDefault("16000000")
    long memoChars();

    /**
     * Encoding when the request's model is not a known family (see {@code GET /v1/encodings}). Default
     * {@code cl100k_base}.
     */
    @WithDefault("cl100k_base")
    String fallbackEncoding();

    /**
     * When compression fails: {@code true} forwards the request as received (and counts it in
     * {@code precis_proxy_compression_failures_total}); {@code false} answers 500. Default {@code true}.
     */
    @WithDefault("true")
    boolean failOpen();

    /**
     * Whether elisions in proxied context carry a reference and the request gets the {@code precis_expand} tool, which
     * the proxy answers itself, streamed or not (requests whose {@code tool_choice} allows an extra tool; a request
     * turns it off with {@code X-Precis-Expand: off}). Default {@code true}.
     */
    @WithDefault("true")
    boolean expand();

    /** Most tokens one {@code precis_expand} call returns (longer texts come back compressed for its query). Default
     * {@code 2000}. */
    @WithDefault("2000")
    int expandMaxTokens();

    /** Most {@code precis_expand} rounds the proxy answers for one client request. Default {@code 3}. */
    @WithDefault("3")
    int expandMaxRounds();
  }
}
