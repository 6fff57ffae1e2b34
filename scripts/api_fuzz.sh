#!/usr/bin/env bash
# Fuzzes the API from its own OpenAPI document with schemathesis (PyPI), as a bureau admin and as
# a citizen, against a demo district on a throwaway data dir: fails on any server error, any
# answer that violates the documented schema, content type or status codes. Bounded in time
# (API_FUZZ_SECONDS per account, 45 unless set). Run by scripts/test.sh after the test suite;
# needs the debug binary (cargo build) and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${API_FUZZ_SECONDS:-45}
VENV=${ZHENGWU_VENV:-$HOME/.cache/zhengwu/venv}
if [ ! -x "$VENV/bin/schemathesis" ]; then
  echo "== installing schemathesis"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "schemathesis>=4.3,<5"
fi
BIN=target/debug/zhengwu
[ -x "$BIN" ] || cargo build -q
DATA=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT"
# The per-address limits would answer most generated calls with 429 (documented, but no coverage).
ZHENGWU_RATE_LIMITS=off ZHENGWU_LOG=warn "$BIN" --data-dir "$DATA" demo --listen "127.0.0.1:$PORT" >"$DATA/server.log" 2>&1 &
SERVER=$!
cleanup() { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; rm -rf "$DATA"; }
trap cleanup EXIT
for _ in $(seq 1 100); do curl -sf "$URL/healthz" >/dev/null && break; sleep 0.2; done
PASSWORD=$(grep -o 'DEFAULT_PASSWORD: &str = "[^"]*' src/demo/mod.rs | cut -d'"' -f2)
token() {
  curl -sf -X POST "$URL/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"$PASSWORD\"}" | python3 -c 'import sys,json; print(json.load(sys.stdin)["token"])'
}
status=0
for who in admin citizen; do
  echo "== schemathesis as $who (${SECONDS_EACH}s)"
  # Sign-out, password and key changes would end the run's own session or lock it out. One
  # worker: with two, hypothesis (on Python 3.11) can trip over its own concurrent parsing of
  # its lambdas ("AST constructor recursion depth mismatch") and fail a run the API passed.
  "$VENV/bin/schemathesis" run "$URL/api/v1/openapi.json" \
    -H "Authorization: Bearer $(token $who)" \
    --checks not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance \
    --exclude-path-regex 'logout|password|rotate|/auth/' \
    --max-time "$SECONDS_EACH" --workers 1 --seed 2026 --no-color \
    >"$DATA/st-$who.log" 2>&1 || status=1
  tail -n 12 "$DATA/st-$who.log"
  if [ $status -ne 0 ]; then grep -B2 -A14 '^___' "$DATA/st-$who.log" | head -150; break; fi
done
exit $status
