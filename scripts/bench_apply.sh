#!/usr/bin/env bash
# Online submissions through the HTTP API of a running demo on SQLite, every one on disk before
# it is answered (group commit: src/storage/durable.rs), in one run on this machine:
#   - baselines: a bare axum "hello" (requests/s) and this disk's fdatasync calls per second;
#   - submissions per second without uploads and with a fresh 200 KB upload each, and the time
#     from sending a submission until the clerk's acceptance queue shows it;
#   - a crash check: the server is killed (SIGKILL) in the middle of a run, started again, and
#     every application it had answered must be in the store.
# Prints a Markdown table for docs/bench.md. WORKERS and DURATION (seconds) tune the load.
set -euo pipefail
# Load from one address: the per-address limits on public endpoints would measure themselves.
export ZHENGWU_RATE_LIMITS=off
cd "$(dirname "$0")/.."
WORKERS=${WORKERS:-32}; SECONDS_=${DURATION:-10}
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
cargo build --release --quiet --bin zhengwu --example apply_load --example hello

DATA=$(mktemp -d -p "${TMPDIR:-/var/tmp}"); PORT=18381; HELLO=18390; URL=http://127.0.0.1:$PORT
cleanup() { kill $(jobs -p) 2>/dev/null || true; rm -rf "$DATA"; }
trap cleanup EXIT
wait_up() { until curl -sf -o /dev/null "$1"; do sleep 0.05; done; }

target/release/examples/hello 127.0.0.1:$HELLO & wait_up http://127.0.0.1:$HELLO/
hello=$(wrk -t2 -c64 -d${SECONDS_}s http://127.0.0.1:$HELLO/ | awk '/Requests\/sec/ {print int($2)}')
kill %1; wait %1 2>/dev/null || true
fsyncs=$(python3 - "$DATA" <<'PY'
import os, sys, time
p = os.path.join(sys.argv[1], "fsync.probe"); f = os.open(p, os.O_WRONLY | os.O_CREAT)
n, t = 0, time.time()
while time.time() - t < 3:
    os.write(f, b"x" * 4096); os.fdatasync(f); n += 1
print(int(n / (time.time() - t))); os.close(f); os.unlink(p)
PY
)

serve() { target/release/zhengwu demo --data-dir "$DATA/d" --listen 127.0.0.1:$PORT >>"$DATA/log" 2>&1 & SERVER=$!; wait_up $URL/login; }
mkdir -p "$DATA/d"; serve
plain=$(target/release/examples/apply_load $URL "$WORKERS" "$SECONDS_" plain)
# Commits per log flush during that run: the group commit at work.
per_flush=$(curl -sf $URL/metrics | python3 -c "
import sys
m = {l.split()[0]: float(l.split()[1]) for l in sys.stdin if l.startswith('zhengwu_sqlite_')}
print(round(m.get('zhengwu_sqlite_commits_flushed_total', 0) / max(m.get('zhengwu_sqlite_log_flushes_total', 1), 1), 1))")
upload=$(target/release/examples/apply_load $URL "$WORKERS" "$SECONDS_" upload)

# The crash check: SIGKILL halfway through a run, then start again and look for every number.
target/release/examples/apply_load $URL "$WORKERS" 8 plain "$DATA/answered.txt" >/dev/null &
LOAD=$!
sleep 4; kill -9 $SERVER; wait $SERVER 2>/dev/null || true; wait $LOAD || true
serve
crash=$(python3 - "$DATA/d/zhengwu.db" "$DATA/answered.txt" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
nums = [n for n in open(sys.argv[2]).read().split() if n]
found = 0
for i in range(0, len(nums), 500):
    part = nums[i:i + 500]
    found += c.execute(f"SELECT COUNT(*) FROM applications WHERE number IN ({','.join('?' * len(part))})", part).fetchone()[0]
print(f"answered={len(nums)} found_after_restart={found}")
PY
)
kill $SERVER; wait $SERVER 2>/dev/null || true

f() { echo " $1" | sed -E "s/.* $2=([0-9.]+).*/\1/"; }
pr=$(f "$plain" submissions_per_s); ur=$(f "$upload" submissions_per_s)
echo
echo "| Measure (SQLite, durable, $WORKERS clients, ${SECONDS_} s) | Result | Baseline in the same run | Ratio |"
echo "|---|---|---|---|"
echo "| Submissions/s, no upload (aim ≥ 1,000) | **$pr** (p50 $(f "$plain" p50_ms) ms, p99 $(f "$plain" p99_ms) ms) | hello: $hello req/s; disk: $fsyncs fdatasync/s | $(python3 -c "print(f'{$pr/$fsyncs:.2f}× the disk\'s flushes/s; $per_flush commits per flush')") |"
echo "| Submissions/s, 200 KB upload each (aim ≥ 200) | **$ur** (p50 $(f "$upload" p50_ms) ms, p99 $(f "$upload" p99_ms) ms) | $pr without upload | $(python3 -c "print(f'{$ur/$pr:.2f}')") |"
echo "| Submit → shown in the clerk's queue | p50 $(f "$plain" to_queue_p50_ms) ms, p99 $(f "$plain" to_queue_p99_ms) ms (no upload); p50 $(f "$upload" to_queue_p50_ms) ms (upload) | — | — |"
echo "| Crash check (SIGKILL mid-run, restart) | $crash | — | — |"
echo
echo "raw: $plain"
echo "raw: $upload"
