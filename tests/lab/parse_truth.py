#!/usr/bin/env python3
"""Parse a lab guest's control-port log (the "@@VH" lines) into truth.json.

Usage: parse_truth.py control.log truth.json [--kernel-package P] [--kernel-version V]
                      [--arch aarch64 --cpu MODEL]

--arch/--cpu (arm64 guests only) add "arch" and "cpu" (QEMU's CPU model) to the truth;
x86-64 truths have neither.

The schema is documented in tests/lab/README.md ("truth.json").
"""
import argparse
import json
import re
import sys

PREFIX = "@@VH "


def hexs(v):
    return "0x%x" % v


def parse_maps_line(line):
    # start-end perms offset dev inode [path]
    parts = line.split(None, 5)
    start, end = parts[0].split("-")
    m = {"start": hexs(int(start, 16)), "end": hexs(int(end, 16)), "perms": parts[1], "offset": hexs(int(parts[2], 16)),
         "dev": parts[3], "inode": int(parts[4]), "path": parts[5] if len(parts) > 5 else ""}
    return m


def parse_stat(line):
    # pid (comm) state ppid pgrp session ... ; comm may hold spaces and parentheses
    l = line.index("(")
    r = line.rindex(")")
    pid = int(line[:l].strip())
    comm = line[l + 1:r]
    rest = line[r + 2:].split()
    flags = int(rest[6])
    return {"pid": pid, "comm": comm, "state": rest[0], "ppid": int(rest[1]),
            "kernel_thread": bool(flags & 0x00200000)}  # PF_KTHREAD


def parse(lines):
    t = {"schema": 1, "system_ram": [], "crash_kernel": [], "kernel_image": [], "ksyms": {},
         "plants": [], "slab_pfn_runs": [], "processes": [], "capture": None, "log": []}
    proc = None
    complete = False
    cap = None
    hashes = []
    for raw in lines:
        raw = raw.rstrip("\r\n")
        i = raw.find(PREFIX)
        if i < 0:
            continue
        line = raw[i + len(PREFIX):]
        key, _, val = line.partition(" ")
        if key == "VARIANT":
            t["variant"] = val
        elif key == "UNAME_R":
            t["uname_r"] = val
        elif key == "UNAME_A":
            t["uname_a"] = val
        elif key == "CMDLINE":
            t["cmdline"] = val
        elif key == "KERNEL_PAGE_SIZE_KB":
            t["page_size"] = int(val) * 1024
        elif key == "MEMTOTAL_KB":
            t["mem_total_kb"] = int(val)
        elif key == "MEMINFO":
            k, _, v = val.partition(":")
            t.setdefault("meminfo_kb", {})[k.strip()] = int(v.split()[0])
        elif key == "SLAB":
            a, b = val.split()
            t["slab_pfn_runs"].append([int(a), int(b)])
        elif key == "SLAB-CRASH":
            a, b = val.split()
            t.setdefault("slab_pfn_runs_at_crash", []).append([int(a), int(b)])
        elif key == "SLAB-CRASH-END":
            t["slab_at_crash_complete"] = True
        elif key == "NCPUS":
            t["ncpus"] = int(val)
        elif key == "CPU_LA57":
            t["cpu_la57"] = val.strip() == "1"
        elif key == "FWCFG":
            t["fw_cfg"] = val.strip() == "present"
        elif key == "KEXEC-LOAD":
            t["kexec_load"] = val
        elif key == "IOMEM":
            m = re.match(r"\s*([0-9a-fA-F]+)-([0-9a-fA-F]+) : (.*)", val)
            if m:
                r = {"start": hexs(int(m.group(1), 16)), "end": hexs(int(m.group(2), 16) + 1)}
                what = m.group(3).strip()
                if what == "System RAM" and not val.startswith(" "):
                    t["system_ram"].append(r)
                elif what == "Crash kernel":
                    t["crash_kernel"].append(r)
                elif what.startswith("Kernel "):
                    r["what"] = what
                    t["kernel_image"].append(r)
        elif key == "KSYM":
            p = val.split()
            if len(p) >= 3:
                t["ksyms"][p[2]] = hexs(int(p[0], 16))
        elif key == "PLANT":
            try:
                t["plants"].append(json.loads(val))
            except ValueError:
                t["log"].append("bad PLANT line: " + val)
        elif key == "FILEHASH":
            p = val.split()
            if len(p) == 4:
                hashes.append({"kind": p[0], "pid": int(p[1]), "sha256": p[2],
                               "file_size": int(p[3])})
            else:
                t["log"].append("bad FILEHASH line: " + val)
        elif key == "PROC-BEGIN":
            proc = {"pid": int(val), "threads": [], "maps": []}
        elif key == "STAT" and proc is not None:
            proc.update(parse_stat(val))
        elif key == "STATUS" and proc is not None:
            k, _, v = val.partition(":")
            v = v.strip()
            if k == "Tgid":
                proc["tgid"] = int(v)
            elif k == "Uid":
                proc["uid"] = int(v.split()[0])
            elif k == "Name":
                proc["name"] = v
        elif key == "TASK" and proc is not None:
            tid, _, comm = val.partition(" ")
            proc["threads"].append({"tid": int(tid), "comm": comm})
        elif key == "MAP" and proc is not None:
            proc["maps"].append(parse_maps_line(val))
        elif key == "PROC-END" and proc is not None:
            if int(val) == proc["pid"] and "comm" in proc:
                t["processes"].append(proc)
            proc = None
        elif key == "END-TRUTH":
            complete = True
        elif key == "CAP":
            if cap is None:
                cap = {"files": {}, "sizes": {}}
            k2, _, v2 = val.partition(" ")
            if k2 == "BOOTED":
                cap["kernel"] = v2.split()[0] if v2 else ""
                m = re.search(r"vmcore_size=(\d+)", v2)
                if m:
                    cap["proc_vmcore_size"] = int(m.group(1))
            elif k2 == "MAKEDUMPFILE_VERSION":
                cap["makedumpfile"] = v2
            elif k2 == "FILE":
                name, _, rest = v2.partition(" ")
                d = {}
                m = re.search(r"rc=(\d+)", rest)
                d["rc"] = int(m.group(1)) if m else None
                m = re.search(r"seconds=(\d+)", rest)
                d["seconds"] = int(m.group(1)) if m else None
                m = re.search(r'args="?([^"]*)"?', rest)
                d["args"] = m.group(1) if m else ""
                cap["files"][name] = d
            elif k2 == "SIZE":
                n, s = v2.split()
                cap["sizes"][n] = int(s)
            elif k2 == "MAKEDUMPFILE-UNSUPPORTED":
                # arm64: makedumpfile refused the vmcore; /proc/vmcore is the only output
                cap["makedumpfile_unsupported"] = v2
            elif k2 == "CAPTURE-DONE":
                cap["done"] = True
            elif k2 == "ERROR":
                cap["error"] = v2
        elif key in ("LIME-VERSION", "LIME-RAM", "LIME-FILE"):
            lime = t.setdefault("lime", {"version": None, "ram": [], "files": {}})
            if key == "LIME-VERSION":
                lime["version"] = val
            elif key == "LIME-RAM":
                m = re.match(r"([0-9a-fA-F]+)-([0-9a-fA-F]+) : System RAM", val)
                if m:
                    lime["ram"].append({"start": hexs(int(m.group(1), 16)),
                                        "end": hexs(int(m.group(2), 16) + 1)})
            else:
                fmt, _, rest = val.partition(" ")
                d = {}
                for k in ("rc", "seconds", "insmod_pid", "size"):
                    m = re.search(k + r"=(\d+)", rest)
                    d[k] = int(m.group(1)) if m else None
                m = re.search(r"file=(\S+)", rest)
                d["file"] = m.group(1) if m else None
                lime["files"][fmt] = d
        elif key == "LOG":
            t["log"].append(val)
    t["complete"] = complete
    for h in hashes:
        for pl in t["plants"]:
            if pl.get("kind") == h["kind"] and pl.get("pid") == h["pid"]:
                pl["sha256"] = h["sha256"]
                pl["file_size"] = h["file_size"]
    t["capture"] = cap
    la57_plants = [p for p in t["plants"] if p.get("kind") == "la57_probe"]
    t["la57"] = bool(la57_plants and la57_plants[0].get("la57"))
    # arm64: did the guest run 52-bit user virtual addresses (la57probe's va52_probe)?
    va52_plants = [p for p in t["plants"] if p.get("kind") == "va52_probe"]
    if va52_plants:
        t["va52"] = bool(va52_plants[0].get("va52"))
    pids = {p["pid"] for p in t["processes"]}
    for pl in t["plants"]:
        pl["pid_in_truth"] = pl.get("pid") in pids
    return t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("log")
    ap.add_argument("out")
    ap.add_argument("--kernel-package", default="")
    ap.add_argument("--kernel-version", default="")
    ap.add_argument("--arch", default="")
    ap.add_argument("--cpu", default="")
    a = ap.parse_args()
    with open(a.log, encoding="utf-8", errors="replace") as f:
        t = parse(f)
    if not t["complete"]:
        sys.exit("parse_truth: the control log has no END-TRUTH line")
    # a scenario that died (lab.h lab_die()) planted nothing: the guest is not the lab's
    failed = [p for p in t["plants"] if "error" in p]
    if failed:
        sys.exit("parse_truth: a scenario failed in the guest: " +
                 "; ".join(f"{p['error']} (errno {p.get('errno')})" for p in failed))
    # a scenario that never said it was ready, or printed a plant that is no JSON
    broken = [x for x in t["log"] if x.startswith("bad PLANT line") or
              (x.startswith("scenario ") and x.endswith(" not ready"))]
    if broken:
        sys.exit("parse_truth: " + "; ".join(broken))
    if a.kernel_package:
        t["kernel_package"] = a.kernel_package
        t["kernel_package_version"] = a.kernel_version
    if a.arch:
        t["arch"] = a.arch
        t["cpu"] = a.cpu
    with open(a.out, "w") as f:
        json.dump(t, f, indent=1)
        f.write("\n")
    print(f"truth: {len(t['processes'])} processes, {len(t['plants'])} plants, "
          f"{sum(len(p['maps']) for p in t['processes'])} maps lines, uname {t.get('uname_r')}")


if __name__ == "__main__":
    main()
