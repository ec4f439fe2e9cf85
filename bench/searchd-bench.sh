#!/bin/sh
# searchd-bench.sh - latency and throughput of tracuu-searchd beside SQLite FTS5, 100,000 documents.
#
# Usage: sh bench/searchd-bench.sh   (after building; environment knobs below)
#   BUILD=build          the meson build folder with tracuu-indexer, tracuu-searchd, searchd-bench
#   BENCH_DIR=/tmp/tracuu-searchd-bench   where documents, queries and both indexes are kept
#   DOCS=100000  N=2000 (requests per run)  CONCS="1 8 32"  THREADS= (searchd --threads)
#   FTS5_MODE=and|or     how FTS5 combines the query's words (tracuu ranks with all of them)
#   ACCESS=half          also measure access control (issue 10): the same documents, every
#                        other one labelled bench-a and the rest bench-b, searched by a user
#                        holding bench-a with [access] default = deny (the filter admits half
#                        the documents) beside an admin (no filter) on that very index; both
#                        are known by their uid on the socket. Prints p50/p99 and their ratio.
#
# Both servers answer the same newline-delimited JSON over a Unix socket: total, the ten best
# hits and a highlighted snippet each. tracuu-searchd is the real daemon; FTS5 is served by
# `searchd-bench fts5-serve` (a thread and a read-only SQLite connection per client). The
# in-process lines time the engine and FTS5 without any socket, one query at a time.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
WORK=${BENCH_DIR:-/tmp/tracuu-searchd-bench}
DOCS=${DOCS:-100000}
N=${N:-2000}
CONCS=${CONCS:-"1 8 32"}
MODE=${FTS5_MODE:-and}
BENCH=$BUILD/bench/searchd-bench

for p in "$BUILD/indexer/tracuu-indexer" "$BUILD/searchd/tracuu-searchd" "$BENCH"; do
    [ -x "$p" ] || { echo "searchd-bench: $p is not built (meson compile -C $BUILD)" >&2; exit 1; }
done

/usr/bin/python3 bench/searchd-bench.py --out "$WORK" --docs "$DOCS"
if [ ! -f "$WORK/xapian.done" ]; then
    echo "searchd-bench: indexing $DOCS documents with tracuu-indexer --from-jsonl" >&2
    rm -rf "$WORK/xapian"
    start=$(date +%s)
    "$BUILD/indexer/tracuu-indexer" --db "$WORK/xapian" --from-jsonl "$WORK/docs.jsonl" -q
    echo "searchd-bench: indexed in $(( $(date +%s) - start )) s" >&2
    touch "$WORK/xapian.done"
fi
# A bulk load leaves half-full blocks; compacting once after it is what Xapian advises (and
# what docs/tracuu-indexer.md says to do after a large first run).
if [ ! -f "$WORK/xapian.compacted" ]; then
    "$BUILD/indexer/tracuu-indexer" --db "$WORK/xapian" --compact -q
    touch "$WORK/xapian.compacted"
fi

results=$WORK/results.txt
: >"$results"
searchd_pid= fts_pid=
cleanup() {
    # (wait gives the killed server's status, which set -e would take for a failure)
    if [ -n "$searchd_pid" ]; then kill "$searchd_pid" 2>/dev/null || true; wait "$searchd_pid" 2>/dev/null || true; fi
    if [ -n "$fts_pid" ]; then kill "$fts_pid" 2>/dev/null || true; wait "$fts_pid" 2>/dev/null || true; fi
}
trap cleanup EXIT INT TERM

rm -f "$WORK/searchd.sock" "$WORK/fts5.sock"
"$BUILD/searchd/tracuu-searchd" --db "$WORK/xapian" --socket "$WORK/searchd.sock" \
    ${THREADS:+--threads "$THREADS"} --slow-ms 1000 2>"$WORK/searchd.log" &
searchd_pid=$!
"$BENCH" fts5-serve "$WORK/fts5.db" "$WORK/fts5.sock" "$MODE" &
fts_pid=$!
for _ in $(seq 100); do
    [ -S "$WORK/searchd.sock" ] && [ -S "$WORK/fts5.sock" ] && break
    sleep 0.1
done

# Warm both page caches alike, then alternate the systems at each concurrency.
"$BENCH" load warmup "$WORK/searchd.sock" "$WORK/queries.txt" 2 500 >/dev/null
"$BENCH" load warmup "$WORK/fts5.sock" "$WORK/queries.txt" 2 500 >/dev/null
for c in $CONCS; do
    "$BENCH" load tracuu-socket "$WORK/searchd.sock" "$WORK/queries.txt" "$c" "$N" >>"$results"
    "$BENCH" load "fts5-$MODE-socket" "$WORK/fts5.sock" "$WORK/queries.txt" "$c" "$N" >>"$results"
done
"$BENCH" engine-inproc "$WORK/xapian" "$WORK/queries.txt" "$N" >>"$results"
"$BENCH" fts5-inproc "$WORK/fts5.db" "$WORK/queries.txt" "$N" "$MODE" >>"$results"
cleanup
searchd_pid= fts_pid=

if [ "${ACCESS:-}" = half ]; then
    if [ ! -f "$WORK/xapian-access.done" ]; then
        echo "searchd-bench: indexing $DOCS documents with labels for ACCESS=half" >&2
        /usr/bin/python3 - "$WORK/docs.jsonl" "$WORK/docs-access.jsonl" <<'PY'
import json, sys
with open(sys.argv[1]) as src, open(sys.argv[2], "w") as out:
    for i, line in enumerate(src):
        d = json.loads(line)
        d["access"] = ["bench-a" if i % 2 == 0 else "bench-b"]
        out.write(json.dumps(d, ensure_ascii=False) + "\n")
PY
        rm -rf "$WORK/xapian-access"
        "$BUILD/indexer/tracuu-indexer" --db "$WORK/xapian-access" \
            --from-jsonl "$WORK/docs-access.jsonl" -q
        "$BUILD/indexer/tracuu-indexer" --db "$WORK/xapian-access" --compact -q
        touch "$WORK/xapian-access.done"
    fi
    access=$WORK/access-results.txt
    : >"$access"
    uid=$(id -u)
    for who in half admin; do
        if [ "$who" = half ]; then user="labels = bench-a"; else user="admin = true"; fi
        printf '[index]\ndb = %s\n[access]\ndefault = deny\n[user bench]\n%s\nunix-uid = %s\n' \
            "$WORK/xapian-access" "$user" "$uid" >"$WORK/access-$who.conf"
        rm -f "$WORK/access.sock"
        "$BUILD/searchd/tracuu-searchd" --config "$WORK/access-$who.conf" \
            --socket "$WORK/access.sock" ${THREADS:+--threads "$THREADS"} --slow-ms 1000 \
            2>"$WORK/searchd-access-$who.log" &
        searchd_pid=$!
        for _ in $(seq 100); do [ -S "$WORK/access.sock" ] && break; sleep 0.1; done
        "$BENCH" load warmup "$WORK/access.sock" "$WORK/queries.txt" 2 500 >/dev/null
        for c in $CONCS; do
            "$BENCH" load "tracuu-access-$who" "$WORK/access.sock" "$WORK/queries.txt" "$c" "$N" \
                >>"$access"
        done
        cleanup
        searchd_pid=
    done
    /usr/bin/python3 - "$access" "$DOCS" <<'PY'
import sys
rows = {}
for line in open(sys.argv[1]):
    if line.startswith("RESULT "):
        parts = line.split()
        kv = dict(p.split("=") for p in parts[2:])
        rows[(parts[1], int(kv["conc"]))] = kv
print("access control, %s documents: a user whose filter admits half of them, beside an admin"
      % sys.argv[2])
print("%4s | %9s %9s | %9s %9s | %7s %7s" % ("conc", "half p50", "half p99", "admin p50",
                                           "admin p99", "p50 x", "p99 x"))
for c in sorted({k[1] for k in rows}):
    h, a = rows.get(("tracuu-access-half", c)), rows.get(("tracuu-access-admin", c))
    if not h or not a:
        continue
    print("%4d | %7.2fms %7.2fms | %7.2fms %7.2fms | %7.2f %7.2f" % (
        c, float(h["p50_ms"]), float(h["p99_ms"]), float(a["p50_ms"]), float(a["p99_ms"]),
        float(h["p50_ms"]) / float(a["p50_ms"]), float(h["p99_ms"]) / float(a["p99_ms"])))
    if int(h["errors"]) or int(a["errors"]):
        print("   errors: half %s, admin %s" % (h["errors"], a["errors"]))
print("x: filtered / unfiltered (issue 10 asks p50 x <= 1.10).")
PY
fi

/usr/bin/python3 - "$results" "$DOCS" "$MODE" <<'EOF'
import re, sys
rows = {}
for line in open(sys.argv[1]):
    if not line.startswith("RESULT "):
        continue
    parts = line.split()
    label, kv = parts[1], dict(p.split("=") for p in parts[2:])
    rows[(label.startswith("tracuu") and "tracuu" or "fts5",
          "in-process" if "inproc" in label else "socket", int(kv["conc"]))] = kv
print("%s documents, 2-4 word queries from the data, top 10 + total + snippets; FTS5 words: %s"
      % (sys.argv[2], sys.argv[3].upper()))
print("%-10s %4s | %9s %9s %9s | %9s %9s %9s | %6s %6s %6s" % (
    "transport", "conc", "tr p50", "tr p99", "tr q/s", "fts p50", "fts p99", "fts q/s",
    "p50 x", "p99 x", "q/s x"))
for key in sorted({(k[1], k[2]) for k in rows}, key=lambda k: (k[0] != "socket", k[1])):
    t, f = rows.get(("tracuu",) + key), rows.get(("fts5",) + key)
    if not t or not f:
        continue
    r = lambda a, b: float(a) / float(b) if float(b) else float("nan")
    print("%-10s %4d | %7.2fms %7.2fms %9.0f | %7.2fms %7.2fms %9.0f | %6.2f %6.2f %6.2f" % (
        key[0], key[1], float(t["p50_ms"]), float(t["p99_ms"]), float(t["qps"]),
        float(f["p50_ms"]), float(f["p99_ms"]), float(f["qps"]),
        r(t["p50_ms"], f["p50_ms"]), r(t["p99_ms"], f["p99_ms"]), r(t["qps"], f["qps"])))
    if int(t["errors"]) or int(f["errors"]):
        print("   errors: tracuu %s, fts5 %s" % (t["errors"], f["errors"]))
print("x: tracuu / FTS5 (latency: lower is better for tracuu; q/s: higher is).")
EOF
