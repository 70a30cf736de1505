#!/usr/bin/env bash
# vmahunt core on damaged copies of real dumps (a thread's kernel stack
# pointer, its saved cs, the process's pgd; a crash note naming a thread in
# user mode) and the writer's refusals (no such
# pid, a kernel thread, an existing file, a process core):
# tests/integration/core_write_damage.py on the damage labs (6.1, 5.10).
SRC=${VMAHUNT_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
. "$SRC/tests/integration/lib.sh"
: "${VMAHUNT_TOOLS:?run through ctest: VMAHUNT_TOOLS is not set}"
command -v gdb >/dev/null || { echo "FAIL: gdb not found (scripts/install-deps.sh installs it)" >&2; exit 1; }
mapfile -t labs < <(damage_labs)
cd "$SRC/tests/integration"
exec python3 core_write_damage.py --vmahunt "$VMAHUNT" --tools "$VMAHUNT_TOOLS" \
	--writer "$VMAHUNT_TOOLS/vh-core" --src "$SRC" "${labs[@]}"
