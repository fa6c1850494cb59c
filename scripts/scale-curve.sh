#!/usr/bin/env bash
# Scale check: a synthetic repository of 10,000 templates (scripts/gen-stress.py repo, in a temp
# dir), checked at 1k/2k/5k/10k templates on all cores and on one (RAYON_NUM_THREADS=1), plus
# the stress template at CloudFormation's limits. Prints a Markdown table (median of REPS runs,
# peak RSS the largest seen). Time and memory should grow linearly with the template count.
#
# Usage: scripts/scale-curve.sh      Environment: REPS=3, SKIP_BUILD=1, SIZES="1000 2000 5000 10000"
set -uo pipefail # no -e: findings make the linter exit 1

ROOT=$(cd "$(dirname "$0")/.." && pwd)
REPS=${REPS:-3}
SIZES=${SIZES:-1000 2000 5000 10000}
BIN=$ROOT/target/release/cfn-policy-lint
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

[ -x /usr/bin/time ] || { echo "scale: GNU time (/usr/bin/time) is required" >&2; exit 2; }
if [ -z "${SKIP_BUILD:-}" ]; then
    (cd "$ROOT" && cargo build --release --quiet) || exit 2
fi

max=0
for n in $SIZES; do ((n > max)) && max=$n; done
echo "scale: generating $max templates" >&2
python3 "$ROOT/scripts/gen-stress.py" repo "$WORK/repo" "$max" || exit 2
python3 "$ROOT/scripts/gen-stress.py" template "$WORK/stress.yaml" || exit 2

# one_run THREADS PATHS… → "wall-µs KiB findings cpu-µs"
one_run() {
    local threads=$1
    shift
    local start end
    start=${EPOCHREALTIME/[.,]/}
    RAYON_NUM_THREADS=$threads /usr/bin/time -f '%M %U %S' -o "$WORK/rss" "$BIN" check --format concise --quiet "$@" >"$WORK/out" 2>/dev/null
    end=${EPOCHREALTIME/[.,]/}
    read -r kib user sys <<<"$(tail -n 1 "$WORK/rss")"
    echo "$((end - start)) $kib $(grep -c . "$WORK/out") $(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%d", (u + s) * 1e6}')"
}

# measure THREADS PATHS… → "median-wall-µs max-KiB findings median-cpu-µs"
measure() {
    local runs=()
    for ((r = 0; r < REPS; r++)); do runs+=("$(one_run "$@")"); done
    local cpu
    cpu=$(printf '%s\n' "${runs[@]}" | awk '{print $4}' | sort -n | awk '{c[NR]=$1} END {print c[int((NR+1)/2)]}')
    printf '%s\n' "${runs[@]}" | sort -n | awk -v cpu="$cpu" '{t[NR]=$1; if ($2>m) m=$2; f=$3} END {
        med=(NR%2 ? t[(NR+1)/2] : (t[NR/2]+t[NR/2+1])/2); print int(med), m, f, cpu }'
}

fmt() { awk -v us="$1" -v k="$2" -v c="$3" 'BEGIN { printf "%.2f s, %.2f s CPU, %.1f MB", us/1e6, c/1e6, k/1024 }'; }

cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
echo "Measured $(date -u +%Y-%m-%d) on $(nproc) × ${cpu:-unknown CPU}; load average $(cut -d' ' -f1-3 /proc/loadavg); median of $REPS."
echo
echo "| input | bytes | findings | all cores: wall, CPU, peak RSS | 1 thread: wall, CPU, peak RSS | CPU µs per template |"
echo "|---|---|---|---|---|---|"
read -r t m f c <<<"$(measure 0 "$WORK/stress.yaml")"
read -r t1 m1 _ c1 <<<"$(measure 1 "$WORK/stress.yaml")"
echo "| stress template (500 resources, 200 parameters) | $(wc -c <"$WORK/stress.yaml") | $f | $(fmt "$t" "$m" "$c") | $(fmt "$t1" "$m1" "$c1") | – |"
for n in $SIZES; do
    parts=()
    for ((p = 0; p < n / 1000; p++)); do parts+=("$WORK/repo/$(printf 'part-%02d' "$p")"); done
    bytes=$(find "${parts[@]}" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
    read -r t m f c <<<"$(measure 0 "${parts[@]}")"
    read -r t1 m1 _ c1 <<<"$(measure 1 "${parts[@]}")"
    echo "| $n templates | $bytes | $f | $(fmt "$t" "$m" "$c") | $(fmt "$t1" "$m1" "$c1") | $((c / n)) |"
done
