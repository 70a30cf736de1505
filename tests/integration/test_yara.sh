#!/usr/bin/env bash
# The yara plugin on every lab dump and on the shipped process core: each
# plant's bytes matched by its rule (yara/lab.yar) at the plant's pid and
# address, from the truth files; -d 31 dumps: yara named among the skipped
# content detectors. Fails when the lab is missing, like every lab test.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
dirs=$(lab_dirs) || exit 1 # no lab: fail, never pass on the sample alone
mapfile -t labs <<<"$dirs"
python3 "$here/yara_lab.py" --vmahunt "$VMAHUNT" --rules "$here/yara/lab.yar" \
	--core "$VMAHUNT_SRC/samples/core.inject.zst" --truth "$VMAHUNT_SRC/samples/core.inject.truth.json" \
	"${labs[@]}"
