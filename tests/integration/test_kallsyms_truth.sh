#!/usr/bin/env bash
# kallsyms decoded from every lab dump (every format) against the symbols the
# guest read from its own /proc/kallsyms (truth.json "ksyms"), and, on one dump
# of each kernel, every decoded symbol against the vmlinux's symbol table (nm):
# same name at the same address once the KASLR offset is taken off. Both
# checks run twice on that dump: tables from VMCOREINFO (where the kernel
# exports them) and found by their shape (vh-ksyms --search), so the search
# covers every kernel's layout, not only those without VMCOREINFO entries.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
mapfile -t labs < <(lab_dirs)
status=0 n=0
for lab in "${labs[@]}"; do
	mapfile -t dumps < <(lab_dumps "$lab")
	for dump in "${dumps[@]}"; do
		[ -f "$dump" ] || continue
		n=$((n + 1))
		python3 - "$VMAHUNT_TOOLS/vh-ksyms" "$dump" "$lab/truth.json" <<'PY' || status=1
import json, subprocess, sys
tool, dump, truth = sys.argv[1:]
want = json.load(open(truth))["ksyms"]
assert want, "truth.json has no ksyms"
r = subprocess.run([tool, dump, *want], capture_output=True, text=True)
name = "/".join(dump.split("/")[-2:])
if r.returncode:
    print(f"FAIL {name}: vh-ksyms exit {r.returncode}: {r.stderr.strip()}")
    sys.exit(1)
lines = r.stdout.splitlines()
got = dict(l.split(" ", 1) for l in lines[1:])
bad = [f"{k}: {got.get(k)} (guest {v})" for k, v in want.items()
       if got.get(k) != v]
for b in bad:
    print(f"FAIL {name}: {b}")
print(f"{'FAIL' if bad else 'ok  '} {name}: {len(want) - len(bad)}/{len(want)} guest symbols; {lines[0][2:]}")
sys.exit(1 if bad else 0)
PY
	done
	# the whole table, once per kernel, against the vmlinux
	[ -f "$lab/qemu.elf" ] && [ -e "$lab/vmlinux" ] || continue
	command -v nm >/dev/null || {
		echo "FAIL: nm not found (binutils): the whole-table check cannot run"
		status=1
		continue
	}
	for mode in "" --search; do
	python3 - "$VMAHUNT_TOOLS/vh-ksyms" "$lab/qemu.elf" "$lab/vmlinux" "$lab/truth.json" $mode <<'PY' || status=1
import json, subprocess, sys
tool, dump, vmlinux, truth, *mode = sys.argv[1:]
r = subprocess.run([tool, *mode, dump], capture_output=True, text=True)
if r.returncode:
    print(f"FAIL {dump} {mode}: {r.stderr.strip()}")
    sys.exit(1)
lines = r.stdout.splitlines()
syms = [l.split(" ", 2) for l in lines[1:]]
nm = {}
for l in subprocess.run(["nm", vmlinux], capture_output=True, text=True, check=True).stdout.splitlines():
    f = l.split()
    if len(f) == 3:
        nm.setdefault(f[2], set()).add(int(f[0], 16))
# _text anchors the KASLR offset (_stext where kallsyms lacks _text: arm64 6.1)
anchor = "_text" if any(n == "_text" for a, t, n in syms) else "_stext"
text = next(int(a, 16) for a, t, n in syms if n == anchor)
kaslr = text - min(nm[anchor])
arm64 = json.load(open(truth)).get("arch") == "aarch64"
missing = wrong = 0
for a, t, n in syms:
    a = int(a, 16)
    if n not in nm:
        missing += 1
        continue
    # what moves with KASLR: x86-64's image mapping; every symbol of arm64's
    # kallsyms (its image lies in the vmalloc area; no absolute per-cpu symbols)
    moved = a >= text - (1 << 30) if arm64 else a >= 0xffffffff80000000
    if (a - kaslr if moved else a) not in nm[n]:
        wrong += 1
        if wrong <= 5:
            print(f"  {n}: 0x{a:x} minus KASLR 0x{kaslr:x} is not in nm's {sorted(hex(x) for x in nm[n])}")
name = "/".join(dump.split("/")[-2:]) + (" (--search)" if mode else "")
want = json.load(open(truth))["ksyms"]
got = {n: int(a, 16) for a, t, n in syms}
guest_bad = [k for k, v in want.items() if got.get(k) != int(v, 16)]
if guest_bad:
    print(f"  guest symbols wrong: {guest_bad}")
# a symbol nm lacks is one the build adds after linking (none expected)
ok = not guest_bad and wrong == 0 and missing <= len(syms) // 1000 and len(syms) > 10000
print(f"{'ok  ' if ok else 'FAIL'} {name}: {len(syms)} symbols, {wrong} at the wrong address, "
      f"{missing} not in the vmlinux's symbol table; {lines[0][2:]}")
sys.exit(0 if ok else 1)
PY
	done
done
[ $n -gt 0 ] || { echo "FAIL: no lab dump found"; exit 1; }
exit $status
