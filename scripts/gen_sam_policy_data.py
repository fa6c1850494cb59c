#!/usr/bin/env python3
"""Generate rules/wiring/ (the policies AWS SAM generates) from the pinned aws-sam-translator.

Source: PyPI `aws-sam-translator` (the SAM transform, Apache-2.0), at the version pinned in
rules/data-inputs.lock. Its wheel is downloaded with `pip download --no-deps` into a temp dir and
its digest checked against the lock (scripts/datainputs.py); the two data files are read straight
out of the wheel (a zip file). Nothing is installed and none of its code runs.

Output, in --wiring-dir (default rules/wiring, or the `wiring` sibling of --iam-dir):

* `sam-policy-templates.json`, from `samtranslator/policy_templates_data/policy_templates.json`:
  every SAM policy template (`SQSPollerPolicy`, `DynamoDBCrudPolicy`…) with its parameter names
  and its statements as SAM writes them (Effect, Action, Resource, Condition as CloudFormation
  values). Descriptions are left out.
* `sam-connector-profiles.json`, from `samtranslator/model/connector_profiles/profiles.json`:
  the `AWS::Serverless::Connector` profiles, source type -> destination type -> how SAM grants
  the access (`Type`: an IAM managed policy on a role, a queue or topic policy, a Lambda
  permission), on which side (`SourcePolicy`), the permission combinations it accepts, and per
  access category (`Read`, `Write`) what it grants, with the `%{Destination.Arn}`-style
  placeholders kept. Access categories are written as a list, in the source's order (the order
  SAM emits their statements in). Then `resources`, from `CfnResourceProperties`: for each type a
  connector end may be, what an `Id` reference stands for (`outputs`: `Arn`, `Name`, `Id`,
  `Qualifier`, `Url` as CloudFormation values with `%{logicalId}`) and which property names its
  role (`role`). `_comment` and `DependedBy` are left out.
* `LICENSES/aws-sam-translator.txt`: the package's LICENSE and NOTICE (not embedded).

Each JSON file starts with a `header` object: the generator, the source package and version,
the file it was read from, and the licence. There is no date in them, so a regeneration from the
same version gives byte-identical files.

Usage: python3 scripts/gen_sam_policy_data.py [--wiring-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import datainputs  # noqa: E402

PACKAGE = "aws-sam-translator"
LICENCE = "Apache-2.0"
DEFAULT_WIRING_DIR = os.path.join(datainputs.ROOT, "rules", "wiring")
TEMPLATES_IN = "samtranslator/policy_templates_data/policy_templates.json"
PROFILES_IN = "samtranslator/model/connector_profiles/profiles.json"
STATEMENT_KEYS = ("Effect", "Action", "NotAction", "Resource", "NotResource", "Condition")


def header(version: str, path: str) -> dict:
    return {
        "generator": "scripts/gen_sam_policy_data.py",
        "source": f"PyPI {PACKAGE} {version}",
        "file": path,
        "licence": LICENCE,
    }


def templates(data: dict) -> dict:
    out = {}
    for name, template in sorted(data["Templates"].items()):
        statements = template["Definition"]["Statement"]
        if isinstance(statements, dict):
            statements = [statements]
        out[name] = {
            "parameters": sorted(template.get("Parameters", {})),
            "statements": [{k: s[k] for k in STATEMENT_KEYS if k in s} for s in statements],
        }
    if len(out) < 50:
        raise SystemExit(f"error: {TEMPLATES_IN} holds only {len(out)} templates; a broken source?")
    return out


def resources(data: dict) -> dict:
    out = {}
    for type_name, props in sorted(data["CfnResourceProperties"].items()):
        entry = {"outputs": props.get("Outputs", {})}
        if "Role" in props.get("Inputs", {}):
            entry["role"] = props["Inputs"]["Role"]
        out[type_name] = entry
    return out


def profiles(data: dict) -> dict:
    out: dict = {}
    count = 0
    for source, destinations in sorted(data["Permissions"].items()):
        for destination, profile in sorted(destinations.items()):
            props = profile["Properties"]
            entry = {
                "type": profile["Type"],
                "source_policy": bool(props["SourcePolicy"]),
                "categories": [[name, grant] for name, grant in props["AccessCategories"].items()],
            }
            if "ValidAccessCategories" in props:
                entry["valid"] = props["ValidAccessCategories"]
            out.setdefault(source, {})[destination] = entry
            count += 1
    if count < 20:
        raise SystemExit(f"error: {PROFILES_IN} holds only {count} profiles; a broken source?")
    return out


def write_json(path: str, value: dict) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        # One top-level key per line keeps diffs of a refresh readable; the rest is compact.
        f.write("{\n")
        items = list(value.items())
        for i, (key, item) in enumerate(items):
            if key == "header":
                text = json.dumps(item, separators=(",", ":"), ensure_ascii=False)
                f.write(f'"header":{text}')
            else:
                f.write(f"{json.dumps(key)}:{{\n")
                inner = list(item.items())
                for j, (k, v) in enumerate(inner):
                    text = json.dumps(v, separators=(",", ":"), ensure_ascii=False)
                    f.write(f"{json.dumps(k)}:{text}" + (",\n" if j + 1 < len(inner) else "\n"))
                f.write("}")
            f.write(",\n" if i + 1 < len(items) else "\n")
        f.write("}\n")
    with open(path, encoding="utf-8") as f:
        json.load(f)  # the file must parse


def main() -> None:
    parser = argparse.ArgumentParser(description="Generate the SAM policy data in rules/wiring/.")
    parser.add_argument("--wiring-dir", default=DEFAULT_WIRING_DIR, help="output folder (default: rules/wiring)")
    parser.add_argument("--iam-dir", help=argparse.SUPPRESS)  # scripts/refresh-data passes it to every generator
    args = parser.parse_args()
    if args.iam_dir and args.wiring_dir == DEFAULT_WIRING_DIR:
        args.wiring_dir = os.path.join(os.path.dirname(os.path.abspath(args.iam_dir)), "wiring")
    with tempfile.TemporaryDirectory(prefix="cfn-policy-lint-sam-") as tmp:
        wheel, version = datainputs.fetch_pypi_wheel(PACKAGE, tmp)
        with zipfile.ZipFile(wheel) as z:
            names = z.namelist()
            template_data = json.loads(z.read(TEMPLATES_IN))
            profile_data = json.loads(z.read(PROFILES_IN))
            licence_files = sorted(
                n for n in names
                if ".dist-info/" in n and os.path.basename(n).upper() in ("LICENSE", "NOTICE")
            )
            licence_text = "\n\n".join(z.read(n).decode("utf-8") for n in licence_files)
    if not licence_text:
        raise SystemExit(f"error: the {PACKAGE} wheel has no LICENSE file")
    os.makedirs(os.path.join(args.wiring_dir, "LICENSES"), exist_ok=True)
    tpl = templates(template_data)
    prof = profiles(profile_data)
    write_json(
        os.path.join(args.wiring_dir, "sam-policy-templates.json"),
        {"header": header(version, TEMPLATES_IN), "templates": tpl},
    )
    write_json(
        os.path.join(args.wiring_dir, "sam-connector-profiles.json"),
        {"header": header(version, PROFILES_IN), "profiles": prof, "resources": resources(profile_data)},
    )
    with open(os.path.join(args.wiring_dir, "LICENSES", "aws-sam-translator.txt"), "w", encoding="utf-8") as f:
        f.write(licence_text.rstrip("\n") + "\n")
    print(
        f"wrote {datainputs.shown(args.wiring_dir)}: {len(tpl)} policy templates, "
        f"{sum(len(d) for d in prof.values())} connector profiles ({PACKAGE} {version})"
    )


if __name__ == "__main__":
    main()
