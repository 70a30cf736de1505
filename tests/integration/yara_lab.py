"""The yara plugin against the ground truth: every plant whose bytes the process
holds is matched by its rule of yara/lab.yar at the plant's pid and address.

Each lab dump with user pages (and each --core process core given with its
--truth) is scanned with `--plugin yara`; a dump filtered with -d 31 holds no
user pages, and vmahunt must say that it skipped the content detectors, yara
among them. The expected addresses come from the truth files the lab (or the
sample) wrote, never from vmahunt's own output.
"""
import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import labtest  # noqa: E402

# plant kind -> (rule, string, address of the match from the plant, region kind)
EXPECT = {
    "anon_rwx_code": ("lab_injected_stub", "$sled_stub",
                      lambda p: int(p["start"], 16) + p["stub_offset"] - 8, "vma"),
    "heap_exec": ("lab_injected_stub", "$sled_stub",
                  lambda p: int(p["start"], 16) + p["stub_offset"] - 8, "vma"),
    "code_modified": ("lab_patched_code", "$patch",
                      lambda p: int(p["start"], 16) + p["patch_offset"], "vma"),
    "anon_elf_exec": ("lab_reflected_elf", "$elf", lambda p: int(p["start"], 16), "vma"),
    "hidden_vma": ("lab_hidden_vma", "$page0", lambda p: int(p["start"], 16), "hidden"),
    "pte_widened": ("lab_pte_widened", "$page1", lambda p: int(p["start"], 16), "vma"),
    "la57_probe": ("lab_la57_probe", "$probe", lambda p: int(p["start"], 16), "vma"),
}
# File mappings the fileless scenario never touches: none of their pages is in
# the process's page tables, so no dump holds their bytes as process memory.
NOT_RESIDENT = {"memfd_exec", "deleted_file_exec"}


def scan(a, dump, symbols=()):
    cmd = [a.vmahunt, "scan", "--json", "--detector", "yara", "--plugin", "yara",
           "--plugin-opt", "yara.rules=" + a.rules, "--plugin-opt", "yara.max_matches=64", dump,
           *symbols]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=a.timeout)
    lines = [json.loads(l) for l in r.stdout.splitlines() if l.strip()]
    return r, [o for o in lines if o.get("type") == "finding"], \
        [o["message"] for o in lines if o.get("type") == "warning"]


def matched(findings, plant, rule, string, addr, region):
    """Whether a yara finding of @plant's pid lists @string of @rule at @addr in a @region."""
    for f in findings:
        notes = f["evidence"].get("notes") or {}
        if f["detector"] != "yara" or f["pid"] != plant["pid"] or notes.get("rule") != [rule]:
            continue
        if notes.get("region") != [region]:
            continue
        if not int(f["start"], 16) <= addr < int(f["end"], 16):
            continue
        for m in notes.get("match", []):
            sid, at = m.split()[:2]
            # the same plant written in arm64 code is the string's _a64 twin
            if sid in (string, string + "_a64") and int(at, 16) == addr:
                return True
    return False


def skipped_detectors(warning):
    """The detectors a warning says were skipped for want of user pages."""
    head = "content detectors skipped:"
    if head not in warning:
        return []
    return [d.strip() for d in warning.split(head, 1)[1].split(",")]


def check_dump(a, dump, plants, filtered, symbols=()):
    """Failure lines for one dump; prints its recall."""
    r, findings, warnings = scan(a, dump, symbols)
    name = os.path.relpath(dump, os.path.dirname(os.path.dirname(dump)))
    if r.returncode not in (0, 1):
        return [f"{name}: exit {r.returncode}: {r.stderr.strip()[-300:]}"]
    if filtered:
        return check_filtered(name, plants, findings, warnings)
    fails, found, expected, skipped = recall(name, plants, findings)
    print(f"{name}: plants found {found}/{expected}"
          + (f" (not resident, not expected: {', '.join(skipped)})" if skipped else ""))
    return fails


def recall(name, plants, findings):
    """Failure lines, plants found, plants expected, plants not expected (not resident)."""
    fails, found, expected, skipped = [], 0, 0, []
    for p in plants:
        if p["kind"] in NOT_RESIDENT:
            skipped.append(p["kind"])
        if p["kind"] not in EXPECT:
            continue
        rule, string, at, region = EXPECT[p["kind"]]
        addr = at(p)
        expected += 1
        if matched(findings, p, rule, string, addr, region):
            found += 1
        else:
            fails.append(f"{name}: pid {p['pid']} {p['kind']}: no {rule} {string} at 0x{addr:x} "
                         f"({region})")
    return fails, found, expected, skipped


def check_filtered(name, plants, findings, warnings):
    """A -d 31 dump. The kdump formats keep no user page: vmahunt must name yara among
    the content detectors it skipped, and yara must find nothing. makedumpfile -E keeps
    some (vmahunt then runs the content detectors): yara must say how many pages of a
    process the dump lacks; its recall there is printed, not required."""
    yara = [f for f in findings if f["detector"] == "yara"]
    if any("yara" in skipped_detectors(w) for w in warnings):
        print(f"{name}: no user pages: yara skipped, said; {len(yara)} yara findings")
        return [f"{name}: {len(yara)} yara findings without user pages"] if yara else []
    absent = [w for w in warnings if "yara: " in w and "absent from the dump" in w]
    _, found, expected, _ = recall(name, plants, findings)
    print(f"{name}: user pages kept in part: plants found {found}/{expected} (not required), "
          f"{len(absent)} processes warned of absent pages")
    return [] if absent else [f"{name}: filtered, not skipped, yet no warning of absent pages"]


def lab_dumps(lab):
    with open(os.path.join(lab, "manifest.json")) as f:
        for d in json.load(f)["dumps"]:
            yield os.path.join(lab, d["file"]), d.get("dump_level") == 31


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--vmahunt", required=True)
    ap.add_argument("--rules", required=True)
    ap.add_argument("--timeout", type=int, default=600)
    ap.add_argument("--core", action="append", default=[], help="a process core")
    ap.add_argument("--truth", action="append", default=[], help="the truth of each --core")
    ap.add_argument("labs", nargs="*")
    a = ap.parse_args()
    fails = []
    for lab in a.labs:
        with open(os.path.join(lab, "truth.json")) as f:
            plants = json.load(f)["plants"]
        for dump, filtered in lab_dumps(lab):
            fails += check_dump(a, dump, plants, filtered, labtest.lab_symbols(lab))
    for core, truth in zip(a.core, a.truth):
        with open(truth) as f:
            fails += check_dump(a, core, json.load(f)["plants"], False)
    for f in fails:
        print("FAIL:", f)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
