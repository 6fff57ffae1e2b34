#!/usr/bin/env bash
# The approval engine side by side with SpiffWorkflow, in one run on this machine:
#   1. four-step approvals in process — zhengwu's rules in memory and SpiffWorkflow in memory;
#      zhengwu's whole engine persisting to a SQLite file and SpiffWorkflow persisting its JSON
#      state to a SQLite file after every step;
#   2. complete four-step approvals per second through the HTTP API of a running demo, on SQLite
#      and on a throwaway PostgreSQL (synchronous_commit on: both stores answer a write once it
#      is on disk),
#      against a bare axum "hello" as the machine's baseline.
# Prints a Markdown table for docs/bench.md. WORKERS and DURATION (seconds) tune the HTTP load.
set -euo pipefail
# Load from one address: the per-address limits on public endpoints would measure themselves.
export ZHENGWU_RATE_LIMITS=off
cd "$(dirname "$0")/.."
WORKERS=${WORKERS:-16}; SECONDS_=${DURATION:-10}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
VENV=target/spiff-venv
[ -x $VENV/bin/python ] || python3 -m venv $VENV
$VENV/bin/python -c 'import SpiffWorkflow' 2>/dev/null || $VENV/bin/pip install -q 'SpiffWorkflow==3.2.0'
cargo build --release --quiet --bin zhengwu --example approval_load --example hello

spiff=$($VENV/bin/python benches/spiff/approvals.py 4000)
ours=$(cargo bench --quiet --bench engine -- 400000 1000 2>/dev/null | grep approvals=)
field() { echo "$1" | grep "^$2 " | sed -E 's/.*approvals_per_s=([0-9]+).*/\1/'; }
s_mem=$(field "$spiff" spiff-memory); s_db=$(field "$spiff" spiff-stored)
z_mem=$(field "$ours" core); z_db=$(field "$ours" stored)

DATA=$(mktemp -d); PGDIR=$(mktemp -d); PORT=18281; HELLO=18290
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  kill $(jobs -p) 2>/dev/null || true
  as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$DATA" "$PGDIR"
}
trap cleanup EXIT
wait_up() { until curl -sf -o /dev/null "$1"; do sleep 0.05; done; }

target/release/examples/hello 127.0.0.1:$HELLO & wait_up http://127.0.0.1:$HELLO/
hello=$(wrk -t2 -c64 -d${SECONDS_}s http://127.0.0.1:$HELLO/ | awk '/Requests\/sec/ {print int($2)}')
kill %1; wait %1 2>/dev/null || true

BACKLOG=${BACKLOG:-5000}
# The approver's inbox (first page of 25, JSON) under wrk: prints req/s.
inbox_rps() {
  local tok
  tok=$(curl -sf -X POST http://127.0.0.1:$PORT/api/v1/auth/login -H 'content-type: application/json' \
    -d '{"username":"approver","password":"zhengwu2026"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  wrk -t2 -c32 -d${SECONDS_}s -H "Authorization: Bearer $tok" \
    "http://127.0.0.1:$PORT/api/v1/approvals/inbox?per_page=25" | awk '/Requests\/sec/ {print int($2)}'
}
# Approvals under load, then the inbox with the demo's few open tasks and with a backlog of
# $BACKLOG more left waiting for review. Prints: load line, inbox req/s before, after.
http_run() {
  target/release/zhengwu demo --listen 127.0.0.1:$PORT "$@" >/dev/null 2>&1 & local pid=$!
  wait_up http://127.0.0.1:$PORT/login
  local small load big
  small=$(inbox_rps)
  load=$(target/release/examples/approval_load http://127.0.0.1:$PORT "$WORKERS" "$SECONDS_" "$BACKLOG" | grep approvals=)
  big=$(inbox_rps)
  kill -TERM $pid; wait $pid 2>/dev/null || true
  echo "$load inbox_small=$small inbox_big=$big"
}
h_lite=$(http_run --data-dir "$DATA/lite")

[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$PGDIR"
PGPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg "$PGBIN/initdb" -D "$PGDIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w \
  -o "-k $PGDIR -p $PGPORT -c listen_addresses='' -c max_connections=100" start >/dev/null
h_pg=$(http_run --data-dir "$DATA/pg" --database-url "postgres://postgres@localhost/postgres?host=$PGDIR&port=$PGPORT")

ratio() { python3 -c "print(f'{$1/$2:,.2f}')"; }
hv() { echo "$1" | sed -E "s/.*$2=([0-9.]+).*/\1/"; }
cat <<TABLE
| measure | zhengwu | SpiffWorkflow 3.2.0 | ratio |
|---|---|---|---|
| four-step approvals/s in process, in memory (rules only) | $z_mem | $s_mem | $(ratio $z_mem $s_mem)× |
| four-step approvals/s in process, every step persisted to a SQLite file | $z_db | $s_db | $(ratio $z_db $s_db)× |

| HTTP, $WORKERS clients, ${SECONDS_} s | approvals/s | requests/s | p50 ms | p99 ms | requests/s vs bare axum ($hello/s) |
|---|---|---|---|---|---|
| SQLite | $(hv "$h_lite" approvals_per_s) | $(hv "$h_lite" requests_per_s) | $(hv "$h_lite" p50_ms) | $(hv "$h_lite" p99_ms) | $(ratio $(hv "$h_lite" requests_per_s) $hello) |
| PostgreSQL 15 | $(hv "$h_pg" approvals_per_s) | $(hv "$h_pg" requests_per_s) | $(hv "$h_pg" p50_ms) | $(hv "$h_pg" p99_ms) | $(ratio $(hv "$h_pg" requests_per_s) $hello) |

| approver's inbox, first page of 25 (JSON, wrk -c32) | demo's open tasks | + $BACKLOG waiting for review | ratio |
|---|---|---|---|
| SQLite (req/s) | $(hv "$h_lite" inbox_small) | $(hv "$h_lite" inbox_big) | $(ratio $(hv "$h_lite" inbox_big) $(hv "$h_lite" inbox_small)) |
| PostgreSQL 15 (req/s) | $(hv "$h_pg" inbox_small) | $(hv "$h_pg" inbox_big) | $(ratio $(hv "$h_pg" inbox_big) $(hv "$h_pg" inbox_small)) |
TABLE
