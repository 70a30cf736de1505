#!/usr/bin/env bash
# Every format of the same memory gives identical pages; filtered dumps report
# exactly the left-out pages as excluded (see formats_agree.py).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
mapfile -t labs < <(lab_dirs)
python3 "$here/formats_agree.py" --pages "$VMAHUNT_TOOLS/vh-pages" "${labs[@]}"
