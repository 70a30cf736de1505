#!/usr/bin/env python3
"""Every format of the same memory gives the same bytes.

The lab's manifest.json groups the dumps of each lab folder by the memory they
hold: the QEMU dumps of one stopped guest form one group; the /proc/vmcore of a
crash and every makedumpfile output made from it form another. Within a group,
vh-pages hashes every page of every dump, and:
  - a page with data in two dumps has the same hash in both;
  - against an unfiltered dump of the group (dump level 0: /proc/vmcore, QEMU),
    a filtered dump (-d 31) reports as EXCLUDED exactly the pages it does not
    hold, and holds every other page.
Prints a line per comparison and "N passed, N failed".
"""
import argparse
import json
import os
import subprocess
import sys


def page_list(tool, path):
    out = subprocess.run([tool, "--list", path], capture_output=True, text=True, check=True)
    pages = {}
    for line in out.stdout.splitlines():
        parts = line.split()
        pages[int(parts[0], 16)] = parts[2] if parts[1] == "data" else parts[1]
    return pages


def is_hash(v):
    return v not in ("absent", "excluded", "error")


def compare(a_name, a, b_name, b, b_filtered, b_elf):
    """Checks b against a (a unfiltered when b_filtered). Returns a list of problems.

    A filtered ELF dump (makedumpfile -E) cannot mark a page as excluded: it
    simply has no segment for it, so a page it lacks is not held against it.
    """
    problems = []
    both = mismatched = 0
    for pfn, av in a.items():
        bv = b.get(pfn)
        if bv is None:
            if b_filtered and not b_elf and is_hash(av):
                problems.append("pfn 0x%x: data in %s, outside every range of %s"
                                % (pfn, a_name, b_name))
            continue
        if is_hash(av) and is_hash(bv):
            both += 1
            if av != bv:
                mismatched += 1
                if mismatched <= 5:
                    problems.append("pfn 0x%x differs" % pfn)
        elif b_filtered and is_hash(av) and bv not in ("excluded",):
            problems.append("pfn 0x%x: data in %s but %s in %s" % (pfn, a_name, bv, b_name))
        elif b_filtered and bv == "excluded" and not is_hash(av):
            problems.append("pfn 0x%x: excluded in %s but %s in %s" % (pfn, b_name, av, a_name))
        if av == "error" or bv == "error":
            problems.append("pfn 0x%x: read error" % pfn)
        if len(problems) > 20:
            break
    if mismatched > 5:
        problems.append("%d pages differ in all" % mismatched)
    if both == 0:
        problems.append("no page in common")
    print("  %s vs %s: %d pages compared, %s" % (a_name, b_name, both,
                                                 "ok" if not problems else "%d problems" % len(problems)))
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", required=True, help="the vh-pages tool")
    ap.add_argument("lab_dirs", nargs="+")
    args = ap.parse_args()
    passed = failed = 0
    for lab in args.lab_dirs:
        with open(os.path.join(lab, "manifest.json")) as f:
            manifest = json.load(f)
        groups = {}
        for dump in manifest["dumps"]:
            groups.setdefault(dump["memory"], []).append(dump)
        for gname, dumps in sorted(groups.items()):
            if len(dumps) < 2:
                continue
            # The reference is an unfiltered dump (dump level 0).
            dumps.sort(key=lambda d: (bool(d.get("dump_level")), d["file"]))
            ref = dumps[0]
            if ref.get("dump_level"):
                print("FAIL %s/%s: no unfiltered dump to compare with" % (lab, gname))
                failed += 1
                continue
            print("%s: group %s, reference %s" % (lab, gname, ref["file"]))
            ref_pages = page_list(args.pages, os.path.join(lab, ref["file"]))
            for d in dumps[1:]:
                pages = page_list(args.pages, os.path.join(lab, d["file"]))
                problems = compare(ref["file"], ref_pages, d["file"], pages,
                                   bool(d.get("dump_level")), d["format"] == "elf")
                for p in problems:
                    print("    " + p)
                if problems:
                    failed += 1
                else:
                    passed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 0 if passed and not failed else 1


if __name__ == "__main__":
    sys.exit(main())
