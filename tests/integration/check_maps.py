#!/usr/bin/env python3
"""Compare `vmahunt maps` on every lab dump with the lab's truth, line for line.

The truth holds each process's /proc/PID/maps as the guest printed it. Each
truth entry is rendered in the kernel's show_map_vma() layout (the fixed
columns, then spaces up to column 73 and the name) and compared with
vmahunt's text output for the same pid: the lines must be equal and in the
same order. Also checked: the JSON output (--json) gives the same fields for
every VMA, with the raw vm_flags and the vm_area_struct address.

Per dump it prints: truth lines, listed lines, recall (truth lines found) and
precision (listed lines that are in the truth, over the truth's processes);
exits 1 on any mismatch.

Tolerated, and reported: in a filtered (-d 31) dump, a process whose mm_struct
is in a page the dump left out (vmahunt prints its header with "vmas
unreadable" and warns; its lines count as not recovered), and a file's device and inode
number, or its path, missing when the page holding its inode, dentry or mount is
not in the dump, vmahunt warned about it and marked the path "[unreadable...]"
instead of guessing (everything else of those lines must still match);
a process of the truth that is gone from a dump, or
a process in a dump that is not in the truth (the kdump dumps were taken a few
seconds after the truth, after the crash); their lines are not counted.

Anti-forensics plants (truth plants with "after_truth": the lab's kernel module
changed the kernel's bookkeeping after the truth was printed): vmahunt shows the
kernel's bookkeeping, so a "hidden_vma" plant's line must be ABSENT from its
process's lines (it is in the truth, captured before the VMA was taken out of
the tree), and an "unlinked_task" plant's process may be missing (it is off the
task list; reported, not failed).
"""
import argparse
import json
import os
import subprocess
import sys
from collections import Counter

WIDTH = 25 + 8 * 6 - 1  # seq_setwidth() of show_map_vma()


def render(m):
    """One truth entry as the kernel printed it."""
    line = "%08x-%08x %s %08x %s %d " % (int(m["start"], 16), int(m["end"], 16), m["perms"],
                                          int(m["offset"], 16), m["dev"], m["inode"])
    if m["path"]:
        line += " " * max(0, WIDTH - len(line)) + " " + m["path"]
    return line


def parse_text(out):
    """vmahunt maps text: '# pid N COMM ...' headers, then lines. Returns the
    lines per pid and the pids whose header says 'vmas unreadable'."""
    procs, unreadable, cur = {}, set(), None
    for line in out.split("\n"):
        if line.startswith("# pid "):
            cur = int(line.split()[2])
            procs[cur] = []
            if line.endswith(" vmas unreadable"):
                unreadable.add(cur)
        elif line and cur is not None:
            procs[cur].append(line)
    return procs, unreadable


def lossy_ok(dump, pid, lines, got, warnings):
    """A filtered dump that lost a file's inode, dentry or mount: vmahunt said
    which one it could not read for this pid, and the lines differ only there:
    in device and inode, and in a path it marked "[unreadable...]" rather than
    guessed."""
    if not dump.get("dump_level") or len(lines) != len(got):
        return False
    if not any(w.startswith(f"vmahunt: warning: pid {pid}: {what} ")
               for w in warnings for what in ("file", "mount", "dentry")):
        return False
    for a, b in zip(lines, got):
        fa, fb = a.split(), b.split()
        if fa[:3] != fb[:3]:
            return False
        if fa[5:] != fb[5:] and not (len(fb) > 5 and fb[5].startswith("[unreadable")):
            return False
    return True


def run(cmd, timeout):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def check_json(vmahunt, lab, path, text_procs, timeout):
    """The JSON output says what the text says, with the raw fields."""
    errs = []
    r = run([vmahunt, "maps", "--json", "--vmlinux", os.path.join(lab, "vmlinux"), path], timeout)
    if r.returncode != 0:
        return [f"{path}: vmahunt maps --json exited {r.returncode}: {r.stderr.strip()}"]
    got = {}
    for line in r.stdout.splitlines():
        o = json.loads(line)
        if o["type"] != "vma":
            continue
        for k in ("vm_flags", "vm_area_struct", "mm"):
            if not o[k].startswith("0x"):
                errs.append(f"pid {o['pid']}: {k} {o[k]!r} is not hex")
        got.setdefault(o["pid"], []).append(render(o))
    for pid, lines in text_procs.items():
        if lines and got.get(pid, []) != lines:
            errs.append(f"pid {pid}: --json differs from the text output")
    return [f"{path}: {e}" for e in errs]


def expected_maps(truth):
    """Per pid, the truth's lines as vmahunt must list them: without the VMAs the lab's
    module took out of the VMA tree after the truth was printed. Also returns the pids
    the module took off the task list."""
    hidden = {(p["pid"], int(p["start"], 16), int(p["end"], 16)) for p in truth["plants"]
              if p.get("after_truth") and p["kind"] == "hidden_vma"}
    unlinked = {p["pid"] for p in truth["plants"]
                if p.get("after_truth") and p["kind"] == "unlinked_task"}
    want = {}
    for p in truth["processes"]:
        want[p["pid"]] = [render(m) for m in p["maps"]
                          if (p["pid"], int(m["start"], 16), int(m["end"], 16)) not in hidden]
    seen = {(pid, s, e) for pid, s, e in hidden
            for p in truth["processes"] if p["pid"] == pid
            for m in p["maps"] if (int(m["start"], 16), int(m["end"], 16)) == (s, e)}
    if seen != hidden:
        sys.exit(f"check_maps: hidden_vma plants not in the truth's maps: {sorted(hidden - seen)}")
    return want, unlinked


def check_dump(vmahunt, lab, dump, timeout, with_json):
    truth = json.load(open(os.path.join(lab, "truth.json")))
    path = os.path.join(lab, dump["file"])
    cmd = [vmahunt, "maps", "--vmlinux", os.path.join(lab, "vmlinux"), path]
    try:
        r = run(cmd, timeout)
    except subprocess.TimeoutExpired:
        return [f"{path}: vmahunt maps did not finish in {timeout} s"]
    if r.returncode != 0:
        return [f"{path}: vmahunt maps exited {r.returncode}: {r.stderr.strip()}"]
    got, unreadable = parse_text(r.stdout)
    want, unlinked = expected_maps(truth)
    warnings = [l for l in r.stderr.splitlines() if "warning" in l]
    errs, notes = [], []
    n_truth = n_listed = n_hit = n_listed_hit = 0
    for pid, lines in sorted(want.items()):
        if pid not in got and lines:
            why = ("taken off the task list (unlinked_task plant)" if pid in unlinked
                   else "not in the dump")
            notes.append(f"pid {pid} ({len(lines)} lines) is {why}")
            continue
        g = got.get(pid, [])
        n_truth += len(lines)
        if pid in unreadable and dump.get("dump_level") and any(
                w.startswith(f"vmahunt: warning: pid {pid}: mm_struct ") for w in warnings):
            notes.append(f"pid {pid}: its mm_struct is in a page the dump tool left out "
                         f"(warned): {len(lines)} lines not recovered")
            continue
        n_listed += len(g)
        common = sum((Counter(lines) & Counter(g)).values())
        n_hit += common
        n_listed_hit += common
        if g != lines and lossy_ok(dump, pid, lines, g, warnings):
            notes.append(f"pid {pid}: {sum(a != b for a, b in zip(lines, g))} lines without "
                         "device/inode or path: in a page the dump tool left out (warned, marked)")
        elif g != lines:
            errs.append(f"pid {pid}: {len(g)} lines, truth {len(lines)}, {common} equal")
            for a, b in zip(lines, g):
                if a != b:
                    errs.append(f"  first difference:\n    truth   {a!r}\n    vmahunt {b!r}")
                    break
    for pid in sorted(set(got) - set(want)):
        notes.append(f"pid {pid} ({len(got[pid])} lines) is not in the truth")
    recall = n_hit / n_truth if n_truth else 1.0
    precision = n_listed_hit / n_listed if n_listed else 1.0
    print(f"{os.path.basename(lab)}/{dump['file']}: truth {n_truth} lines, listed {n_listed}, "
          f"recall {recall:.4f}, precision {precision:.4f}, warnings {len(warnings)}")
    for n in notes:
        print(f"  note: {n}")
    for w in warnings[:5]:
        print(f"  {w}")
    if with_json:
        errs += check_json(vmahunt, lab, path, got, timeout)
    return [f"{path}: {e}" for e in errs]


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--vmahunt", required=True)
    ap.add_argument("--timeout", type=int, default=300)
    ap.add_argument("labs", nargs="+")
    a = ap.parse_args()
    errs, ndumps = [], 0
    for lab in a.labs:
        manifest = json.load(open(os.path.join(lab, "manifest.json")))
        for i, dump in enumerate(manifest["dumps"]):
            ndumps += 1
            # the JSON check once per memory image is enough
            errs += check_dump(a.vmahunt, lab, dump, a.timeout,
                               with_json=dump["file"] in ("qemu.elf", "vmcore.elf"))
    for e in errs:
        print("FAIL:", e)
    if not ndumps:
        print("FAIL: no dumps")
        return 1
    print(f"{ndumps} dumps, {len(errs)} failures")
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
