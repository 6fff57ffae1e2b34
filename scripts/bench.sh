#!/usr/bin/env bash
# Measures, in one run on this machine: the demo's start-up time to a served page on an existing
# data dir, its resident memory, and authenticated account-list pages per second against a bare
# axum handler. Prints a Markdown table for docs/bench.md.
set -euo pipefail
# Load from one address: the per-address limits on public endpoints would measure themselves.
export ZHENGWU_RATE_LIMITS=off
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
# BIN and HELLO_BIN name other builds to measure (an earlier commit's, for a before/after in one
# sitting); by default this tree's release build.
if [ -z "${BIN:-}" ]; then cargo build --release --quiet --bin zhengwu --example hello; fi
BIN=${BIN:-target/release/zhengwu}
HELLO_BIN=${HELLO_BIN:-target/release/examples/hello}
DATA=$(mktemp -d)
PORT=18181; HELLO=18190
DUR=${DUR:-10s}
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$DATA"' EXIT

wait_up() { until curl -sf -o /dev/null "$1"; do sleep 0.005; done; }

# First start builds the demo district; stop it.
$BIN demo --data-dir "$DATA" --listen 127.0.0.1:$PORT >/dev/null 2>&1 &
wait_up http://127.0.0.1:$PORT/login; kill -TERM $!; wait $! || true

# Start-up to a served page on the existing data dir, 5 times.
times=()
for i in 1 2 3 4 5; do
  t0=$(date +%s%N)
  $BIN demo --data-dir "$DATA" --listen 127.0.0.1:$PORT >/dev/null 2>&1 &
  pid=$!
  wait_up http://127.0.0.1:$PORT/login
  t1=$(date +%s%N)
  times+=($(( (t1 - t0) / 1000000 )))
  if [ $i -lt 5 ]; then kill -TERM $pid; wait $pid || true; fi
done
startup=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)

# Signed-in session for the account list.
tok=$(curl -sf -X POST http://127.0.0.1:$PORT/api/v1/auth/login -H 'content-type: application/json' \
  -d '{"username":"admin","password":"zhengwu2026"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
curl -sf -o /dev/null -H "Cookie: zw_session=$tok" http://127.0.0.1:$PORT/accounts
rss_idle=$(awk '/VmRSS/ {print int($2/1024)}' /proc/$pid/status)

"$HELLO_BIN" 127.0.0.1:$HELLO & hpid=$!
wait_up http://127.0.0.1:$HELLO/

rps() { wrk -t2 -c64 -d"$DUR" "$@" | awk '/Requests\/sec/ {print int($2)}'; }
hello_rps=$(rps http://127.0.0.1:$HELLO/)
list_rps=$(rps -H "Cookie: zw_session=$tok" "http://127.0.0.1:$PORT/accounts")
api_rps=$(rps -H "Authorization: Bearer $tok" "http://127.0.0.1:$PORT/api/v1/accounts?per_page=25")
guide_rps=$(rps "http://127.0.0.1:$PORT/hall/matters/440309002002000")
search_rps=$(rps "http://127.0.0.1:$PORT/api/v1/matters/search?q=sydj")
rss_peak=$(awk '/VmHWM/ {print int($2/1024)}' /proc/$pid/status)
kill -TERM $pid $hpid; wait || true

ratio() { python3 -c "print(f'{$1/$2:.3f}')"; }
cat <<TABLE
| measure | result | aim |
|---|---|---|
| demo start-up to a served page, existing data dir (median of 5, ms) | $startup (runs: ${times[*]}) | < 2000 |
| resident memory after start and one page (MB) | $rss_idle | < 150 |
| peak resident memory during the load (MB) | $rss_peak | < 150 |
| bare axum "hello" (req/s, wrk -t2 -c64 -d$DUR) | $hello_rps | baseline |
| signed-in account list page, 25 of 881 accounts, HTML (req/s) | $list_rps | ratio $(ratio $list_rps $hello_rps) |
| same list over the JSON API with a bearer token (req/s) | $api_rps | ratio $(ratio $api_rps $hello_rps) |
| public guide page 生育登记, HTML, no sign-in (req/s) | $guide_rps | ratio $(ratio $guide_rps $hello_rps) |
| public search API \`q=sydj\` over 55 matters (req/s) | $search_rps | ratio $(ratio $search_rps $hello_rps) |
TABLE
