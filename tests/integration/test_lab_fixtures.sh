#!/usr/bin/env bash
# The lab's fixtures themselves, independent of vmahunt:
#  1. the info checker catches wrong answers (its self-test on the real truth files);
#  2. no -d 31 makedumpfile output lost pages it must keep (tests/lab/dumpcheck.py):
#     kernel code/data pages present, a plausible number of pages present.
# Fails, saying how to build the lab, when VMAHUNT_LAB_OUT holds no lab output.
set -euo pipefail
SRC=${VMAHUNT_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
OUT=${VMAHUNT_LAB_OUT:-$SRC/tests/lab/out}
python3 "$SRC/tests/lab/check_info.py" --self-test --lab-out "$OUT"
dirs=()
for d in "$OUT"/*/; do
	[ -f "$d/manifest.json" ] && dirs+=("$d")
done
python3 "$SRC/tests/lab/dumpcheck.py" "${dirs[@]}"
echo "dumpcheck: ${#dirs[@]} lab folders checked"
