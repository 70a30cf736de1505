#!/usr/bin/env bash
# The lab's anti-forensics plants are really in the dumps: on every unfiltered ELF dump
# of every lab folder, the hidden VMA's pages are present in the process's page tables
# with their content and mm->map_count still counts the VMA, the widened PTE is RW and
# executable in its read-only VMA, the code_modified page holds the patch, the erased
# PTE is gone with its frame kept, the remapped PTE maps the decoy's frame:
# tests/integration/check_antiforensics.py (reads the memory and walks the page tables
# itself), and its self-test: wrong truths (page count, shifted ranges, patch bytes, an
# unpatched file page, a mapped "erased" page, wrong frames) must be caught. Fails when no lab folder holds such a plant.
SRC=${VMAHUNT_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
. "$SRC/tests/integration/lib.sh"
: "${VMAHUNT_TOOLS:?run through ctest: VMAHUNT_TOOLS is not set}"
mapfile -t labs < <(lab_dirs)
exec python3 "$SRC/tests/integration/check_antiforensics.py" --self-test --vmahunt "$VMAHUNT" \
	--tools "$VMAHUNT_TOOLS" "${labs[@]}"
