#!/usr/bin/env python3
"""Damaged VMA trees on copies of real dumps: `vmahunt maps` must list every VMA
it can still reach, warn naming the bad address, exit 0 and never hang.

For each lab folder given, the copy is its QEMU ELF dump (qemu.elf); a case
overwrites a few 8-byte words in it (addresses from `vmahunt maps --json`,
offsets from vh-profile, physical addresses from vh-kvtop, file offsets from
the ELF PT_LOADs: helpers shared with ps_damage.py), runs maps, checks, and
puts the original bytes back.

Maple tree kernels (6.1+), on the process with the most VMAs:
  maple-cycle    an internal node's slot points back at the root node
  maple-pivot    the root's pivots stop rising (pivot 1 below pivot 0)
  maple-nowhere  a root slot points at a node no page table maps
  overlap        a VMA's vm_start moved below its predecessor's end
  file-nowhere   a VMA's vm_file points nowhere (listed as "[unreadable file]")
Before 6.1 (vm_next list + mm_rb):
  list-cycle     a VMA's vm_next points back at the first VMA
  list-nowhere   a VMA's vm_next points nowhere
  rb-cycle       a VMA's rb_left points back at the tree's root node
  list-skip      a VMA unlinked from the vm_next list only (mm_rb still has it)
  (each time the other structure still has every VMA: the result is whole)

Also, not damage: vsyscall_mode patched to XONLY (the lab's kernels run with
vsyscall=none): every process must end with the [vsyscall] gate VMA; and an
anonymous VMA given an anon_vma_name (5.17+) is listed as [anon:NAME].

Checked: exit 0 within the timeout, a warning naming the bad address, every
other process's map unchanged, the damaged process's lines a subset of its
intact map (whole where the other structure still holds everything) and not
empty.
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ps_damage import Patcher, file_offset, kvtop, profile_offsets  # noqa: E402
from labtest import main_over_labs  # noqa: E402

UNMAPPED = 0xffff800000001000  # the guard hole at the start of the kernel half


def run_maps(vmahunt, vmlinux, dump, timeout):
    cmd = [vmahunt, "maps", "--json", "--vmlinux", vmlinux, dump]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    recs = [json.loads(line) for line in r.stdout.splitlines()]
    procs = {}
    for o in recs:
        if o["type"] == "vma":
            procs.setdefault(o["pid"], []).append(o)
    return r.returncode, r.stderr, procs, [o["message"] for o in recs if o["type"] == "warning"]


def key(v):
    return (v["start"], v["end"], v["perms"], v["offset"], v["dev"], v["inode"], v["path"])


class Reader:
    """Reads 8-byte words of kernel memory from an ELF dump."""

    def __init__(self, path, tools, loads):
        self.path, self.tools, self.loads = path, tools, loads

    def u64s(self, vaddr, n):
        pa = kvtop(self.tools, self.path, [vaddr])[vaddr]
        if pa is None:
            raise RuntimeError(f"0x{vaddr:x} does not translate")
        with open(self.path, "rb") as f:
            f.seek(file_offset(self.loads, pa))
            return list(struct.unpack(f"<{n}Q", f.read(8 * n)))


def maple_cases(rd, off, procs):
    pid = max(procs, key=lambda p: len(procs[p]))
    mm = int(procs[pid][0]["mm"], 16)
    root = rd.u64s(mm + off["mm_struct.mm_mt"] + off["maple_tree.ma_root"], 1)[0]
    node = root & ~0xff
    assert (root >> 3) & 0xf == 3, "the big process's root is not a maple_arange_64"
    pivots = rd.u64s(node + off["maple_arange_64.pivot"], 9)
    slots = rd.u64s(node + off["maple_arange_64.slot"], 10)
    child = slots[0]
    assert (child >> 3) & 0xf == 3, "the root's first child is not internal"
    slot_off = off["maple_arange_64.slot"]
    small = min((p for p in procs if p != pid and len(procs[p]) > 4), key=lambda p: p)
    vmas = procs[small]
    filed = next(v for v in vmas if v["file"])
    second = vmas[2]
    return [
        ("maple-cycle", pid, [((child & ~0xff) + slot_off, root & ~3)], node, False),
        ("maple-pivot", pid, [(node + off["maple_arange_64.pivot"] + 8, pivots[0] - 1)], node,
         False),
        ("maple-nowhere", pid, [(node + slot_off + 8, UNMAPPED | (slots[1] & 0xff))], UNMAPPED,
         False),
        ("overlap", small, [(int(second["vm_area_struct"], 16) + off["vm_area_struct.vm_start"],
                             int(vmas[1]["start"], 16))], int(second["vm_area_struct"], 16),
         False),
        ("file-nowhere", small, [(int(filed["vm_area_struct"], 16) + off["vm_area_struct.vm_file"],
                                  UNMAPPED)], UNMAPPED, False),
    ]


def old_cases(rd, off, procs):
    pid = min((p for p in procs if len(procs[p]) > 6), key=lambda p: p)
    vmas = [int(v["vm_area_struct"], 16) for v in procs[pid] if "list" in v["found_in"]]
    mm = int(procs[pid][0]["mm"], 16)
    rb_root = rd.u64s(mm + off["mm_struct.mm_rb"], 1)[0]
    rb = off["vm_area_struct.vm_rb"]
    # a VMA whose rbtree node has no left child: its rb_left can close a cycle
    leafy = next(v for v in vmas if rd.u64s(v + rb + off["rb_node.rb_left"], 1)[0] == 0)
    return [
        ("list-cycle", pid, [(vmas[2] + off["vm_area_struct.vm_next"], vmas[0])], vmas[0], True),
        ("list-nowhere", pid, [(vmas[3] + off["vm_area_struct.vm_next"], UNMAPPED)], UNMAPPED,
         True),
        ("rb-cycle", pid, [(leafy + rb + off["rb_node.rb_left"], rb_root)], rb_root, True),
        # a VMA unlinked from the list only (hidden from a list walker): mm_rb still has it
        ("list-skip", pid, [(vmas[1] + off["vm_area_struct.vm_next"], vmas[3])], vmas[2], True),
    ]


def kaslr_offset(vmahunt, dump):
    info = json.loads(subprocess.run([vmahunt, "info", "--json", dump], capture_output=True,
                                     text=True, check=True).stdout.splitlines()[0])
    return int(info["kaslr_offset"], 16)


def symbol(tools, vmlinux, name):
    out = subprocess.run([os.path.join(tools, "vh-profile"), vmlinux], capture_output=True,
                         text=True, check=True).stdout
    for line in out.splitlines():
        f = line.split()
        if f[0] == "symbol" and f[1] == name:
            return int(f[2], 16)
    return None


def check_vsyscall(a, lab, copy, patcher, rd, vmlinux, base):
    """vsyscall_mode set to XONLY in the copy: every process ends with [vsyscall]
    (the gate VMA, in no mm; its flags as the kernel set them at boot)."""
    sym = symbol(a.tools, vmlinux, "vsyscall_mode")
    if sym is None:
        print(f"{os.path.basename(lab)} vsyscall: skipped: no vsyscall_mode symbol")
        return []
    addr = sym + kaslr_offset(a.vmahunt, copy)
    word = rd.u64s(addr, 1)[0]
    saved = patcher.apply([(addr, (word & ~0xffffffff) | 1)])
    try:
        rc, err, got, warnings = run_maps(a.vmahunt, vmlinux, copy, a.timeout)
    finally:
        patcher.restore(saved)
    errs = [] if rc == 0 else [f"exit {rc}: {err.strip()[:300]}"]
    for p in base:
        vmas = got.get(p, [])
        if [key(v) for v in vmas[:-1]] != [key(v) for v in base[p]]:
            errs.append(f"pid {p}: the VMAs before the gate differ")
        last = vmas[-1] if vmas else {}
        if (last.get("start"), last.get("end"), last.get("path"), last.get("found_in")) != \
                ("0xffffffffff600000", "0xffffffffff601000", "[vsyscall]", ["gate"]):
            errs.append(f"pid {p}: last VMA is not the gate: {last}")
    print(f"{os.path.basename(lab)} vsyscall: {'ok' if not errs else 'FAIL'}: "
          f"{len(base)} processes end with "
          f"{next(iter(got.values()))[-1]['perms'] if got else '-'} [vsyscall]")
    return [f"{lab} vsyscall: {e}" for e in errs]


def check_anon_name(a, lab, copy, patcher, vmlinux, off, base):
    """An anonymous VMA's anon_name pointed at linux_banner ("Linux version ...": the
    name after the 4-byte refcount is "x version ..."): the VMA is listed as
    [anon:x version ...] (5.17+)."""
    if "vm_area_struct.anon_name" not in off:
        print(f"{os.path.basename(lab)} anon-name: skipped: no vm_area_struct.anon_name")
        return []
    pid = min(p for p in base if len(base[p]) > 4)
    v = next(v for v in base[pid] if not v["file"] and not v["path"])
    banner = symbol(a.tools, vmlinux, "linux_banner") + kaslr_offset(a.vmahunt, copy)
    saved = patcher.apply([(int(v["vm_area_struct"], 16) + off["vm_area_struct.anon_name"],
                            banner)])
    try:
        rc, err, got, _ = run_maps(a.vmahunt, vmlinux, copy, a.timeout)
    finally:
        patcher.restore(saved)
    errs = [] if rc == 0 else [f"exit {rc}: {err.strip()[:300]}"]
    named = [g for g in got.get(pid, []) if g["vm_area_struct"] == v["vm_area_struct"]]
    if not named or not named[0]["path"].startswith("[anon:x version "):
        errs.append(f"pid {pid}: VMA {v['vm_area_struct']} named {named[0]['path'] if named else '-'!r}")
    print(f"{os.path.basename(lab)} anon-name: {'ok' if not errs else 'FAIL'}: "
          f"{named[0]['path'][:40] if named else '-'}...")
    return [f"{lab} anon-name: {e}" for e in errs]


def check_lab(a, lab):
    src = os.path.join(lab, "qemu.elf")
    vmlinux = os.path.join(lab, "vmlinux")
    rc, err, base, _ = run_maps(a.vmahunt, vmlinux, src, a.timeout)
    if rc != 0:
        return [f"{src}: maps on the intact dump: exit {rc}: {err}"]
    off = profile_offsets(a.tools, vmlinux)
    fails = []
    with tempfile.TemporaryDirectory(prefix="vh-maps-damage-") as tmp:
        copy = os.path.join(tmp, "damaged.elf")
        shutil.copyfile(src, copy)
        patcher = Patcher(copy, a.tools)
        rd = Reader(copy, a.tools, patcher.loads)
        maple = "mm_struct.mm_mt" in off
        cases = maple_cases(rd, off, base) if maple else old_cases(rd, off, base)
        for name, pid, patches, bad, whole in cases:
            saved = patcher.apply(patches)
            try:
                rc, err, got, warnings = run_maps(a.vmahunt, vmlinux, copy, a.timeout)
            except subprocess.TimeoutExpired:
                rc, err, got, warnings = None, "timed out (a hang)", {}, []
            finally:
                patcher.restore(saved)
            errs = []
            if rc != 0:
                errs.append(f"exit {rc}: {err.strip()[:300]}")
            if not any(f"{bad:#x}" in w for w in warnings):
                errs.append(f"no warning names {bad:#x}: {warnings[:3]}")
            for p in base:
                if p != pid and [key(v) for v in got.get(p, [])] != [key(v) for v in base[p]]:
                    errs.append(f"pid {p} (not damaged) read differently")
            want = [key(v) for v in base[pid]]
            have = [key(v) for v in got.get(pid, [])]
            if not have:
                errs.append(f"pid {pid}: nothing listed")
            extra = set(have) - set(want)
            if name == "overlap":  # the moved VMA itself
                extra = {k for k in extra if k[1] != base[pid][2]["end"]}
            if name == "file-nowhere":  # the VMA whose file is gone, marked so
                extra = {k for k in extra if k[6] != "[unreadable file]"}
            if extra:
                errs.append(f"pid {pid}: {len(extra)} VMAs that are not in the intact map")
            if whole and have != want:
                errs.append(f"pid {pid}: {len(have)} VMAs, intact {len(want)}: expected all "
                            "from the undamaged structure")
            status = "ok" if not errs else "FAIL"
            print(f"{os.path.basename(lab)} {name}: {status}: pid {pid} {len(have)}/{len(want)} "
                  f"VMAs, {len(warnings)} warnings; first: "
                  f"{next((w for w in warnings if f'{bad:#x}' in w), '-')}")
            fails += [f"{lab} {name}: {e}" for e in errs]
        fails += check_vsyscall(a, lab, copy, patcher, rd, vmlinux, base)
        fails += check_anon_name(a, lab, copy, patcher, vmlinux, off, base)
    return fails


if __name__ == "__main__":
    sys.exit(main_over_labs(__doc__, check_lab, 120))
