#!/bin/sh
# demo.sh - installs what is missing, builds, indexes the sample corpus, asks tracuu-searchd a few
# questions on a socket through the tracuu client, then leaves it serving the search page.
#
# Usage: sh scripts/demo.sh          (TRACUU_DEMO_PORT=8080: the page's port; taken: the next free)
#        sh scripts/demo.sh --stop   stops the daemon a previous run left serving the page
# The index, the log and the daemon's pid are kept in build/demo/, so that the page outlives
# the script; a new run stops the previous daemon first.
set -eu
cd "$(dirname "$0")/.."
demo=build/demo
pidfile=$demo/searchd.pid

# Stops the daemon of a previous run, if it still runs (its pid may belong to another program
# by now: only a tracuu-searchd is stopped).
stop_demo() {
    [ -f "$pidfile" ] || return 0
    old=$(cat "$pidfile")
    if [ -n "$old" ] && tr '\0' ' ' <"/proc/$old/cmdline" 2>/dev/null | grep -q tracuu-searchd; then
        kill "$old" 2>/dev/null || true
        i=0
        while kill -0 "$old" 2>/dev/null && [ $i -lt 100 ]; do
            i=$((i + 1))
            sleep 0.1
        done
        echo "demo.sh: stopped the demo's tracuu-searchd (pid $old)"
    fi
    rm -f "$pidfile"
}

if [ "${1:-}" = --stop ]; then
    stop_demo
    exit 0
fi
[ $# -eq 0 ] || { echo "usage: sh scripts/demo.sh [--stop]" >&2; exit 2; }

sh scripts/deps.sh
sh scripts/build.sh
stop_demo

work=$(mktemp -d "${TMPDIR:-/tmp}/tracuu-demo.XXXXXX")
pid=""
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

run() { # prints the command like a terminal session, then runs it
    printf '\n$ %s\n' "$*" | sed "s|$work|\$DEMO|g; s|build/[a-z]*/||"
    "$@"
}

run build/tokenizer/tracuu-tokenize --help >/dev/null
printf '\n$ echo "Chỉ thị 34/2008/CT–TTg về thư điện tử" | tracuu-tokenize\n'
echo "Chỉ thị 34/2008/CT–TTg về thư điện tử" | build/tokenizer/tracuu-tokenize

# A fresh index each run, where the page's daemon can keep reading it after the script.
rm -rf "$demo/index"
mkdir -p "$demo"
run build/indexer/tracuu-indexer --db "$demo/index" corpus/archive

build/searchd/tracuu-searchd --db "$demo/index" --socket "$work/searchd.sock" \
    2>"$work/searchd.log" &
pid=$!
i=0
until build/client/tracuu ping --socket "$work/searchd.sock" >/dev/null 2>&1; do
    i=$((i + 1))
    if [ $i -gt 100 ]; then
        echo "demo.sh: tracuu-searchd did not start:" >&2
        cat "$work/searchd.log" >&2
        exit 1
    fi
    sleep 0.1
done
export TRACUU_SOCKET="$work/searchd.sock"

run build/client/tracuu search --limit 3 "thư điện tử công vụ"
run build/client/tracuu search --limit 3 "thu dien tu cong vu"
run build/client/tracuu search --limit 3 "34/2008/CT - TTg"
run build/client/tracuu search --limit 3 'type:"Quyết định" date:2009-01-01..2021-12-31 chuyển đổi số'
run build/client/tracuu search --limit 3 'kind:mail bao cao'
run build/client/tracuu stats

kill "$pid"
wait "$pid" && echo "
tracuu-searchd stopped cleanly."
pid=""

# The page: a daemon of its own, in the background, on the first free port from
# TRACUU_DEMO_PORT (8080) unless that port was asked for. Its descriptors are the log and
# /dev/null, so that nothing waits for it (a pipe reading this script's output ends).
log=$demo/searchd.log
port=${TRACUU_DEMO_PORT:-8080}
last=$port
[ -n "${TRACUU_DEMO_PORT:-}" ] || last=$((port + 20))
serving=""
while [ "$port" -le "$last" ]; do
    rm -f "$demo/searchd.sock"
    nohup build/searchd/tracuu-searchd --db "$demo/index" --socket "$demo/searchd.sock" \
        --http "127.0.0.1:$port" </dev/null >/dev/null 2>"$log" &
    page_pid=$!
    i=0
    while [ $i -lt 100 ] && kill -0 "$page_pid" 2>/dev/null &&
        ! grep -q "listening on http:" "$log"; do
        i=$((i + 1))
        sleep 0.1
    done
    if grep -q "listening on http:" "$log" && kill -0 "$page_pid" 2>/dev/null; then
        serving=$port
        break
    fi
    kill "$page_pid" 2>/dev/null || true
    wait "$page_pid" 2>/dev/null || true
    port=$((port + 1))
done
if [ -z "$serving" ]; then
    echo "demo.sh: the page could not start (ports ${TRACUU_DEMO_PORT:-8080} to $last):" >&2
    cat "$log" >&2
    exit 1
fi
echo "$page_pid" >"$pidfile"
cat <<EOF

Trang tìm kiếm / search page: http://127.0.0.1:$serving/
  (tracuu-searchd pid $page_pid over $demo/index, log $log; also the socket
   $demo/searchd.sock: build/client/tracuu search --socket $demo/searchd.sock QUERY)
  curl -s 'http://127.0.0.1:$serving/api/search?q=thu+dien+tu&limit=3'
Dừng / stop it: sh scripts/demo.sh --stop
EOF
