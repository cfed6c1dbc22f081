/**
 * Rank: how relevant each unit and document is to the question.
 *
 * <p>BM25 first, because it is cheap: a per-request in-memory Lucene index of the units (with their document's
 * title as a second field) and one of the documents ({@link dev.precis.rank.Bm25Scorer}). The sentence encoder then
 * re-ranks only the units the cheap score puts first (32 with effort fast, 64 with best), each embedded with its
 * title in front. A unit's score is a weighted sum of its semantic score (min-max normalised cosine), its lexical
 * score (BM25 over the request's best), its document's score (a prior mixing document BM25 and the document's best
 * semantic score, plus a bridge bonus when another document's best units name its title), and a penalty for
 * sentences cut off at a passage's edge. Without a question, semantic means cosine to the centroid and BM25 runs
 * against the context's most frequent terms. {@link dev.precis.rank.Ranking#explain} rebuilds every score as a tree.
 */
package dev.precis.rank;
