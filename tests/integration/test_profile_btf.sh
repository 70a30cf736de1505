#!/usr/bin/env bash
# The profile filled from the dump itself (kallsyms + BTF) against the one
# filled from the kernel's vmlinux (ELF symbols + DWARF), entry by entry, on
# every lab kernel. vh-profile lists every row of the profile table (so rows
# added later are compared too); values must be equal, only the source column
# may differ. Each difference is printed.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
mapfile -t labs < <(lab_dirs)
status=0 n=0
for lab in "${labs[@]}"; do
	[ -f "$lab/qemu.elf" ] && [ -e "$lab/vmlinux" ] || continue
	n=$((n + 1))
	# a kernel whose kallsyms lists code only (its truth: no init_task) has no BTF profile
	if ! python3 -c 'import json,sys; sys.exit("init_task" not in json.load(open(sys.argv[1])).get("ksyms", {}))' "$lab/truth.json"; then
		rc=0
		err=$("$VMAHUNT" ps --symbols btf "$lab/qemu.elf" 2>&1 >/dev/null) || rc=$?
		if [ "$rc" = 4 ] && grep -q "lists code only" <<<"$err"; then
			echo "ok   $(basename "$lab"): kallsyms without data symbols: no BTF profile, said"
		else
			echo "FAIL $(basename "$lab"): kallsyms without data symbols: exit $rc: $err"
			status=1
		fi
		continue
	fi
	python3 - "$VMAHUNT_TOOLS/vh-profile" "$lab/qemu.elf" "$lab/vmlinux" <<'PY' || status=1
import subprocess, sys
tool, dump, vmlinux = sys.argv[1:]
SOURCES = {"dwarf", "symtab", "btf", "kallsyms", "vmcoreinfo", "builtin"}

def entries(mode, *extra):
    r = subprocess.run([tool, "--dump", dump, "--symbols", mode, *extra],
                       capture_output=True, text=True)
    if r.returncode:
        print(f"FAIL {dump} --symbols {mode}: {r.stderr.strip()}")
        sys.exit(1)
    out, head = {}, {}
    for line in r.stdout.splitlines():
        f = line.split(" ")
        if f[0] in ("symbol", "struct", "member", "enum", "const"):
            # key: kind and the profile's entry name (members: STRUCT.KERNEL_PATH)
            src = f[-1] if f[-1] in SOURCES else None
            out[(f[0], f[1])] = (" ".join(f[2:-1] if src else f[2:]), src)
        elif f[0] == "absent":
            out[(f[1], f[2])] = ("absent", None)
        elif f[0] in ("osrelease", "types_from"):
            head[f[0]] = f[1]
    return out, head

dw, dwh = entries("dwarf", vmlinux)
bt, bth = entries("btf")
name = "/".join(dump.split("/")[-2:])
assert dwh.get("types_from") == "dwarf" and bth.get("types_from") == "btf", (dwh, bth)
diffs = []
# absent entries are keyed by the entry name, present ones by the kernel name
# that matched: compare on the union, the same key on both sides
for key in sorted(set(dw) | set(bt)):
    a, b = dw.get(key, ("-", None)), bt.get(key, ("-", None))
    if a[0] != b[0]:
        diffs.append(f"{key[0]} {key[1]}: dwarf {a[0]!r} ({a[1]}), btf {b[0]!r} ({b[1]})")
if dwh.get("osrelease") != bth.get("osrelease"):
    diffs.append(f"osrelease: dwarf {dwh.get('osrelease')}, btf {bth.get('osrelease')}")
for d in diffs:
    print(f"  {name}: {d}")
btf_src = sum(1 for v in bt.values() if v[1] in ("btf", "kallsyms"))
ok = not diffs and btf_src > 100
print(f"{'ok  ' if ok else 'FAIL'} {name}: {len(bt)} entries compared, {len(diffs)} differ; "
      f"{btf_src} filled from BTF/kallsyms")
sys.exit(0 if ok else 1)
PY
done
[ $n -gt 0 ] || { echo "FAIL: no lab kernel with a qemu.elf and a vmlinux"; exit 1; }
exit $status
