#!/usr/bin/env bash
# ELF cores of arm64 lab processes written from the arm64 guests' dumps, read by
# gdb-multiarch: the threads scenario's registers (pc, x19..x28) as the guest
# planted them, the NOP sled and stub of the rwx plant, the code patch:
# tests/integration/core_gdb_arm64.py. Needs gdb-multiarch; fails when the lab
# holds no arm64 folder.
SRC=${VMAHUNT_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
. "$SRC/tests/integration/lib.sh"
command -v gdb-multiarch >/dev/null ||
	{ echo "FAIL: gdb-multiarch not found (scripts/install-deps.sh installs it)" >&2; exit 1; }
mapfile -t labs < <(lab_dirs)
exec python3 "$SRC/tests/integration/core_gdb_arm64.py" --vmahunt "$VMAHUNT" "${labs[@]}"
