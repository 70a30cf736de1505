#!/usr/bin/env python3
"""Damaged processes on copies of real dumps: `vmahunt scan` must warn about
each process it cannot read (naming its pid, comm, mm address and what
failed), exit 0, never hang, and still scan every other process.

For each lab folder given, the copy is its QEMU ELF dump (qemu.elf); a case
overwrites one 8-byte word in it (helpers shared with ps_damage.py), runs
scan --json, checks, and puts the original bytes back. The damaged process is
the one with the most findings on the intact dump (a planted process).

  mm-nowhere   task_struct.mm points at an address no page table maps: the
               VMAs are unreadable, the process is not scanned
  pgd-nowhere  mm_struct.pgd points nowhere: the page tables are unreadable,
               the VMA detectors still report the process's VMAs

Checked: exit 0 within the timeout, one warning naming the pid, comm and the
mm address (JSON; the same line on stderr in text mode), every other process's findings unchanged; with pgd-nowhere the
process's VMA-only findings still there.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ps_damage import Patcher, profile_offsets, run_ps  # noqa: E402
from labtest import main_over_labs  # noqa: E402

UNMAPPED = 0xffff800000001000  # the guard hole at the start of the kernel half
# detectors that read only VMAs (no page tables, no contents)
VMA_ONLY = {"anon-rwx", "anon-exec", "heap-exec", "stack-exec", "deleted-exec", "memfd-exec"}


def run_scan(vmahunt, vmlinux, dump, timeout):
    cmd = [vmahunt, "scan", "--json", "--vmlinux", vmlinux, dump]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    recs = [json.loads(line) for line in r.stdout.splitlines()]
    found = {}
    for o in recs:
        if o["type"] == "finding":
            found.setdefault(o["pid"], set()).add(
                (o["detector"], o["start"], o["end"], o["severity"]))
    return r.returncode, r.stderr, found, [o["message"] for o in recs if o["type"] == "warning"]


def check_lab(a, lab):
    src = os.path.join(lab, "qemu.elf")
    vmlinux = os.path.join(lab, "vmlinux")
    rc, err, base, _ = run_scan(a.vmahunt, vmlinux, src, a.timeout)
    if rc != 0 or not base:
        return [f"{src}: scan of the intact dump: exit {rc}, {len(base)} processes with findings"]
    _, _, tasks, _ = run_ps(a.vmahunt, vmlinux, src, a.timeout)
    off = profile_offsets(a.tools, vmlinux)
    pid = max(base, key=lambda p: len(base[p]))
    task = next(t for t in tasks if t["pid"] == pid)
    mm = int(task["mm"], 16)
    cases = [
        ("mm-nowhere", int(task["task_struct"], 16) + off["task_struct.mm"], UNMAPPED,
         f"{UNMAPPED:#x}", set()),
        ("pgd-nowhere", mm + off["mm_struct.pgd"], UNMAPPED, f"{mm:#x}",
         {f for f in base[pid] if f[0] in VMA_ONLY}),
    ]
    fails = []
    with tempfile.TemporaryDirectory(prefix="vh-scan-damage-") as tmp:
        copy = os.path.join(tmp, "damaged.elf")
        shutil.copyfile(src, copy)
        patcher = Patcher(copy, a.tools)
        for name, where, value, mm_named, keep in cases:
            saved = patcher.apply([(where, value)])
            try:
                text = subprocess.run([a.vmahunt, "scan", "--vmlinux", vmlinux, copy],
                                      capture_output=True, text=True, timeout=a.timeout)
                rc, err, got, warnings = run_scan(a.vmahunt, vmlinux, copy, a.timeout)
            except subprocess.TimeoutExpired:
                rc, err, got, warnings = None, "timed out (a hang)", {}, []
            finally:
                patcher.restore(saved)
            errs = []
            if rc != 0:
                errs.append(f"exit {rc}: {err.strip()[:300]}")
            named = [w for w in warnings
                     if w.startswith(f"pid {pid} ({task['comm']})") and mm_named in w]
            if named and f"warning: {named[0]}" not in text.stderr:
                errs.append(f"the text output (stderr) lacks the warning: {text.stderr[:300]}")
            if len(named) != 1:
                errs.append(f"{len(named)} warnings name pid {pid} and mm {mm_named}, "
                            f"expected 1: {warnings[:3]}")
            for p in base:
                if p != pid and got.get(p) != base[p]:
                    errs.append(f"pid {p} (not damaged): findings differ")
            if not keep <= got.get(pid, set()) or (not keep and got.get(pid)):
                errs.append(f"pid {pid}: findings {sorted(got.get(pid, set()))}, "
                            f"expected the VMA-only ones {sorted(keep)}")
            print(f"{os.path.basename(lab)} {name}: {'ok' if not errs else 'FAIL'}: pid {pid} "
                  f"{len(got.get(pid, set()))}/{len(base[pid])} findings kept; warning: "
                  f"{named[0] if named else '-'}")
            fails += [f"{lab} {name}: {e}" for e in errs]
    return fails


if __name__ == "__main__":
    sys.exit(main_over_labs(__doc__, check_lab, 300))
