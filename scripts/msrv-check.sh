#!/usr/bin/env bash
# The minimum Rust version that Cargo.toml declares (`rust-version`, also stated in README.md)
# is the true one:
# 1. it is the highest `rust-version` among the locked dependencies (so it is neither
#    understated, as 1.85 once was while Cargo.lock needed 1.88, nor overstated);
# 2. `cargo check --locked` of the library and the binary passes with that toolchain, when
#    rustup can install it; when it cannot (no rustup, or no network), this step says so and
#    is skipped, not passed.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
msrv=$(sed -n 's/^rust-version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)

needed=$(cargo metadata --format-version 1 --locked | python3 -c '
import json, sys
meta = json.load(sys.stdin)
used = {node["id"] for node in meta["resolve"]["nodes"]}
versions = [
    (tuple(int(x) for x in p["rust_version"].split(".")), p["name"], p["rust_version"])
    for p in meta["packages"]
    if p["id"] in used and p.get("rust_version") and p["source"] is not None
]
top = max(versions)
print(".".join(str(x) for x in top[0][:2]), " ".join(sorted({n for v, n, _ in versions if v[:2] == top[0][:2]})))
')
needed_version=${needed%% *}
echo "msrv: Cargo.toml says $msrv; the locked dependencies need $needed_version (${needed#* })"
if [ "$needed_version" != "$msrv" ]; then
    echo "msrv: FAILED: set rust-version = \"$needed_version\" in Cargo.toml and README.md" >&2
    exit 1
fi

if ! command -v rustup >/dev/null; then
    echo "msrv: SKIPPED: cargo check with Rust $msrv: rustup is not installed"
    exit 0
fi
if ! log=$(timeout 600 rustup toolchain install "$msrv" --profile minimal 2>&1); then
    echo "msrv: SKIPPED: cargo check with Rust $msrv: rustup could not install it:"
    printf '%s\n' "$log" | tail -n 3 | sed 's/^/    /'
    exit 0
fi
echo "msrv: cargo +$msrv check --locked (library and binary)"
CARGO_TARGET_DIR="$ROOT/target/msrv" cargo "+$msrv" check --locked --quiet
echo "msrv: ok: builds with Rust $msrv"
