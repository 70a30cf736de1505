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

The anti-forensics plants are about kernel structures, not one range: an
"unlinked_task" (a process off the task list, still in the pid table) must be
reported by hidden-task with the plant's pid, a "hidden_vma" (a VMA taken out
of the VMA tree/list with map_count left) by vma-tree with the plant's pid
(its map_count finding spans the process's VMAs, not the hidden one); their
findings are matched by pid alone. A dump without such plants checks them
simply by having none.
"""
import argparse
import json
import os
import subprocess
import sys

# plant kind -> detector; None: not an anomaly (an ordinary process of the lab)
KINDS = {
    "anon_rwx_code": "anon-rwx",
    "heap_exec": "heap-exec",
    "memfd_exec": "memfd-exec",
    "deleted_file_exec": "deleted-exec",
    "anon_elf_exec": "elf-in-anon",
    "unlinked_task": "hidden-task",
    "hidden_vma": "vma-tree",
    "many_vmas": None,
    "threads": None,
    "la57_probe": None,
    "benign": None,
}
CONTENT = {"elf-in-anon", "shellcode"}
# detectors whose findings name a kernel object, not the plant's range: matched by pid
PID_ONLY = {"hidden-task", "vma-tree"}
NO_USER_PAGES_WARNING = "no user-process pages"


def scan(vmahunt, lab, path, timeout):
    cmd = [vmahunt, "scan", "--json", "--vmlinux", os.path.join(lab, "vmlinux"), path]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def overlaps(f, p):
    return int(f["start"], 16) < int(p["end"], 16) and int(p["start"], 16) < int(f["end"], 16)


def matches(f, p):
    """A finding about plant @p: its pid, and its range unless the detector names objects."""
    return f["pid"] == p["pid"] and (f["detector"] in PID_ONLY or overlaps(f, p))


def recall(plants, findings, user_pages):
    """Returns (found, expected, failures, uncovered)."""
    found = expected = 0
    fails, uncovered = [], []
    for p in plants:
        det = KINDS.get(p["kind"], "?")
        if det is None:
            continue
        if det == "?":
            uncovered.append(f"{p['kind']} pid {p['pid']}")
            continue
        if det in CONTENT and not user_pages:
            continue
        expected += 1
        if any(f["detector"] == det and matches(f, p) for f in findings):
            found += 1
        else:
            fails.append(f"{det} missed {p['kind']} pid {p['pid']} {p['start']}-{p['end']}")
    return found, expected, fails, uncovered


def false_positives(plants, findings):
    """Findings above info outside every anomalous plant's pid and range."""
    planted = [p for p in plants if KINDS.get(p["kind"], "?") is not None]
    fps = []
    for f in findings:
        if f["severity"] == "info":
            continue
        if not any(matches(f, p) for p in planted):
            fps.append(f"{f['detector']} {f['severity']} pid {f['pid']} {f['comm']} "
                       f"{f['start']}-{f['end']}: {f['reason']}")
    return fps


def check_dump(vmahunt, lab, dump, timeout):
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
    found, expected, fails, uncovered = recall(plants, findings, user_pages)
    fps = false_positives(plants, findings)
    print(f"{path}: recall {found}/{expected}, false positives {len(fps)}"
          + (f", not covered yet: {', '.join(uncovered)}" if uncovered else ""))
    if fails and dump.get("lossy"):
        # The lab marks dumps whose producer lost kernel objects (its dumpcheck
        # XFAIL): a plant whose mm_struct or file went with them cannot be found.
        # The misses still count against recall above.
        for f in fails:
            print(f"  note: {f}: lossy dump ({dump['lossy'][:60]}...)")
        fails = []
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
    dets = {json.loads(line)["detector"] for line in out.splitlines()}
    if code != 0 or dets != {"memfd-exec"}:
        errs.append(f"--detector memfd-exec --json: exit {code}, detectors {dets}")
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
    for lab in a.labs:
        if not os.path.exists(os.path.join(lab, "truth.json")):
            continue
        for dump in json.load(open(os.path.join(lab, "manifest.json")))["dumps"]:
            errs += check_dump(a.vmahunt, lab, dump, a.timeout)
    errs += check_cli(a.vmahunt, a.labs[0], a.timeout)
    for e in errs:
        print("FAIL:", e)
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
