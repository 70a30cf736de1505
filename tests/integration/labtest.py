"""What the tests that damage or tamper with copies of lab dumps share.

A lab folder's own plants: since the lab guests carry anti-forensics plants of their own (tests/lab/README.md),
an "intact" lab dump already has findings: the ones about planted processes. The
tests that tamper with copies of lab dumps take those as their baseline and pick
their victims among the other processes.
"""
import argparse
import json
import os

# plant kinds that are ordinary processes of the lab, not anomalies
ORDINARY = {"many_vmas", "threads", "la57_probe", "benign"}


def planted_pids(lab):
    """The pids of the lab's anomalous plants (empty when the folder has no truth.json)."""
    path = os.path.join(lab, "truth.json")
    if not os.path.exists(path):
        return set()
    with open(path) as f:
        plants = json.load(f).get("plants", [])
    return {p["pid"] for p in plants if p["kind"] not in ORDINARY}


def finding_key(f):
    """A finding's identity, to tell a tampered copy's new findings from the baseline's."""
    return (f["detector"], f.get("kind"), f["pid"], f["start"], f["end"])


def lab_arch(lab):
    """The guest's architecture as its truth says it ("x86_64" when it does not)."""
    with open(os.path.join(lab, "truth.json")) as f:
        return json.load(f).get("arch", "x86_64")


def lab_symbols(lab):
    """The symbol options a lab folder's dumps need: none (the dump's own kallsyms
    and BTF do), or its vmlinux for a kernel whose kallsyms lists code only
    (built without CONFIG_KALLSYMS_ALL, as Debian's arm64 cloud 6.1: its truth
    has no init_task), which vmahunt refuses to read from the dump alone."""
    with open(os.path.join(lab, "truth.json")) as f:
        if "init_task" in json.load(f).get("ksyms", {}):
            return []
    return ["--vmlinux", os.path.join(lab, "vmlinux")]


def main_over_labs(doc, check_lab, timeout, *options, x86_only=None):
    """The command line of such a test: --vmahunt, --tools, --timeout, the lab
    folders, plus @options ((flag, argparse keywords) pairs). Runs
    check_lab(args, lab) on each folder (it returns failure lines), prints them
    and returns the exit status. With @x86_only (why, printed), folders of
    other architectures are named and left out."""
    ap = argparse.ArgumentParser(description=doc)
    ap.add_argument("--vmahunt", required=True)
    ap.add_argument("--tools", required=True)
    ap.add_argument("--timeout", type=int, default=timeout)
    for flag, kw in options:
        ap.add_argument(flag, **kw)
    ap.add_argument("labs", nargs="+")
    a = ap.parse_args()
    fails = []
    for lab in a.labs:
        if x86_only and lab_arch(lab) != "x86_64":
            print(f"{os.path.basename(lab)}: {lab_arch(lab)}: not run here ({x86_only})")
            continue
        fails += check_lab(a, lab)
    for f in fails:
        print("FAIL:", f)
    return 1 if fails else 0
