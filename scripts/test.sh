#!/usr/bin/env bash
# Runs every test of zhengwu on a fresh machine: installs what is missing (Chromium and its
# driver, CJK fonts, poppler-utils to read PDFs back, PostgreSQL 15), starts a throwaway PostgreSQL in a temp dir, then runs the
# formatting and lints, the whole suite twice — on embedded SQLite and on PostgreSQL — fuzzes the API from its OpenAPI document
# (schemathesis) and the parsers (cargo-fuzz, bounded in time), and removes the database server.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v chromium >/dev/null || need+=(chromium)
command -v chromedriver >/dev/null || need+=(chromium-driver)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need+=(fonts-noto-cjk)
command -v pdftotext >/dev/null || need+=(poppler-utils)
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
[ -x "$PGBIN/initdb" ] || need+=(postgresql-15)
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing: ${need[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# A throwaway PostgreSQL on a free port, socket in its own temp dir.
PGDIR=$(mktemp -d)
PGPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$PGDIR"
cleanup() { as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate -w stop >/dev/null 2>&1 || true; rm -rf "$PGDIR"; }
trap cleanup EXIT
as_pg "$PGBIN/initdb" -D "$PGDIR/data" -U postgres -A trust --no-sync -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w \
  -o "-k $PGDIR -p $PGPORT -c listen_addresses='' -c fsync=off -c max_connections=300" start >/dev/null
PG_URL="postgres://postgres@localhost/postgres?host=$PGDIR&port=$PGPORT"

echo "== formatting and lints"
cargo fmt --check
cargo clippy --all-targets -- -D warnings
echo "== tests on SQLite"
cargo test
echo "== tests on PostgreSQL"
ZHENGWU_TEST_PG="$PG_URL" cargo test --test it
echo "== the API fuzzed from its OpenAPI document"
scripts/api_fuzz.sh
echo "== the parsers fuzzed (cargo-fuzz)"
scripts/fuzz.sh
