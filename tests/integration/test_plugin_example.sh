#!/usr/bin/env bash
# The example plugin (plugins/example), built in the tree, on the shipped
# samples: exec-from-tmp reports exactly the executable mappings of files in
# /tmp, /var/tmp and /dev/shm the truth lists (on the kernel sample the
# deleted executable the lab's fileless scenario ran from /tmp; on the core,
# none), and example.dirs replaces those folders.
set -euo pipefail
: "${VMAHUNT:?run through ctest}" "${VMAHUNT_SRC:?run through ctest}"
core=$VMAHUNT_SRC/samples/core.inject.zst
kdump=$VMAHUNT_SRC/samples/linux-6.1-kdump-zstd-d31.kdump
ktruth=$VMAHUNT_SRC/samples/linux-6.1-kdump-zstd-d31.truth.json.xz
ctruth=$VMAHUNT_SRC/samples/core.inject.truth.json
check=$VMAHUNT_SRC/tests/integration/plugin_example.py
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unset VMAHUNT_PLUGIN_PATH # the build tree's example, by name
status=0

# The truth's own plant: the fileless scenario's deleted file under /tmp.
python3 - "$ktruth" <<'PY' || status=1
import json, lzma, sys
t = json.load(lzma.open(sys.argv[1]))
p = [p for p in t["plants"] if p["kind"] == "deleted_file_exec"]
ok = len(p) == 1 and p[0]["name"].startswith("/tmp/")
print(("ok   " if ok else "FAIL ") + "the kernel sample's truth plants a deleted executable under /tmp")
sys.exit(0 if ok else 1)
PY

"$VMAHUNT" scan --json --plugin example "$kdump" >"$tmp/k.json" 2>/dev/null
python3 "$check" "$tmp/k.json" "$ktruth" /tmp:/var/tmp:/dev/shm || status=1
# the plant itself: pid and range of the deleted_file_exec plant
python3 - "$tmp/k.json" "$ktruth" <<'PY' || status=1
import json, lzma, sys
t = json.load(lzma.open(sys.argv[2]))
p = [p for p in t["plants"] if p["kind"] == "deleted_file_exec"][0]
f = [json.loads(l) for l in open(sys.argv[1])]
f = [o for o in f if o["type"] == "finding" and o["detector"] == "exec-from-tmp"]
ok = [(o["pid"], o["start"], o["end"]) for o in f] == [(p["pid"], p["start"], p["end"])]
print(("ok   " if ok else "FAIL ") + "exec-from-tmp: the fileless plant, pid %d %s-%s" %
      (p["pid"], p["start"], p["end"]))
sys.exit(0 if ok else 1)
PY
"$VMAHUNT" scan --json --plugin example --detector exec-from-tmp "$kdump" >"$tmp/only.json" 2>/dev/null
python3 "$check" "$tmp/only.json" "$ktruth" /tmp:/var/tmp:/dev/shm --only || status=1
"$VMAHUNT" scan --json --plugin example "$core" >"$tmp/c.json" 2>/dev/null
python3 "$check" "$tmp/c.json" "$ctruth" /tmp:/var/tmp:/dev/shm || status=1
# example.dirs: folders that hold nothing, then the lab's own binaries
"$VMAHUNT" scan --json --plugin example --plugin-opt example.dirs=/nonexistent "$kdump" >"$tmp/none.json" 2>/dev/null
python3 "$check" "$tmp/none.json" "$ktruth" /nonexistent || status=1
"$VMAHUNT" scan --json --plugin example --plugin-opt example.dirs=/nonexistent:/lab/bin \
	--detector exec-from-tmp "$kdump" >"$tmp/lab.json" 2>/dev/null
python3 "$check" "$tmp/lab.json" "$ktruth" /nonexistent:/lab/bin --only || status=1
# text: the finding and its note
"$VMAHUNT" scan --plugin example --detector exec-from-tmp "$kdump" >"$tmp/k.txt" 2>/dev/null
if grep -qE '^  medium exec-from-tmp [0-9a-f]+-[0-9a-f]+ executable mapping of a file in /tmp$' "$tmp/k.txt" &&
	grep -qx '         folder: /tmp' "$tmp/k.txt"; then
	echo "ok   text report: the finding and its folder note"
else
	echo "FAIL text report: $(cat "$tmp/k.txt")"
	status=1
fi
# an empty example.dirs: the plugin's own message, exit 4, nothing scanned
rc=0
"$VMAHUNT" scan --plugin example --plugin-opt example.dirs= "$kdump" >"$tmp/out" 2>"$tmp/err" || rc=$?
if [ $rc = 4 ] && grep -qF "plugin example: init failed: example.dirs: a list of folders is expected" "$tmp/err" &&
	! [ -s "$tmp/out" ]; then
	echo "ok   an empty example.dirs: exit 4 with the plugin's message"
else
	echo "FAIL an empty example.dirs: exit $rc, $(cat "$tmp/err")"
	status=1
fi
exit $status
