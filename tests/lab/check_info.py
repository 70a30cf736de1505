#!/usr/bin/env python3
"""Compare `vmahunt info --json` on every lab dump with the lab's ground truth.

Usage:
  check_info.py --vmahunt BIN --lab-out DIR [--only NAME,...]
  check_info.py --self-test --lab-out DIR     (tests this checker on the lab's truth)

For each dump listed in DIR/*/manifest.json:
  * vmahunt exits 0 and prints one JSON object with "type":"dump";
  * format matches the manifest (elf / kdump / flattened-kdump), arch is the truth's
    (x86_64 unless it says aarch64);
  * page_size is the guest's (4096);
  * when the dump carries VMCOREINFO: osrelease and vmcoreinfo.OSRELEASE are the guest's
    `uname -r` (dumps without it: vmcoreinfo is null, osrelease null or right);
  * the physical ranges cover every page of the guest's System RAM (/proc/iomem), less
    the crashkernel region and the first MiB for dumps taken by the kdump capture kernel;
  * page counts: unfiltered dumps have no excluded page and present+zero pages cover
    the RAM; -d 31 dumps have excluded pages, and fewer present pages than -d 0.
Exits 1 on any failure, printing one line per failure; prints "N passed, N failed".
"""
import argparse
import json
import os
import subprocess
import sys

PAGE = 4096
LOW_1M = 1 << 20
FORMATS = {"elf": "elf", "kdump": "kdump", "flattened": "flattened-kdump"}
HOWTO = ("build it with: tests/lab/build-lab.sh --kernels 6.1,5.10   "
         "(see tests/lab/README.md; set VMAHUNT_LAB_OUT if it is not in tests/lab/out)")


def lab_dirs(out, only=None):
    dirs = []
    if not os.path.isdir(out):
        return dirs
    for n in sorted(os.listdir(out)):
        d = os.path.join(out, n)
        if only and n not in only:
            continue
        if os.path.isfile(os.path.join(d, "manifest.json")) and os.path.isfile(os.path.join(d, ".complete")):
            dirs.append(d)
    return dirs


def parse_ranges(info):
    rs = []
    for r in info.get("ranges") or []:
        rs.append((int(str(r["start"]), 0), int(str(r["end"]), 0)))
    return sorted(rs)


def required_pages(truth, entry):
    """Set of (start_pfn, end_pfn) intervals of RAM that the dump must cover."""
    need = []
    for r in truth["system_ram"]:
        s, e = int(r["start"], 16), int(r["end"], 16)
        need.append(((s + PAGE - 1) // PAGE, e // PAGE))
    if entry.get("memory") == "kdump-crash":
        # /proc/vmcore leaves out the crashkernel region (the capture kernel's own memory)
        # and, on x86_64, the first MiB (reserved by the kernel, not described by kexec)
        holes = [(0, LOW_1M)] + [(int(c["start"], 16), int(c["end"], 16)) for c in truth.get("crash_kernel", [])]
        for hs, he in holes:
            cs, ce = hs // PAGE, (he + PAGE - 1) // PAGE
            out = []
            for s, e in need:
                if ce <= s or cs >= e:
                    out.append((s, e))
                    continue
                if s < cs:
                    out.append((s, cs))
                if ce < e:
                    out.append((ce, e))
            need = out
    return [(s, e) for s, e in need if s < e]


def uncovered(need, ranges):
    """Page intervals of need not inside the union of ranges (byte ranges)."""
    cov = []
    for s, e in ranges:
        ps, pe = s // PAGE, (e + PAGE - 1) // PAGE
        if cov and ps <= cov[-1][1]:
            cov[-1] = (cov[-1][0], max(cov[-1][1], pe))
        else:
            cov.append((ps, pe))
    missing = []
    for s, e in need:
        cur = s
        for cs, ce in cov:
            if ce <= cur or cs >= e:
                continue
            if cs > cur:
                missing.append((cur, cs))
            cur = max(cur, ce)
            if cur >= e:
                break
        if cur < e:
            missing.append((cur, e))
    return missing


def check(info, entry, truth, d0_present=None):
    """List of failure strings for one dump's info object."""
    f = []
    if info.get("type") != "dump":
        f.append(f"type is {info.get('type')!r}, not 'dump'")
    want_fmt = FORMATS[entry["format"]]
    if info.get("format") != want_fmt:
        f.append(f"format {info.get('format')!r}, expected {want_fmt!r}")
    want_arch = truth.get("arch", "x86_64")
    if info.get("arch") != want_arch:
        f.append(f"arch {info.get('arch')!r}, expected {want_arch!r}")
    if info.get("page_size") != truth.get("page_size", PAGE):
        f.append(f"page_size {info.get('page_size')}, expected {truth.get('page_size', PAGE)}")
    uname = truth["uname_r"]
    vci = info.get("vmcoreinfo")
    if entry.get("has_vmcoreinfo"):
        if info.get("osrelease") != uname:
            f.append(f"osrelease {info.get('osrelease')!r}, expected {uname!r}")
        if not isinstance(vci, dict) or vci.get("OSRELEASE") != uname:
            f.append(f"vmcoreinfo.OSRELEASE {(vci or {}).get('OSRELEASE') if isinstance(vci, dict) else vci!r}, "
                     f"expected {uname!r}")
    else:
        if info.get("osrelease") not in (None, uname):
            f.append(f"osrelease {info.get('osrelease')!r} on a dump without VMCOREINFO (expected null or {uname!r})")
        if vci not in (None, {}):
            f.append("vmcoreinfo present on a dump taken without the vmcoreinfo device")
    try:
        ranges = parse_ranges(info)
    except (KeyError, ValueError, TypeError) as e:
        f.append(f"bad ranges: {e}")
        ranges = []
    miss = uncovered(required_pages(truth, entry), ranges)
    if miss:
        n = sum(e - s for s, e in miss)
        f.append(f"ranges miss {n} pages of System RAM, first at 0x{miss[0][0] * PAGE:x}-0x{miss[0][1] * PAGE:x}")
    pages = info.get("pages") or {}
    present, zero, excl = pages.get("present"), pages.get("zero"), pages.get("excluded")
    if not all(isinstance(x, int) for x in (present, zero, excl)):
        f.append(f"pages counts missing: {pages!r}")
    else:
        ram = sum(e - s for s, e in required_pages(truth, entry))
        if entry.get("filtered"):
            if excl <= 0:
                f.append("a -d 31 dump reports no excluded page")
            if d0_present is not None and present > d0_present:
                f.append(f"{present} pages present, more than the -d 0 dump's {d0_present}")
        else:
            if excl != 0:
                f.append(f"{excl} excluded pages in an unfiltered dump")
            if present + zero < ram:
                f.append(f"present+zero {present + zero} pages < {ram} RAM pages")
    return f


def run_vmahunt(vmahunt, path):
    p = subprocess.run([vmahunt, "info", "--json", path], capture_output=True, text=True, timeout=600)
    obj = None
    for line in p.stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                o = json.loads(line)
            except ValueError:
                continue
            if o.get("type") == "dump":
                obj = o
    return p.returncode, obj, p.stderr.strip()


def main_check(a):
    dirs = lab_dirs(a.lab_out, a.only.split(",") if a.only else None)
    if not dirs:
        print(f"FAIL: no lab output in {a.lab_out!r}; {HOWTO}")
        print("0 passed, 1 failed")
        return 1
    passed = failed = 0
    for d in dirs:
        man = json.load(open(os.path.join(d, "manifest.json")))
        truth = json.load(open(os.path.join(d, "truth.json")))
        d0 = None
        results = []
        for e in man["dumps"]:
            path = os.path.join(d, e["file"])
            name = f"{os.path.basename(d)}/{e['file']}"
            try:
                rc, info, err = run_vmahunt(a.vmahunt, path)
            except subprocess.TimeoutExpired:
                results.append((name, e, None, ["timed out"]))
                continue
            if rc != 0 or info is None:
                results.append((name, e, None, [f"exit {rc}, no info JSON: {err.splitlines()[-1] if err else ''}"]))
                continue
            if e.get("dump_level") == 0:
                d0 = (info.get("pages") or {}).get("present")
            results.append((name, e, info, None))
        for name, e, info, fails in results:
            if fails is None:
                fails = check(info, e, truth, d0)
            if fails:
                failed += 1
                for x in fails:
                    print(f"FAIL {name}: {x}")
            else:
                passed += 1
                print(f"ok   {name}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def fake_info(entry, truth):
    """A correct info object for a lab dump, made from the truth (for --self-test)."""
    ranges = []
    for s, e in required_pages(truth, entry):
        ranges.append({"start": hex(s * PAGE), "end": hex(e * PAGE)})
    ram = sum(e - s for s, e in required_pages(truth, entry))
    filtered = entry.get("filtered")
    vci = {"OSRELEASE": truth["uname_r"], "PAGESIZE": "4096"} if entry.get("has_vmcoreinfo") else None
    return {"type": "dump", "schema": 1, "file": entry["file"], "format": FORMATS[entry["format"]],
            "arch": truth.get("arch", "x86_64"), "page_size": 4096, "ranges": ranges,
            "pages": {"present": ram // 4 if filtered else ram - 100, "zero": 0 if filtered else 100,
                      "excluded": ram - ram // 4 if filtered else 0},
            "codecs": {}, "osrelease": vci["OSRELEASE"] if vci else None, "vmcoreinfo": vci,
            "cpus": [], "attrs": {}, "warnings": []}


def main_self_test(a):
    dirs = lab_dirs(a.lab_out)
    if not dirs:
        print(f"FAIL: no lab output in {a.lab_out!r}; {HOWTO}")
        print("0 passed, 1 failed")
        return 1
    passed = failed = 0

    def expect(cond, what):
        nonlocal passed, failed
        if cond:
            passed += 1
        else:
            failed += 1
            print("FAIL self-test: " + what)

    for d in dirs:
        man = json.load(open(os.path.join(d, "manifest.json")))
        truth = json.load(open(os.path.join(d, "truth.json")))
        expect(truth.get("page_size") == 4096, f"{d}: truth page_size")
        expect(bool(truth.get("system_ram")), f"{d}: truth has System RAM ranges")
        expect(truth.get("uname_r"), f"{d}: truth has uname -r")
        for e in man["dumps"]:
            n = f"{os.path.basename(d)}/{e['file']}"
            good = fake_info(e, truth)
            expect(check(good, e, truth) == [], f"{n}: a correct info fails: {check(good, e, truth)}")
            bad = dict(good, page_size=8192)
            expect(any("page_size" in x for x in check(bad, e, truth)), f"{n}: wrong page_size not caught")
            bad = dict(good, ranges=good["ranges"][:-1])
            expect(any("ranges miss" in x for x in check(bad, e, truth)), f"{n}: missing range not caught")
            bad = dict(good, ranges=[{"start": r["start"], "end": hex(int(r["end"], 16) - PAGE)}
                                     for r in good["ranges"]])
            expect(any("ranges miss" in x for x in check(bad, e, truth)), f"{n}: short range not caught")
            if e.get("has_vmcoreinfo"):
                bad = dict(good, osrelease="5.0.0-wrong")
                expect(any("osrelease" in x for x in check(bad, e, truth)), f"{n}: wrong osrelease not caught")
                bad = dict(good, vmcoreinfo=None)
                expect(any("OSRELEASE" in x for x in check(bad, e, truth)), f"{n}: missing vmcoreinfo not caught")
            else:
                bad = dict(good, vmcoreinfo={"OSRELEASE": truth["uname_r"]})
                expect(check(bad, e, truth) != [], f"{n}: invented vmcoreinfo not caught")
            bad = dict(good, format="lime")
            expect(any("format" in x for x in check(bad, e, truth)), f"{n}: wrong format not caught")
            if e.get("filtered"):
                bad = dict(good, pages=dict(good["pages"], excluded=0))
                expect(any("excluded" in x for x in check(bad, e, truth)), f"{n}: unfiltered -d 31 not caught")
            else:
                bad = dict(good, pages=dict(good["pages"], excluded=5))
                expect(any("excluded" in x for x in check(bad, e, truth)), f"{n}: excluded pages not caught")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vmahunt")
    ap.add_argument("--lab-out", required=True)
    ap.add_argument("--only")
    ap.add_argument("--self-test", action="store_true")
    a = ap.parse_args()
    if a.self_test:
        return main_self_test(a)
    if not a.vmahunt:
        ap.error("--vmahunt is required")
    return main_check(a)


if __name__ == "__main__":
    sys.exit(main())
