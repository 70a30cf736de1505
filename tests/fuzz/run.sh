#!/usr/bin/env bash
# Builds the libFuzzer harnesses (clang, ASan+UBSan) and runs each for
# SECONDS (default 60), one after the other, at the lowest CPU priority.
#
#   tests/fuzz/run.sh [SECONDS] [HARNESS...]
#
# New inputs go to $FUZZ_OUT/corpus/HARNESS (default build-fuzz/out), never
# into the committed seeds of tests/fuzz/corpus/; crashes, timeouts (> 10 s
# per input) and leaks to $FUZZ_OUT/artifacts/. Ends with one line per
# harness: executions, coverage (cov: edges, ft: features), corpus size, and
# whether it found anything; timeouts and slow units are replayed alone, timed
# (a unit starved of CPU at nice 19 is no hang). A reproducer worth keeping goes to
# tests/fuzz/crashes/HARNESS/ (replayed by ctest -L fuzz) with a unit test.
# Env: CC (default clang), FUZZ_BUILD (default build-fuzz), FUZZ_JOBS (make -j, 2),
# FUZZ_TIMEOUT (seconds a unit may take, 10; more on a machine busy with other work).
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
secs=${1:-60}
shift || true
build=${FUZZ_BUILD:-$src/build-fuzz}
out=${FUZZ_OUT:-$build/out}
harnesses=("$@")
if [ ${#harnesses[@]} -eq 0 ]; then
	harnesses=(dump flattened core vmcoreinfo notes btf kallsyms walkers elfimage kernel)
fi

CC=${CC:-clang} cmake -S "$src" -B "$build" -DVMAHUNT_FUZZ=ON -DVMAHUNT_TESTS=OFF \
	-DVMAHUNT_PLUGINS=OFF >/dev/null
cmake --build "$build" -j"${FUZZ_JOBS:-2}" >/dev/null

mkdir -p "$out/artifacts"
summary=()
for h in "${harnesses[@]}"; do
	mkdir -p "$out/corpus/$h"
	log=$out/$h.log
	echo "== $h: $secs s"
	set +e
	nice -n 19 "$build/fuzz/fuzz_$h" -max_total_time="$secs" -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$out/artifacts/$h-" \
		"$out/corpus/$h" "$src/tests/fuzz/corpus/$h" >"$log" 2>&1
	rc=$?
	set -e
	# The last status line holds the run's final coverage and execution count.
	last=$(grep -E '^#[0-9]+' "$log" | tail -1)
	execs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
	summary+=("$h: rc=$rc execs=${execs:-?} $(echo "$last" | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [^ ]+')")
	tail -3 "$log"
done
echo "== summary ($secs s each)"
printf '%s\n' "${summary[@]}"
# libFuzzer's -timeout is wall-clock time: at the lowest priority on a busy machine a unit
# may be starved past it. Each timeout and slow unit is run again here, at normal
# priority, and timed: only one that is slow on its own is a finding.
for a in "$out"/artifacts/*; do
	[ -e "$a" ] || continue
	name=$(basename "$a")
	h=${name%%-*}
	case $name in
	*-timeout-* | *-slow-unit-*)
		t0=$(date +%s.%N)
		"$build/fuzz/fuzz_$h" -runs=1 "$a" >/dev/null 2>&1
		rc=$?
		echo "artifact: $name (replayed alone: rc=$rc, $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') s)"
		;;
	*) echo "artifact: $name" ;;
	esac
done
