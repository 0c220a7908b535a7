#!/usr/bin/env bash
# The baseline matrix against one running server that speaks the loonflow r1.0 API, started on
# a fresh database: `list` with 10 000 and then 100 000 seeded tickets, then `lifecycle` at
# concurrency 1, 8, 32 and 64, each run three times. Every run writes its table (.txt) and its
# report (.json) to one folder, with a description of the machine.
#
# Usage: bench/run-baseline.sh URL TOKEN [APP]
#
# The environment can shrink or widen the matrix (defaults in brackets): REPEATS [3],
# CONCURRENCIES ["1 8 32 64"], LIFECYCLE_SECS [20], LIST_SIZES ["10000 100000"] (cumulative
# seeded tickets), LIST_COUNT [200] (calls per list query), LIST_CONCURRENCIES [as
# CONCURRENCIES], OUT [bench-results/DATE-TIME], EXTRA_ARGS (more grebe-bench options, e.g.
# "--creator webb"). bench/medians.py turns the folder into the tables of medians.
set -euo pipefail

url=${1:?usage: bench/run-baseline.sh URL TOKEN [APP]}
token=${2:?usage: bench/run-baseline.sh URL TOKEN [APP]}
app=${3:-ops}
repeats=${REPEATS:-3}
concurrencies=${CONCURRENCIES:-1 8 32 64}
lifecycle_secs=${LIFECYCLE_SECS:-20}
list_sizes=${LIST_SIZES:-10000 100000}
list_count=${LIST_COUNT:-200}
list_concurrencies=${LIST_CONCURRENCIES:-$concurrencies}
extra_args=${EXTRA_ARGS:-}

cd "$(dirname "$0")/.."
out=${OUT:-bench-results/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out"
cargo build --release -p grebe-bench
bench=target/release/grebe-bench
# The token reaches grebe-bench through its environment, not its visible command line.
export GREBE_BENCH_TOKEN="$token"

{
    echo "date: $(date -Iseconds)"
    echo "target: $url (app $app)"
    echo "grebe-bench commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "nproc: $(nproc)"
    echo "memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
    echo "cpu: $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
    echo "kernel: $(uname -sr)"
    echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$out/machine.txt"

failed=0
# run NAME ARGS...: one grebe-bench run. Failed operations are noted and the matrix goes on;
# a run that cannot start (wrong URL, token or workflow) stops it.
run() {
    local name=$1 status=0
    shift
    echo "== $name"
    # shellcheck disable=SC2086 # EXTRA_ARGS is a list of options
    "$bench" "$@" --base-url "$url" --app "$app" --json "$out/$name.json" $extra_args 2>&1 |
        tee "$out/$name.txt" || status=${PIPESTATUS[0]}
    case $status in
        0) ;;
        3) echo "!! $name: some operations failed (see $out/$name.txt)"; failed=1 ;;
        *) echo "!! $name: the run did not complete (exit $status)"; exit "$status" ;;
    esac
}

held=0
for size in $list_sizes; do
    seeding=(--seed $((size - held)))
    for concurrency in $list_concurrencies; do
        for repeat in $(seq 1 "$repeats"); do
            run "list-k$size-c$concurrency-r$repeat" list "${seeding[@]}" --count "$list_count" \
                --concurrency "$concurrency"
            seeding=(--skip-seed)
        done
    done
    held=$size
done

for concurrency in $concurrencies; do
    for repeat in $(seq 1 "$repeats"); do
        run "lifecycle-c$concurrency-r$repeat" lifecycle --duration "$lifecycle_secs" --concurrency "$concurrency"
    done
done

echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/machine.txt"
echo "reports in $out"
exit "$failed"
