#!/usr/bin/env python3
"""Assembles docs/quality-long.md: a hand-written part, then two QualityBenchmark reports copied whole.

Usage: assemble-report.py OUT HEADER.md LONG_REPORT.md PROSE_REPORT.md

LONG_REPORT is the run over the long-document sets and qasper at 500, 1,000 and 2,000 tokens (--by-position);
PROSE_REPORT the run over nq20 and hotpotqa at their default ratios. Each report's headings are demoted one level
under a heading of its own; nothing in them is edited. Standard library only.
"""
import re
import sys


def demoted(path):
    text = open(path, encoding="utf-8").read()
    text = text.split("\n", 1)[1]  # the report's own title
    return re.sub(r"(?m)^(#+) ", lambda m: "#" + m.group(1) + " ", text).strip() + "\n"


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    out, header, long_report, prose_report = sys.argv[1:]
    parts = [open(header, encoding="utf-8").read().strip() + "\n",
             "## Report: the long-document sets and qasper\n\n" + demoted(long_report),
             "## Report: nq20 and hotpotqa (prose, multi-passage), same code\n\n" + demoted(prose_report)]
    open(out, "w", encoding="utf-8").write("\n".join(parts))


if __name__ == "__main__":
    main()
