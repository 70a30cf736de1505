#!/usr/bin/env python3
"""Sanity checks of the lab's FIXTURES themselves, independent of vmahunt: notices a
makedumpfile that filtered away what it must keep (as Debian 12's 1.7.2 does with -d 31
on 6.12, where tasks go missing).

For every -d 31 output (kdump, flattened, ELF) of a lab folder:
  * every page of the first kernel's "Kernel code" and "Kernel data" ranges (from the
    guest's /proc/iomem, in the truth) is present (dumpable bit set / inside a PT_LOAD);
  * the pages /proc/kpageflags flagged as slab at the truth and again just before the
    crash (when the guest printed both lists; they hold the
    task_structs, mm_structs, VMAs) are present, except all-zero ones (rightly dropped
    as zero pages; read from vmcore.elf) and 2 % that may have been freed since;
  * the number of pages present is plausible: at least half of the kernel's own memory
    the guest reported (Slab + PageTables + KernelStack + kernel image), and at most
    what the -d 0 output holds.

arm64 (truth "arch" aarch64): iomem's "Kernel data" runs to _end, .bss included, so a
kernel image page that -d 31 dropped is fine when it is all-zero in vmcore.elf (a zero
page) or lies in [init_pg_dir, init_pg_end) (the boot page tables after .bss, freed to
the buddy allocator after boot: a free page; the symbols from the folder's vmlinux).

A failure listed in known-issues.txt (folder, makedumpfile version, check) is printed as
XFAIL and does not count. With --annotate, each dump of manifest.json gets
"slab_pages_missing" and "lossy" (null, or why the dump lost what it should keep).

Usage: dumpcheck.py [--annotate] DIR...     (exit 1 on any failure)
"""
import json
import os
import struct
import sys

PAGE = 4096


class Flat:
    """Random access to the first bytes of a makedumpfile flattened file."""

    def __init__(self, path, limit):
        self.chunks = []
        with open(path, "rb") as f:
            hdr = f.read(4096)
            if not hdr.startswith(b"makedumpfile"):
                raise ValueError("not a flattened file")
            while True:
                h = f.read(16)
                if len(h) < 16:
                    break
                off, size = struct.unpack(">qq", h)
                if off < 0 or size < 0:
                    break
                if off < limit:
                    self.chunks.append((off, f.read(size)))
                else:
                    f.seek(size, 1)

    def pread(self, off, n):
        buf = bytearray(n)
        for o, d in self.chunks:
            a, b = max(o, off), min(o + len(d), off + n)
            if a < b:
                buf[a - off:b - off] = d[a - o:b - o]
        return bytes(buf)


class File:
    def __init__(self, path):
        self.f = open(path, "rb")

    def pread(self, off, n):
        self.f.seek(off)
        return self.f.read(n)


def kdump_bitmap(r):
    """(dumpable bitmap bytes, max_mapnr) of a diskdump/kdump file."""
    h = r.pread(0, 4096)
    if h[:8] != b"KDUMP   ":
        raise ValueError("not a kdump file")
    # struct disk_dump_header: signature[8], header_version(int), new_utsname(6*65),
    # pad to 8, struct timeval(16), status, block_size, sub_hdr_size, bitmap_blocks,
    # max_mapnr (all int)
    off = 8 + 4 + 6 * 65
    off = (off + 7) & ~7
    off += 16
    status, block_size, sub_hdr_size, bitmap_blocks, max_mapnr = struct.unpack_from("<iiiIi", h, off)
    sub = r.pread(block_size, 4096)
    # kdump_sub_header: phys_base, dump_level(int), split(int), start_pfn, end_pfn (ul),
    # offset_vmcoreinfo, size_vmcoreinfo, offset_note, size_note, offset_eraseinfo,
    # size_eraseinfo, start_pfn_64, end_pfn_64, max_mapnr_64
    hv = struct.unpack_from("<i", h, 8)[0]
    if hv >= 6:
        max_mapnr = struct.unpack_from("<Q", sub, 8 + 4 + 4 + 8 + 8 + 8 * 6 + 8 + 8)[0]
    bm_len = bitmap_blocks * block_size // 2
    bm2 = r.pread((1 + sub_hdr_size) * block_size + bm_len, bm_len)
    return bm2, max_mapnr


def popcount(b):
    return sum(bin(x).count("1") for x in b)


def elf_loads(path):
    with open(path, "rb") as f:
        eh = f.read(64)
        if eh[:4] != b"\x7fELF":
            raise ValueError("not ELF")
        phoff, = struct.unpack_from("<Q", eh, 0x20)
        phentsize, phnum = struct.unpack_from("<HH", eh, 0x36)
        if phnum == 0xFFFF:
            f.seek(struct.unpack_from("<Q", eh, 0x28)[0])
            sh = f.read(64)
            phnum = struct.unpack_from("<I", sh, 44)[0]
        f.seek(phoff)
        ph = f.read(phentsize * phnum)
    loads = []
    for i in range(phnum):
        p_type, p_flags, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align = \
            struct.unpack_from("<IIQQQQQQ", ph, i * phentsize)
        if p_type == 1:
            loads.append((p_paddr, p_filesz))
    return loads


class ElfPages:
    """Page reads from an unfiltered ELF vmcore."""

    def __init__(self, path):
        self.f = open(path, "rb")
        self.loads = []
        with open(path, "rb") as f:
            eh = f.read(64)
            phoff, = struct.unpack_from("<Q", eh, 0x20)
            phentsize, phnum = struct.unpack_from("<HH", eh, 0x36)
            f.seek(phoff)
            ph = f.read(phentsize * phnum)
        for i in range(phnum):
            t, _, off, _, pa, fsz, _, _ = struct.unpack_from("<IIQQQQQQ", ph, i * phentsize)
            if t == 1:
                self.loads.append((pa, fsz, off))

    def is_zero(self, pfn):
        pa = pfn * PAGE
        for start, size, off in self.loads:
            if start <= pa and pa + PAGE <= start + size:
                self.f.seek(off + pa - start)
                return self.f.read(PAGE).count(0) == PAGE
        return False


def vmlinux_symbols(path, names):
    """{name: value} of the wanted symbols of an ELF64 little-endian vmlinux (.symtab)."""
    res = {}
    with open(path, "rb") as f:
        eh = f.read(64)
        shoff, = struct.unpack_from("<Q", eh, 0x28)
        shentsize, shnum = struct.unpack_from("<HH", eh, 0x3A)
        f.seek(shoff)
        shs = [struct.unpack_from("<IIQQQQIIQQ", f.read(shentsize)) for _ in range(shnum)]
        for sh in shs:
            if sh[1] != 2:  # SHT_SYMTAB
                continue
            strtab = shs[sh[6]]
            f.seek(strtab[4])
            strs = f.read(strtab[5])
            f.seek(sh[4])
            data = f.read(sh[5])
            want = {n.encode() for n in names}
            for o in range(0, len(data), 24):
                st_name, _, _, _, st_value, _ = struct.unpack_from("<IBBHQQ", data, o)
                nm = strs[st_name:strs.index(b"\0", st_name)]
                if nm in want:
                    res[nm.decode()] = st_value
    return res


def arm64_freed_boot_pfns(d, truth):
    """The pfns of arm64's boot page tables [init_pg_dir, init_pg_end), placed after .bss
    inside iomem's "Kernel data" (which ends at _end) and freed after boot."""
    data = [r for r in truth.get("kernel_image", []) if r["what"] == "Kernel data"]
    vml = os.path.join(d, "vmlinux")
    if not data or not os.path.exists(vml):
        return set()
    sym = vmlinux_symbols(vml, ["_end", "init_pg_dir", "init_pg_end"])
    if len(sym) != 3:
        return set()
    end_pa = int(data[-1]["end"], 16)
    start = end_pa - (sym["_end"] - sym["init_pg_dir"])
    stop = end_pa - (sym["_end"] - sym["init_pg_end"])
    return set(range(start // PAGE, stop // PAGE))


def present_pfns_elf(path):
    s = set()
    for pa, fsz in elf_loads(path):
        for pfn in range((pa + PAGE - 1) // PAGE, (pa + fsz) // PAGE):
            s.add(pfn)
    return s


def known_issues():
    res = []
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "known-issues.txt")
    try:
        for line in open(path):
            if line.startswith("#") or not line.strip():
                continue
            p = line.rstrip("\n").split("\t")
            if len(p) >= 3:
                res.append((p[0], p[1], p[2], p[3] if len(p) > 3 else ""))
    except OSError:
        pass
    return res


def known(d, man, check):
    name = os.path.basename(os.path.abspath(d))
    for folder, mver, chk, why in known_issues():
        if folder == name and mver == (man.get("makedumpfile_version") or "") and chk == check:
            return why
    return None


def check_dir(d, annotate=False):
    errs = []
    xfails = []
    xpass = []
    man = json.load(open(os.path.join(d, "manifest.json")))
    truth = json.load(open(os.path.join(d, "truth.json")))
    mi = truth.get("meminfo_kb", {})
    kimg = [r for r in truth.get("kernel_image", []) if r["what"] in ("Kernel code", "Kernel data")]
    need = set()
    for r in kimg:
        s, e = int(r["start"], 16), int(r["end"], 16)
        need.update(range((s + PAGE - 1) // PAGE, e // PAGE))
    slab = [p for a, n in truth.get("slab_pfn_runs", []) for p in range(a, a + n)]
    if truth.get("slab_at_crash_complete"):
        # the kdump dumps are taken after LiME's captures: only the pages that are still
        # slab just before the crash must be kept
        at_crash = {p for a, n in truth.get("slab_pfn_runs_at_crash", []) for p in range(a, a + n)}
        slab = [p for p in slab if p in at_crash]
    kernel_pages = sum(mi.get(k, 0) for k in ("Slab", "PageTables", "KernelStack")) // 4 + len(need)
    d0_present = None
    results = {}
    vmcore = None
    arm64 = truth.get("arch") == "aarch64"
    if (slab or arm64) and os.path.exists(os.path.join(d, "vmcore.elf")):
        vmcore = ElfPages(os.path.join(d, "vmcore.elf"))
    freed_boot = arm64_freed_boot_pfns(d, truth) if arm64 else set()
    for e in man["dumps"]:
        path = os.path.join(d, e["file"])
        try:
            if e["format"] == "elf":
                if e["producer"].startswith("qemu") or e["dump_level"] is None:
                    continue
                pres = present_pfns_elf(path)
                npresent = len(pres)
                has = lambda pfn: pfn in pres  # noqa: E731
            else:
                r = Flat(path, 64 << 20) if e["format"] == "flattened" else File(path)
                if e["producer"].startswith("qemu"):
                    continue
                bm, maxpfn = kdump_bitmap(r)
                npresent = popcount(bm)
                has = lambda pfn, bm=bm: pfn // 8 < len(bm) and bool(bm[pfn // 8] & (1 << (pfn % 8)))  # noqa: E731
        except (ValueError, struct.error) as ex:
            errs.append(f"{d}/{e['file']}: unreadable: {ex}")
            continue
        missing = [p for p in need if not has(p)]
        if arm64 and e["dump_level"] == 31:
            # .bss zero pages and the freed boot page tables (module docstring)
            missing = [p for p in missing if p not in freed_boot and not (vmcore and vmcore.is_zero(p))]
        if e["dump_level"] == 31 and slab:
            # an all-zero page is rightly dropped by -d 31 (bit 1, zero pages): look at the
            # unfiltered /proc/vmcore copy to tell those apart
            lost = [p for p in slab if not has(p) and not (vmcore and vmcore.is_zero(p))]
            # a slab page freed between the truth and the crash may go: allow 2 %
            e["slab_pages_missing"] = len(lost)
            why = known(d, man, "slab")
            if len(lost) > len(slab) // 50:
                msg = (f"{d}/{e['file']}: {len(lost)} of the {len(slab)} slab pages of the guest are "
                       f"missing (first pfn {hex(min(lost))}): makedumpfile excluded kernel objects "
                       f"(task_structs, VMAs) it must keep")
                if why:
                    xfails.append(msg + " [known: " + why + "]")
                    e["lossy"] = "slab pages missing: " + why
                else:
                    errs.append(msg)
                    e["lossy"] = "slab pages missing"
            elif why:
                xpass.append(e["file"])
            slab_note = f", slab {len(slab) - len(lost)}/{len(slab)} present"
        else:
            slab_note = ""
        results[e["file"]] = npresent
        if e["dump_level"] == 0:
            d0_present = npresent
        if missing:
            errs.append(f"{d}/{e['file']}: {len(missing)} of {len(need)} kernel code/data pages are "
                        f"missing (first pfn {hex(min(missing))})")
        if e["dump_level"] == 31 and kernel_pages and npresent < kernel_pages // 2:
            errs.append(f"{d}/{e['file']}: only {npresent} pages present, the guest's kernel alone "
                        f"used about {kernel_pages}: makedumpfile excluded too much")
        print(f"  {os.path.basename(d)}/{e['file']}: {npresent} pages present, kernel image "
              f"{len(need) - len(missing)}/{len(need)} present{slab_note}")
    if d0_present is not None:
        for f, n in results.items():
            if n > d0_present:
                errs.append(f"{d}/{f}: {n} pages present, more than the -d 0 output's {d0_present}")
    for x in xfails:
        print("XFAIL " + x)
    if xpass and not xfails:
        print(f"XPASS {d}: the known slab loss is gone; remove it from known-issues.txt")
    if annotate:
        # record the findings in manifest.json, so tests of tasks/VMAs can skip lossy dumps
        for e in man["dumps"]:
            e.setdefault("lossy", None)
        with open(os.path.join(d, "manifest.json"), "w") as f:
            json.dump(man, f, indent=1)
            f.write("\n")
    return errs


def main():
    errs = []
    args = sys.argv[1:]
    annotate = "--annotate" in args
    for d in [os.path.normpath(a) for a in args if a != "--annotate"]:
        if os.path.exists(os.path.join(d, "manifest.json")):
            errs += check_dir(d, annotate)
    for e in errs:
        print("FAIL: " + e)
    sys.exit(1 if errs else 0)


if __name__ == "__main__":
    main()
