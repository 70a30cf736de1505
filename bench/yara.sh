#!/usr/bin/env bash
# The yara plugin's cost: `vmahunt scan --plugin yara` with a rule set of
# realistic size (500 generated rules plus the lab's, tests/integration/yara/
# lab.yar), next to the `yara` command line scanning the same bytes extracted
# as files (tests/tools/vh-extract: one file per run of readable pages of a
# VMA). Once over the lab's 20 000-VMA process alone (the many_vmas plant,
# `--pid`) and once over every process of the dump.
#
#   bench/yara.sh [BUILD_DIR] [LAB_FOLDER...]
#
#   BUILD_DIR     default build (needs vmahunt, the yara plugin, tools/vh-extract)
#   LAB_FOLDER    default every folder of $VMAHUNT_LAB_OUT (tests/lab/out)
#   VMAHUNT_BENCH_RUNS    runs per row (default 3; the best is kept)
#   VMAHUNT_BENCH_DUMPS   dump files of each folder (default "qemu.elf")
#   VMAHUNT_BENCH_RULES   generated rules (default 500)
#
# Rows: maps (what every scan pays: tasks and VMAs), plugin (scan with only
# the yara detector), extract (writing the files), yara (the command line,
# one thread, -p 1, as the plugin is; its rules compiled each run as the
# plugin's are). Columns: lines (findings of the plugin, matching rule/file
# pairs of yara), best wall and CPU seconds, peak resident MiB.
: "${VMAHUNT_BENCH_DUMPS:=qemu.elf}"
. "$(dirname "$0")/lib.sh" "$@"
extract=$build/tools/vh-extract
[ -x "$extract" ] && [ -f "$build/plugins/yara.so" ] && command -v yara >/dev/null || {
	echo "needs $extract, $build/plugins/yara.so (libyara-dev) and yara (apt-get install yara)" >&2
	exit 2
}

work=$(mktemp -d --tmpdir vh-bench-yara-XXXXXX)
trap 'rm -rf "$work" "$drgn_script"' EXIT
rules=$work/bench.yar

# 500 rules, random-looking but the same every run (a fixed seed): 2 to 5
# strings each, hex (some with ?? wildcards and [n-m] jumps) and text (some
# nocase or wide), conditions any / 2 of / all of them.
python3 - "${VMAHUNT_BENCH_RULES:-500}" >"$rules" <<'PY'
import random, string, sys
rng = random.Random(13)
def hexstr():
    n = rng.randint(6, 16)
    parts = []
    for i in range(n):
        r = rng.random()
        if 0 < i < n - 1 and r < 0.08:
            parts.append("??")
        elif 0 < i < n - 1 and r < 0.11:
            parts.append("[%d-%d]" % (lambda a: (a, a + rng.randint(1, 6)))(rng.randint(0, 4)))
        else:
            parts.append("%02x" % rng.randrange(256))
    return "{ " + " ".join(parts) + " }"
def text():
    alphabet = string.ascii_letters + string.digits + "_-./:"
    s = '"' + "".join(rng.choice(alphabet) for _ in range(rng.randint(8, 24))) + '"'
    r = rng.random()
    return s + (" nocase" if r < 0.15 else " wide" if r < 0.25 else " ascii wide" if r < 0.3 else "")
for i in range(int(sys.argv[1])):
    strs = [hexstr() if rng.random() < 0.5 else text() for _ in range(rng.randint(2, 5))]
    cond = rng.choice(["any of them", "2 of them", "all of them"])
    sev = rng.choice(["low", "medium", "high"])
    print("rule bench_%03d : bench\n{\n\tmeta:\n\t\tseverity = \"%s\"\n\tstrings:" % (i, sev))
    for k, s in enumerate(strs):
        print("\t\t$s%d = %s" % (k, s))
    print("\tcondition:\n\t\t%s\n}\n" % cond)
PY
cat tests/integration/yara/lab.yar >>"$rules"
nrules=$(grep -c '^rule ' "$rules")

count_findings() { grep -c '"type":"finding"' || true; }
count_lines() { grep -c . || true; }
many_vmas_pid() {
	python3 -c 'import json, sys
for p in json.load(open(sys.argv[1]))["plants"]:
    if p["kind"] == "many_vmas":
        print(p["pid"]); break' "$1/truth.json" 2>/dev/null || true
}

echo "rules: $nrules ($(wc -c <"$rules") bytes of source)"
printf '%-24s %-10s %-8s %8s %8s %8s %9s %s\n' dump scope row lines wall_s cpu_s peak_MiB note
for lab in "${labs[@]}"; do
	lab=$(realpath "$lab")
	vml=$(realpath "$lab/vmlinux")
	many=$(many_vmas_pid "$lab")
	for name in $dump_names; do
		dump=$lab/$name
		[ -f "$dump" ] || continue
		label="$(basename "$lab")/$name"
		for scope in ${many:+pid=$many} all; do
			pidopt=() pids=()
			[ "$scope" = all ] || pidopt=(--pid "${scope#pid=}") pids=("${scope#pid=}")
			row() { printf '%-24s %-10s %-8s %8s %8s %8s %9s %s\n' "$label" "$scope" "$@"; }
			read -r n w c m < <(best count_lines "$vmahunt" maps --json "${pidopt[@]}" --vmlinux "$vml" "$dump")
			row maps "$n" "$w" "$c" "$m" "VMAs"
			read -r n w c m < <(best count_findings "$vmahunt" scan --json --detector yara \
				--plugin yara --plugin-opt "yara.rules=$rules" "${pidopt[@]}" --vmlinux "$vml" "$dump")
			row plugin "$n" "$w" "$c" "$m" "findings"
			out=$work/files
			rm -rf "$out" && mkdir "$out"
			read -r files bytes absent < <("$extract" --vmlinux "$vml" "$dump" "$out" "${pids[@]}")
			read -r n w c m < <(best count_lines bash -c 'rm -rf "$1" && mkdir "$1" && exec "${@:2}" >/dev/null' _ \
				"$out" "$extract" --vmlinux "$vml" "$dump" "$out" "${pids[@]}")
			row extract "$files" "$w" "$c" "$m" "files, $bytes bytes, $absent pages absent"
			read -r n w c m < <(best count_lines yara -r -p 1 "$rules" "$out")
			row yara "$n" "$w" "$c" "$m" "rule/file matches"
		done
	done
done
