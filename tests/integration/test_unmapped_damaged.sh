#!/usr/bin/env bash
# unmapped-payload on damaged copies of real dumps (6.1 and 5.10): a hostile fd
# table, fd slot, SysV IDR root, shm_file and page cache root, random words; no
# crash, a warning naming the address, the payloads the damage does not reach
# still found (tests/integration/unmapped_damage.py). Fails when there is no lab.
SRC=${VMAHUNT_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
. "$SRC/tests/integration/lib.sh"
: "${VMAHUNT_TOOLS:?run through ctest: VMAHUNT_TOOLS is not set}"
mapfile -t labs < <(damage_labs)
[ ${#labs[@]} -gt 0 ] || exit 1
exec python3 "$SRC/tests/integration/unmapped_damage.py" --vmahunt "$VMAHUNT" \
	--tools "$VMAHUNT_TOOLS" "${labs[@]}"
