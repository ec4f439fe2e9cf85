#!/bin/sh
# http-bench.sh - tracuu-searchd's HTTP API beside its socket, one daemon, one run, 100,000 documents.
#
# Usage: sh bench/http-bench.sh   (after building; environment knobs below)
#   BUILD=build          the meson build folder with tracuu-indexer, tracuu-searchd, searchd-bench
#   BENCH_DIR=/tmp/tracuu-http-bench   where documents, queries and the index are kept
#   DOCS=100000  N=600 (socket requests per run)  DURATION=8s (wrk's time per run)
#   CONCS="1 8 32"  ROUNDS=3  THREADS= (searchd --threads: the socket's workers, the HTTP pool)
#   SPLIT= (searchd --split; 1: no search is split over cores)
#
# One tracuu-searchd serves the index on a Unix socket and on --http 127.0.0.1 at once. At
# each concurrency the same queries (bench/searchd-bench.py's, 2-4 words from the data) go
# first over the socket (`searchd-bench load`: C clients, one connection each, newline-
# delimited JSON) and then over HTTP (`wrk` with bench/http-bench.lua: C keep-alive
# connections asking GET /api/search?q=...&limit=10), the same request and the same answer:
# total, the ten best hits and a snippet each. Prints p50, p99 and throughput side by side,
# and what issue 11 asks: HTTP p50 within 1 ms of the socket's, and >= 90% of its throughput.
# Each concurrency is measured ROUNDS times, the channels taking turns, and each figure is the
# median of its rounds: on a machine that other work shares, a burst of that work then falls
# on one round of one channel instead of deciding the comparison.
# Both load generators run on the machine under test and take CPU from the daemon alike.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
WORK=${BENCH_DIR:-/tmp/tracuu-http-bench}
DOCS=${DOCS:-100000}
N=${N:-600}
DURATION=${DURATION:-8s}
ROUNDS=${ROUNDS:-3}
CONCS=${CONCS:-"1 8 32"}
BENCH=$BUILD/bench/searchd-bench
SEARCHD=$BUILD/searchd/tracuu-searchd

for p in "$BUILD/indexer/tracuu-indexer" "$SEARCHD" "$BENCH"; do
    [ -x "$p" ] || { echo "http-bench: $p is not built (meson compile -C $BUILD)" >&2; exit 1; }
done
command -v wrk >/dev/null || { echo "http-bench: wrk is missing (sh scripts/deps.sh)" >&2; exit 1; }

/usr/bin/python3 bench/searchd-bench.py --out "$WORK" --docs "$DOCS" --no-fts5
if [ ! -f "$WORK/xapian.done" ]; then
    echo "http-bench: indexing $DOCS documents with tracuu-indexer --from-jsonl" >&2
    rm -rf "$WORK/xapian"
    start=$(date +%s)
    "$BUILD/indexer/tracuu-indexer" --db "$WORK/xapian" --from-jsonl "$WORK/docs.jsonl" -q
    "$BUILD/indexer/tracuu-indexer" --db "$WORK/xapian" --compact -q
    echo "http-bench: indexed and compacted in $(( $(date +%s) - start )) s" >&2
    touch "$WORK/xapian.done"
fi

results=$WORK/http-results.txt
: >"$results"
pid=
cleanup() {
    # (wait gives the killed server's status, which set -e would take for a failure)
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
}
trap cleanup EXIT INT TERM

rm -f "$WORK/searchd.sock"
"$SEARCHD" --db "$WORK/xapian" --socket "$WORK/searchd.sock" --http 127.0.0.1:0 \
    ${THREADS:+--threads "$THREADS"} ${SPLIT:+--split "$SPLIT"} --slow-ms 10000 2>"$WORK/searchd.log" &
pid=$!
port=
for _ in $(seq 200); do
    port=$(sed -n 's/.*listening on http:127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/searchd.log")
    [ -n "$port" ] && [ -S "$WORK/searchd.sock" ] && break
    kill -0 "$pid" 2>/dev/null || { cat "$WORK/searchd.log" >&2; exit 1; }
    sleep 0.1
done
[ -n "$port" ] || { echo "http-bench: tracuu-searchd did not start" >&2; cat "$WORK/searchd.log" >&2; exit 1; }
url=http://127.0.0.1:$port

http_load() { # LABEL CONC DURATION: wrk at CONC connections, its RESULT line on stdout
    threads=$(( $2 < 2 ? $2 : 2 ))
    HTTP_BENCH_LABEL=$1 HTTP_BENCH_CONC=$2 wrk -t "$threads" -c "$2" -d "$3" --timeout 10s \
        -s bench/http-bench.lua "$url" -- "$WORK/queries.txt" | grep '^RESULT '
}

# Warm the page cache with every query once (or the channel measured second would find the
# pages of the first one's queries in memory), and the HTTP API's pool of readers; then
# alternate the channels at each concurrency.
"$BENCH" load warmup "$WORK/searchd.sock" "$WORK/queries.txt" 2 "$(grep -c . "$WORK/queries.txt")" >/dev/null
http_load warmup 2 2s >/dev/null
for c in $CONCS; do
    for _ in $(seq "$ROUNDS"); do
        "$BENCH" load tracuu-socket "$WORK/searchd.sock" "$WORK/queries.txt" "$c" "$N" >>"$results"
        http_load tracuu-http "$c" "$DURATION" >>"$results"
    done
done
curl -s "$url/metrics" >"$WORK/metrics.txt" 2>/dev/null || true
cleanup
pid=

docs=$(sed -n 's/^tracuu_documents //p' "$WORK/metrics.txt")
/usr/bin/python3 - "$results" "${docs:-$DOCS}" "$ROUNDS" <<'PY'
import statistics, sys
rounds = {}
for line in open(sys.argv[1]):
    if line.startswith("RESULT "):
        parts = line.split()
        kv = dict(p.split("=") for p in parts[2:])
        rounds.setdefault((parts[1], int(kv["conc"])), []).append(kv)
# Each figure: the median of its rounds; the counts: their sums.
rows = {}
for key, rs in rounds.items():
    rows[key] = {f: "%f" % statistics.median(float(r[f]) for r in rs)
                 for f in ("p50_ms", "p99_ms", "qps", "took_p50_ms")}
    rows[key].update({f: str(sum(int(r[f]) for r in rs)) for f in ("n", "errors")})
print("%s documents, one tracuu-searchd, socket and HTTP in one run; 2-4 word queries, top 10 "
      "+ total + snippets; medians of %s rounds" % (sys.argv[2], sys.argv[3]))
print("%4s | %9s %9s %8s | %9s %9s %8s | %10s %8s %s" % (
    "conc", "sock p50", "sock p99", "sock q/s", "http p50", "http p99", "http q/s",
    "p50 +ms", "q/s x", "target"))
for c in sorted({k[1] for k in rows}):
    s, h = rows.get(("tracuu-socket", c)), rows.get(("tracuu-http", c))
    if not s or not h:
        continue
    diff = float(h["p50_ms"]) - float(s["p50_ms"])
    ratio = float(h["qps"]) / float(s["qps"]) if float(s["qps"]) else float("nan")
    met = diff <= 1.0 and ratio >= 0.90
    print("%4d | %7.2fms %7.2fms %8.1f | %7.2fms %7.2fms %8.1f | %+8.2fms %8.2f %s" % (
        c, float(s["p50_ms"]), float(s["p99_ms"]), float(s["qps"]), float(h["p50_ms"]),
        float(h["p99_ms"]), float(h["qps"]), diff, ratio, "met" if met else "MISSED"))
    if int(s["errors"]) or int(h["errors"]):
        print("     errors: socket %s (of %s), http %s (of %s)" % (
            s["errors"], s["n"], h["errors"], h["n"]))
print("engine's own took_ms, median (socket / HTTP): " + ", ".join(
    "%d: %.2f / %.2f ms" % (c, float(rows[("tracuu-socket", c)]["took_p50_ms"]),
                            float(rows[("tracuu-http", c)]["took_p50_ms"]))
    for c in sorted({k[1] for k in rows})
    if ("tracuu-socket", c) in rows and ("tracuu-http", c) in rows))
print("p50 +ms: HTTP p50 - socket p50; q/s x: HTTP / socket. Target (issue 11): "
      "p50 +ms <= 1 and q/s x >= 0.90.")
PY
# What the daemon counted, as a check that both channels were served (and counted).
grep -E '^tracuu_(socket|http)_request_duration_seconds_count' "$WORK/metrics.txt" >&2 || true
