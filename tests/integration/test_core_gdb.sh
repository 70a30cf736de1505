#!/usr/bin/env bash
# ELF cores of the lab's scenario processes written from real dumps (every
# unfiltered dump of every folder, and one -d 31 dump each), loaded by gdb and
# eu-stack: planted bytes at planted addresses, the threads scenario's
# registers as the kernel saved them, absent pages listed in the records:
# tests/integration/core_gdb.py. Needs gdb and eu-stack (elfutils).
SRC=${VMAHUNT_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
. "$SRC/tests/integration/lib.sh"
: "${VMAHUNT_TOOLS:?run through ctest: VMAHUNT_TOOLS is not set}"
for tool in gdb eu-stack; do
	command -v "$tool" >/dev/null || { echo "FAIL: $tool not found (scripts/install-deps.sh installs it)" >&2; exit 1; }
done
mapfile -t labs < <(lab_dirs)
# the scenario binaries are built here as the lab builds them; the lab cache is the fallback
cache=${VMAHUNT_LAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmahunt-lab}
exec python3 "$SRC/tests/integration/core_gdb.py" --writer "$VMAHUNT_TOOLS/vh-core" --vmahunt "$VMAHUNT" \
	--scenarios "$SRC/tests/lab/scenarios" \
	--lab-cache "$cache" "${labs[@]}"
