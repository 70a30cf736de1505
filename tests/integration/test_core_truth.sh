#!/usr/bin/env bash
# Real process cores (gcore, the kernel's, zstd copies) against the live process:
# maps, threads and findings. Needs gdb and zstd (scripts/install-deps.sh).
set -euo pipefail
: "${VMAHUNT:?run through ctest}" "${VMAHUNT_SRC:?run through ctest}"
for tool in gdb zstd cc; do
	command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed (scripts/install-deps.sh)"; exit 1; }
done
work=$(mktemp -d -t vmahunt-cores.XXXXXX)
trap 'rm -rf "$work"' EXIT
python3 "$VMAHUNT_SRC/tests/integration/core_lab.py" --vmahunt "$VMAHUNT" --src "$VMAHUNT_SRC" --work "$work"
