#!/usr/bin/env python3
"""Answer kept per question template, from a QualityBenchmark run with --show-misses.

Usage: by-template.py EVAL_DIR QUALITY_LOG SET [SET ...]

QUALITY_LOG is the stderr of `exec:java@quality ... --show-misses 100000` (every miss printed, one
"----- miss: METHOD at SETTING, ID | ..." line each). Every example of the sets counts (the long-document
sets have the answer in the full context by construction); an example is kept for a method and setting
unless its id has a miss line. Prints a markdown table: set, template, examples, then answer kept per
method and setting. Standard library only.
"""
import collections
import gzip
import json
import re
import sys


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    eval_dir, log, sets = sys.argv[1], sys.argv[2], sys.argv[3:]
    template = {}
    by_set = collections.OrderedDict()
    for s in sets:
        with gzip.open(f"{eval_dir}/dev-{s}.jsonl.gz", "rt", encoding="utf-8") as f:
            for line in f:
                e = json.loads(line)
                template[e["id"]] = e["template"]
                by_set.setdefault(s, collections.Counter())[e["template"]] += 1
    misses = collections.Counter()
    columns = []
    pattern = re.compile(r"^----- miss: (\S+) at (.+?), (\S+) \| ")
    with open(log, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = pattern.match(line)
            if not m or m.group(3) not in template:
                continue
            col = (m.group(1), m.group(2))
            if col not in columns:
                columns.append(col)
            misses[(m.group(3).rsplit("-", 1)[0], template[m.group(3)], col)] += 1
    print("| set | template | examples | " + " | ".join(f"{m} {s}" for m, s in columns) + " |")
    print("|---|---|---|" + "---|" * len(columns))
    for s, counts in by_set.items():
        for t in sorted(counts):
            n = counts[t]
            cells = [f"{100.0 * (n - misses[(s, t, c)]) / n:.0f}%" for c in columns]
            print(f"| {s} | {t} | {n} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
