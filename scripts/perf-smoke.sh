#!/usr/bin/env bash
# CI smoke benchmark: the whole shared corpus through the debug binary that `cargo test` has
# just built (a release build would add minutes to CI). Fails only on a gross regression: CPU
# time (user+sys, which a busy machine disturbs far less than wall time) over CPU_LIMIT seconds.
# Today it takes about 8 s of CPU in debug, so the default of 60 s catches an accidental
# quadratic pass or a per-file start-up cost, never noise. Skips when the corpus is absent.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CORPUS=${CORPUS:-$ROOT/../shared/corpus}
CPU_LIMIT=${CPU_LIMIT:-60}
if [ ! -d "$CORPUS" ]; then
    echo "perf-smoke: $CORPUS absent; skipped"
    exit 0
fi
(cd "$ROOT" && cargo build --quiet) || exit 2
BIN=$ROOT/target/debug/cfn-policy-lint
TIMEFORMAT='%R %U %S'
timing=$({ time "$BIN" check --quiet --format concise "$CORPUS" >/dev/null 2>&1; } 2>&1)
read -r wall user sys <<<"$timing"
cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.1f", u + s }')
echo "perf-smoke: shared corpus in ${wall}s wall, ${cpu}s CPU (debug build; limit ${CPU_LIMIT}s CPU)"
if awk -v c="$cpu" -v l="$CPU_LIMIT" 'BEGIN { exit !(c > l) }'; then
    echo "perf-smoke: FAILED: gross slowdown (see README.md \"Performance\")" >&2
    exit 1
fi
