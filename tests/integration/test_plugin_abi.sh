#!/usr/bin/env bash
# The plugin ABI, proved with the test plugins of tests/plugins/ on the two
# shipped samples (no lab needed):
# - probe calls every function of include/vmahunt/plugin.h; what it saw is
#   checked against the samples' ground truth (plugin_probe.py);
# - plugins built for another ABI, shared objects that are no plugin,
#   malformed descriptions, taken detector ids, a failing init() are refused
#   with a message naming the file and the right exit code, before anything
#   is scanned (stdout stays empty);
# - options, the search path (VMAHUNT_PLUGIN_PATH first), `vmahunt plugins`.
set -euo pipefail
: "${VMAHUNT:?run through ctest}" "${VMAHUNT_SRC:?run through ctest}"
: "${VMAHUNT_TEST_PLUGINS:?run through ctest}" "${VMAHUNT_BUILD_PLUGINS:?run through ctest}"
P=$VMAHUNT_TEST_PLUGINS
core=$VMAHUNT_SRC/samples/core.inject.zst
kdump=$VMAHUNT_SRC/samples/linux-6.1-kdump-zstd-d31.kdump
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# the build tree's plugins are found anyway; nothing else from the environment
unset VMAHUNT_PLUGIN_PATH
status=0

ok() { echo "ok   $*"; }
fail() {
	echo "FAIL $*"
	status=1
}

# expect CODE TEXT WHAT -- ARGS...: vmahunt ARGS exits CODE, says TEXT (a
# fixed string) on stderr, and prints nothing on stdout (nothing half-run).
expect() {
	local code=$1 text=$2 what=$3 rc=0
	shift 4
	"$VMAHUNT" "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
	if [ "$rc" != "$code" ]; then
		fail "$what: exit $rc, not $code ($(head -c 300 "$tmp/err"))"
	elif ! grep -qF -- "$text" "$tmp/err"; then
		fail "$what: stderr lacks '$text': $(head -c 300 "$tmp/err")"
	elif [ -s "$tmp/out" ]; then
		fail "$what: something was printed on stdout: $(head -c 200 "$tmp/out")"
	else
		ok "$what: exit $code, '$text'"
	fi
}

# --- what a plugin sees, against the ground truth
python3 "$VMAHUNT_SRC/tests/integration/plugin_probe.py" core "$VMAHUNT" "$P/probe.so" "$core" \
	"$VMAHUNT_SRC/samples/core.inject.truth.json" || status=1
python3 "$VMAHUNT_SRC/tests/integration/plugin_probe.py" kernel "$VMAHUNT" "$P/probe.so" "$kdump" \
	"$VMAHUNT_SRC/samples/linux-6.1-kdump-zstd-d31.truth.json.xz" || status=1

# notes in the text report: "key: value" lines under the finding
"$VMAHUNT" scan --plugin "$P/probe.so" --detector probe --plugin-opt probe.tag=first \
	--plugin-opt probe.tag=second "$core" >"$tmp/text" 2>/dev/null
if grep -qx '         tag: first' "$tmp/text" && grep -qx '         tag: second' "$tmp/text" &&
	grep -qx '         notes_dropped: 44' "$tmp/text" && grep -qx '         control: a?b?c' "$tmp/text"; then
	ok "notes in the text report, control bytes shown as '?'"
else
	fail "notes missing from the text report: $(grep -c ': ' "$tmp/text") note lines"
fi

# --- the lifecycle, from the callbacks' own log
log=$tmp/life.log
"$VMAHUNT" scan --plugin "$P/probe.so" --detector probe --plugin-opt "probe.log=$log" "$core" >/dev/null 2>&1
pid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pid"])' \
	"$VMAHUNT_SRC/samples/core.inject.truth.json")
if [ "$(cat "$log")" = "$(printf 'init\nprocess %s\nfinish\nfini' "$pid")" ]; then
	ok "lifecycle: init, process, finish, fini, each once and in order"
else
	fail "lifecycle: $(tr '\n' ' ' <"$log")"
fi
# a later plugin's failed init(): the earlier plugin is finished (fini), nothing scanned
rm -f "$log"
expect 4 "plugin initfail: init failed" "a later plugin's init() fails" -- \
	scan --plugin "$P/probe.so" --plugin "$P/initfail.so" --plugin-opt "probe.log=$log" "$core"
if [ "$(cat "$log")" = "$(printf 'init\nfini')" ]; then
	ok "after a later plugin's failed init(): fini() of the started one, no process() call"
else
	fail "after a later plugin's failed init(): $(tr '\n' ' ' <"$log")"
fi

# --- refused plugins: exit 4 (not a plugin of this vmahunt) or 2 (a name taken)
expect 4 "plugin $P/badabi.so: built for plugin ABI 2, this vmahunt has ABI 1" \
	"a plugin of ABI 2" -- scan --plugin "$P/badabi.so" "$core"
expect 4 "plugin $P/badabi0.so: built for plugin ABI 0, this vmahunt has ABI 1" \
	"a plugin of ABI 0" -- scan --plugin "$P/badabi0.so" "$core"
expect 4 "plugin $P/noentry.so: no symbol vmahunt_plugin: not a vmahunt plugin" \
	"a shared object without vmahunt_plugin" -- scan --plugin "$P/noentry.so" "$core"
echo "not an ELF file" >"$tmp/x.so"
expect 4 "plugin $tmp/x.so: cannot load it as a shared object" \
	"a text file named x.so" -- scan --plugin "$tmp/x.so" "$core"
expect 2 "plugin $tmp/none.so: no such file" "a path that does not exist" -- \
	scan --plugin "$tmp/none.so" "$core"
expect 4 "struct vh_plugin of " "a struct vh_plugin smaller than ABI 1's" -- \
	scan --plugin "$P/malformed_small_plugin.so" "$core"
expect 4 "struct vh_plugin_detector of " "a struct vh_plugin_detector smaller than ABI 1's" -- \
	scan --plugin "$P/malformed_small_detector.so" "$core"
expect 4 "plugin $P/malformed_bad_name.so: its name must be letters a-z, digits, - or _" \
	"a plugin name with a '.'" -- scan --plugin "$P/malformed_bad_name.so" "$core"
expect 4 "detector 0: its id must be letters a-z, digits, - or _" \
	"a detector id with capitals and a space" -- scan --plugin "$P/malformed_bad_id.so" "$core"
expect 4 "0 detectors (1 to" "no detector" -- scan --plugin "$P/malformed_no_detectors.so" "$core"
expect 4 "vmahunt_plugin() returned no description" "a NULL description" -- \
	scan --plugin "$P/malformed_no_desc.so" "$core"
expect 2 "detector id 'anon-rwx' is taken by a built-in detector" \
	"a plugin detector with a built-in id" -- scan --plugin "$P/dupid.so" "$core"
expect 2 "plugin $P/dupb.so: detector id 'twin' is taken by dupa" \
	"two plugins with one detector id" -- scan --plugin "$P/dupa.so" --plugin "$P/dupb.so" "$core"
expect 2 "detector id 'twin' is taken by itself" "one plugin with one id twice" -- \
	scan --plugin "$P/dupself.so" "$core"
expect 2 "a plugin named 'probe' is loaded already" "the same plugin twice" -- \
	scan --plugin "$P/probe.so" --plugin "$P/probe.so" "$core"
# init() fails: its message, exit 4 whatever code it returns (a failure of
# the plugin, not of the command line: VH_ERR_INVAL too, and codes not vmahunt's)
for code in -3 -9 -7 1 -1000; do
	expect 4 "plugin initfail: init failed: $tmp/r.yar line 3: syntax error" \
		"init() fails with $code" -- scan --plugin "$P/initfail.so" \
		--plugin-opt "initfail.rules=$tmp/r.yar" --plugin-opt "initfail.code=$code" "$core"
done

# --- options and names on the command line: usage errors (exit 2)
expect 2 "plugin option 'example.nope': plugin example takes no option 'nope' (it takes: dirs)" \
	"an option the plugin does not take" -- scan --plugin example --plugin-opt example.nope=1 "$core"
expect 2 "plugin option 'initfail.x': plugin initfail takes no option 'x' (it takes: rules, code)" \
	"an unknown option among several keys" -- scan --plugin "$P/initfail.so" --plugin-opt initfail.x=1 "$core"
expect 2 "plugin option 'yara.rules': no plugin 'yara' is loaded" \
	"an option for a plugin not loaded" -- scan --plugin example --plugin-opt yara.rules=x "$core"
expect 2 "NAME.KEY=VALUE expected" "an option without a key" -- \
	scan --plugin example --plugin-opt example=1 "$core"
expect 2 "takes no option 'undeclared'" "an undeclared key is refused before init()" -- \
	scan --plugin "$P/probe.so" --plugin-opt probe.undeclared=1 "$core"
VMAHUNT_PLUGIN_PATH=$tmp/a:$tmp/b expect 2 \
	"plugin 'nosuch': no nosuch.so in the plugin search path ($tmp/a, $tmp/b, " \
	"--plugin NAME that is nowhere: the search path named" -- scan --plugin nosuch "$core"
grep -qF "$VMAHUNT_BUILD_PLUGINS" "$tmp/err" && ok "... the build tree's folder named too" ||
	fail "--plugin nosuch does not name the build tree's folder: $(cat "$tmp/err")"
expect 2 "--plugin and --plugin-opt are options of scan and report" "--plugin on ps" -- \
	ps --plugin example "$core"
expect 2 "unknown detector 'probe-vma'" "a plugin's detector id without the plugin" -- \
	scan --detector probe-vma "$core"

# --- a plugin built against a newer ABI 1 header: larger structs, indexed by their size
"$VMAHUNT" scan --json --plugin "$P/future.so" --detector future-two,future-one "$core" >"$tmp/future"
if [ "$(grep -c '"detector":"future-one"' "$tmp/future")" = 1 ] &&
	[ "$(grep -c '"detector":"future-two"' "$tmp/future")" = 1 ] &&
	[ "$(grep -c '"type":"finding"' "$tmp/future")" = 2 ]; then
	ok "larger structs of a newer header: both detectors found by their stride, --detector selects them"
else
	fail "larger structs: $(cat "$tmp/future")"
fi

# --- the search path: VMAHUNT_PLUGIN_PATH first, in its order
mkdir "$tmp/a" "$tmp/b"
cp "$P/probe.so" "$tmp/a/pick.so"
cp "$P/badabi.so" "$tmp/b/pick.so"
if VMAHUNT_PLUGIN_PATH=$tmp/a:$tmp/b "$VMAHUNT" scan --plugin pick --detector probe "$core" >/dev/null 2>&1; then
	ok "VMAHUNT_PLUGIN_PATH a:b: a's pick.so loaded"
else
	fail "VMAHUNT_PLUGIN_PATH a:b: a's pick.so not loaded"
fi
VMAHUNT_PLUGIN_PATH=$tmp/b:$tmp/a expect 4 "plugin $tmp/b/pick.so: built for plugin ABI 2" \
	"VMAHUNT_PLUGIN_PATH b:a: b's pick.so taken first" -- scan --plugin pick "$core"
# a plugin of VMAHUNT_PLUGIN_PATH is taken before the build tree's of the same name
cp "$P/badabi.so" "$tmp/b/example.so"
VMAHUNT_PLUGIN_PATH=$tmp/b expect 4 "plugin $tmp/b/example.so: built for plugin ABI 2" \
	"VMAHUNT_PLUGIN_PATH before the build tree" -- scan --plugin example "$core"

# --- vmahunt plugins: every file of the search path, broken ones with their error
cp "$tmp/x.so" "$tmp/b/x.so"
VMAHUNT_PLUGIN_PATH=$P:$tmp/b "$VMAHUNT" plugins >"$tmp/list"
VMAHUNT_PLUGIN_PATH=$P:$tmp/b "$VMAHUNT" plugins --json >"$tmp/list.json"
if grep -qE "^probe +0\.1 +ABI 1  $P/probe\.so \(VMAHUNT_PLUGIN_PATH\)$" "$tmp/list" &&
	grep -qF "$P/badabi.so (VMAHUNT_PLUGIN_PATH): does not load: plugin $P/badabi.so: built for plugin ABI 2" "$tmp/list" &&
	grep -qE "^example .* ABI 1  $VMAHUNT_BUILD_PLUGINS/example\.so \(build tree\)$" "$tmp/list" &&
	grep -qE "^    detector probe-vma +probe: every VMA" "$tmp/list" &&
	grep -qE "^    option   probe\.tag$" "$tmp/list"; then
	ok "vmahunt plugins: loadable ones with ABI, detectors and options; broken ones with their error"
else
	fail "vmahunt plugins: $(cat "$tmp/list")"
fi
python3 - "$tmp/list.json" "$P" "$tmp/b" "$VMAHUNT_BUILD_PLUGINS" <<'PY' || status=1
import json, sys
path, tests, b, build = sys.argv[1:]
ls = [json.loads(l) for l in open(path)]
by = {l["path"]: l for l in ls}
bad = 0
def check(ok, what):
    global bad
    bad += not ok
    print(("ok   " if ok else "FAIL ") + "vmahunt plugins --json: " + what)
p = by.get(tests + "/probe.so", {})
check(p.get("abi") == 1 and p.get("error") is None and p.get("name") == "probe" and
      p.get("detectors") == ["probe", "probe-vma", "probe-content", "probe-kernel"] and
      "tag" in p.get("options", []) and p.get("found_in") == "VMAHUNT_PLUGIN_PATH",
      "probe: ABI 1, its detectors and options")
for f, abi, text in (("badabi.so", 2, "ABI 2"), ("badabi0.so", 0, "ABI 0"),
                     ("noentry.so", 0, "not a vmahunt plugin"),
                     ("malformed_bad_id.so", 1, "its id must be")):
    e = by.get(tests + "/" + f, {})
    check(e.get("abi") == abi and text in (e.get("error") or "") and e.get("name") is None,
          "%s: abi %d, error says %r" % (f, abi, text))
x = by.get(b + "/x.so", {})
check("cannot load it as a shared object" in (x.get("error") or ""), "x.so (text): not a shared object")
ex = by.get(build + "/example.so", {})
check(ex.get("found_in") == "build tree" and ex.get("abi") == 1, "the build tree's example")
order = [l["found_in"] for l in ls]
check(order == sorted(order, key=lambda s: s != "VMAHUNT_PLUGIN_PATH"),
      "VMAHUNT_PLUGIN_PATH's files listed first")
sys.exit(1 if bad else 0)
PY

exit $status
