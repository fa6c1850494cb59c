#!/usr/bin/env bash
# The pre-commit hooks end to end, with pre-commit from PyPI and real `git commit`s in temporary
# repositories: a tab-indented template is blocked, a good one passes, and only changed files are
# checked (a bad template committed earlier does not block a commit that leaves it alone; a
# changed YAML file that is no template is skipped).
#
# - system: `cfn-policy-lint-system` from .pre-commit-hooks.yaml, with the wheel's binary on PATH;
# - python: the pre-commit mirror (pre-commit-mirror/), which pip installs with its dependency,
#   the wheel, taken from WHEEL_DIR (no index: the hook must get exactly this build);
# - rust (only with TEST_RUST_HOOK=1: it compiles the tool in release, ~4 minutes on 2 cores):
#   the README's pre-commit snippet as written, pointed at a local clone of this checkout
#   tagged with the snippet's `rev`.
#
# The hook repositories are made from this checkout's working tree, tagged `v<Cargo version>`.
# WHEEL_DIR: a folder holding the wheel (scripts/test-wheel.sh leaves one there); without it,
# scripts/test-wheel.sh builds one first. When pre-commit cannot be installed, every test is
# reported as skipped, with the reason, and the script exits 0.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$ROOT/Cargo.toml" | head -n 1)
tag="v$version"

passed=0
failed=0
skipped=0
say() { echo "pre-commit-hooks: $*"; }
pass() {
    say "ok: $1"
    passed=$((passed + 1))
}
fail() {
    say "FAILED: $1" >&2
    failed=$((failed + 1))
}
finish() {
    say "$passed passed, $failed failed, $skipped skipped"
    [ "$failed" -eq 0 ]
    exit
}

"$PYTHON" -m venv "$work/tools"
if ! install_log=$("$work/tools/bin/python" -m pip install --quiet "pre-commit>=3.2,<5" 2>&1); then
    say "SKIPPED (system, python and rust hooks): pre-commit could not be installed from PyPI:"
    printf '%s\n' "$install_log" | tail -n 3 | sed 's/^/    /'
    skipped=3
    finish
fi
say "using $("$work/tools/bin/pre-commit" --version)"

wheels=${WHEEL_DIR:-}
if [ -z "$wheels" ] || ! compgen -G "$wheels/cfn_policy_lint-$version-*.whl" >/dev/null; then
    wheels=${wheels:-$work/wheels}
    say "no cfn_policy_lint-$version wheel in $wheels: building one (scripts/test-wheel.sh)"
    WHEEL_DIR=$wheels "$ROOT/scripts/test-wheel.sh" >/dev/null
fi
wheel=$(compgen -G "$wheels/cfn_policy_lint-$version-*.whl" | head -n 1)
# The mirror's own build needs setuptools: put it next to the wheel, so that the hook's
# install can run with no index at all.
"$work/tools/bin/python" -m pip download --quiet --only-binary=:all: \
    --dest "$work/links" "setuptools>=61"
cp "$wheel" "$work/links/"
# The system hook finds the wheel's binary on PATH, like a user's `pip install cfn-policy-lint`.
"$work/tools/bin/python" -m pip install --quiet --no-index "$wheel"
export PATH="$work/tools/bin:$PATH"
export PRE_COMMIT_HOME="$work/pre-commit-cache"
# A home of its own for git's settings; cargo and rustup keep theirs.
export CARGO_HOME=${CARGO_HOME:-$HOME/.cargo} RUSTUP_HOME=${RUSTUP_HOME:-$HOME/.rustup}
export GIT_CONFIG_NOSYSTEM=1 HOME="$work/home"
mkdir -p "$HOME"
git config --global user.name "hook test"
git config --global user.email "hook-test@example.invalid"
git config --global init.defaultBranch main
git config --global advice.detachedHead false

# A hook repository: FILES copied from this checkout into a fresh repository, tagged.
hook_repo() {
    local dir=$1
    shift
    mkdir -p "$dir"
    git -C "$dir" init --quiet
    cp -R "$@" "$dir/"
    git -C "$dir" add -A
    git -C "$dir" commit --quiet -m "hooks"
    git -C "$dir" tag "$tag"
}
hook_repo "$work/repo-main" "$ROOT/.pre-commit-hooks.yaml"
hook_repo "$work/repo-mirror" "$ROOT"/pre-commit-mirror/. 

good_template() {
    cat <<'EOF'
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Logs:
    Type: AWS::S3::Bucket
EOF
}

# One hook through three commits. $1: label, $2: pre-commit config.
exercise() {
    local label=$1 config=$2 user="$work/user-$1" out
    mkdir -p "$user"
    git -C "$user" init --quiet
    printf '%s\n' "$config" >"$user/.pre-commit-config.yaml"
    (cd "$user" && pre-commit install >/dev/null)
    # A bad template already in the history (committed without the hook) and a good one.
    cp "$ROOT/fixtures/tutorial/policy.yaml" "$user/legacy.yaml"
    good_template >"$user/good.yaml"
    git -C "$user" add -A
    git -C "$user" commit --quiet --no-verify -m "before the hook"

    # 1. A good template passes (the first commit also installs the hook's environment).
    good_template | sed 's/Logs/Archive/' >"$user/good.yaml"
    if out=$(cd "$user" && git add good.yaml && git commit -m "good" 2>&1); then
        pass "$label: a good template is committed"
    else
        fail "$label: the hook blocked a good template: $out"
    fi

    # 2. Only changed files are checked: legacy.yaml (tab-indented) is untouched, and a YAML
    #    file that is not a template is skipped.
    printf 'steps:\n  - run: make\n' >"$user/ci.yml"
    good_template | sed 's/Logs/Backups/' >"$user/good.yaml"
    if out=$(cd "$user" && git add good.yaml ci.yml && git commit -m "more" 2>&1); then
        pass "$label: unchanged bad template and changed non-template YAML do not block"
    else
        fail "$label: a commit that leaves legacy.yaml alone was blocked: $out"
    fi

    # 3. A tab-indented template is blocked, and the hook says why.
    cp "$ROOT/fixtures/tutorial/policy.yaml" "$user/stack.yaml"
    local head
    head=$(git -C "$user" rev-parse HEAD)
    if out=$(cd "$user" && git add stack.yaml && git commit -m "bad" 2>&1); then
        fail "$label: a tab-indented template was committed"
    elif grep -q 'tab-indentation' <<<"$out" && grep -q 'stack.yaml' <<<"$out" &&
        ! grep -q 'legacy.yaml' <<<"$out" &&
        [ "$(git -C "$user" rev-parse HEAD)" = "$head" ]; then
        pass "$label: a tab-indented template is blocked, naming only stack.yaml"
    else
        fail "$label: the commit failed, but not with stack.yaml's tab-indentation finding: $out"
    fi
}

exercise system "repos:
  - repo: $work/repo-main
    rev: $tag
    hooks:
      - id: cfn-policy-lint-system"

export PIP_NO_INDEX=1 PIP_FIND_LINKS="$work/links"
exercise python "repos:
  - repo: $work/repo-mirror
    rev: $tag
    hooks:
      - id: cfn-policy-lint"
unset PIP_NO_INDEX PIP_FIND_LINKS

if [ "${TEST_RUST_HOOK:-0}" = 1 ]; then
    # The README's snippet, verbatim but for the repository URL: a clone of this checkout with
    # the working tree's files committed and tagged, as a released repository would be.
    snippet=$(awk '/<!-- snippet:pre-commit-config -->/ { on = 1; next }
                   /<!-- \/snippet -->/ { on = 0 }
                   on && !/^```/' "$ROOT/README.md")
    git clone --quiet "$ROOT" "$work/repo-rust"
    (cd "$ROOT" && git ls-files -z --cached --others --exclude-standard |
        xargs -0 cp --parents -t "$work/repo-rust" 2>/dev/null) || true
    git -C "$work/repo-rust" add -A
    git -C "$work/repo-rust" commit --quiet --allow-empty -m "working tree"
    git -C "$work/repo-rust" tag -f "$(sed -n 's/^ *rev: *//p' <<<"$snippet")" >/dev/null
    config=$(sed "s|https://github.com/[^ ]*|$work/repo-rust|" <<<"$snippet")
    start=$SECONDS
    exercise rust "$config"
    say "rust hook: $((SECONDS - start)) s, of which the first commit compiled the tool"
else
    say "SKIPPED (rust hook): it compiles the tool in release (~4 minutes on 2 cores); run with TEST_RUST_HOOK=1"
    skipped=$((skipped + 1))
fi
finish
