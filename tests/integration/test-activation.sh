#!/usr/bin/env bash
# test-activation.sh - tracuu-searchd serves the sockets systemd passes it (TAP).
# systemd-socket-activate (package systemd) binds the sockets and starts the daemon with them,
# as a socket unit does; without it the test is skipped.
set -u
export LC_ALL=C.UTF-8
BUILD=${TRACUU_BUILD_ROOT:?run by meson test}
TRACUU=$BUILD/client/tracuu
SEARCHD=$BUILD/searchd/tracuu-searchd
INDEXER=$BUILD/indexer/tracuu-indexer
ACTIVATE=$(command -v systemd-socket-activate || true)
PY=/usr/bin/python3

if [ -z "$ACTIVATE" ]; then
    echo "1..0 # SKIP systemd-socket-activate not installed (package systemd)"
    exit 0
fi

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name" "log: $(tail -c 800 "$tmp/log")" "out: $(head -c 400 "$tmp/out")"; fi; }

tmp=$(mktemp -d /tmp/tracuu-activation-XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

# start LOG ARGS...: systemd-socket-activate ARGS, in the background ($pid). It execs the daemon
# in place when a first client connects, so $pid is then the daemon's.
start() { local log=$1; shift; "$ACTIVATE" "$@" >"$log" 2>&1 & pid=$!; }
# wait_for FILE PATTERN: up to 10 s for PATTERN to appear in FILE.
wait_for() { for _ in $(seq 100); do grep -q -- "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done; return 1; }
# free_port: a TCP port free now (systemd-socket-activate does not take port 0); another
# program could take it before the test does, which would fail the test, not pass it wrongly.
free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# stop: SIGTERM the daemon; its exit status in $st.
stop() { kill -TERM "$pid" 2>/dev/null; wait "$pid"; st=$?; pid=; }
# exited: the daemon's exit status in $st, after at most 10 s.
exited() { for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done; wait "$pid"; st=$?; pid=; }

echo "1..13"

cat >"$tmp/docs.jsonl" <<'JSON'
{"id":"nd30","title":"Về công tác văn thư","number":"30/2020/NĐ-CP","doc_type":"Nghị định","issuer":"Chính phủ","date":"2020-03-05","text":"Nghị định quy định về công tác văn thư và thể thức văn bản hành chính."}
JSON
"$INDEXER" --db "$tmp/db" --from-jsonl "$tmp/docs.jsonl" -q >"$tmp/out" 2>"$tmp/log"
check "index built" test $? -eq 0

# The form of issue 12: a Unix socket handed over, no --socket. --socket given as well names a
# path that the daemon must leave alone, since systemd's sockets replace its own.
start "$tmp/log" -l "$tmp/s" "$SEARCHD" --db "$tmp/db" --socket "$tmp/own.sock"
wait_for "$tmp/log" "Listening on $tmp/s" || true
"$TRACUU" search --socket "$tmp/s" "văn thư" >"$tmp/out" 2>&1
check "a search on the passed Unix socket finds the document" eval 'grep -q "30/2020/NĐ-CP" "$tmp/out"'
check "the log says the socket came from systemd" \
    wait_for "$tmp/log" "listening on unix:$tmp/s (passed by systemd as "
check "--socket is not opened beside the passed socket" eval '! test -e "$tmp/own.sock"'
stop
check "SIGTERM: exit 0" test "$st" -eq 0
check "the passed socket's file is systemd's: left in place" test -S "$tmp/s"

# A Unix socket and a TCP one named http: the HTTP API on the second.
port=$(free_port)
start "$tmp/log2" -l "$tmp/s2" -l "127.0.0.1:$port" --fdname=unix:http "$SEARCHD" --db "$tmp/db"
wait_for "$tmp/log2" "Listening on $tmp/s2" || true
"$TRACUU" search --socket "$tmp/s2" "văn thư" >"$tmp/out" 2>&1
check "with two sockets, the Unix one serves the socket protocol" eval 'grep -q "30/2020/NĐ-CP" "$tmp/out"'
check "the log names the HTTP socket" \
    wait_for "$tmp/log2" "listening on http:127.0.0.1:$port (passed by systemd as http)"
"$PY" -c '
import json, sys, urllib.request
r = json.load(urllib.request.urlopen("http://127.0.0.1:%s/api/search?q=v%%C4%%83n+th%%C6%%B0" % sys.argv[1], timeout=10))
assert r["ok"] and r["total"] == 1, r
' "$port" >"$tmp/out" 2>&1
check "the socket named http serves the HTTP API " test $? -eq 0
stop

# What cannot be served is refused at start, exit 1, and said.
start "$tmp/log3" -l "$tmp/s3" -l "0.0.0.0:$(free_port)" "$SEARCHD" --db "$tmp/db"
wait_for "$tmp/log3" "Listening on $tmp/s3" || true
"$TRACUU" search --socket "$tmp/s3" "văn thư" >"$tmp/out" 2>&1
exited
check "a passed TCP socket beyond loopback without users: exit 1" test "$st" -eq 1
check "... and the log says why" grep -q "refusing the socket tcp:0.0.0.0:[0-9]* passed by systemd" "$tmp/log3"

start "$tmp/log4" -l "$tmp/s4" --fdname=http "$SEARCHD" --db "$tmp/db"
wait_for "$tmp/log4" "Listening on $tmp/s4" || true
"$TRACUU" search --socket "$tmp/s4" "văn thư" >"$tmp/out" 2>&1
exited
check "a Unix socket named http: exit 1, the HTTP API is on TCP only" eval \
    'test "$st" -eq 1 && grep -q "the HTTP API is served on TCP only" "$tmp/log4"'

start "$tmp/log5" -l "$tmp/s5" -l "127.0.0.1:$(free_port)" -l "127.0.0.1:$(free_port)" --fdname=unix:http:http "$SEARCHD" --db "$tmp/db"
wait_for "$tmp/log5" "Listening on $tmp/s5" || true
"$TRACUU" search --socket "$tmp/s5" "văn thư" >"$tmp/out" 2>&1
exited
check "two sockets named http: exit 1" eval \
    'test "$st" -eq 1 && grep -q "more than one socket named http" "$tmp/log5"'

[ "$failed" -eq 0 ]
