#!/usr/bin/env bash
# vmahunt on the lab's real split dumps (makedumpfile --split): the parts joined in any
# order equal kdump-lzo-d31.kdump; a missing part is named; a part of another dump is
# refused (tests/integration/split_real.py). Fails when VMAHUNT_LAB_OUT holds no lab
# output or no split dump.
SRC=${VMAHUNT_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
. "$SRC/tests/integration/lib.sh"
mapfile -t labs < <(lab_dirs)
exec python3 "$SRC/tests/integration/split_real.py" --vmahunt "$VMAHUNT" \
	--tools "${VMAHUNT_TOOLS:-}" "${labs[@]}"
