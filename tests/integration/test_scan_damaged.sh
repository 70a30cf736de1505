#!/usr/bin/env bash
# `vmahunt scan` on copies of real dumps with one damaged process (its mm or
# its page tables unreadable): a warning naming pid, comm and mm, the other
# processes scanned as before: tests/integration/scan_damage.py.
# Uses the 6.1 and 5.10 lab folders, or the first lab folder with a qemu.elf.
SRC=${VMAHUNT_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
. "$SRC/tests/integration/lib.sh"
: "${VMAHUNT_TOOLS:?run through ctest: VMAHUNT_TOOLS is not set}"
mapfile -t picks < <(damage_labs)
[ ${#picks[@]} -gt 0 ] || exit 1
exec python3 "$SRC/tests/integration/scan_damage.py" --vmahunt "$VMAHUNT" --tools "$VMAHUNT_TOOLS" "${picks[@]}"
