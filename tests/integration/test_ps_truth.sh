#!/usr/bin/env bash
# `vmahunt ps --threads --json` on every dump of every lab folder (every format,
# la57, novmcoreinfo, -d 31 filtered) lists exactly the truth's processes and
# threads (pid, tgid, ppid, comm): tests/integration/check_ps.py.
# Fails when VMAHUNT_LAB_OUT holds no lab output.
SRC=${VMAHUNT_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
. "$SRC/tests/integration/lib.sh"
mapfile -t labs < <(lab_dirs)
exec python3 "$SRC/tests/integration/check_ps.py" --vmahunt "$VMAHUNT" "${labs[@]}"
