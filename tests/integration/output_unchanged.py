"""Runs two vmahunt binaries (a reference and the current one) with the same
arguments on every lab dump and the shipped samples, and compares their stdout,
stderr and exit status byte for byte (test_output_unchanged.sh builds the
reference).

Both binaries get the same arguments (except that a scan naming no detector runs,
in the current build, only the detectors the reference has: a detector added
since finds what the reference cannot, and is checked against the lab's truth
by its own tests), the same environment and the same working directory, one after the other, so paths printed by `info` or in error messages
are the same for both. Invocations are named with the paths shortened (LAB/ for
the lab output folder, SRC/ for the source tree, TMP/ for the test's scratch
folder); --expect-change takes such names, as shell-style patterns.
"""
import argparse
import concurrent.futures
import difflib
import fnmatch
import hashlib
import json
import lzma
import os
import shlex
import subprocess
import sys
import time

TIMEOUT = 600  # seconds per run of one binary
DIFF_LINES = 40


def load_json(path):
    opener = lzma.open if path.endswith(".xz") else open
    with opener(path, "rt") as f:
        return json.load(f)


def truth_pids(truth):
    """(pid of the first anomalous plant, a thread id that is not its group's
    leader, or None) from a lab or sample truth; (None, None) without one."""
    if not truth:
        return None, None
    plants = truth.get("plants", [])
    ordinary = {"many_vmas", "threads", "la57_probe", "benign"}
    pid = next((p["pid"] for p in plants if p["kind"] not in ordinary), None)
    if pid is None and plants:
        pid = plants[0]["pid"]
    if pid is None and truth.get("pid"):
        pid = truth["pid"]  # a process core's own truth
    tid = None
    for p in plants:
        if p["kind"] == "threads":
            tid = next((t for t in p.get("tids", []) if t != p["pid"]), None)
    return pid, tid


class Target:
    """A dump and what the test knows about it."""

    def __init__(self, name, path, pid=None, tid=None, vmlinux=None, kdump_like=True):
        self.name, self.path, self.pid, self.tid = name, path, pid, tid
        self.vmlinux, self.kdump_like = vmlinux, kdump_like


def dump_cases(t):
    """The invocations run on every dump."""
    d = t.path
    cases = [
        ["info", d],
        ["info", "--json", d],
        ["ps", d],
        ["ps", "--threads", d],
        ["ps", "--json", d],
        ["ps", "--threads", "--json", d],
        ["maps", d],
        ["maps", "--json", d],
        ["scan", d],
        ["scan", "--json", d],
        ["scan", "--detector", "anon-rwx,hidden-pages", d],
        ["scan", "--json", "--detector", "anon-rwx,hidden-pages", d],
        ["scan", "--fail-on", "low", d],
        ["maps", "--pid", "999999", d],
        ["ps", "--json", "--symbols", "btf", d],
        ["maps", "--json", "--symbols", "btf", d],
        ["scan", "--json", "--symbols", "btf", d],
    ]
    if t.pid is not None:
        cases += [
            ["maps", "--pid", str(t.pid), d],
            ["scan", "--pid", str(t.pid), d],
            ["scan", "--json", "--pid", str(t.pid), d],
        ]
    if t.tid is not None:
        cases.append(["maps", "--json", "--pid", str(t.tid), d])
    if t.vmlinux:
        v = t.vmlinux
        cases += [
            ["info", "--json", "--vmlinux", v, d],
            ["ps", "--json", "--vmlinux", v, d],
            ["maps", "--json", "--vmlinux", v, d],
            ["scan", "--json", "--vmlinux", v, d],
            ["scan", "--vmlinux", v, d],
        ]
    return cases


def truncated_cases(path):
    return [["info", path], ["info", "--json", path], ["ps", "--json", path],
            ["maps", "--json", path], ["scan", "--json", path]]


def write_truncated(src, tmp, tag, write=True):
    """Copies of the first 4096 bytes and the first half of src in tmp."""
    out = []
    size = os.path.getsize(src)
    for suffix, n in (("head4096", 4096), ("half", size // 2)):
        dst = os.path.join(tmp, "%s.%s" % (tag, suffix))
        out.append(dst)
        if not write:
            continue
        with open(src, "rb") as fi, open(dst, "wb") as fo:
            left = n
            while left:
                buf = fi.read(min(left, 1 << 20))
                if not buf:
                    break
                fo.write(buf)
                left -= len(buf)
    return out


def lab_targets(labs):
    """Every dump of every lab folder, with its truth pids and vmlinux."""
    targets, vmlinuxes, notes = [], {}, []
    for lab in labs:
        m = load_json(os.path.join(lab, "manifest.json"))
        tp = os.path.join(lab, "truth.json")
        pid, tid = truth_pids(load_json(tp) if os.path.exists(tp) else None)
        vml = None
        if m.get("vmlinux"):
            vml = os.path.join(lab, m["vmlinux"])
            if os.path.exists(vml):
                vmlinuxes[lab] = (vml, m.get("uname_r"))
            else:
                notes.append("note: %s: manifest names vmlinux %s, which is missing: "
                             "--vmlinux variants skipped" % (lab, vml))
                vml = None
        for d in m["dumps"]:
            targets.append((lab, d, Target(os.path.join(os.path.basename(lab), d["file"]),
                                           os.path.join(lab, d["file"]), pid, tid, vml)))
    return targets, vmlinuxes, notes


def build_cases(a, tmp, write=True):
    """[(group, argv)]: every invocation, grouped by the dump (or topic) it is about."""
    cases, notes = [], []
    targets, vmlinuxes, n = lab_targets(a.labs)
    notes += n
    sample = os.path.join(a.src, "samples", "linux-6.1-kdump-zstd-d31.kdump")
    core = os.path.join(a.src, "samples", "core.inject.zst")
    pid, tid = truth_pids(load_json(sample.replace(".kdump", ".truth.json.xz")))
    targets.append((None, None, Target("samples/" + os.path.basename(sample), sample, pid, tid)))
    pid, tid = truth_pids(load_json(core.replace(".zst", ".truth.json")))
    targets.append((None, None, Target("samples/" + os.path.basename(core), core, pid, tid)))

    first_of_lab = set()
    for lab, d, t in targets:
        for argv in dump_cases(t):
            cases.append((t.name, argv))
        if lab is None or lab in first_of_lab:
            continue
        first_of_lab.add(lab)
        # once per lab folder: symbols from a vmlinux that is searched for (and
        # normally not found), and a vmlinux of another kernel
        cases.append((t.name, ["ps", "--symbols", "dwarf", t.path]))
        cases.append((t.name, ["info", "--symbols", "dwarf", t.path]))
        own = vmlinuxes.get(lab, (None, None))
        other = next((v for l, (v, rel) in sorted(vmlinuxes.items())
                      if l != lab and rel != own[1]), None)
        if other:
            cases.append((t.name, ["ps", "--json", "--vmlinux", other, t.path]))
            cases.append((t.name, ["info", "--vmlinux", other, t.path]))

    # truncated copies: the samples, and the smallest dump of each format of the
    # first lab folder
    trunc = [sample, core]
    if a.labs:
        lab = a.labs[0]
        smallest = {}
        for d in load_json(os.path.join(lab, "manifest.json"))["dumps"]:
            p = os.path.join(lab, d["file"])
            if d["format"] not in smallest or os.path.getsize(p) < os.path.getsize(smallest[d["format"]]):
                smallest[d["format"]] = p
        trunc += [smallest[f] for f in sorted(smallest)]
    tdir = os.path.join(tmp, "truncated")
    if write:
        os.makedirs(tdir, exist_ok=True)
    head4096 = None
    for src in trunc:
        tag = os.path.basename(os.path.dirname(src)) + "-" + os.path.basename(src)
        for p in write_truncated(src, tdir, tag, write):
            head4096 = head4096 or p
            for argv in truncated_cases(p):
                cases.append(("truncated", argv))

    # convert: each lab folder's smallest flattened dump to a plain kdump file
    for lab in a.labs:
        flats = [os.path.join(lab, d["file"]) for d in load_json(os.path.join(lab, "manifest.json"))["dumps"]
                 if d["format"] == "flattened"]
        if flats:
            flat = min(flats, key=os.path.getsize)
            out = os.path.join(tmp, "converted-%s.kdump" % os.path.basename(lab))
            cases.append(("convert", ["convert", flat, out]))

    # the command line itself, and dumps that cannot be opened
    text = os.path.join(tmp, "text")
    empty = os.path.join(tmp, "empty")
    zeros = os.path.join(tmp, "zeros")
    if write:
        with open(text, "w") as f:
            f.write("not a dump at all, just text\n")
        open(empty, "w").close()
        with open(zeros, "wb") as f:
            f.write(bytes(8192))
    missing = os.path.join(tmp, "no-such-dump")
    cli = [
        [], ["help"], ["--help"], ["-h"], ["version"], ["--version"], ["frobnicate"],
        ["info", "--help"], ["ps", "--help"], ["maps", "-h"], ["scan", "--help"], ["convert", "--help"],
        ["info"], ["ps"], ["maps"], ["scan"], ["convert"], ["convert", "onlyone"],
        ["info", "a", "b"], ["info", "--bogus", sample], ["scan", "--bogus", sample],
        ["ps", "--vmlinux"], ["ps", "--symbols", "elf", sample], ["ps", "--symbols", "btf", "--vmlinux", "v", sample],
        ["maps", "--pid", "abc", sample], ["maps", "--pid", "-1", sample], ["scan", "--pid"],
        ["scan", "--fail-on", "bogus", sample], ["scan", "--detector", "nosuch", sample],
        ["scan", "--detector", "", sample], ["info", "--raw-base", "zz", sample],
        ["ps", "--vmlinux", missing, sample], ["scan", "--vmlinux", text, sample],
        ["--", "info"], ["info", "--", sample],
    ]
    for f in (missing, tmp, text, empty, zeros):
        cli += [["info", f], ["info", "--json", f], ["ps", f], ["maps", "--json", f], ["scan", "--json", f]]
    cli += [["info", "--raw-base", "0x1000", head4096], ["info", "--json", "--raw-base", "0x0", head4096],
            ["info", "--raw-base", "0x10", head4096], ["ps", "--raw-base", "0x0", head4096],
            ["scan", "--json", "--raw-base", "0x0", head4096]]
    cases += [("command line", argv) for argv in cli]
    return cases, notes


def help_detectors(binary):
    """The detector ids a vmahunt's help lists (after "Detectors:")."""
    text = subprocess.run([binary, "help"], capture_output=True, text=True).stdout
    ids, on = [], False
    for line in text.splitlines():
        if "Detectors:" in line:
            on, line = True, line.split("Detectors:", 1)[1]
        elif on and not line.startswith(" " * 20):
            break
        if on:
            ids += line.split()
    return ids


class Runner:
    def __init__(self, ref, cur, tmp, names):
        self.ref, self.cur, self.tmp, self.names = ref, cur, tmp, names
        # Detectors added since the reference find what it cannot: a scan that
        # names no detector runs, in the current build, the reference's ones
        # only (the new ones are checked against the lab's truth elsewhere).
        ref_dets, cur_dets = help_detectors(ref), help_detectors(cur)
        self.scan_dets = ref_dets if set(cur_dets) - set(ref_dets) else None

    def label(self, argv):
        def short(s):
            for prefix, name in self.names:
                if s == prefix or s.startswith(prefix + os.sep):
                    return name + s[len(prefix):]
            return s
        return " ".join(["vmahunt"] + [shlex.quote(short(s)) for s in argv])

    def run_one(self, binary, argv):
        try:
            p = subprocess.run([binary] + argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, cwd=self.tmp, timeout=TIMEOUT)
            return p.returncode, p.stdout, p.stderr
        except subprocess.TimeoutExpired:
            return "timeout after %d s" % TIMEOUT, b"", b""

    def compare(self, argv):
        """([(stream, diff lines)] of the streams that differ (empty: identical),
        seconds both runs took)."""
        t0 = time.monotonic()
        ref = self.run_one(self.ref, argv)
        extra_ref = extra_cur = None
        out = argv[2] if argv[:1] == ["convert"] and len(argv) == 3 else None
        if out:
            extra_ref = self.take(out)
        cur_argv = argv
        if self.scan_dets and argv[:1] == ["scan"] and "--detector" not in argv:
            cur_argv = ["scan", "--detector", ",".join(self.scan_dets)] + argv[1:]
        cur = self.run_one(self.cur, cur_argv)
        if out:
            extra_cur = self.take(out)
        diffs = []
        if ref[0] != cur[0]:
            diffs.append(("exit status", ["-%s" % ref[0], "+%s" % cur[0]]))
        for i, stream in ((1, "stdout"), (2, "stderr")):
            if ref[i] != cur[i]:
                diffs.append((stream, udiff(ref[i], cur[i])))
        if out and extra_ref != extra_cur:
            diffs.append(("file written (%s)" % os.path.basename(out),
                          ["reference: %s" % describe(extra_ref), "current:   %s" % describe(extra_cur)]))
        return diffs, time.monotonic() - t0

    @staticmethod
    def take(path):
        """Reads and removes a file a run wrote (None: it wrote none)."""
        try:
            with open(path, "rb") as f:
                data = f.read()
            os.unlink(path)
            return data
        except FileNotFoundError:
            return None


def describe(data):
    if data is None:
        return "no file"
    return "%d bytes, sha256 %s" % (len(data), hashlib.sha256(data).hexdigest()[:16])


def udiff(a, b):
    la = a.decode("utf-8", "replace").splitlines(keepends=True)
    lb = b.decode("utf-8", "replace").splitlines(keepends=True)
    lines = [l.rstrip("\n") for l in difflib.unified_diff(la, lb, "reference", "current", n=2)]
    if not lines:  # same text once decoded: the bytes differ in invalid UTF-8
        lines = ["(differs only in bytes that are not UTF-8: %d vs %d bytes)" % (len(a), len(b))]
    if len(lines) > DIFF_LINES:
        lines = lines[:DIFF_LINES] + ["... (%d more diff lines)" % (len(lines) - DIFF_LINES)]
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ref", required=True, help="the reference vmahunt")
    ap.add_argument("--cur", required=True, help="the vmahunt under test")
    ap.add_argument("--src", required=True, help="the source tree (samples/)")
    ap.add_argument("--lab-out", required=True, help="the lab output folder (for names)")
    ap.add_argument("--tmp", required=True, help="an empty scratch folder")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--expect-change", action="append", default=[],
                    help="an invocation (name pattern) whose output may differ")
    ap.add_argument("--list", action="store_true", help="print the invocations, run nothing")
    ap.add_argument("labs", nargs="*")
    a = ap.parse_args()
    # arm64 guests came after the reference, which refuses their dumps: their
    # output is checked against their truth by the lab tests, not against it
    x86 = [lab for lab in a.labs
           if load_json(os.path.join(lab, "manifest.json")).get("arch", "x86_64") != "aarch64"]
    for lab in sorted(set(a.labs) - set(x86)):
        print("note: %s: an arm64 guest, newer than the reference: not compared"
              % os.path.basename(lab))
    a.labs = x86

    cases, notes = build_cases(a, a.tmp, write=not a.list)
    names = [(os.path.realpath(a.tmp), "TMP"), (a.tmp, "TMP"), (a.lab_out.rstrip("/"), "LAB"),
             (a.src.rstrip("/"), "SRC")]
    r = Runner(a.ref, a.cur, a.tmp, names)
    for n in notes:
        print(n)
    if a.list:
        for group, argv in cases:
            print(r.label(argv))
        return 0

    start = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as ex:
        futures = [ex.submit(r.compare, argv) for _, argv in cases]
        results = [f.result() for f in futures]
    passed = failed = expected = 0
    used_patterns = set()
    groups = {}
    for (group, argv), (diffs, _) in zip(cases, results):
        label = r.label(argv)
        g = groups.setdefault(group, [0, 0])
        g[0] += 1
        pats = [p for p in a.expect_change if fnmatch.fnmatchcase(label, p)]
        if not diffs:
            passed += 1
            continue
        if pats:
            expected += 1
            used_patterns.update(pats)
            print("changed as expected (opt-out %s): %s" % (pats[0], label))
            continue
        failed += 1
        g[1] += 1
        print("FAIL: %s" % label)
        for stream, lines in diffs:
            print("  %s differs:" % stream)
            for l in lines:
                print("    " + l)
    for group, (n, bad) in groups.items():
        print("%s %s: %d invocations" % ("FAIL" if bad else "ok  ", group, n) +
              (", %d differ" % bad if bad else ""))
    slow = sorted(zip(results, cases), key=lambda rc: -rc[0][1])[:3]
    print("slowest: " + "; ".join("%s %.1f s" % (r.label(c[1]), res[1]) for res, c in slow))
    for p in a.expect_change:
        if p not in used_patterns:
            print("note: opt-out %r: output unchanged (or no such invocation): remove it from the list?" % p)
    print("%d passed, %d failed%s (%d invocations, each run by both binaries, %d jobs, %.0f s)" %
          (passed, failed, ", %d changed as expected" % expected if expected else "",
           len(cases), a.jobs, time.monotonic() - start))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
