#!/usr/bin/env bash
# The operations desk measured, in one run on this machine:
#   1. ticket create + resolve pairs per second through zhengwu's HTTP API (the demo district on
#      SQLite), side by side with Request Tracker 5 (Debian's request-tracker5 on PostgreSQL,
#      REST2 with a session cookie), installed here by the recipe in ../shared/STACK.md;
#   2. the year's figures over a million tickets (examples/ops_stats.rs) against a bare count of
#      the same rows.
# Env: WORKERS (zhengwu clients, default 16), RT_WORKERS (default 8), DURATION (s, default 10),
# TICKETS (default 1000000), SKIP_RT=1 to leave Request Tracker out.
set -euo pipefail
# Load from one address: the per-address limits on public endpoints would measure themselves.
export ZHENGWU_RATE_LIMITS=off
cd "$(dirname "$0")/.."
WORKERS=${WORKERS:-16}; RT_WORKERS=${RT_WORKERS:-8}; SECONDS_=${DURATION:-10}; TICKETS=${TICKETS:-1000000}
cargo build --release --quiet --bin zhengwu --example ops_load --example ops_stats
DATA=$(mktemp -d); PORT=18381
cleanup() { kill $(jobs -p) 2>/dev/null || true; rm -rf "$DATA"; }
trap cleanup EXIT
wait_up() { until curl -sf -o /dev/null "$1"; do sleep 0.1; done; }

target/release/zhengwu demo --listen 127.0.0.1:$PORT --data-dir "$DATA/demo" >/dev/null 2>&1 &
wait_up http://127.0.0.1:$PORT/login
ours=$(target/release/examples/ops_load zhengwu http://127.0.0.1:$PORT "$WORKERS" "$SECONDS_")
kill %1; wait %1 2>/dev/null || true

rt="desk=rt pairs_per_s=n/a p50_ms=n/a p99_ms=n/a"
if [ -z "${SKIP_RT:-}" ]; then
  if ! dpkg -s request-tracker5 >/dev/null 2>&1; then
    apt-get update -qq
    pg_ctlcluster 15 main start || true
    debconf-set-selections <<'SEL'
request-tracker5 request-tracker5/dbconfig-install boolean true
request-tracker5 request-tracker5/database-type select pgsql
request-tracker5 request-tracker5/pgsql/method select TCP/IP
request-tracker5 request-tracker5/remote/host select localhost
request-tracker5 request-tracker5/pgsql/authmethod-admin select ident
request-tracker5 request-tracker5/pgsql/authmethod-user select password
request-tracker5 request-tracker5/pgsql/admin-user string postgres
request-tracker5 request-tracker5/pgsql/app-pass password rtdbpass
request-tracker5 request-tracker5/app-password-confirm password rtdbpass
request-tracker5 request-tracker5/db/dbname string rtdb
request-tracker5 request-tracker5/db/app-user string rtuser
request-tracker5 request-tracker5/initial-root-password password benchroot
request-tracker5 request-tracker5/webbaseurl string http://127.0.0.1:8080
request-tracker5 request-tracker5/install-cronjobs boolean false
rt5-db-postgresql rt5-db-postgresql/available boolean true
SEL
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dbconfig-common dbconfig-pgsql >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends request-tracker5 rt5-db-postgresql rt5-standalone >/dev/null
    chown root:www-data /etc/request-tracker5/RT_SiteConfig.pm && chmod 640 /etc/request-tracker5/RT_SiteConfig.pm
  fi
  pg_was_up=$(pg_lsclusters -h 2>/dev/null | awk '$1 == 15 && $2 == "main" {print $4}')
  pg_ctlcluster 15 main start 2>/dev/null || true
  start-stop-daemon --start --background --make-pidfile --pidfile /tmp/rt.pid --chuid www-data --chdir /tmp \
    --exec /usr/share/request-tracker5/libexec/rt-server -- --host 127.0.0.1 --port 8080 --webpath /rt --max-workers 8
  for _ in $(seq 1 300); do curl -sf -o /dev/null http://127.0.0.1:8080/rt/NoAuth/Login.html && break; sleep 0.2; done
  # RT's workers compile on their first requests: warm them up, unmeasured, before the run.
  for _ in $(seq 1 30); do target/release/examples/ops_load rt http://127.0.0.1:8080/rt 1 1 >/dev/null 2>&1 && break; sleep 2; done
  target/release/examples/ops_load rt http://127.0.0.1:8080/rt "$RT_WORKERS" 3 >/dev/null 2>&1 || true
  rt=$(target/release/examples/ops_load rt http://127.0.0.1:8080/rt "$RT_WORKERS" "$SECONDS_")
  start-stop-daemon --stop --pidfile /tmp/rt.pid --retry 5 >/dev/null || true
  [ "$pg_was_up" = online ] || pg_ctlcluster 15 main stop 2>/dev/null || true
fi

stats=$(target/release/examples/ops_stats "$TICKETS" "$DATA/million" 2>/dev/null)

v() { echo "$1" | sed -E "s/.*$2=([0-9.a-z/]+).*/\1/"; }
ratio() { python3 -c "print(f'{$1/$2:,.0f}')" 2>/dev/null || echo n/a; }
cat <<TABLE
| ticket create + resolve pairs, HTTP, ${SECONDS_} s | clients | pairs/s | p50 ms | p99 ms |
|---|---|---|---|---|
| zhengwu (SQLite) | $WORKERS | $(v "$ours" pairs_per_s) | $(v "$ours" p50_ms) | $(v "$ours" p99_ms) |
| Request Tracker 5 (PostgreSQL, REST2) | $RT_WORKERS | $(v "$rt" pairs_per_s) | $(v "$rt" p50_ms) | $(v "$rt" p99_ms) |
| ratio | | $(ratio "$(v "$ours" pairs_per_s)" "$(v "$rt" pairs_per_s)")× | | |

| the year's figures over $(v "$stats" tickets) tickets (median of 5) | ms |
|---|---|
| \`ops::stats\` (totals, rates, medians; by system, category, level) | $(v "$stats" stats_ms) |
| bare \`SELECT COUNT(*)\` over the same year (baseline) | $(v "$stats" count_scan_ms) |
| ratio | $(v "$stats" ratio)× |
TABLE
