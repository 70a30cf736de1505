#!/usr/bin/env bash
# Done-when of "no debug package needed": ps, maps and scan give the same
# output from the dump's own kallsyms + BTF as with the kernel's vmlinux, on
# every lab dump (every kernel, every format). A kernel whose kallsyms lists
# code only (built without CONFIG_KALLSYMS_ALL: Debian's arm64 cloud 6.1; its
# truth's kallsyms has no init_task) cannot say where its data is: there BTF
# must be refused with that reason, exit 4. Also: with no vmlinux anywhere
# the default (--symbols auto) takes BTF, and info says so.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
mapfile -t labs < <(lab_dirs)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0 n=0
for lab in "${labs[@]}"; do
	[ -e "$lab/vmlinux" ] || continue
	codeonly=$(python3 -c 'import json,sys; print(int("init_task" not in json.load(open(sys.argv[1])).get("ksyms", {})))' "$lab/truth.json")
	mapfile -t dumps < <(lab_dumps "$lab")
	for dump in "${dumps[@]}"; do
		[ -f "$dump" ] || continue
		name=$(basename "$lab")/$(basename "$dump")
		for cmd in "ps --threads" maps scan; do
			n=$((n + 1))
			set -- $cmd
			rc1=0 rc2=0
			"$VMAHUNT" "$@" --json --vmlinux "$lab/vmlinux" "$dump" >"$tmp/dwarf" 2>"$tmp/dwarf.err" || rc1=$?
			"$VMAHUNT" "$@" --json --symbols btf "$dump" >"$tmp/btf" 2>"$tmp/btf.err" || rc2=$?
			lines=$(grep -c . "$tmp/dwarf" || true)
			if [ "$codeonly" = 1 ]; then
				if [ "$rc2" = 4 ] && grep -q "lists code only" "$tmp/btf.err" && [ "$lines" -ge 2 ]; then
					echo "ok   $name $1: kallsyms without data symbols: BTF refused, saying why; $lines lines with the vmlinux"
				else
					echo "FAIL $name $1: kallsyms without data symbols: exit $rc2 with BTF, expected 4 and the reason"
					head -2 "$tmp/btf.err"
					status=1
				fi
				continue
			fi
			if [ "$rc1" != "$rc2" ] || ! cmp -s "$tmp/dwarf" "$tmp/btf" || [ "$lines" -lt 2 ]; then
				echo "FAIL $name $1: exit $rc1 with the vmlinux, $rc2 with BTF; $lines lines"
				diff "$tmp/dwarf" "$tmp/btf" | head -5
				head -2 "$tmp/btf.err"
				status=1
			else
				echo "ok   $name $1: $lines identical lines (exit $rc1)"
			fi
		done
	done
done
# auto without a vmlinux takes BTF when no vmlinux is installed for the release
for lab in "${labs[@]}"; do
	rel=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["uname_r"])' "$lab/truth.json")
	[ -f "$lab/qemu.elf" ] || continue
	python3 -c 'import json,sys; sys.exit("init_task" not in json.load(open(sys.argv[1])).get("ksyms", {}))' "$lab/truth.json" || continue
	if [ -e "/usr/lib/debug/boot/vmlinux-$rel" ] || [ -e "/boot/vmlinux-$rel" ] ||
		[ -e "/usr/lib/debug/lib/modules/$rel/vmlinux" ]; then
		continue
	fi
	src=$("$VMAHUNT" info --json "$lab/qemu.elf" | python3 -c \
		'import json,sys; print((json.loads(sys.stdin.readline())["symbols"] or {}).get("source"))')
	if [ "$src" = btf ] && "$VMAHUNT" ps "$lab/qemu.elf" >/dev/null; then
		echo "ok   $(basename "$lab"): no vmlinux installed: info says btf, ps works"
	else
		echo "FAIL $(basename "$lab"): no vmlinux installed: info says $src"
		status=1
	fi
	n=$((n + 1))
	break
done
[ $n -gt 0 ] || { echo "FAIL: no lab dump compared"; exit 1; }
exit $status
