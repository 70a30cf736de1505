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
