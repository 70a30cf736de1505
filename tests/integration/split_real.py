#!/usr/bin/env python3
"""vmahunt on the real split dumps of the lab (makedumpfile --split -l -d 31 in the kdump
capture kernel: three kdump files, each holding its own pfn range; tests/lab/README.md).

For every lab folder with a split dump (manifest.json "extra_dumps", format "kdump-split"):
  - the parts given together, in three orders, give `ps --threads`, `maps` and `scan`
    (JSON) identical to those of kdump-lzo-d31.kdump (same crash, same -d 31 filter:
    that one is checked against the truth by the other lab tests) and `info` the
    same memory ranges and page counts;
  - each non-empty part left out: vmahunt names it ("part N is missing") with its pfn
    range, exits 0 or 4 (works on what is there, or says it cannot), never 3 or a crash;
  - a part of another dump is refused (exit 3, "not a part of the same split dump"):
    a part of another lab folder's split dump when there is one, and a copy of a part
    whose header timestamp was changed; a whole kdump among the parts is refused too.
A kdump guest without a split dump fails: the lab predates it and must be rebuilt.
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import labtest  # noqa: E402


def run(a, args):
    return subprocess.run([a.vmahunt] + args, capture_output=True, text=True, timeout=a.timeout)


def splits(lab):
    man = json.load(open(os.path.join(lab, "manifest.json")))
    return [e for e in man.get("extra_dumps", []) if e.get("format") == "kdump-split"]


def info_facts(out):
    return [line for line in out.splitlines()
            if line.startswith(("memory:", "  0x", "pages:", "compression:", "osrelease:",
                                "kaslr offset:", "kernel:"))]


def check_lab(a, lab):
    name = os.path.basename(lab)
    sp = splits(lab)
    if not sp:
        with open(os.path.join(lab, "manifest.json")) as f:
            why = json.load(f).get("makedumpfile_unsupported")
        if why:  # arm64 6.12+: the lab's makedumpfile refuses the vmcore and says so
            print(f"{name}: makedumpfile could not read this kernel's vmcore ({why}): "
                  "no split dump")
            return []
        if os.path.exists(os.path.join(lab, "vmcore.elf")):
            return [f"{lab}: a kdump guest without a split dump: the lab predates it, rebuild "
                    f"it with tests/lab/build-lab.sh"]
        print(f"{name}: no split dump (not a kdump guest)")
        return []
    a.seen += 1
    fails = []
    e = sp[0]
    parts = [os.path.join(lab, p["file"]) for p in e["parts"]]
    whole = os.path.join(lab, "kdump-lzo-d31.kdump")
    vml = ["--vmlinux", os.path.join(lab, "vmlinux")]
    nonempty = [p for p in e["parts"] if p["start_pfn"] < p["end_pfn"]]
    print(f"{name}: {len(parts)} parts, pfn ranges "
          + ", ".join(f"{p['start_pfn']:#x}-{p['end_pfn']:#x}" for p in e["parts"]))
    if len(nonempty) < 2:
        fails.append(f"{lab}: only {len(nonempty)} non-empty part(s): the lab's split block "
                     f"size leaves nothing to join")
    orders = [parts, parts[::-1], parts[1:] + parts[:1]]
    for cmd in (["ps", "--threads"], ["maps"], ["scan"]):
        want = run(a, cmd + ["--json"] + vml + [whole])
        if want.returncode != 0:
            fails.append(f"{whole}: vmahunt {cmd[0]} exited {want.returncode}: {want.stderr.strip()}")
            continue
        for o in orders:
            got = run(a, cmd + ["--json"] + vml + o)
            label = f"{name}: {cmd[0]} " + " ".join(os.path.basename(p) for p in o)
            if got.returncode != 0:
                fails.append(f"{label}: exit {got.returncode}: {got.stderr.strip()}")
            elif got.stdout != want.stdout:
                gl, wl = got.stdout.splitlines(), want.stdout.splitlines()
                first = next((i for i, (x, y) in enumerate(zip(gl, wl)) if x != y), min(len(gl), len(wl)))
                fails.append(f"{label}: output differs from kdump-lzo-d31.kdump's ({len(gl)} vs "
                             f"{len(wl)} lines; first difference at line {first + 1}: "
                             f"{gl[first] if first < len(gl) else None!r} vs "
                             f"{wl[first] if first < len(wl) else None!r})")
            else:
                print(f"  {label}: identical to kdump-lzo-d31.kdump "
                      f"({len(want.stdout.splitlines())} records)")
    wi, gi = run(a, ["info"] + vml + [whole]), run(a, ["info"] + vml + parts[::-1])
    if gi.returncode != 0 or info_facts(gi.stdout) != info_facts(wi.stdout):
        fails.append(f"{name}: info of the joined parts differs from kdump-lzo-d31.kdump's: "
                     f"{info_facts(gi.stdout)} vs {info_facts(wi.stdout)}")
    for i, p in enumerate(e["parts"]):
        if p["start_pfn"] == p["end_pfn"]:
            continue
        rest = [q for j, q in enumerate(parts) if j != i]
        r = run(a, ["ps", "--json"] + vml + rest)
        said = r.stderr + r.stdout
        msg = f"part {p['part']} is missing (pfns {p['start_pfn']:#x}-{p['end_pfn']:#x}"
        if r.returncode not in (0, 4) or msg not in said:
            fails.append(f"{name}: ps without {p['file']}: exit {r.returncode}, expected 0 or 4 "
                         f"and {msg!r}: {said.strip()[:400]}")
        else:
            ntasks = sum(1 for line in r.stdout.splitlines() if '"type":"task"' in line)
            print(f"  without {p['file']}: exit {r.returncode}, {ntasks} tasks, warned: {msg})")
    # a part of another dump
    others = [o for o in a.labs if os.path.abspath(o) != os.path.abspath(lab) and splits(o)]
    cands = []
    if others:
        oe = splits(others[0])[0]
        cands.append(("a part of " + os.path.basename(others[0]),
                      os.path.join(others[0], oe["parts"][1]["file"])))
    tmp = tempfile.mkdtemp(prefix="vmahunt-split-")
    try:
        forged = os.path.join(tmp, "forged-" + e["parts"][1]["file"])
        shutil.copyfile(parts[1], forged)
        with open(forged, "r+b") as f:
            f.seek(408)  # disk_dump_header.timestamp.tv_sec
            sec = struct.unpack("<Q", f.read(8))[0]
            f.seek(408)
            f.write(struct.pack("<Q", sec + 1))
        cands.append(("a copy of part 2 with another timestamp", forged))
        for what, other in cands:
            r = run(a, ["ps"] + vml + [parts[0], other, parts[2]])
            if r.returncode != 3 or "not a part of the same split dump" not in r.stderr:
                fails.append(f"{name}: {what} among the parts: exit {r.returncode}, expected 3 "
                             f"saying it is not a part of the same dump: {r.stderr.strip()[:300]}")
            else:
                print(f"  {what}: refused ({r.stderr.strip()[:100]}...)")
    finally:
        shutil.rmtree(tmp)
    r = run(a, ["ps"] + vml + [parts[0], whole])
    if r.returncode != 3 or "not a part of a split dump" not in r.stderr:
        fails.append(f"{name}: a whole kdump among the parts: exit {r.returncode}: {r.stderr.strip()}")
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
        print("FAIL: no lab folder has a split dump: build the lab with tests/lab/build-lab.sh")
        return 1
    return rc


if __name__ == "__main__":
    sys.exit(main())
