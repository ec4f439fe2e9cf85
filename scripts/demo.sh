#!/bin/sh
# demo.sh - installs what is missing, builds, indexes the sample corpus, starts tracuu-searchd
# on a socket, asks it a few questions through the tracuu client, and stops it.
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh
sh scripts/build.sh

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

run build/indexer/tracuu-indexer --db "$work/index" corpus/archive

build/searchd/tracuu-searchd --db "$work/index" --socket "$work/searchd.sock" \
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
