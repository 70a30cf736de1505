#!/usr/bin/env bash
# The command line: help, usage errors, exit codes, one-line errors naming the file.
set -uo pipefail
: "${VMAHUNT:?run through ctest}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

expect() { # NAME WANT_CODE STDERR_REGEX -- CMD...
	local name=$1 want=$2 re=$3
	shift 4
	"$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	if [ "$rc" = "$want" ] && grep -Eq -- "$re" "$tmp/err" "$tmp/out"; then
		pass=$((pass + 1))
	else
		echo "FAIL $name: exit $rc (want $want), output:"
		cat "$tmp/out" "$tmp/err"
		fail=$((fail + 1))
	fi
}

printf 'not a dump at all, just text\n' >"$tmp/text"
: >"$tmp/empty"
head -c 8192 /dev/zero >"$tmp/zeros"
printf 'ABCDEFGH' >"$tmp/raw8"

expect help 0 'Usage: vmahunt' -- "$VMAHUNT" help
expect help-flag 0 'Exit status' -- "$VMAHUNT" info --help
expect no-command 2 'Usage' -- "$VMAHUNT"
expect unknown-command 2 "unknown command 'frobnicate'" -- "$VMAHUNT" frobnicate
expect unknown-option 2 "unknown option '--bogus'" -- "$VMAHUNT" info --bogus x
expect missing-dump 2 'missing DUMP' -- "$VMAHUNT" info
# several DUMP files are the parts of one split dump: each must open and be a part
expect parts-missing 3 "^vmahunt: $tmp/nope: cannot open" -- "$VMAHUNT" info "$tmp/nope" "$tmp/text"
expect parts-not-dumps 3 "^vmahunt: $tmp/text: offset 0x0: not a dump" -- "$VMAHUNT" info "$tmp/text" "$tmp/zeros"
expect parts-raw 3 "raw image is one file" -- "$VMAHUNT" info --raw-base 0x1000 "$tmp/raw8" "$tmp/raw8"
expect extra-arg 2 "unexpected argument" -- "$VMAHUNT" info $(seq 1 65)
expect bad-raw-base 2 'raw-base needs an address' -- "$VMAHUNT" info --raw-base zz x
expect no-such-file 3 "^vmahunt: $tmp/nope: cannot open" -- "$VMAHUNT" info "$tmp/nope"
expect directory 3 "^vmahunt: $tmp: not a regular file" -- "$VMAHUNT" info "$tmp"
expect not-a-dump 3 "^vmahunt: $tmp/text: offset 0x0: not a dump" -- "$VMAHUNT" info "$tmp/text"
expect empty 3 "^vmahunt: $tmp/empty: offset 0x0: empty file" -- "$VMAHUNT" info "$tmp/empty"
expect zeros 3 "^vmahunt: $tmp/zeros: offset 0x0: not a dump" -- "$VMAHUNT" info "$tmp/zeros"
expect raw 0 '"format":"raw".*"ranges":\[\{"start":"0x1000","end":"0x1008"\}\]' -- \
	"$VMAHUNT" info --json --raw-base 0x1000 "$tmp/raw8"
expect raw-unaligned 3 'not page aligned' -- "$VMAHUNT" info --raw-base 0x10 "$tmp/raw8"
expect convert-usage 2 'usage: vmahunt convert' -- "$VMAHUNT" convert onlyone
expect version 0 '^vmahunt [0-9]' -- "$VMAHUNT" version

# The evidence commands: their options, refused elsewhere; what they need.
src=${VMAHUNT_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
core=$src/samples/core.inject.zst
expect dump-no-out 2 'dump: missing --out DIR' -- "$VMAHUNT" dump --all "$core"
expect dump-no-select 2 'dump: missing --all, --range or --vma' -- "$VMAHUNT" dump --out "$tmp/d" "$core"
expect dump-two-selects 2 'give one of --all, --range and --vma' -- \
	"$VMAHUNT" dump --out "$tmp/d" --all --vma 0x1000 "$core"
expect dump-range-no-pid 2 'missing --pid N' -- "$VMAHUNT" dump --out "$tmp/d" --range 0x1000-0x2000 "$core"
expect dump-bad-range 2 'START below END' -- "$VMAHUNT" dump --out "$tmp/d" --pid 1 --range 0x2000-0x1000 "$core"
expect dump-bad-vma 2 '--vma needs an address' -- "$VMAHUNT" dump --out "$tmp/d" --pid 1 --vma xyz "$core"
expect out-on-ps 2 'ps: --out is an option of dump and files' -- "$VMAHUNT" ps --out "$tmp/d" "$core"
expect force-on-maps 2 'maps: --force is an option of report, core, dump and files' -- \
	"$VMAHUNT" maps --force "$core"
expect all-on-files 2 'files: --all, --range and --vma are options of dump' -- \
	"$VMAHUNT" files --out "$tmp/d" --all "$core"
expect threads-on-dump 2 'dump: --threads is not an option of dump' -- \
	"$VMAHUNT" dump --out "$tmp/d" --all --threads "$core"
expect dump-no-pid 4 'dump: no process 99999 in the dump' -- \
	"$VMAHUNT" dump --out "$tmp/d1" --all --pid 99999 "$core"
expect core-no-pid 2 'core: missing --pid N' -- "$VMAHUNT" core -o "$tmp/c" "$core"
expect core-no-out 2 'core: missing -o FILE' -- "$VMAHUNT" core --pid 1 "$core"
expect files-no-out 2 'files: missing --out DIR' -- "$VMAHUNT" files "$core"
# a process core: every segment comes out, the records are JSON lines with sha256s
expect dump-core 0 '"kind":"vma".*"sha256":"[0-9a-f]{64}"' -- "$VMAHUNT" dump --out "$tmp/d2" --all "$core"
expect dump-again 4 'manifest.json exists' -- "$VMAHUNT" dump --out "$tmp/d2" --all "$core"
expect dump-force 0 '"kind":"vma"' -- "$VMAHUNT" dump --out "$tmp/d2" --all --force "$core"
expect dump-out-is-file 4 'cannot create folder|cannot open folder' -- \
	"$VMAHUNT" dump --out "$tmp/text" --all "$core"

# Every error is exactly one line.
for f in nope text empty zeros; do
	"$VMAHUNT" info "$tmp/$f" >/dev/null 2>"$tmp/err"
	if [ "$(wc -l <"$tmp/err")" != 1 ]; then
		echo "FAIL one-line error for $f:"
		cat "$tmp/err"
		fail=$((fail + 1))
	else
		pass=$((pass + 1))
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
