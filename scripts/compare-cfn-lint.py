#!/usr/bin/env python3
"""Compare the schema rules with cfn-lint 1.58 on the same templates.

Two uses, both reading templates where they lie (nothing is copied into the repository):

    scripts/compare-cfn-lint.py parity     # cfn-lint's own template fixtures
        ../shared/peer-suites/cfn-lint/test/fixtures/templates: recall of cfn-lint's E3002,
        E3003, E3012, E3030, E3006 and E1010 findings (same file, our matching rule, line ±2)
    scripts/compare-cfn-lint.py agreement  # real templates of the shared corpus
        every template of aws-cloudformation-templates/, widdix-aws-cf-templates/ and
        serverless-patterns/: per rule, findings of both tools, only ours, only cfn-lint's

cfn-lint runs from a throwaway virtualenv (CFNLINT_VENV, default /tmp/cfnlint-venv, created with
`pip install cfn-lint==1.58.0` when absent) with `--regions us-east-1`; its JSON output is cached
in --cache (default /tmp/cfn-policy-lint-compare) per input set, since it takes minutes. Ours is
the release binary (`cargo build --release` first). Every unmatched finding is listed in
--out (default: <cache>/<mode>-details.txt) for judging.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(ROOT, "..", "shared")
VERSION = "1.58.0"

# cfn-lint rule → our rule.
MAPPING = {
    "E3006": "unknown-resource-type",
    "E3002": "unknown-property",
    "E3003": "missing-required-property",
    "E3017": "missing-required-property",
    "E3021": "missing-required-property",
    "E3012": "invalid-property-type",
    "E3030": "invalid-property-value",
    "E3031": "invalid-property-value",
    "E3032": "invalid-property-value",
    "E3033": "invalid-property-value",
    "E3034": "invalid-property-value",
    "E1010": "unknown-attribute",
    "E3014": "mutually-exclusive-properties",
    "E3018": "mutually-exclusive-properties",
    "E3020": "mutually-exclusive-properties",
}
RECALL_CODES = ["E3002", "E3003", "E3012", "E3030", "E3006", "E1010"]
# A GetAtt of a resource that does not exist is cfn-lint's E1010 and our undefined-reference.
ALSO_MATCHES = {"E1010": {"undefined-reference"}, "E3014": {"missing-required-property"}}
OURS = ["unknown-resource-type", "unknown-property", "missing-required-property",
        "invalid-property-type", "invalid-property-value", "unknown-attribute",
        "mutually-exclusive-properties"]


def inputs(mode: str) -> tuple[str, list[str]]:
    if mode == "parity":
        base = os.path.join(SHARED, "peer-suites", "cfn-lint", "test", "fixtures")
        root = os.path.join(base, "templates")
        files = []
        for dirpath, _, names in os.walk(root):
            for n in names:
                if n.endswith((".yaml", ".yml", ".json", ".template")):
                    files.append(os.path.relpath(os.path.join(dirpath, n), base))
        return base, sorted(files)
    base = os.path.join(SHARED, "corpus")
    files = []
    for d in ("aws-cloudformation-templates", "widdix-aws-cf-templates", "serverless-patterns"):
        for dirpath, _, names in os.walk(os.path.join(base, d)):
            for n in names:
                if n.endswith((".yaml", ".yml", ".json", ".template")):
                    files.append(os.path.relpath(os.path.join(dirpath, n), base))
    # Only what our discovery takes for a template (the others are CI configs and the like).
    listed = set(open(os.path.join(base, "templates.txt"), encoding="utf-8").read().split("\n"))
    return base, sorted(f for f in files if f in listed)


def cfn_lint(venv: str) -> str:
    exe = os.path.join(venv, "bin", "cfn-lint")
    if not os.path.exists(exe):
        subprocess.check_call([sys.executable, "-m", "venv", venv])
        subprocess.check_call([os.path.join(venv, "bin", "pip"), "install", "--quiet", f"cfn-lint=={VERSION}"])
    return exe


def run_cfn_lint(exe: str, base: str, files: list[str], cache: str) -> list[dict]:
    if os.path.exists(cache):
        with open(cache, encoding="utf-8") as f:
            return json.load(f)
    found: list[dict] = []
    for i in range(0, len(files), 50):
        chunk = files[i : i + 50]
        r = subprocess.run(
            [exe, "--format", "json", "--regions", "us-east-1", "--", *chunk],
            cwd=base, capture_output=True, text=True,
        )
        try:
            found += json.loads(r.stdout or "[]")
        except json.JSONDecodeError:
            # One bad file spoils the batch's JSON: run its files one by one.
            for f in chunk:
                r = subprocess.run([exe, "--format", "json", "--regions", "us-east-1", "--", f],
                                   cwd=base, capture_output=True, text=True)
                try:
                    found += json.loads(r.stdout or "[]")
                except json.JSONDecodeError:
                    pass
        print(f"cfn-lint: {min(i + 50, len(files))}/{len(files)}", file=sys.stderr, flush=True)
    os.makedirs(os.path.dirname(cache), exist_ok=True)
    with open(cache, "w", encoding="utf-8") as f:
        json.dump(found, f)
    return found


def run_ours(base: str, files: list[str]) -> list[dict]:
    exe = os.path.join(ROOT, "target", "release", "cfn-policy-lint")
    out: list[dict] = []
    for i in range(0, len(files), 500):
        r = subprocess.run(
            [exe, "check", "--format", "json", "--select", "schema,undefined-reference", "--", *files[i : i + 500]],
            cwd=base, capture_output=True, text=True,
        )
        out += json.loads(r.stdout)["diagnostics"]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["parity", "agreement"])
    parser.add_argument("--cache", default="/tmp/cfn-policy-lint-compare")
    parser.add_argument("--out")
    args = parser.parse_args()
    base, files = inputs(args.mode)
    if not files:
        print(f"no templates found under {base}", file=sys.stderr)
        return 2
    theirs = run_cfn_lint(cfn_lint(os.environ.get("CFNLINT_VENV", "/tmp/cfnlint-venv")), base, files,
                          os.path.join(args.cache, f"{args.mode}-cfn-lint.json"))
    ours = run_ours(base, files)
    # (file, our rule) → lines
    our_lines: dict[tuple[str, str], list[tuple[int, dict]]] = defaultdict(list)
    for d in ours:
        our_lines[(d["path"], d["rule"])].append((d["line"], d))
    matched_ours: set[int] = set()
    per_rule = defaultdict(lambda: {"both": 0, "only us": 0, "only cfn-lint": 0})
    recall = defaultdict(lambda: [0, 0])
    misses, extras = [], []
    for m in theirs:
        code = m["Rule"]["Id"]
        if code not in MAPPING:
            continue
        path = os.path.relpath(os.path.join(base, m["Filename"]), base) if not os.path.isabs(m["Filename"]) else os.path.relpath(m["Filename"], base)
        line = m["Location"]["Start"]["LineNumber"]
        # The same mistake may be diagnosed by another of our rules (a list where cfn-lint
        # reports an enum, removed Properties where it reports a type): any of ours counts,
        # the rule cfn-lint's maps to first.
        rules = [MAPPING[code], *sorted(ALSO_MATCHES.get(code, set())), *[r for r in OURS if r != MAPPING[code]]]
        hit = None
        for rule in rules:
            for l, d in our_lines.get((path, rule), []):
                if abs(l - line) <= 2:
                    hit = d
                    break
            if hit:
                break
        rule = MAPPING[code]
        if hit is not None:
            matched_ours.add(id(hit))
            per_rule[rule]["both"] += 1
        else:
            per_rule[rule]["only cfn-lint"] += 1
            misses.append(f"{path}:{line}: {code} {m['Message'][:200]}")
        if code in RECALL_CODES:
            recall[code][1] += 1
            recall[code][0] += hit is not None
    for d in ours:
        if d["rule"] in OURS and id(d) not in matched_ours:
            per_rule[d["rule"]]["only us"] += 1
            extras.append(f"{d['path']}:{d['line']}:{d['column']}: {d['rule']} {d['message']}")
    print(f"{len(files)} templates")
    if args.mode == "parity":
        print("\n| cfn-lint rule | cfn-lint findings | also found by us (line ±2) | recall |\n|---|---|---|---|")
        total = [0, 0]
        for code in RECALL_CODES:
            hit, n = recall[code]
            total[0] += hit
            total[1] += n
            print(f"| {code} | {n} | {hit} | {100 * hit / n if n else 100:.1f}% |")
        print(f"| all six | {total[1]} | {total[0]} | {100 * total[0] / max(total[1], 1):.1f}% |")
    print("\n| rule | both | only us | only cfn-lint |\n|---|---|---|---|")
    for rule in OURS:
        c = per_rule[rule]
        print(f"| `{rule}` | {c['both']} | {c['only us']} | {c['only cfn-lint']} |")
    out = args.out or os.path.join(args.cache, f"{args.mode}-details.txt")
    with open(out, "w", encoding="utf-8") as f:
        f.write("## only cfn-lint\n" + "\n".join(sorted(misses)) + "\n\n## only us\n" + "\n".join(sorted(extras)) + "\n")
    print(f"\nunmatched findings: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
