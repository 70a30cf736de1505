#!/usr/bin/env bash
# Page-table anomalies planted in copies of real dumps (a widened PTE, a page
# outside every VMA, a swap entry outside every VMA, a text page replaced by an
# anonymous page, a cyclic and an out-of-RAM page table): the page-table
# detectors report each with pid, range and kind, and warn about the damage:
# tests/integration/pagetable_plants.py. Uses every lab folder with a qemu.elf
# (4- and 5-level paging, 5.10 to 7.x).
SRC=${VMAHUNT_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
. "$SRC/tests/integration/lib.sh"
: "${VMAHUNT_TOOLS:?run through ctest: VMAHUNT_TOOLS is not set}"
picks=$(qemu_elf_labs) || exit 1
mapfile -t picks <<<"$picks"
exec python3 "$SRC/tests/integration/pagetable_plants.py" --vmahunt "$VMAHUNT" --tools "$VMAHUNT_TOOLS" "${picks[@]}"
