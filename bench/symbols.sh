#!/usr/bin/env bash
# Time to first output of `vmahunt ps` without a vmlinux (the dump's own
# kallsyms + BTF) against with it (ELF symbols + DWARF), on each lab kernel:
# median of N runs with a warm page cache, and one run with the vmlinux's
# pages dropped from the cache first (cold: what a responder sees the first
# time). Also the profile load alone (vh-profile --stats) and the whole ps run.
#
#   bench/symbols.sh [BUILD_DIR] [LAB_FOLDER...]
#   env: VMAHUNT_BENCH_RUNS (default 5), VMAHUNT_BENCH_DUMP (default qemu.elf)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
shift || true
vmahunt=$build/vmahunt
prof=$build/tools/vh-profile
[ -x "$vmahunt" ] && [ -x "$prof" ] || { echo "build first: cmake -S . -B $build && cmake --build $build" >&2; exit 2; }
labs=("$@")
if [ ${#labs[@]} = 0 ]; then
	for d in "${VMAHUNT_LAB_OUT:-tests/lab/out}"/*/; do
		[ -f "$d/manifest.json" ] && [ -e "$d/vmlinux" ] && labs+=("${d%/}")
	done
fi
[ ${#labs[@]} -gt 0 ] || { echo "no lab folder: give one, or build the lab" >&2; exit 2; }
python3 - "$vmahunt" "$prof" "${VMAHUNT_BENCH_RUNS:-5}" "${VMAHUNT_BENCH_DUMP:-qemu.elf}" "${labs[@]}" <<'PY'
import os, re, statistics, subprocess, sys, time
vmahunt, prof, runs, dump_name, *labs = sys.argv[1:]
runs = int(runs)

def drop(path):
    fd = os.open(os.path.realpath(path), os.O_RDONLY)
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    os.close(fd)

def first_output(args):
    """Seconds to the first line on stdout, and to the end."""
    t0 = time.monotonic()
    p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    p.stdout.readline()
    t1 = time.monotonic()
    p.stdout.read()
    p.wait()
    if p.returncode:
        raise SystemExit(f"{' '.join(args)}: exit {p.returncode}")
    return t1 - t0, time.monotonic() - t0

def load_seconds(args):
    r = subprocess.run(args, capture_output=True, text=True, check=True)
    m = re.search(r"load ([0-9.]+) s", r.stderr)
    return float(m.group(1))

print(f"{'kernel':<18} {'source':<6} {'first_out_s':>11} {'cold_s':>7} {'total_s':>8} {'load_s':>7}  what was read")
for lab in labs:
    dump = os.path.join(lab, dump_name)
    vml = os.path.join(lab, "vmlinux")
    if not os.path.exists(dump):
        continue
    name = os.path.basename(lab)
    for src, args, pargs in (
        ("dwarf", [vmahunt, "ps", "--vmlinux", vml, dump],
         [prof, "--stats", "--dump", dump, "--symbols", "dwarf", vml]),
        ("btf", [vmahunt, "ps", "--symbols", "btf", dump],
         [prof, "--stats", "--dump", dump, "--symbols", "btf"]),
    ):
        drop(vml)
        cold, _ = first_output(args)
        t = [first_output(args) for _ in range(runs)]
        first = statistics.median(x[0] for x in t)
        total = statistics.median(x[1] for x in t)
        load = statistics.median(load_seconds(pargs) for _ in range(runs))
        r = subprocess.run(pargs, capture_output=True, text=True)
        what = r.stderr.strip().splitlines()[-1]
        if src == "dwarf":
            what = f"vmlinux {os.path.getsize(vml) >> 20} MB: " + what
        print(f"{name:<18} {src:<6} {first:>11.3f} {cold:>7.3f} {total:>8.3f} {load:>7.3f}  {what}")
PY
