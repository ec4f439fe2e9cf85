#!/bin/sh
# check-package.sh - builds the Debian package in a copy of the tree and checks what it holds (TAP).
# Usage: sh scripts/check-package.sh [KEEP_DIR]. The copy is of the files git knows (committed
# or not, ignored ones left out), so that a build/ folder is not packaged. Skipped (TAP's
# "1..0 # SKIP", exit 0) without dpkg-buildpackage and debhelper; lintian's verdict is checked when it is installed.
# Takes a few minutes: the whole tree is compiled again (DEB_BUILD_OPTIONS parallel=2, nocheck:
# the suite runs the tests itself).
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
if ! command -v dpkg-buildpackage >/dev/null || ! command -v dh >/dev/null; then
    echo "1..0 # SKIP dpkg-buildpackage or dh not installed (packages dpkg-dev, debhelper)"
    exit 0
fi
tmp=${1:-}
if [ -z "$tmp" ]; then
    tmp=$(mktemp -d /tmp/tracuu-package-XXXXXX)
    trap 'rm -rf "$tmp"' EXIT
fi
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
check() { name=$1; shift; if "$@" >/dev/null 2>&1; then ok "$name"; else not_ok "$name"; fi; }

echo "1..23"
version=$(sed -n '1s/^tracuu (\([^)]*\)).*/\1/p' "$SRC/debian/changelog")
mkdir -p "$tmp/src"
(cd "$SRC" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$tmp/src")
# A file git knows but that was deleted is not there to copy: cp says so, the build decides.
cd "$tmp/src" || exit 1
if DEB_BUILD_OPTIONS="nocheck parallel=2" dpkg-buildpackage -us -uc -b >"$tmp/build.log" 2>&1; then
    ok "dpkg-buildpackage -us -uc -b"
else
    not_ok "dpkg-buildpackage -us -uc -b"
    tail -40 "$tmp/build.log" | sed 's/^/# /'
    exit 1
fi
deb=$(ls "$tmp"/tracuu_"$version"_*.deb 2>/dev/null | head -1)
check "tracuu_${version}_ARCH.deb made" test -f "$deb"
dpkg-deb -x "$deb" "$tmp/root"
dpkg-deb -e "$deb" "$tmp/control"
for f in usr/bin/tracuu usr/bin/tracuu-indexer usr/bin/tracuu-searchd; do
    check "$f, executable" test -x "$tmp/root/$f"
done
for f in usr/share/man/man1/tracuu.1.gz usr/share/man/man1/tracuu-indexer.1.gz \
    usr/share/man/man8/tracuu-searchd.8.gz usr/share/man/man5/tracuu.conf.5.gz; do
    check "$f" test -s "$tmp/root/$f"
done
check "etc/tracuu/tracuu.conf and the commented example beside it" \
    test -f "$tmp/root/etc/tracuu/tracuu.conf" -a -f "$tmp/root/etc/tracuu/tracuu.conf.example"
check "/etc/tracuu/tracuu.conf and /etc/default/tracuu are conffiles" \
    sh -c "grep -qx /etc/tracuu/tracuu.conf '$tmp/control/conffiles' && grep -qx /etc/default/tracuu '$tmp/control/conffiles'"
for u in tracuu-searchd.service tracuu-searchd.socket tracuu-searchd-http.socket \
    tracuu-indexer.service tracuu-indexer.timer tracuu-compact.service tracuu-compact.timer; do
    check "lib/systemd/system/$u" test -f "$tmp/root/lib/systemd/system/$u"
done
check "the units run the installed programs" \
    grep -q '^ExecStart=/usr/bin/tracuu-searchd --config /etc/tracuu/tracuu.conf$' \
    "$tmp/root/lib/systemd/system/tracuu-searchd.service"
check "postinst: the user tracuu, then the units (enabled sockets and timers)" \
    sh -c "grep -q 'adduser --system' '$tmp/control/postinst' && grep -q 'deb-systemd-helper' '$tmp/control/postinst' && grep -q 'tracuu-indexer.timer' '$tmp/control/postinst'"
# The packaged configuration loads and the packaged programs run.
check "the packaged tracuu-searchd runs (--version)" \
    sh -c "'$tmp/root/usr/bin/tracuu-searchd' --version | grep -q '^tracuu-searchd $version'"
printf '%s\n' '{"id":"a","title":"Về công tác văn thư","text":"văn thư"}' >"$tmp/one.jsonl"
check "the packaged configuration loads: tracuu-indexer --config /etc/tracuu/tracuu.conf" \
    "$tmp/root/usr/bin/tracuu-indexer" --config "$tmp/root/etc/tracuu/tracuu.conf" \
    --db "$tmp/db" --from-jsonl "$tmp/one.jsonl" -q
if command -v lintian >/dev/null; then
    if lintian --fail-on error --tag-display-limit 0 "$deb" >"$tmp/lintian.log" 2>&1; then
        ok "lintian: no error"
    else
        not_ok "lintian: no error"
    fi
    sed 's/^/# /' "$tmp/lintian.log"
else
    ok "lintian: no error # SKIP lintian not installed"
fi
[ "$failed" -eq 0 ]
