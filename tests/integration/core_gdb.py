#!/usr/bin/env python3
"""ELF cores of the lab's scenario processes, written from real dumps, read by gdb and eu-stack.

On every unfiltered dump of each lab folder (qemu.elf, vmcore.elf,
kdump-lzo-d0.kdump), the core of every scenario process (each plant's pid)
is written (by `vmahunt core` when the CLI has it, else by the vh-core test
tool: the same library call); then:

- the record (one JSON line): pid, comm, thread count as the truth has them,
  size and sha256 those of the file written, no warning;
- the notes, read here: NT_PRSTATUS of every thread, the main thread's
  first; NT_PRPSINFO's pid, ppid, uid, comm, arguments, and process group and
  session as the guest's /proc/PID/stat had them; NT_FILE equal to the
  truth's file mappings (start, end, offset, path); gdb's `info auxv`
  (NT_AUXV): page size, the program's entry point, AT_EXECFN's string;
- gdb -batch -nx (with the scenario's static program, built here as the lab
  builds it, or the lab cache's, when it is the one the guest ran: its first
  page and a page of its code are in the core as in the file; else the core
  alone) reads the
  planted bytes at the planted address: the NOP sled and the getpid stub
  (anon_rwx_code, heap_exec), the ELF magic (anon_elf_exec; memfd_exec and
  deleted_file_exec when their first page is in the core, else the record
  must list it absent), the patch (code_modified), the marker string
  (pte_widened); a hidden_vma's range (out of the kernel's VMA tree) is in
  no PT_LOAD; threads: gdb lists 9 threads and, for each worker, $rip and
  $r12..$r15 are the truth's and $orig_rax is 34 (pause); with the binary,
  gdb and eu-stack unwind every worker through worker() to start_thread()
  and the main thread to main();
- eu-stack --core loads the core: one TID line per thread, exit status 0;
- vmahunt reads the core back (`vmahunt scan CORE`): the plants the
  process-core detectors cover are found at their ranges, and every finding
  above info is one the scan of the dump made for that process (the core
  shows nothing that is not there);
- the threads process's core written with the types of the dump's own BTF
  (no vmlinux), and the one written from a session that loaded the command
  lines, are the same file as the one written with the vmlinux's DWARF.

On one -d 31 dump per folder (kdump-lzo-d31.kdump, or elf-d31.elf where the
lab marks the kdump ones lossy) the cores are written too:
user pages are absent (the record lists them, "excluded by the dump tool",
and the planted range among them), and the threads' registers, kept in kernel
stacks the dump does keep, are still the truth's.

A writer that fails, a gdb that cannot load the core or reads other bytes,
is a failure. Folders of arm64 guests are core_gdb_arm64.py's. Prints, per dump, the cores written and the time and size of
the threads process's core.
"""
import argparse
import hashlib
import json
import os
import struct
import subprocess
import sys
import tempfile
import time

FULL = ("qemu.elf", "vmcore.elf", "kdump-lzo-d0.kdump")
FILTERED = ("kdump-lzo-d31.kdump", "elf-d31.elf")
# plant kinds whose process gets a core (ordinary processes are not scenarios)
# syscall_hooked is about the kernel (pid 0), no process to write a core of
SKIP_KINDS = {"benign", "syscall_hooked"}
WORKER_REGS = ("r12", "r13", "r14", "r15")
# plant kind -> the detector that finds it in the core too (`vmahunt scan CORE`)
SCAN_KINDS = {"anon_rwx_code": "anon-rwx", "heap_exec": "heap-exec",
              "anon_elf_exec": "elf-in-anon", "memfd_exec": "memfd-exec",
              "deleted_file_exec": "deleted-exec"}

# Run inside gdb: the threads with their registers and the reads asked for
# (VH_GDB_READS: "addr:len,..."), printed as one JSON line after "VHJSON ".
GDB_PROBE = r'''
import json, os
out = {"threads": [], "reads": {}}
for t in gdb.selected_inferior().threads():
    t.switch()
    f = gdb.selected_frame()
    regs = {}
    for r in ("rip", "r12", "r13", "r14", "r15", "orig_rax", "rsp", "fs_base"):
        try:
            regs[r] = int(f.read_register(r)) & 0xffffffffffffffff
        except Exception as e:
            regs[r] = None
    names = []
    try:
        while f is not None and len(names) < 16:
            names.append(f.name() or "??")
            f = f.older()
    except Exception:
        pass
    out["threads"].append({"lwp": t.ptid[1], "regs": regs, "frames": names})
for item in filter(None, os.environ.get("VH_GDB_READS", "").split(",")):
    a, n = item.split(":")
    try:
        out["reads"][a] = bytes(gdb.selected_inferior().read_memory(int(a, 16), int(n))).hex()
    except Exception as e:
        out["reads"][a] = "error: " + str(e)
out["auxv"] = gdb.execute("info auxv", to_string=True)
print("VHJSON " + json.dumps(out))
'''

NT_PRSTATUS, NT_PRPSINFO, NT_AUXV, NT_FILE = 1, 3, 6, 0x46494c45


def core_notes(path):
    """The notes of an ELF core, read here without any ELF library: [(type, desc)]."""
    with open(path, "rb") as f:
        eh = f.read(64)
        phoff, = struct.unpack_from("<Q", eh, 32)
        phentsize, phnum = struct.unpack_from("<HH", eh, 54)
        f.seek(phoff)
        ph = f.read(phentsize * phnum)
        notes = []
        for i in range(phnum):
            p_type, _, off, _, _, filesz = struct.unpack_from("<IIQQQQ", ph, i * phentsize)
            if p_type != 4:
                continue
            f.seek(off)
            data = f.read(filesz)
            pos = 0
            while pos + 12 <= len(data):
                namesz, descsz, ntype = struct.unpack_from("<III", data, pos)
                pos += 12 + (namesz + 3) // 4 * 4
                notes.append((ntype, data[pos:pos + descsz]))
                pos += (descsz + 3) // 4 * 4
        return notes


def stat_ids(lab, pid):
    """(pgrp, session) of /proc/PID/stat as the guest printed it, or None."""
    try:
        with open(os.path.join(lab, "control.log"), errors="replace") as f:
            for line in f:
                if line.startswith(f"@@VH STAT {pid} ("):
                    rest = line[line.rindex(")") + 2:].split()
                    return int(rest[2]), int(rest[3])
    except OSError:
        pass
    return None


def check_notes(lab, core, pid, proc, prog, filtered):
    """NT_PRSTATUS (main thread first), NT_PRPSINFO, NT_FILE against the truth."""
    notes = core_notes(core)
    fails = []
    tids = [struct.unpack_from("<i", d, 32)[0] for t, d in notes if t == NT_PRSTATUS]
    if not tids or tids[0] != pid or sorted(tids) != sorted(t["tid"] for t in proc["threads"]):
        fails.append(f"NT_PRSTATUS thread ids {tids}, expected {pid} first of "
                     f"{[t['tid'] for t in proc['threads']]}")
    ps = [d for t, d in notes if t == NT_PRPSINFO]
    if len(ps) != 1:
        return fails + [f"{len(ps)} NT_PRPSINFO notes"]
    uid, gid, ps_pid, ps_ppid, pgrp, sid = struct.unpack_from("<IIiiii", ps[0], 16)
    fname = ps[0][40:56].split(b"\0")[0].decode(errors="replace")
    args = ps[0][56:136].split(b"\0")[0].decode(errors="replace")
    if (ps_pid, ps_ppid, uid, fname) != (pid, proc["ppid"], proc["uid"], proc["comm"][:15]):
        fails.append(f"NT_PRPSINFO pid {ps_pid} ppid {ps_ppid} uid {uid} fname {fname!r}")
    if not filtered and not args.startswith(f"/lab/bin/{prog}"):
        fails.append(f"NT_PRPSINFO psargs {args!r}")
    ids = stat_ids(lab, pid)
    if ids and (pgrp, sid) != ids:
        fails.append(f"NT_PRPSINFO pgrp/sid {pgrp}/{sid}, /proc/{pid}/stat said {ids}")
    files = [d for t, d in notes if t == NT_FILE]
    if len(files) != 1:
        return fails + [f"{len(files)} NT_FILE notes"]
    d = files[0]
    count, page = struct.unpack_from("<QQ", d, 0)
    names = d[16 + 24 * count:].split(b"\0")
    got = sorted((s, e, o * page, names[i].decode(errors="replace"))
                 for i, (s, e, o) in enumerate(struct.iter_unpack("<QQQ", d[16:16 + 24 * count])))
    want = sorted((int(m["start"], 16), int(m["end"], 16), int(m["offset"], 16), m["path"])
                  for m in proc["maps"] if m["inode"] != 0)
    if got != want:
        fails.append(f"NT_FILE {len(got)} mappings, the truth's maps {len(want)} file mappings; "
                     f"first differences: {sorted(set(got) ^ set(want))[:3]}")
    return fails


def elf_entry(path):
    with open(path, "rb") as f:
        return struct.unpack_from("<Q", f.read(64), 24)[0]


def check_auxv(text, exe, prog, filtered):
    """gdb's `info auxv` (NT_AUXV): page size, the program's entry, its file name."""
    aux = {}
    for line in text.splitlines():
        f = line.split()
        if len(f) >= 3 and f[1].startswith("AT_"):
            aux[f[1]] = line
    fails = []
    if "AT_NULL" not in aux or not aux.get("AT_PAGESZ", "").rstrip().endswith(" 4096"):
        fails.append(f"gdb's info auxv: {text.strip()[:200]!r}")
    if exe and not aux.get("AT_ENTRY", "").rstrip().endswith(hex(elf_entry(exe))):
        fails.append(f"AT_ENTRY {aux.get('AT_ENTRY')!r}, the program's is {hex(elf_entry(exe))}")
    if not filtered and f'"/lab/bin/{prog}"' not in aux.get("AT_EXECFN", ""):
        fails.append(f"AT_EXECFN {aux.get('AT_EXECFN')!r}")
    return fails


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def build_scenarios(src, dest):
    """The lab's static scenario programs, built as tests/lab/build-lab.sh builds
    them (gcc -static -O2): the same source and compiler give the same files.
    The dynamic ones (dyn*) and shared objects (lib*) are left out: gdb gets
    no program for those."""
    os.makedirs(dest, exist_ok=True)
    for c in sorted(os.listdir(src)):
        if c.endswith(".c") and not c.startswith(("lib", "dyn")):
            out = os.path.join(dest, c[:-2])
            r = subprocess.run(["gcc", "-static", "-O2", "-std=gnu11", "-Wall", "-Wextra", "-o", out,
                                os.path.join(src, c), "-lpthread"], capture_output=True, text=True)
            if r.returncode != 0:
                print(f"note: {c} does not build here: {r.stderr.strip()[:200]}")
    return dest


def core_loads(path):
    """The PT_LOADs of a core: [(vaddr, file offset, filesz)]."""
    with open(path, "rb") as f:
        eh = f.read(64)
        phoff, = struct.unpack_from("<Q", eh, 32)
        phentsize, phnum = struct.unpack_from("<HH", eh, 54)
        f.seek(phoff)
        ph = f.read(phentsize * phnum)
    loads = []
    for i in range(phnum):
        p_type, _, off, vaddr, _, filesz = struct.unpack_from("<IIQQQQ", ph, i * phentsize)
        if p_type == 1:
            loads.append((vaddr, off, filesz))
    return loads


def core_bytes(path, loads, addr, n):
    for vaddr, off, filesz in loads:
        if vaddr <= addr and addr + n <= vaddr + filesz:
            with open(path, "rb") as f:
                f.seek(off + addr - vaddr)
                return f.read(n)
    return None


def program_for(dirs, prog, core, proc):
    """The build of @prog the guest ran, or None: its first page and one page of
    its code are in the core as they are in the file (a changed scenario, or
    another compiler, gives other bytes there)."""
    maps = [m for m in proc["maps"] if m["path"] == f"/lab/bin/{prog}"] if proc else []
    head = [m for m in maps if int(m["offset"], 16) == 0]
    text = [m for m in maps if m["perms"].startswith("r-x")]
    if not head or not text:
        return None
    loads = core_loads(core)
    for d in dirs:
        path = os.path.join(d, prog) if d else ""
        if not os.path.isfile(path):
            continue
        with open(path, "rb") as f:
            data = f.read()
        ok_head = core_bytes(core, loads, int(head[0]["start"], 16), 4096) == data[:4096]
        t = text[0]
        start, off = int(t["start"], 16), int(t["offset"], 16)
        ok_text = any(core_bytes(core, loads, start + k, 4096) == data[off + k:off + k + 4096]
                      for k in range(0, int(t["end"], 16) - start, 4096))
        if ok_head and ok_text:
            return path
    return None


def cli_has_core(vmahunt):
    """Whether this vmahunt runs the core command (without arguments: a usage
    error of the command, not an unknown command)."""
    if not vmahunt:
        return False
    r = subprocess.run([vmahunt, "core"], capture_output=True, text=True)
    return "unknown command" not in r.stdout + r.stderr


def write_core(a, lab, dump, pid, out, btf=False, cmdline=False):
    if a.cli and not cmdline:
        syms = ["--symbols", "btf"] if btf else ["--vmlinux", os.path.join(lab, "vmlinux")]
        cmd = [a.vmahunt, "core", dump, "--pid", str(pid), "-o", out, "--force"] + syms
    else:
        syms = ["--btf"] if btf else ["--vmlinux", os.path.join(lab, "vmlinux")]
        cmd = [a.writer, "--force"] + (["--cmdline"] if cmdline else []) + syms + \
            [dump, str(pid), out]
    t0 = time.monotonic()
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=a.timeout)
    secs = time.monotonic() - t0
    if r.returncode != 0:
        return None, secs, f"{' '.join(cmd)}: exit {r.returncode}: {r.stderr.strip()}"
    recs = [json.loads(l) for l in r.stdout.splitlines() if l.startswith("{")]
    if len(recs) != 1:
        return None, secs, f"{dump} pid {pid}: {len(recs)} records, expected 1"
    return recs[0], secs, None


def run_gdb(a, core, exe, reads):
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(GDB_PROBE)
        probe = f.name
    try:
        cmd = ["gdb", "-batch", "-nx", "-ex", "set pagination off"]
        if exe:
            cmd += ["-ex", f"file {exe}"]
        cmd += ["-ex", f"core-file {core}", "-x", probe]
        env = dict(os.environ, VH_GDB_READS=",".join(f"{x:x}:{n}" for x, n in reads))
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=a.timeout, env=env)
    finally:
        os.unlink(probe)
    for line in r.stdout.splitlines():
        if line.startswith("VHJSON "):
            return json.loads(line[7:]), None
    return None, f"gdb printed no result (exit {r.returncode}): {r.stderr.strip()[-500:]}"


def run_eu_stack(a, core, exe, nthreads):
    """(error or None, {tid: [function names]}) of eu-stack's backtraces."""
    cmd = ["eu-stack", "--core", core] + (["-e", exe] if exe else [])
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=a.timeout)
    stacks, tid = {}, None
    for line in r.stdout.splitlines():
        if line.startswith("TID "):
            tid = int(line[4:].rstrip(":"))
            stacks[tid] = []
        elif line.startswith("#") and tid is not None:
            f = line.split()
            stacks[tid].append(f[2] if len(f) > 2 else "??")
    # exit 1: some backtrace could not be unwound to its end (no executable given)
    if r.returncode not in (0, 1) or not r.stdout.startswith("PID "):
        return f"eu-stack exit {r.returncode}: {r.stderr.strip()[-300:]}", stacks
    if len(stacks) != nthreads:
        return f"eu-stack lists {len(stacks)} threads, expected {nthreads}", stacks
    return None, stacks


def overlaps(f, p):
    return int(f["start"], 16) < int(p["end"], 16) and int(p["start"], 16) < int(f["end"], 16)


def scan_findings(a, cmd):
    r = subprocess.run([a.vmahunt, "scan", "--json"] + cmd, capture_output=True, text=True,
                       timeout=a.timeout)
    if r.returncode != 0:
        return None, f"vmahunt scan {' '.join(cmd)}: exit {r.returncode}: {r.stderr.strip()[-300:]}"
    return [o for o in map(json.loads, r.stdout.splitlines()) if o["type"] == "finding"], None


def scan_core(a, core, pid, plants, dump_finds):
    """vmahunt reads the core back: each plant a process-core detector covers is
    found at its range, and every finding above info is one the scan of the
    dump itself made for this process (same detector, overlapping range): the
    core shows nothing that is not there."""
    finds, err = scan_findings(a, [core])
    if err:
        return [err]
    fails = []
    for p in plants:
        det = SCAN_KINDS.get(p["kind"])
        if det and not any(f["detector"] == det and overlaps(f, p) for f in finds):
            fails.append(f"vmahunt scan of the core: no {det} finding for {p['kind']} "
                         f"at {p['start']}")
    mine = [g for g in dump_finds if g.get("pid") == pid]
    for f in finds:
        if f["severity"] != "info" and not any(g["detector"] == f["detector"] and overlaps(f, g)
                                               for g in mine):
            fails.append(f"vmahunt scan of the core: {f['detector']} ({f['severity']}) at "
                         f"{f['start']}-{f['end']}, which the scan of the dump does not report")
    return fails


def absent_at(rec, addr):
    for r in rec.get("absent", []):
        if int(r["start"], 16) <= addr < int(r["end"], 16):
            return r["reason"]
    return None


def plant_reads(p):
    """(address, length, expected hex or None, required) for one plant."""
    start = int(p["start"], 16)
    k = p["kind"]
    if k in ("anon_rwx_code", "heap_exec"):
        want = "90" * p["sled_len"] + p["stub_hex"]
        return [(start, len(want) // 2, want, True)]
    if k == "anon_elf_exec":
        return [(start, 4, p.get("magic", "7f454c46"), True)]
    if k in ("memfd_exec", "deleted_file_exec"):
        return [(start, 4, "7f454c46", False)]
    if k == "code_modified":
        want = p["patch_hex"]
        return [(start + p.get("patch_offset", 0), len(want) // 2, want, True)]
    if k == "pte_widened":
        want = b"VMAHUNT-PTE-WIDEN page 1".hex()
        return [(start, len(want) // 2, want, True)]
    return []


def check_core(a, lab, dump, truth, bins, pid, plants, tmp, filtered, figures, used,
               dump_finds):
    fails = []
    proc = next((q for q in truth["processes"] if q["pid"] == pid), None)
    name = f"{os.path.basename(lab)}/{os.path.basename(dump)} pid {pid}"
    out = os.path.join(tmp, f"core.{pid}")
    rec, secs, err = write_core(a, lab, dump, pid, out)
    if err:
        # an unlinked task is not on the task list; the writer still finds it in the pid table
        return [f"{name}: {err}"]
    if rec["pid"] != pid or (proc and rec["comm"] != proc["comm"][:15]):
        fails.append(f"{name}: record names pid {rec['pid']} comm {rec['comm']!r}")
    nthreads = len(proc["threads"]) if proc else rec["threads"]
    if rec["threads"] != nthreads:
        fails.append(f"{name}: {rec['threads']} threads in the core, the truth has {nthreads}")
    size = os.path.getsize(out)
    if rec["size"] != size or rec["sha256"] != sha256_file(out):
        fails.append(f"{name}: record's bytes/sha256 are not the file's")
    # a hidden VMA leaves the map walker's map_count warning; nothing else may warn
    hidden = any(p["kind"] == "hidden_vma" for p in plants)
    unexpected = [w for w in rec["warnings"] if not (hidden and w.startswith("maps: "))]
    if not filtered and unexpected:
        fails.append(f"{name}: warnings on an unfiltered dump: {unexpected[:3]}")
    if rec["threads_with_user_regs"] != rec["threads"]:
        fails.append(f"{name}: user registers of only {rec['threads_with_user_regs']} of "
                     f"{rec['threads']} threads: {rec['warnings'][:3]}")
    if filtered:
        reasons = {r["reason"] for r in rec.get("absent", [])}
        if rec["absent_pages"] == 0 or "excluded by the dump tool" not in reasons:
            fails.append(f"{name}: -d 31 core lists no excluded page ({rec['absent_pages']} absent)")
    prog = plants[0]["program"] if plants else ""
    exe = program_for(bins, prog, out, proc) if not filtered else None
    if exe:
        used.add(prog)
    reads = []
    for p in plants:
        for addr, n, want, required in plant_reads(p):
            reads.append((addr, n, want, required, p))
        if p["kind"] == "hidden_vma":
            reads.append((int(p["start"], 16), 8, None, False, p))
    res, err = run_gdb(a, out, exe, [(x[0], x[1]) for x in reads])
    if err:
        return fails + [f"{name}: {err}"]
    if proc:
        fails += [f"{name}: {m}" for m in check_notes(lab, out, pid, proc, prog, filtered)]
    fails += [f"{name}: {m}" for m in check_auxv(res.get("auxv", ""), exe, prog, filtered)]
    lwps = sorted(t["lwp"] for t in res["threads"])
    if proc and lwps != sorted(t["tid"] for t in proc["threads"]):
        fails.append(f"{name}: gdb threads {lwps}, truth {[t['tid'] for t in proc['threads']]}")
    for addr, n, want, required, p in reads:
        got = res["reads"].get(f"{addr:x}", "")
        where = f"{name}: {p['kind']} at 0x{addr:x}"
        reason = absent_at(rec, addr)
        if p["kind"] == "hidden_vma":
            # out of the VMA tree, so in no PT_LOAD: gdb cannot read it
            if not got.startswith("error"):
                fails.append(f"{where}: the hidden VMA is in the core ({got[:16]})")
        elif filtered:
            if reason is None and got != want:
                fails.append(f"{where}: neither absent in the record nor the planted bytes")
        elif reason is not None:
            if required:
                fails.append(f"{where}: absent ({reason}) on an unfiltered dump")
        elif got != want:
            fails.append(f"{where}: gdb read {got[:80]}, expected {want[:80]}")
    for p in plants:
        if p["kind"] != "threads":
            continue
        if len(res["threads"]) != p["threads"]:
            fails.append(f"{name}: gdb sees {len(res['threads'])} threads, expected {p['threads']}")
        by_lwp = {t["lwp"]: t["regs"] for t in res["threads"]}
        for w in p["regs"]:
            regs = by_lwp.get(w["tid"])
            if regs is None:
                fails.append(f"{name}: worker {w['tid']} not among gdb's threads")
                continue
            for r in ("rip",) + WORKER_REGS:
                if regs[r] != int(w[r], 16):
                    fails.append(f"{name}: worker {w['tid']} ${r} = {regs[r]!r:}, expected {w[r]}")
            if regs["orig_rax"] != w.get("orig_rax", 34) or regs["orig_rax"] != 34:
                fails.append(f"{name}: worker {w['tid']} $orig_rax = {regs['orig_rax']}, expected 34")
        figures.append(f"{name}: threads core {size} bytes ({rec['memory_bytes']} of memory, "
                       f"{rec['loads']} PT_LOADs) written in {secs:.2f} s")
        if os.path.basename(dump) == "qemu.elf":
            # the kernel's own BTF and kallsyms give the same layout: the same core
            brec, _, err = write_core(a, lab, dump, pid, out + ".btf", btf=True)
            if err or brec["sha256"] != rec["sha256"]:
                fails.append(f"{name}: the core written with --btf differs: "
                             f"{err or brec['warnings'][:3]}")
            if not err:
                os.unlink(out + ".btf")
            # the arguments from the session's command lines or read by the writer: the same
            crec, _, err = write_core(a, lab, dump, pid, out + ".cmdline", cmdline=True)
            if err or crec["sha256"] != rec["sha256"]:
                fails.append(f"{name}: the core written with the command lines loaded differs: "
                             f"{err or crec['warnings'][:3]}")
            if not err:
                os.unlink(out + ".cmdline")
    if not filtered and dump_finds is not None:
        fails += [f"{name}: {m}" for m in scan_core(a, out, pid, plants, dump_finds)]
    err, stacks = run_eu_stack(a, out, exe, rec["threads"])
    if err:
        fails.append(f"{name}: {err}")
    for p in plants:
        if p["kind"] != "threads" or not exe or filtered:
            continue
        # with the program (and the stacks: not -d 31), both unwind every worker
        # through worker() to start_thread()
        gdb_frames = {t["lwp"]: t["frames"] for t in res["threads"]}
        for w in p["regs"]:
            for tool, frames in (("gdb", gdb_frames.get(w["tid"], [])),
                                 ("eu-stack", stacks.get(w["tid"], []))):
                if "worker" not in frames or "start_thread" not in frames:
                    fails.append(f"{name}: {tool} backtrace of worker {w['tid']}: {frames}")
        if "main" not in gdb_frames.get(pid, []) or "main" not in stacks.get(pid, []):
            fails.append(f"{name}: main thread's backtraces: gdb {gdb_frames.get(pid)}, "
                         f"eu-stack {stacks.get(pid)}")
    os.unlink(out)
    return fails


def check_lab(a, built, lab):
    with open(os.path.join(lab, "truth.json")) as f:
        truth = json.load(f)
    with open(os.path.join(lab, "manifest.json")) as f:
        manifest = json.load(f)["dumps"]
    files = {d["file"] for d in manifest}
    lossy = {d["file"]: d.get("lossy") for d in manifest}
    bins = [built]
    if a.lab_cache:
        bins.append(os.path.join(a.lab_cache, "build", os.path.basename(lab), "initrd", "lab", "bin"))
    by_pid = {}
    for p in truth["plants"]:
        if p["kind"] not in SKIP_KINDS and p.get("pid_in_truth", True):
            by_pid.setdefault(p["pid"], []).append(p)
    dumps = [(f, False) for f in FULL if f in files]
    # one -d 31 dump: a kdump one unless the lab marks it lossy (sid's drop slab pages)
    for f in FILTERED:
        if f in files and not lossy.get(f):
            dumps.append((f, True))
            break
    if not any(f in files for f in FULL):
        return [f"{lab}: none of {', '.join(FULL)} in the manifest"]
    fails, figures = [], []
    with tempfile.TemporaryDirectory(prefix="vh-core-") as tmp:
        for f, filtered in dumps:
            dump = os.path.join(lab, f)
            n0, used, dump_finds = len(fails), set(), None
            if not filtered and a.vmahunt:
                dump_finds, err = scan_findings(a, ["--vmlinux", os.path.join(lab, "vmlinux"), dump])
                if err:
                    fails.append(err)
            for pid, plants in sorted(by_pid.items()):
                fails += check_core(a, lab, dump, truth, bins, pid, plants, tmp, filtered, figures,
                                    used, dump_finds)
            print(f"{'ok  ' if len(fails) == n0 else 'FAIL'} {os.path.basename(lab)}/{f}: "
                  f"{len(by_pid)} cores, gdb given the program for "
                  f"{', '.join(sorted(used)) or 'none'}")
    for line in figures:
        print("     " + line)
    return fails


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--writer", required=True, help="vh-core (DUMP PID OUT -> record on stdout)")
    ap.add_argument("--vmahunt", help="the CLI: its core command is used when it has one")
    ap.add_argument("--lab-cache", default=os.environ.get("VMAHUNT_LAB_CACHE", ""))
    ap.add_argument("--scenarios", help="tests/lab/scenarios: build the binaries gdb is given")
    ap.add_argument("--timeout", type=int, default=600)
    ap.add_argument("labs", nargs="+")
    a = ap.parse_args()
    a.cli = cli_has_core(a.vmahunt)
    print(f"writer: {'vmahunt core' if a.cli else 'vh-core (the library call)'}")
    fails = []
    with tempfile.TemporaryDirectory(prefix="vh-core-bin-") as tmp:
        built = build_scenarios(a.scenarios, tmp) if a.scenarios else None
        for lab in a.labs:
            with open(os.path.join(lab, "truth.json")) as f:
                arch = json.load(f).get("arch", "x86_64")
            if arch != "x86_64":
                print(f"{os.path.basename(lab)}: {arch}: core_gdb_arm64.py checks its cores")
                continue
            fails += check_lab(a, built, lab)
    for f in fails:
        print("FAIL:", f)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
