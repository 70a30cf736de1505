#!/usr/bin/env python3
"""pte-rmap on images read from a running kernel: a page that moves while the
image is copied must not read as an attack, and an attack must not hide behind
that.

LiME copies RAM page by page while the kernel runs. When compaction migrates a
process's page between the copy of its struct page and the copy of its PTE, the
image shows a frame whose struct page still claims the address while the PTE
maps another frame: free by its struct page, or claiming the same address, or a
migration entry naming the frame instead. An image taken with the kernel
stopped (QEMU, kdump) cannot show the first two, so there they stay high; on a
LiME image pte-rmap says what it sees at severity info, kind "moved". A
migration entry naming the frame is the kernel's own doing on any image.

For each lab folder, pid 1's stack page (frame A, whose struct page claims it) is
given, in a copy of qemu.elf and in a LiME container of the same memory:
  moved-free   its PTE pointed at a free frame F
  moved-twin   the same, with F's struct page a copy of A's (two frames claim it)
  migrating    its PTE replaced by a migration entry naming A: the kernel moving
               it, on any image: info, kind "moved"
  fake-entry   its PTE replaced by a non-present entry naming no frame of it:
               high on both images
  migrating-dest  the other half of a migration: its PTE a migration entry naming
               F, whose struct page claims the address too (A is the page's
               destination, already in the reverse map): both frames "moved", info
  protnone     its PTE made PROT_NONE (present bit clear, bit 8 set, pfn
               inverted): it still maps A, no finding
  remap-other  its PTE pointed at an anonymous page of another of pid 1's VMAs
               (the DFRWS remapping technique): high on both images
  erase        its PTE cleared (the DFRWS erasure technique): high on both images,
               and the RSS counters then count a page more than the tables map
The findings about the address (and pid 1's RSS) must be exactly the expected
(kind, severity) pairs; no other finding may appear.
"""
import json
import os
import shutil
import struct
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from labtest import finding_key, main_over_labs  # noqa: E402
from pagetable_plants import ADDR, P, pid1, pid1_tables, read_kernel, run  # noqa: E402
from ps_damage import elf_loads, file_offset, kvtop  # noqa: E402

PAGE = 4096
LIME_MAGIC, LIME_VERSION = 0x4C694D45, 1
SWAP_ENTRY = 0x3ffffffff3e00  # present bit clear, naming no frame of the cases


def protnone(pte):
    """@pte as mprotect(PROT_NONE) or NUMA balancing leaves it: present bit clear,
    _PAGE_PROTNONE (bit 8) set, the pfn inverted (the L1TF fix); it still maps its frame."""
    pfn_bits = pte & ADDR
    return (pte & ~ADDR & ~P) | (1 << 8) | (~pfn_bits & ADDR)


def migration_entry(pfn, swap_type=30):
    """x86-64's swap entry (type in the top 5 bits, offset inverted from bit 9) whose offset is
    @pfn: what the kernel writes in a PTE while it migrates that frame."""
    return ((((~pfn) << 14) & (2 ** 64 - 1)) >> 5) | (swap_type << 59)


class Lime:
    """A LiME container of an ELF dump's memory, patched by physical address."""

    def __init__(self, elf, path):
        self.path, self.ranges = path, []
        with open(elf, "rb") as src, open(path, "wb") as out:
            for paddr, size, off in elf_loads(elf):
                out.write(struct.pack("<IIQQ8x", LIME_MAGIC, LIME_VERSION, paddr,
                                      paddr + size - 1))
                self.ranges.append((paddr, out.tell(), size))
                src.seek(off)
                left = size
                while left:
                    chunk = src.read(min(left, 1 << 24))
                    out.write(chunk)
                    left -= len(chunk)

    def offset(self, paddr):
        for start, off, size in self.ranges:
            if start <= paddr < start + size:
                return off + paddr - start
        raise KeyError(hex(paddr))


class Images:
    """The ELF copy and the LiME copy, patched and restored together."""

    def __init__(self, elf, lime):
        self.elf, self.lime, self.loads = elf, lime, elf_loads(elf)

    def patch(self, patches):
        saved = []
        for path, where in ((self.elf, lambda pa: file_offset(self.loads, pa)),
                            (self.lime.path, self.lime.offset)):
            with open(path, "r+b") as f:
                for paddr, data in patches:
                    f.seek(where(paddr))
                    saved.append((path, where(paddr), f.read(len(data))))
                    f.seek(where(paddr))
                    f.write(data)
        return saved

    @staticmethod
    def restore(saved):
        for path, off, data in reversed(saved):
            with open(path, "r+b") as f:
                f.seek(off)
                f.write(data)


def scan(a, vmlinux, dump):
    r = run([a.vmahunt, "scan", "--json", "--detector", "pte-rmap", "--vmlinux", vmlinux, dump],
            a.timeout)
    objs = [json.loads(line) for line in r.stdout.splitlines()]
    return r.returncode, r.stderr, [o for o in objs if o["type"] == "finding"]


class Pages:
    """struct pages read from the ELF copy, through the kernel's mapping of the array."""

    def __init__(self, a, dump, off):
        self.a, self.dump, self.off, self.loads = a, dump, off, elf_loads(dump)
        base = int(run([os.path.join(a.tools, "vh-ksyms"), dump, "vmemmap_base"])
                   .stdout.split()[-1], 16)
        self.vmemmap = struct.unpack("<Q", read_kernel(a, dump, base))[0]
        self.size = off["struct page"]

    def paddrs(self, pfns):
        vas = {pfn: self.vmemmap + pfn * self.size for pfn in pfns}
        pa = kvtop(self.a.tools, self.dump, list(vas.values()))
        return {pfn: pa[va] for pfn, va in vas.items()}

    def paddr(self, pfn):
        return self.paddrs([pfn])[pfn]

    def read(self, pfn, paddr=None):
        with open(self.dump, "rb") as f:
            f.seek(file_offset(self.loads, paddr if paddr is not None else self.paddr(pfn)))
            return f.read(self.size)

    def fields(self, raw):
        o = self.off
        mapping = struct.unpack_from("<Q", raw, o["page.mapping"])[0]
        index = struct.unpack_from("<Q", raw, o.get("page.index", o.get("page.__folio_index")))[0]
        mapcount = struct.unpack_from("<i", raw, o["page._mapcount"])[0]
        refcount = struct.unpack_from("<i", raw, o["page._refcount"])[0]
        return mapping, index, mapcount, refcount

    def free_frame(self, near):
        """A free frame (no mapping, reference count 0) above @near."""
        for first in range(near + 1, near + 1 + 65536, 1024):
            for pfn, pa in sorted(self.paddrs(range(first, first + 1024)).items()):
                if pa is None:
                    continue
                mapping, _, _, refcount = self.fields(self.read(pfn, pa))
                if mapping == 0 and refcount == 0:
                    return pfn
        raise RuntimeError(f"no free frame above 0x{near:x}")


def anon_leaf(t, pages, vma):
    """(va, pte paddr, pte, pfn) of a present page of @vma whose struct page is anonymous."""
    for va in range(vma["end"] - PAGE, vma["start"] - 1, -PAGE):
        leaf = t.leaf(va)
        if not leaf:
            continue
        pfn = (leaf[1] & ADDR) >> 12
        mapping, _, mapcount, _ = pages.fields(pages.read(pfn))
        if mapping & 3 == 1 and mapcount >= 0:
            return va, leaf[0], leaf[1], pfn
    return None


def cases(t, pages, vmas):
    stack = next(v for v in vmas if v["path"] == "[stack]")
    va, at, pte, a_pfn = anon_leaf(t, pages, stack)
    other = next(x for x in (anon_leaf(t, pages, v) for v in vmas
                             if v is not stack and v["path"] != "[stack]" and not v["path"].startswith("/")
                             and "w" in v["perms"]) if x)
    f_pfn = pages.free_frame(a_pfn)
    q = lambda v: struct.pack("<Q", v)  # noqa: E731
    to = lambda pfn: (pte & ~ADDR) | (pfn << 12)  # noqa: E731
    twin = (pages.paddr(f_pfn), pages.read(a_pfn))
    hi, info = "high", "info"
    return va, [
        ("moved-free", [(at, q(to(f_pfn)))], [("displaced", hi)], [("moved", info)],
         "free by its struct page"),
        ("moved-twin", [(at, q(to(f_pfn))), twin], [("displaced", hi)], [("moved", info)],
         "claims the same address"),
        ("migrating", [(at, q(migration_entry(a_pfn)))], [("moved", info)], [("moved", info)],
         "migration entry for it"),
        ("fake-entry", [(at, q(SWAP_ENTRY))], [("erased", hi)], [("erased", hi)],
         "no migration entry for it"),
        ("migrating-dest", [(at, q(migration_entry(f_pfn))), twin],
         [("moved", info), ("moved", info)], [("moved", info), ("moved", info)],
         "migration entry for it"),
        ("protnone", [(at, q(protnone(pte)))], [], [], None),
        ("remap-other", [(at, q(to(other[3])))], [("displaced", hi), ("remapped", hi)],
         [("displaced", hi), ("remapped", hi)], "pointed elsewhere"),
        ("erase", [(at, q(0))], [("erased", hi), ("rss", hi)], [("erased", hi), ("rss", hi)],
         "erased"),
    ]


def check_lab(a, lab):
    src = os.path.join(lab, "qemu.elf")
    vmlinux = os.path.join(lab, "vmlinux")
    off, vmas, levels = pid1(a, lab)
    name, fails = os.path.basename(lab), []
    with tempfile.TemporaryDirectory(prefix="vh-live-smear-") as tmp:
        copy = os.path.join(tmp, "smear.elf")
        shutil.copyfile(src, copy)
        lime = Lime(copy, os.path.join(tmp, "smear.lime"))
        imgs = Images(copy, lime)
        t = pid1_tables(a, copy, off, vmas, levels)
        pages = Pages(a, copy, off)
        base = {}
        for kind, path in (("elf", copy), ("lime", lime.path)):
            rc, err, found = scan(a, vmlinux, path)
            if rc != 0:
                return [f"{lab} intact {kind}: exit {rc}: {err.strip()[:300]}"]
            base[kind] = {finding_key(f) for f in found}
        if base["elf"] != base["lime"]:
            fails.append(f"{lab}: the intact LiME copy's findings differ from the ELF's: "
                         f"{sorted(base['elf'] ^ base['lime'], key=str)[:3]}")
        va, todo = cases(t, pages, vmas)
        for cname, patches, want_elf, want_lime, words in todo:
            saved = imgs.patch(patches)
            try:
                for kind, path, want in (("elf", copy, want_elf), ("lime", lime.path, want_lime)):
                    rc, err, found = scan(a, vmlinux, path)
                    new = [f for f in found if finding_key(f) not in base[kind]]
                    mine = [f for f in new if f["pid"] == 1 and (
                        int(f["start"], 16) == va or f.get("kind") == "rss")]
                    got = sorted((f.get("kind"), f["severity"]) for f in mine)
                    errs = [] if rc == 0 else [f"exit {rc}: {err.strip()[:300]}"]
                    if got != sorted(want):
                        errs.append(f"findings at 0x{va:x}: {got}, expected {sorted(want)}")
                    stray = [f for f in new if f not in mine]
                    if stray:
                        errs.append(f"other findings: {[finding_key(f) for f in stray][:3]}")
                    if words and new and not any(words in f["reason"] for f in new):
                        errs.append(f"no reason says '{words}': {[f['reason'] for f in new]}")
                    if kind == "lime" and cname.startswith("moved-") and new and \
                            "running kernel" not in new[0]["reason"]:
                        errs.append(f"the reason does not say the image was live: {new[0]['reason']}")
                    what = "; ".join(f"{f.get('kind')} {f['severity']}: {f['reason']}" for f in new)
                    print(f"{name} {cname} {kind}: {'ok' if not errs else 'FAIL'}: {what}")
                    fails += [f"{lab} {cname} {kind}: {e}" for e in errs]
            finally:
                imgs.restore(saved)
    return fails


if __name__ == "__main__":
    sys.exit(main_over_labs(__doc__, check_lab, 300,
                            x86_only="it writes x86-64 PTEs; arm64's swap, migration and "
                                     "PROT_NONE entries are test_arm64's unit cases"))
