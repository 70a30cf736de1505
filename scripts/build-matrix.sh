#!/usr/bin/env bash
# The ways users and packagers build vmahunt, each with -Werror: library and
# CLI only (the tests run in run-tests.sh's normal and ASan builds). A
# variant that fails to build fails the script, after the others are tried.
#
#   release      -DCMAKE_BUILD_TYPE=Release (-O3)
#   minsizerel   MinSizeRel (-Os)
#   debug        Debug (-O0)
#   dpkg         build type None with Debian's dpkg-buildflags CFLAGS,
#                CPPFLAGS and LDFLAGS, as a Debian package is built
#   clang        CC=clang, RelWithDebInfo
#
#   scripts/build-matrix.sh [VARIANT...]     default: all of them
#
# Cost, measured on a 2-core machine with -j2 from empty build folders (as
# CI's fresh clone has them): 39 s of CPU (user + system) for the five, 88
# and 118 s of wall time while the machine was also running other builds
# (load average 10-13), so about 20-25 s when it is idle; 10-22 s per
# variant, Debug the cheapest. With nothing changed since the last run: 6 s.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
variants=("$@")
[ ${#variants[@]} -gt 0 ] || variants=(release minsizerel debug dpkg clang)

status=0
start=$(date +%s)
for variant in "${variants[@]}"; do
	dir=build-matrix-$variant
	flags=(-DVMAHUNT_TESTS=OFF -DVMAHUNT_WERROR=ON)
	case $variant in
	release) flags+=(-DCMAKE_BUILD_TYPE=Release) ;;
	minsizerel) flags+=(-DCMAKE_BUILD_TYPE=MinSizeRel) ;;
	debug) flags+=(-DCMAKE_BUILD_TYPE=Debug) ;;
	dpkg)
		# Passed as cache variables, not through the environment, which
		# CMake reads only when a build folder is first configured. CMake
		# has no CPPFLAGS: they go with the CFLAGS.
		cflags="$(dpkg-buildflags --get CFLAGS) $(dpkg-buildflags --get CPPFLAGS)"
		ldflags=$(dpkg-buildflags --get LDFLAGS)
		flags+=(-DCMAKE_BUILD_TYPE=None "-DCMAKE_C_FLAGS=$cflags"
			"-DCMAKE_EXE_LINKER_FLAGS=$ldflags" "-DCMAKE_SHARED_LINKER_FLAGS=$ldflags")
		;;
	clang) flags+=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang) ;;
	*)
		echo "build-matrix: unknown variant '$variant'" >&2
		exit 2
		;;
	esac
	echo "== matrix: $variant"
	t=$(date +%s)
	if cmake -S . -B "$dir" "${flags[@]}" >/dev/null &&
		cmake --build "$dir" -j "$jobs" --target vmahunt vmahunt_static vmahunt_shared; then
		echo "== matrix: $variant built in $(($(date +%s) - t)) s"
	else
		echo "== matrix: $variant FAILED"
		status=1
	fi
done
echo "== matrix: done in $(($(date +%s) - start)) s"
exit $status
