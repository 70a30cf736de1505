#!/usr/bin/env bash
# The whole test suite: builds the lab's real dumps (cached), then builds
# vmahunt normally and with AddressSanitizer+UndefinedBehaviorSanitizer, with
# -Werror, and runs ctest (unit, integration and package tests) in both
# builds; then builds library and CLI the other ways (scripts/build-matrix.sh).
#
#   scripts/run-tests.sh            lab kernels from VMAHUNT_LAB_KERNELS (default: all)
#   VMAHUNT_SKIP_LAB=1 scripts/run-tests.sh   use the lab output already present
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

if [ "${VMAHUNT_SKIP_LAB:-0}" != 1 ]; then
	lab_args=()
	[ -n "${VMAHUNT_LAB_KERNELS:-}" ] && lab_args+=(--kernels "$VMAHUNT_LAB_KERNELS")
	echo "== lab: building real dumps ${VMAHUNT_LAB_KERNELS:-(all kernels)}"
	start=$(date +%s)
	bash tests/lab/build-lab.sh "${lab_args[@]}"
	echo "== lab: done in $(($(date +%s) - start)) s"
fi

echo "== style: clang-format (.clang-format)"
git ls-files '*.c' '*.h' | xargs clang-format --dry-run --Werror

status=0
for variant in normal asan; do
	dir=build
	flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DVMAHUNT_WERROR=ON)
	if [ "$variant" = asan ]; then
		dir=build-asan
		flags+=(-DVMAHUNT_SANITIZE=ON)
	fi
	echo "== $variant build"
	cmake -S . -B "$dir" "${flags[@]}" >/dev/null
	cmake --build "$dir" -j "$jobs"
	echo "== $variant tests"
	(cd "$dir" && ctest --output-on-failure -j "$jobs") || status=1
done

# The other ways users and packagers build it (Release, MinSizeRel, Debug,
# dpkg-buildflags, clang), library and CLI with -Werror: see the script for
# what each costs (about 40 s of CPU in all).
echo "== build matrix"
bash scripts/build-matrix.sh || status=1
exit $status
