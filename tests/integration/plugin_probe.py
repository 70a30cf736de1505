#!/usr/bin/env python3
"""Check what the probe test plugin (tests/plugins/probe.c) saw through the
plugin ABI against a sample's ground truth.

   plugin_probe.py core|kernel VMAHUNT PROBE_SO DUMP TRUTH

Runs `vmahunt scan --json --plugin PROBE_SO` with the options the truth
suggests (addresses of the plants to read back, the physical address of
linux_banner, ...) and compares every note with the truth file, never with
another vmahunt command: pid, comm and VMA count of each process; each VMA
as the plugin received it against the truth's /proc/PID/maps; the planted
stubs read back through the user space (a core) or refused as excluded (a
-d 31 dump); the present pages against the core's segments or the truth's
maps; init_task and linux_banner against the truth's kernel symbols, read
through the kernel and the physical space; the dump's facts; options; the
error paths. Prints ok/FAIL lines; exits 1 on any failure.
"""
import json
import lzma
import struct
import subprocess
import sys

bad = 0


def check(ok, what):
    global bad
    bad += not ok
    print(("ok   " if ok else "FAIL ") + what)
    return ok


def load_truth(path):
    if path.endswith(".xz"):
        return json.load(lzma.open(path))
    return json.load(open(path))


def core_segments(path):
    """The [start, end) of the core's PT_LOAD segments with bytes in the file, merged."""
    data = subprocess.run(["zstd", "-dc", path], capture_output=True, check=True).stdout
    assert data[:4] == b"\x7fELF" and data[4] == 2, "not an ELF64 core"
    machine = struct.unpack_from("<H", data, 18)[0]
    phoff, = struct.unpack_from("<Q", data, 32)
    phentsize, phnum = struct.unpack_from("<HH", data, 54)
    segs = []
    for i in range(phnum):
        p_type, _, _, vaddr, _, filesz, _, _ = struct.unpack_from("<IIQQQQQQ", data,
                                                                  phoff + i * phentsize)
        if p_type == 1 and filesz:
            if segs and segs[-1][1] == vaddr:
                segs[-1][1] = vaddr + filesz
            else:
                segs.append([vaddr, vaddr + filesz])
    return machine, [tuple(s) for s in segs]


def parse_core_map(line):
    """A /proc/PID/maps line of the core's truth as a dict like the kernel truth's."""
    f = line.split(None, 5)
    start, end = f[0].split("-")
    return {"start": start, "end": end, "perms": f[1], "offset": f[2], "dev": f[3],
            "inode": int(f[4]), "path": f[5].strip() if len(f) > 5 else ""}


def plugin_map(note):
    """The probe's "map" note: 0xSTART 0xEND PERMS 0xOFFSET MM:mm INODE PATH."""
    f = note.split(" ", 6)
    return {"start": int(f[0], 16), "end": int(f[1], 16), "perms": f[2],
            "offset": int(f[3], 16), "dev": f[4], "inode": int(f[5]), "path": f[6]}


def truth_map(m):
    return {"start": int(m["start"], 16), "end": int(m["end"], 16), "perms": m["perms"],
            "offset": int(m["offset"], 16), "dev": m["dev"], "inode": m["inode"],
            "path": m["path"]}


def run(vmahunt, probe, dump, opts, detectors):
    cmd = [vmahunt, "scan", "--json", "--plugin", probe, "--detector", detectors, dump]
    for o in opts:
        cmd += ["--plugin-opt", "probe." + o]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if not check(r.returncode == 0, "vmahunt scan --plugin probe exits 0 (%d: %s)" %
                 (r.returncode, r.stderr.strip()[-300:])):
        sys.exit(1)
    return [json.loads(l) for l in r.stdout.splitlines()]


def notes(o):
    return o["evidence"].get("notes", {})


def one(n, key):
    return n.get(key, [None])[0]


def check_vmas(objs, procs, fields):
    """probe-vma: every VMA the plugin was given, in address order, against the truth's maps."""
    got = {}
    for o in objs:
        if o["type"] == "finding" and o["detector"] == "probe-vma":
            n = notes(o)
            got.setdefault(o["pid"], []).append((int(one(n, "index")), plugin_map(one(n, "map")),
                                                 int(one(n, "vm_flags"), 16), one(n, "struct_size")))
    compared = 0
    for pid, maps in procs.items():
        vmas = got.get(pid, [])
        want = [truth_map(m) for m in maps]
        if not check(len(vmas) == len(want), "pid %d: vma() called for each of its %d VMAs (got %d)"
                     % (pid, len(want), len(vmas))):
            continue
        bad_idx = [i for i, (idx, _, _, _) in enumerate(vmas) if idx != i]
        check(not bad_idx, "pid %d: vma() calls in index order" % pid)
        diffs = []
        for (idx, g, flags, size), w in zip(vmas, want):
            for k in fields:
                if g[k] != w[k]:
                    diffs.append("VMA %d %s: plugin %r, truth %r" % (idx, k, g[k], w[k]))
            # vm_flags' low bits are the perms
            rwx = (flags & 1 and "r" or "-") + (flags & 2 and "w" or "-") + (flags & 4 and "x" or "-")
            if rwx != w["perms"][:3]:
                diffs.append("VMA %d vm_flags 0x%x, perms %s" % (idx, flags, w["perms"]))
            if size != vmas[0][3]:
                diffs.append("VMA %d struct_size %s" % (idx, size))
        compared += len(want)
        check(not diffs, "pid %d: %d VMAs as the plugin saw them equal the truth's maps (%s) %s" %
              (pid, len(want), ", ".join(fields), "; ".join(diffs[:3])))
    check(set(got) == set(procs), "probe-vma saw exactly the truth's processes with VMAs")
    return compared


def finish_checks(objs, n, tags):
    check(one(n, "pid") == "0" and one(n, "comm") == "" and one(n, "nvmas") == "0",
          "finish(): pid 0, comm \"\", no VMA")
    check(n.get("tag") == tags, "host_option: the repeatable tag option, every value in order")
    check(one(n, "fact_no_such_fact") == "(null)", "fact: an unknown fact is NULL")
    for k, want in (("finish_user_read", "-9"), ("finish_pages", "-9"), ("finish_vma", "-9"),
                    ("bad_space", "-9"), ("foreign_detector", "-9"), ("bad_severity", "-9"),
                    ("bad_key", "-9"), ("emit_null", "-1"), ("vma_mismatch", "0"),
                    ("one_thread", "yes")):
        check(one(n, k) == want, "%s: %s (got %s)" % (k, want, one(n, k)))
    check(one(n, "control") == "a\tb\x01c", "a note's control bytes reach JSON intact")
    many = [o for o in objs if o["type"] == "finding" and o["reason"] == "probe: many notes"]
    check(len(many) == 1 and notes(many[0]).get("n") == [str(i) for i in range(256)] and
          notes(many[0]).get("notes_dropped") == ["44"],
          "300 notes: the first 256 kept, notes_dropped 44")
    refused = [o for o in objs if o["type"] == "finding" and o["detector"] == "anon-rwx"
               or o.get("reason") in ("not mine", "bad severity", "bad key")]
    check(not refused, "refused findings are not reported")
    warns = [o["message"] for o in objs if o["type"] == "warning"]
    check(any(w.startswith("probe: finish after ") for w in warns),
          "vh_plugin_ctx_warn() in finish(): a warning prefixed with the detector id")


def core_mode(vmahunt, probe, dump, truth):
    machine, segs = core_segments(dump)
    plants = truth["plants"]
    reads = ["0x%x:%d" % (int(p["start"], 16) + p["stub_offset"], len(p["stub_hex"]) // 2)
             for p in plants]
    reads.append("0x1000:4")  # nothing is mapped at 4096
    opts = ["tag=a", "tag=b", "tag=a"] + ["read=" + r for r in reads] + [
        "symbol=linux_banner", "kread=0xffffffff81000000:8", "phys=0x1000:8"]
    objs = run(vmahunt, probe, dump, opts, "probe,probe-vma,probe-content,probe-kernel")
    finds = [o for o in objs if o["type"] == "finding"]
    procs = [o for o in finds if o["detector"] == "probe" and o["reason"] == "probe: the process"]
    if not check(len(procs) == 1, "one process in the core"):
        return
    p, n = procs[0], notes(procs[0])
    check(p["pid"] == truth["pid"] and one(n, "pid") == str(truth["pid"]),
          "pid: %s, the truth's %d" % (one(n, "pid"), truth["pid"]))
    check(one(n, "comm") == truth["comm"], "comm: %s" % one(n, "comm"))
    check(one(n, "nvmas") == str(len(truth["maps"])),
          "nvmas: %s, the truth's maps have %d" % (one(n, "nvmas"), len(truth["maps"])))
    check(one(n, "user_pages") == "yes", "user_pages: a core holds process memory")
    check(one(n, "vma_sizes") == "ok", "vh_plugin_ctx_vma() struct_size rules: %s" %
          one(n, "vma_sizes"))
    got = n.get("read", [])
    for p_, r in zip(plants, reads):
        check(("%s=%s" % (r, p_["stub_hex"])) in got,
              "USER read of the %s plant's stub at %s gives %s" % (p_["kind"], r, p_["stub_hex"]))
    check(any(g.startswith("0x1000:4=error ") for g in got), "USER read of an unmapped address fails")
    ev = p["evidence"]
    first = int(plants[0]["start"], 16) + plants[0]["stub_offset"]
    check(ev["at"] == hex(first) and (ev["bytes"] or "").startswith(plants[0]["stub_hex"]) and
          "syscall" in (ev["disasm"] or ""),
          "vh_plugin_finding_evidence(): the stub's bytes and disassembly at %s" % hex(first))
    runs = [tuple(int(x, 16) for x in r.split("+")) for r in n.get("page_run", [])]
    runs = [(s, s + l) for s, l in runs]
    check(runs == segs, "vh_plugin_ctx_pages(): %d runs, the core's %d segments with bytes"
          % (len(runs), len(segs)))
    check(one(n, "pages_stop") == "ok", "vh_plugin_ctx_pages(): a callback's non-zero return ends the walk and is returned")
    check(one(n, "pages_clip") == "ok", "vh_plugin_ctx_pages(): runs clipped to [start, end)")
    check_vmas(objs, {truth["pid"]: [parse_core_map(l) for l in truth["maps"]]},
               ("start", "end", "perms", "offset", "path"))
    runs_of = [o for o in finds if o["detector"] == "probe-content"]
    check(len(runs_of) == 1 and runs_of[0]["pid"] == truth["pid"],
          "VH_PLUGIN_NEEDS_CONTENT: runs on a core")
    check(not [o for o in finds if o["detector"] == "probe-kernel"],
          "VH_PLUGIN_NEEDS_KERNEL: does not run on a core")
    warns = [o["message"] for o in objs if o["type"] == "warning"]
    check(any(w.startswith("process core: detectors that need a kernel skipped:") and
              "probe-kernel" in w for w in warns), "the skipped kernel detector is named in a warning")
    fin = [o for o in finds if o["detector"] == "probe" and o["reason"] == "probe: the run"]
    if not check(len(fin) == 1, "finish() called once"):
        return
    n = notes(fin[0])
    check(one(n, "processes") == "1", "finish() after the one process")
    check(one(n, "fact_source") == "core" and one(n, "fact_format") == "core",
          "facts: source core, format core")
    check(machine == 62 and one(n, "fact_arch") == "x86_64", "fact arch: x86_64 (e_machine %d)" % machine)
    check(one(n, "fact_file") == dump, "fact file: the dump's path")
    check(one(n, "init_task") == "error -7" and n.get("symbol") == ["linux_banner=error -7"],
          "vh_plugin_ctx_symbol() on a core: VH_ERR_NOT_PRESENT")
    check(n.get("kread", [""])[0].endswith("=error -8") and n.get("phys", [""])[0].endswith("=error -8"),
          "KERNEL and PHYS reads on a core: VH_ERR_UNSUPPORTED")
    finish_checks(objs, n, ["a", "b", "a"])


def kernel_mode(vmahunt, probe, dump, truth):
    ks = {k: int(v, 16) for k, v in truth["ksyms"].items()}
    code = [r for r in truth["kernel_image"] if r["what"] == "Kernel code"][0]
    # the kernel image is mapped linearly from _text to its physical load address
    banner_phys = ks["linux_banner"] - ks["_text"] + int(code["start"], 16)
    inject = [p for p in truth["plants"] if p["program"] == "inject"]
    pid = inject[0]["pid"]
    reads = ["0x%x:%d" % (int(p["start"], 16) + p["stub_offset"], len(p["stub_hex"]) // 2)
             for p in inject]
    opts = ["tag=k", "pid=%d" % pid] + ["read=" + r for r in reads] + [
        "symbol=linux_banner", "symbol=vh_no_such_symbol", "member=task_struct.vh_no_such_member",
        "kread=0x%x:64" % ks["linux_banner"], "phys=0x%x:64" % banner_phys]
    objs = run(vmahunt, probe, dump, opts, "probe,probe-vma,probe-content,probe-kernel")
    finds = [o for o in objs if o["type"] == "finding"]
    procs = {p["pid"]: p for p in truth["processes"] if p["maps"]}
    seen = {o["pid"]: notes(o) for o in finds
            if o["detector"] == "probe" and o["reason"] == "probe: the process"}
    check(set(seen) == set(procs), "process() called for each of the truth's %d processes with "
          "VMAs (got %d)" % (len(procs), len(seen)))
    for p in procs.values():
        n = seen.get(p["pid"], {})
        check(one(n, "pid") == str(p["pid"]) and one(n, "comm") == p["threads"][0]["comm"] and
              one(n, "nvmas") == str(len(p["maps"])) and one(n, "user_pages") == "no" and
              one(n, "vma_sizes") == "ok",
              "pid %d: pid, comm %s, %d VMAs, no user pages, struct_size rules (got %s %s %s %s)" %
              (p["pid"], p["threads"][0]["comm"], len(p["maps"]), one(n, "comm"), one(n, "nvmas"),
               one(n, "user_pages"), one(n, "vma_sizes")))
    n = seen.get(pid, {})
    got = n.get("read", [])
    check(len(got) == len(reads) and all(g.endswith("=error -6") for g in got),
          "USER reads of pid %d's plants: VH_ERR_EXCLUDED (-d 31 left user pages out): %s" % (pid, got))
    check(not [q for q, m in seen.items() if q != pid and m.get("read")],
          "probe.pid limits the reads to pid %d" % pid)
    runs = [tuple(int(x, 16) for x in r.split("+")) for r in n.get("page_run", [])]
    runs = [(s, s + l) for s, l in runs]
    maps = [(int(m["start"], 16), int(m["end"], 16)) for m in procs[pid]["maps"]]
    outside = [r for r in runs if not any(s <= r[0] and r[1] <= e for s, e in
                                          merge(maps))]
    check(runs and not outside, "vh_plugin_ctx_pages(): %d runs of pid %d, each inside its truth maps %s"
          % (len(runs), pid, ["%x-%x" % r for r in outside[:3]]))
    for p in inject:
        s, e = int(p["start"], 16), int(p["end"], 16)
        check(any(a <= s and s < b for a, b in runs),
              "vh_plugin_ctx_pages(): the %s plant's executed page %x is present" % (p["kind"], s))
    check(one(n, "pages_stop") == "ok" and one(n, "pages_clip") == "ok",
          "vh_plugin_ctx_pages(): stop and clip")
    check_vmas(objs, {q: p["maps"] for q, p in procs.items()},
               ("start", "end", "perms", "offset", "dev", "inode", "path"))
    check(not [o for o in finds if o["detector"] == "probe-content"],
          "VH_PLUGIN_NEEDS_CONTENT: skipped on a -d 31 dump")
    warns = [o["message"] for o in objs if o["type"] == "warning"]
    check(any("no user-process pages" in w and "probe-content" in w for w in warns),
          "the skipped content detector is named in a warning")
    check({o["pid"] for o in finds if o["detector"] == "probe-kernel"} == set(procs),
          "VH_PLUGIN_NEEDS_KERNEL: runs for every process of a kernel dump")
    fin = [o for o in finds if o["detector"] == "probe" and o["reason"] == "probe: the run"]
    if not check(len(fin) == 1, "finish() called once"):
        return
    n = notes(fin[0])
    check(one(n, "processes") == str(len(procs)), "finish() after every process")
    check(one(n, "fact_source") == "kernel" and one(n, "fact_format") == "kdump" and
          one(n, "fact_arch") == "x86_64" and one(n, "fact_file") == dump,
          "facts: kernel, kdump, x86_64, the file")
    check(one(n, "fact_osrelease") == truth["uname_r"], "fact osrelease: %s" % truth["uname_r"])
    check(one(n, "init_task") == hex(ks["init_task"]),
          "vh_plugin_ctx_symbol(init_task): %s, the truth's %s" % (one(n, "init_task"), hex(ks["init_task"])))
    check(one(n, "init_task_comm") == "swapper/0",
          "init_task's comm through KERNEL at symbol + member_offset(task_struct.comm): %s"
          % one(n, "init_task_comm"))
    check(n.get("symbol") == ["linux_banner=%s" % hex(ks["linux_banner"]), "vh_no_such_symbol=error -7"],
          "vh_plugin_ctx_symbol(): linux_banner from kallsyms = the truth's, an unknown one NOT_PRESENT")
    check(n.get("member") == ["task_struct.vh_no_such_member=error -7"],
          "vh_plugin_ctx_member_offset(): an unknown member NOT_PRESENT")
    want = ("Linux version %s " % truth["uname_r"]).encode().hex()
    for key in ("kread", "phys"):
        v = n.get(key, ["="])[0].split("=")[1]
        check(v.startswith(want), "%s read of linux_banner: 'Linux version %s ...'" %
              ("KERNEL" if key == "kread" else "PHYS at 0x%x" % banner_phys, truth["uname_r"]))
    finish_checks(objs, n, ["k"])


def merge(ranges):
    out = []
    for s, e in sorted(ranges):
        if out and out[-1][1] == s:
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def main():
    mode, vmahunt, probe, dump, truth = sys.argv[1:6]
    (core_mode if mode == "core" else kernel_mode)(vmahunt, probe, dump, load_truth(truth))
    print("%s probe on %s: %d failed" % ("FAIL" if bad else "ok  ", dump, bad))
    sys.exit(1 if bad else 0)


main()
