#!/usr/bin/env bash
# Behaviour unchanged, byte for byte (issue 12): the vmahunt under test and a
# reference vmahunt built from a fixed commit of main print the same stdout and
# stderr and exit with the same status, on every dump of every lab folder (every
# format it holds) and on the shipped samples, for info, ps, maps and scan in
# text and JSON, with and without the lab's vmlinux, a few option paths, and
# error paths (missing, truncated and non-dump files, usage errors, help). The
# invocations are listed in output_unchanged.py (`--list` prints them).
#
# The reference is REF_COMMIT's tree (git archive of VMAHUNT_SRC's history, so
# the source must be a git clone holding that commit), configured with
# -DVMAHUNT_TESTS=OFF and built (target vmahunt only) with its own flags, once:
# the binary is kept in ${VMAHUNT_REF_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmahunt-ref}/COMMIT/
# and reused while the commit stays the same.
#
# Fails, saying how to build it, when VMAHUNT_LAB_OUT holds no lab output.
# Env: VMAHUNT, VMAHUNT_LAB_OUT, VMAHUNT_SRC (set by ctest); VMAHUNT_REF_CACHE;
# VMAHUNT_REGRESS_JOBS (parallel invocations, default 2).
SRC=${VMAHUNT_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
. "$SRC/tests/integration/lib.sh"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# main as the slab cross-view, LuaJIT's calibration and threads' own file tables landed.
# It was 73ab622 (main as issues 14-16 landed) until then, and 8d80920 (the last main
# before the refactor of issue 12) before that. Against 73ab622, info, ps and maps stayed
# byte for byte equal on every lab dump; what differed was meant: scan's slab-xview
# findings, the memfd that a thread's own file table holds (a new lab plant), LuaJIT's
# machine code lowered from low to info (a new lab runtime), and the usage text's
# detector list. The lab's truth tests check the findings.
REF_COMMIT=e38567de84d62d949e6d704665b2343e5646d813

# Invocations whose output is expected to differ from the reference, as
# output_unchanged.py names them (shell patterns, e.g. 'vmahunt help' or
# 'vmahunt * --help'), each with the reason and the commit or issue that changes
# it. They are still run; a difference is reported but does not fail the test.
EXPECT_CHANGE=(
)

jobs=${VMAHUNT_REGRESS_JOBS:-2}
start=$(date +%s)

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

[ -x "$VMAHUNT" ] || fail "VMAHUNT=$VMAHUNT is not an executable"

# The reference binary: prints its path, building it when the cache has none.
reference_binary() {
	command -v git >/dev/null || fail "git is needed to export the reference commit $REF_COMMIT"
	git -C "$SRC" rev-parse --git-dir >/dev/null 2>&1 ||
		fail "$SRC is not a git checkout: this test builds the reference from commit $REF_COMMIT of its history (run it in a git clone)"
	git -C "$SRC" cat-file -e "$REF_COMMIT^{commit}" 2>/dev/null ||
		fail "commit $REF_COMMIT (the reference) is not in the history of $SRC: a shallow clone? (git fetch --unshallow)"
	local root dir work t0 status=0
	root=${VMAHUNT_REF_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmahunt-ref}
	dir=$root/$REF_COMMIT
	mkdir -p "$root"
	# one builder at a time (ctest runs the normal and sanitizer builds' tests)
	exec 9>"$root/.lock"
	flock 9
	if [ -x "$dir/vmahunt" ] && "$dir/vmahunt" version >/dev/null 2>&1; then
		echo "reference: ${REF_COMMIT:0:12}, cached in $dir" >&2
		echo "$dir/vmahunt"
		return
	fi
	echo "reference: building ${REF_COMMIT:0:12} into $dir" >&2
	t0=$(date +%s)
	work=$(mktemp -d "$root/build.XXXXXX")
	mkdir "$work/src"
	git -C "$SRC" archive "$REF_COMMIT" | tar -x -C "$work/src"
	{
		cmake -S "$work/src" -B "$work/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVMAHUNT_TESTS=OFF &&
			cmake --build "$work/build" --target vmahunt -j "$jobs"
	} >"$work/build.log" 2>&1 || status=$?
	if [ $status != 0 ]; then
		tail -30 "$work/build.log" >&2
		rm -rf "$work"
		fail "the reference commit $REF_COMMIT does not build (exit $status; the log's end above)"
	fi
	mkdir -p "$dir"
	cp "$work/build.log" "$dir/build.log"
	cp "$work/build/vmahunt" "$dir/vmahunt.new"
	mv -f "$dir/vmahunt.new" "$dir/vmahunt"
	rm -rf "$work"
	echo "reference: built in $(($(date +%s) - t0)) s" >&2
	echo "$dir/vmahunt"
}

mapfile -t labs < <(lab_dirs)
[ ${#labs[@]} -gt 0 ] || exit 1 # lab_dirs said why
ref=$(reference_binary)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
args=(--ref "$ref" --cur "$VMAHUNT" --src "$SRC" --lab-out "$VMAHUNT_LAB_OUT" --tmp "$tmp" --jobs "$jobs")
for p in ${EXPECT_CHANGE[@]+"${EXPECT_CHANGE[@]}"}; do
	args+=(--expect-change "$p")
done
status=0
python3 "$here/output_unchanged.py" "${args[@]}" "${labs[@]}" || status=$?
echo "run time: $(($(date +%s) - start)) s"
exit $status
