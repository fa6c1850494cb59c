#!/usr/bin/env python3
"""Compare two `cfn-policy-lint check --format json` reports of the same files, rule by rule.

    scripts/compare-findings.py BEFORE.json AFTER.json [--list RULE ...] [--markdown]

Prints a table of the findings per rule and severity before and after, then (with `--list`)
every finding of the named rules that was removed, added or changed severity, as
`path:line:col severity message`, so each one can be judged. A finding is the same when its
path, rule, position and message are; a changed message counts as removed and added.
Used for the corpus reviews in docs/precision.md.
"""

import argparse
import collections
import json
import sys


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def key(d):
    return (d["path"], d["rule"], d["line"], d["column"], d["message"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--list", nargs="*", default=[], metavar="RULE",
                        help="list the removed, added and re-graded findings of these rules ('all' for every rule)")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument("--strip", default="", help="prefix to remove from paths when listing")
    args = parser.parse_args()
    before, after = load(args.before), load(args.after)
    count_b = collections.Counter((d["rule"], d["severity"]) for d in before["diagnostics"])
    count_a = collections.Counter((d["rule"], d["severity"]) for d in after["diagnostics"])
    rules = sorted({r for r, _ in count_b} | {r for r, _ in count_a})
    rows = []
    for rule in rules:
        for sev in ("error", "warning", "info"):
            b, a = count_b[(rule, sev)], count_a[(rule, sev)]
            if b or a:
                rows.append((rule, sev, b, a))
    if args.markdown:
        print("| rule | severity | before | after | change |")
        print("|---|---|---:|---:|---:|")
        for rule, sev, b, a in rows:
            print(f"| `{rule}` | {sev} | {b} | {a} | {a - b:+d} |")
        tb, ta = len(before["diagnostics"]), len(after["diagnostics"])
        print(f"| **total** | | {tb} | {ta} | {ta - tb:+d} |")
    else:
        for rule, sev, b, a in rows:
            mark = "" if a == b else f"  ({a - b:+d})"
            print(f"{rule:32} {sev:8} {b:6} -> {a:6}{mark}")
    wanted = set(args.list)
    if not wanted:
        return 0
    by_b = {key(d): d for d in before["diagnostics"]}
    by_a = {key(d): d for d in after["diagnostics"]}

    def show(d):
        path = d["path"].removeprefix(args.strip)
        return f"{path}:{d['line']}:{d['column']} {d['severity']} {d['message']}"

    for rule in rules:
        if "all" not in wanted and rule not in wanted:
            continue
        removed = [d for k, d in by_b.items() if k[1] == rule and k not in by_a]
        added = [d for k, d in by_a.items() if k[1] == rule and k not in by_b]
        regraded = [(by_b[k], d) for k, d in by_a.items()
                    if k[1] == rule and k in by_b and by_b[k]["severity"] != d["severity"]]
        if not (removed or added or regraded):
            continue
        print(f"\n## {rule}: {len(removed)} removed, {len(added)} added, {len(regraded)} re-graded")
        for d in removed:
            print("- " + show(d))
        for d in added:
            print("+ " + show(d))
        for b, a in regraded:
            print(f"~ {show(a)} (was {b['severity']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
