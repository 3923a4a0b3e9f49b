#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 60), one after another (the
# machine is shared: one fuzzer at a time), then prints per target the
# executions, exec/s, corpus size and crashes. New inputs go into
# fuzz/corpus/<target>/ (minimise with `cargo fuzz cmin` before committing);
# crashes into fuzz/artifacts/<target>/. Logs: fuzz/logs/<target>.log.
#
#   fuzz/run-all.sh SECONDS [TARGET...]
set -euo pipefail
cd "$(dirname "$0")"

seconds=${1:-60}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cargo fuzz list)
fi

# No nightly toolchain here: cargo-fuzz's -Z flags on stable.
export RUSTC_BOOTSTRAP=1
target_dir=${FUZZ_TARGET_DIR:-/work/target-fuzz/cargo-fuzz}
build=(-O -a --target-dir "$target_dir")
cargo fuzz build "${build[@]}"
mkdir -p logs

summary=()
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t" "artifacts/$t"
    case "$t" in
        config | topology_toml) dict=(-dict=dict/toml.dict) ;;
        graphml) dict=(-dict=dict/xml.dict) ;;
        rocketfuel) dict=() ;;
        *) dict=(-dict=dict/json.dict) ;;
    esac
    before=$(find "artifacts/$t" -type f | wc -l)
    # -fork=0: one process; crashes stop the run, so it is restarted
    # until the time is used up, counting each crash.
    start=$(date +%s)
    execs=0
    crashes=0
    while :; do
        left=$((seconds - ($(date +%s) - start)))
        [ "$left" -gt 0 ] || break
        set +e
        cargo fuzz run "${build[@]}" "$t" "corpus/$t" -- \
            -max_total_time="$left" -rss_limit_mb=2048 -timeout=10 \
            "${dict[@]}" -print_final_stats=1 >"logs/$t.log" 2>&1
        rc=$?
        set -e
        n=$(grep -oP 'stat::number_of_executed_units:\s*\K\d+' "logs/$t.log" | tail -1 || true)
        execs=$((execs + ${n:-0}))
        [ "$rc" -eq 0 ] && break
        # A crash leaves an artifact; anything else (a bad flag) is fatal.
        found=$(find "artifacts/$t" -type f | wc -l)
        if [ "$found" -le "$((before + crashes))" ]; then
            echo "$t: the fuzzer failed without a crash; see fuzz/logs/$t.log" >&2
            exit 1
        fi
        cp "logs/$t.log" "logs/$t.crash$crashes.log"
        crashes=$((crashes + 1))
    done
    after=$(find "artifacts/$t" -type f | wc -l)
    corpus=$(find "corpus/$t" -type f | wc -l)
    summary+=("$(printf '%-24s %6ss %12s execs %8s exec/s %6s corpus %3s crashes (%s new artifacts)' \
        "$t" "$seconds" "$execs" "$((execs / seconds))" "$corpus" "$crashes" "$((after - before))")")
done
printf '%s\n' "${summary[@]}"
