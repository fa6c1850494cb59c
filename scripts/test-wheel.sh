#!/usr/bin/env bash
# The Python wheel, end to end, as a user gets it: pip builds the wheel from this checkout
# through its PEP 517 backend (maturin, fetched from PyPI into pip's isolated build
# environment, as `pip install .` does), the wheel is installed into a fresh virtual
# environment, and the `cfn-policy-lint` it puts on PATH checks the tutorial with the exit
# codes the README promises.
#
#   WHEEL_PROFILE  cargo profile of the build: `release` (default, what users get) or `dev`
#                  (CI: reuses the debug build that `cargo test` has just made, so the wheel
#                  costs seconds instead of a ~4-minute release build; the packaging is the same)
#   WHEEL_DIR      keep the wheel there (default: a temporary folder, removed at the end);
#                  scripts/test-pre-commit-hooks.sh installs it through the pre-commit mirror
#   PYTHON         interpreter for the virtual environments (default: python3)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-python3}
PROFILE=${WHEEL_PROFILE:-release}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
wheels=${WHEEL_DIR:-$work/wheels}
mkdir -p "$wheels"

passed=0
failed=0
pass() {
    echo "test-wheel: ok: $1"
    passed=$((passed + 1))
}
fail() {
    echo "test-wheel: FAILED: $1" >&2
    failed=$((failed + 1))
}

echo "test-wheel: building the wheel ($PROFILE profile) with pip and maturin"
"$PYTHON" -m venv "$work/build"
# The build backend comes from PyPI. When PyPI cannot be reached, say so and skip: that is no
# verdict on the wheel. Once maturin is there, any failure is one.
if ! err=$("$work/build/bin/python" -m pip install --quiet "maturin>=1.9,<2" 2>&1); then
    echo "test-wheel: SKIPPED: maturin could not be installed from PyPI:"
    printf '%s\n' "$err" | tail -n 3 | sed 's/^/    /'
    echo "test-wheel: 0 passed, 0 failed, 4 skipped"
    exit 0
fi
# pip builds a local folder in place, so cargo reuses ROOT/target.
MATURIN_PEP517_ARGS="--profile $PROFILE" \
    "$work/build/bin/python" -m pip wheel --quiet --no-deps --wheel-dir "$wheels" "$ROOT"
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$ROOT/Cargo.toml" | head -n 1)
wheel=$(find "$wheels" -name "cfn_policy_lint-$version-*.whl" | head -n 1)
if [ -z "$wheel" ]; then
    fail "no cfn_policy_lint-$version wheel in $wheels"
    exit 1
fi
echo "test-wheel: built $(basename "$wheel") ($(du -k "$wheel" | cut -f1) KiB)"

"$PYTHON" -m venv "$work/user"
"$work/user/bin/python" -m pip install --quiet --no-index "$wheel"
# Only the virtual environment's bin folder and the system's: no cargo build on PATH.
export PATH="$work/user/bin:/usr/bin:/bin"
found=$(command -v cfn-policy-lint || true)
if [ "$found" = "$work/user/bin/cfn-policy-lint" ]; then
    pass "the wheel puts cfn-policy-lint on PATH ($found)"
else
    fail "cfn-policy-lint on PATH is '$found', not the virtual environment's"
fi

printed=$(cfn-policy-lint --version)
if [ "$printed" = "cfn-policy-lint $version" ]; then
    pass "--version prints '$printed'"
else
    fail "--version printed '$printed', expected 'cfn-policy-lint $version'"
fi

cd "$ROOT"
set +e
out=$(cfn-policy-lint check --format concise fixtures/tutorial/)
code=$?
set -e
if [ "$code" -eq 1 ] && grep -q 'error\[Y002 tab-indentation\]' <<<"$out"; then
    pass "check fixtures/tutorial/ finds the tab indentation and exits 1"
else
    fail "check fixtures/tutorial/ exited $code (expected 1); output: $out"
fi

set +e
cfn-policy-lint check --quiet --fail-on error fixtures/tutorial/policy-corrected.yaml >/dev/null
code=$?
set -e
if [ "$code" -eq 0 ]; then
    pass "the corrected template passes with --fail-on error (exit 0)"
else
    fail "check --fail-on error policy-corrected.yaml exited $code (expected 0)"
fi

echo "test-wheel: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
