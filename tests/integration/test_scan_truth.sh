#!/usr/bin/env bash
# `vmahunt scan` on every dump of every lab folder: each plant of truth.json
# that a built detector covers is reported by it with the right pid and range,
# ordinary processes and kernel threads get nothing above info, -d 31 dumps
# warn once about missing user pages: tests/integration/check_scan.py.
# Prints recall and the false-positive count per dump.
SRC=${VMAHUNT_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
. "$SRC/tests/integration/lib.sh"
mapfile -t labs < <(lab_dirs)
exec python3 "$SRC/tests/integration/check_scan.py" --vmahunt "$VMAHUNT" "${labs[@]}"
