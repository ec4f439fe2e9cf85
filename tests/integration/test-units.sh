#!/usr/bin/env bash
# test-units.sh - the systemd units pass systemd-analyze verify with no complaint (TAP).
# Their programs are taken from the build tree (the installed paths do not exist yet); man
# pages are not looked up (they are checked by test-man.sh). Skipped without systemd-analyze.
set -u
SRC=${TRACUU_SOURCE_ROOT:?run by meson test}
BUILD=${TRACUU_BUILD_ROOT:?run by meson test}
ANALYZE=$(command -v systemd-analyze || true)
if [ -z "$ANALYZE" ]; then
    echo "1..0 # SKIP systemd-analyze not installed (package systemd)"
    exit 0
fi
tmp=$(mktemp -d /tmp/tracuu-units-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
units="tracuu-searchd.service tracuu-searchd.socket tracuu-searchd-http.socket
tracuu-indexer.service tracuu-indexer.timer tracuu-compact.service tracuu-compact.timer"
echo "1..$(($(echo $units | wc -w) + 1))"
n=0 failed=0
for u in $units; do
    if [ -f "$BUILD/systemd/$u" ]; then f=$BUILD/systemd/$u; else f=$SRC/systemd/$u; fi
    [ -f "$f" ] || { echo "not ok - $u: missing"; exit 1; }
    sed -E "s#^(Exec[A-Za-z]*=)[^ ]*/(tracuu-[a-z]+)#\1$BUILD/PROG/\2#" "$f" |
        sed -e "s#$BUILD/PROG/tracuu-searchd#$BUILD/searchd/tracuu-searchd#" \
            -e "s#$BUILD/PROG/tracuu-indexer#$BUILD/indexer/tracuu-indexer#" >"$tmp/$u"
done
for u in $units; do
    n=$((n + 1))
    out=$(cd "$tmp" && "$ANALYZE" verify --man=no "$tmp/$u" 2>&1); st=$?
    if [ $st -eq 0 ] && [ -z "$out" ]; then
        echo "ok $n - $u"
    else
        failed=$((failed + 1))
        echo "not ok $n - $u"
        printf '%s\n' "$out" | sed 's/^/# /'
    fi
done
# The hardening the units promise: the index's folder is the only one written.
n=$((n + 1))
if grep -q '^ProtectSystem=strict$' "$tmp"/tracuu-*.service &&
   ! grep -L '^ProtectSystem=strict$' "$tmp"/tracuu-*.service | grep -q . &&
   ! grep -h '^ReadWritePaths=' "$tmp"/tracuu-*.service | grep -vqx 'ReadWritePaths=/var/lib/tracuu' &&
   ! grep -q '^ReadWritePaths=' "$tmp/tracuu-searchd.service" &&
   ! grep -L '^NoNewPrivileges=yes$' "$tmp"/tracuu-*.service | grep -q .; then
    echo "ok $n - every service: ProtectSystem=strict, NoNewPrivileges; only /var/lib/tracuu writable, by the indexer alone"
else
    failed=$((failed + 1))
    echo "not ok $n - hardening directives missing"
fi
[ "$failed" -eq 0 ]
