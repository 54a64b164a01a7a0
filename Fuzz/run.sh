#!/usr/bin/env bash
# Runs the libFuzzer targets built by Fuzz/build.sh, each for SECONDS, starting from the kept
# corpus (Fuzz/Corpus/TARGET) and the readable seeds (Protocol/Examples, Fuzz/Seeds/TARGET). New inputs go to .build-fuzz/corpus/TARGET, findings (crash,
# timeout, out of memory, wrong answer) to .build-fuzz/artifacts/TARGET/; exits non-zero on a finding.
#   Fuzz/run.sh SECONDS [decoder|handler|client]...   fuzz (default: all three targets)
#   Fuzz/run.sh --merge [decoder|handler|client]...   minimize kept corpus + new inputs into Fuzz/Corpus
set -euo pipefail
cd "$(dirname "$0")/.."
# FUZZ_SANITIZE=fuzzer: the targets Fuzz/build.sh built without AddressSanitizer (.build-fuzz-fast).
out=.build-fuzz${FUZZ_SANITIZE:+-fast}
merge=0
if [ "${1:-}" = --merge ]; then merge=1; shift; else seconds=${1:?usage: Fuzz/run.sh SECONDS [decoder|handler]... or --merge}; shift; fi
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(decoder handler client)
# Leak checks off: the Swift runtime keeps metadata caches that LeakSanitizer reports at exit.
# -timeout: one input may take at most 10 s (a hang is a finding); -rss_limit_mb: 2 GB.
# The Swift runtime's own crash handler would race AddressSanitizer's report; libFuzzer prints the stack.
export SWIFT_BACKTRACE=enable=no
# AddressSanitizer tuned for throughput (1.4 × the executions per second of the client target,
# a third of the memory): no allocation stacks (a finding is re-run with them to read it), no
# filling of new blocks, a 16 MB quarantine for use-after-free instead of 256 MB.
export ASAN_OPTIONS=${ASAN_OPTIONS:-malloc_context_size=0:max_malloc_fill_size=0:quarantine_size_mb=16}
common=(-detect_leaks=0 -timeout=10 -rss_limit_mb=2048 -max_len=131072 -dict=Fuzz/kette.dict)
seeds() {  # the hand-written inputs of a target
    case "$1" in
    decoder) echo Protocol/Examples Fuzz/Seeds/decoder ;;
    handler) echo Fuzz/Seeds/handler ;;
    client) echo Fuzz/Seeds/client ;;
    esac
}
status=0
for target in "${targets[@]}"; do
    binary="$out/fuzz-$target"
    [ -x "$binary" ] || { echo "missing $binary: run Fuzz/build.sh $target first" >&2; exit 1; }
    mkdir -p "$out/corpus/$target" "$out/artifacts/$target"
    if [ $merge = 1 ]; then
        fresh=$(mktemp -d)
        # set_cover_merge keeps a small set of inputs that together reach every feature reached so far.
        "$binary" "${common[@]}" -set_cover_merge=1 "$fresh" $(seeds "$target") "Fuzz/Corpus/$target" "$out/corpus/$target" \
            2>"$out/merge-$target.log"
        rm -f Fuzz/Corpus/"$target"/*
        # Content-named files: the same input never lands twice.
        cp "$fresh"/* "Fuzz/Corpus/$target/"
        rm -rf "$fresh"
        echo "$target: $(ls "Fuzz/Corpus/$target" | wc -l) inputs kept in Fuzz/Corpus/$target"
        continue
    fi
    log="$out/fuzz-$target.log"
    echo "fuzzing $target for $seconds s (log: $log)"
    if "$binary" "${common[@]}" -max_total_time="$seconds" -print_final_stats=1 \
        -artifact_prefix="$out/artifacts/$target/" "$out/corpus/$target" "Fuzz/Corpus/$target" $(seeds "$target") >"$log" 2>&1; then
        grep -E '^stat::number_of_executed_units|^stat::average_exec_per_sec|^stat::peak_rss_mb' "$log" | tr '\n' ' '
        grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "$log" | tail -1 | sed 's/^/ last: /'
    else
        status=1
        echo "FINDING in $target: see $log and $out/artifacts/$target/" >&2
        grep -E 'ERROR|Fatal error|SUMMARY|Test unit written' "$log" | head -10 >&2
    fi
done
exit $status
