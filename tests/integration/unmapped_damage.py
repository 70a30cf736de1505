#!/usr/bin/env python3
"""unmapped-payload (`vmahunt scan --detector unmapped-payload`) on damaged
copies of a real dump: it never crashes, names the damaged address in a
warning, and still reports the payloads the damage does not reach.

The copy is the lab folder's qemu.elf; the shmhide plants (a memfd and a POSIX
shm object held by fds, a SysV segment held by its id) must be found whole on
the intact copy first. Then each case overwrites a few words (offsets from
vh-profile), scans, checks and puts the bytes back:

  fd-array      shmhide's fdtable.fd pointing at LIST_POISON1: a warning naming
                that address; the SysV segment still found
  fd-slot       the memfd's fd slot pointing at the fdtable itself (a struct
                that is no struct file): the POSIX shm object and the SysV
                segment still found
  idr-head      init_ipc_ns's shm IDR root pointing at LIST_POISON1 (as a
                node): a warning about the SysV shm ids naming it; both files
                still found
  shm-file      the segment's shmid_kernel.shm_file garbage: a warning naming
                the shmid_kernel; both files still found
  memfd-xa      the memfd's page cache root pointing at its own address_space:
                the other two still found
  random-N      64 random words over all of the above: exit 0, no crash
"""
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from labtest import main_over_labs  # noqa: E402
from maps_damage import Reader, kaslr_offset, symbol  # noqa: E402
from ps_damage import LIST_POISON1, Patcher, profile_offsets, run_ps  # noqa: E402

KINDS = ("memfd", "posix-shm", "sysv-shm")


def scan(vmahunt, vmlinux, dump, timeout):
    cmd = [vmahunt, "scan", "--json", "--detector", "unmapped-payload", "--vmlinux", vmlinux,
           dump]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    objs = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
    return r, [o for o in objs if o["type"] == "finding"], \
        [o["message"] for o in objs if o["type"] == "warning"]


def found(findings, pid):
    return {f["kind"] for f in findings if f["pid"] == pid and f["severity"] == "high"}


def check(a, vmlinux, copy, patcher, pid, name, words, want, warning, fails):
    saved = patcher.apply(words)
    try:
        r, findings, warns = scan(a.vmahunt, vmlinux, copy, a.timeout)
    except subprocess.TimeoutExpired:
        fails.append(f"{name}: no answer in {a.timeout} s")
        return
    finally:
        patcher.restore(saved)
    if r.returncode < 0 or "Sanitizer" in r.stderr or "runtime error:" in r.stderr:
        fails.append(f"{name}: crashed (exit {r.returncode}): {r.stderr[-800:]}")
        return
    if r.returncode != 0:
        fails.append(f"{name}: exit {r.returncode}: {r.stderr.strip()[-300:]}")
        return
    got = found(findings, pid)
    if not set(want) <= got:
        fails.append(f"{name}: found {sorted(got)}, expected at least {sorted(want)}")
    if warning and not any(all(w in m for w in warning) for m in warns):
        fails.append(f"{name}: no warning with {warning}: {warns[:4]}")
    print(f"{name}: exit 0, found {sorted(got)}, {len(warns)} warnings")
    if a.verbose:
        for m in warns:
            print("  warning:", m)


def check_lab(a, lab):
    fails = []
    vmlinux = os.path.join(lab, "vmlinux")
    with open(os.path.join(lab, "truth.json")) as f:
        plants = json.load(f)["plants"]
    sysv = [p for p in plants if p["kind"] == "unmapped_sysv" and p.get("ipc_ns") != "own"]
    memfd = [p for p in plants if p["kind"] == "unmapped_memfd"]
    if not sysv or not memfd:
        return [f"{lab}: no shmhide plants in truth.json"]
    pid = sysv[0]["pid"]
    tmp = tempfile.mkdtemp(prefix="vh-unmapped-damage-")
    try:
        copy = os.path.join(tmp, "qemu.elf")
        shutil.copyfile(os.path.join(lab, "qemu.elf"), copy)
        r, findings, _ = scan(a.vmahunt, vmlinux, copy, a.timeout)
        if r.returncode != 0 or found(findings, pid) != set(KINDS):
            return [f"{lab}: intact copy: exit {r.returncode}, found {found(findings, pid)}"]
        off = profile_offsets(a.tools, vmlinux)
        patcher = Patcher(copy, a.tools)
        rd = Reader(copy, a.tools, patcher.loads)
        _, _, tasks, _ = run_ps(a.vmahunt, vmlinux, copy, a.timeout)
        tsk = int([t for t in tasks if t["pid"] == pid][0]["task_struct"], 16)
        files = rd.u64s(tsk + off["task_struct.files"], 1)[0]
        fdt = rd.u64s(files + off["files_struct.fdt"], 1)[0]
        fd_array = fdt + off["fdtable.fd"]
        slot = rd.u64s(fd_array, 1)[0] + 8 * memfd[0]["fd"]
        mfile = rd.u64s(slot, 1)[0]
        mapping = rd.u64s(mfile + off["file.f_mapping"], 1)[0]
        xa = mapping + off["address_space.i_pages"] + off["xarray.xa_head"]
        ns = symbol(a.tools, vmlinux, "init_ipc_ns") + kaslr_offset(a.vmahunt, copy)
        idr = (ns + off["ipc_namespace.ids"] + 2 * off["struct ipc_ids"] +
               off["ipc_ids.ipcs_idr"] + off["idr.idr_rt"] + off["xarray.xa_head"])
        perm = rd.u64s(idr, 1)[0]  # one segment, id 0: the entry itself, or a node's slot 0
        if perm & 3 == 2 and perm > 4096:
            perm = rd.u64s(perm - 2 + off["xa_node.slots"], 1)[0]
        shp = perm - off["shmid_kernel.shm_perm"]
        name = os.path.basename(lab)
        cases = [
            ("fd-array", [(fd_array, LIST_POISON1)], ["sysv-shm"],
             ["unmapped-payload", "%#x" % LIST_POISON1]),
            ("fd-slot", [(slot, fdt)], ["posix-shm", "sysv-shm"], None),
            ("idr-head", [(idr, LIST_POISON1 | 2)], ["memfd", "posix-shm"],
             ["SysV shm ids", "%#x" % LIST_POISON1]),
            ("memfd-xa", [(xa, mapping | 2)], ["posix-shm", "sysv-shm"], None),
        ]
        if perm & 3 == 0 and perm > 1 << 63:
            cases.append(("shm-file", [(shp + off["shmid_kernel.shm_file"], 0x4141414141414141)],
                          ["memfd", "posix-shm"], ["%#x" % shp]))
        else:
            fails.append(f"{lab}: the shm IDR's first entry {perm:#x} is no kernel pointer")
        hot = [w for c in cases for w, _ in c[1]]
        rng = random.Random(15)
        for n in range(a.random_rounds):
            words = {rng.choice(hot): rng.choice([0, rng.getrandbits(64), LIST_POISON1, fdt,
                                                  mapping, mfile, perm, shp])
                     for _ in range(64)}
            cases.append((f"random-{n}", list(words.items()), [], None))
        for cname, words, want, warning in cases:
            check(a, vmlinux, copy, patcher, pid, f"{name} {cname}", words, want, warning, fails)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return fails


if __name__ == "__main__":
    sys.exit(main_over_labs(__doc__, check_lab, 120,
                            ("--random-rounds", {"type": int, "default": 8}),
                            ("--verbose", {"action": "store_true"})))
