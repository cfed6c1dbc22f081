# Assembles docs/quality-structured.md from the QualityBenchmark reports /tmp/qs-{500,300,1000,log,code}.md
# (commands in the document) and a hand-written findings section:
#   python3 eval/structured/assemble-report.py docs/quality-structured.md FINDINGS.md
import re, subprocess, os, sys
runs = [("500","/tmp/qs-500.md"),("300","/tmp/qs-300.md"),("1000","/tmp/qs-1000.md"),("log","/tmp/qs-log.md"),("code","/tmp/qs-code.md")]
methods = ["truncate","bm25-sents","bm25-lines","precis","precis-instant","precis-best"]
rows = {}
order = []
cmds = []
runinfo = []
for tag, f in runs:
    if not os.path.exists(f): continue
    t = open(f).read()
    m = re.search(r"- command of this run: `(.*)`", t); cmds.append(m.group(1))
    r = re.search(r"## Run\n\n(.*?)\n## ", t, re.S); runinfo.append(r.group(1).strip())
    a = re.search(r"## All measures\n\n(.*?)\n\n", t, re.S).group(1).splitlines()[2:]
    for line in a:
        c = [x.strip() for x in line.strip().strip('|').split('|')]
        key = (c[0], c[1])
        if key not in rows: rows[key] = {}; order.append(key)
        rows[key][c[2]] = c
def table(title, col, note):
    out = [f"## {title}\n", note+"\n", "| set | budget | " + " | ".join(methods) + " |", "|---|---|" + "---|"*len(methods)]
    for k in order:
        vals = []
        for m in methods:
            c = rows[k].get(m)
            vals.append("-" if c is None else c[col])
        out.append(f"| {k[0]} | {k[1]} | " + " | ".join(vals) + " |")
    return "\n".join(out) + "\n"
lscpu = subprocess.run("lscpu | head", shell=True, capture_output=True, text=True).stdout
nproc = subprocess.run("nproc", shell=True, capture_output=True, text=True).stdout.strip()
md = []
md.append("""# Quality on structured context

Answer kept, over budget and structure kept on the structured eval sets of `eval/structured/README.md` (JSON, tables,
build logs, source code), for the baselines and the engine at its three efforts. Assembled from the reports of
`dev.precis.bench.QualityBenchmark` (one run per budget, since `--budgets` applies to every set of a run); the run
sections below are copied from those reports.

**Sample**: the first 100 of the 150 examples of each set, because the machine has 2 cores; one example is 1 point.
All formats are cut by their own segmenter (JSON, tables, logs, code), at the defaults of this commit.

## Sets

| set | document | question | budget(s) |
|---|---|---|---|
| json-keys | flat JSON object, 75 SKU/UUID pairs (synthetic) | value of one key | 300 |
| json-records | JSON array of 40 country records, 20 fields (world-countries, ODbL) | one field of one country | 500, 1000 |
| json-api | paginated API response, 20 nested items (world-countries, ODbL; synthetic envelope) | one nested field of one item | 300, 500 |
| csv-lookup / tsv-lookup / md-table-lookup | 200-250 country rows, 10 columns (world-countries, ODbL) | one cell of the row named by `name` | 300 |
| log-failure | synthetic 3,000-line Maven / Gradle / pytest / Go / npm log, one failure | expected value or refused host:port | 300 |
| code-which | one JDK `java.base` source file (Temurin 25 `src.zip`, GPLv2+CE) | message of an exception thrown in one method | 500 |

## Commands

Generate the sets (see `eval/structured/README.md` for fetching `world-countries@5.1.0` with `npm pack`):

```
./mvnw -q -B test-compile exec:java@structured-sets -Dstructured-sets.args="--countries /tmp/structured-data/countries.json --src-zip $JAVA_HOME/lib/src.zip --out /tmp/structured-eval --n 150"
```

Benchmark runs (each wrote one report; this file is assembled from them by `eval/structured/assemble-report.py`, the findings written by hand):

```
""" + "\n".join(cmds) + """
```

## Machine

`nproc`: """ + nproc + """

```
""" + lscpu.rstrip() + """
```
""")
md.append(table("Answer kept", 3, "Share (and count) of the examples with an answer in the full context whose output still holds one as whole words."))
md.append(table("Over budget", 5, "Outputs over the budget in cl100k_base tokens (must be 0)."))
md.append(table("Structure kept", 10, "`json-*`: share of outputs a strict JSON parser accepts (\"JSON outputs parse\"); tables: share of outputs that keep the header row as a whole line; `-` for logs and code."))
md.append(table("Latency p50 (ms)", 7, "Median time per call, one call at a time on one thread, on 2 shared cores."))
md.append(open(sys.argv[2]).read())
md.append("## Runs\n")
for i in runinfo: md.append(i + "\n")
md.append("""## Protocol

As in docs/quality.md, plus: `bm25-lines` ranks the non-blank lines of each document with BM25 (same tokenisation and
parameters as `bm25-sents`), keeps them greedily in rank order while the rendered output fits, and writes kept lines
in original order joined by `\\n`. Structure kept: for `json-*` sets, Jackson with `FAIL_ON_TRAILING_TOKENS` must
read the whole output as one JSON value; for tables, the output must contain the document's first line (the header
row) as a whole line (whitespace at the ends ignored). `precis` is the default effort (fast), `precis-instant` and
`precis-best` the other two.
""")
open(sys.argv[1],"w").write("\n".join(md))
print("ok", len(order), "settings")
