#!/usr/bin/env python3
"""ELF cores of arm64 lab processes, written from real arm64 dumps, read by gdb-multiarch.

For every lab folder whose truth says aarch64, on each unfiltered dump it has
(qemu.elf, vmcore.elf), `vmahunt core` writes:

- the threads scenario's core: the record says 9 threads, all with user
  registers, no warning; gdb-multiarch lists the truth's thread ids, and for
  every worker pc and x19..x28 are the values the guest planted and read back
  (its /proc/PID/syscall);
- the inject scenario's core: gdb reads the NOP sled (d503201f) at the start
  of the planted rwx range and the truth's stub bytes after it;
- the codepatch scenario's core: gdb reads the truth's patch at the patched
  code page (a private file page made anonymous).

A writer that fails, a gdb that cannot load a core or reads other values, is
a failure. (x86-64 cores: core_gdb.py.)
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

DUMPS = ("qemu.elf", "vmcore.elf")
NOP = "d503201f"


def plant(truth, kind):
    return next((p for p in truth.get("plants", []) if p.get("kind") == kind), None)


def write_core(vmahunt, lab, dump, pid, out, fails, label):
    r = subprocess.run([vmahunt, "core", "--vmlinux", os.path.join(lab, "vmlinux"),
                        "--pid", str(pid), "-o", out, "--force", dump],
                       capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        fails.append(f"{label}: vmahunt core --pid {pid} exit {r.returncode}: "
                     f"{r.stderr.strip()[-300:]}")
        return None
    try:
        return json.loads(r.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        fails.append(f"{label}: vmahunt core --pid {pid} printed no record")
        return None


def gdb(core, commands):
    cmd = ["gdb-multiarch", "-batch", "-nx", "-ex", "set pagination off",
           "-ex", f"core-file {core}"]
    for c in commands:
        cmd += ["-ex", c]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    return r.returncode, r.stdout + r.stderr


def words(out):
    """The 32-bit words of gdb's x/Nxw output, as 8-digit hex (instruction order)."""
    found = []
    for line in out.splitlines():
        m = re.match(r"^0x[0-9a-f]+(?: <[^>]*>)?:\s+(.*)$", line)
        if m:
            found += [w[2:].rjust(8, "0") for w in m.group(1).split() if w.startswith("0x")]
    return found


def le_words(hexstr):
    b = bytes.fromhex(hexstr)
    return ["%08x" % int.from_bytes(b[i:i + 4], "little") for i in range(0, len(b) - 3, 4)]


def check_threads(vmahunt, lab, dump, truth, tmp, fails, label):
    p = plant(truth, "threads")
    if not p:
        fails.append(f"{label}: the truth has no threads plant")
        return
    core = os.path.join(tmp, "threads.core")
    rec = write_core(vmahunt, lab, dump, p["pid"], core, fails, label)
    if not rec:
        return
    if rec.get("threads") != p["threads"] or rec.get("threads_with_user_regs") != p["threads"] \
            or rec.get("warnings"):
        fails.append(f"{label}: threads core record: threads {rec.get('threads')}, with user "
                     f"registers {rec.get('threads_with_user_regs')}, warnings "
                     f"{rec.get('warnings')}; the truth has {p['threads']} threads")
    regs = ["x%d" % i for i in range(19, 29)] + ["pc"]
    rc, out = gdb(core, ["info threads",
                         "thread apply all info registers " + " ".join(regs)])
    if rc != 0:
        fails.append(f"{label}: gdb-multiarch exit {rc} on the threads core: {out[-300:]}")
        return
    listed = set(int(t) for t in re.findall(r"^\*?\s+\d+\s+LWP (\d+)", out, re.M))
    if listed != set(p["tids"]):
        fails.append(f"{label}: gdb lists threads {sorted(listed)}, the truth "
                     f"{sorted(p['tids'])}")
    per = {}
    for block in re.split(r"\nThread \d+ \(LWP ", out)[1:]:
        tid = int(block.split(")", 1)[0])
        per[tid] = {m.group(1): int(m.group(2), 16)
                    for m in re.finditer(r"^(x\d+|pc)\s+(0x[0-9a-f]+)", block, re.M)}
    for w in p.get("regs", []):
        got = per.get(w["tid"], {})
        for r in regs:
            if got.get(r) != int(w[r], 16):
                fails.append(f"{label}: thread {w['tid']}: gdb reads {r} "
                             f"{hex(got[r]) if r in got else None}, the truth {w[r]}")


def check_bytes(vmahunt, lab, dump, truth, tmp, fails, label):
    p = plant(truth, "anon_rwx_code")
    if p:
        core = os.path.join(tmp, "inject.core")
        if write_core(vmahunt, lab, dump, p["pid"], core, fails, label):
            start = int(p["start"], 16)
            stub = le_words(p["stub_hex"])
            rc, out = gdb(core, [f"x/4xw {start:#x}",
                                 f"x/{len(stub)}xw {start + p['stub_offset']:#x}"])
            w = words(out)
            if rc != 0 or w != [NOP] * 4 + stub:
                fails.append(f"{label}: inject core at {start:#x}: gdb reads {w}, expected "
                             f"{[NOP] * 4 + stub} (exit {rc})")
    else:
        fails.append(f"{label}: the truth has no anon_rwx_code plant")
    p = plant(truth, "code_modified")
    if p:
        core = os.path.join(tmp, "codepatch.core")
        if write_core(vmahunt, lab, dump, p["pid"], core, fails, label):
            at = int(p["start"], 16) + p["patch_offset"]
            patch = le_words(p["patch_hex"])
            rc, out = gdb(core, [f"x/{len(patch)}xw {at:#x}"])
            if rc != 0 or words(out) != patch:
                fails.append(f"{label}: codepatch core at {at:#x}: gdb reads {words(out)}, "
                             f"expected {patch} (exit {rc})")
    else:
        fails.append(f"{label}: the truth has no code_modified plant")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--vmahunt", required=True)
    ap.add_argument("labs", nargs="+")
    a = ap.parse_args()
    fails, done = [], 0
    for lab in a.labs:
        with open(os.path.join(lab, "truth.json")) as f:
            truth = json.load(f)
        if truth.get("arch") != "aarch64":
            continue
        for name in DUMPS:
            dump = os.path.join(lab, name)
            if not os.path.exists(dump):
                continue
            label = f"{os.path.basename(lab)}/{name}"
            n = len(fails)
            with tempfile.TemporaryDirectory() as tmp:
                check_threads(a.vmahunt, lab, dump, truth, tmp, fails, label)
                check_bytes(a.vmahunt, lab, dump, truth, tmp, fails, label)
            done += 1
            print(f"{label}: threads, inject and codepatch cores "
                  f"{'read as planted' if len(fails) == n else 'FAILED'}")
    for f in fails:
        print("FAIL:", f)
    if not done:
        print("FAIL: no arm64 lab folder (build it: tests/lab/build-lab.sh --kernels "
              "arm64-6.1,arm64-6.12,arm64-sid)")
        return 1
    print(f"{done} dumps, {len(fails)} failures")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
