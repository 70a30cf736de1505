#!/usr/bin/env bash
# task-flags' table of the PF_* bits each release leaves undefined, against the lab
# kernels' own include/linux/sched.h: tests/integration/check_taskflags.py.
SRC=${VMAHUNT_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
. "$SRC/tests/integration/lib.sh"
mapfile -t labs < <(lab_dirs)
exec python3 "$SRC/tests/integration/check_taskflags.py" --src "$SRC" "${labs[@]}"
