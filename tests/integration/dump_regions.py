"""vmahunt dump against the lab's ground truth.

For each lab folder:
- each planted range (--pid P --range START-END) comes out with the bytes the
  guest planted there: the NOP sled and syscall stub of inject, the patch of
  codepatch, the words the hidevma/ptewiden scenarios wrote in every page, the
  reflectively copied ELF with the sha256 the guest computed;
- the VMA hidden by the lab module is a region of its own (kind "hidden") with
  the plant's range and content, in a --all run of its process;
- --all over every process (qemu.elf): one record per VMA that `maps --json`
  lists, each file as long as its VMA and hashed as its record says, the
  pages listed absent zero in the file, the manifest complete and its
  summary the sum of its records;
- a -d 31 dump (user pages filtered out): the planted pages are listed absent
  with the dump tool as the reason, and the run still succeeds;
- an existing manifest is refused (exit 4) unless --force.
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import labtest  # noqa: E402
from labtest import main_over_labs  # noqa: E402

PAGE = 4096


def run(a, *args, expect=0):
    r = subprocess.run([a.vmahunt, *args, *a.symbols], capture_output=True, text=True,
                       timeout=a.timeout)
    if r.returncode != expect:
        raise AssertionError("vmahunt %s: exit %d, expected %d: %s" %
                             (" ".join(args), r.returncode, expect, r.stderr.strip()[-400:]))
    return [json.loads(line) for line in r.stdout.splitlines()], r.stderr


def region_bytes(out, rec):
    with open(os.path.join(out, rec["file"]), "rb") as f:
        return f.read()


def check_page_words(data, start, label, fails, what):
    """Every page of a lab_guarded_pages() region starts with 'LABEL page N'."""
    for i in range(len(data) // PAGE):
        n = (start // PAGE + i) - start // PAGE
        want = ("%s page " % label).encode()
        if not data[i * PAGE:].startswith(want):
            fails.append("%s: page %d does not start with %r" % (what, n, want))
            return


# a one-instruction NOP of each architecture, as the scenarios write their sleds
NOPS = {"x86_64": b"\x90", "aarch64": bytes.fromhex("1f2003d5")}


def check_plant_bytes(plant, data, fails, what, arch="x86_64"):
    if plant.get("sled_len"):
        nop = NOPS[arch]
        if data[:plant["sled_len"]] != nop * (plant["sled_len"] // len(nop)):
            fails.append("%s: no NOP sled at the start" % what)
    for off_key, hex_key in (("stub_offset", "stub_hex"), ("patch_offset", "patch_hex")):
        if hex_key in plant:
            want = bytes.fromhex(plant[hex_key])
            off = plant[off_key]
            if data[off:off + len(want)] != want:
                fails.append("%s: %s not at offset %d" % (what, plant[hex_key], off))
    if plant["kind"] == "anon_elf_exec" and "sha256" in plant:
        got = hashlib.sha256(data[:plant["file_size"]]).hexdigest()
        if got != plant["sha256"]:
            fails.append("%s: image sha256 %s, the guest's %s" % (what, got, plant["sha256"]))
    if plant["kind"] == "hidden_vma":
        check_page_words(data, 0, "VMAHUNT-HIDDEN-VMA", fails, what)
    if plant["kind"] == "pte_widened" and not data.startswith(b"VMAHUNT-PTE-WIDEN page 1"):
        fails.append("%s: the widened page's words are not there" % what)


RANGE_KINDS = {"anon_rwx_code", "heap_exec", "anon_elf_exec", "code_modified", "pte_widened"}


def check_ranges(a, dump, plants, tmp, fails):
    """--range of each planted range: the planted bytes."""
    for p in plants:
        if p["kind"] not in RANGE_KINDS:
            continue
        out = os.path.join(tmp, "range-%s-%d" % (p["kind"], p["pid"]))
        what = "%s: %s pid %d %s-%s" % (dump, p["kind"], p["pid"], p["start"], p["end"])
        recs, _ = run(a, "dump", dump, "--out", out, "--pid", str(p["pid"]), "--range",
                      "%s-%s" % (p["start"], p["end"]), "--no-hidden")
        if len(recs) != 1 or recs[0]["start"] != p["start"] or recs[0]["end"] != p["end"]:
            fails.append("%s: records %s, expected one with the plant's range" %
                         (what, [(r.get("start"), r.get("end")) for r in recs]))
            continue
        if recs[0]["absent_pages"]:
            fails.append("%s: %d pages absent from a full dump" % (what, recs[0]["absent_pages"]))
        check_plant_bytes(p, region_bytes(out, recs[0]), fails, what, a.arch)


def check_hidden(a, dump, plants, tmp, fails):
    """The VMA the module hid is a hidden region of its process's --all run."""
    for p in plants:
        if p["kind"] != "hidden_vma":
            continue
        out = os.path.join(tmp, "hidden-%d" % p["pid"])
        what = "%s: hidden_vma pid %d" % (dump, p["pid"])
        recs, _ = run(a, "dump", dump, "--out", out, "--pid", str(p["pid"]), "--all")
        hidden = [r for r in recs if r["kind"] == "hidden"]
        if [(r["start"], r["end"]) for r in hidden] != [(p["start"], p["end"])]:
            fails.append("%s: hidden regions %s, expected %s-%s" %
                         (what, [(r["start"], r["end"]) for r in hidden], p["start"], p["end"]))
            continue
        check_plant_bytes(p, region_bytes(out, hidden[0]), fails, what, a.arch)


def maps_of(a, dump):
    recs, _ = run(a, "maps", "--json", dump)
    return [r for r in recs if r.get("type") == "vma"]


def check_all(a, dump, tmp, fails):
    """--all: every VMA of every process, every page accounted for and hashed."""
    out = os.path.join(tmp, "all")
    recs, _ = run(a, "dump", dump, "--out", out, "--all")
    with open(os.path.join(out, "manifest.json")) as f:
        man = json.load(f)
    if not man["complete"] or man["entries"] != recs:
        fails.append("%s: manifest incomplete or not the records printed" % dump)
    vmas = {(v["pid"], v["start"], v["end"]) for v in maps_of(a, dump)}
    got = {(r["pid"], r["start"], r["end"]) for r in recs if r["kind"] == "vma"}
    if vmas != got:
        fails.append("%s: %d VMAs in maps, %d regions; missing %s, extra %s" %
                     (dump, len(vmas), len(got), sorted(vmas - got)[:3], sorted(got - vmas)[:3]))
    pages = absent = 0
    for r in recs:
        if r["kind"] == "skipped":
            fails.append("%s: pid %d skipped: %s" % (dump, r["pid"], r["reason"]))
            continue
        data = region_bytes(out, r)
        span = int(r["end"], 16) - int(r["start"], 16)
        if len(data) != span or r["size"] != span:
            fails.append("%s: %s is %d bytes for a %d-byte region" % (dump, r["file"], len(data), span))
        if hashlib.sha256(data).hexdigest() != r["sha256"]:
            fails.append("%s: %s: sha256 differs from its record" % (dump, r["file"]))
        for run_ in r["absent"]:
            lo = int(run_["start"], 16) - int(r["start"], 16)
            hi = int(run_["end"], 16) - int(r["start"], 16)
            if data[lo:hi].strip(b"\0"):
                fails.append("%s: %s: absent bytes %#x-%#x are not zero" % (dump, r["file"], lo, hi))
        pages += span // PAGE
        absent += r["absent_pages"]
    s = man["summary"]
    if s["pages"] != pages or s["absent_pages"] != absent or s["regions"] != len(recs):
        fails.append("%s: summary %s, records say %d pages, %d absent" % (dump, s, pages, absent))
    print("  %s: --all: %d regions (%d hidden), %d pages, %d absent" %
          (dump, s["regions"], s["hidden_regions"], pages, absent))


def check_filtered(a, dump, plants, tmp, fails):
    """-d 31 drops user pages: they are listed absent, with the dump tool as the reason."""
    p = next((p for p in plants if p["kind"] == "anon_rwx_code"), None)
    if not p:
        return
    out = os.path.join(tmp, "filtered")
    recs, _ = run(a, "dump", dump, "--out", out, "--pid", str(p["pid"]), "--range",
                  "%s-%s" % (p["start"], p["end"]))
    reasons = {x["reason"] for r in recs for x in r["absent"]}
    if not recs or recs[0]["absent_pages"] == 0 or "excluded by the dump tool" not in reasons:
        fails.append("%s: planted pages of a -d 31 dump not listed as excluded: %s" %
                     (dump, [(r["absent_pages"], r["absent"][:2]) for r in recs]))


def check_overwrite(a, dump, pid, tmp, fails):
    out = os.path.join(tmp, "again")
    args = ["dump", dump, "--out", out, "--pid", str(pid), "--all"]
    run(a, *args)
    _, err = run(a, *args, expect=4)
    if "manifest.json exists" not in err:
        fails.append("%s: a second run into the same folder said %r" % (dump, err.strip()))
    run(a, *args, "--force")


def check_lab(a, lab):
    fails = []
    with open(os.path.join(lab, "truth.json")) as f:
        truth = json.load(f)
    plants = truth["plants"]
    a.arch = truth.get("arch", "x86_64")
    a.symbols = labtest.lab_symbols(lab)
    tmp = tempfile.mkdtemp(prefix="vh-dump-")
    try:
        full = os.path.join(lab, "qemu.elf")
        check_ranges(a, full, plants, tmp, fails)
        check_hidden(a, full, plants, tmp, fails)
        check_all(a, full, tmp, fails)
        check_overwrite(a, full, plants[0]["pid"], tmp, fails)
        for name in ("vmcore.elf",):
            path = os.path.join(lab, name)
            if os.path.exists(path):
                shutil.rmtree(tmp)
                os.mkdir(tmp)
                check_ranges(a, path, plants, tmp, fails)
        with open(os.path.join(lab, "manifest.json")) as f:
            d31 = [d for d in json.load(f)["dumps"] if d["file"] == "kdump-lzo-d31.kdump"]
        # a dump that lost kernel objects (manifest "lossy") may lack the plant's VMA
        if d31 and not d31[0].get("lossy"):
            check_filtered(a, os.path.join(lab, d31[0]["file"]), plants, tmp, fails)
    except (AssertionError, subprocess.TimeoutExpired) as e:
        fails.append("%s: %s" % (lab, e))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%s: %s" % (lab, "ok" if not fails else "%d failures" % len(fails)))
    return fails


if __name__ == "__main__":
    sys.exit(main_over_labs(__doc__, check_lab, 600))
