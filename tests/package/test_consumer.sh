#!/usr/bin/env bash
# A program outside the tree builds against an installed copy of vmahunt with
# nothing but `pkg-config vmahunt`, linked to the shared library and, with
# pkg-config --static, to the static one and every library it needs, and
# both builds say about the shipped sample what the installed CLI says. The
# CLI, the man page and the generated headers are installed too.
set -euo pipefail
: "${VMAHUNT_SRC:?run through ctest}" "${VMAHUNT_BUILD:?run through ctest}" "${CC:?run through ctest}"
sample=$VMAHUNT_SRC/samples/linux-6.1-kdump-zstd-d31.kdump
# Sanitizer builds: the consumer must load the sanitizer runtime first.
read -r -a extra <<<"${VMAHUNT_CONSUMER_CFLAGS:-}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix

cmake --install "$VMAHUNT_BUILD" --prefix "$prefix" >"$tmp/install.log"
pc=$(find "$prefix" -name vmahunt.pc)
[ -n "$pc" ] || { echo "FAIL cmake --install wrote no vmahunt.pc"; exit 1; }
export PKG_CONFIG_PATH=${pc%/*}
libdir=$(pkg-config --variable=libdir vmahunt)
[ "$libdir" = "${pc%/pkgconfig/*}" ] || { echo "FAIL vmahunt.pc: libdir $libdir is not where it lies"; exit 1; }
echo "ok   installed; vmahunt.pc: $(pkg-config --cflags --libs vmahunt)"
for f in bin/vmahunt share/man/man1/vmahunt.1 include/vmahunt/version.h include/vmahunt/export.h; do
	[ -f "$prefix/$f" ] || { echo "FAIL cmake --install did not install $f"; exit 1; }
done

# Out of the tree: a copy of the source in the temporary folder, no -I or -L
# of the build.
mkdir "$tmp/consumer"
cp "$VMAHUNT_SRC/tests/consumer/consumer.c" "$tmp/consumer/"
cd "$tmp/consumer"
read -r -a flags <<<"$(pkg-config --cflags --libs vmahunt)"
"$CC" -std=c11 -Wall -Wextra -Werror "${extra[@]}" -o consumer-shared consumer.c "${flags[@]}"
# The static library and every library it needs, only the C runtime (and a
# sanitizer's) from shared objects: what Requires.private and Libs.private
# must make complete.
read -r -a flags <<<"$(pkg-config --static --cflags --libs vmahunt)"
"$CC" -std=c11 -Wall -Wextra -Werror "${extra[@]}" -o consumer-static consumer.c \
	-Wl,-Bstatic "${flags[@]}" -Wl,-Bdynamic

needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }
status=0
if ! needed consumer-shared | grep -qx 'libvmahunt.so.0'; then
	echo "FAIL consumer-shared does not load libvmahunt.so.0 (NEEDED: $(needed consumer-shared | xargs))"
	status=1
fi
dyn=$(needed consumer-static | grep -E 'vmahunt|elf|dw|capstone|zstd|libz|lzo|snappy|stdc' || true)
if [ -n "$dyn" ]; then
	echo "FAIL consumer-static still loads $(echo "$dyn" | xargs)"
	status=1
fi
loaded=$(LD_LIBRARY_PATH=$libdir ldd consumer-shared | awk '/libvmahunt/ { print $3 }')
if [ "$loaded" != "$libdir/libvmahunt.so.0" ]; then
	echo "FAIL consumer-shared loads libvmahunt from '$loaded', not the installed copy"
	status=1
fi

LD_LIBRARY_PATH=$libdir ./consumer-shared "$sample" scan-shared.json >shared.out
./consumer-static "$sample" scan-static.json >static.out
"$prefix/bin/vmahunt" scan --json --symbols btf "$sample" >scan.json || true
# the library's report is the CLI's output, byte for byte
for f in scan-shared.json scan-static.json; do
	if [ -s scan.json ] && cmp -s scan.json "$f"; then
		echo "ok   $f: the same $(wc -l <"$f") JSON lines as vmahunt scan --json"
	else
		echo "FAIL $f differs from vmahunt scan --json (or the CLI printed nothing)"
		diff scan.json "$f" | head -10
		status=1
	fi
done
"$prefix/bin/vmahunt" info --json "$sample" >info.json
"$prefix/bin/vmahunt" ps --json --symbols btf "$sample" >ps.json
python3 - shared.out static.out info.json ps.json <<'PY' || status=1
import json, sys
info = json.loads(open(sys.argv[3]).readline())
tasks = [json.loads(l) for l in open(sys.argv[4])]
want = {
    "format": info["format"],
    "arch": info["arch"],
    "osrelease": info["osrelease"],
    "page_size": str(info["page_size"]),
    "processes": str(sum(t["type"] == "task" for t in tasks)),
}
bad = 0
for out in sys.argv[1:3]:
    got = dict(l.rstrip("\n").split(" ", 1) for l in open(out))
    for k, v in want.items():
        ok = got.get(k) == v
        bad += not ok
        print("%s %s: %s %s (vmahunt: %s)" % ("ok  " if ok else "FAIL", out.split(".")[0], k,
                                              got.get(k), v))
if not info["osrelease"] or int(want["processes"]) == 0:
    print("FAIL the CLI reports no osrelease or no process: nothing was compared")
    bad += 1
sys.exit(1 if bad else 0)
PY
exit $status
