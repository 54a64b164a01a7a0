#!/usr/bin/env bash
# Installs what Kette needs on a fresh Debian 12 machine when it is missing: the C libraries'
# development packages, the sqlite3 shell and openssl (the TLS tests make their own CA with it). The Swift toolchain is expected in /opt/swift or
# on PATH. Source this file: it also puts the toolchain on PATH.
set -euo pipefail

# strace: the disk fault tests inject failing writes and syncs with `strace -e inject=…`;
# python3 runs the network fault tests' proxy (Tests/KetteCLITests/Fixtures/fault_proxy.py);
# openssl makes the TLS tests' throw-away certificate authority; curl sends the end-to-end tests'
# raw requests; systemd brings systemd-analyze (the unit tests verify every unit the packages
# install; nothing is started) and groff-base the groff that reads the generated manual pages;
# postgresql (initdb, pg_ctl, postgres) runs the PostgreSQL tests' throw-away clusters, libpq-dev
# is the client library; zlib1g-dev is zlib, gzip for sync traffic both ways (Sources/CZlib).
packages=(libsqlite3-dev libcurl4-openssl-dev libmicrohttpd-dev libpq-dev zlib1g-dev postgresql sqlite3 openssl strace python3 curl systemd groff-base)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The export tests validate HSDS and OParl output against the official JSON schemas with Python's
# jsonschema (4.18 or newer, which resolves the schemas' references through `referencing`) and
# rfc3339-validator (without it, date-time formats go unchecked).
if ! python3 -c "import jsonschema, referencing, rfc3339_validator" >/dev/null 2>&1; then
    echo "installing: jsonschema rfc3339-validator (pip)" >&2
    python3 -m pip install --quiet "jsonschema>=4.18" rfc3339-validator \
        || echo "could not install jsonschema: the export validation tests will fail" >&2
fi

# The API tests run Schemathesis (4.x) against Protocol/openapi.json and a real kette-server.
if ! python3 -c "import schemathesis, sys; sys.exit(int(schemathesis.__version__.split('.')[0]) < 4)" >/dev/null 2>&1; then
    echo "installing: schemathesis (pip)" >&2
    python3 -m pip install --quiet "schemathesis>=4,<5" \
        || echo "could not install schemathesis: SchemathesisTests will fail" >&2
fi

# promtool, Prometheus' own check of the /metrics text, taken out of Debian's prometheus package
# into .build-tools/ without installing it (installing would start a Prometheus server wherever
# systemd runs). The metrics tests parse the text themselves and also run promtool when it is there.
kette_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if ! command -v promtool >/dev/null 2>&1 && [ ! -x "$kette_root/.build-tools/promtool" ]; then
    echo "fetching: promtool (from Debian's prometheus package)" >&2
    mkdir -p "$kette_root/.build-tools"
    ( cd "$kette_root/.build-tools" && { apt-get download prometheus >/dev/null 2>&1 || { apt-get update -qq && apt-get download prometheus >/dev/null; }; } \
        && dpkg-deb --fsys-tarfile prometheus_*.deb | tar -xO ./usr/bin/promtool > promtool && chmod +x promtool && rm -f prometheus_*.deb ) \
        || { rm -f "$kette_root/.build-tools/promtool"; echo "could not fetch promtool: the metrics tests check the text without it" >&2; }
fi

if ! command -v swift >/dev/null 2>&1; then
    if [ -x /opt/swift/usr/bin/swift ]; then
        export PATH="/opt/swift/usr/bin:$PATH"
    else
        echo "Swift 6 toolchain not found: install it to /opt/swift or put swift on PATH" >&2
        exit 1
    fi
fi
