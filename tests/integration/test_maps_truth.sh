#!/usr/bin/env bash
# `vmahunt maps` on every dump of every lab folder (every format, la57,
# novmcoreinfo, -d 31 filtered; maple tree and pre-6.1 kernels) equals the
# truth's /proc/PID/maps line for line, the 20 000-VMA process included:
# tests/integration/check_maps.py. Prints recall and precision per dump.
# Fails when VMAHUNT_LAB_OUT holds no lab output.
SRC=${VMAHUNT_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
. "$SRC/tests/integration/lib.sh"
mapfile -t labs < <(lab_dirs)
exec python3 "$SRC/tests/integration/check_maps.py" --vmahunt "$VMAHUNT" "${labs[@]}"
