#!/usr/bin/env bash
# Damaged kallsyms and BTF inside a real dump (an ELF dump of the first lab
# kernel whose VMCOREINFO exports kallsyms): ps --symbols btf exits 0 or 4
# with one line naming the dump, never crashes. See btf_damage.py.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
mapfile -t labs < <(lab_dirs)
for lab in "${labs[@]}"; do
	f=$lab/elf-d31.elf
	[ -f "$f" ] && grep -qa 'SYMBOL(kallsyms_names)=' "$f" || continue
	exec python3 "$here/btf_damage.py" "$VMAHUNT" "$VMAHUNT_TOOLS/vh-ksyms" "$f"
done
echo "FAIL: no lab ELF dump (elf-d31.elf) of a kernel exporting kallsyms in VMCOREINFO"
exit 1
