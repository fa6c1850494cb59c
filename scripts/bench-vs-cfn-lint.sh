#!/usr/bin/env bash
# Side-by-side benchmark: cfn-policy-lint against cfn-lint on the same templates.
#
# Cases: (a) one small template, (b) the largest template of the shared corpus, (c) every
# template of aws-cloudformation-templates in one invocation, (s) the same with only the
# resource-schema rules (`--select schema`: the work cfn-lint's E3xxx rules do), (d) the IAM templates listed in
# iam-templates.txt (through `xargs -n $D_CHUNK` for both tools, so both see the same argument lists).
# Runs are interleaved (ours, cfn-lint, ours, …) so that machine noise hits both tools alike.
# Prints a Markdown table: median wall time, peak RSS (max over the repetitions), findings per
# tool and the speed-up.
#
# Usage: scripts/bench-vs-cfn-lint.sh            (from anywhere)
# Environment:
#   CORPUS=path          shared corpus (default: <crate>/../shared/corpus)
#   REPS=5               repetitions for cases a–c
#   REPS_LARGE=1         repetitions for case d (cfn-lint takes minutes there)
#   D_CHUNK=200          files per invocation in case d (both tools)
#   CFNLINT_VENV=dir     virtualenv holding cfn-lint (created when absent; default /tmp/cfnlint-venv)
#   CFNLINT_VERSION=1.58.0
#   CASES="a b c s d"    subset to run
#   SKIP_BUILD=1         use the existing release binary
[ "${BASH_VERSINFO[0]}" -ge 5 ] || { echo "bench: needs bash 5 (EPOCHREALTIME)" >&2; exit 2; }
set -uo pipefail # no -e: both tools exit non-zero when they find something

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CORPUS=${CORPUS:-$ROOT/../shared/corpus}
REPS=${REPS:-5}
REPS_LARGE=${REPS_LARGE:-1}
D_CHUNK=${D_CHUNK:-200}
CFNLINT_VENV=${CFNLINT_VENV:-/tmp/cfnlint-venv}
CFNLINT_VERSION=${CFNLINT_VERSION:-1.58.0}
CASES=${CASES:-a b c s d}
OURS=$ROOT/target/release/cfn-policy-lint
SMALL=$ROOT/fixtures/tutorial/policy-corrected.yaml
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

die() { echo "bench: $*" >&2; exit 2; }
note() { echo "bench: $*" >&2; }

[ -d "$CORPUS" ] || die "corpus not found at $CORPUS (set CORPUS=…)"
command -v python3 >/dev/null || die "python3 is needed (for cfn-lint and for counting findings)"

if [ ! -x /usr/bin/time ]; then
    note "installing GNU time (peak RSS)"
    if [ "$(id -u)" = 0 ]; then apt-get install -y -qq time >/dev/null; else sudo apt-get install -y -qq time >/dev/null; fi
    [ -x /usr/bin/time ] || die "GNU time (/usr/bin/time) is required for peak RSS"
fi

if [ -z "${SKIP_BUILD:-}" ]; then
    note "building the release binary"
    (cd "$ROOT" && cargo build --release --quiet) || die "release build failed"
fi
[ -x "$OURS" ] || die "no release binary at $OURS"

CFNLINT=$CFNLINT_VENV/bin/cfn-lint
if [ ! -x "$CFNLINT" ]; then
    note "creating $CFNLINT_VENV with cfn-lint $CFNLINT_VERSION"
    python3 -m venv "$CFNLINT_VENV" || die "python3 -m venv failed (apt-get install python3-venv?)"
    "$CFNLINT_VENV/bin/pip" install --quiet "cfn-lint==$CFNLINT_VERSION" || die "pip install cfn-lint failed"
fi
# The first run compiles cfn-lint's bytecode and caches its schemas: not what we want to time.
"$CFNLINT" --format parseable "$SMALL" >/dev/null 2>&1

# --- inputs --------------------------------------------------------------------------------
largest=$(cd "$CORPUS" && xargs -a templates.txt -d '\n' stat -c '%s %n' | sort -n | tail -n 1 | cut -d' ' -f2-)
(cd "$CORPUS" && find aws-cloudformation-templates -type f \
    \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' -o -name '*.template' \) | sort) \
    >"$WORK/c-files.txt"
cp "$CORPUS/iam-templates.txt" "$WORK/d-files.txt"
cd "$CORPUS" || die "cannot enter $CORPUS"

# --- measuring -----------------------------------------------------------------------------
# measure LABEL CMD… : one run (from inside the corpus); appends "seconds kib" to $WORK/LABEL.runs
# and keeps the last run's stdout in $WORK/LABEL.out.
measure() {
    local label=$1
    shift
    local start end
    # EPOCHREALTIME needs no fork, so only GNU time's own fork+exec (~0.5 ms) is added.
    start=${EPOCHREALTIME/[.,]/}
    /usr/bin/time -f '%M %U %S' -o "$WORK/$label.rss" "$@" >"$WORK/$label.out" 2>"$WORK/$label.err"
    end=${EPOCHREALTIME/[.,]/}
    # seconds-in-µs, peak KiB, CPU µs (user+sys; less disturbed by a busy machine than wall time)
    echo "$((end - start)) $(tail -n 1 "$WORK/$label.rss" | awk '{printf "%d %d", $1, ($2 + $3) * 1e6}')" >>"$WORK/$label.runs"
}

median_us() { awk -v c="${2:-1}" '{print $c}' "$1" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2))}'; }
max_rss() { awk 'BEGIN{m=0} $2+0>m {m=$2+0} END {print m}' "$1"; }

# Findings of ours: the JSON summary (xargs may have produced several objects).
count_ours() {
    python3 - "$1" <<'EOF'
import json, sys
text = open(sys.argv[1], encoding="utf-8").read()
dec, i, n = json.JSONDecoder(), 0, 0
while True:
    while i < len(text) and text[i].isspace():
        i += 1
    if i >= len(text):
        break
    obj, i = dec.raw_decode(text, i)
    s = obj["summary"]
    n += s["errors"] + s["warnings"] + s["infos"]
print(n)
EOF
}
count_cfnlint() { grep -c . "$1" || true; }

fmt_time() {
    awk -v us="$1" 'BEGIN { if (us < 1000000) printf "%.1f ms", us/1000; else printf "%.2f s", us/1e6 }'
}
# GNU time counts CPU in 10 ms steps.
fmt_cpu() { if [ "$1" -lt 10000 ]; then echo "< 10 ms"; else fmt_time "$1"; fi; }
fmt_rss() { awk -v k="$1" 'BEGIN { printf "%.1f MB", k/1024 }'; }

run_case() {
    local id=$1 reps=$2 files=$3
    shift 3
    local ours_cmd cfn_cmd
    case $id in
    a)
        ours_cmd=("$OURS" check --format json "$SMALL")
        cfn_cmd=("$CFNLINT" --format parseable "$SMALL")
        ;;
    b)
        ours_cmd=("$OURS" check --format json "$largest")
        cfn_cmd=("$CFNLINT" --format parseable "$largest")
        ;;
    c)
        ours_cmd=("$OURS" check --format json aws-cloudformation-templates)
        cfn_cmd=(xargs -a "$WORK/c-files.txt" -d '\n' "$CFNLINT" --format parseable)
        ;;
    s)
        ours_cmd=("$OURS" check --format json --select schema aws-cloudformation-templates)
        cfn_cmd=(xargs -a "$WORK/c-files.txt" -d '\n' "$CFNLINT" --format parseable)
        ;;
    d)
        # Chunks of D_CHUNK files, the same for both tools: cfn-lint 1.58 crashes on one of
        # these templates (a SAM template whose `Parameters:` is empty) and then prints nothing
        # for any file of that invocation; chunking confines the loss to one chunk.
        ours_cmd=(xargs -n "$D_CHUNK" -a "$WORK/d-files.txt" -d '\n' "$OURS" check --format json)
        cfn_cmd=(xargs -n "$D_CHUNK" -a "$WORK/d-files.txt" -d '\n' "$CFNLINT" --format parseable)
        ;;
    esac
    note "case $id: $reps repetition(s)"
    for ((r = 0; r < reps; r++)); do
        measure "$id-ours" "${ours_cmd[@]}"
        measure "$id-cfnlint" "${cfn_cmd[@]}"
    done
    # A crash in either tool would silently lower its findings count: show what it said.
    for tool in ours cfnlint; do
        if [ -s "$WORK/$id-$tool.err" ]; then
            note "case $id, $tool wrote to stderr (last run): $(tail -c 400 "$WORK/$id-$tool.err" | tr '\n' ' ')"
        fi
    done
    local ours_us cfn_us
    ours_us=$(median_us "$WORK/$id-ours.runs")
    cfn_us=$(median_us "$WORK/$id-cfnlint.runs")
    local ratio
    ratio=$(awk -v a="$cfn_us" -v b="$ours_us" 'BEGIN { printf "%.0f×", (b > 0 ? a / b : 0) }')
    # CPU speed-up, printed under the table (GNU time counts CPU in 10 ms steps).
    CPU_RATIOS+=("$id: $(awk -v a="$(median_us "$WORK/$id-cfnlint.runs" 3)" -v b="$(median_us "$WORK/$id-ours.runs" 3)" \
        'BEGIN { if (b > 0) printf "%.0f×", a / b; else printf "> %.0f× (ours under 10 ms)", a / 10000 }')")
    printf '| %s | %s | cfn-policy-lint | %s | %s | %s | %s | %s |\n' "$id" "$files" \
        "$(fmt_time "$ours_us")" "$(fmt_cpu "$(median_us "$WORK/$id-ours.runs" 3)")" "$(fmt_rss "$(max_rss "$WORK/$id-ours.runs")")" \
        "$(count_ours "$WORK/$id-ours.out")" "$ratio"
    printf '| %s | %s | cfn-lint %s | %s | %s | %s | %s | 1× |\n' "$id" "$files" "$CFNLINT_VERSION" \
        "$(fmt_time "$cfn_us")" "$(fmt_cpu "$(median_us "$WORK/$id-cfnlint.runs" 3)")" "$(fmt_rss "$(max_rss "$WORK/$id-cfnlint.runs")")" \
        "$(count_cfnlint "$WORK/$id-cfnlint.out")"
}

cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
echo "Measured $(date -u +%Y-%m-%d) on $(nproc) × ${cpu:-unknown CPU}, $(uname -sr);"
echo "cfn-policy-lint $("$OURS" --version | awk '{print $2}') ($(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?')), $("$CFNLINT" --version)."
echo "Median wall and CPU (user+sys) time of $REPS runs ($REPS_LARGE for d), interleaved; peak RSS is the largest seen;"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)."

echo
CPU_RATIOS=()
echo '| case | templates | tool | median wall | median CPU | peak RSS | findings | wall speed-up |'
echo '|---|---|---|---|---|---|---|---|'
for id in $CASES; do
    case $id in
    a) run_case a "$REPS" "1 small (tutorial, corrected)" ;;
    b) run_case b "$REPS" "1 largest ($(wc -c <"$CORPUS/$largest" | tr -d ' ') B)" ;;
    c) run_case c "$REPS" "$(wc -l <"$WORK/c-files.txt" | tr -d ' ') (aws-cloudformation-templates)" ;;
    s) run_case s "$REPS" "$(wc -l <"$WORK/c-files.txt" | tr -d ' ') (as c, ours with \`--select schema\`)" ;;
    d) run_case d "$REPS_LARGE" "$(wc -l <"$WORK/d-files.txt" | tr -d ' ') (iam-templates.txt, $D_CHUNK per invocation)" ;;
    *) die "unknown case $id" ;;
    esac
done
echo
echo "CPU time speed-up (cfn-lint's median CPU / ours): ${CPU_RATIOS[*]}"
