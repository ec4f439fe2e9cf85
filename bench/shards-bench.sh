#!/bin/sh
# shards-bench.sh - what Xapian's remote protocol costs: one index, 2 local shards, 2 remote.
#
# Usage: sh bench/shards-bench.sh   (after building; needs xapian-tools for xapian-tcpsrv)
#   BUILD=build  BENCH_DIR=/tmp/tracuu-shards-bench  DOCS=10000  N=500 (queries per setup)
#
# The documents and queries of bench/searchd-bench.py (shared data) are indexed whole, and
# in two halves (every other line) as two shards. tracuu-searchd answers the same N queries
# (top 10 with total and snippets, one client, one at a time over its Unix socket) over the
# whole index, over the two shards as local folders, and over the two shards served by two
# xapian-tcpsrv on 127.0.0.1. It prints p50, p99 and mean latency and their ratios to the
# whole index: the figures of docs/scaling.md. Not a test: timings vary with the machine.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
WORK=${BENCH_DIR:-/tmp/tracuu-shards-bench}
DOCS=${DOCS:-10000}
N=${N:-500}
TCPSRV=/usr/bin/xapian-tcpsrv

for p in "$BUILD/indexer/tracuu-indexer" "$BUILD/searchd/tracuu-searchd" "$TCPSRV"; do
    [ -x "$p" ] || { echo "shards-bench: $p is missing" >&2; exit 1; }
done
mkdir -p "$WORK"
/usr/bin/python3 bench/searchd-bench.py --out "$WORK" --docs "$DOCS" >/dev/null
if [ ! -f "$WORK/built" ]; then
    rm -rf "$WORK/one" "$WORK/local" "$WORK/a.jsonl" "$WORK/b.jsonl"
    awk 'NR % 2 == 1' "$WORK/docs.jsonl" >"$WORK/a.jsonl"
    awk 'NR % 2 == 0' "$WORK/docs.jsonl" >"$WORK/b.jsonl"
    "$BUILD/indexer/tracuu-indexer" --db "$WORK/one" --from-jsonl "$WORK/docs.jsonl" -q
    "$BUILD/indexer/tracuu-indexer" --db "$WORK/local/shard-00" --from-jsonl "$WORK/a.jsonl" -q
    "$BUILD/indexer/tracuu-indexer" --db "$WORK/local/shard-01" --from-jsonl "$WORK/b.jsonl" -q
    printf 'auto shard-00\nauto shard-01\n' >"$WORK/local/XAPIANDB"
    touch "$WORK/built"
fi

port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
P0=$(port)
P1=$(port)
# A session of their own: xapian-tcpsrv answers SIGTERM with kill(0, SIGTERM). setsid may
# fork, so the server writes its own pid (its session's and group's) before it starts.
start_srv() { # PORT DIR PIDFILE
    setsid sh -c 'echo $$ >"$3"; exec "$0" --quiet --interface 127.0.0.1 --port "$1" "$2"' \
        "$TCPSRV" "$1" "$2" "$3" </dev/null >/dev/null 2>&1 &
}
rm -f "$WORK/srv0.pid" "$WORK/srv1.pid"
start_srv "$P0" "$WORK/local/shard-00" "$WORK/srv0.pid"
start_srv "$P1" "$WORK/local/shard-01" "$WORK/srv1.pid"
printf 'remote 127.0.0.1:%s\nremote 127.0.0.1:%s\n' "$P0" "$P1" >"$WORK/remote.stub"
SD=
cleanup() {
    [ -z "$SD" ] || kill "$SD" 2>/dev/null || true
    for f in "$WORK/srv0.pid" "$WORK/srv1.pid"; do
        [ ! -s "$f" ] || kill -KILL "-$(cat "$f")" 2>/dev/null || true
    done
}
trap cleanup EXIT INT TERM
sleep 1

run() { # NAME DB: prints "NAME p50 p99 mean" in milliseconds
    rm -f "$WORK/s.sock"
    "$BUILD/searchd/tracuu-searchd" --db "$2" --socket "$WORK/s.sock" --threads 1 2>/dev/null &
    SD=$!
    /usr/bin/python3 - "$1" "$WORK/s.sock" "$WORK/queries.txt" "$N" <<'EOF'
import json, os, socket, sys, time
name, sock, queries, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
for _ in range(200):
    if os.path.exists(sock):
        break
    time.sleep(0.05)
s = socket.socket(socket.AF_UNIX)
s.connect(sock)
f = s.makefile("rwb")
qs = [l.strip() for l in open(queries, encoding="utf-8") if l.strip()][:n]
def ask(q):
    f.write((json.dumps({"op": "search", "q": q, "limit": 10}) + "\n").encode())
    f.flush()
    r = json.loads(f.readline())
    assert r.get("ok") and not r.get("partial"), r
for q in qs[:20]:
    ask(q)  # warm the caches
t = []
for q in qs:
    t0 = time.perf_counter()
    ask(q)
    t.append((time.perf_counter() - t0) * 1000)
t.sort()
print(name, "%.3f %.3f %.3f" % (t[len(t) // 2], t[int(len(t) * 0.99)], sum(t) / len(t)))
EOF
    kill "$SD"
    wait "$SD" 2>/dev/null || true
    SD=
}

{
    run one "$WORK/one"
    run local "$WORK/local"
    run remote "$WORK/remote.stub"
} >"$WORK/results.txt"
echo "$DOCS documents, $N queries, one client (milliseconds):"
awk 'NR == 1 { b50 = $2; b99 = $3; bm = $4 }
     { printf "%-7s p50 %7.3f  p99 %7.3f  mean %7.3f   x%.2f x%.2f x%.2f\n", $1, $2, $3, $4,
       $2 / b50, $3 / b99, $4 / bm }' "$WORK/results.txt"
