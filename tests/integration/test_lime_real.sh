#!/usr/bin/env bash
# vmahunt ps, maps and scan on the lab's real LiME images (format=lime, format=padded)
# equal those of the guest's qemu.elf (the same idle processes), and the truth; LiME's
# format=raw is refused with the reason (tests/integration/lime_real.py). Fails when
# VMAHUNT_LAB_OUT holds no lab output or no LiME image.
SRC=${VMAHUNT_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
. "$SRC/tests/integration/lib.sh"
mapfile -t labs < <(lab_dirs)
exec python3 "$SRC/tests/integration/lime_real.py" --vmahunt "$VMAHUNT" \
	--tools "${VMAHUNT_TOOLS:-}" "${labs[@]}"
