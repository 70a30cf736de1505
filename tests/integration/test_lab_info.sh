#!/usr/bin/env bash
# `vmahunt info --json` on every dump of every lab output folder, compared with the
# lab's ground truth (tests/lab/check_info.py). Fails, saying how to build the lab, when
# VMAHUNT_LAB_OUT holds no lab output.
# Env: VMAHUNT (the vmahunt binary), VMAHUNT_LAB_OUT, VMAHUNT_SRC (the source tree).
set -euo pipefail
SRC=${VMAHUNT_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
OUT=${VMAHUNT_LAB_OUT:-$SRC/tests/lab/out}
: "${VMAHUNT:?set VMAHUNT to the vmahunt binary}"
exec python3 "$SRC/tests/lab/check_info.py" --vmahunt "$VMAHUNT" --lab-out "$OUT"
