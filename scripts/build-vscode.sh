#!/usr/bin/env bash
# Build the VS Code package in editors/vscode: install its pinned dependencies (npm ci, from
# package-lock.json), compile the extension with tsc, package it with @vscode/vsce into
# editors/vscode/cfn-policy-lint.vsix, and check that the package holds the compiled extension
# and the language client it needs at run time. Run by .ci/run; skipped, with a message, where
# npm is not installed.
set -euo pipefail
cd "$(dirname "$0")/../editors/vscode"

if ! command -v npm >/dev/null 2>&1; then
    echo "build-vscode: npm is not installed: the VS Code package was NOT built (install Node.js 20+ to build it)"
    exit 0
fi

npm ci --no-audit --no-fund --loglevel=error
npm run --silent compile
rm -f cfn-policy-lint.vsix
npm run --silent package

listing="$(unzip -l cfn-policy-lint.vsix 2>/dev/null || python3 -m zipfile -l cfn-policy-lint.vsix)"
for required in extension/package.json extension/out/extension.js \
    extension/node_modules/vscode-languageclient/package.json; do
    if ! grep -q "$required" <<<"$listing"; then
        echo "build-vscode: cfn-policy-lint.vsix lacks $required" >&2
        exit 1
    fi
done
echo "build-vscode: built editors/vscode/cfn-policy-lint.vsix"
