#!/usr/bin/env bash
# Recall against cfn-lint's own template fixtures: of the IAM findings cfn-lint 1.58 makes on
# ../shared/peer-suites/cfn-lint/test/fixtures/templates (E3510 identity policy, E3512 resource
# policy, E3513 ECR repository policy, E3514 S3 bucket policy resource, E3530 trust policy,
# W2511 old policy version, W3037 unknown action, I3510 action without a matching resource),
# how many does cfn-policy-lint find too? Prints a Markdown table per rule ID and every miss.
#
# The fixtures are read where they are (MIT-0, never copied into this repository). cfn-lint is
# installed into a throwaway virtualenv unless CFNLINT_VENV names one that has it.
#
# Matching. cfn-lint reports some mistakes more than once (one message per JSON-schema branch,
# at the same place): its findings are counted once per (file, span, rule ID). One of ours
# matches a cfn-lint finding when it is in the same file, is a rule that reports that kind of
# mistake (the table KINDS below), and its span or one of its labels lies within the lines
# cfn-lint points at, or within the YAML/JSON block under the key cfn-lint points at (cfn-lint
# often points at the key `Action` where we point at the item inside it).
#
# Usage: scripts/peer-recall.sh [--min PERCENT] [--matches]
#   --min PERCENT   fail (exit 1) below this overall recall (default 95), or on a miss whose reason
#                   is not recorded in KNOWN_MISSES below
#   --matches       also list, for every finding found, the finding of ours that matched it
# Environment:
#   SUITE=dir            the fixtures (default <crate>/../shared/peer-suites/cfn-lint/test/fixtures/templates)
#   CFNLINT_VENV=dir     an existing virtualenv with cfn-lint 1.58.0 (default: a temporary one)
#   CFNLINT_VERSION=1.58.0
#   SKIP_BUILD=1         use the existing release binary
#   OURS=path            the cfn-policy-lint binary to measure (implies SKIP_BUILD)
set -uo pipefail # no -e: both tools exit non-zero when they find something

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SUITE=${SUITE:-$ROOT/../shared/peer-suites/cfn-lint/test/fixtures/templates}
CFNLINT_VERSION=${CFNLINT_VERSION:-1.58.0}
die() { echo "peer-recall: $*" >&2; exit 2; }
note() { echo "peer-recall: $*" >&2; }
MIN=95
MATCHES=0
while [ $# -gt 0 ]; do
    case $1 in
        --min) MIN=${2:?--min needs a percentage}; shift 2 ;;
        --matches) MATCHES=1; shift ;;
        *) die "unknown argument $1" ;;
    esac
done
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

[ -d "$SUITE" ] || die "cfn-lint's fixtures not found at $SUITE (set SUITE=…)"
command -v python3 >/dev/null || die "python3 is needed"

if [ -n "${CFNLINT_VENV:-}" ]; then
    VENV=$CFNLINT_VENV
else
    VENV=$WORK/venv
fi
CFNLINT=$VENV/bin/cfn-lint
if [ ! -x "$CFNLINT" ]; then
    note "installing cfn-lint $CFNLINT_VERSION into $VENV"
    python3 -m venv "$VENV" || die "python3 -m venv failed (apt-get install python3-venv?)"
    "$VENV/bin/pip" install --quiet "cfn-lint==$CFNLINT_VERSION" || die "pip install cfn-lint failed"
fi
"$CFNLINT" --version | grep -q "$CFNLINT_VERSION" || die "$CFNLINT is not cfn-lint $CFNLINT_VERSION"

if [ -z "${SKIP_BUILD:-}" ] && [ -z "${OURS:-}" ]; then
    note "building the release binary"
    (cd "$ROOT" && cargo build --release --quiet) || die "release build failed"
fi
OURS=${OURS:-$ROOT/target/release/cfn-policy-lint}
[ -x "$OURS" ] || die "no binary at $OURS"

cd "$SUITE" || die "cannot enter $SUITE"
find . -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' -o -name '*.template' \) \
    | sed 's|^\./||' | sort >"$WORK/files.txt"
note "$(wc -l <"$WORK/files.txt") fixture templates"

note "running cfn-lint (a minute or two)"
# In chunks, so that one template cfn-lint cannot read costs only its chunk.
xargs -a "$WORK/files.txt" -d '\n' -n 40 "$CFNLINT" --include-checks I --format parseable -- \
    >"$WORK/cfnlint.txt" 2>"$WORK/cfnlint.err"

note "running cfn-policy-lint"
xargs -a "$WORK/files.txt" -d '\n' "$OURS" check --format json --fail-on error \
    >"$WORK/ours.json" 2>"$WORK/ours.err"

python3 - "$WORK/cfnlint.txt" "$WORK/ours.json" "$MIN" "$MATCHES" <<'PY'
import json, re, sys
from collections import defaultdict

cfnlint_path, ours_path, minimum = sys.argv[1], sys.argv[2], float(sys.argv[3])
show_matches = sys.argv[4] == "1"
IDS = ["E3510", "E3512", "E3513", "E3530", "E3514", "W2511", "W3037", "I3510"]

# Which of our rules report the kind of mistake a cfn-lint message is about.
STRUCTURE = {"missing-policy-element", "conflicting-policy-elements", "malformed-policy"}
KINDS = [
    (r"is a required property|Only one of|should be non-empty|is too short", STRUCTURE),
    (r"Additional properties are not allowed",
     {"invalid-policy-element", "principal-in-identity-policy", "invalid-principal"}),
    (r"is not one of \['2008-10-17', '2012-10-17'\]", {"invalid-policy-version"}),
    (r"is not one of \['Allow', 'Deny'\]", {"invalid-effect"}),
    (r"is not of type", {"malformed-policy"}),
    (r"was expected|is not valid under any of the given schemas",
     {"malformed-policy", "invalid-principal"}),
    (r"does not match", {"invalid-arn", "invalid-principal", "invalid-action", "malformed-policy"}),
]
BY_ID = {
    "W2511": {"legacy-policy-version"},
    "W3037": {"unknown-action", "unknown-service", "invalid-action", "action-pattern-matches-nothing"},
    "I3510": {"resource-scope-mismatch", "invalid-arn"},
    "E3514": {"resource-policy-mismatch", "invalid-arn"},
}

def expected_rules(rule_id, message):
    if rule_id in BY_ID:
        return BY_ID[rule_id]
    for pattern, rules in KINDS:
        if re.search(pattern, message):
            return rules
    return None  # any IAM rule

# Why each finding we do not match is not found (file, line, rule ID) -> reason.
KNOWN_MISSES = {
    ("good/functions/sub_needed_custom_excludes.yaml", 17, "E3530"):
        "Serverless Framework variables (`${self:custom…}`): a template for a preprocessor, "
        "which cfn-policy-lint deliberately does not judge (cfn-lint's own test runs this "
        "fixture with these checks excluded)",
}

findings = {}
line_re = re.compile(r"^(.*?):(\d+):(\d+):(\d+):(\d+):([EWI]\d{4}):(.*)$")
for line in open(cfnlint_path, encoding="utf-8"):
    m = line_re.match(line.rstrip("\n"))
    if not m or m.group(6) not in IDS:
        continue
    f, l1, c1, l2, c2, rid, msg = m.groups()
    key = (f, int(l1), int(c1), int(l2), int(c2), rid)
    findings.setdefault(key, msg)

report = json.load(open(ours_path, encoding="utf-8"))
ours = defaultdict(list)
for d in report["diagnostics"]:
    if not d["code"].startswith("I"):
        continue
    ranges = [(d["line"], d["end_line"])] + [(l["line"], l["end_line"]) for l in d["labels"]]
    ours[d["path"]].append((d["rule"], ranges, d["line"]))

texts = {}
def block_end(path, line, column):
    """Last line of the block under the key at (line, column): the lines after it that are
    indented deeper than the key, or are items of a list written at the key's indentation."""
    if path not in texts:
        try:
            texts[path] = open(path, encoding="utf-8").read().split("\n")
        except OSError:
            texts[path] = []
    lines, end = texts[path], line
    for i in range(line, len(lines)):  # 0-based index i is line i + 1
        text = lines[i]
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        indent = len(text) - len(text.lstrip(" "))
        # A YAML list may sit at its key's own indentation (`Key:` then `- item`).
        if indent == column - 1 and text.lstrip().startswith("- "):
            end = i + 1
            continue
        if indent < column:
            if text.lstrip()[:1] in "]}":  # a JSON value's closing bracket
                end = i + 1
            break
        end = i + 1
    return end

per_id = {rid: [0, 0] for rid in IDS}
misses, matched = [], []
for (f, l1, c1, l2, c2, rid), msg in sorted(findings.items()):
    lo, hi = l1, max(l2, block_end(f, l1, c1))
    wanted = expected_rules(rid, msg)
    found = [
        (rule, at)
        for rule, ranges, at in ours.get(f, [])
        if (wanted is None or rule in wanted) and any(a <= hi and b >= lo for a, b in ranges)
    ]
    per_id[rid][0] += 1
    if found:
        per_id[rid][1] += 1
        matched.append((f, l1, rid, msg, found[0]))
    else:
        misses.append((f, l1, rid, msg))

print("| cfn-lint rule | findings | found by cfn-policy-lint | recall |")
print("|---|---:|---:|---:|")
total = found_total = 0
for rid in IDS:
    n, k = per_id[rid]
    total, found_total = total + n, found_total + k
    recall = f"{100 * k / n:.0f}%" if n else "–"
    print(f"| {rid} | {n} | {k} | {recall} |")
overall = 100 * found_total / total if total else 100.0
print(f"| **all** | **{total}** | **{found_total}** | **{overall:.1f}%** |")
print()
if show_matches:
    print("Found:")
    print()
    for f, line, rid, msg, (rule, at) in matched:
        short = msg if len(msg) <= 90 else msg[:87] + "…"
        print(f"- `{f}:{line}` {rid} “{short}” → `{rule}` at line {at}")
    print()
unexplained = 0
if misses:
    print("Misses:")
    print()
    for f, line, rid, msg in misses:
        reason = KNOWN_MISSES.get((f, line, rid))
        if reason is None:
            unexplained += 1
            reason = "UNEXPLAINED"
        short = msg if len(msg) <= 120 else msg[:117] + "…"
        print(f"- `{f}:{line}` {rid} “{short}” — {reason}")
if overall < minimum or unexplained:
    print(f"\npeer-recall: recall {overall:.1f}% (minimum {minimum}%), {unexplained} unexplained misses",
          file=sys.stderr)
    sys.exit(1)
PY
