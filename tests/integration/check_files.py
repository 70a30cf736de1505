#!/usr/bin/env python3
"""Files recovered from the lab's dumps (`vmahunt files`, vh_evidence_files())
against the truth the guest recorded before the dump.

On every full dump (qemu.elf, vmcore.elf, kdump-lzo-d0.kdump) of every lab
folder:
  - the memfd payload ("memfd_exec") and the deleted executable
    ("deleted_file_exec") come back from the page cache with exactly the
    truth's sha256 and size, named as the kernel names them, every page
    cached, held by the planting process (the memfd also through an fd);
  - the reflectively loaded image ("anon_elf_exec") is rebuilt from its ELF
    headers with the truth's sha256 and size;
  - every file mapping of every process of the truth is accounted for: a
    record holds it, with the truth's path, device and inode number;
  - the output folder is consistent: every file written has one record (on
    stdout and in manifest.json), its size and sha256 are the record's, the
    bytes of its absent runs are zeros, nothing else is in the folder.

On every -d 31 dump of the same memory as vmcore.elf: the run succeeds with
the same checks of the folder, and every file is compared page by page with
the vmcore.elf run's: a page the -d 31 run wrote is the same bytes, a page it
lists as absent is "excluded by the dump tool" (or under a page cache tree
the dump lost, or absent in vmcore.elf too); pages are absent (makedumpfile
filters the page cache). What makedumpfile keeps, as measured: nothing of the
page cache in its kdump and flattened outputs, short runs of it in its ELF
output (ELF -d 31 ends a segment only at 256 filtered pages).

With --core CORE (the sample process core): every file mapping its truth
lists (CORE without .zst, .truth.json) is in the record of its path, the
folder is consistent, and the main executable's first page is its ELF header.

Exits 1 on any failure; prints per dump the files, pages and seconds.
"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

FULL = ["qemu.elf", "vmcore.elf", "kdump-lzo-d0.kdump"]
PAGE = 4096
D31_REASONS = {"excluded by the dump tool", "page cache unreadable", "not in the dump"}


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def run(vmahunt, lab, dump, out, timeout):
    """`vmahunt files DUMP --out OUT` (with the folder's vmlinux when it has one)."""
    vmlinux = os.path.join(lab, "vmlinux")
    cmd = [vmahunt, "files", os.path.join(lab, dump), "--out", out]
    cmd += ["--vmlinux", vmlinux] if os.path.exists(vmlinux) else []
    t0 = time.time()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, [], "timeout after %d s" % timeout, 0.0
    secs = time.time() - t0
    recs = []
    for line in p.stdout.splitlines():
        try:
            recs.append(json.loads(line))
        except ValueError:
            return p.returncode, None, "not JSON on stdout: %r" % line[:200], secs
    return p.returncode, recs, p.stderr, secs


def check_folder(label, out, recs, fails):
    """The folder, its manifest and the records printed agree; returns the manifest."""
    try:
        with open(os.path.join(out, "manifest.json")) as f:
            man = json.load(f)
    except (OSError, ValueError) as e:
        fails.append("%s: manifest.json: %s" % (label, e))
        return None
    ents = man.get("entries", [])
    if not man.get("complete"):
        fails.append("%s: manifest says the run is not complete" % label)
    if man.get("files") != len(ents) or ents != recs:
        fails.append("%s: manifest has %s files / %d entries, %d records on stdout, not the same"
                     % (label, man.get("files"), len(ents), len(recs)))
    s = man.get("summary", {})
    if s.get("files", 0) + s.get("anon_elf", 0) != len(ents):
        fails.append("%s: summary counts %s files + %s ELF images, manifest %d entries"
                     % (label, s.get("files"), s.get("anon_elf"), len(ents)))
    on_disk = set()
    for root, _dirs, files in os.walk(out):
        for name in files:
            on_disk.add(os.path.relpath(os.path.join(root, name), out))
    on_disk.discard("manifest.json")
    named = [e["file"] for e in ents]
    if len(set(named)) != len(named):
        fails.append("%s: a file is listed twice" % label)
    if set(named) != on_disk:
        fails.append("%s: files without records %s, records without files %s"
                     % (label, sorted(on_disk - set(named))[:5], sorted(set(named) - on_disk)[:5]))
    for e in ents:
        path = os.path.join(out, e["file"])
        if not os.path.isfile(path):
            continue
        if os.path.getsize(path) != e["size"]:
            fails.append("%s: %s is %d bytes, its record says %d"
                         % (label, e["file"], os.path.getsize(path), e["size"]))
        if sha256(path) != e["sha256"]:
            fails.append("%s: %s: sha256 differs from its record" % (label, e["file"]))
        if e["kind"] == "file" and e["pages_cached"] + e["absent_pages"] != e["pages"]:
            fails.append("%s: %s: %d cached + %d absent pages, of %d"
                         % (label, e["file"], e["pages_cached"], e["absent_pages"], e["pages"]))
        with open(path, "rb") as f:
            for a in e["absent"]:
                start, end = int(a["start"], 16), int(a["end"], 16)
                f.seek(start)
                if f.read(end - start).strip(b"\0"):
                    fails.append("%s: %s: absent bytes %#x-%#x are not zeros"
                                 % (label, e["file"], start, end))
                    break
    return man


def find_file(recs, path):
    return [r for r in recs if r["kind"] == "file" and r["path"] == path]


def holder(rec, pid):
    for h in rec["holders"]:
        if h["pid"] == pid:
            return h
    return None


def check_plants(label, truth, recs, fails):
    """The planted payloads come back whole."""
    plants = truth["plants"]
    for kind in ("memfd_exec", "deleted_file_exec", "anon_elf_exec"):
        ps = [p for p in plants if p["kind"] == kind]
        if not ps:
            fails.append("%s: the truth has no %s plant" % (label, kind))
            continue
        p = ps[0]
        if "sha256" not in p or "file_size" not in p:
            fails.append("%s: the truth's %s plant has no sha256/file_size: rebuild the lab "
                         "(tests/lab/build-lab.sh)" % (label, kind))
            continue
        start = int(p["start"], 16)
        if kind == "anon_elf_exec":
            got = [r for r in recs if r["kind"] == "anon-elf" and r["pid"] == p["pid"]
                   and int(r["address"], 16) == start]
            if not got:
                fails.append("%s: no ELF image rebuilt at pid %d %s" % (label, p["pid"], p["start"]))
                continue
            r = got[0]
        else:
            got = find_file(recs, p["name"])
            if len(got) != 1:
                fails.append("%s: %d records for %s" % (label, len(got), p["name"]))
                continue
            r = got[0]
            h = holder(r, p["pid"])
            if not r["deleted"]:
                fails.append("%s: %s not marked deleted" % (label, p["name"]))
            if kind == "memfd_exec" and not r["memfd"]:
                fails.append("%s: %s not marked memfd" % (label, p["name"]))
            if not h or not any(int(m["start"], 16) == start for m in h["maps"]):
                fails.append("%s: %s: pid %d's mapping at %s not among its holders"
                             % (label, p["name"], p["pid"], p["start"]))
            elif kind == "memfd_exec" and not h["fds"]:
                fails.append("%s: %s: pid %d holds it open, no fd listed"
                             % (label, p["name"], p["pid"]))
            if r["absent_pages"]:
                fails.append("%s: %s: %d pages absent" % (label, p["name"], r["absent_pages"]))
        if r["sha256"] != p["sha256"] or r["size"] != p["file_size"]:
            fails.append("%s: %s: sha256 %s size %d, the truth says %s size %d"
                         % (label, kind, r["sha256"], r["size"], p["sha256"], p["file_size"]))


def check_accounted(label, truth, recs, fails):
    """Every file mapping the truth lists is held by a record with its path, dev and inode."""
    held = {}
    for r in recs:
        if r["kind"] != "file":
            continue
        for h in r["holders"]:
            for m in h["maps"]:
                held[(h["pid"], int(m["start"], 16))] = r
    missing = 0
    unlinked = {p["pid"] for p in truth["plants"] if p["kind"] == "unlinked_task"}
    for proc in truth["processes"]:
        if proc.get("kernel_thread"):
            continue
        for m in proc["maps"]:
            if not m["path"] or m["path"].startswith("[") or not m["inode"]:
                continue
            r = held.get((proc["pid"], int(m["start"], 16)))
            if r is None:
                if proc["pid"] not in unlinked:
                    missing += 1
                    if missing <= 5:
                        fails.append("%s: pid %d %s %s: no record holds it"
                                     % (label, proc["pid"], m["start"], m["path"]))
                continue
            if r["path"] != m["path"] or r["i_ino"] != m["inode"] or r["dev"] != m["dev"]:
                fails.append("%s: pid %d %s: record %s %s %d, truth %s %s %d"
                             % (label, proc["pid"], m["start"], r["path"], r["dev"], r["i_ino"],
                                m["path"], m["dev"], m["inode"]))
    if missing > 5:
        fails.append("%s: %d file mappings not accounted for in all" % (label, missing))


def absent_at(rec, off):
    for a in rec["absent"]:
        if int(a["start"], 16) <= off < int(a["end"], 16):
            return a["reason"]
    return None


def compare_filtered(label, recs, out, ref_recs, ref_out, fails):
    """A -d 31 run's files against the unfiltered run of the same memory; returns totals."""
    ref = {r["inode"]: r for r in ref_recs if r["kind"] == "file"}
    kept = excluded = 0
    for r in recs:
        if r["kind"] != "file":
            continue
        rr = ref.get(r["inode"])
        if rr is None:
            continue
        if r["size"] != rr["size"]:
            fails.append("%s: %s: %d bytes, %d in the unfiltered dump"
                         % (label, r["file"], r["size"], rr["size"]))
            continue
        with open(os.path.join(out, r["file"]), "rb") as f, \
                open(os.path.join(ref_out, rr["file"]), "rb") as g:
            for off in range(0, r["size"], PAGE):
                a, b = f.read(PAGE), g.read(PAGE)
                why = absent_at(r, off)
                if why is None:
                    kept += 1
                    if a != b or absent_at(rr, off) is not None:
                        fails.append("%s: %s: page at %#x differs from the unfiltered dump's"
                                     % (label, r["file"], off))
                        break
                elif why not in D31_REASONS and why != absent_at(rr, off):
                    fails.append("%s: %s: page at %#x absent (%s) in the filtered dump only"
                                 % (label, r["file"], off, why))
                    break
                elif why == "excluded by the dump tool":
                    excluded += 1
    return kept, excluded


def check_core(tool, core, tmp, timeout, fails):
    """A process core: one file per NT_FILE path, the mapped parts at their offsets."""
    core = os.path.abspath(core)
    truth_path = core[:-4] if core.endswith(".zst") else core
    with open(truth_path + ".truth.json") as f:
        truth = json.load(f)
    out = os.path.join(tmp, "core")
    rc, recs, err, secs = run(tool, os.path.dirname(core), core, out, timeout)
    label = os.path.basename(core)
    if rc != 0 or recs is None:
        fails.append("%s: exit %s: %s" % (label, rc, err.strip()[-500:]))
        return
    check_folder(label, out, recs, fails)
    by_path = {r["path"]: r for r in recs if r["kind"] == "core-file"}
    for line in truth["maps"]:
        f = line.split(None, 5)
        if len(f) < 6 or not f[5].startswith("/"):
            continue
        start, end = (int(x, 16) for x in f[0].split("-"))
        r = by_path.get(f[5])
        if r is None or not any(int(m["start"], 16) == start and int(m["end"], 16) == end
                                and int(m["offset"], 16) == int(f[2], 16) for m in r["maps"]):
            fails.append("%s: %s %s not in the records" % (label, f[0], f[5]))
    exe = [r for r in recs if r["kind"] == "core-file" and r["comm"] and
           os.path.basename(r["path"]) == truth["comm"]]
    if not exe:
        fails.append("%s: no record of the executable %s" % (label, truth["comm"]))
    else:
        with open(os.path.join(out, exe[0]["file"]), "rb") as f:
            if f.read(4) != b"\x7fELF":
                fails.append("%s: %s does not start with its ELF header" % (label, exe[0]["file"]))
    print("%s: %d files, %.2f s" % (label, len(recs), secs))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tool", required=True, help="the vmahunt CLI (vmahunt files)")
    ap.add_argument("--timeout", type=int, default=600)
    ap.add_argument("--core", help="a process core with its .truth.json")
    ap.add_argument("labs", nargs="+")
    a = ap.parse_args()
    fails = []
    tmp = tempfile.mkdtemp(prefix="vh-files-")
    try:
        if a.core:
            check_core(a.tool, a.core, tmp, a.timeout, fails)
        for lab in a.labs:
            name = os.path.basename(lab.rstrip("/"))
            with open(os.path.join(lab, "truth.json")) as f:
                truth = json.load(f)
            with open(os.path.join(lab, "manifest.json")) as f:
                dumps = {d["file"]: d for d in json.load(f)["dumps"]}
            full = [d for d in FULL if d in dumps]
            if not full:
                fails.append("%s: no full dump (%s)" % (name, ", ".join(FULL)))
            runs = {}
            for dump in full + sorted(d for d in dumps if dumps[d].get("dump_level") == 31):
                label = "%s/%s" % (name, dump)
                out = os.path.join(tmp, name, dump)
                rc, recs, err, secs = run(a.tool, lab, dump, out, a.timeout)
                if rc != 0 or recs is None:
                    fails.append("%s: exit %s: %s" % (label, rc, err.strip()[-500:]))
                    continue
                if "Sanitizer" in err or "runtime error:" in err:
                    fails.append("%s: sanitizer report: %s" % (label, err[-1000:]))
                man = check_folder(label, out, recs, fails)
                s = man["summary"] if man else {}
                print("%s: %d files, %d ELF images, %d pages cached, %d absent, %.2f s"
                      % (label, s.get("files", 0), s.get("anon_elf", 0),
                         s.get("pages_cached", 0), s.get("absent_pages", 0), secs))
                runs[dump] = (recs, out)
                if dump in FULL:
                    check_plants(label, truth, recs, fails)
                    check_accounted(label, truth, recs, fails)
                    continue
                ref = "vmcore.elf"
                if ref not in runs or dumps[dump].get("memory") != dumps[ref].get("memory"):
                    fails.append("%s: no unfiltered run of the same memory to compare with"
                                 % label)
                    continue
                kept, excluded = compare_filtered(label, recs, out, runs[ref][0], runs[ref][1],
                                                  fails)
                print("%s: %d file pages kept by makedumpfile, %d excluded"
                      % (label, kept, excluded))
                if not excluded:
                    fails.append("%s: no file page excluded: the page cache is not filtered?"
                                 % label)
                if dumps[dump]["format"] != "elf" and kept:
                    fails.append("%s: %d file pages kept; makedumpfile's %s -d 31 keeps none"
                                 % (label, kept, dumps[dump]["format"]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for f in fails:
        print("FAIL:", f)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
