#!/usr/bin/env bash
# Bounded fuzzing of every cargo-fuzz target in fuzz/ (issue #8).
#
#   bash scripts/fuzz.sh [SECONDS_PER_TARGET]      (default 10)
#
# Builds the targets, then runs each one for SECONDS_PER_TARGET seconds, one
# at a time on one core, starting from the committed seeds
# (fuzz/seeds/<target>/) plus every input that once crashed
# (fuzz/regressions/<target>/). Exits 1 if any target crashes, leaks past
# the memory limits or hangs; the failing input is left in
# fuzz/artifacts/<target>/. New corpus entries go to fuzz/corpus/<target>/
# (git-ignored), so local runs build on earlier ones.
#
# cargo-fuzz builds with nightly-only flags (-Zsanitizer=address). A stable
# toolchain accepts them with RUSTC_BOOTSTRAP=1, which this script sets, so
# no nightly is needed; KHABAR_FUZZ_TOOLCHAIN=nightly picks `cargo +nightly`.
# Without cargo-fuzz the script skips (exit 0) unless KHABAR_FUZZ_INSTALL=1,
# which installs it first (`cargo install cargo-fuzz --locked`, ~1 minute).
set -euo pipefail
cd "$(dirname "$0")/.."

secs="${1:-10}"
if ! [[ "$secs" =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: bash scripts/fuzz.sh [SECONDS_PER_TARGET]  (a positive integer, not '$secs')" >&2
    exit 2
fi
targets=(normalize tokenize ngrams entities model_load)

cargo=(cargo)
if [[ -n "${KHABAR_FUZZ_TOOLCHAIN:-}" ]]; then
    cargo=(cargo "+$KHABAR_FUZZ_TOOLCHAIN")
fi

# Can this toolchain build a sanitizer-instrumented binary? If not (no
# sanitizer runtime, say), skip rather than fail: it is not the code's fault.
export RUSTC_BOOTSTRAP=1
probe_dir="$(mktemp -d)"
trap 'rm -rf "$probe_dir"' EXIT
echo 'fn main() {}' >"$probe_dir/probe.rs"
if ! "${cargo[@]}" --version >/dev/null 2>&1 ||
    ! rustc ${KHABAR_FUZZ_TOOLCHAIN:++$KHABAR_FUZZ_TOOLCHAIN} -Zsanitizer=address \
        "$probe_dir/probe.rs" -o "$probe_dir/probe" >/dev/null 2>&1; then
    echo "fuzz: skipped: the Rust toolchain cannot build sanitizer-instrumented code" \
        "(try KHABAR_FUZZ_TOOLCHAIN=nightly)"
    exit 0
fi

if ! "${cargo[@]}" fuzz --version >/dev/null 2>&1; then
    if [[ "${KHABAR_FUZZ_INSTALL:-0}" == 1 ]]; then
        echo "== fuzz: installing cargo-fuzz"
        cargo install cargo-fuzz --locked
    else
        echo "fuzz: skipped: cargo-fuzz not installed" \
            "(run 'cargo install cargo-fuzz --locked' or set KHABAR_FUZZ_INSTALL=1)"
        exit 0
    fi
fi

# --debug-assertions: overflow checks and debug_assert! are on while fuzzing.
build_flags=(--debug-assertions)
# Memory limits: a corrupt length field that asks for gigabytes is a bug
# (a model file must fail with an error, not take the process down).
fuzz_flags=(-max_total_time="$secs" -rss_limit_mb=2048 -malloc_limit_mb=2048
    -timeout=30 -print_final_stats=1)

echo "== fuzz: building ${#targets[@]} targets ($("${cargo[@]}" fuzz --version))"
"${cargo[@]}" fuzz build "${build_flags[@]}"

failed=()
log_dir="$probe_dir"
for t in "${targets[@]}"; do
    inputs=("fuzz/seeds/$t")
    [[ -d "fuzz/regressions/$t" ]] && inputs+=("fuzz/regressions/$t")
    mkdir -p "fuzz/corpus/$t"
    log="$log_dir/$t.log"
    echo "== fuzz: $t for ${secs}s"
    if "${cargo[@]}" fuzz run "${build_flags[@]}" "$t" "fuzz/corpus/$t" "${inputs[@]}" \
        -- "${fuzz_flags[@]}" >"$log" 2>&1; then
        grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log" |
            sed 's/^/   /'
    else
        echo "!! fuzz: $t FAILED; the input is in fuzz/artifacts/$t/. Last lines:"
        tail -n 40 "$log"
        failed+=("$t")
    fi
done

if ((${#failed[@]})); then
    echo "fuzz: FAILED: ${failed[*]}"
    exit 1
fi
echo "fuzz: ok (${#targets[@]} targets, ${secs}s each)"
