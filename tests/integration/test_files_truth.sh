#!/usr/bin/env bash
# `vmahunt files` (vh_evidence_files()) on every lab folder: the
# memfd payload, the deleted executable and the reflectively loaded ELF image
# come back with the sha256 and size the guest recorded before the dump, on
# every full dump; every file mapping of the truth is accounted for; -d 31
# dumps succeed and their files agree page by page with the unfiltered dump
# of the same memory; and the sample process core's NT_FILE files come back
# (tests/integration/check_files.py). Fails when
# VMAHUNT_LAB_OUT holds no lab output.
SRC=${VMAHUNT_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
. "$SRC/tests/integration/lib.sh"
: "${VMAHUNT_TOOLS:?run through ctest: VMAHUNT_TOOLS is not set}"
mapfile -t labs < <(lab_dirs)
exec python3 "$SRC/tests/integration/check_files.py" --tool "$VMAHUNT" \
	--core "$SRC/samples/core.inject.zst" "${labs[@]}"
