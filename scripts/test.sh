#!/usr/bin/env bash
# The whole test suite: Rust core tests (no Python needed), then the Python
# tests and the runnable examples in the docstrings. Run from anywhere after
# the README's setup command.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --no-default-features --quiet
python3 -m pytest tests --doctest-modules python/khabar "$@"
