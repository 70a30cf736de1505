#!/usr/bin/env bash
# `vmahunt ps` command line: usage errors (exit 2), a dump that cannot be opened
# (3), no vmlinux found with --symbols dwarf / a vmlinux of another kernel, with
# or without VMCOREINFO (4, one line naming what was searched or both releases),
# --symbols given wrong or against --vmlinux (2), text and JSON output
# agreeing, --threads adding the threads, and the same memory as a raw image and
# a LiME file listing the same tasks.
SRC=${VMAHUNT_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
. "$SRC/tests/integration/lib.sh"
mapfile -t labs < <(lab_dirs)
fail=0
check() { # NAME WANT_RC PATTERN CMD...: exit status and a stderr line matching PATTERN
	local name=$1 want=$2 pat=$3 rc=0 err
	shift 3
	err=$("$@" 2>&1 >/dev/null) || rc=$?
	if [ "$rc" != "$want" ] || ! grep -qE -- "$pat" <<<"$err"; then
		echo "FAIL: $name: exit $rc (want $want), stderr: $err"
		fail=1
	else
		echo "ok: $name: exit $rc: $(head -1 <<<"$err")"
	fi
}
check "no dump" 2 "usage: vmahunt ps" "$VMAHUNT" ps
check "--vmlinux without a file" 2 "needs a file" "$VMAHUNT" ps --vmlinux
check "two dumps that do not open" 3 "a: cannot open" "$VMAHUNT" ps a b
check "65 dumps" 2 "unexpected argument" "$VMAHUNT" ps $(seq 1 65)
check "missing dump" 3 "cannot open" "$VMAHUNT" ps /nonexistent/dump
check "--symbols of no source" 2 "needs auto, dwarf or btf" "$VMAHUNT" ps --symbols elf x
check "--symbols btf with --vmlinux" 2 "contradict" "$VMAHUNT" ps --symbols btf --vmlinux v x
# pick a lab with VMCOREINFO, one without, and a vmlinux of another kernel
with= without= other=
for d in "${labs[@]}"; do
	[ -f "$d/qemu.elf" ] || continue
	case $(basename "$d") in
	*novmcoreinfo*) without=$d ;;
	*) [ -z "$with" ] && with=$d ;;
	esac
done
for d in "${labs[@]}"; do
	[ -n "$with" ] && [ "$(realpath "$d/vmlinux")" != "$(realpath "$with/vmlinux")" ] && other=$d
done
[ -n "$with" ] || { echo "FAIL: no lab with a qemu.elf"; exit 1; }
rel=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["uname_r"])' "$with/truth.json")
if [ ! -e "/usr/lib/debug/boot/vmlinux-$rel" ] && [ ! -e "/boot/vmlinux-$rel" ] &&
	[ ! -e "/usr/lib/debug/lib/modules/$rel/vmlinux" ]; then
	check "no vmlinux where users keep it (--symbols dwarf)" 4 \
		"no vmlinux for kernel $rel: looked for /usr/lib/debug/boot/vmlinux-$rel, /usr/lib/debug/lib/modules/$rel/vmlinux and /boot/vmlinux-$rel" \
		"$VMAHUNT" ps --symbols dwarf "$with/qemu.elf"
fi
check "unreadable vmlinux" 4 "cannot open" "$VMAHUNT" ps --vmlinux /nonexistent/vmlinux "$with/qemu.elf"
if [ -n "$other" ]; then
	check "vmlinux of another kernel" 4 "is kernel .* but the dump is kernel $rel" \
		"$VMAHUNT" ps --vmlinux "$other/vmlinux" "$with/qemu.elf"
fi
if [ -n "$without" ]; then
	check "no VMCOREINFO, no vmlinux (--symbols dwarf)" 4 "no VMCOREINFO OSRELEASE.*--vmlinux" \
		"$VMAHUNT" ps --symbols dwarf "$without/qemu.elf"
	for d in "${labs[@]}"; do
		if [ "$(realpath "$d/vmlinux")" != "$(realpath "$without/vmlinux")" ]; then
			check "no VMCOREINFO, vmlinux of another kernel" 4 "at its linux_banner" \
				"$VMAHUNT" ps --vmlinux "$d/vmlinux" "$without/qemu.elf"
			break
		fi
	done
fi
# text and JSON list the same processes; --threads adds exactly the threads
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$VMAHUNT" ps --vmlinux "$with/vmlinux" "$with/qemu.elf" >"$tmp/text" 2>/dev/null
"$VMAHUNT" ps --json --vmlinux "$with/vmlinux" "$with/qemu.elf" >"$tmp/json"
"$VMAHUNT" ps --threads --json --vmlinux "$with/vmlinux" "$with/qemu.elf" >"$tmp/threads"
python3 - "$tmp" <<'PY' || fail=1
import json, sys
d = sys.argv[1]
text = open(f"{d}/text").read().splitlines()
assert text[0].split()[:4] == ["PID", "TGID", "PPID", "ST"], text[0]
tpids = [int(l.split()[0]) for l in text[1:]]
js = [json.loads(l) for l in open(f"{d}/json")]
jpids = [o["pid"] for o in js if o["type"] == "task"]
assert tpids == jpids, (tpids, jpids)
assert all(o["leader"] for o in js if o["type"] == "task")
th = [json.loads(l) for l in open(f"{d}/threads")]
tasks = [o for o in th if o["type"] == "task"]
leaders = [o["pid"] for o in tasks if o["leader"]]
assert leaders == jpids, "--threads changed the processes"
assert len(tasks) == sum(o["threads"] for o in tasks if o["leader"])
assert len(tasks) > len(leaders), "no threads listed"
for o in tasks:
    for k in ("pid", "tgid", "ppid", "comm", "kthread", "state", "task_struct", "via"):
        assert k in o, (k, o)
    assert o["task_struct"].startswith("0x")
print(f"ok: text and JSON agree: {len(jpids)} processes, {len(tasks)} tasks with --threads")
PY
# the same memory as a raw image and as a LiME file (no notes: the kernel is found
# from the VMCOREINFO page in memory) lists the same tasks as the ELF dump
python3 - "$with/qemu.elf" "$tmp" <<'PY' || fail=1
import struct, sys
src, tmp = sys.argv[1:]
with open(src, "rb") as f:
    eh = f.read(64)
    phoff, = struct.unpack_from("<Q", eh, 32)
    phentsize, phnum = struct.unpack_from("<HH", eh, 54)
    f.seek(phoff)
    ph = f.read(phentsize * phnum)
    loads = []
    for i in range(phnum):
        t, _, off, _, pa, fs = struct.unpack_from("<IIQQQQ", ph, i * phentsize)
        if t == 1 and fs:
            loads.append((pa, fs, off))
    def copy(out, off, size):
        f.seek(off)
        while size:
            b = f.read(min(size, 1 << 22))
            out.write(b)
            size -= len(b)
    pa, fs, off = loads[0]
    assert pa == 0, "the first PT_LOAD does not start at 0"
    with open(f"{tmp}/raw.img", "wb") as out:
        copy(out, off, fs)
    with open(f"{tmp}/mem.lime", "wb") as out:
        for pa, fs, off in loads:  # LiME: magic "EMiL", version 1, start, end inclusive
            out.write(struct.pack("<IIQQ8x", 0x4C694D45, 1, pa, pa + fs - 1))
            copy(out, off, fs)
PY
"$VMAHUNT" ps --threads --json --vmlinux "$with/vmlinux" "$with/qemu.elf" | grep '"task"' >"$tmp/elf.tasks"
for img in "raw.img --raw-base 0" "mem.lime"; do
	set -- $img
	if "$VMAHUNT" ps --threads --json --vmlinux "$with/vmlinux" "$tmp/$1" "${@:2}" |
		grep '"task"' | cmp -s - "$tmp/elf.tasks"; then
		echo "ok: $1 lists the same tasks as qemu.elf"
	else
		echo "FAIL: $1 does not list the same tasks as qemu.elf"
		fail=1
	fi
	rm -f "$tmp/$1"
done
exit $fail
