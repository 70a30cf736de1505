#!/usr/bin/env bash
# vmahunt report shows hostile strings of a dump as text: a process core made
# from the sample with HTML and script in its comm, arguments and file paths,
# rendered in headless Chromium (html_report.py escape). Needs no lab.
set -euo pipefail
: "${VMAHUNT:?run through ctest}" "${VMAHUNT_SRC:?run through ctest}"
python3 "$VMAHUNT_SRC/tests/integration/html_report.py" escape --vmahunt "$VMAHUNT" \
	--src "$VMAHUNT_SRC"
