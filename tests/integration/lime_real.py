#!/usr/bin/env python3
"""vmahunt on the real LiME images of the lab (Debian's lime-forensics module, run in
the guest after the QEMU dumps, before the crash; tests/lab/README.md).

The guest is idle between QMP's stop and LiME (the scenarios sleep), so for every LiME
image (manifest.json "extra_dumps", memory "lime"):
  - `ps --threads`, `maps` and `scan` (JSON) equal those of qemu.elf, record for
    record, except: the insmod process that ran LiME (its pid is in the manifest; it
    must be listed, comm "insmod"), kworker threads that came or went (and findings
    about them), kernel threads started after the QEMU dumps (pid above all of
    qemu.elf's: the guest loads virtio and ext4 and mounts the kdump disk for LiME,
    which starts ext4-rsv-conver), the idle tasks' lazy active_mm, and the state of
    pid 1 (the guest's /init, which runs LiME);
  - LiME copies memory while the kernel runs: a list the kernel was changing at that
    moment (a kworker being created) is caught half-linked. vmahunt's warnings about
    such lists are printed as notes, not compared; when the two outputs' warnings
    differ that way, what vmahunt derives from comparing those lists may differ too: a
    task's in_pid_table and via, a hidden-task finding's severity and reason (they say
    whether the task list is intact); never a task, VMA or finding itself, but for
    pte-rmap's "moved" (info): a page migrated between the copies of its struct page
    and its PTE (tests/integration/live_smear.py);
  - every user process of the truth is listed with its tgid, ppid and comm;
  - format=lime is read as LiME, format=padded as a raw image with --raw-base 0;
  - format=raw (ranges concatenated without their addresses) is refused, saying why.
A kdump guest of a kernel the lab runs LiME on (6.1, 5.10) without LiME images fails:
the lab predates LiME and must be rebuilt.
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import labtest  # noqa: E402

LIME_KERNELS = ("6.1", "5.10")  # build-lab.sh LIME_MODULE


def vmahunt(a, lab, cmd, dump_args):
    args = [a.vmahunt] + cmd + ["--json", "--vmlinux", os.path.join(lab, "vmlinux")] + dump_args
    return subprocess.run(args, capture_output=True, text=True, timeout=a.timeout)


def records(r):
    return [json.loads(line) for line in r.stdout.splitlines()]


def key(o):
    if o["type"] == "task":
        return ("task", o["pid"])
    if o["type"] == "vma":
        return ("vma", o["pid"], o["start"])
    if o["type"] == "finding":
        return ("finding", o["detector"], o["pid"], o["start"], o["end"])
    return ("warning", o.get("message"))


def kworkers(recs):
    return {o["pid"] for o in recs
            if o["type"] == "task" and o["kthread"] and o["comm"].startswith("kworker/")}


def later_kthreads(base, got):
    """Kernel threads of @got started after every task of @base."""
    top = max((o["pid"] for o in base if o["type"] == "task"), default=0)
    return {o["pid"] for o in got if o["type"] == "task" and o["kthread"] and o["pid"] > top}


def normal(o, smeared):
    o = dict(o)
    if o["type"] == "task" and o["kthread"] and o["mm"] is None:
        o.pop("active_mm", None)  # an idle kernel thread borrows whatever mm ran last
        o.pop("state", None)
        o.pop("state_raw", None)
    if o["type"] == "task" and o["pid"] == 1:
        o.pop("state", None)  # /init is not idle: it runs LiME (and was busy at QMP's stop)
        o.pop("state_raw", None)
    if o["type"] == "finding" and o["detector"] == "hidden-task" and smeared:
        o.pop("severity", None)
        o.pop("reason", None)
    if o["type"] == "task" and smeared:
        o.pop("in_pid_table", None)  # the cross-view of lists and pid table, caught mid-update
        o.pop("via", None)
    return o


def moved(o):
    """pte-rmap's account of a page that migrated while LiME copied memory (compaction
    runs while LiME writes its image to disk): kind "moved", severity info."""
    return o.get("detector") == "pte-rmap" and o.get("kind") == "moved" and \
        o.get("severity") == "info"


def compare(name, base, got, skip_pids, kw_base=None):
    """Record-by-record comparison; returns (errors, notes). Warnings are notes."""
    errs, notes = [], []
    wb = {o["message"] for o in base if o["type"] == "warning"}
    wg = {o["message"] for o in got if o["type"] == "warning"}
    smeared = wb != wg
    for w in sorted(wg - wb):
        notes.append(f"{name}: warning of the live image only: {w}")
    for w in sorted(wb - wg):
        notes.append(f"{name}: warning of qemu.elf only: {w}")
    # kworkers of either image (ps knows them; maps and scan take them from ps)
    volatile = set(skip_pids) | (kw_base or set()) | kworkers(base) | kworkers(got)
    b = {key(o): normal(o, smeared) for o in base
         if o["type"] != "warning" and o.get("pid") not in volatile}
    g = {key(o): normal(o, smeared) for o in got
         if o["type"] != "warning" and o.get("pid") not in volatile}
    for k in sorted(set(b) - set(g), key=str):
        errs.append(f"{name}: {k} is in qemu.elf's output, not in the LiME image's")
    for k in sorted(set(g) - set(b), key=str):
        if moved(g[k]):
            notes.append(f"{name}: a page moved while LiME copied: {k}")
            continue
        errs.append(f"{name}: {k} is in the LiME image's output, not in qemu.elf's")
    diff = [k for k in set(b) & set(g) if b[k] != g[k]]
    for k in sorted(diff, key=str)[:5]:
        fields = [f for f in set(b[k]) | set(g[k]) if b[k].get(f) != g[k].get(f)]
        errs.append(f"{name}: {k} differs in {', '.join(sorted(fields))}: "
                    + "; ".join(f"{f} {b[k].get(f)!r} vs {g[k].get(f)!r}" for f in sorted(fields)))
    if len(diff) > 5:
        errs.append(f"{name}: {len(diff) - 5} more records differ")
    kb, kg = kworkers(base), kworkers(got)
    if kb != kg:
        notes.append(f"{name}: kworkers came or went: {sorted(kb ^ kg)}")
    return errs, notes


def check_lab(a, lab):
    name = os.path.basename(lab)
    man = json.load(open(os.path.join(lab, "manifest.json")))
    truth = json.load(open(os.path.join(lab, "truth.json")))
    limes = [e for e in man.get("extra_dumps", []) if e.get("memory") == "lime"]
    if not limes:
        if name in LIME_KERNELS and os.path.exists(os.path.join(lab, "vmcore.elf")):
            return [f"{lab}: a kdump guest of {name} without LiME images: the lab predates them, "
                    f"rebuild it with tests/lab/build-lab.sh"]
        print(f"{name}: no LiME images (not a LiME guest)")
        return []
    a.seen += 1
    fails = []
    if sorted(e["lime_format"] for e in limes) != ["lime", "padded", "raw"]:
        fails.append(f"{lab}: LiME formats {[e['lime_format'] for e in limes]}, expected lime, padded, raw")
    base = {}
    for cmd in ("ps", "maps", "scan"):
        c = [cmd] + (["--threads"] if cmd == "ps" else [])
        r = vmahunt(a, lab, c, [os.path.join(lab, "qemu.elf")])
        if r.returncode != 0:
            return [f"{lab}/qemu.elf: vmahunt {cmd} exited {r.returncode}: {r.stderr.strip()}"]
        base[cmd] = records(r)
    ps_got = {}
    truth_users = {p["pid"]: p for p in truth["processes"] if not p.get("kernel_thread")}
    for e in limes:
        path = os.path.join(lab, e["file"])
        if not os.path.exists(path):
            fails.append(f"{path}: listed in manifest.json but missing")
            continue
        if e["lime_format"] == "raw":
            r = subprocess.run([a.vmahunt, "ps", "--raw-base", "0", "--vmlinux",
                                os.path.join(lab, "vmlinux"), path],
                               capture_output=True, text=True, timeout=a.timeout)
            if r.returncode == 0 or "LiME's format=raw" not in r.stderr or r.returncode > 4:
                fails.append(f"{path}: a LiME format=raw image must be refused, saying why; "
                             f"exit {r.returncode}: {r.stderr.strip()[:300]}")
            r2 = subprocess.run([a.vmahunt, "info", path], capture_output=True, text=True,
                                timeout=a.timeout)
            if r2.returncode != 3:
                fails.append(f"{path}: vmahunt info without --raw-base exited {r2.returncode}, "
                             f"expected 3 (not a recognised dump)")
            print(f"{name}/{e['file']}: refused as it must be ({r.stderr.strip()[:90]}...)")
            continue
        dump_args = [path] if e["lime_format"] == "lime" else ["--raw-base", "0", path]
        ipid = e.get("insmod_pid")
        n = {}
        for cmd in ("ps", "maps", "scan"):
            c = [cmd] + (["--threads"] if cmd == "ps" else [])
            r = vmahunt(a, lab, c, dump_args)
            if r.returncode != 0:
                fails.append(f"{path}: vmahunt {cmd} exited {r.returncode}: {r.stderr.strip()}")
                continue
            got = records(r)
            n[cmd] = len(got)
            if cmd == "ps":
                ps_got[path] = got
                later = later_kthreads(base["ps"], got)
                if later:
                    print(f"  note: {path}: kernel threads started after the QEMU dumps: " +
                          ", ".join(f"{o['pid']} {o['comm']}" for o in got
                                    if o["type"] == "task" and o["pid"] in later))
            kw = kworkers(base["ps"]) | kworkers(ps_got.get(path, []))
            kw |= later_kthreads(base["ps"], ps_got.get(path, []))
            errs, notes = compare(f"{path}: {cmd}", base[cmd], got, {ipid}, kw)
            fails += errs
            for x in notes:
                print("  note: " + x)
            if cmd == "ps":
                tasks = {o["pid"]: o for o in got if o["type"] == "task"}
                ins = tasks.get(ipid)
                if not ins or ins["comm"] != "insmod" or ins["ppid"] != 1:
                    fails.append(f"{path}: LiME's insmod (pid {ipid}) is not listed as such: {ins}")
                for pid, p in truth_users.items():
                    t = tasks.get(pid)
                    unlinked = any(pl["kind"] == "unlinked_task" and pl["pid"] == pid
                                   for pl in truth["plants"])
                    if t is None and not unlinked:
                        fails.append(f"{path}: truth process {pid} {p['comm']!r} not listed")
                    elif t and (t["tgid"], t["ppid"], t["comm"]) != (p["tgid"], p["ppid"], p["comm"]):
                        fails.append(f"{path}: pid {pid}: tgid/ppid/comm {t['tgid']}/{t['ppid']}/"
                                     f"{t['comm']!r}, truth {p['tgid']}/{p['ppid']}/{p['comm']!r}")
        print(f"{name}/{e['file']} ({e['producer']}, format={e['lime_format']}): ps {n.get('ps')}, "
              f"maps {n.get('maps')}, scan {n.get('scan')} records; equal to qemu.elf's but "
              f"insmod pid {ipid}")
    return fails


def main():
    state = {"seen": 0}

    def check(a, lab):
        a.seen = state["seen"]
        f = check_lab(a, lab)
        state["seen"] = a.seen
        return f

    rc = labtest.main_over_labs(__doc__, check, 600)
    if state["seen"] == 0:
        print("FAIL: no lab folder has LiME images: build the lab with tests/lab/build-lab.sh "
              "(--kernels 6.1,5.10 at least)")
        return 1
    return rc


if __name__ == "__main__":
    sys.exit(main())
