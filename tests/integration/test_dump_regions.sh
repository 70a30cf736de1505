#!/usr/bin/env bash
# vmahunt dump against the lab's ground truth: planted ranges come out with
# the planted bytes, the module's hidden VMA is a hidden region, --all accounts
# for every page of every VMA with sha256s that match the files, a -d 31 dump
# lists the filtered pages as absent, an existing manifest is not overwritten:
# tests/integration/dump_regions.py, on every lab folder with a qemu.elf.
SRC=${VMAHUNT_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
. "$SRC/tests/integration/lib.sh"
: "${VMAHUNT_TOOLS:?run through ctest: VMAHUNT_TOOLS is not set}"
picks=$(qemu_elf_labs) || exit 1
mapfile -t picks <<<"$picks"
exec python3 "$SRC/tests/integration/dump_regions.py" --vmahunt "$VMAHUNT" --tools "$VMAHUNT_TOOLS" "${picks[@]}"
