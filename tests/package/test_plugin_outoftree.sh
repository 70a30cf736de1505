#!/usr/bin/env bash
# The example plugin built OUT of the tree, as a plugin author would: the
# build installed into a temporary prefix, plugins/example/example.c copied
# to a folder of its own and compiled with nothing but `pkg-config --cflags
# vmahunt`; the INSTALLED vmahunt then loads it by path and by name through
# VMAHUNT_PLUGIN_PATH and reports what the sample's truth says. Also: the
# installed example.so lands in vmahunt.pc's plugindir.
set -euo pipefail
: "${VMAHUNT_SRC:?run through ctest}" "${VMAHUNT_BUILD:?run through ctest}" "${CC:?run through ctest}"
kdump=$VMAHUNT_SRC/samples/linux-6.1-kdump-zstd-d31.kdump
ktruth=$VMAHUNT_SRC/samples/linux-6.1-kdump-zstd-d31.truth.json.xz
check=$VMAHUNT_SRC/tests/integration/plugin_example.py
# Sanitizer builds: the plugin is built with the same sanitizers as the vmahunt that loads it.
read -r -a extra <<<"${VMAHUNT_CONSUMER_CFLAGS:-}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
unset VMAHUNT_PLUGIN_PATH
status=0

cmake --install "$VMAHUNT_BUILD" --prefix "$prefix" >"$tmp/install.log"
pc=$(find "$prefix" -name vmahunt.pc)
[ -n "$pc" ] || { echo "FAIL cmake --install wrote no vmahunt.pc"; exit 1; }
export PKG_CONFIG_PATH=${pc%/*}
plugindir=$(pkg-config --variable=plugindir vmahunt)
if [ "$plugindir" = "$(pkg-config --variable=libdir vmahunt)/vmahunt/plugins" ] &&
	[ -f "$plugindir/example.so" ]; then
	echo "ok   vmahunt.pc plugindir is libdir/vmahunt/plugins and holds the installed example.so"
else
	echo "FAIL vmahunt.pc plugindir '$plugindir' lacks example.so"
	status=1
fi

mkdir "$tmp/src"
cp "$VMAHUNT_SRC/plugins/example/example.c" "$tmp/src/"
cd "$tmp/src"
read -r -a cflags <<<"$(pkg-config --cflags vmahunt)"
# the command docs/plugins.md and example.c give; then as strict C11 with
# the project's warnings, which the template must pass too
"$CC" "${extra[@]}" -shared -fPIC "${cflags[@]}" -o example.so example.c
echo "ok   cc -shared -fPIC \$(pkg-config --cflags vmahunt) -o example.so example.c"
"$CC" -std=c11 -Wall -Wextra -Werror -pedantic "${extra[@]}" -shared -fPIC "${cflags[@]}" \
	-o strict.so example.c
echo "ok   ... and with -std=c11 -Wall -Wextra -Werror -pedantic"
rm strict.so
# a plugin links nothing of libvmahunt: vmahunt itself provides the calls
if readelf -d example.so | grep -q 'NEEDED.*libvmahunt'; then
	echo "FAIL example.so needs libvmahunt.so; a plugin takes the calls from the vmahunt loading it"
	status=1
fi
if nm -D --undefined-only example.so | grep -q ' vh_plugin_finding_new$' &&
	[ "$(nm -D --defined-only example.so | awk '$2 == "T" { print $3 }')" = vmahunt_plugin ]; then
	echo "ok   example.so exports vmahunt_plugin alone and takes vh_plugin_* from the host"
else
	echo "FAIL example.so's symbols: $(nm -D example.so | tr '\n' ' ')"
	status=1
fi

vmahunt=$prefix/bin/vmahunt
"$vmahunt" scan --json --plugin "$tmp/src/example.so" --detector exec-from-tmp "$kdump" >by-path.json
python3 "$check" by-path.json "$ktruth" /tmp:/var/tmp:/dev/shm --only || status=1
VMAHUNT_PLUGIN_PATH=$tmp/src "$vmahunt" scan --json --plugin example --detector exec-from-tmp \
	"$kdump" >by-name.json
python3 "$check" by-name.json "$ktruth" /tmp:/var/tmp:/dev/shm --only || status=1
VMAHUNT_PLUGIN_PATH=$tmp/src "$vmahunt" scan --json --plugin example \
	--plugin-opt example.dirs=/nonexistent --detector exec-from-tmp "$kdump" >none.json
python3 "$check" none.json "$ktruth" /nonexistent --only || status=1
# the name resolved to the out-of-tree file: the first of the search path
first=$(VMAHUNT_PLUGIN_PATH=$tmp/src "$vmahunt" plugins --json | python3 -c '
import json, sys
print(next(l["path"] + " " + l["found_in"] + " " + str(l["abi"]) for l in map(json.loads, sys.stdin)
           if l["name"] == "example"))')
if [ "$first" = "$tmp/src/example.so VMAHUNT_PLUGIN_PATH 1" ]; then
	echo "ok   vmahunt plugins: the out-of-tree example.so first, ABI 1"
else
	echo "FAIL vmahunt plugins: the first example is '$first'"
	status=1
fi
exit $status
