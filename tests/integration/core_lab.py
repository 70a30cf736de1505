#!/usr/bin/env python3
"""Real process cores against the live process they were taken from.

Builds the lab's scenario programs for this machine, runs each one, and once it
has printed its plants captures the ground truth: /proc/PID/maps and the thread
ids under /proc/PID/task. Then gdb's gcore dumps it, and the kernel does too
(SIGABRT with RLIMIT_CORE unlimited) when core_pattern writes a plain file; each
core is also compressed with zstd, as systemd-coredump stores it.

Every core must give back, through vmahunt: the process (info, ps: pid, comm,
every thread), the live map after the differences docs/cores.md lists, and a
finding for every plant (recall 100%) with nothing above info on ordinary
mappings. The compressed copy must give the same maps and findings as the plain
one. A kernel core that could not be produced is reported as not tested.
"""
import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import threading

SCENARIOS = ["inject", "fileless", "reflect", "threads"]
# plant kind -> detector (None: no anomaly)
KINDS = {
    "anon_rwx_code": "anon-rwx",
    "heap_exec": "heap-exec",
    "memfd_exec": "memfd-exec",
    "deleted_file_exec": "deleted-exec",
    "anon_elf_exec": "elf-in-anon",
    "anon_elf_loaded": "elf-in-anon",
    "threads": None,
}
# mappings gdb does not dump and NT_FILE does not list (docs/cores.md)
GCORE_UNDUMPED = {"[vvar]", "[vvar_vclock]"}

failures = []
passes = 0


def check(ok, what):
    global passes
    if ok:
        passes += 1
    else:
        failures.append(what)
        print("FAIL " + what)


def build(src, out, cc):
    progs = {}
    for s in SCENARIOS:
        exe = os.path.join(out, s)
        subprocess.run([cc, "-O1", "-o", exe, os.path.join(src, "tests/lab/scenarios", s + ".c"),
                        "-lpthread"], check=True)
        progs[s] = exe
    return progs


def unlimited_core():
    resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))


def start(exe, cwd):
    p = subprocess.Popen([exe], cwd=cwd, stdout=subprocess.PIPE, text=True,
                         preexec_fn=unlimited_core)
    # a scenario that never gets ready is killed: its stdout then ends
    timer = threading.Timer(60, p.kill)
    timer.start()
    plants = []
    for line in p.stdout:
        if line.startswith("#READY"):
            break
        if line.startswith("{"):
            plants.append(json.loads(line))
    timer.cancel()
    return p, plants


def parse_maps(text):
    out = []
    for line in text.splitlines():
        f = line.split(None, 5)
        start, end = (int(x, 16) for x in f[0].split("-"))
        out.append({"start": start, "end": end, "perms": f[1], "offset": int(f[2], 16),
                    "path": f[5].strip() if len(f) > 5 else ""})
    return out


def kernel_core_name(pid):
    pattern = open("/proc/sys/kernel/core_pattern").read().strip()
    if pattern.startswith("|") or "/" in pattern or "%" in pattern:
        return None, pattern
    uses_pid = open("/proc/sys/kernel/core_uses_pid").read().strip() != "0"
    return (pattern + ".%d" % pid if uses_pid else pattern), pattern


def capture(name, exe, work):
    cwd = os.path.join(work, name + ".run")
    os.makedirs(cwd, exist_ok=True)
    p, plants = start(exe, cwd)
    truth = {"pid": p.pid, "plants": plants,
             "maps": parse_maps(open("/proc/%d/maps" % p.pid).read()),
             "tasks": sorted(int(t) for t in os.listdir("/proc/%d/task" % p.pid))}
    cores = []
    gcore = os.path.join(cwd, name + ".gcore")
    g = subprocess.run(["gdb", "-q", "-batch", "-nx", "-p", str(p.pid), "-ex", "gcore " + gcore],
                       capture_output=True, text=True, timeout=300)
    check(os.path.exists(gcore), "%s: gcore wrote a core (%s)" % (name, g.stderr.strip()[-200:]))
    if os.path.exists(gcore):
        cores.append(("gcore", gcore))
    kname, pattern = kernel_core_name(p.pid)
    p.send_signal(signal.SIGABRT)
    p.wait(timeout=120)
    if kname and os.path.exists(os.path.join(cwd, kname)):
        kcore = os.path.join(cwd, name + ".kcore")
        os.rename(os.path.join(cwd, kname), kcore)
        cores.append(("kernel", kcore))
    else:
        print("NOTE %s: no kernel core (core_pattern %r): kernel cores not tested" %
              (name, pattern))
    for kind, path in list(cores):
        subprocess.run(["zstd", "-q", "-f", path, "-o", path + ".zst"], check=True)
        cores.append((kind + "+zstd", path + ".zst"))
    return truth, cores


def run(vmahunt, *args):
    r = subprocess.run([vmahunt] + list(args), capture_output=True, text=True, timeout=600)
    return r.returncode, [json.loads(l) for l in r.stdout.splitlines() if l.startswith("{")], r


def check_process(vmahunt, name, truth, kind, core):
    code, info, r = run(vmahunt, "info", "--json", core)
    check(code == 0 and info and info[0]["format"] == "core",
          "%s %s: info says format core (%s)" % (name, kind, r.stderr.strip()))
    if not info:
        return
    proc = info[0].get("process") or {}
    check(proc.get("pid") == truth["pid"], "%s %s: pid %s" % (name, kind, proc.get("pid")))
    check(proc.get("comm") == name[:15], "%s %s: comm %r" % (name, kind, proc.get("comm")))
    check(proc.get("compressed") == kind.endswith("zstd"), "%s %s: compressed flag" % (name, kind))
    code, ps, r = run(vmahunt, "ps", "--json", "--threads", core)
    pids = sorted(t["pid"] for t in ps if t.get("type") == "task")
    check(code == 0 and pids == truth["tasks"],
          "%s %s: ps threads %s, live %s" % (name, kind, pids, truth["tasks"]))


def expected_path(live):
    # a core cannot know names given with PR_SET_VMA_ANON_NAME
    return "" if live["path"].startswith("[anon:") else live["path"]


def check_maps(vmahunt, name, truth, kind, core):
    code, vmas, r = run(vmahunt, "maps", "--json", core)
    vmas = [v for v in vmas if v.get("type") == "vma"]
    check(code == 0 and vmas, "%s %s: maps runs (%s)" % (name, kind, r.stderr.strip()))
    got = {(int(v["start"], 16), int(v["end"], 16)): v for v in vmas}
    gcore = kind.startswith("gcore")
    for live in truth["maps"]:
        key = (live["start"], live["end"])
        where = "%s %s: %x-%x %s %s" % (name, kind, key[0], key[1], live["perms"], live["path"])
        v = got.pop(key, None)
        if v is None:
            # gdb dumps neither VM_IO mappings nor unreadable anonymous ones
            allowed = gcore and (live["path"] in GCORE_UNDUMPED or
                                 (live["perms"][0] == "-" and not live["path"].startswith("/")))
            check(allowed, where + ": missing")
            continue
        check(v["path"] == expected_path(live), where + ": path %r" % v["path"])
        if live["path"].startswith("/"):
            check(int(v["offset"], 16) == live["offset"], where + ": offset " + v["offset"])
        perms_ok = v["perms"][:3] == live["perms"][:3]
        if gcore and live["path"] == "[vsyscall]":
            perms_ok = True  # gdb writes it as R E whatever the kernel says
        if gcore and live["perms"][:3] == "---" and v["perms"][:3] == "r--":
            perms_ok = True  # gdb writes PROT_NONE memory as readable
        if v.get("perms_from") == "unknown":
            perms_ok = True
        check(perms_ok, where + ": perms %s (%s)" % (v["perms"], v.get("perms_from")))
    for key, v in got.items():
        check(False, "%s %s: %x-%x in the core, not in the live maps" % (name, kind, *key))
    return vmas


def overlaps(f, p):
    return int(f["start"], 16) < int(p["end"], 16) and int(p["start"], 16) < int(f["end"], 16)


def check_scan(vmahunt, name, truth, kind, core):
    code, out, r = run(vmahunt, "scan", "--json", core)
    check(code == 0, "%s %s: scan exits 0 (%s)" % (name, kind, r.stderr.strip()))
    findings = [f for f in out if f.get("type") == "finding"]
    warnings = [w["message"] for w in out if w.get("type") == "warning"]
    check(sum("need a kernel" in w for w in warnings) == 1,
          "%s %s: one warning lists the kernel-only detectors" % (name, kind))
    for p in truth["plants"]:
        det = KINDS.get(p["kind"], "?")
        check(det != "?", "%s: plant kind %s is known to the test" % (name, p["kind"]))
        if det and det != "?":
            check(any(f["detector"] == det and f["pid"] == p["pid"] and overlaps(f, p)
                      for f in findings),
                  "%s %s: %s at %s found by %s" % (name, kind, p["kind"], p["start"], det))
    for f in findings:
        planted = any(overlaps(f, p) for p in truth["plants"] if p["start"] != p["end"])
        check(planted or f["severity"] == "info",
              "%s %s: %s %s on an ordinary mapping %s-%s %s" %
              (name, kind, f["severity"], f["detector"], f["start"], f["end"],
               f["evidence"]["path"]))
    return findings


def check_saved(vmahunt, core, truth_path, kind):
    """A core kept with its truth (samples/): the same checks, no capture."""
    with open(truth_path) as f:
        truth = json.load(f)
    truth["maps"] = parse_maps("\n".join(truth["maps"]))
    name = truth["comm"]
    check_process(vmahunt, name, truth, kind, core)
    check_maps(vmahunt, name, truth, kind, core)
    findings = check_scan(vmahunt, name, truth, kind, core)
    print("%s: %d findings" % (core, len(findings)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vmahunt", required=True)
    ap.add_argument("--src")
    ap.add_argument("--work")
    ap.add_argument("--cc", default=os.environ.get("CC", "cc"))
    ap.add_argument("--core", help="check this saved core against --truth instead")
    ap.add_argument("--truth")
    ap.add_argument("--kind", default="kernel", help="producer of --core (kernel, gcore; +zstd)")
    a = ap.parse_args()
    if a.core:
        check_saved(a.vmahunt, a.core, a.truth, a.kind)
        print("%d checks passed, %d failed" % (passes, len(failures)))
        return 1 if failures else 0
    progs = build(a.src, a.work, a.cc)
    for name in SCENARIOS:
        truth, cores = capture(name, progs[name], a.work)
        check(bool(truth["plants"]), "%s: the scenario printed its plants" % name)
        results = {}
        for kind, core in cores:
            check_process(a.vmahunt, name, truth, kind, core)
            vmas = check_maps(a.vmahunt, name, truth, kind, core)
            findings = check_scan(a.vmahunt, name, truth, kind, core)
            results[kind] = (vmas, findings)
        for kind in [k for k in results if k.endswith("+zstd")]:
            plain = kind[:-5]
            check(results[kind] == results[plain],
                  "%s: %s gives the same maps and findings as %s" % (name, kind, plain))
        print("%s: %d cores checked (%s)" % (name, len(cores), ", ".join(k for k, _ in cores)))
    print("%d checks passed, %d failed" % (passes, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
