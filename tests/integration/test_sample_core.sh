#!/usr/bin/env bash
# The shipped process core (samples/core.inject.zst) against the truth kept beside
# it: the process, its live maps, a finding for every plant.
set -euo pipefail
: "${VMAHUNT:?run through ctest}" "${VMAHUNT_SRC:?run through ctest}"
python3 "$VMAHUNT_SRC/tests/integration/core_lab.py" --vmahunt "$VMAHUNT" \
	--core "$VMAHUNT_SRC/samples/core.inject.zst" --truth "$VMAHUNT_SRC/samples/core.inject.truth.json" \
	--kind kernel+zstd
