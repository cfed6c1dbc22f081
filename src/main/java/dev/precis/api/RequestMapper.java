package dev.precis.api;

import dev.precis.config.PrecisConfig;
import dev.precis.engine.Budget;
import dev.precis.engine.CompressionRequest;
import dev.precis.engine.Effort;
import dev.precis.engine.Order;
import dev.precis.engine.SourceDocument;
import dev.precis.index.CollectionStore;
import dev.precis.segment.Format;
import dev.precis.tokens.Tokenizers;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Checks a request body and turns it into an engine request; every refusal says what to change. */
final class RequestMapper {
  private final PrecisConfig config;
  private final CollectionStore store;

  private final java.util.function.Supplier<dev.precis.engine.PrecisEngine> engine;

  RequestMapper(PrecisConfig config) {
    this(config, null, null);
  }

  /**
   * @param store where documents given by {@code ref} are read, or null when refs are not served
   * @param engine the engine a referenced document's kept unit vectors are preloaded into, or null for none
   */
  RequestMapper(PrecisConfig config, CollectionStore store,
      java.util.function.Supplier<dev.precis.engine.PrecisEngine> engine) {
    this.store = store;
    this.config = config;
    this.engine = engine;
  }

  /**
   * Puts the unit vectors kept beside stored documents in the engine's cache, so that compressing them embeds none of
   * their units, on any replica and after any restart. Best effort: a store that cannot answer, or vectors of another
   * version of a document, leave the units to be embedded as usual.
   *
   * @param byId the documents as the request will compress them, by their id in the collection
   */
  void preloadUnitVectors(String collection, Map<String, SourceDocument> byId) {
    if (engine == null || store == null || byId.isEmpty()) return;
    try {
      dev.precis.engine.PrecisEngine e = engine.get();
      List<String> missing = new ArrayList<>();
      for (Map.Entry<String, SourceDocument> d : byId.entrySet()) {
        if (!e.unitsCached(d.getValue())) missing.add(d.getKey());
      }
      if (missing.isEmpty()) return;
      Map<String, byte[]> kept = store.unitVectors(collection, missing);
      for (Map.Entry<String, byte[]> k : kept.entrySet()) e.preload(byId.get(k.getKey()), k.getValue());
    } catch (RuntimeException unavailable) {
      // the units are embedded at compression instead
    }
  }

  /** What {@code "expandable": true} stores under the reference: the documents' titles and texts, in order. */
  static String expandableText(List<SourceDocument> documents) {
    StringBuilder text = new StringBuilder();
    for (SourceDocument d : documents) {
      if (!text.isEmpty()) text.append("\n\n");
      if (d.title() != null) text.append(d.title()).append('\n');
      text.append(d.text());
    }
    return text.toString();
  }

  CompressionRequest toRequest(CompressRequestBody body) {
    if (body == null) throw ProblemException.badRequest("the request body is empty (or null): send a JSON object "
        + "with documents or context, and budget");
    List<SourceDocument> documents = documents(body);
    Budget budget = budget(body.budget());
    String encoding = encoding(body.encoding(), body.model());
    Effort effort = effort(body.effort());
    Order order = order(body.order());
    String marker = body.elisionMarker() == null
        ? config.defaults().elisionMarker() : wellFormed(body.elisionMarker());
    if (marker.length() > 32) {
      throw ProblemException.badRequest("elisionMarker is " + marker.length() + " characters long: use at most 32");
    }
    if (Boolean.TRUE.equals(body.expandable())) {
      marker = dev.precis.proxy.ChatCompressor.expandableMarker(marker, dev.precis.proxy.ElisionStore.ref(
          expandableText(documents)));
    }
    List<String> patterns = new ArrayList<>();
    if (body.keep() != null) {
      for (int i = 0; i < body.keep().size(); i++) {
        String literal = body.keep().get(i);
        if (literal == null || literal.isEmpty()) {
          throw ProblemException.badRequest("keep[" + i + "] is empty: give a non-empty string to keep");
        }
        patterns.add(Pattern.quote(wellFormed(literal)));
      }
    }
    if (body.keepPatterns() != null) {
      for (int i = 0; i < body.keepPatterns().size(); i++) {
        String source = body.keepPatterns().get(i);
        if (source == null || source.isEmpty()) {
          throw ProblemException.badRequest("keepPatterns[" + i + "] is empty: give a regular expression");
        }
        try {
          Pattern.compile(source);
        } catch (PatternSyntaxException e) {
          throw ProblemException.badRequest("keepPatterns[" + i + "] '" + shown(source) + "' is not a valid regular "
              + "expression (" + e.getDescription() + " near index " + e.getIndex() + "): fix it, escape "
              + "special characters with \\, or put literal text in keep");
        }
        patterns.add(source);
      }
    }
    if (patterns.size() > config.limits().maxKeepPatterns()) {
      throw ProblemException.badRequest("keep and keepPatterns hold " + patterns.size() + " entries: use at most "
          + config.limits().maxKeepPatterns());
    }
    String query = wellFormed(body.query());
    if (query != null && query.length() > 10_000) {
      throw ProblemException.badRequest("query is " + query.length() + " characters long: use at most 10000");
    }
    try {
      return new CompressionRequest(query, documents, budget, encoding, effort, order, marker, patterns,
          Boolean.TRUE.equals(body.explain()), compactJson(body.jsonStyle()));
    } catch (IllegalArgumentException e) {
      throw ProblemException.badRequest(e.getMessage());
    }
  }

  private List<SourceDocument> documents(CompressRequestBody body) {
    boolean hasDocuments = body.documents() != null;
    boolean hasContext = body.context() != null;
    if (hasDocuments == hasContext) {
      throw ProblemException.badRequest(hasDocuments
          ? "both documents and context are given: send exactly one of them"
          : "neither documents nor context is given: send documents [{\"text\": ...}] or context \"...\"");
    }
    long chars = 0;
    List<SourceDocument> documents = new ArrayList<>();
    Map<String, Map<String, SourceDocument>> referenced = new java.util.LinkedHashMap<>();
    if (hasContext) {
      if (body.context().isBlank()) throw ProblemException.badRequest("context is empty: send the text to compress");
      chars = body.context().length();
      documents.add(new SourceDocument(null, null, wellFormed(body.context()), format(body.format(), "format")));
    } else {
      if (body.documents().isEmpty()) {
        throw ProblemException.badRequest("documents is empty: send at least one document with a text");
      }
      if (body.documents().size() > config.limits().maxDocuments()) {
        throw ProblemException.tooLarge("documents holds " + body.documents().size() + " documents: send at most "
            + config.limits().maxDocuments() + " per request (precis.limits.max-documents)");
      }
      Map<String, CollectionStore.StoredDocument> stored = fetchReferenced(body.documents());
      for (int i = 0; i < body.documents().size(); i++) {
        CompressRequestBody.DocumentBody doc = body.documents().get(i);
        if (doc == null) throw ProblemException.badRequest("documents[" + i + "] is null: send an object with text");
        if (doc.ref() != null) {
          if (doc.text() != null) {
            throw ProblemException.badRequest("documents[" + i + "] has both text and ref: send one of them");
          }
          CollectionStore.StoredDocument found = stored.get(doc.ref());
          if (found == null) {
            throw ProblemException.notFound("documents[" + i + "].ref: the collection '" + collectionOf(doc.ref())
                + "' has no document '" + shown(doc.ref().substring(doc.ref().indexOf('/') + 1)) + "'");
          }
          chars += found.text().length() + (found.title() == null ? 0 : found.title().length());
          SourceDocument source = new SourceDocument(doc.id() != null ? wellFormed(doc.id()) : found.id(),
              found.title(), found.text(), doc.format() != null ? format(doc.format(), "documents[" + i + "].format")
                  : format(body.format(), "format"));
          documents.add(source);
          referenced.computeIfAbsent(collectionOf(doc.ref()), c -> new java.util.LinkedHashMap<>())
              .put(found.id(), source);
          continue;
        }
        if (doc.text() == null) {
          throw ProblemException.badRequest("documents[" + i + "].text is missing: every document needs a text");
        }
        if (doc.text().isBlank()) {
          throw ProblemException.badRequest("documents[" + i + "].text is empty: leave the document out or give it "
              + "text");
        }
        chars += doc.text().length() + (doc.title() == null ? 0 : doc.title().length());
        Format format = doc.format() != null ? format(doc.format(), "documents[" + i + "].format")
            : format(body.format(), "format");
        documents.add(new SourceDocument(wellFormed(doc.id()), wellFormed(doc.title()), wellFormed(doc.text()),
            format));
      }
    }
    if (chars > config.limits().maxInputChars()) {
      throw ProblemException.tooLarge("the context holds " + chars + " characters: send at most "
          + config.limits().maxInputChars() + " per request (precis.limits.max-input-chars)");
    }
    referenced.forEach(this::preloadUnitVectors);
    return documents;
  }

  /**
   * The stored documents the request refers to, by ref: one read per collection, not one per document (a cluster
   * answers twenty ids in one round trip). 400 for a malformed ref, 404 for a missing collection; a missing document
   * is left out (its place in the request says which one).
   */
  private Map<String, CollectionStore.StoredDocument> fetchReferenced(
      List<CompressRequestBody.DocumentBody> documents) {
    Map<String, List<String>> idsByCollection = new java.util.LinkedHashMap<>();
    Map<String, String> firstField = new java.util.HashMap<>();
    for (int i = 0; i < documents.size(); i++) {
      CompressRequestBody.DocumentBody doc = documents.get(i);
      if (doc == null || doc.ref() == null) continue;
      String field = "documents[" + i + "].ref";
      String ref = doc.ref();
      int slash = ref.indexOf('/');
      if (store == null || slash <= 0 || slash == ref.length() - 1) {
        throw ProblemException.badRequest(field + " '" + shown(ref) + "' is not a document reference: write "
            + "collection/id, for example manuals/pg-vacuum");
      }
      String collection = ref.substring(0, slash);
      String id = ref.substring(slash + 1);
      if (!CollectionStore.ID.matcher(id).matches()) {
        throw ProblemException.badRequest(field + ": illegal id: '" + shown(id) + "', must be 1 to 256 characters "
            + "without control characters");
      }
      idsByCollection.computeIfAbsent(collection, c -> new ArrayList<>()).add(id);
      firstField.putIfAbsent(collection, field);
    }
    Map<String, CollectionStore.StoredDocument> found = new java.util.HashMap<>();
    for (Map.Entry<String, List<String>> e : idsByCollection.entrySet()) {
      String field = firstField.get(e.getKey());
      try {
        store.getAll(e.getKey(), e.getValue()).forEach((id, d) -> found.put(e.getKey() + "/" + id, d));
      } catch (CollectionStore.NoSuchCollection ex) {
        throw ProblemException.notFound(field + ": " + ex.getMessage());
      } catch (CollectionStore.StorageUnavailable ex) {
        throw ProblemException.unavailable(field + ": " + ex.getMessage(), 0);
      } catch (IllegalArgumentException ex) {
        throw ProblemException.badRequest(field + ": " + ex.getMessage());
      }
    }
    return found;
  }

  private static String collectionOf(String ref) {
    return ref.substring(0, ref.indexOf('/'));
  }

  private static boolean compactJson(String style) {
    if (style == null) return false;
    return switch (style.trim().toLowerCase(Locale.ROOT)) {
      case "preserve" -> false;
      case "compact" -> true;
      default -> throw ProblemException.badRequest("unknown jsonStyle '" + shown(style) + "': use preserve or compact");
    };
  }

  private static Format format(String format, String field) {
    if (format == null) return Format.AUTO;
    return Format.ofLabel(format).orElseThrow(() -> ProblemException.badRequest("unknown " + field + " '"
        + shown(format) + "': use auto, text, markdown, json, jsonl, csv, tsv, log or code"));
  }

  private static Budget budget(CompressRequestBody.BudgetBody budget) {
    if (budget == null) {
      throw ProblemException.badRequest("budget is missing: send {\"maxTokens\": N} or {\"ratio\": R}");
    }
    Integer maxTokens = budget.maxTokens();
    Double ratio = budget.ratio();
    if (maxTokens != null && ratio != null) {
      throw ProblemException.badRequest("budget has both maxTokens and ratio: send only one of them");
    }
    if (maxTokens == null && ratio == null) {
      throw ProblemException.badRequest("budget has neither maxTokens nor ratio: send {\"maxTokens\": N} or "
          + "{\"ratio\": R}");
    }
    if (maxTokens != null && maxTokens <= 0) {
      throw ProblemException.badRequest("budget.maxTokens is " + maxTokens + ": give a number of tokens > 0");
    }
    if (ratio != null && (ratio.isNaN() || ratio.isInfinite() || ratio < 1.0)) {
      throw ProblemException.badRequest("budget.ratio is " + ratio + ": give a finite number >= 1 (the budget is "
          + "the input tokens divided by the ratio)");
    }
    try {
      return new Budget(maxTokens, ratio);
    } catch (IllegalArgumentException e) {
      throw ProblemException.badRequest(e.getMessage().replace("illegal ", ""));
    }
  }

  private String encoding(String encoding, String model) {
    if (encoding != null && model != null) {
      throw ProblemException.badRequest("both encoding and model are given: send one of them");
    }
    if (model != null) {
      return Tokenizers.encodingForModel(model).orElseThrow(() -> ProblemException.badRequest(
          "unknown model '" + shown(model) + "': known model families are "
              + Tokenizers.modelFamiliesView().keySet()
              + "; or send an encoding, one of " + Tokenizers.ENCODINGS));
    }
    String name = encoding == null ? config.defaults().encoding() : encoding.trim().toLowerCase(Locale.ROOT);
    if (!Tokenizers.ENCODINGS.contains(name)) {
      throw ProblemException.badRequest("unknown encoding '" + shown(encoding) + "': use one of "
          + Tokenizers.ENCODINGS);
    }
    return name;
  }

  private Effort effort(String effort) {
    Effort named = Effort.named(effort == null ? config.defaults().effort() : effort);
    if (named == null) {
      throw ProblemException.badRequest("unknown effort '" + shown(effort) + "': use instant, fast or best");
    }
    return named;
  }

  private static Order order(String order) {
    if (order == null) return Order.ORIGINAL;
    return switch (order.trim().toLowerCase(Locale.ROOT)) {
      case "original" -> Order.ORIGINAL;
      case "relevance" -> Order.RELEVANCE;
      default -> throw ProblemException.badRequest("unknown order '" + shown(order)
          + "': use original or relevance");
    };
  }

  /**
   * A JSON string may escape an unpaired surrogate ({@code "\\ud800"}), which has no UTF-8 form: it becomes U+FFFD,
   * as a UTF-8 encoder would send it to the model, so that counts are right and the answer is valid JSON.
   */
  private static String wellFormed(String value) {
    return value == null ? null : Tokenizers.wellFormed(value);
  }

  /** A caller's value as echoed in a detail: cut short when long, so that a detail stays a sentence. */
  static String shown(String value) {
    return value.length() <= 64 ? value : value.substring(0, 64) + "…";
  }
}
