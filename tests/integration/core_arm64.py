#!/usr/bin/env python3
"""aarch64 process cores, written by QEMU's user-mode emulation, against what
the program knew about itself.

Builds core_arm64_prog.c for aarch64 (static), runs it under qemu-aarch64 with
RLIMIT_CORE unlimited, and reads the program's own account (pid, thread ids,
addresses, its /proc/self/maps, which QEMU emulates: the guest's view, the one
its core holds) and the core QEMU wrote (qemu_PROG_*.core). vmahunt must give
back: the machine and the process (info), every thread with its registers
(the thread that aborted inside tgkill), the map line by line (QEMU writes no
NT_FILE: file mappings are unnamed, docs/cores.md), the rwx plant as an
anon-rwx finding whose bytes are the marker, and the same maps and registers
from a zstd copy of the core.
"""
import argparse
import glob
import json
import os
import resource
import subprocess
import sys
import tempfile

SIGABRT = 6
NR_TGKILL = 131  # aarch64's asm-generic syscall numbers

failures = []
passes = 0


def check(ok, what):
    global passes
    if ok:
        passes += 1
    else:
        failures.append(what)
        print("FAIL " + what)


def vmahunt(exe, *args):
    r = subprocess.run([exe, *args], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("FAIL: vmahunt %s: exit %d: %s" % (" ".join(args), r.returncode, r.stderr))
    return r.stdout


def jsonl(exe, *args):
    return [json.loads(line) for line in vmahunt(exe, *args, "--json").splitlines()]


def run_program(src, tmp, cc, qemu):
    prog = os.path.join(tmp, "armprog")
    subprocess.run([cc, "-static", "-O1", "-pthread", "-o", prog,
                    os.path.join(src, "tests/integration/core_arm64_prog.c")], check=True)

    def unlimited_core():
        resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))

    r = subprocess.run([qemu, prog, "one", "two"], cwd=tmp, capture_output=True, text=True,
                       preexec_fn=unlimited_core)
    check(r.returncode == -SIGABRT, "the program dies of SIGABRT (exit %d: %s)" % (r.returncode, r.stderr))
    cores = glob.glob(os.path.join(tmp, "qemu_armprog_*.core"))
    if len(cores) != 1:
        sys.exit("FAIL: qemu-aarch64 wrote %d cores (%s); expected one qemu_armprog_*.core"
                 % (len(cores), os.listdir(tmp)))
    return json.loads(r.stdout), cores[0]


def live_maps(text):
    """(start, end, perms, name) per line of the emulated /proc/self/maps."""
    out = []
    for line in text.splitlines():
        f = line.split(None, 5)
        start, end = (int(x, 16) for x in f[0].split("-"))
        out.append((start, end, f[1], f[5].strip() if len(f) > 5 else ""))
    return out


def check_core(exe, core, truth, label):
    info = jsonl(exe, "info", core)[0]
    check(info["format"] == "core" and info["arch"] == "aarch64" and info["page_size"] == 4096,
          "%s: info: core, aarch64, 4096 (%s %s %s)" % (label, info["format"], info["arch"], info["page_size"]))
    p = info["process"]
    check(p["pid"] == truth["pid"] and p["ppid"] == truth["ppid"] and p["comm"] == "armprog",
          "%s: info: pid %s ppid %s comm %s" % (label, p["pid"], p["ppid"], p["comm"]))
    check(p["psargs"].split() == [truth["arg0"], "one", "two"], "%s: info: psargs %r" % (label, p["psargs"]))
    # QEMU writes NT_PRSTATUS, NT_PRPSINFO and NT_AUXV only: no NT_SIGINFO
    check(p["signal"] is None or p["signal"]["signo"] == SIGABRT, "%s: info: signal %s" % (label, p["signal"]))
    cpus = {c["pid"]: c for c in info["cpus"]}
    check(sorted(cpus) == sorted(truth["tids"]), "%s: info: threads %s, expected %s"
          % (label, sorted(cpus), truth["tids"]))
    maps = live_maps(truth["maps"])
    for c in info["cpus"]:
        regs = ["x%d" % i for i in range(31)] + ["sp", "pc", "pstate"]
        check(all(r in c for r in regs) and "rip" not in c,
              "%s: info: thread %s has x0..x30, sp, pc, pstate and no x86 register" % (label, c["pid"]))
        pc, sp = int(c["pc"], 16), int(c["sp"], 16)
        check(any(s <= pc < e and "x" in perms for s, e, perms, _ in maps),
              "%s: thread %s: pc 0x%x in an executable mapping" % (label, c["pid"], pc))
        check(any(s <= sp < e and perms.startswith("rw") for s, e, perms, _ in maps),
              "%s: thread %s: sp 0x%x in a writable mapping" % (label, c["pid"], sp))
    main = cpus.get(truth["pid"])
    if main:
        # abort() -> raise() -> tgkill(tgid, tid, SIGABRT): x8 the syscall, x1 and x2 its arguments
        check(int(main["x8"], 16) == NR_TGKILL and int(main["x1"], 16) == truth["pid"]
              and int(main["x2"], 16) == SIGABRT,
              "%s: main thread stopped in tgkill(, %d, SIGABRT): x8 %s x1 %s x2 %s"
              % (label, truth["pid"], main["x8"], main["x1"], main["x2"]))
        stack = [m for m in maps if m[3] == "[stack]"]
        check(stack and stack[0][0] <= int(main["sp"], 16) < stack[0][1],
              "%s: main thread's sp in [stack]" % label)

    got = [(int(v["start"], 16), int(v["end"], 16), v["perms"], v["path"])
           for v in jsonl(exe, "maps", core) if v["type"] == "vma"]
    # QEMU writes no NT_FILE: a file mapping's name is not in its core
    want = [(s, e, perms, name if name.startswith("[") else "") for s, e, perms, name in maps]
    check(got == want, "%s: maps: %d lines, the program saw %d; first difference %s"
          % (label, len(got), len(want),
             next(((g, w) for g, w in zip(got + [None] * len(want), want + [None] * len(got)) if g != w), None)))

    tasks = [t for t in jsonl(exe, "ps", "--threads", core) if t["type"] == "task"]
    check(sorted(t["pid"] for t in tasks) == sorted(truth["tids"])
          and all(t["tgid"] == truth["pid"] for t in tasks),
          "%s: ps --threads: %s" % (label, [(t["pid"], t["tgid"]) for t in tasks]))

    rwx = int(truth["rwx"], 16)
    found = [f for f in jsonl(exe, "scan", core)
             if f["type"] == "finding" and f["detector"] == "anon-rwx" and int(f["start"], 16) == rwx]
    marker = truth["marker"].encode().hex()
    check(len(found) == 1 and (found[0]["evidence"].get("bytes") or "").startswith(marker),
          "%s: scan: anon-rwx at 0x%x with the marker's bytes (%s)" % (label, rwx, found))
    return info, got


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vmahunt", required=True)
    ap.add_argument("--src", required=True)
    ap.add_argument("--cc", default="aarch64-linux-gnu-gcc")
    ap.add_argument("--qemu", default="qemu-aarch64")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="vmahunt-arm64core.") as tmp:
        truth, core = run_program(a.src, tmp, a.cc, a.qemu)
        info, maps = check_core(a.vmahunt, core, truth, "plain")
        subprocess.run(["zstd", "-q", "-3", core, "-o", core + ".zst"], check=True)
        zinfo, zmaps = check_core(a.vmahunt, core + ".zst", truth, "zstd")
        check(zinfo["cpus"] == info["cpus"] and zmaps == maps, "zstd copy: same registers and maps")
    print("core_arm64: %d checks passed, %d failed" % (passes, len(failures)))
    sys.exit(1 if failures else 0)


main()
