#!/usr/bin/env bash
# vh_evidence_files() on damaged copies of real dumps (6.1 and 5.10): hostile
# inodes, page cache trees, struct files, fd tables and ELF headers, random
# words, a truncated copy; no crash, no runaway, a consistent folder
# (tests/integration/files_damage.py). Fails when there is no lab.
SRC=${VMAHUNT_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
. "$SRC/tests/integration/lib.sh"
: "${VMAHUNT_TOOLS:?run through ctest: VMAHUNT_TOOLS is not set}"
mapfile -t labs < <(damage_labs)
exec python3 "$SRC/tests/integration/files_damage.py" --vmahunt "$VMAHUNT" \
	--tools "$VMAHUNT_TOOLS" --tool "$VMAHUNT" "${labs[@]}"
