#!/usr/bin/env bash
# aarch64 process cores: a static aarch64 program run under qemu-aarch64 dies of
# SIGABRT and QEMU writes its core; vmahunt's info, ps, maps and scan of it (and
# of a zstd copy) must match what the program printed about itself
# (core_arm64.py). Needs gcc-aarch64-linux-gnu and qemu-user (scripts/install-deps.sh
# installs them): a missing tool fails the test, never skips it.
set -euo pipefail
: "${VMAHUNT:?run through ctest}" "${VMAHUNT_SRC:?run through ctest}"
for tool in aarch64-linux-gnu-gcc qemu-aarch64 zstd; do
	if ! command -v "$tool" >/dev/null; then
		echo "FAIL: $tool is missing: install it with scripts/install-deps.sh" >&2
		exit 1
	fi
done
python3 "$VMAHUNT_SRC/tests/integration/core_arm64.py" --vmahunt "$VMAHUNT" --src "$VMAHUNT_SRC"
