#!/usr/bin/env python3
"""Kernel structures tampered with as rootkits do, on a copy of a real dump:
`vmahunt ps` must still list the hidden task and `vmahunt scan` must report it
(hidden-task) or the hidden VMA (vma-tree) with the right pid, and nothing
else above info.

For each lab folder given, the copy is its QEMU ELF dump (qemu.elf); a case
overwrites a few 8-byte words (addresses from `vmahunt ps/maps --json`,
offsets from vh-profile, helpers shared with ps_damage.py), runs ps and scan,
checks, and puts the original bytes back. The intact copy must give no
hidden-task or vma-tree finding above info first, except about the lab's own
plants (tests/integration/labtest.py): those are the baseline, and the
victims are chosen among the other processes.

Cases (every kernel):
  unlink-task     a process taken off the task list as list_del() does (its
                  neighbours linked around it, its own node poisoned): found
                  through its parent's children list
  unlink-all      ...and off its parent's children list: found only in the pid
                  table (ps marks it)
  detach-pid      a process's struct pid no longer names it (pid->tasks[PIDTYPE_PID]
                  emptied): on the task list but hidden from /proc
Maple tree kernels (6.1+):
  maple-erase     a VMA's slot in its process's one-leaf maple tree set to NULL,
                  map_count left as it was
Before 6.1:
  vma-unlink      a VMA taken off both the vm_next list and mm_rb (a leaf of
                  the rbtree), map_count left as it was
  vma-list-only   a VMA taken off the vm_next list only: mm_rb still has it
And random-N (seeded): 64 words of the pid table's xarray nodes and struct pids
overwritten with zero, LIST_POISON1, random bits or pointers to other nodes:
ps must exit 0 in time and list every task (the task list is intact), none
more (run it under ASan too).
"""
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from maps_damage import Reader, kaslr_offset, run_maps, symbol  # noqa: E402
from ps_damage import Patcher, profile_offsets, run_ps  # noqa: E402
from labtest import finding_key, main_over_labs, planted_pids  # noqa: E402

LIST_POISON1 = 0xdead000000000100
LIST_POISON2 = 0xdead000000000122
DETECTORS = "hidden-task,vma-tree"


# findings of the intact dump about the lab's own plants (labtest.py): not the tampering's
BASELINE = set()


def run_scan(vmahunt, vmlinux, dump, timeout):
    cmd = [vmahunt, "scan", "--json", "--detector", DETECTORS, "--vmlinux", vmlinux, dump]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    recs = [json.loads(line) for line in r.stdout.splitlines()]
    return r.returncode, r.stderr, [o for o in recs
                                    if o["type"] == "finding" and finding_key(o) not in BASELINE]


def unlink(rd, node, next_off=0, prev_off=8):
    """Patches that take the list_head at @node out of its list (list_del())."""
    nxt, prv = rd.u64s(node + next_off, 1)[0], rd.u64s(node + prev_off, 1)[0]
    return [(prv + next_off, nxt), (nxt + prev_off, prv), (node + next_off, LIST_POISON1),
            (node + prev_off, LIST_POISON2)]


def task_cases(rd, off, tasks):
    """The victim: the user process with the highest pid (a lab scenario or sleep)."""
    users = [t for t in tasks if t["leader"] and not t["kthread"] and t["pid"] > 1]
    victim = max(users, key=lambda t: t["pid"])
    other = max((t for t in users if t["pid"] != victim["pid"]), key=lambda t: t["pid"])
    ts = int(victim["task_struct"], 16)
    tasks_node = ts + off["task_struct.tasks"]
    sibling = ts + off["task_struct.sibling"]
    ots = int(other["task_struct"], 16)
    pid = rd.u64s(ots + off["task_struct.thread_pid"], 1)[0]
    first = pid + off["pid.tasks"]  # tasks[PIDTYPE_PID], PIDTYPE_PID being 0
    return [
        ("unlink-task", victim["pid"], unlink(rd, tasks_node), "children"),
        ("unlink-all", victim["pid"], unlink(rd, tasks_node) + unlink(rd, sibling),
         "pid-table"),
        ("detach-pid", other["pid"], [(first, 0)], "tasks"),
    ]


def maple_cases(rd, off, procs):
    """A process whose tree is one leaf (type 1 in bits 3-6 of ma_root)."""
    for pid in sorted(procs, reverse=True):
        vmas = [v for v in procs[pid] if "gate" not in v["found_in"]]
        mm = int(vmas[0]["mm"], 16)
        root = rd.u64s(mm + off["mm_struct.mm_mt"] + off["maple_tree.ma_root"], 1)[0]
        if len(vmas) < 4 or (root >> 3) & 0xf != 1:
            continue
        node = root & ~0xff
        slots = rd.u64s(node + off["maple_range_64.slot"], 16)
        victim = vmas[2]
        idx = slots.index(int(victim["vm_area_struct"], 16))
        return [("maple-erase", pid, [(node + off["maple_range_64.slot"] + 8 * idx, 0)], victim)]
    raise RuntimeError("no process with a one-leaf maple tree")


def old_cases(rd, off, procs):
    rb, nxt, prv = off["vm_area_struct.vm_rb"], off["vm_area_struct.vm_next"], \
        off["vm_area_struct.vm_prev"]
    left, right = off["rb_node.rb_left"], off["rb_node.rb_right"]
    pid = min((p for p in procs if len(procs[p]) > 6), key=lambda p: p)
    vmas = [v for v in procs[pid] if "list" in v["found_in"]]
    addrs = [int(v["vm_area_struct"], 16) for v in vmas]
    # a VMA in the middle of the list whose rbtree node is a leaf
    i = next(i for i in range(1, len(addrs) - 1)
             if rd.u64s(addrs[i] + rb + left, 1)[0] == 0 and
             rd.u64s(addrs[i] + rb + right, 1)[0] == 0)
    node = addrs[i] + rb
    parent = rd.u64s(node + off["rb_node.__rb_parent_color"], 1)[0] & ~3
    side = left if rd.u64s(parent + left, 1)[0] == node else right
    from_list = [(addrs[i - 1] + nxt, addrs[i + 1]), (addrs[i + 1] + prv, addrs[i - 1])]
    return [
        ("vma-unlink", pid, from_list + [(parent + side, 0)], vmas[i]),
        ("vma-list-only", pid, from_list, vmas[i]),
    ]


def pid_table_words(a, rd, off, vmlinux, copy, tasks):
    """Addresses of every 8-byte word of the pid table's xa_nodes and struct pids."""
    ns = symbol(a.tools, vmlinux, "init_pid_ns") + kaslr_offset(a.vmahunt, copy)
    head = rd.u64s(ns + off["pid_namespace.idr"] + off["idr.idr_rt"] + off["xarray.xa_head"],
                   1)[0]
    nodes, todo = [], [head]
    while todo and len(nodes) < 64:
        v = todo.pop()
        if v & 3 != 2 or v < 4096:
            continue
        node = v - 2
        nodes.append(node)
        if rd.u64s(node + off["xa_node.shift"], 1)[0] & 0xff:
            todo += rd.u64s(node + off["xa_node.slots"], 64)
    pids = {rd.u64s(int(t["task_struct"], 16) + off["task_struct.thread_pid"], 1)[0]
            for t in tasks if t["pid"]}
    words = [n + 8 * i for n in nodes for i in range(off["struct xa_node"] // 8)]
    words += [p + 8 * i for p in pids for i in range(off["struct pid"] // 8)]
    return words, nodes + sorted(pids)


def check_random(a, lab, copy, patcher, rd, off, vmlinux, tasks, seed):
    rng = random.Random(seed)
    words, objs = pid_table_words(a, rd, off, vmlinux, copy, tasks)
    patches = {}
    for _ in range(64):
        other = rng.choice(objs)
        patches[rng.choice(words)] = rng.choice([0, LIST_POISON1, rng.getrandbits(64), other,
                                                 other | 2, other + 8 * rng.randrange(8)])
    saved = patcher.apply(list(patches.items()))
    try:
        rc, err, got, warnings = run_ps(a.vmahunt, vmlinux, copy, a.timeout)
    except subprocess.TimeoutExpired:
        rc, err, got, warnings = None, "timed out (a hang)", [], []
    finally:
        patcher.restore(saved)
    errs = [] if rc == 0 else [f"ps exit {rc}: {err.strip()[:300]}"]
    missing = {t["pid"] for t in tasks} - {t["pid"] for t in got}
    if rc == 0 and missing:
        errs.append(f"tasks lost: {sorted(missing)[:10]}")
    if rc == 0 and len(got) != len(tasks):
        errs.append(f"{len(got)} tasks listed, {len(tasks)} in the intact dump")
    print(f"{os.path.basename(lab)} random-{seed}: {'ok' if not errs else 'FAIL'}: "
          f"{len(got)} tasks, {len(warnings)} warnings over {len(objs)} objects")
    return [f"{lab} random-{seed}: {e}" for e in errs]


def fps(findings, pid):
    return [f for f in findings if f["severity"] != "info" and f["pid"] != pid]


def check_task_case(a, lab, copy, vmlinux, name, pid, via):
    errs = []
    rc, err, tasks, _ = run_ps(a.vmahunt, vmlinux, copy, a.timeout)
    got = [t for t in tasks if t["pid"] == pid]
    if rc != 0:
        errs.append(f"ps exit {rc}: {err.strip()[:200]}")
    elif not got or got[0]["via"] != via:
        errs.append(f"ps: pid {pid} {'via ' + got[0]['via'] if got else 'not listed'}, "
                    f"expected via {via}")
    elif name == "detach-pid" and got[0]["in_pid_table"] is not False:
        errs.append(f"ps: pid {pid} in_pid_table {got[0]['in_pid_table']}")
    elif name != "detach-pid" and got[0]["in_pid_table"] is not True:
        errs.append(f"ps: pid {pid} in_pid_table {got[0]['in_pid_table']}")
    mark = {"unlink-task": "[not on the task list", "unlink-all": "[on no task list",
            "detach-pid": "[not in the pid table]"}[name]
    text = subprocess.run([a.vmahunt, "ps", "--vmlinux", vmlinux, copy], capture_output=True,
                          text=True, timeout=a.timeout).stdout
    line = next((x for x in text.splitlines() if x.split()[:1] == [str(pid)]), "")
    if mark not in line:
        errs.append(f"ps text does not mark pid {pid} {mark}...]: {line!r}")
    rc, err, findings = run_scan(a.vmahunt, vmlinux, copy, a.timeout)
    hit = [f for f in findings if f["detector"] == "hidden-task" and f["pid"] == pid and
           f["severity"] == "high"]
    if rc != 0:
        errs.append(f"scan exit {rc}: {err.strip()[:200]}")
    if not hit:
        errs.append(f"hidden-task did not report pid {pid}: {findings[:3]}")
    errs += [f"false positive: {f}" for f in fps(findings, pid)]
    print(f"{os.path.basename(lab)} {name}: {'ok' if not errs else 'FAIL'}: pid {pid}: "
          f"{hit[0]['reason'] if hit else '-'}")
    return errs


def check_vma_case(a, lab, copy, vmlinux, name, pid, victim):
    errs = []
    rc, err, findings = run_scan(a.vmahunt, vmlinux, copy, a.timeout)
    mine = [f for f in findings if f["detector"] == "vma-tree" and f["pid"] == pid and
            f["severity"] == "high"]
    if rc != 0:
        errs.append(f"scan exit {rc}: {err.strip()[:200]}")
    start, end = int(victim["start"], 16), int(victim["end"], 16)
    covering = [f for f in mine if int(f["start"], 16) <= start and end <= int(f["end"], 16)]
    if name == "vma-list-only":
        exact = [f for f in mine if f["start"] == victim["start"] and f["end"] == victim["end"]
                 and "not in the VMA list" in f["reason"]]
        if not exact:
            errs.append(f"vma-tree did not report {victim['start']}-{victim['end']} as "
                        f"in mm_rb only: {mine}")
    elif not any("map_count" in f["reason"] for f in covering):
        errs.append(f"vma-tree did not report map_count over {victim['start']}: {mine}")
    errs += [f"false positive: {f}" for f in fps(findings, pid)]
    rc, _, procs, _ = run_maps(a.vmahunt, vmlinux, copy, a.timeout)
    listed = any(v["start"] == victim["start"] for v in procs.get(pid, []))
    if name != "vma-list-only" and listed:
        errs.append(f"maps still lists the erased VMA {victim['start']}")
    print(f"{os.path.basename(lab)} {name}: {'ok' if not errs else 'FAIL'}: pid {pid} "
          f"{victim['start']}-{victim['end']}: {mine[0]['reason'] if mine else '-'}")
    return errs


def check_lab(a, lab):
    src = os.path.join(lab, "qemu.elf")
    vmlinux = os.path.join(lab, "vmlinux")
    off = profile_offsets(a.tools, vmlinux)
    rc, err, findings = run_scan(a.vmahunt, vmlinux, src, a.timeout)
    if rc != 0:
        return [f"{src}: scan of the intact dump: exit {rc}: {err.strip()[:200]}"]
    planted = planted_pids(lab)
    fails = [f"{src}: intact dump: {f}" for f in findings
             if f["severity"] != "info" and f["pid"] not in planted]
    BASELINE.clear()
    BASELINE.update(finding_key(f) for f in findings)
    print(f"{os.path.basename(lab)} intact: {len(findings)} findings "
          f"({len(findings) - len(fails)} about the lab's own plants)")
    _, _, tasks, _ = run_ps(a.vmahunt, vmlinux, src, a.timeout)
    _, _, procs, _ = run_maps(a.vmahunt, vmlinux, src, a.timeout)
    victims = [t for t in tasks if t["pid"] not in planted]
    procs_left = {p: v for p, v in procs.items() if p not in planted}
    with tempfile.TemporaryDirectory(prefix="vh-kstructs-") as tmp:
        copy = os.path.join(tmp, "tampered.elf")
        shutil.copyfile(src, copy)
        patcher = Patcher(copy, a.tools)
        rd = Reader(copy, a.tools, patcher.loads)
        vcases = maple_cases(rd, off, procs_left) if "mm_struct.mm_mt" in off else \
            old_cases(rd, off, procs_left)
        for name, pid, patches, via in task_cases(rd, off, victims):
            saved = patcher.apply(patches)
            try:
                errs = check_task_case(a, lab, copy, vmlinux, name, pid, via)
            except subprocess.TimeoutExpired:
                errs = ["timed out (a hang)"]
            finally:
                patcher.restore(saved)
            fails += [f"{lab} {name}: {e}" for e in errs]
        for name, pid, patches, victim in vcases:
            saved = patcher.apply(patches)
            try:
                errs = check_vma_case(a, lab, copy, vmlinux, name, pid, victim)
            except subprocess.TimeoutExpired:
                errs = ["timed out (a hang)"]
            finally:
                patcher.restore(saved)
            fails += [f"{lab} {name}: {e}" for e in errs]
        for seed in range(a.random):
            fails += check_random(a, lab, copy, patcher, rd, off, vmlinux, tasks, seed)
    return fails


if __name__ == "__main__":
    sys.exit(main_over_labs(__doc__, check_lab, 120, ("--random", {"type": int, "default": 4, "help": "random-N cases per lab folder"})))
