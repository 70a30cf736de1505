#!/usr/bin/env bash
# Damaged headers and truncated copies of real dumps never crash vmahunt
# (fixed seed; see corrupt.py). The sample dump is included.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
mapfile -t labs < <(lab_dirs)
mapfile -t dumps < <(lab_dumps "${labs[@]}")
shopt -s nullglob
for s in "$VMAHUNT_SRC"/samples/*; do
	case "$s" in *.md | *.json | *.json.xz | *.txt) ;; *) dumps+=("$s") ;; esac
done
python3 "$here/corrupt.py" --vmahunt "$VMAHUNT" --pages "$VMAHUNT_TOOLS/vh-pages" \
	--cases "${VMAHUNT_CORRUPT_CASES:-25}" "${dumps[@]}"
