#!/usr/bin/env python3
"""Draw a seeded random sample of findings per rule from a whole-corpus run, for judging.

    scripts/sample-findings.py [--report RUN.json | --bin BINARY] [--corpus DIR]
                               [--seed N] [--per-rule N] [--judgements FILE] [--excerpts]

Runs `BINARY check --format json CORPUS` (default: target/release/cfn-policy-lint on
../shared/corpus), or reads a report written that way, and draws up to N findings of every rule
(default 10) at random. Each rule is drawn with its own generator, seeded with SEED and the
rule's name, from its findings in output order: the sample of one rule does not change when
another rule's findings do, and the same seed on the same findings gives the same sample.

Judgements are kept in a TSV file (default docs/precision-judgements.tsv), one line per judged
finding: `KEY<TAB>VERDICT<TAB>NOTE`, where KEY identifies the finding (rule, path relative to
the corpus, line, column and a digest of the message), VERDICT is `true`, `false` or
`debatable`. The script prints, as Markdown:

- a summary table per rule: findings in the run, sampled, sampled errors, and the verdicts;
- one table per rule of the sampled findings with their key, severity, location, message and
  verdict (`?` where not judged yet);
- with --excerpts, the source lines around each unjudged finding, to judge it.

To extend the review after the rules changed: rerun, judge the findings marked `?` by adding
lines to the judgements file, rerun to print the tables. Every error-severity finding of the
sample must be judged `true`; `--check` exits 1 when one is not (or is unjudged).
"""

import argparse
import collections
import hashlib
import json
import os
import random
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_SEED = 20261206


def finding_key(d, corpus):
    path = os.path.relpath(os.path.abspath(d["path"]), os.path.abspath(corpus))
    digest = hashlib.sha1(d["message"].encode("utf-8")).hexdigest()[:8]
    return f"{d['rule']}|{path}|{d['line']}:{d['column']}|{digest}", path


def load_report(args):
    if args.report:
        with open(args.report, encoding="utf-8") as f:
            return json.load(f)
    out = subprocess.run(
        [args.bin, "check", "--format", "json", "--quiet", args.corpus],
        capture_output=True,
        check=False,
    )
    if out.returncode not in (0, 1):
        sys.stderr.write(out.stderr.decode("utf-8", "replace"))
        raise SystemExit(f"error: {args.bin} exited with {out.returncode}")
    return json.loads(out.stdout)


def load_judgements(path):
    judged = {}
    if not os.path.exists(path):
        return judged
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) < 2 or fields[1] not in ("true", "false", "debatable"):
                raise SystemExit(f"error: {path}:{number}: expected KEY<TAB>true|false|debatable<TAB>NOTE")
            judged[fields[0]] = (fields[1], fields[2] if len(fields) > 2 else "")
    return judged


def sample(diagnostics, seed, per_rule):
    by_rule = collections.defaultdict(list)
    for d in diagnostics:
        by_rule[d["rule"]].append(d)
    drawn = {}
    for rule in sorted(by_rule):
        found = by_rule[rule]
        rng = random.Random(f"{seed}:{rule}")
        picked = rng.sample(range(len(found)), min(per_rule, len(found)))
        drawn[rule] = [found[i] for i in sorted(picked)]
    return by_rule, drawn


def excerpt(path, line, context=2):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return "(file not readable)"
    start, end = max(1, line - context), min(len(lines), line + context)
    return "\n".join(f"{n:5} {'>' if n == line else ' '} {lines[n - 1]}" for n in range(start, end + 1))


def cell(text):
    return text.replace("|", "\\|").replace("\n", " ")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", help="a `check --format json` report of the corpus")
    parser.add_argument("--bin", default=os.path.join(ROOT, "target/release/cfn-policy-lint"))
    parser.add_argument("--corpus", default=os.path.normpath(os.path.join(ROOT, "../shared/corpus")))
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--per-rule", type=int, default=10)
    parser.add_argument("--judgements", default=os.path.join(ROOT, "docs/precision-judgements.tsv"))
    parser.add_argument("--excerpts", action="store_true", help="show the source of unjudged findings")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 when a sampled error is not judged true")
    args = parser.parse_args()

    report = load_report(args)
    judged = load_judgements(args.judgements)
    by_rule, drawn = sample(report["diagnostics"], args.seed, args.per_rule)

    print(f"Seed {args.seed}, up to {args.per_rule} findings per rule, from "
          f"{len(report['diagnostics'])} findings in {report['summary']['files']} files.\n")
    print("| rule | findings | sampled | sampled errors | true | false | debatable | not judged |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    problems = []
    totals = collections.Counter()
    for rule, picked in drawn.items():
        verdicts = collections.Counter()
        errors = 0
        for d in picked:
            key, _ = finding_key(d, args.corpus)
            verdict = judged.get(key, ("?", ""))[0]
            verdicts[verdict] += 1
            if d["severity"] == "error":
                errors += 1
                if verdict != "true":
                    problems.append(f"{key}: error judged {verdict}")
        row = (len(by_rule[rule]), len(picked), errors, verdicts["true"], verdicts["false"],
               verdicts["debatable"], verdicts["?"])
        totals.update(dict(zip(("findings", "sampled", "errors", "true", "false", "debatable", "?"), row)))
        print(f"| `{rule}` | " + " | ".join(str(n) for n in row) + " |")
    print("| **total** | " + " | ".join(str(totals[k]) for k in
          ("findings", "sampled", "errors", "true", "false", "debatable", "?")) + " |")

    for rule, picked in drawn.items():
        print(f"\n### `{rule}`\n")
        print("| finding | severity | verdict | note |")
        print("|---|---|---|---|")
        for d in picked:
            key, path = finding_key(d, args.corpus)
            verdict, note = judged.get(key, ("?", ""))
            print(f"| `{cell(path)}:{d['line']}` {cell(d['message'])} | {d['severity']} | "
                  f"{verdict} | {cell(note)} |")
            if args.excerpts and verdict == "?":
                print(f"\n<!-- key: {key} -->\n```text\n{excerpt(d['path'], d['line'])}\n```\n")
    if args.check and problems:
        sys.stderr.write("\n".join(problems) + "\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
