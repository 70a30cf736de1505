#!/usr/bin/env python3
"""Compare `vmahunt ps --threads --json` on every lab dump with the lab's truth.

Per dump: every thread of the truth (tid, tgid, ppid, comm) must be listed, and
nothing else (pid 0, the idle task, is not in /proc and so not in the truth).
Also: kernel threads flagged as such, uids equal, each group's thread count,
and on unfiltered dumps every user process's command line read. Prints per dump
the counts, recall and precision; exits 1 on any mismatch.

Tolerated, because the truth is /proc read while the guest ran:
  - comm: /proc/PID/stat shows a kernel thread's full name (longer than the 15
    characters of task_struct.comm) and a workqueue worker's current workqueue
    ("kworker/0:1-events"): there the truth need only start with vmahunt's comm.
  - kworker threads that came or went between the truth and the dump (the lab
    README says they may); reported, not failed. Everything else is strict,
    the kdump dumps (taken seconds later, after the crash) included.
  - the process of an "unlinked_task" plant (the lab's module took it off the
    task list after the truth was printed; it is still in the pid table):
    listed or missing, for now; reported either way.
"""
import argparse
import json
import os
import subprocess
import sys


def truth_threads(truth):
    t = {}
    for p in truth["processes"]:
        for th in p["threads"]:
            t[th["tid"]] = {"tgid": p["tgid"], "ppid": p["ppid"], "comm": th["comm"],
                            "kthread": p.get("kernel_thread"), "uid": p.get("uid"),
                            "nthreads": len(p["threads"])}
    return t


def comm_ok(truth_comm, got, kthread):
    if truth_comm == got:
        return True
    # the kernel's full kthread name, or a workqueue worker's "-wq" suffix
    return bool(kthread) and truth_comm.startswith(got) and (len(got) == 15 or
                                                             truth_comm[len(got)] == "-")


def is_kworker(comm):
    return comm.startswith("kworker/")


def check_dump(vmahunt, lab, dump, timeout):
    truth = json.load(open(os.path.join(lab, "truth.json")))
    path = os.path.join(lab, dump["file"])
    cmd = [vmahunt, "ps", "--threads", "--json", "--vmlinux", os.path.join(lab, "vmlinux"), path]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return [f"{path}: vmahunt ps did not finish in {timeout} s"]
    if r.returncode != 0:
        return [f"{path}: vmahunt ps exited {r.returncode}: {r.stderr.strip()}"]
    recs = [json.loads(line) for line in r.stdout.splitlines()]
    tasks = [o for o in recs if o["type"] == "task"]
    warnings = [o["message"] for o in recs if o["type"] == "warning"]
    got = {o["pid"]: o for o in tasks if o["pid"] != 0}
    want = truth_threads(truth)
    errs, notes = [], []
    if len(got) != len([o for o in tasks if o["pid"] != 0]):
        errs.append("a pid is listed twice")
    if not any(o["pid"] == 0 for o in tasks):
        errs.append("pid 0 (init_task) is missing")
    missing = sorted(set(want) - set(got))
    extra = sorted(set(got) - set(want))
    unlinked = {p["pid"] for p in truth["plants"]
                if p.get("after_truth") and p["kind"] == "unlinked_task"}
    for pid in sorted(unlinked):
        state = "missing" if pid in missing else "listed"
        notes.append(f"pid {pid} {want.get(pid, {}).get('comm')!r}: unlinked from the task "
                     f"list (plant), {state}")
    for pid in missing:
        if pid in unlinked:
            continue
        (notes if is_kworker(want[pid]["comm"]) else errs).append(
            f"missing pid {pid} {want[pid]['comm']!r}")
    for pid in extra:
        (notes if got[pid]["kthread"] and is_kworker(got[pid]["comm"]) else errs).append(
            f"extra pid {pid} {got[pid]['comm']!r}")
    unfiltered = not dump.get("dump_level")
    for pid in sorted(set(want) & set(got)):
        w, g = want[pid], got[pid]
        for k in ("tgid", "ppid"):
            if w[k] != g[k]:
                errs.append(f"pid {pid}: {k} {g[k]}, truth {w[k]}")
        if not comm_ok(w["comm"], g["comm"], w["kthread"]):
            errs.append(f"pid {pid}: comm {g['comm']!r}, truth {w['comm']!r}")
        if w["kthread"] is not None and w["kthread"] != g["kthread"]:
            errs.append(f"pid {pid}: kthread {g['kthread']}, truth {w['kthread']}")
        if w["uid"] is not None and w["uid"] != g["uid"]:
            errs.append(f"pid {pid}: uid {g['uid']}, truth {w['uid']}")
        if g["leader"] and g.get("threads") != w["nthreads"]:
            errs.append(f"pid {pid}: {g.get('threads')} threads, truth {w['nthreads']}")
        if unfiltered and not g["kthread"] and g["mm"] and g["cmdline_state"] != "ok":
            errs.append(f"pid {pid}: command line {g['cmdline_state']} in an unfiltered dump")
    hit = len(set(want) & set(got))
    recall = hit / len(want) if want else 0.0
    precision = hit / len(got) if got else 0.0
    cmdlines = sum(1 for o in tasks if o["cmdline_state"] == "ok")
    print(f"{os.path.basename(lab)}/{dump['file']}: truth {len(want)} tasks, listed {len(got)} "
          f"(+pid 0), groups {sum(1 for o in tasks if o['leader'])}, recall {recall:.3f}, "
          f"precision {precision:.3f}, cmdlines read {cmdlines}, warnings {len(warnings)}")
    for n in notes:
        print(f"  note: {n}" + ("" if "unlinked" in n else " (kworkers come and go)"))
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
        for dump in manifest["dumps"]:
            ndumps += 1
            errs += check_dump(a.vmahunt, lab, dump, a.timeout)
    for e in errs:
        print("FAIL:", e)
    if not ndumps:
        print("FAIL: no dumps")
        return 1
    print(f"{ndumps} dumps, {len(errs)} failures")
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
