#!/usr/bin/env python3
"""Page-table anomalies planted in copies of real dumps: the page-table
detectors must report each with the right pid, range and kind, and walk
around damaged page tables with a warning.

For each lab folder given, the copy is its QEMU ELF dump (qemu.elf). The
target is pid 1 (init): its mm->pgd translated with vh-kvtop is the root, and
vh-uwalk gives the physical address of each page-table entry. A case
overwrites one or two 8-byte entries, runs `vmahunt scan --json --detector
hidden-pages,pte-perm,code-modified`, checks, and puts the original bytes back.

  pte-writable    the RW bit set in a PTE of an r-x file VMA -> pte-perm, writable
  pte-exec        NX cleared in a PTE of a VMA without VM_EXEC -> pte-perm, executable
  hidden-present  a present PTE (a copy of a VMA's) in a slot outside every VMA
                  -> hidden-pages, present, exactly that page, high
  hidden-swap     a non-present, non-zero PTE outside every VMA -> hidden-pages, swap
  code-cow        a text PTE pointed at an anonymous page (one of init's stack
                  pages): the file's page replaced -> code-modified, cow
  pmd-cycle       a PMD entry pointing back at the top-level table: a warning
                  naming it, no hang
  pmd-outside     a PMD entry pointing beyond RAM: a warning, no hang
  random-N        (--random-rounds N) 24 random entries of init's upper tables
                  and page tables overwritten (random values, pointers back at
                  its tables, non-present garbage): exit 0, no hang

The intact copy must give no finding from these detectors except about the
lab's own plants (tests/integration/labtest.py), which become the baseline:
in each case no other finding than the planted one appears.
"""
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ps_damage import elf_loads, file_offset, kvtop, profile_offsets  # noqa: E402
from labtest import finding_key, main_over_labs, planted_pids  # noqa: E402

PAGE = 4096
P, RW, US, NX = 1, 2, 4, 1 << 63
ADDR = 0x000ffffffffff000
DETECTORS = "hidden-pages,pte-perm,code-modified"


def run(cmd, timeout=None):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


# findings of the intact dump about the lab's own plants (labtest.py): not the planting's
BASELINE = set()


def scan(a, vmlinux, dump):
    r = run([a.vmahunt, "scan", "--json", "--detector", DETECTORS, "--vmlinux", vmlinux, dump],
            a.timeout)
    objs = [json.loads(line) for line in r.stdout.splitlines()]
    return (r.returncode, r.stderr,
            [o for o in objs if o["type"] == "finding" and finding_key(o) not in BASELINE],
            [o["message"] for o in objs if o["type"] == "warning"])


class Tables:
    """pid 1's page-table entries, read with vh-uwalk; patched by physical address."""

    def __init__(self, a, dump, root, levels):
        self.a, self.dump, self.root, self.levels = a, dump, root, levels
        self.loads = elf_loads(dump)

    def path(self, va):
        """[(level, entry_paddr, entry)] from the top level down."""
        out = run([os.path.join(self.a.tools, "vh-uwalk"), self.dump, hex(self.root),
                   str(self.levels), hex(va)]).stdout
        res = []
        for line in out.splitlines():
            _, lvl, at, e = line.split()
            res.append((int(lvl), int(at, 16), None if e == "-" else int(e, 16)))
        return res

    def leaf(self, va):
        """(entry_paddr, entry) of a present 4 KiB PTE, or None."""
        p = self.path(va)
        lvl, at, e = p[-1]
        return (at, e) if lvl == 1 and e is not None and e & P else None

    def patch(self, patches):
        saved = []
        with open(self.dump, "r+b") as f:
            for paddr, value in patches:
                off = file_offset(self.loads, paddr)
                f.seek(off)
                saved.append((off, f.read(8)))
                f.seek(off)
                f.write(struct.pack("<Q", value))
        return saved

    def restore(self, saved):
        with open(self.dump, "r+b") as f:
            for off, data in reversed(saved):
                f.seek(off)
                f.write(data)


def inside(vmas, va):
    return any(v["start"] <= va < v["end"] for v in vmas)


def cases(t, vmas):
    """(name, patches, expected finding (detector, kind, start, end) or None, warning text)."""
    text = next(v for v in vmas if v["perms"] == "r-xp" and v["path"].startswith("/"))
    noexec = next(v for v in vmas if "x" not in v["perms"] and t.leaf(v["start"]))
    stack = next(v for v in vmas if v["path"] == "[stack]")
    tva = next(va for va in range(text["start"], text["end"], PAGE) if t.leaf(va))
    tat, te = t.leaf(tva)
    nat, ne = t.leaf(noexec["start"])
    sva = next(va for va in range(stack["end"] - PAGE, stack["start"] - 1, -PAGE) if t.leaf(va))
    _, se = t.leaf(sva)
    # two free slots in a page table that maps some VMA page
    pt_base = tat & ~0xfff
    free = [va for va in range(tva & ~0x1fffff, (tva & ~0x1fffff) + 0x200000, PAGE)
            if not inside(vmas, va)]
    if len(free) < 2:
        raise RuntimeError(f"no free PTE slots near 0x{tva:x}")
    h1, h2 = free[0], free[-1]
    slot = lambda va: pt_base + ((va >> 12) & 511) * 8  # noqa: E731
    pmd = [x for x in t.path(tva) if x[0] == 2][0]
    return [
        ("pte-writable", [(tat, te | RW)], ("pte-perm", "writable", tva, tva + PAGE), None),
        ("pte-exec", [(nat, ne & ~NX)],
         ("pte-perm", "executable", noexec["start"], noexec["start"] + PAGE), None),
        ("hidden-present", [(slot(h1), te)], ("hidden-pages", "present", h1, h1 + PAGE), None),
        ("hidden-swap", [(slot(h2), 0x12345000)], ("hidden-pages", "swap", h2, h2 + PAGE),
         None),
        ("code-cow", [(tat, (te & ~ADDR) | (se & ADDR))],
         ("code-modified", "cow", tva, tva + PAGE), None),
        ("pmd-cycle", [(pmd[1], (t.root & ADDR) | P | RW | US)], None, "already walked"),
        ("pmd-outside", [(pmd[1], 0x7fffffff000 | P | RW | US)], None, "unreadable"),
    ]


def random_rounds(a, t, vmas, rounds):
    """Random damage to init's page tables: each round overwrites entries along the
    paths of random VMA pages (every level) with random values."""
    rng = random.Random(0x5ca7 + t.levels)
    starts = [v["start"] for v in vmas if v["end"] <= 1 << 47]
    tables = sorted({at & ~0xfff for va in starts for _, at, _ in t.path(va)})
    out = []
    for r in range(rounds):
        patches = {}
        for _ in range(24):
            table = rng.choice(tables)
            slot = table + rng.randrange(512) * 8
            patches[slot] = rng.choice([
                rng.getrandbits(64),
                rng.choice(tables) | P | RW | US,
                (rng.getrandbits(40) << 12) | P | RW | US | rng.choice([0, 0x80]),
                rng.getrandbits(64) & ~P,
            ])
        out.append((f"random-{r}", list(patches.items()), None, None))
    return out


def check_lab(a, lab):
    src = os.path.join(lab, "qemu.elf")
    vmlinux = os.path.join(lab, "vmlinux")
    off, vmas, levels = pid1(a, lab)
    fails = []
    with tempfile.TemporaryDirectory(prefix="vh-pt-plants-") as tmp:
        copy = os.path.join(tmp, "planted.elf")
        shutil.copyfile(src, copy)
        t = pid1_tables(a, copy, off, vmas, levels)
        BASELINE.clear()
        rc, err, found, warns = scan(a, vmlinux, copy)
        planted = planted_pids(lab)
        strays = [f for f in found if f["pid"] not in planted]
        if rc != 0 or strays:
            fails.append(f"{lab} intact: exit {rc}, {len(strays)} findings: {strays[:2]}")
        BASELINE.update(finding_key(f) for f in found)
        for name, patches, want, warning in cases(t, vmas) + random_rounds(a, t, vmas,
                                                                           a.random_rounds):
            saved = t.patch(patches)
            try:
                rc, err, found, warns = scan(a, vmlinux, copy)
            except subprocess.TimeoutExpired:
                rc, err, found, warns = None, "timed out (a hang)", [], []
            finally:
                t.restore(saved)
            errs = [] if rc == 0 else [f"exit {rc}: {err.strip()[:300]}"]
            others = [f for f in found if f["pid"] != 1]
            if others and name.startswith("random"):
                # a random entry may land in a table another process shares (never
                # a user one): only a crash or a hang is a failure here
                others = []
            if others:
                errs.append(f"findings for other processes: {others[:2]}")
            got = [(f["detector"], f.get("kind"), int(f["start"], 16), int(f["end"], 16))
                   for f in found if f["pid"] == 1]
            if want and got != [want]:
                errs.append(f"pid 1: {[(d, k, hex(s), hex(e)) for d, k, s, e in got]}, "
                            f"expected {want[0]} {want[1]} 0x{want[2]:x}-0x{want[3]:x}")
            if want and want[1] == "present" and found[0]["severity"] != "high":
                errs.append(f"severity {found[0]['severity']}, expected high")
            if warning and not any(w.startswith("pid 1 (") and warning in w for w in warns):
                errs.append(f"no warning for pid 1 with '{warning}': {warns[:3]}")
            if name.startswith("random"):
                what = f"{len(found)} findings, {len(warns)} warnings"
            elif found:
                what = (f"{found[0]['detector']} {found[0].get('kind')} {found[0]['start']}-"
                        f"{found[0]['end']} {found[0]['reason']}")
            else:
                what = next((w for w in warns if warning and warning in w), "no finding")
            print(f"{os.path.basename(lab)} {name}: {'ok' if not errs else 'FAIL'}: {what}")
            fails += [f"{lab} {name}: {e}" for e in errs]
    return fails


def pid1(a, lab):
    """The profile's offsets, pid 1's VMAs (start and end as numbers) and the paging
    levels of the lab folder's qemu.elf."""
    src, vmlinux = os.path.join(lab, "qemu.elf"), os.path.join(lab, "vmlinux")
    maps = [json.loads(line) for line in run([a.vmahunt, "maps", "--json", "--vmlinux", vmlinux,
                                              src]).stdout.splitlines()]
    vmas = [dict(v, start=int(v["start"], 16), end=int(v["end"], 16))
            for v in maps if v["type"] == "vma" and v["pid"] == 1]
    info = json.loads(run([a.vmahunt, "info", "--json", src]).stdout.splitlines()[0])
    return profile_offsets(a.tools, vmlinux), vmas, info["paging_levels"]


def pid1_tables(a, dump, off, vmas, levels):
    """pid 1's page tables in @dump (its mm->pgd translated to the root)."""
    mm = int(vmas[0]["mm"], 16)
    pgd_va = struct.unpack("<Q", read_kernel(a, dump, mm + off["mm_struct.pgd"]))[0]
    return Tables(a, dump, kvtop(a.tools, dump, [pgd_va])[pgd_va], levels)


def read_kernel(a, dump, vaddr):
    pa = kvtop(a.tools, dump, [vaddr])[vaddr]
    with open(dump, "rb") as f:
        f.seek(file_offset(elf_loads(dump), pa))
        return f.read(8)


if __name__ == "__main__":
    sys.exit(main_over_labs(__doc__, check_lab, 300, ("--random-rounds", {"type": int, "default": 4}),
                            x86_only="it writes x86-64 PTE bits; arm64's are test_arm64's "
                                     "unit cases, its page-table plants check_scan's"))
