#!/usr/bin/env python3
"""task-flags' table of undefined PF_* bits against each lab kernel's own headers.

Each lab folder whose kernel's headers were fetched (for the lab's modules) holds
sched-pf.txt: the `#define PF_` lines of that kernel's include/linux/sched.h. The
bits of a 32-bit flags word those lines leave undefined (PF__HOLE__ names count as
undefined) must be exactly the row of src/detect/ktamper.c's pf_holes[] for the
kernel's major.minor; a lab kernel without a row fails too (add its row). Exits 1
on any mismatch, and when no folder has the headers' lines.
"""
import argparse
import json
import os
import re
import sys


def table(src):
    """{(major, minor): undefined mask} from the pf_holes[] rows."""
    text = open(os.path.join(src, "src", "detect", "ktamper.c")).read()
    body = text[text.index("pf_holes[] = {"):]
    body = body[:body.index("};")]
    rows = {}
    for m in re.finditer(r"\{(\d+),\s*(\d+),\s*([^}]*)\}", body):
        mask = 0
        for bit in re.findall(r"0x([0-9a-fA-F]+)u", m.group(3)):
            mask |= int(bit, 16)
        rows[(int(m.group(1)), int(m.group(2)))] = mask
    if not rows:
        sys.exit("check_taskflags: no pf_holes[] rows in src/detect/ktamper.c")
    return rows


def undefined(path):
    """The bits the headers' #define PF_ lines leave undefined."""
    defined = 0
    for line in open(path):
        m = re.match(r"#define\s+(PF_\w+)\s+0x([0-9a-fA-F]+)", line)
        if m and not m.group(1).startswith("PF__HOLE__"):
            defined |= int(m.group(2), 16)
    return ~defined & 0xFFFFFFFF


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", required=True)
    ap.add_argument("labs", nargs="+")
    a = ap.parse_args()
    rows = table(a.src)
    fails, checked = [], 0
    for lab in a.labs:
        pf = os.path.join(lab, "sched-pf.txt")
        if not os.path.exists(pf):
            print(f"{lab}: no sched-pf.txt (no headers fetched for this kernel), not checked")
            continue
        rel = json.load(open(os.path.join(lab, "truth.json")))["uname_r"]
        major, minor = (int(x) for x in re.match(r"(\d+)\.(\d+)", rel).groups())
        want = undefined(pf)
        have = rows.get((major, minor))
        checked += 1
        if have is None:
            fails.append(f"{lab}: Linux {rel}: no pf_holes[] row for {major}.{minor} "
                         f"(its headers leave 0x{want:08x} undefined)")
        elif have != want:
            fails.append(f"{lab}: Linux {rel}: row {major}.{minor} says 0x{have:08x}, "
                         f"the headers leave 0x{want:08x} undefined")
        else:
            print(f"{lab}: Linux {rel}: undefined bits 0x{want:08x} as the headers say")
    if not checked:
        fails.append("no lab folder holds sched-pf.txt: nothing was checked")
    for f in fails:
        print("FAIL:", f)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
