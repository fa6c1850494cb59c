#!/usr/bin/env bash
# The GitHub Action (action.yml) run here, step by step, as the runner would run its `bash`
# steps: `${{ inputs.* }}`, `${{ github.action_* }}` and `${{ steps.*.outputs.* }}` are filled
# in, GITHUB_OUTPUT and GITHUB_PATH are files, and the install step installs the wheel from
# WHEEL_DIR (pip with no index: this build, as `install: wheel` at tag v<version> would). The
# upload to code scanning needs GitHub and is not run; the SARIF it would upload is checked.
#
# Cases: a repository with a tab-indented template (exit-code 1, SARIF results, `::error`
# annotations, the action fails), a clean one (exit-code 0, the action passes), and `args`
# reaching `check` (`--fail-on error` on a template with warnings only: exit-code 0).
# WHEEL_DIR: a folder holding the wheel (scripts/test-wheel.sh leaves one); without it,
# scripts/test-wheel.sh builds one first.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$ROOT/Cargo.toml" | head -n 1)

passed=0
failed=0
say() { echo "test-action: $*"; }

python3 -m venv "$work/py"
if ! err=$("$work/py/bin/python" -m pip install --quiet "PyYAML>=6" 2>&1); then
    say "SKIPPED: PyYAML could not be installed from PyPI:"
    printf '%s\n' "$err" | tail -n 3 | sed 's/^/    /'
    say "0 passed, 0 failed, 3 skipped"
    exit 0
fi
wheels=${WHEEL_DIR:-}
if [ -z "$wheels" ] || ! compgen -G "$wheels/cfn_policy_lint-$version-*.whl" >/dev/null; then
    wheels=${wheels:-$work/wheels}
    WHEEL_DIR=$wheels "$ROOT/scripts/test-wheel.sh" >/dev/null
fi

# run_action DIR INPUTS_JSON: runs action.yml's bash steps in DIR; prints the outputs as
# `name=value` lines, the annotations, and `result=<exit status of the last step>`.
run_action() {
    (
        cd "$1"
        # One runner temp folder for all cases: the install step's virtual environment is
        # made once, and later cases find the wheel already installed in it.
        export RUNNER_TEMP="$work/runner-temp" GITHUB_PATH="$1.path"
        export PIP_NO_INDEX=1 PIP_FIND_LINKS="$wheels"
        mkdir -p "$RUNNER_TEMP"
        : >"$GITHUB_PATH"
        "$work/py/bin/python" - "$ROOT/action.yml" "$2" "v$version" <<'EOF'
import json, os, re, subprocess, sys, yaml

action = yaml.safe_load(open(sys.argv[1]))
given = json.loads(sys.argv[2])
inputs = {k: str(given.get(k, v.get("default", ""))) for k, v in action["inputs"].items()}
context = {"github.action_ref": sys.argv[3], "github.action_repository": "your-org/cfn-policy-lint",
           "github.token": "unused"}
outputs = {}

def fill(text):
    def value(m):
        expr = m.group(1).strip()
        if expr.startswith("inputs."):
            return inputs[expr[len("inputs."):]]
        if expr.startswith("steps."):
            step, _, name = expr[len("steps."):].split(".", 2)
            return outputs.get(step, {}).get(name, "")
        return context[expr]
    return re.sub(r"\$\{\{(.*?)\}\}", value, text)

status = 0
for step in action["runs"]["steps"]:
    if "run" not in step:
        continue  # the upload to code scanning
    out_file = os.path.join(os.environ["RUNNER_TEMP"], "output")
    open(out_file, "w").close()
    env = dict(os.environ, GITHUB_OUTPUT=out_file)
    with open(os.environ["GITHUB_PATH"]) as f:
        extra = [line.strip() for line in f if line.strip()]
    env["PATH"] = os.pathsep.join(extra + [env["PATH"]])
    env.update({k: fill(str(v)) for k, v in step.get("env", {}).items()})
    done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", fill(step["run"])],
                          env=env, capture_output=True, text=True)
    for line in done.stdout.splitlines():
        if line.startswith("::"):
            print(line)
    outputs[step.get("id", "")] = dict(
        line.split("=", 1) for line in open(out_file).read().splitlines() if "=" in line)
    status = done.returncode
    if status != 0:
        sys.stderr.write(done.stderr)
        break
for name, value in outputs.get("check", {}).items():
    print(f"{name}={value}")
print(f"result={status}")
EOF
    )
}

expect() {
    local label=$1 condition=$2
    if eval "$condition"; then
        say "ok: $label"
        passed=$((passed + 1))
    else
        say "FAILED: $label" >&2
        failed=$((failed + 1))
    fi
}

mkdir -p "$work/bad/templates" "$work/clean" "$work/warn"
cp "$ROOT/fixtures/tutorial/policy.yaml" "$work/bad/templates/stack.yaml"
printf 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Logs:\n    Type: AWS::S3::Bucket\n' \
    >"$work/clean/stack.yaml"
cp "$ROOT/fixtures/tutorial/policy-corrected.yaml" "$work/warn/stack.yaml"

out=$(run_action "$work/bad" '{"paths": "templates/"}' 2>"$work/bad.err" || true)
sarif=$(sed -n 's/^sarif-file=//p' <<<"$out")
expect "findings: exit-code 1, SARIF with results, ::error annotations, the action fails" \
    '[ "$(sed -n "s/^exit-code=//p" <<<"$out")" = 1 ] &&
     grep -q "^::error file=templates/stack.yaml,line=" <<<"$out" &&
     grep -q "^result=1$" <<<"$out" &&
     "$work/py/bin/python" -c "import json,sys; r=json.load(open(sys.argv[1]))[\"runs\"][0][\"results\"]; sys.exit(not any(x[\"ruleId\"]==\"tab-indentation\" for x in r))" "$sarif"'
[ "$failed" -eq 0 ] || { cat "$work/bad.err"; printf '%s\n' "$out"; }

out=$(run_action "$work/clean" '{}' 2>/dev/null || true)
expect "a clean repository: exit-code 0, no annotations, the action passes" \
    '[ "$(sed -n "s/^exit-code=//p" <<<"$out")" = 0 ] && ! grep -q "^::" <<<"$out" &&
     grep -q "^result=0$" <<<"$out"'

out=$(run_action "$work/warn" '{"args": "--fail-on error", "annotate": "false"}' 2>/dev/null || true)
expect "args reach check (--fail-on error passes warnings) and annotate: false prints none" \
    '[ "$(sed -n "s/^exit-code=//p" <<<"$out")" = 0 ] && ! grep -q "^::" <<<"$out" &&
     grep -q "^result=0$" <<<"$out"'

say "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
