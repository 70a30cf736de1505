#!/usr/bin/env bash
# pte-rmap on images read from a running kernel (LiME): a page that moved while
# the image was copied is said at severity info, kind "moved"; PTE erasure and
# remapping stay high on LiME and ELF alike: tests/integration/live_smear.py, on
# copies of every lab folder's qemu.elf (4- and 5-level paging, 5.10 to 7.x).
SRC=${VMAHUNT_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
. "$SRC/tests/integration/lib.sh"
: "${VMAHUNT_TOOLS:?run through ctest: VMAHUNT_TOOLS is not set}"
picks=$(qemu_elf_labs) || exit 1
mapfile -t picks <<<"$picks"
exec python3 "$SRC/tests/integration/live_smear.py" --vmahunt "$VMAHUNT" --tools "$VMAHUNT_TOOLS" "${picks[@]}"
