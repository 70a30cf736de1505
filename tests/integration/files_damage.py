#!/usr/bin/env python3
"""`vmahunt files` (vh_evidence_files()) on damaged copies of a real dump:
it never crashes, never runs away, and the folder it writes stays consistent.

For each lab folder given, the copy is its qemu.elf. The intact copy's run
names the structures (the memfd's and the deleted file's inodes and struct
files, the reflect process's task and mm); a case overwrites a few words of
them (offsets from vh-profile), runs vmahunt files, checks and puts the bytes back:

  i_size-huge, i_size-negative   the memfd's inode.i_size 2^62, -1: the file
                                 stops at its last cached page (1 GiB at most)
  xa_head-self, xa_head-poison   the memfd's page cache root pointing at the
                                 address_space itself, or at LIST_POISON1
  xa_node-random                 the first page cache node's slots: random
                                 values and pointers to other struct pages
  swap-entry, foreign-page       a leaf slot of the memfd's page cache made a
                                 swap entry (the page must be absent,
                                 "swapped"), another one the deleted file's
                                 struct page (absent, "corrupt data", a warning
                                 that it belongs to another mapping)
  f_inode, f_mapping             the deleted file's struct file: garbage
  fdtable                        the reflect task's fdtable: max_fds 2^32-1,
                                 fd array pointing at random memory
  elf-phnum, elf-phoff,          the reflectively loaded image's ELF header
  elf-filesz, elf-shnum          (found through the process's page tables):
                                 65535 program headers, an e_phoff that
                                 overflows, a 2^63-byte segment, 65535
                                 section headers at a huge offset
  hidden-elf                     a small ELF file written into the pages of the
                                 lab's hidden_vma plant (a VMA the lab's module
                                 took out of the tree; 6.1 and 5.10): it must
                                 be rebuilt from the pages outside every VMA,
                                 byte for byte (kind anon-elf, hidden)
  own-files                      a worker thread of the threads plant given
                                 the reflect process's file table: its
                                 process gets a warning naming the thread, and
                                 holds the files of that table
  random-N                       64 random words over all of the above
  truncated                      the copy cut to 40 %: the run may fail to
                                 open it (exit 3) or to locate the kernel
                                 (exit 4: physical KASLR may put the kernel
                                 in the part cut off) but must not crash

A case fails when vmahunt files dies on a signal, prints a sanitizer report, runs
over the time limit, exits other than 0 (3 or 4 for truncated), or writes a
folder whose manifest, records and files disagree (check_files.py's checks).
"""
import hashlib
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_files import check_folder, run  # noqa: E402
from labtest import main_over_labs  # noqa: E402
from ps_damage import Patcher, file_offset, kvtop, profile_offsets, run_ps  # noqa: E402
from maps_damage import Reader  # noqa: E402

LIST_POISON1 = 0xdead000000000100
MAX_FILE = 1 << 30


def user_paddr(tools, dump, root, vaddr):
    """The physical address of user @vaddr through the table at @root (4 levels)."""
    out = subprocess.run([os.path.join(tools, "vh-uwalk"), dump, "0x%x" % root, "4", "0x%x" % vaddr],
                         capture_output=True, text=True, check=True).stdout.split()
    # lines: VADDR LEVEL ENTRY_PADDR ENTRY ("-" when unreadable); the last one is the leaf
    if out[-1] == "-":
        return None
    entry = int(out[-1], 16)
    if not entry & 1:
        return None
    return (entry & 0x000ffffffffff000) + (vaddr & 0xfff)


class Case:
    def __init__(self, name, words=(), raw=(), expect=None, absent=None, warning=None):
        self.name, self.words, self.raw, self.expect = name, list(words), list(raw), expect
        self.absent = absent  # (inode, file offset, reason, warning text)
        self.warning = warning  # (text of a summary warning, pid, path of a file it holds)


def first_leaf(rd, off, mapping):
    """The slots' address of the first leaf of a page cache tree of height 2, or None."""
    head = rd.u64s(mapping + off["address_space.i_pages"] + off["xarray.xa_head"], 1)[0]
    if head & 3 != 2 or head < 4096:
        return None
    slot0 = rd.u64s(head - 2 + off["xa_node.slots"], 1)[0]
    if slot0 & 3 != 2 or slot0 < 4096:
        return None
    return slot0 - 2 + off["xa_node.slots"]


def small_elf(size):
    """An ELF64 executable of @size bytes: one PT_LOAD, three section headers at its end."""
    shoff = size - 3 * 64
    eh = bytearray(64)
    eh[0:4] = b"\x7fELF"
    eh[4:7] = bytes([2, 1, 1])
    struct.pack_into("<HHIQQQIHHHHHH", eh, 16, 2, 62, 1, 0x401000, 64, shoff, 0, 64, 56, 1,
                     64, 3, 2)
    ph = struct.pack("<IIQQQQQQ", 1, 5, 0, 0x400000, 0x400000, shoff, shoff, 0x1000)
    body = bytes((i * 13 + (i >> 9)) & 0xff for i in range(shoff - 64 - 56))
    sh = bytes(64) + struct.pack("<IIQQQQIIQQ", 1, 1, 6, 0x401000, 0x1000, 0x800, 0, 0, 16, 0) \
        + struct.pack("<IIQQQQIIQQ", 9, 3, 0, 0, 0x1800, 0x10, 0, 0, 1, 0)
    data = bytes(eh) + ph + body + sh
    assert len(data) == size
    return data


def check(a, lab, copy, case, fails, patcher, allowed=(0,)):
    saved = patcher.apply(case.words) if case.words else []
    raw_saved = []
    with open(copy, "r+b") as f:
        for off, data in case.raw:
            f.seek(off)
            raw_saved.append((off, f.read(len(data))))
            f.seek(off)
            f.write(data)
    out = tempfile.mkdtemp(prefix="vh-files-damage-")
    label = "%s %s" % (os.path.basename(lab), case.name)
    try:
        rc, recs, err, secs = run(a.tool, lab, copy, os.path.join(out, "o"), a.timeout)
        if rc is None:
            fails.append("%s: %s" % (label, err))
        elif rc < 0:
            fails.append("%s: killed by signal %d: %s" % (label, -rc, err[-1500:]))
        elif "Sanitizer" in err or "runtime error:" in err:
            fails.append("%s: sanitizer report: %s" % (label, err[-1500:]))
        elif rc not in allowed:
            fails.append("%s: exit %d: %s" % (label, rc, err.strip()[-500:]))
        elif rc == 0:
            if recs is None:
                fails.append("%s: %s" % (label, err))
            else:
                check_folder(label, os.path.join(out, "o"), recs, fails)
                if case.warning:
                    text, pid, path = case.warning
                    with open(os.path.join(out, "o", "manifest.json")) as f:
                        warns = json.load(f)["summary"]["warnings"]
                    held = [r for r in recs if r["kind"] == "file" and r["path"] == path
                            and any(h["pid"] == pid and h["fds"] for h in r["holders"])]
                    if not any(text in w for w in warns) or not held:
                        fails.append("%s: no warning %r (%s), or pid %d holds no fd of %s"
                                     % (label, text, warns[:5], pid, path))
                if case.absent:
                    inode, at, reason, text = case.absent
                    got = [r for r in recs if r["kind"] == "file" and r["inode"] == inode]
                    why = [x["reason"] for x in (got[0]["absent"] if got else [])
                           if int(x["start"], 16) <= at < int(x["end"], 16)]
                    if why != [reason] or (text and not any(text in w
                                                            for w in got[0]["warnings"])):
                        fails.append("%s: page at %#x of inode %s: absent %s, warnings %s; "
                                     "expected %s, %r" % (label, at, inode, why,
                                                          got[0]["warnings"] if got else None,
                                                          reason, text))
                if case.expect:
                    pid, start, digest, size = case.expect
                    got = [r for r in recs if r["kind"] == "anon-elf" and r["pid"] == pid
                           and int(r["address"], 16) == start]
                    if not got or not got[0]["hidden"] or got[0]["sha256"] != digest \
                            or got[0]["size"] != size:
                        fails.append("%s: the ELF file in pid %d's hidden pages at %#x not "
                                     "rebuilt whole: %s" % (label, pid, start, got))
                big = [r for r in recs if r["size"] > MAX_FILE]
                if big:
                    fails.append("%s: %s is %d bytes" % (label, big[0]["file"], big[0]["size"]))
        print("%s: exit %s, %d records, %.2f s" % (label, rc, len(recs or []), secs))
    finally:
        shutil.rmtree(out, ignore_errors=True)
        with open(copy, "r+b") as f:
            for off, data in reversed(raw_saved):
                f.seek(off)
                f.write(data)
        patcher.restore(saved)


def check_lab(a, lab):
    fails = []
    src = os.path.join(lab, "qemu.elf")
    vmlinux = os.path.join(lab, "vmlinux")
    off = profile_offsets(a.tools, vmlinux)
    tmp = tempfile.mkdtemp(prefix="vh-files-damage-")
    try:
        copy = os.path.join(tmp, "qemu.elf")
        shutil.copyfile(src, copy)
        rc, recs, err, _ = run(a.tool, lab, copy, os.path.join(tmp, "intact"), a.timeout)
        if rc != 0 or not recs:
            return ["%s: vmahunt files on the intact copy: exit %s: %s" % (lab, rc, err[-500:])]
        shutil.rmtree(os.path.join(tmp, "intact"))
        memfd = [r for r in recs if r["kind"] == "file" and r["memfd"] and r["deleted"]][0]
        deleted = [r for r in recs if r["kind"] == "file" and r["path"].startswith("/tmp/")][0]
        elf = [r for r in recs if r["kind"] == "anon-elf"][0]
        rc, _err, tasks, _w = run_ps(a.vmahunt, vmlinux, copy, a.timeout)
        task = [t for t in tasks if t["pid"] == elf["pid"]][0]
        patcher = Patcher(copy, a.tools)
        rd = Reader(copy, a.tools, patcher.loads)

        inode = int(memfd["inode"], 16)
        mfile = int(memfd["struct_file"], 16)
        mapping = rd.u64s(mfile + off["file.f_mapping"], 1)[0]
        xa = mapping + off["address_space.i_pages"] + off["xarray.xa_head"]
        head = rd.u64s(xa, 1)[0]
        dfile = int(deleted["struct_file"], 16)
        tsk = int(task["task_struct"], 16)
        files = rd.u64s(tsk + off["task_struct.files"], 1)[0]
        fdt = rd.u64s(files + off["files_struct.fdt"], 1)[0]
        isize = inode + off["inode.i_size"]
        cases = [
            Case("i_size-huge", [(isize, 1 << 62)]),
            Case("i_size-negative", [(isize, (1 << 64) - 1)]),
            Case("xa_head-self", [(xa, mapping | 2)]),
            Case("xa_head-poison", [(xa, LIST_POISON1 | 2)]),
            Case("f_inode", [(dfile + off["file.f_inode"], 0x4141414141414141)]),
            Case("f_mapping", [(dfile + off["file.f_mapping"], inode)]),
            Case("fdtable", [(fdt + off["fdtable.max_fds"], 0xffffffff),
                             (fdt + off["fdtable.fd"], mapping)]),
        ]
        hot = [isize, xa, dfile + off["file.f_inode"], dfile + off["file.f_mapping"],
               fdt + off["fdtable.fd"], fdt + off["fdtable.max_fds"] & ~7]
        if head & 3 == 2 and head > 4096:
            node = head - 2
            slots = node + off["xa_node.slots"]
            entries = [w for w in rd.u64s(slots, 64) if w and w & 3 == 0]
            rng = random.Random(7)
            words = []
            for i in range(64):
                v = rng.choice([rng.getrandbits(64), LIST_POISON1, 0,
                                rng.choice(entries) + 64 * rng.randrange(-4, 5) if entries else 0,
                                (i << 2) | 2])
                words.append((slots + 8 * i, v))
            cases.append(Case("xa_node-random", words))
            hot += [slots + 8 * i for i in range(64)]

        with open(os.path.join(lab, "truth.json")) as f:
            thr = [p for p in json.load(f)["plants"] if p["kind"] == "threads"]
        workers = [t for t in tasks if thr and t["tgid"] == thr[0]["pid"] and not t["leader"]]
        if not workers:
            fails.append("%s: no worker thread of the threads plant" % lab)
        else:
            w = workers[0]
            out_file = [r for r in recs if r["kind"] == "file" and r["path"].endswith("reflect.out")]
            cases.append(Case("own-files", [(int(w["task_struct"], 16) + off["task_struct.files"],
                                             files)],
                              warning=("thread %d has a file table of its own" % w["pid"],
                                       w["tgid"], out_file[0]["path"] if out_file else "?")))
        mleaf = first_leaf(rd, off, mapping)
        dleaf = first_leaf(rd, off, rd.u64s(dfile + off["file.f_mapping"], 1)[0])
        if mleaf is None or dleaf is None:
            fails.append("%s: the memfd's or the deleted file's page cache is not two levels high"
                         % lab)
        else:
            cases += [
                Case("swap-entry", [(mleaf, (0x12345 << 1) | 1)],
                     absent=(memfd["inode"], 0, "swapped", None)),
                Case("foreign-page", [(mleaf + 8, rd.u64s(dleaf, 1)[0])],
                     absent=(memfd["inode"], 4096, "corrupt data", "belongs to mapping")),
            ]

        # the reflect image's header, through its page tables
        pgd = rd.u64s(int(task["mm"], 16) + off["mm_struct.pgd"], 1)[0]
        root = kvtop(a.tools, copy, [pgd])[pgd]
        base = int(elf["address"], 16)
        pa = user_paddr(a.tools, copy, root, base) if root is not None else None
        if pa is None:
            fails.append("%s: the reflect image at %#x does not translate" % (lab, base))
        else:
            ehdr = file_offset(patcher.loads, pa)
            with open(copy, "rb") as f:
                f.seek(ehdr)
                eh = f.read(64)
            phoff = struct.unpack_from("<Q", eh, 32)[0]
            pt = file_offset(patcher.loads, user_paddr(a.tools, copy, root, base + phoff))
            cases += [
                Case("elf-phnum", raw=[(ehdr + 56, struct.pack("<H", 0xffff))]),
                Case("elf-phoff", raw=[(ehdr + 32, struct.pack("<Q", (1 << 64) - 8))]),
                Case("elf-filesz", raw=[(pt + 32, struct.pack("<Q", 1 << 63))]),
                Case("elf-shnum", raw=[(ehdr + 40, struct.pack("<Q", (1 << 64) - 64)),
                                       (ehdr + 60, struct.pack("<H", 0xffff))]),
            ]
        with open(os.path.join(lab, "truth.json")) as f:
            hid = [p for p in json.load(f)["plants"] if p["kind"] == "hidden_vma"]
        if hid:
            h = hid[0]
            hstart, hend = int(h["start"], 16), int(h["end"], 16)
            ht = [t for t in tasks if t["pid"] == h["pid"]][0]
            hpgd = rd.u64s(int(ht["mm"], 16) + off["mm_struct.pgd"], 1)[0]
            hroot = kvtop(a.tools, copy, [hpgd])[hpgd]
            data = small_elf(min(hend - hstart, 0x6000) - 0x100)
            raw = []
            for o in range(0, len(data), 4096):
                pa = user_paddr(a.tools, copy, hroot, hstart + o)
                if pa is None:
                    fails.append("%s: hidden page %#x does not translate" % (lab, hstart + o))
                    break
                raw.append((file_offset(patcher.loads, pa), data[o:o + 4096]))
            else:
                cases.append(Case("hidden-elf", raw=raw, expect=(
                    h["pid"], hstart, hashlib.sha256(data).hexdigest(), len(data))))
        rng = random.Random(1)
        for n in range(a.random_rounds):
            words = [(rng.choice(hot), rng.choice([0, rng.getrandbits(64), LIST_POISON1,
                                                   inode, mapping, mfile, dfile]))
                     for _ in range(64)]
            cases.append(Case("random-%d" % n, dict(words).items()))
        for c in cases:
            check(a, lab, copy, c, fails, patcher)
        with open(copy, "r+b") as f:
            f.truncate(os.path.getsize(copy) * 4 // 10)
        check(a, lab, copy, Case("truncated"), fails, patcher, allowed=(0, 3, 4))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return fails


if __name__ == "__main__":
    sys.exit(main_over_labs(__doc__, check_lab, 120,
                            ("--tool", {"required": True, "help": "the vmahunt CLI (vmahunt files)"}),
                            ("--random-rounds", {"type": int, "default": 8})))
