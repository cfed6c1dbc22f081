#!/usr/bin/env python3
"""Builds nq20trim: dev-nq20 with every passage trimmed to whole sentences (a proxy for a chunker that cuts at
sentence ends), for docs/ranking-audit.md, session 13.

Usage: make.py SHARED_EVAL_DIR OUT_DIR [--untitled]

Each passage is split at sentence ends; a first piece that does not start with a capital, a digit, a quote or a
parenthesis and a last piece that does not end with ., ! or ? (optionally followed by a closing quote or parenthesis)
are dropped. Passages left empty are dropped, and so are examples whose answers no longer occur (whole words,
lowercase, whitespace collapsed) in the trimmed passages and their titles: 197 of 200 remain. Ids are kept, so the
folds are nq20's. With --untitled every passage's title is then emptied (the same 197 examples; in one of them the
answer is only in a title) and the set is named nq20trimnt. Standard library only; the output
is deterministic (dev-nq20trim.jsonl.gz or dev-nq20trimnt.jsonl.gz in OUT_DIR; nothing from it is committed).
"""
import gzip
import json
import os
import re
import sys


def norm(text):
    return re.sub(r"\s+", " ", text.lower())


def trimmed(text):
    sentences = re.split(r'(?<=[.!?])\s+(?=[A-Z0-9"“(])', text.strip())
    if sentences and not re.match(r'^[A-Z0-9"“(]', sentences[0]):
        sentences = sentences[1:]
    if sentences and not re.search(r'[.!?]["”)]?$', sentences[-1]):
        sentences = sentences[:-1]
    return " ".join(sentences).strip()


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    untitled = "--untitled" in sys.argv
    if len(args) != 2:
        sys.exit(__doc__)
    source, out_dir = args
    name = "nq20trimnt" if untitled else "nq20trim"
    out = []
    with gzip.open(os.path.join(source, "dev-nq20.jsonl.gz"), "rt", encoding="utf-8") as f:
        for line in f:
            example = json.loads(line)
            documents = []
            for d in example["documents"]:
                text = trimmed(d["text"])
                if text:
                    documents.append(dict(d, text=text))
            full = norm(" ".join(d["title"] + " " + d["text"] for d in documents))
            if not any(re.search(r"\b" + re.escape(norm(a)) + r"\b", full) for a in example["answers"]):
                continue
            if untitled:
                documents = [dict(d, title="") for d in documents]
            out.append(dict(example, documents=documents, dataset=name))
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "dev-" + name + ".jsonl.gz")
    with gzip.GzipFile(path, "wb", mtime=0) as f:
        for example in out:
            f.write((json.dumps(example) + "\n").encode("utf-8"))
    print(f"{len(out)} examples written to {path}")


if __name__ == "__main__":
    main()
