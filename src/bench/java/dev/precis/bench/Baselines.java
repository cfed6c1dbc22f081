package dev.precis.bench;

import dev.precis.quality.EvalExample;
import dev.precis.quality.EvalExample.Document;
import dev.precis.quality.Sentences;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The baselines of the eval README.
 *
 * <ul>
 *   <li>{@code truncate}: the head of the full context cut at a token boundary (encode, keep the first budget
 *       tokens, decode).
 *   <li>{@code bm25-docs}: documents (title and text) ranked by {@link Bm25} against the question.
 *   <li>{@code bm25-sents}: sentences ({@link Sentences#split} of each document's text) ranked by {@link Bm25}, with
 *       the sentences of all documents of the example as the collection; each sentence is scored together with its
 *       document's title ({@code title + " " + sentence}), the header it is rendered under.
 *   <li>{@code bm25-lines}: the same with the lines of each document's text (split at {@code "\n"}; blank lines are
 *       not units), kept lines joined by {@code "\n"}: the line-level baseline for JSON, tables, logs and code.
 * </ul>
 *
 * <p>The BM25 baselines keep units greedily in rank order: a unit is kept when the rendered output with it still
 * counts at most the budget (counted exactly, cl100k_base), otherwise it is skipped and the next unit is tried. Kept
 * units are rendered in their original order: a document as {@code title + "\n" + kept sentences joined by " "} (the
 * body alone when the title is empty), documents joined by {@code "\n\n"}.
 */
public final class Baselines {

  public static final String TRUNCATE = "truncate";
  public static final String BM25_DOCS = "bm25-docs";
  public static final String BM25_SENTS = "bm25-sents";
  public static final String BM25_LINES = "bm25-lines";

  private Baselines() {}

  /** All baselines by name, in report order. */
  public static Map<String, Method> all() {
    Map<String, Method> m = new LinkedHashMap<>();
    m.put(TRUNCATE, Baselines::truncate);
    m.put(BM25_DOCS, Baselines::bm25Docs);
    m.put(BM25_SENTS, Baselines::bm25Sentences);
    m.put(BM25_LINES, Baselines::bm25Lines);
    return m;
  }

  public static String truncate(EvalExample example, int budget) {
    return Tokens.head(example.fullContext(), budget);
  }

  public static String bm25Docs(EvalExample example, int budget) {
    List<Document> docs = example.documents();
    List<String> texts = new ArrayList<>(docs.size());
    for (Document d : docs) texts.add(d.render());
    boolean[] kept = new boolean[docs.size()];
    for (int i : new Bm25(texts).ranking(example.question())) {
      kept[i] = true;
      if (Tokens.count(renderDocs(texts, kept)) > budget) kept[i] = false;
    }
    return renderDocs(texts, kept);
  }

  public static String bm25Sentences(EvalExample example, int budget) {
    List<Document> docs = example.documents();
    List<List<String>> sentences = new ArrayList<>(docs.size());
    List<String> scored = new ArrayList<>();
    for (Document d : docs) {
      List<String> s = Sentences.split(d.text());
      sentences.add(s);
      for (String sentence : s) scored.add(d.title().isBlank() ? sentence : d.title() + " " + sentence);
    }
    boolean[] kept = new boolean[scored.size()];
    for (int i : new Bm25(scored).ranking(example.question())) {
      kept[i] = true;
      if (Tokens.count(renderSentences(docs, sentences, kept)) > budget) kept[i] = false;
    }
    return renderSentences(docs, sentences, kept);
  }

  public static String bm25Lines(EvalExample example, int budget) {
    List<Document> docs = example.documents();
    List<List<String>> lines = new ArrayList<>(docs.size());
    List<String> scored = new ArrayList<>();
    for (Document d : docs) {
      List<String> l = new ArrayList<>();
      for (String line : d.text().split("\n", -1)) {
        if (!line.isBlank()) l.add(line);
      }
      lines.add(l);
      for (String line : l) scored.add(d.title().isBlank() ? line : d.title() + " " + line);
    }
    List<String> flat = new ArrayList<>();
    lines.forEach(flat::addAll);
    boolean[] kept = new boolean[scored.size()];
    int used = 0;
    for (int i : new Bm25(scored).ranking(example.question())) {
      // A line alone longer than what is left cannot fit (joins merge a token or two at most): skip the exact count.
      if (used + Tokens.count(flat.get(i)) - 2 > budget) continue;
      kept[i] = true;
      int count = Tokens.count(renderUnits(docs, lines, kept, "\n"));
      if (count > budget) kept[i] = false;
      else used = count;
    }
    return renderUnits(docs, lines, kept, "\n");
  }

  private static String renderDocs(List<String> rendered, boolean[] kept) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < rendered.size(); i++) {
      if (!kept[i]) continue;
      if (!sb.isEmpty()) sb.append("\n\n");
      sb.append(rendered.get(i));
    }
    return sb.toString();
  }

  private static String renderSentences(List<Document> docs, List<List<String>> sentences, boolean[] kept) {
    return renderUnits(docs, sentences, kept, " ");
  }

  private static String renderUnits(List<Document> docs, List<List<String>> sentences, boolean[] kept, String joiner) {
    StringBuilder sb = new StringBuilder();
    int unit = 0;
    for (int d = 0; d < docs.size(); d++) {
      List<String> keptHere = new ArrayList<>();
      for (String s : sentences.get(d)) {
        if (kept[unit++]) keptHere.add(s);
      }
      if (keptHere.isEmpty()) continue;
      if (!sb.isEmpty()) sb.append("\n\n");
      sb.append(Document.render(docs.get(d).title(), String.join(joiner, keptHere)));
    }
    return sb.toString();
  }
}
