#!/usr/bin/env bash
# Fuzzes the parsers with cargo-fuzz (libFuzzer), each target for FUZZ_SECONDS (20 unless set),
# starting from the corpora committed under fuzz/corpus (which grow as you run it; minimise
# with `cargo fuzz cmin` before committing). Targets: ids (resident ID / credit code, masking,
# form sealing), form (schemas and posted values), sheets (CSV/XLSX reader), print (templates
# and markup), calendar (working-day arithmetic). A crash stops the run and leaves its input in
# fuzz/artifacts/<target>/: add it to the target's regression tests.
#
# The only toolchain here is stable: RUSTC_BOOTSTRAP lets cargo-fuzz pass its -Z flags, and
# `--sanitizer none` skips AddressSanitizer (the crate forbids unsafe code; libFuzzer still finds
# panics, overflows, aborts and endless loops via -timeout).
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
SECONDS_EACH=${FUZZ_SECONDS:-20}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked -q
export RUSTC_BOOTSTRAP=1
# A dev build (no optimisation) takes half the time of -O on two cores; 30 s per target still
# runs hundreds of thousands of inputs, and overflow checks stay on.
cargo fuzz build --sanitizer none --dev
for t in ids form sheets print calendar; do
  echo "== fuzz $t (${SECONDS_EACH}s)"
  # Run on a scratch copy so the committed corpus does not grow with every run.
  work=$(mktemp -d)
  cp -r "corpus/$t/." "$work/"
  status=0
  cargo fuzz run --sanitizer none --dev "$t" "$work" -- \
    -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 >"$work.log" 2>&1 || status=$?
  grep -E '^Done|panicked|ERROR|SUMMARY' "$work.log" || true
  if [ "$status" -ne 0 ]; then
    tail -n 40 "$work.log"
    echo "fuzz target $t failed (its input is in fuzz/artifacts/$t)"
    exit 1
  fi
  rm -rf "$work" "$work.log"
done
echo "fuzzing done: 5 targets, no crash"
