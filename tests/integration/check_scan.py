#!/usr/bin/env python3
"""`vmahunt scan --json` against each lab folder's truth.json.

Every plant whose kind maps to a built detector must be reported by that
detector with the plant's pid and an overlapping range (recall per dump); no
process without a plant and no kernel thread may get a finding above info
(false positives per dump). Plants whose detector is not built yet are listed
as "not covered yet". On dumps without user pages (-d 31) the run must exit 0
and warn once that user pages are missing; the detectors that need only VMAs
must still find their plants. makedumpfile -E keeps short excluded runs in its
ELF output, so an ELF -d 31 dump may hold some user pages: it may warn or not,
and on every -d 31 dump the content detectors' plants are not counted (their
pages may be gone).

A plant may be reported by more than one detector; each must report it. The
anti-forensics plants: a "hidden_vma" (a VMA taken out of the VMA tree/list with
its page tables and map_count left) by hidden-pages (pages inside the removed
range) and by vma-tree (the map_count mismatch: its finding spans the process's
VMAs, so it is matched by pid) and by slab-xview (its vm_area_struct, allocated
in the VMA cache and in no tree, with the plant's range); an "unlinked_task" (a process off the task list,
still in the pid table) by hidden-task, matched by pid; a "task_flagged" process by
task-flags, matched by pid, and each "syscall_hooked" sys_call_table entry (pid 0)
by syscall-hook, on the entry's eight bytes; a "pte_widened" page by
pte-perm and a "code_modified" page by code-modified, inside the planted page.
A dump without such plants checks them simply by having none.

The shmhide plants (a memfd, a POSIX shm object and a SysV segment holding code,
a SysV segment of a child's own IPC namespace, and a memfd in the file table a
thread made its own, none mapped) have no address: unmapped-payload must report
each with the plant's pid, its payload kind ("memfd", "posix-shm", "sysv-shm"),
its descriptor (and thread) and severity high. Its benign control (a memfd of text in a process of its own) is an
ordinary process: nothing above info.
"""
import argparse
import json
import os
import re
import subprocess
import sys

# plant kind -> the detectors that must report it; () for an ordinary process of the lab
KINDS = {
    "anon_rwx_code": ("anon-rwx",),
    "heap_exec": ("heap-exec",),
    "memfd_exec": ("memfd-exec",),
    "deleted_file_exec": ("deleted-exec",),
    "anon_elf_exec": ("elf-in-anon",),
    "anon_elf_loaded": ("elf-in-anon",),
    # the anti-forensics plants (lab kernel module, every kernel; code_modified is userspace)
    "hidden_vma": ("hidden-pages", "vma-tree", "slab-xview"),
    "pte_widened": ("pte-perm",),
    "code_modified": ("code-modified",),
    "unlinked_task": ("hidden-task",),
    # library context (issue 15): a .so from /tmp injected with ptrace, a libc mapped by a
    # static program, a program whose file is mapped no more
    "injected_lib": ("writable-lib",),
    "ptrace_cow": ("code-modified",),
    "static_libc": ("static-loader",),
    "exe_unmapped": ("exe-unmapped",),
    "lib_twice": ("lib-twice",),
    # the DFRWS 2020 page-table techniques (lab module)
    "pte_erased": ("pte-rmap",),
    "pte_remapped": ("pte-rmap",),
    # a Diamorphine-style rootkit (lab module): the hidden process's flag bit, and the
    # sys_call_table entries it hooked (pid 0: about the kernel)
    "task_flagged": ("task-flags",),
    "syscall_hooked": ("syscall-hook",),
    # DFRWS 2020 shared-memory subversion: payloads in shared memory no VMA maps (shmhide)
    "unmapped_memfd": ("unmapped-payload",),
    "unmapped_shm": ("unmapped-payload",),
    "unmapped_sysv": ("unmapped-payload",),
    "many_vmas": (),
    "threads": (),
    "la57_probe": (),
    "benign": (),
}
# plant kind -> (detector, finding kind) also required, matched by pid: an erased PTE
# leaves the process's RSS counters one page above what its page tables map
KIND_TOO = {"pte_erased": ("pte-rmap", "rss")}
CONTENT = {"elf-in-anon", "shellcode", "static-loader", "unmapped-payload"}
# the page-table detectors: their false positives are also counted on their own
PAGE_TABLE = ("hidden-pages", "pte-perm", "code-modified", "pte-rmap")
# detectors whose findings name a kernel object, not the plant's range: matched by pid
PID_ONLY = {"hidden-task", "vma-tree", "exe-unmapped", "task-flags"}
NO_USER_PAGES_WARNING = "no user-process pages"


def scan(vmahunt, lab, path, timeout):
    cmd = [vmahunt, "scan", "--json", "--vmlinux", os.path.join(lab, "vmlinux"), path]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def overlaps(f, p):
    return int(f["start"], 16) < int(p["end"], 16) and int(p["start"], 16) < int(f["end"], 16)


def built_detectors(vmahunt):
    """The detector ids this vmahunt has (an unknown id is a usage error, exit 2)."""
    have = set()
    for det in {d for dets in KINDS.values() for d in dets}:
        r = subprocess.run([vmahunt, "scan", "--detector", det, "/nonexistent-dump"],
                           capture_output=True, text=True)
        if r.returncode != 2:
            have.add(det)
    return have


def in_range(f, p):
    """The finding lies inside the plant's range (a page-table plant's pages)."""
    return int(p["start"], 16) <= int(f["start"], 16) and int(f["end"], 16) <= int(p["end"], 16)


def whole_process(p):
    """A plant about a process, not a range (unlinked_task: 0x0-0x0)."""
    return int(p["start"], 16) == 0 and int(p["end"], 16) == 0


def matches(f, p, det):
    if f["detector"] != det or f["pid"] != p["pid"]:
        return False
    if det == "unmapped-payload":
        # no address: the payload's kind and high severity (an ELF image or shellcode), and
        # the descriptor holding it, in a thread's own file table when the plant says so
        if "fd" in p and not re.search(rf"\bfd {p['fd']}\b", f["reason"]):
            return False
        if ("thread" in p) != (f"of thread {p.get('thread')}'s own file table" in f["reason"]):
            return False
        return f.get("kind") == p["payload"] and f["severity"] == "high"
    if whole_process(p) or det in PID_ONLY:
        return True
    # hidden pages must be inside the removed VMA, a widened or patched page the one planted
    return in_range(f, p) if det in PAGE_TABLE else overlaps(f, p)


def recall(plants, findings, user_pages, built):
    """Returns (found, expected, failures, uncovered)."""
    found = expected = 0
    fails, uncovered = [], []
    for p in plants:
        dets = KINDS.get(p["kind"], ("?",))
        for det in dets:
            if det == "?" or det not in built:
                uncovered.append(f"{p['kind']} pid {p['pid']}")
                continue
            if det in CONTENT and not user_pages:
                continue
            expected += 1
            if any(matches(f, p, det) for f in findings):
                found += 1
            else:
                fails.append(f"{det} missed {p['kind']} pid {p['pid']} {p['start']}-{p['end']}")
        if p["kind"] in KIND_TOO and KIND_TOO[p["kind"]][0] in built:
            det, kind = KIND_TOO[p["kind"]]
            expected += 1
            if any(f["detector"] == det and f.get("kind") == kind and f["pid"] == p["pid"]
                   for f in findings):
                found += 1
            else:
                fails.append(f"{det} (kind {kind}) missed {p['kind']} pid {p['pid']}")
    return found, expected, fails, uncovered


def false_positives(plants, findings):
    """Findings above info outside every anomalous plant's pid and range."""
    planted = [p for p in plants if KINDS.get(p["kind"], ("?",))]
    fps = []
    for f in findings:
        if f["severity"] == "info":
            continue
        if not any(p["pid"] == f["pid"] and
                   (overlaps(f, p) or f["detector"] in KINDS.get(p["kind"], ()) and
                    (whole_process(p) or f["detector"] in PID_ONLY))
                   for p in planted):
            fps.append(f"{f['detector']} {f['severity']} pid {f['pid']} {f['comm']} "
                       f"{f['start']}-{f['end']}: {f['reason']}")
    return fps


def page_table_fps(fps):
    counts = {d: sum(x.startswith(d + " ") for x in fps) for d in PAGE_TABLE}
    return ", ".join(f"{d} {n}" for d, n in counts.items())


def check_dump(vmahunt, lab, dump, timeout, built):
    path = os.path.join(lab, dump["file"])
    plants = json.load(open(os.path.join(lab, "truth.json")))["plants"]
    user_pages = dump.get("dump_level") != 31
    try:
        r = scan(vmahunt, lab, path, timeout)
    except subprocess.TimeoutExpired:
        return [f"{path}: vmahunt scan did not finish in {timeout} s"]
    if r.returncode != 0:
        return [f"{path}: vmahunt scan exited {r.returncode}: {r.stderr.strip()}"]
    objs = [json.loads(line) for line in r.stdout.splitlines()]
    findings = [o for o in objs if o["type"] == "finding"]
    warned = sum(NO_USER_PAGES_WARNING in o["message"] for o in objs if o["type"] == "warning")
    errs = []
    if user_pages and warned:
        errs.append("warns that user pages are missing")
    if not user_pages and warned != 1 and not (dump["format"] == "elf" and warned == 0):
        errs.append(f"{warned} warnings about missing user pages, expected 1")
    found, expected, fails, uncovered = recall(plants, findings, user_pages, built)
    fps = false_positives(plants, findings)
    print(f"{path}: recall {found}/{expected}, false positives {len(fps)} "
          f"({page_table_fps(fps)})"
          + (f", not covered yet: {', '.join(uncovered)}" if uncovered else ""))
    if fails and dump.get("lossy"):
        # The lab marks dumps whose producer lost kernel objects (its dumpcheck
        # XFAIL): a plant whose mm_struct or file went with them cannot be found.
        # The misses still count against recall above.
        for f in fails:
            print(f"  note: {f}: lossy dump ({dump['lossy'][:60]}...)")
        fails = []
    if fps and dump.get("lossy"):
        # ... and a calibration that needs a file's name (libffi's, a JIT's) cannot
        # lower a finding of a process whose files vmahunt said it could not read
        warned_pids = {int(m.group(1)) for o in objs if o["type"] == "warning"
                       for m in [re.match(r"pid (\d+) ", o["message"])] if m}
        kept = []
        for x in fps:
            pid = int(re.search(r" pid (\d+) ", x).group(1))
            if pid in warned_pids:
                print(f"  note: false positive {x[:100]}: lossy dump, the process's files "
                      "unreadable (warned)")
            else:
                kept.append(x)
        fps = kept
    return [f"{path}: {e}" for e in errs + fails + [f"false positive: {x}" for x in fps]]


def check_cli(vmahunt, lab, timeout):
    """--fail-on, --detector and the text output, on the lab's first dump with user pages."""
    path = os.path.join(lab, "qemu.elf")
    vml = ["--vmlinux", os.path.join(lab, "vmlinux")]
    if not os.path.exists(path):
        return []
    errs = []

    def rc(*args):
        r = subprocess.run([vmahunt, "scan", *vml, *args, path], capture_output=True,
                           text=True, timeout=timeout)
        return r.returncode, r.stdout

    code, out = rc("--fail-on", "high")
    if code != 1 or "# pid" not in out or "high" not in out:
        errs.append(f"--fail-on high: exit {code}, expected 1 with findings printed")
    code, out = rc("--detector", "stack-exec", "--fail-on", "info")
    if code != 0 or out.strip() != "no findings":
        errs.append(f"--detector stack-exec: exit {code} {out[:80]!r}, expected 0, no findings")
    code, out = rc("--detector", "memfd-exec", "--json")
    objs = [json.loads(line) for line in out.splitlines()]
    dets = {o["detector"] for o in objs if o["type"] == "finding"}
    if code != 0 or dets != {"memfd-exec"}:
        errs.append(f"--detector memfd-exec --json: exit {code}, detectors {dets}")
    plants = json.load(open(os.path.join(lab, "truth.json")))["plants"]
    pid = next((p["pid"] for p in plants if p["kind"] == "anon_rwx_code"), None)
    if pid is not None:
        code, out = rc("--pid", str(pid), "--json")
        pids = {o["pid"] for o in map(json.loads, out.splitlines()) if o["type"] == "finding"}
        if code != 0 or pids != {pid}:
            errs.append(f"--pid {pid}: exit {code}, findings for pids {pids}")
    code, _ = rc("--pid", "999999")
    if code != 4:
        errs.append(f"--pid 999999: exit {code}, expected 4 (no such process)")
    code, _ = rc("--detector", "no-such")
    if code != 2:
        errs.append(f"--detector no-such: exit {code}, expected 2")
    code, _ = rc("--fail-on", "severe")
    if code != 2:
        errs.append(f"--fail-on severe: exit {code}, expected 2")
    return [f"{path}: {e}" for e in errs]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vmahunt", required=True)
    ap.add_argument("--timeout", type=int, default=600)
    ap.add_argument("labs", nargs="+")
    a = ap.parse_args()
    errs = []
    built = built_detectors(a.vmahunt)
    for lab in a.labs:
        if not os.path.exists(os.path.join(lab, "truth.json")):
            continue
        for dump in json.load(open(os.path.join(lab, "manifest.json")))["dumps"]:
            errs += check_dump(a.vmahunt, lab, dump, a.timeout, built)
    errs += check_cli(a.vmahunt, a.labs[0], a.timeout)
    for e in errs:
        print("FAIL:", e)
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
