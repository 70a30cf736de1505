#!/usr/bin/env bash
# Damaged task lists (a cycle, pointers into nowhere, an unreadable page, breaks
# in both directions, a broken thread list) on a copy of a lab QEMU dump: ps lists
# every task still reachable, warns naming the bad address, exits 0, never hangs
# (tests/integration/ps_damage.py). Run it in the sanitizer build too.
SRC=${VMAHUNT_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
. "$SRC/tests/integration/lib.sh"
: "${VMAHUNT_TOOLS:?run through ctest: VMAHUNT_TOOLS is not set}"
mapfile -t labs < <(lab_dirs)
# one lab is enough: the 6.1 guest when there is one, else the first with a QEMU dump
pick=
for d in "${labs[@]}"; do
	[ -f "$d/qemu.elf" ] || continue
	[ -z "$pick" ] && pick=$d
	[ "$(basename "$d")" = 6.1 ] && pick=$d
done
if [ -z "$pick" ]; then
	echo "FAIL: no lab folder with a qemu.elf in $VMAHUNT_LAB_OUT" >&2
	exit 1
fi
exec python3 "$SRC/tests/integration/ps_damage.py" --vmahunt "$VMAHUNT" --tools "$VMAHUNT_TOOLS" "$pick"
