#!/usr/bin/env python3
"""Check that the lab's anti-forensics plants are really in the dumps.

For every x86-64 lab folder whose truth.json holds plants of the lab's module
("after_truth") or the code_modified plant, on each unfiltered ELF dump (qemu.elf, vmcore.elf), this
reads the guest's memory itself (ELF program headers; physical addresses) and walks the
target process's user page tables (4 or 5 levels, by the truth's "la57"):

  hidden_vma     every page of the plant's range is present, holds
                 "VMAHUNT-HIDDEN-VMA page N", the count equals "pages_present", and
                 mm->map_count still counts the hidden VMA (= the truth's maps lines)
  pte_widened    the page's PTE is present, writable (RW) and executable (NX clear),
                 its neighbours in the same read-only VMA are not, and the page holds
                 "VMAHUNT-PTE-WIDEN page 1"
  code_modified  the page is present, holds the patch bytes at "patch_offset", and its
                 struct page is anonymous (page->mapping has PAGE_MAPPING_ANON): the
                 file page was copied on write
  pte_erased     the page's PTE is not present, and the frame the module kept
                 ("erased_pfn") still holds "VMAHUNT-PTE-ERASE page 1"
  pte_remapped   the page's PTE maps the decoy's frame ("decoy_pfn", holding
                 "VMAHUNT-REMAP-DECOY page 0"), as does the decoy page's own PTE, and
                 the original frame ("original_pfn") still holds
                 "VMAHUNT-PTE-REMAP page 1"
  task_flagged   the task_struct's flags (offset from pahole) hold the rootkit's bit
                 0x10000000 and equal the truth's "flags"
  syscall_hooked the sys_call_table entry at the plant's address holds the truth's
                 "hook", an address outside the kernel's text [_stext, _etext)

vmahunt is used only to find the target's mm_struct address (`maps --json`) and
vh-kvtop to translate kernel addresses; the field offsets of mm_struct come from
pahole on the folder's vmlinux. Exits 1 on any mismatch, and when no folder has a plant
to check.
"""
import argparse
import json
import os
import re
import struct
import subprocess
import sys

PAGE = 4096
ADDR_MASK = 0x000FFFFFFFFFF000
P_PRESENT, P_RW, P_PS = 1, 2, 0x80
P_NX = 1 << 63


class ElfMem:
    """Physical memory of an ELF dump (PT_LOAD p_paddr -> file offset)."""

    def __init__(self, path):
        self.f = open(path, "rb")
        h = self.f.read(64)
        if h[:4] != b"\x7fELF" or h[4] != 2:
            raise ValueError(f"{path}: not an ELF64 file")
        phoff, = struct.unpack_from("<Q", h, 0x20)
        phentsize, phnum = struct.unpack_from("<HH", h, 0x36)
        self.loads = []
        self.f.seek(phoff)
        ph = self.f.read(phentsize * phnum)
        for i in range(phnum):
            typ, _, off, _, paddr, filesz, _, _ = struct.unpack_from("<IIQQQQQQ", ph,
                                                                      i * phentsize)
            if typ == 1:
                self.loads.append((paddr, paddr + filesz, off))

    def read(self, paddr, n):
        for lo, hi, off in self.loads:
            if lo <= paddr and paddr + n <= hi:
                self.f.seek(off + paddr - lo)
                return self.f.read(n)
        return None

    def u64(self, paddr):
        b = self.read(paddr, 8)
        return struct.unpack("<Q", b)[0] if b else None


def kvtop(tools, dump, vaddrs):
    r = subprocess.run([os.path.join(tools, "vh-kvtop"), dump] + ["0x%x" % v for v in vaddrs],
                       capture_output=True, text=True, timeout=120)
    out = {}
    for line in r.stdout.splitlines():
        a, b = line.split()
        out[int(a, 16)] = None if b == "-" else int(b, 16)
    return [out.get(v) for v in vaddrs]


def page_layout(vmlinux):
    """sizeof(struct page) and the offset of page->mapping."""
    out = subprocess.run(["pahole", "-C", "page", vmlinux], capture_output=True, text=True,
                         timeout=300).stdout
    m = re.search(r"\*\s*mapping;\s+/\*\s+(\d+)", out)
    z = re.search(r"/\* size: (\d+),", out)
    if not m or not z:
        sys.exit("check_antiforensics: no struct page layout in pahole's output")
    return int(z.group(1)), int(m.group(1))


def page_is_anon(mem, tools, dump, truth, vmlinux, phys):
    """page->mapping & PAGE_MAPPING_ANON of the page frame at phys (through vmemmap),
    None when it cannot be read."""
    size, moff = page_layout(vmlinux)
    sym = int(truth["ksyms"]["vmemmap_base"], 16)
    sym_phys, = kvtop(tools, dump, [sym])
    base = mem.u64(sym_phys) if sym_phys is not None else None
    if base is None:
        return None
    pg = base + (phys >> 12) * size
    pg_phys, = kvtop(tools, dump, [pg + moff])
    mapping = mem.u64(pg_phys) if pg_phys is not None else None
    return None if mapping is None else bool(mapping & 1)


def mm_offsets(vmlinux):
    """Offsets of pgd and map_count in struct mm_struct (its members sit in an anonymous
    struct at offset 0 since 4.19, so pahole's offsets are the struct's)."""
    out = subprocess.run(["pahole", "-C", "mm_struct", vmlinux], capture_output=True,
                         text=True, timeout=300).stdout
    offs = {}
    for name in ("pgd", "map_count"):
        m = re.search(r"\s\*?%s;\s+/\*\s+(\d+)" % name, out)
        if not m:
            sys.exit(f"check_antiforensics: no mm_struct.{name} in pahole's output")
        offs[name] = int(m.group(1))
    return offs


def member_offset(vmlinux, struct_name, member):
    out = subprocess.run(["pahole", "-C", struct_name, vmlinux], capture_output=True,
                         text=True, timeout=300).stdout
    m = re.search(r"\s\*?%s;\s+/\*\s+(\d+)" % member, out)
    if not m:
        sys.exit(f"check_antiforensics: no {struct_name}.{member} in pahole's output")
    return int(m.group(1))


def check_rootkit(vmahunt, tools, lab, truth, name, dump, mem):
    """The task_flagged and syscall_hooked plants of one dump: (checked, errors)."""
    plants = [p for p in truth["plants"] if p["kind"] in ("task_flagged", "syscall_hooked")]
    errs, n = [], 0
    if not plants:
        return 0, []
    vml = os.path.join(lab, "vmlinux")
    r = subprocess.run([vmahunt, "ps", "--json", "--vmlinux", vml, dump],
                       capture_output=True, text=True, timeout=600)
    tasks = {o["pid"]: int(o["task_struct"], 16)
             for o in map(json.loads, r.stdout.splitlines()) if o.get("type") == "task"}
    text = (int(truth["ksyms"]["_stext"], 16), int(truth["ksyms"]["_etext"], 16))
    for p in plants:
        where = f"{os.path.basename(lab)}/{name}: {p['kind']} pid {p['pid']} {p['start']}"
        n += 1
        if p["kind"] == "task_flagged":
            if p["pid"] not in tasks:
                errs.append(f"{where}: vmahunt found no task for the pid")
                continue
            at, = kvtop(tools, dump, [tasks[p["pid"]] + member_offset(vml, "task_struct", "flags")])
            b = mem.read(at, 4) if at is not None else None
            flags = struct.unpack("<I", b)[0] if b else None
            if flags is None or not flags & 0x10000000 or flags != p["flags"]:
                errs.append(f"{where}: task flags {flags and hex(flags)}, truth {hex(p['flags'])} "
                            "with 0x10000000")
                continue
            print(f"{where}: task flags 0x{flags:x} hold 0x10000000")
        else:
            at, = kvtop(tools, dump, [int(p["start"], 16)])
            got = mem.u64(at) if at is not None else None
            hook = int(p["hook"], 16)
            if got != hook or text[0] <= hook < text[1]:
                errs.append(f"{where}: entry holds {got and hex(got)}, truth hook {p['hook']} "
                            f"(must be outside the text 0x{text[0]:x}-0x{text[1]:x})")
                continue
            print(f"{where}: sys_call_table[{p['nr']}] = {p['hook']}, outside the kernel's text")
    return n, errs


def walk(mem, pgd_phys, vaddr, levels):
    """(entry, physical address of vaddr's page) of the PTE or huge-page entry mapping
    vaddr; None when an entry on the way is not present."""
    table = pgd_phys
    for lvl in range(levels, 0, -1):
        shift = 12 + 9 * (lvl - 1)
        e = mem.u64(table + ((vaddr >> shift) & 511) * 8)
        if e is None or not e & P_PRESENT:
            return None
        if lvl == 1:
            return e, e & ADDR_MASK
        if lvl in (2, 3) and e & P_PS:
            size = 1 << shift
            return e, (e & ADDR_MASK & ~(size - 1)) + (vaddr & (size - 1) & ~(PAGE - 1))
        table = e & ADDR_MASK
    return None


def page_bytes(mem, leaf):
    return mem.read(leaf[1], PAGE) if leaf else None


def check_folder(vmahunt, tools, lab, truth=None):
    if truth is None:
        truth = json.load(open(os.path.join(lab, "truth.json")))
    plants = [p for p in truth["plants"]
              if p["kind"] in ("hidden_vma", "pte_widened", "code_modified", "pte_erased",
                               "pte_remapped")]
    if not plants and not any(p["kind"] == "task_flagged" for p in truth["plants"]):
        return 0, []
    vml = os.path.join(lab, "vmlinux")
    offs = mm_offsets(vml)
    levels = 5 if truth.get("la57") else 4
    nmaps = {p["pid"]: len(p["maps"]) for p in truth["processes"]}
    errs, nchecked = [], 0
    for name in ("qemu.elf", "vmcore.elf"):
        dump = os.path.join(lab, name)
        if not os.path.exists(dump):
            continue
        mem = ElfMem(dump)
        n, e = check_rootkit(vmahunt, tools, lab, truth, name, dump, mem)
        nchecked += n
        errs += e
        r = subprocess.run([vmahunt, "maps", "--json", "--vmlinux", vml, dump],
                           capture_output=True, text=True, timeout=600)
        mms = {}
        for line in r.stdout.splitlines():
            o = json.loads(line)
            if o["type"] == "vma":
                mms[o["pid"]] = int(o["mm"], 16)
        for p in plants:
            pid, start, end = p["pid"], int(p["start"], 16), int(p["end"], 16)
            where = f"{os.path.basename(lab)}/{name}: {p['kind']} pid {pid} {p['start']}"
            if pid not in mms:
                errs.append(f"{where}: vmahunt found no mm for the pid")
                continue
            mm = mms[pid]
            mm_phys, = kvtop(tools, dump, [mm])
            pgd = mem.u64(mm_phys + offs["pgd"]) if mm_phys is not None else None
            pgd_phys, = kvtop(tools, dump, [pgd]) if pgd else [None]
            if pgd_phys is None:
                errs.append(f"{where}: mm 0x{mm:x}: pgd does not translate")
                continue
            ptes = [walk(mem, pgd_phys, a, levels) for a in range(start, end, PAGE)]
            nchecked += 1
            if p["kind"] == "hidden_vma":
                present = [x for x in ptes if x is not None]
                if len(present) != p["pages_present"] or len(present) != len(ptes):
                    errs.append(f"{where}: {len(present)} of {len(ptes)} pages present, truth "
                                f"pages_present {p['pages_present']}")
                for i, x in enumerate(ptes):
                    want = b"VMAHUNT-HIDDEN-VMA page %d\0" % i
                    if x is not None and not (page_bytes(mem, x) or b"").startswith(want):
                        errs.append(f"{where}: page {i} does not hold {want!r}")
                b = mem.read(mm_phys + offs["map_count"], 4)
                count = struct.unpack("<i", b)[0] if b else None
                if count != nmaps[pid]:
                    errs.append(f"{where}: mm->map_count {count}, expected {nmaps[pid]} (the "
                                "truth's lines: the module must not decrement it)")
                print(f"{where}: {len(present)}/{len(ptes)} hidden pages present with their "
                      f"content, map_count {count}")
            elif p["kind"] == "pte_widened":
                e = ptes[0][0] if ptes[0] else None
                if e is None or not e & P_RW or e & P_NX:
                    errs.append(f"{where}: PTE {e and hex(e)} is not present+RW+exec")
                    continue
                if not (page_bytes(mem, ptes[0]) or b"").startswith(b"VMAHUNT-PTE-WIDEN page 1\0"):
                    errs.append(f"{where}: the widened page does not hold its marker")
                for a in (start - PAGE, start + PAGE):
                    x = walk(mem, pgd_phys, a, levels)
                    n = x[0] if x else None
                    if n is None or n & P_RW or not n & P_NX:
                        errs.append(f"{where}: neighbour page 0x{a:x} PTE {n and hex(n)} is not "
                                    "present, read-only, NX")
                print(f"{where}: PTE 0x{e:x} (RW, NX clear), neighbours read-only NX")
            elif p["kind"] == "pte_erased":
                kept = mem.read(p["erased_pfn"] * PAGE, PAGE) or b""
                if ptes[0] is not None:
                    errs.append(f"{where}: the erased page's PTE is present")
                if not kept.startswith(b"VMAHUNT-PTE-ERASE page 1\0"):
                    errs.append(f"{where}: frame 0x{p['erased_pfn']:x} does not hold the page")
                print(f"{where}: PTE not present, frame 0x{p['erased_pfn']:x} kept with the page")
            elif p["kind"] == "pte_remapped":
                decoy = walk(mem, pgd_phys, int(p["decoy"], 16), levels)
                orig = mem.read(p["original_pfn"] * PAGE, PAGE) or b""
                got = ptes[0][1] // PAGE if ptes[0] else None
                if got != p["decoy_pfn"] or not decoy or decoy[1] // PAGE != p["decoy_pfn"]:
                    errs.append(f"{where}: PTE maps frame {got}, the decoy's PTE "
                                f"{decoy and hex(decoy[1] // PAGE)}; truth decoy_pfn "
                                f"0x{p['decoy_pfn']:x}")
                if not (page_bytes(mem, ptes[0]) or b"").startswith(b"VMAHUNT-REMAP-DECOY page 0\0"):
                    errs.append(f"{where}: the remapped page does not show the decoy")
                if not orig.startswith(b"VMAHUNT-PTE-REMAP page 1\0"):
                    errs.append(f"{where}: frame 0x{p['original_pfn']:x} does not hold the page")
                print(f"{where}: PTE maps the decoy frame 0x{p['decoy_pfn']:x}, original frame "
                      f"0x{p['original_pfn']:x} kept")
            else:  # code_modified
                data = page_bytes(mem, ptes[0])
                off = p["patch_offset"]
                want = bytes.fromhex(p["patch_hex"])
                if data is None or data[off:off + len(want)] != want:
                    errs.append(f"{where}: the page does not hold the patch {p['patch_hex']}")
                    continue
                anon = page_is_anon(mem, tools, dump, truth, vml, ptes[0][1])
                if anon is not True:
                    errs.append(f"{where}: the patched page's struct page is "
                                f"{'unreadable' if anon is None else 'not anonymous'}")
                print(f"{where}: patched bytes {p['patch_hex']} at +{off} present, page "
                      f"anonymous: {anon}")
    return nchecked, errs


def self_test(vmahunt, tools, lab):
    """The checker must fail on wrong truths of a real folder: a wrong page count, a
    range shifted off the hidden pages, a widened PTE's read-only neighbour, a wrong
    patch, a file page that was not copied on write, an erased page that is mapped or a
    wrong kept frame, a wrong decoy frame, task flags without the rootkit's bit, a hook
    looked for in the entry after the hooked one. Returns failures."""
    base = json.load(open(os.path.join(lab, "truth.json")))

    def mutated(kind, change):
        t = json.loads(json.dumps(base))
        for p in t["plants"]:
            if p["kind"] == kind:
                change(p)
        return t

    def shift(p, pages):
        for k in ("start", "end"):
            p[k] = "0x%x" % (int(p[k], 16) + pages * PAGE)

    cases = [
        ("pages_present + 1", mutated("hidden_vma", lambda p: p.update(
            pages_present=p["pages_present"] + 1))),
        ("hidden range one page up", mutated("hidden_vma", lambda p: shift(p, 1))),
        ("pte_widened on a read-only page", mutated("pte_widened", lambda p: shift(p, 1))),
        ("wrong patch bytes", mutated("code_modified", lambda p: p.update(
            patch_hex="90" * 8))),
        ("code_modified on an unpatched file page", mutated("code_modified", lambda p: (
            shift(p, -1), p.update(patch_hex=base_patch_bytes(vmahunt, tools, lab, p))))),
        ("pte_erased on a mapped page", mutated("pte_erased", lambda p: shift(p, 1))),
        ("pte_erased with another frame", mutated("pte_erased", lambda p: p.update(
            erased_pfn=p["erased_pfn"] + 1))),
        ("pte_remapped with another decoy frame", mutated("pte_remapped", lambda p: p.update(
            decoy_pfn=p["decoy_pfn"] + 1))),
        ("task_flagged without the rootkit's bit", mutated("task_flagged", lambda p: p.update(
            flags=p["flags"] & ~0x10000000))),
        ("syscall_hooked on the next entry", mutated("syscall_hooked", lambda p: (
            shift(p, 0), p.update(start="0x%x" % (int(p["start"], 16) + 8))))),
    ]
    kinds = {p["kind"] for p in base["plants"]}
    cases = [(w, t) for w, t in cases if w.split()[0] in kinds or w.split()[0] not in
             ("pte_erased", "pte_remapped", "task_flagged", "syscall_hooked")]
    fails = []
    for what, t in cases:
        _, errs = check_folder(vmahunt, tools, lab, t)
        print(f"self-test {what}: {len(errs)} failures reported")
        if not errs:
            fails.append(f"self-test: {os.path.basename(lab)}: {what} was not caught")
    return fails


def base_patch_bytes(vmahunt, tools, lab, p):
    """The first 8 bytes at patch_offset of the (shifted) page, as they are in the
    dump: so that only the struct page check can fail."""
    dump = os.path.join(lab, "qemu.elf")
    mem = ElfMem(dump)
    vml = os.path.join(lab, "vmlinux")
    r = subprocess.run([vmahunt, "maps", "--json", "--vmlinux", vml, dump],
                       capture_output=True, text=True, timeout=600)
    mm = next(int(json.loads(line)["mm"], 16) for line in r.stdout.splitlines()
              if json.loads(line).get("pid") == p["pid"] and json.loads(line)["type"] == "vma")
    offs = mm_offsets(vml)
    mm_phys, = kvtop(tools, dump, [mm])
    pgd_phys, = kvtop(tools, dump, [mem.u64(mm_phys + offs["pgd"])])
    leaf = walk(mem, pgd_phys, int(p["start"], 16), 5 if base_la57(lab) else 4)
    data = page_bytes(mem, leaf) or bytes(PAGE)
    return data[p["patch_offset"]:p["patch_offset"] + 8].hex()


def base_la57(lab):
    return json.load(open(os.path.join(lab, "truth.json"))).get("la57")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--vmahunt", required=True)
    ap.add_argument("--tools", required=True, help="folder holding vh-kvtop")
    ap.add_argument("--self-test", action="store_true",
                    help="also check that wrong truths of the first folder with every "
                         "plant kind are caught")
    ap.add_argument("labs", nargs="+")
    a = ap.parse_args()
    total, errs = 0, []
    # this reader walks x86-64 page tables; the module is built for x86-64 guests only
    # (an arm64 guest's codepatch page: check_scan's code-modified, core_gdb_arm64's patch)
    x86 = []
    for lab in a.labs:
        if json.load(open(os.path.join(lab, "truth.json"))).get("arch") == "aarch64":
            print(f"{os.path.basename(lab)}: an arm64 guest: not read here")
        else:
            x86.append(lab)
    a.labs = x86
    for lab in a.labs:
        n, e = check_folder(a.vmahunt, a.tools, lab)
        total += n
        errs += e
    if a.self_test:
        kinds = {"hidden_vma", "pte_widened", "code_modified"}
        full = [lab for lab in a.labs if os.path.exists(os.path.join(lab, "qemu.elf")) and
                kinds <= {p["kind"] for p in
                          json.load(open(os.path.join(lab, "truth.json")))["plants"]}]
        if full:
            errs += self_test(a.vmahunt, a.tools, full[0])
        else:
            errs.append("self-test: no lab folder with every module plant")
    for e in errs:
        print("FAIL:", e)
    if not total:
        print("FAIL: no anti-forensics plant in any lab folder")
        return 1
    print(f"{total} plant checks, {len(errs)} failures")
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
