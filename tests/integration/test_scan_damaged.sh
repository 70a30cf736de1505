#!/usr/bin/env bash
# `vmahunt scan` on copies of real dumps with one damaged process (its mm or
# its page tables unreadable): a warning naming pid, comm and mm, the other
# processes scanned as before: tests/integration/scan_damage.py.
# Uses the 6.1 and 5.10 lab folders, or the first lab folder with a qemu.elf.
SRC=${VMAHUNT_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
. "$SRC/tests/integration/lib.sh"
: "${VMAHUNT_TOOLS:?run through ctest: VMAHUNT_TOOLS is not set}"
mapfile -t labs < <(lab_dirs)
picks=()
for want in 6.1 5.10; do
	for d in "${labs[@]}"; do
		if [ "$(basename "$d")" = "$want" ] && [ -f "$d/qemu.elf" ]; then
			picks+=("$d")
		fi
	done
done
if [ ${#picks[@]} = 0 ]; then
	for d in "${labs[@]}"; do
		[ -f "$d/qemu.elf" ] && picks+=("$d") && break
	done
fi
if [ ${#picks[@]} = 0 ]; then
	echo "FAIL: no lab folder with a qemu.elf in $VMAHUNT_LAB_OUT" >&2
	exit 1
fi
exec python3 "$SRC/tests/integration/scan_damage.py" --vmahunt "$VMAHUNT" --tools "$VMAHUNT_TOOLS" "${picks[@]}"
