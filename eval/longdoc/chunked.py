#!/usr/bin/env python3
"""Chunked variants of the long-document sets: each question over 20 passages of its manual, as a RAG pipeline
would retrieve them, instead of the whole manual.

Usage: chunked.py LONGDOC_DIR OUT_DIR

For every example of dev-long-{pgdocs,pydocs,manual}.jsonl.gz in LONGDOC_DIR (built by the steps in README.md) whose
template is not "section" (a section question's answer is a heading, which a chunk need not hold): the manual is cut
into chunks of whole paragraphs of at most about 120 words (blank lines separate paragraphs); the first chunk that
holds an answer (lowercased, whitespace collapsed) is the gold passage, and 19 other chunks of the same manual, drawn
with a random generator seeded by the example's id, are the distractors, all shuffled by the same generator. Each
passage carries the manual's title. Writes dev-long-<set>-chunks.jsonl.gz to OUT_DIR, in the shared sets' format.
Same sources and licences as the long sets (README.md). Standard library only.
"""
import gzip
import json
import os
import random
import re
import sys


def chunks_of(text, max_words=120):
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    out, current, words = [], [], 0
    for p in paragraphs:
        w = len(p.split())
        if current and words + w > max_words:
            out.append("\n\n".join(current))
            current, words = [], 0
        current.append(p)
        words += w
    if current:
        out.append("\n\n".join(current))
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    source, target = sys.argv[1:]
    os.makedirs(target, exist_ok=True)
    for name in ["long-pgdocs", "long-pydocs", "long-manual"]:
        out = []
        with gzip.open(os.path.join(source, f"dev-{name}.jsonl.gz"), "rt", encoding="utf-8") as f:
            for line in f:
                e = json.loads(line)
                if e.get("template") == "section":
                    continue
                d = e["documents"][0]
                chunks = chunks_of(d["text"])
                answers = [" ".join(a.lower().split()) for a in e["answers"]]
                gold = [i for i, c in enumerate(chunks) if any(a in " ".join(c.lower().split()) for a in answers)]
                if not gold:
                    continue
                rnd = random.Random(e["id"])
                others = [i for i in range(len(chunks)) if i not in gold]
                pick = [gold[0]] + rnd.sample(others, min(19, len(others)))
                rnd.shuffle(pick)
                docs = [{"id": f"c{i}", "title": d.get("title") or "", "text": chunks[i], "gold": i == gold[0]}
                        for i in pick]
                out.append({"id": e["id"], "dataset": f"{name}-chunks", "question": e["question"],
                            "answers": e["answers"], "documents": docs})
        path = os.path.join(target, f"dev-{name}-chunks.jsonl.gz")
        with gzip.open(path, "wt", encoding="utf-8") as f:
            for x in out:
                f.write(json.dumps(x) + "\n")
        print(f"{name}-chunks: {len(out)} examples -> {path}")


if __name__ == "__main__":
    main()
