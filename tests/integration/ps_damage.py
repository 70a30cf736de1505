#!/usr/bin/env python3
"""Damaged task lists on a copy of a real dump: `vmahunt ps` must list every task
it can still reach, warn naming the bad address, exit 0 and never hang.

The copy is the lab's kdump /proc/vmcore (vmcore.elf: its crashkernel region
is a hole the direct map still covers, which makes a real unreadable page), or
its QEMU ELF dump when there is no kdump one; each case overwrites a few list pointers in it
(found through `vmahunt ps --json` for the task_struct addresses, vh-profile for
the offsets, vh-kvtop for the physical addresses, the ELF PT_LOADs for the file
offsets), runs ps, checks, and puts the original bytes back.

Cases:
  cycle       a task's tasks.next points back at an earlier task (kthreadd)
  poison      a task's tasks.next is LIST_POISON1 (not a kernel address)
  nowhere     a task's tasks.next is a kernel address no page table maps
  unreadable  a task's tasks.next points at a page the direct map covers and the
              dump does not hold (skipped, saying so, when the dump has no such hole)
  head        init_task's own tasks.next is poisoned (forward walk gets nothing)
  both        the task list broken in both directions: the tasks between the
              breaks are found through their parent's children list
  threads     a thread's thread_node.next points nowhere: the group's threads
              are still all found (walked back from signal->thread_head)
  random-N    (seeded) 64 words inside random task_structs, half of them in
              the fields the walks read, overwritten with
              zero, LIST_POISON1, random bits, or pointers into other tasks:
              ps must exit 0 in time (no crash, no hang; run it under ASan)
"""
import argparse
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile

LIST_POISON1 = 0xdead000000000100
UNMAPPED = 0xffff800000001000  # the guard hole at the start of the kernel half


def run_ps(vmahunt, vmlinux, dump, timeout):
    cmd = [vmahunt, "ps", "--threads", "--json", "--vmlinux", vmlinux, dump]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    recs = [json.loads(line) for line in r.stdout.splitlines()]
    return r.returncode, r.stderr, [o for o in recs if o["type"] == "task"], \
        [o["message"] for o in recs if o["type"] == "warning"]


def profile_offsets(tools, vmlinux):
    """Member offsets ("task_struct.tasks") and struct sizes ("struct task_struct")."""
    out = subprocess.run([os.path.join(tools, "vh-profile"), vmlinux], capture_output=True,
                         text=True, check=True).stdout
    off = {}
    for line in out.splitlines():
        f = line.split()
        if f[0] == "member":
            off.setdefault(f[1], int(f[2]))
        elif f[0] == "struct":
            off.setdefault("struct " + f[1], int(f[2]))
    return off


def random_patches(rng, addrs, size, hot, n=64):
    """n words of random task_structs, half of them where the walks look (@hot
    offsets), random values."""
    patches = {}
    for _ in range(n):
        task = rng.choice(addrs)
        where = task + (rng.choice(hot) if rng.random() < 0.5 else
                        rng.randrange(0, size // 8) * 8)
        other = rng.choice(addrs)
        value = rng.choice([0, LIST_POISON1, rng.getrandbits(64), other,
                            other + rng.randrange(0, size // 8) * 8, where])
        patches[where] = value
    return list(patches.items())


def kvtop(tools, dump, vaddrs):
    out = subprocess.run([os.path.join(tools, "vh-kvtop"), dump] + [hex(v) for v in vaddrs],
                         capture_output=True, text=True, check=True).stdout
    res = {}
    for line in out.splitlines():
        va, pa = line.split()
        res[int(va, 16)] = None if pa == "-" else int(pa, 16)
    return res


def elf_loads(path):
    with open(path, "rb") as f:
        eh = f.read(64)
        assert eh[:4] == b"\x7fELF" and eh[4] == 2, "not an ELF64 file"
        phoff, = struct.unpack_from("<Q", eh, 32)
        phentsize, phnum = struct.unpack_from("<HH", eh, 54)
        f.seek(phoff)
        ph = f.read(phentsize * phnum)
    loads = []
    for i in range(phnum):
        p_type, _, p_offset, _, p_paddr, p_filesz = struct.unpack_from("<IIQQQQ", ph,
                                                                        i * phentsize)
        if p_type == 1:
            loads.append((p_paddr, p_filesz, p_offset))
    return loads


def file_offset(loads, paddr):
    for start, size, off in loads:
        if start <= paddr and paddr + 8 <= start + size:
            return off + paddr - start
    raise RuntimeError(f"physical 0x{paddr:x} is in no PT_LOAD")


def unreadable_address(vmahunt, tools, dump, pob):
    """A direct-map address whose page translates but is outside the dump's ranges."""
    info = json.loads(subprocess.run([vmahunt, "info", "--json", dump], capture_output=True,
                                     text=True, check=True).stdout.splitlines()[0])
    ranges = [(int(r["start"], 16), int(r["end"], 16)) for r in info["ranges"]]
    for (_, end), (start, _) in zip(ranges, ranges[1:]):
        if start - end >= 0x2000:
            va = pob + end + 0x1000
            if kvtop(tools, dump, [va])[va] is not None:
                return va
    return None


class Patcher:
    def __init__(self, path, tools):
        self.path, self.tools, self.loads = path, tools, elf_loads(path)

    def apply(self, patches):
        """patches: [(vaddr, u64)]; returns the original bytes to restore."""
        phys = kvtop(self.tools, self.path, [v for v, _ in patches])
        saved = []
        with open(self.path, "r+b") as f:
            for vaddr, value in patches:
                if phys[vaddr] is None:
                    raise RuntimeError(f"0x{vaddr:x} does not translate")
                off = file_offset(self.loads, phys[vaddr])
                f.seek(off)
                saved.append((off, f.read(8)))
                f.seek(off)
                f.write(struct.pack("<Q", value))
        return saved

    def restore(self, saved):
        with open(self.path, "r+b") as f:
            for off, data in reversed(saved):
                f.seek(off)
                f.write(data)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--vmahunt", required=True)
    ap.add_argument("--tools", required=True)
    ap.add_argument("--timeout", type=int, default=120)
    ap.add_argument("--random-rounds", type=int, default=8)
    ap.add_argument("lab")
    a = ap.parse_args()
    src = os.path.join(a.lab, "vmcore.elf")
    if not os.path.exists(src):
        src = os.path.join(a.lab, "qemu.elf")
    vmlinux = os.path.join(a.lab, "vmlinux")
    rc, err, base, _ = run_ps(a.vmahunt, vmlinux, src, a.timeout)
    if rc != 0:
        print(f"FAIL: ps on the intact {src}: exit {rc}: {err}")
        return 1
    by_pid = {t["pid"]: t for t in base}
    addr = {t["pid"]: int(t["task_struct"], 16) for t in base}
    off = profile_offsets(a.tools, vmlinux)
    t_tasks = off["task_struct.tasks"]
    t_node = off["task_struct.thread_node"]
    users = sorted(t["pid"] for t in base if t["leader"] and not t["kthread"] and t["pid"] > 1)
    if len(users) < 5:
        print(f"FAIL: {src}: too few user processes to damage ({users})")
        return 1
    a_pid, c_pid = users[1], users[4]
    a_next = addr[a_pid] + t_tasks
    # the direct map's base, from a slab-allocated task: virtual minus physical
    pob = addr[a_pid] - kvtop(a.tools, src, [addr[a_pid]])[addr[a_pid]]
    hole = unreadable_address(a.vmahunt, a.tools, src, pob)
    group = max((t for t in base if t["leader"]), key=lambda t: t["threads"])
    threads = sorted(t["pid"] for t in base if t["tgid"] == group["tgid"] and not t["leader"])
    cases = [
        ("cycle", [(a_next, addr[2] + t_tasks)], addr[2] + t_tasks),
        ("poison", [(a_next, LIST_POISON1)], LIST_POISON1),
        ("nowhere", [(a_next, UNMAPPED)], UNMAPPED),
        ("head", [(addr[0] + t_tasks, LIST_POISON1)], LIST_POISON1),
        ("both", [(a_next, LIST_POISON1), (addr[c_pid] + t_tasks + 8, UNMAPPED)], UNMAPPED),
    ]
    if hole is not None:
        cases.append(("unreadable", [(a_next, hole + t_tasks)], hole + t_tasks))
    else:
        print(f"unreadable: skipped: {src} has no hole in its physical ranges that the "
              "direct map covers")
    if threads:
        cases.append(("threads", [(addr[threads[0]] + t_node, UNMAPPED)], UNMAPPED))
    rng = random.Random(20261121)
    hot = sorted({(off[f"task_struct.{m}"] + k) & ~7
                  for m in ("tasks", "children", "sibling", "thread_node", "pid", "real_parent",
                            "signal", "real_cred", "mm", "comm")
                  if f"task_struct.{m}" in off for k in (0, 8)})
    task_addrs = sorted(addr.values())
    for i in range(a.random_rounds):
        cases.append((f"random-{i}", random_patches(rng, task_addrs,
                                                    off["struct task_struct"], hot), None))
    failures = 0
    with tempfile.TemporaryDirectory(prefix="vh-ps-damage-") as tmp:
        copy = os.path.join(tmp, "damaged.elf")
        shutil.copyfile(src, copy)
        patcher = Patcher(copy, a.tools)
        for name, patches, bad in cases:
            saved = patcher.apply(patches)
            try:
                rc, err, tasks, warnings = run_ps(a.vmahunt, vmlinux, copy, a.timeout)
            except subprocess.TimeoutExpired:
                rc, err, tasks, warnings = None, "timed out (a hang)", [], []
            finally:
                patcher.restore(saved)
            got = {t["pid"]: t for t in tasks}
            errs = []
            if rc != 0:
                errs.append(f"exit {rc}: {err.strip()}")
            if bad is None:  # random damage: only no crash, no hang, exit 0
                print(f"{name}: exit {rc}, {len(tasks)} tasks listed, {len(warnings)} warnings")
                for e in errs:
                    print(f"  FAIL: {name}: {e}")
                failures += bool(errs)
                continue
            missing = sorted(set(by_pid) - set(got))
            extra = sorted(set(got) - set(by_pid))
            if missing:
                errs.append(f"tasks not recovered: {missing}")
            if extra:
                errs.append(f"tasks that are not tasks: {extra}")
            for pid in set(got) & set(by_pid):
                if (got[pid]["tgid"], got[pid]["comm"]) != (by_pid[pid]["tgid"],
                                                            by_pid[pid]["comm"]):
                    errs.append(f"pid {pid} read differently")
            named = [w for w in warnings if f"0x{bad:x}" in w]
            if not named:
                errs.append(f"no warning names 0x{bad:x}: {warnings}")
            vias = sorted({t["via"] for t in tasks})
            if name == "both" and "children" not in vias:
                errs.append(f"nothing found through the children lists (via: {vias})")
            print(f"{name}: exit {rc}, {len(got)}/{len(by_pid)} tasks, via {vias}, "
                  f"{len(warnings)} warnings; {named[0] if named else '-'}")
            for e in errs:
                print(f"  FAIL: {name}: {e}")
            failures += bool(errs)
    print(f"{len(cases)} cases, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
