#!/bin/sh
# deps.sh - installs the Debian 12 packages tracuu needs to build, test and benchmark.
# Only what is missing is installed, so a machine that has everything needs no network.
set -eu
pkgs="meson ninja-build pkg-config gcc g++ clang libclang-rt-14-dev
libglib2.0-dev libjson-glib-dev libicu-dev libxapian-dev xapian-tools libmagic-dev
libpoppler-glib-dev libgmime-3.0-dev libxml2-dev libgsf-1-dev zlib1g-dev libcairo2-dev libpango1.0-dev
libsodium-dev libmicrohttpd-dev fonts-dejavu-core poppler-utils python3-xapian recoll sqlite3 libsqlite3-dev qpdf
systemd man-db groff-base dpkg-dev debhelper lintian wrk curl"
missing=""
for p in $pkgs; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done
if [ -n "$missing" ]; then
    echo "deps.sh: installing:$missing" >&2
    if [ "$(id -u)" -ne 0 ]; then
        echo "deps.sh: run as root (or with sudo) to install packages" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
