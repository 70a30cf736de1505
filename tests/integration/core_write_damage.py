#!/usr/bin/env python3
"""Cores written from damaged copies of a real dump, and the writer's refusals.

A copy of the lab's QEMU dump (qemu.elf) is damaged in place, one case at a
time (the kernel addresses from `vmahunt ps --json`, offsets from vh-profile,
physical addresses from vh-kvtop, file offsets from the ELF PT_LOADs), the
threads scenario's core is written, checked with gdb, and the bytes are put
back:

  stack    worker 1's task_struct.stack points nowhere: the core is still
           written with its 9 threads; that worker's registers are 0 and the
           record's warnings name its tid; the 8 others are the truth's
  regs     worker 2's saved cs is a kernel selector: warned about ("not user
           registers"), the note written as read (its rip still the truth's)
  pgd      the process's mm->pgd is not a kernel address: the core has its
           notes and its map, no memory, and a warning saying why
  on-cpu   (a copy of vmcore.elf) an idle CPU's crash note made to name
           worker 4, in user mode, with marker registers: the core takes that
           worker's registers from the CPU (regs_from_cpu); in kernel mode
           the note changes nothing

Refusals, each with one message naming what was expected and no file left:
a pid the dump lacks, a kernel thread (kthreadd, pid 2), an existing file
without --force (the file is kept as it was), and a process core given as
the dump (samples/core.inject.zst).
"""
import argparse
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

from core_gdb import GDB_PROBE
from ps_damage import Patcher, kvtop, elf_loads, file_offset, profile_offsets

UNMAPPED = 0xffff800000001000  # the guard hole at the start of the kernel half
THREAD_SIZE = 16384  # x86-64 without KASAN; 5.10 and 6.1 have no FRED padding
PT_REGS = 21 * 8
CS = 17


def write(a, vmlinux, dump, pid, out, force=True):
    cmd = [a.writer] + (["--force"] if force else []) + ["--vmlinux", vmlinux, dump, str(pid), out]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=a.timeout)
    rec = json.loads(r.stdout) if r.returncode == 0 and r.stdout.strip() else None
    return r.returncode, rec, r.stderr.strip()


def gdb_threads(a, core):
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(GDB_PROBE)
        probe = f.name
    try:
        r = subprocess.run(["gdb", "-batch", "-nx", "-ex", f"core-file {core}", "-x", probe],
                           capture_output=True, text=True, timeout=a.timeout)
    finally:
        os.unlink(probe)
    for line in r.stdout.splitlines():
        if line.startswith("VHJSON "):
            return {t["lwp"]: t["regs"] for t in json.loads(line[7:])["threads"]}
    return None


def read_u64(path, loads, tools, vaddr):
    pa = kvtop(tools, path, [vaddr])[vaddr]
    with open(path, "rb") as f:
        f.seek(file_offset(loads, pa))
        return int.from_bytes(f.read(8), "little")


def check_refusals(a, lab, tmp):
    fails = []
    vmlinux, dump = os.path.join(lab, "vmlinux"), os.path.join(lab, "qemu.elf")
    out = os.path.join(tmp, "refused.core")
    for pid, want in ((999999, "no task with pid 999999"), (2, "kernel thread")):
        rc, _, err = write(a, vmlinux, dump, pid, out)
        if rc == 0 or want not in err or os.path.exists(out):
            fails.append(f"pid {pid}: exit {rc}, message {err!r}, expected {want!r} and no file")
    with open(out, "w") as f:
        f.write("keep me")
    truth = json.load(open(os.path.join(lab, "truth.json")))
    pid = next(p["pid"] for p in truth["plants"] if p["kind"] == "threads")
    rc, _, err = write(a, vmlinux, dump, pid, out, force=False)
    if rc == 0 or "exists" not in err or open(out).read() != "keep me":
        fails.append(f"existing file without --force: exit {rc}, {err!r}, file changed")
    os.unlink(out)
    sample = os.path.join(a.src, "samples", "core.inject.zst")
    r = subprocess.run([a.writer, sample, "1", out], capture_output=True, text=True,
                       timeout=a.timeout)
    if r.returncode == 0 or "process core" not in r.stderr or os.path.exists(out):
        fails.append(f"a process core as the dump: exit {r.returncode}, {r.stderr.strip()!r}")
    print(f"{'ok  ' if not fails else 'FAIL'} refusals: unknown pid, kernel thread, "
          "existing file, process core")
    return fails


def prstatus_notes(path):
    """File offsets of the descriptions of the NT_PRSTATUS notes of an ELF vmcore."""
    with open(path, "rb") as f:
        eh = f.read(64)
        phoff, = struct.unpack_from("<Q", eh, 32)
        phentsize, phnum = struct.unpack_from("<HH", eh, 54)
        f.seek(phoff)
        ph = f.read(phentsize * phnum)
        offs = []
        for i in range(phnum):
            p_type, _, off, _, _, filesz = struct.unpack_from("<IIQQQQ", ph, i * phentsize)
            if p_type != 4:
                continue
            f.seek(off)
            data = f.read(filesz)
            pos = 0
            while pos + 12 <= len(data):
                namesz, descsz, ntype = struct.unpack_from("<III", data, pos)
                desc = pos + 12 + (namesz + 3) // 4 * 4
                if ntype == 1 and descsz >= 336:
                    offs.append(off + desc)
                pos = desc + (descsz + 3) // 4 * 4
        return offs


def check_on_cpu(a, lab, tmp, pid, workers):
    """A worker running in user mode on a CPU when the kdump was taken: the crash
    note of that CPU names it and holds its user registers, which the core must
    take instead of its kernel stack's (made here: an idle CPU's note of a copy
    of vmcore.elf names the worker, in user mode, with marker registers). The
    same note in kernel mode (cs 0x10) changes nothing."""
    src = os.path.join(lab, "vmcore.elf")
    if not os.path.exists(src):
        return []
    copy = os.path.join(tmp, "vmcore.elf")
    shutil.copyfile(src, copy)
    notes = prstatus_notes(copy)
    fails = []
    with open(copy, "r+b") as f:
        idle = None
        for off in notes:
            f.seek(off + 32)
            if struct.unpack("<i", f.read(4))[0] == 0:
                idle = off
        if idle is None:
            return [f"{os.path.basename(lab)} on-cpu: no idle CPU's NT_PRSTATUS in vmcore.elf"]
        w = workers[3]
        regs = {3: 0x0c0ffee000000012, 16: 0x401234, 17: 0x33, 19: 0x7ffd00001000, 20: 0x2b,
                21: 0x7f00deadb000}
        f.seek(idle + 32)
        f.write(struct.pack("<i", w["tid"]))
        for i, v in regs.items():
            f.seek(idle + 112 + 8 * i)
            f.write(struct.pack("<Q", v))
    out = os.path.join(tmp, "oncpu.core")
    for mode in ("user", "kernel"):
        if mode == "kernel":
            with open(copy, "r+b") as f:
                f.seek(idle + 112 + 8 * 17)
                f.write(struct.pack("<Q", 0x10))
        rc, rec, err = write(a, os.path.join(lab, "vmlinux"), copy, pid, out)
        got = gdb_threads(a, out) if rc == 0 else None
        where = f"{os.path.basename(lab)} on-cpu ({mode} mode)"
        if rc != 0 or got is None:
            fails.append(f"{where}: exit {rc}: {err}")
            continue
        r = got.get(w["tid"], {})
        if mode == "user":
            want = {"rip": 0x401234, "r12": regs[3], "rsp": regs[19], "fs_base": regs[21]}
            if rec["regs_from_cpu"] != [w["tid"]]:
                fails.append(f"{where}: regs_from_cpu {rec['regs_from_cpu']}")
        else:
            want = {"rip": int(w["rip"], 16), "r12": int(w["r12"], 16)}
            if rec["regs_from_cpu"]:
                fails.append(f"{where}: regs_from_cpu {rec['regs_from_cpu']}")
        for k, v in want.items():
            if r.get(k) != v:
                fails.append(f"{where}: worker {w['tid']} ${k} {r.get(k)}, expected {v:#x}")
        others = [x for x in workers if x["tid"] != w["tid"]]
        if any(got.get(x["tid"], {}).get("r12") != int(x["r12"], 16) for x in others):
            fails.append(f"{where}: the other workers' registers changed")
        print(f"{'ok  ' if not fails else 'FAIL'} {where}: regs_from_cpu {rec['regs_from_cpu']}")
    os.unlink(copy)
    return fails


def check_lab(a, lab):
    truth = json.load(open(os.path.join(lab, "truth.json")))
    plant = next(p for p in truth["plants"] if p["kind"] == "threads")
    pid, workers = plant["pid"], plant["regs"]
    vmlinux = os.path.join(lab, "vmlinux")
    off = profile_offsets(a.tools, vmlinux)
    r = subprocess.run([a.vmahunt, "ps", "--threads", "--json", "--vmlinux", vmlinux,
                        os.path.join(lab, "qemu.elf")], capture_output=True, text=True, check=True)
    tasks = {o["pid"]: int(o["task_struct"], 16) for o in map(json.loads, r.stdout.splitlines())
             if o["type"] == "task"}
    r = subprocess.run([a.vmahunt, "ps", "--json", "--vmlinux", vmlinux,
                        os.path.join(lab, "qemu.elf")], capture_output=True, text=True, check=True)
    mm = next(int(o["mm"], 16) for o in map(json.loads, r.stdout.splitlines())
              if o["type"] == "task" and o["pid"] == pid)
    fails = []
    with tempfile.TemporaryDirectory(prefix="vh-core-damage-", dir=a.tmpdir) as tmp:
        copy = os.path.join(tmp, "qemu.elf")
        shutil.copyfile(os.path.join(lab, "qemu.elf"), copy)
        patcher, loads = Patcher(copy, a.tools), elf_loads(copy)
        w1, w2 = workers[0], workers[1]
        stack2 = read_u64(copy, loads, a.tools, tasks[w2["tid"]] + off["task_struct.stack"])
        cases = {
            "stack": [(tasks[w1["tid"]] + off["task_struct.stack"], UNMAPPED)],
            "regs": [(stack2 + THREAD_SIZE - PT_REGS + 8 * CS, 0x10)],
            "pgd": [(mm + off["mm_struct.pgd"], 0x1234000)],
        }
        out = os.path.join(tmp, "core")
        for name, patches in cases.items():
            saved = patcher.apply(patches)
            try:
                rc, rec, err = write(a, vmlinux, copy, pid, out)
                regs = gdb_threads(a, out) if rc == 0 else None
            finally:
                patcher.restore(saved)
            f0 = len(fails)
            where = f"{os.path.basename(lab)} {name}"
            if rc != 0 or rec is None or regs is None:
                fails.append(f"{where}: exit {rc}: {err}")
                continue
            warns = " | ".join(rec["warnings"])
            if rec["threads"] != 9 or len(regs) != 9:
                fails.append(f"{where}: {rec['threads']} threads in the record, {len(regs)} in gdb")
            damaged = {"stack": w1["tid"], "regs": w2["tid"]}.get(name)
            for w in workers:
                got = regs.get(w["tid"], {})
                if w["tid"] == damaged and name == "stack":
                    if got.get("rip") != 0:
                        fails.append(f"{where}: damaged worker's rip {got.get('rip')}, expected 0")
                    continue
                for reg in ("rip", "r12", "r13", "r14", "r15"):
                    if got.get(reg) != int(w[reg], 16):
                        fails.append(f"{where}: worker {w['tid']} ${reg} {got.get(reg)}, "
                                     f"expected {w[reg]}")
            if damaged and f"tid {damaged}" not in warns:
                fails.append(f"{where}: no warning names tid {damaged}: {warns}")
            if name == "regs" and "not user registers" not in warns:
                fails.append(f"{where}: no 'not user registers' warning: {warns}")
            if name == "pgd" and (rec["memory_bytes"] != 0 or "page tables not found" not in warns):
                fails.append(f"{where}: {rec['memory_bytes']} bytes of memory, warnings {warns}")
            print(f"{'ok  ' if len(fails) == f0 else 'FAIL'} {where}: {warns[:160]}")
        os.unlink(copy)
        fails += check_on_cpu(a, lab, tmp, pid, workers)
        fails += check_refusals(a, lab, tmp)
    return fails


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vmahunt", required=True)
    ap.add_argument("--tools", required=True)
    ap.add_argument("--writer", required=True)
    ap.add_argument("--src", required=True)
    ap.add_argument("--tmpdir", default=None)
    ap.add_argument("--timeout", type=int, default=300)
    ap.add_argument("labs", nargs="+")
    a = ap.parse_args()
    fails = []
    for lab in a.labs:
        fails += check_lab(a, lab)
    for f in fails:
        print("FAIL:", f)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
