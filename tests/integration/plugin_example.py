#!/usr/bin/env python3
"""Check the example plugin's exec-from-tmp findings against a sample's truth.

   plugin_example.py SCAN_JSON TRUTH DIRS [--only]

SCAN_JSON is `vmahunt scan --json --plugin example` on the sample; DIRS the
folders the plugin was told to look at (colon-separated, as example.dirs).
The findings must be exactly the truth's executable mappings of files in
those folders: the right pid, range, path and folder note, none elsewhere.
With --only, no other detector may have reported anything (--detector
exec-from-tmp). Prints ok/FAIL lines; exits 1 on any failure.
"""
import json
import lzma
import sys

out, truth_path, dirs = sys.argv[1:4]
only = "--only" in sys.argv[4:]
truth = json.load(lzma.open(truth_path) if truth_path.endswith(".xz") else open(truth_path))
dirs = [d for d in dirs.split(":") if d]


def maps():
    """(pid, start, end, perms, path) of every mapping of the truth."""
    if "processes" in truth:
        for p in truth["processes"]:
            for m in p["maps"]:
                yield p["pid"], int(m["start"], 16), int(m["end"], 16), m["perms"], m["path"]
    else:  # a process core's truth: its maps lines
        for line in truth["maps"]:
            f = line.split(None, 5)
            s, e = f[0].split("-")
            yield truth["pid"], int(s, 16), int(e, 16), f[1], f[5].strip() if len(f) > 5 else ""


want = {}
for pid, s, e, perms, path in maps():
    hit = [d for d in dirs if path.startswith(d + "/")]
    if "x" in perms and hit:
        want[(pid, s, e)] = (path, hit[0])
objs = [json.loads(l) for l in open(out)]
finds = [o for o in objs if o["type"] == "finding"]
got = {(o["pid"], int(o["start"], 16), int(o["end"], 16)): o
       for o in finds if o["detector"] == "exec-from-tmp"}
bad = 0


def check(ok, what):
    global bad
    bad += not ok
    print(("ok   " if ok else "FAIL ") + what)


for k, (path, folder) in sorted(want.items()):
    o = got.get(k)
    check(o is not None and o["severity"] == "medium" and o["evidence"]["path"] == path and
          o["evidence"].get("notes", {}).get("folder") == [folder],
          "exec-from-tmp: pid %d %x-%x %s (folder %s)" % (k[0], k[1], k[2], path, folder))
extra = sorted(set(got) - set(want))
check(not extra, "exec-from-tmp: no finding beyond the truth's %d mappings in %s %s" %
      (len(want), ":".join(dirs) or "(none)", ["pid %d %x-%x" % e for e in extra[:3]]))
if only:
    others = {o["detector"] for o in finds} - {"exec-from-tmp"}
    check(not others, "--detector exec-from-tmp: no other detector ran %s" % sorted(others))
sys.exit(1 if bad else 0)
