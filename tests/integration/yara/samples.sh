#!/usr/bin/env bash
# The yara plugin without the lab, on the two shipped samples (samples/):
# the process core's two injected stubs matched at the truth's addresses, the
# -d 31 kdump naming yara among the skipped content detectors; and the errors:
# a broken rules file (exit 4, file and line named, nothing scanned); no rules
# option, a missing file, a bad yara.max_matches (each a failed init: exit 4);
# compiled rules (yarac) and a folder of rules give the same findings as the
# source file.
set -euo pipefail
: "${VMAHUNT:?run through ctest}" "${VMAHUNT_SRC:?run through ctest}"
here=$VMAHUNT_SRC/tests/integration
rules=$here/yara/lab.yar
core=$VMAHUNT_SRC/samples/core.inject.zst
d31=$VMAHUNT_SRC/samples/linux-6.1-kdump-zstd-d31.kdump
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

# The core against its truth (the same checker as the lab test).
python3 "$here/yara_lab.py" --vmahunt "$VMAHUNT" --rules "$rules" \
	--core "$core" --truth "$VMAHUNT_SRC/samples/core.inject.truth.json" || fail "core.inject.zst"

# -d 31: no user pages, yara skipped and said so.
"$VMAHUNT" scan --plugin yara --plugin-opt "yara.rules=$rules" "$d31" >"$tmp/out" 2>"$tmp/err" || true
grep -q 'content detectors skipped:.*yara' "$tmp/err" || fail "-d 31: yara not named as skipped: $(cat "$tmp/err")"

# Expects exit @1 and a stderr matching @2 from scan with options @3...; nothing on stdout.
expect_error() {
	local want=$1 pattern=$2 rc=0
	shift 2
	"$VMAHUNT" scan --plugin yara "$@" "$core" >"$tmp/out" 2>"$tmp/err" || rc=$?
	[ "$rc" = "$want" ] || fail "$*: exit $rc, not $want"
	grep -Eq -- "$pattern" "$tmp/err" || fail "$*: stderr lacks /$pattern/: $(cat "$tmp/err")"
	[ ! -s "$tmp/out" ] || fail "$*: something was scanned: $(head -c 300 "$tmp/out")"
}
printf 'rule fine { condition: true }\n\nrule broken {\n  strings:\n    $a = "x"\n  condition:\n    $b\n}\n' >"$tmp/broken.yar"
expect_error 4 "broken\\.yar:[0-9]+: undefined string" --plugin-opt "yara.rules=$tmp/broken.yar"
expect_error 4 "broken\\.yar:[0-9]+:" --plugin-opt "yara.rules=$rules" --plugin-opt "yara.rules=$tmp/broken.yar"
expect_error 4 "yara\\.rules=FILE" # no rules option: the plugin's init fails
expect_error 4 "nothere\\.yar: No such file" --plugin-opt "yara.rules=$tmp/nothere.yar"
expect_error 4 "yara\\.max_matches=x" --plugin-opt "yara.rules=$rules" --plugin-opt yara.max_matches=x
mkdir "$tmp/empty"
expect_error 4 "no \\*\\.yar" --plugin-opt "yara.rules=$tmp/empty"

# The same findings from the source, from yarac's compiled rules and from a folder.
findings() {
	"$VMAHUNT" scan --json --detector yara --plugin yara --plugin-opt "yara.rules=$1" "$core" 2>/dev/null |
		grep '"type":"finding"' | sed 's/"namespace":\["[^"]*"\]//'
}
findings "$rules" >"$tmp/src"
[ "$(grep -c . "$tmp/src")" -ge 2 ] || fail "source rules: fewer than 2 findings"
if command -v yarac >/dev/null; then
	yarac "$rules" "$tmp/lab.yarc"
	findings "$tmp/lab.yarc" >"$tmp/compiled"
	cmp -s "$tmp/src" "$tmp/compiled" || fail "compiled rules: other findings than the source's"
else
	echo "yarac not installed: compiled rules not tried"
fi
mkdir "$tmp/dir"
cp "$rules" "$tmp/dir/a.yara"
echo 'not rules' >"$tmp/dir/ignored.txt"
findings "$tmp/dir" >"$tmp/fromdir"
cmp -s "$tmp/src" "$tmp/fromdir" || fail "a folder of rules: other findings than the file's"

[ "$fails" = 0 ] && echo "yara samples: ok"
exit $((fails > 0))
