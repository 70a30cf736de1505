#!/usr/bin/env bash
# Truncated and corrupted process cores (from the shipped sample, plain and
# zstd; fixed seed): clear one-line errors or warnings naming what is lost, no
# crash. Needs zstd (scripts/install-deps.sh).
set -euo pipefail
: "${VMAHUNT:?run through ctest}" "${VMAHUNT_SRC:?run through ctest}"
command -v zstd >/dev/null || { echo "FAIL: zstd is not installed (scripts/install-deps.sh)"; exit 1; }
work=$(mktemp -d -t vmahunt-core-damage.XXXXXX)
trap 'rm -rf "$work"' EXIT
zcore=$VMAHUNT_SRC/samples/core.inject.zst
zstd -q -d "$zcore" -o "$work/core"
python3 "$VMAHUNT_SRC/tests/integration/core_damage.py" --vmahunt "$VMAHUNT" --work "$work" \
	--cases "${VMAHUNT_CORRUPT_CASES:-24}" "$work/core" "$zcore"
