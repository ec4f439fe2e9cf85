#!/usr/bin/env bash
# tokenize-bench.sh - tokenizer speed: MB/s of `tracuu-tokenize --count` on the vbpl texts.
#
# Usage: bench/tokenize-bench.sh [TRACUU_TOKENIZE [RUNS]]
#   TRACUU_TOKENIZE  the program (default: build/tokenizer/tracuu-tokenize)
#   RUNS             timed runs; the best is reported, as the others measure the machine's
#                    other load more than the tokenizer (default: 5)
# Prints MB/s (10^6 bytes of input per second) by wall clock and by CPU time (user + system).
# Input: the title and text of every document of ../shared/data/vbpl/docs.jsonl, extracted
# once to a temporary file, so that only tokenizing is timed (reading it is included).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
prog=${1:-$root/build/tokenizer/tracuu-tokenize}
runs=${2:-5}
data=${TRACUU_SHARED_DATA:-$root/../shared/data}/vbpl/docs.jsonl
[ -x "$prog" ] || { echo "tokenize-bench: no program at $prog (build first)" >&2; exit 2; }
[ -r "$data" ] || { echo "tokenize-bench: no data at $data" >&2; exit 2; }

text=$(mktemp "${TMPDIR:-/tmp}/tokenize-bench.XXXXXX")
trap 'rm -f "$text"' EXIT
/usr/bin/python3 - "$data" "$text" <<'PY'
import json, sys
with open(sys.argv[1], encoding="utf-8") as src, open(sys.argv[2], "w", encoding="utf-8") as out:
    for line in src:
        doc = json.loads(line)
        out.write(doc.get("title") or "")
        out.write("\n")
        out.write(doc.get("text") or "")
        out.write("\n")
PY
# Timed in Python (already needed above) rather than with bc, which is not always installed.
/usr/bin/python3 - "$prog" "$text" "$runs" "$data" <<'PY'
import os, resource, subprocess, sys, time
prog, text, runs, data = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
size = os.path.getsize(text)
best_wall = best_cpu = None
tokens = None
for _ in range(runs):
    with open(text, "rb") as f:
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        out = subprocess.run([prog, "--count"], stdin=f, capture_output=True, check=True)
        wall = time.perf_counter() - t0
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU time (user + system) is what one core spends; wall time also counts waiting for a
    # core when the machine is shared, so both are shown.
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    tokens = out.stdout.decode().strip()
    best_wall = wall if best_wall is None else min(best_wall, wall)
    best_cpu = cpu if best_cpu is None else min(best_cpu, cpu)
print(f"input: {data} ({size} bytes of text, {tokens} tokens)")
print(f"best of {runs} runs, wall clock: {best_wall:.3f} s, {size / 1e6 / best_wall:.1f} MB/s")
print(f"best of {runs} runs, CPU time:   {best_cpu:.3f} s, {size / 1e6 / max(best_cpu, 1e-9):.1f} MB/s")
PY
