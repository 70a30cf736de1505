#!/usr/bin/env bash
# vmahunt report on one dump of every lab folder (and the first folder's
# makedumpfile -d 31 dump) and on the process core sample, checked in headless
# Chromium against the truth and `scan --json` (html_report.py lab).
# VMAHUNT_HTML_SHOTS=DIR keeps the screenshots there.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
: "${VMAHUNT_SRC:?run through ctest}"
found=$(lab_dirs) # fails (and says so) when there is no lab: nothing would be tested
mapfile -t labs <<<"$found"
args=()
for d in "${labs[@]}"; do
	args+=(--lab "$d")
done
if [ -n "${VMAHUNT_HTML_SHOTS:-}" ]; then
	args+=(--shots "$VMAHUNT_HTML_SHOTS")
fi
python3 "$here/html_report.py" lab --vmahunt "$VMAHUNT" --src "$VMAHUNT_SRC" "${args[@]}"
