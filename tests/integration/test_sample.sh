#!/usr/bin/env bash
# The shipped sample opens and agrees with the truth shipped beside it.
set -euo pipefail
: "${VMAHUNT:?run through ctest}" "${VMAHUNT_SRC:?run through ctest}"
sample=$VMAHUNT_SRC/samples/linux-6.1-kdump-zstd-d31.kdump
"$VMAHUNT" info --json "$sample" | python3 -c '
import json, lzma, sys
info = json.loads(sys.stdin.readline())
truth = json.load(lzma.open(sys.argv[1]))
checks = {
    "format is kdump": info["format"] == "kdump",
    "osrelease matches the guest": info["osrelease"] == truth["uname_r"],
    "page size matches the guest": info["page_size"] == truth["page_size"],
    "pages are zstd": info["codecs"]["zstd"] > 10000,
    "dump level 31 excluded pages": info["pages"]["excluded"] > 10000,
    "kernel located from VMCOREINFO": (info["kernel"] or {}).get("method") == "vmcoreinfo",
    "both CPUs": len(info["cpus"]) == truth["ncpus"],
}
for name, ok in checks.items():
    print(("ok   " if ok else "FAIL ") + name)
bad = sum(not ok for ok in checks.values())
print("%d passed, %d failed" % (len(checks) - bad, bad))
sys.exit(1 if bad else 0)
' "$VMAHUNT_SRC/samples/linux-6.1-kdump-zstd-d31.truth.json.xz"
# With no vmlinux at all (a fresh checkout): scan takes symbols and types from
# the sample itself and finds what the guest planted in memory it kept.
"$VMAHUNT" scan --json --symbols btf "$sample" | python3 -c '
import json, lzma, sys
objs = [json.loads(l) for l in sys.stdin]
truth = json.load(lzma.open(sys.argv[1]))
found = {(o["detector"], o["pid"]) for o in objs if o["type"] == "finding"}
want = {"heap_exec": "heap-exec", "anon_rwx_code": "anon-rwx", "memfd_exec": "memfd-exec",
        "deleted_file_exec": "deleted-exec"}
plants = [(want[p["kind"]], p["pid"]) for p in truth["plants"] if p["kind"] in want]
missed = [p for p in plants if p not in found]
for p in missed:
    print("FAIL no %s finding for pid %d without a vmlinux" % p)
print("%s scan without a vmlinux: %d of %d VMA plants found" %
      ("FAIL" if missed or not plants else "ok  ", len(plants) - len(missed), len(plants)))
sys.exit(1 if missed or not plants else 0)
' "$VMAHUNT_SRC/samples/linux-6.1-kdump-zstd-d31.truth.json.xz"
