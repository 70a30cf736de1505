#!/usr/bin/env bash
# Build the vmahunt test lab: real dumps of real Debian kernels booted under QEMU,
# with the ground truth captured inside each guest. See tests/lab/README.md.
#
#   tests/lab/build-lab.sh [--kernels 5.10,6.1,6.12,sid,arm64-6.1,arm64-6.12,arm64-sid]
#                          [--variants kdump,la57,novmcoreinfo,a72] [--force] [--jobs N]
#
# Environment: VMAHUNT_LAB_CACHE (downloads, extracted kernels; default
# ${XDG_CACHE_HOME:-$HOME/.cache}/vmahunt-lab), VMAHUNT_LAB_OUT (default tests/lab/out).
set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${VMAHUNT_LAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmahunt-lab}
OUT=${VMAHUNT_LAB_OUT:-$LAB_DIR/out}
KERNELS=5.10,6.1,6.12,sid,arm64-6.1,arm64-6.12,arm64-sid
VARIANTS=kdump,la57,novmcoreinfo,a72
FORCE=0
JOBS=1
# kernel generation -> Debian suite (arm64-*: the arm64 guests, README "arm64 guests";
# not in the default --kernels)
declare -A SUITE=([5.10]=bullseye [6.1]=bookworm [6.12]=trixie [sid]=sid
	[arm64-6.1]=bookworm [arm64-6.12]=trixie [arm64-sid]=sid)
# the 6.1 guest is the one la57 / novmcoreinfo variants boot
EXTRA_VARIANT_KERNEL=6.1
# the arm64 kernel the a72 variant boots on -cpu cortex-a72 (48-bit VA): on -cpu max, 6.12+
# run 52-bit virtual addresses (LPA2)
A72_VARIANT_KERNEL=arm64-6.12
# Debian architecture of a kernel generation's guest
gen_arch() { case $1 in arm64-*) echo arm64 ;; *) echo amd64 ;; esac; }
# the Debian suite whose arm64 packages make the arm64 guests' user space (busybox, the
# python3 and luajit runtimes): the host's, whose glibc the cross compiler's libc is
ARM64_USER_SUITE=bookworm
# kernel generations whose guests load the anti-forensics module (antiforensics/): its
# build needs the kernel's linux-headers + linux-kbuild packages and a gcc. 5.10 and 6.1
# build with the host's gcc-12; 6.12+ headers pass -fmin-function-alignment (gcc 14+) and
# their kbuild tools need a newer glibc: they build in a chroot of their own suite
# (debootstrap, once, cached) with the gcc their .config names.
declare -A AF_MODULE=([5.10]=host [6.1]=host [6.12]=chroot [sid]=chroot)
# arm64 kernel generations whose guests (with the kdump variant) crash into a real kdump:
# all three (6.1's needs the _text help of guest/init, README "arm64 guests")
declare -A ARM64_KDUMP=([arm64-6.1]=1 [arm64-6.12]=1 [arm64-sid]=1)
# kernel generations whose kdump guests also take LiME images (Debian's lime-forensics-dkms
# of the guest's own suite, built like the anti-forensics module): same compiler limit
declare -A LIME_MODULE=([5.10]=1 [6.1]=1)

usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
	case "$1" in
	--kernels) KERNELS=$2; shift 2 ;;
	--kernels=*) KERNELS=${1#*=}; shift ;;
	--variants) VARIANTS=$2; shift 2 ;;
	--variants=*) VARIANTS=${1#*=}; shift ;;
	--force) FORCE=1; shift ;;
	--jobs) JOBS=$2; shift 2 ;;
	-h|--help) usage 0 ;;
	*) echo "build-lab.sh: unknown argument $1" >&2; usage 2 ;;
	esac
done

log() { printf '[lab %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
has_variant() { case ",$VARIANTS," in *",$1,"*) return 0 ;; esac; return 1; }

export PATH=$PATH:/sbin:/usr/sbin
WANT_X86=0 WANT_ARM64=0
IFS=, read -r -a GENS <<<"$KERNELS"
for g in "${GENS[@]}"; do
	case $(gen_arch "$g") in arm64) WANT_ARM64=1 ;; *) WANT_X86=1 ;; esac
done
TOOLS_NEEDED="make dpkg-deb apt-get python3 mkfs.ext4 debugfs zstd"
[ $WANT_X86 = 1 ] && TOOLS_NEEDED="qemu-system-x86_64 busybox gcc luajit $TOOLS_NEEDED"
[ $WANT_ARM64 = 1 ] && TOOLS_NEEDED="$TOOLS_NEEDED qemu-system-aarch64 aarch64-linux-gnu-gcc aarch64-linux-gnu-readelf"
for t in $TOOLS_NEEDED; do
	command -v "$t" >/dev/null 2>&1 || die "missing tool $t (see tests/lab/deps.txt)"
done
if [ $WANT_X86 = 1 ]; then
	BUSYBOX=$(command -v busybox)
	file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked' || ldd "$BUSYBOX" 2>&1 | grep -q 'not a dynamic' ||
		die "busybox at $BUSYBOX is not static (install busybox-static)"
fi

mkdir -p "$CACHE/apt" "$OUT"
CACHE=$(cd "$CACHE" && pwd)
OUT=$(cd "$OUT" && pwd)
# one build at a time per output folder
exec 9>"$OUT/.lock"
flock -n 9 || die "another build-lab.sh is running on $OUT"

# Hash of what shapes a guest's dumps: a change re-runs the guests. Bump GUEST_FORMAT when
# an edit of this script changes what a guest does or holds.
GUEST_FORMAT=4
LAB_HASH=$( (echo "$GUEST_FORMAT"; cd "$LAB_DIR" && cat labrun.py mkcpio.py modules.py limecheck.py guest/* scenarios/* antiforensics/*) |
	sha256sum | cut -c1-16)
# Hash of the post-processing (truth, manifest, fixture checks): a change re-runs only it.
POST_HASH=$(cd "$LAB_DIR" && cat parse_truth.py manifest.py dumpcheck.py known-issues.txt | sha256sum | cut -c1-16)

# the Debian architecture labapt.py works for: amd64, or arm64 while an arm64 guest is
# prepared (each guest runs in a subshell of its own)
APT_ARCH=amd64
labapt() { # labapt.py arguments, for APT_ARCH
	if [ "$APT_ARCH" = amd64 ]; then
		python3 "$LAB_DIR/labapt.py" "$@"
	else
		python3 "$LAB_DIR/labapt.py" --arch "$APT_ARCH" "$@"
	fi
}
# the apt state / .deb folder of a suite for APT_ARCH
apt_key() { if [ "$APT_ARCH" = amd64 ]; then echo "$1"; else echo "$1-$APT_ARCH"; fi; }

apt_update() { # suite (once per build-lab.sh run: guests run in subshells, so a file marks it)
	local key
	key=$(apt_key "$1")
	local mark=$CACHE/apt/.updated-$key-$$
	[ -f "$mark" ] && return 0
	log "apt update ($key, private lists)"
	labapt "$CACHE" "$1" update >"$CACHE/apt-$key.log" 2>&1 ||
		{ cat "$CACHE/apt-$key.log" >&2; die "apt-get update for $key failed"; }
	rm -f "$CACHE/apt/.updated-$key-"*
	touch "$mark"
}

download() { # suite destdir pkg...  (skips packages already downloaded there)
	local suite=$1 dest=$2; shift 2
	mkdir -p "$dest"
	local need=() p
	for p in "$@"; do
		ls "$dest/${p}_"*.deb >/dev/null 2>&1 || need+=("$p")
	done
	if [ ${#need[@]} -gt 0 ]; then
		log "download ($(apt_key "$suite")): ${need[*]}"
		labapt "$CACHE" "$suite" download "$dest" "${need[@]}" >"$CACHE/download.log" 2>&1 ||
			{ cat "$CACHE/download.log" >&2; die "download failed"; }
	fi
}

# --- tools of the newest suite: makedumpfile (zstd) and kexec-tools, with libs + loader
TOOLS=$CACHE/tools-sid
prepare_tools() {
	if [ -f "$TOOLS/.stamp" ]; then return 0; fi
	apt_update sid
	rm -rf "$TOOLS"
	mkdir -p "$TOOLS/debs" "$TOOLS/root"
	local pkgs
	pkgs=$( { python3 "$LAB_DIR/labapt.py" "$CACHE" sid libdeps makedumpfile
		python3 "$LAB_DIR/labapt.py" "$CACHE" sid libdeps kexec-tools
		echo zlib1g; } | grep -v -e '^libperl' -e '^libdb' -e '^libgdbm' | sort -u)
	# shellcheck disable=SC2086
	download sid "$TOOLS/debs" $pkgs
	local d
	for d in "$TOOLS"/debs/*.deb; do dpkg-deb -x "$d" "$TOOLS/root"; done
	# flat bundle: bin/{makedumpfile,kexec} + lib/ (loader and the libraries they need)
	mkdir -p "$TOOLS/bundle/bin" "$TOOLS/bundle/lib"
	local r=$TOOLS/root libdir=$TOOLS/root/usr/lib/x86_64-linux-gnu
	[ -d "$r/lib/x86_64-linux-gnu" ] && libdir="$libdir:$r/lib/x86_64-linux-gnu"
	local ld
	ld=$(find "$r" -name 'ld-linux-x86-64.so.2' -type f | head -1 || true)
	[ -n "$ld" ] || ld=$(readlink -f "$(find "$r" -name 'ld-linux-x86-64.so.2' | head -1 || true)")
	cp "$ld" "$TOOLS/bundle/lib/ld-linux-x86-64.so.2"
	local bin so
	for bin in makedumpfile kexec; do
		local path
		path=$(find "$r/usr/bin" "$r/usr/sbin" "$r/sbin" "$r/bin" -maxdepth 1 -name "$bin" 2>/dev/null | head -1 || true)
		[ -n "$path" ] || die "sid $bin not found in its package"
		cp "$path" "$TOOLS/bundle/bin/$bin"
		"$ld" --library-path "$libdir" --list "$path" >"$TOOLS/ldd-$bin.txt"
		while read -r so; do
			cp -L "$so" "$TOOLS/bundle/lib/"
		done < <(awk '$2=="=>" && $3 ~ /^\// {print $3}' "$TOOLS/ldd-$bin.txt")
		if awk '$2=="=>" {print $3}' "$TOOLS/ldd-$bin.txt" | grep -v "^$r" | grep -q .; then
			die "sid $bin needs a library not in its packages: $(cat "$TOOLS/ldd-$bin.txt")"
		fi
	done
	"$TOOLS/bundle/lib/ld-linux-x86-64.so.2" --library-path "$TOOLS/bundle/lib" "$TOOLS/bundle/bin/makedumpfile" -v \
		2>&1 | head -1 | sed 's/^makedumpfile: version \([^ ]*\).*/\1/' >"$TOOLS/makedumpfile.version" || true
	python3 "$LAB_DIR/labapt.py" "$CACHE" sid version kexec-tools >"$TOOLS/kexec.version"
	grep -q '^[0-9]' "$TOOLS/makedumpfile.version" || die "sid makedumpfile does not run"
	rm -rf "$TOOLS/debs" "$TOOLS/root"
	touch "$TOOLS/.stamp"
	log "tools: makedumpfile $(cat "$TOOLS/makedumpfile.version"), kexec-tools $(cat "$TOOLS/kexec.version")"
}

# --- arm64 kdump tools: sid's arm64 makedumpfile (as for x86-64) and bookworm's arm64
# kexec-tools (known to load 6.12 and 7.x capture kernels), each with the libraries and
# loader of its own suite: bundle/bin/{makedumpfile,kexec}, bundle/lib (makedumpfile's),
# bundle/kexec-lib (kexec's). They cannot run on the host: libraries are found by their
# DT_NEEDED entries, the makedumpfile version is the package's.
ARM64_KEXEC_SUITE=bookworm
prepare_tools_arm64() {
	TOOLS=$CACHE/tools-arm64-kexec-$ARM64_KEXEC_SUITE
	if [ -f "$TOOLS/.stamp" ]; then return 0; fi
	local t0=$SECONDS
	rm -rf "$TOOLS"
	mkdir -p "$TOOLS/bundle/bin" "$TOOLS/bundle/lib" "$TOOLS/bundle/kexec-lib"
	local suite pkg bin libdir pkgs d
	for spec in sid:makedumpfile:makedumpfile:lib "$ARM64_KEXEC_SUITE:kexec-tools:kexec:kexec-lib"; do
		IFS=: read -r suite pkg bin libdir <<<"$spec"
		apt_update "$suite"
		pkgs=$( { labapt "$CACHE" "$suite" libdeps "$pkg"; echo zlib1g; } |
			grep -v -e '^libperl' -e '^libdb' -e '^libgdbm' | sort -u)
		rm -rf "$TOOLS/debs" "$TOOLS/root"
		# shellcheck disable=SC2086
		download "$suite" "$TOOLS/debs" $pkgs
		mkdir -p "$TOOLS/root"
		for d in "$TOOLS"/debs/*.deb; do dpkg-deb -x "$d" "$TOOLS/root"; done
		local path
		path=$(find "$TOOLS/root/usr/bin" "$TOOLS/root/usr/sbin" "$TOOLS/root/sbin" "$TOOLS/root/bin" \
			-maxdepth 1 -name "$bin" 2>/dev/null | head -1 || true)
		[ -n "$path" ] || die "$suite arm64 $bin not found in its package"
		cp "$path" "$TOOLS/bundle/bin/$bin"
		bundle_arm64_libs "$TOOLS/root" "$path" "$TOOLS/bundle/$libdir"
		labapt "$CACHE" "$suite" version "$pkg" >"$TOOLS/$pkg.version"
	done
	# "1:1.7.8-1" -> "1.7.8", what `makedumpfile -v` says
	sed 's/^[0-9]*://; s/-[^-]*$//' "$TOOLS/makedumpfile.version" >"$TOOLS/makedumpfile.version.tmp"
	mv "$TOOLS/makedumpfile.version.tmp" "$TOOLS/makedumpfile.version"
	cp "$TOOLS/kexec-tools.version" "$TOOLS/kexec.version"
	rm -rf "$TOOLS/debs" "$TOOLS/root"
	touch "$TOOLS/.stamp"
	log "arm64 tools: makedumpfile $(cat "$TOOLS/makedumpfile.version") (sid), kexec-tools $(cat "$TOOLS/kexec.version") ($ARM64_KEXEC_SUITE) in $((SECONDS - t0)) s"
}

# The loader (PT_INTERP) and every shared object an arm64 ELF needs (DT_NEEDED,
# recursively), found in the extracted packages under ROOT, copied flat into DEST.
bundle_arm64_libs() { # root elf dest
	local root=$1 elf=$2 dest=$3 interp n d found
	interp=$(aarch64-linux-gnu-readelf -lW "$elf" | sed -n 's/.*Requesting program interpreter: \(.*\)]$/\1/p')
	if [ -n "$interp" ] && [ ! -e "$dest/$(basename "$interp")" ]; then
		cp -L "$root$interp" "$dest/$(basename "$interp")" 2>/dev/null ||
			cp -L "$root/usr$interp" "$dest/$(basename "$interp")" ||
			die "arm64: no loader $interp in the packages"
	fi
	for n in $(aarch64-linux-gnu-readelf -dW "$elf" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'); do
		[ -e "$dest/$n" ] && continue
		found=""
		for d in /lib/aarch64-linux-gnu /usr/lib/aarch64-linux-gnu; do
			if [ -e "$root$d/$n" ]; then found=$root$d/$n; break; fi
		done
		[ -n "$found" ] || die "arm64: $n (needed by $(basename "$elf")) is in none of the packages"
		cp -L "$found" "$dest/$n"
		bundle_arm64_libs "$root" "$found" "$dest"
	done
}

# the kdump tools of a guest's architecture -> sets TOOLS
prepare_kdump_tools() { # gen
	if [ "$(gen_arch "$1")" = arm64 ]; then prepare_tools_arm64; else prepare_tools; fi
}

# --- one kernel: image (vmlinuz + modules) and the -dbg vmlinux, cached by package version
prepare_kernel() { # gen -> sets KDIR
	local gen=$1 suite=${SUITE[$1]}
	apt_update "$suite"
	local pkg ver cands
	# newest first; a version whose -dbg the mirror cannot deliver is skipped (seen with
	# bullseye-security, whose -dbg packages are listed but not served)
	cands=$(labapt "$CACHE" "$suite" kernels)
	[ -n "$cands" ] || die "no linux-image-cloud-$APT_ARCH in $suite"
	while read -r pkg ver; do
		KDIR=$CACHE/kernels/${pkg}_${ver//:/_}
		[ -f "$KDIR/.stamp" ] && return 0
		if extract_kernel "$suite" "$pkg" "$ver"; then return 0; fi
		log "$pkg $ver unusable (see $CACHE/download.log), trying an older version"
	done <<<"$cands"
	die "no usable kernel in $suite"
}

extract_kernel() { # suite pkg ver
	local suite=$1 pkg=$2 ver=$3
	local debs
	debs=$CACHE/debs/$(apt_key "$suite")
	mkdir -p "$debs"
	local parts part dbg need=()
	parts=$(labapt "$CACHE" "$suite" parts "$pkg" "$ver") || return 1
	for part in $parts "$pkg-dbg"; do
		ls "$debs/${part}_${ver#*:}_"*.deb >/dev/null 2>&1 || need+=("$part=$ver")
	done
	if [ ${#need[@]} -gt 0 ]; then
		log "download ($(apt_key "$suite")): ${need[*]}"
		labapt "$CACHE" "$suite" download "$debs" "${need[@]}" \
			>"$CACHE/download.log" 2>&1 || return 1
	fi
	dbg=$(ls "$debs/${pkg}-dbg_${ver#*:}_"*.deb | head -1)
	rm -rf "$KDIR"
	mkdir -p "$KDIR/root"
	log "extract $pkg $ver"
	for part in $parts; do
		dpkg-deb -x "$(ls "$debs/${part}_${ver#*:}_"*.deb | head -1)" "$KDIR/root"
	done
	# from the -dbg package extract ONLY the vmlinux
	mkdir -p "$KDIR/dbg"
	# (bullseye..trixie: usr/lib/debug/boot/vmlinux-KVER is the file; sid: it is a symlink
	# to usr/lib/debug/lib/modules/KVER/vmlinux; one of the two patterns may not match)
	dpkg-deb --fsys-tarfile "$dbg" | tar -x -C "$KDIR/dbg" --wildcards --no-wildcards-match-slash \
		'./usr/lib/debug/boot/vmlinux-*' './usr/lib/debug/lib/modules/*/vmlinux' 2>/dev/null || true
	local vml
	vml=$(readlink -f "$(ls -d "$KDIR"/dbg/usr/lib/debug/boot/vmlinux-* 2>/dev/null | head -1)" || true)
	[ -f "$vml" ] || vml=$(find "$KDIR/dbg" -type f -name vmlinux | head -1 || true)
	[ -n "$vml" ] && [ -f "$vml" ] || die "no vmlinux in $dbg"
	mv "$vml" "$KDIR/vmlinux"
	rm -rf "$KDIR/dbg"
	local kver
	kver=$(basename "$(ls -d "$KDIR"/root/lib/modules/* "$KDIR"/root/usr/lib/modules/* 2>/dev/null | head -1 || true)")
	[ -n "$kver" ] || die "no modules dir in $pkg $ver"
	echo "$kver" >"$KDIR/kver"
	echo "$pkg" >"$KDIR/package"
	echo "$ver" >"$KDIR/version"
	echo "$KDIR/root" >"$KDIR/modroot.path"
	local vmlinuz
	vmlinuz=$(ls "$KDIR"/root/boot/vmlinuz-* "$KDIR"/root/usr/lib/modules/*/vmlinuz 2>/dev/null | head -1 || true)
	[ -n "$vmlinuz" ] || die "no vmlinuz in $pkg $ver"
	cp "$vmlinuz" "$KDIR/vmlinuz"
	# keep the cache lean: the -dbg .deb is big and only its vmlinux is used
	rm -f "$dbg"
	touch "$KDIR/.stamp"
}

# --- headers for out-of-tree modules: linux-headers-KVER, its -common and linux-kbuild-*
# packages of the exact kernel version, extracted into one root (their symlinks are
# relative) under the kernel's cache folder
prepare_headers() { # gen (KDIR set) -> sets HDR (the linux-headers-KVER build dir)
	local gen=$1 suite=${SUITE[$1]}
	local kver ver
	kver=$(cat "$KDIR/kver")
	ver=$(cat "$KDIR/version")
	HDR=$KDIR/headers/usr/src/linux-headers-$kver
	[ -f "$KDIR/headers/.stamp" ] && return 0
	apt_update "$suite"
	local debs=$CACHE/debs/$suite parts p need=()
	parts=$(python3 "$LAB_DIR/labapt.py" "$CACHE" "$suite" headers "$kver" "$ver") ||
		die "cannot resolve the headers packages of $kver"
	mkdir -p "$debs"
	for p in $parts; do
		ls "$debs/${p}_${ver#*:}_"*.deb >/dev/null 2>&1 || need+=("$p=$ver")
	done
	if [ ${#need[@]} -gt 0 ]; then
		log "download ($suite): ${need[*]}"
		python3 "$LAB_DIR/labapt.py" "$CACHE" "$suite" download "$debs" "${need[@]}" \
			>"$CACHE/download.log" 2>&1 || { cat "$CACHE/download.log" >&2; die "headers download failed"; }
	fi
	rm -rf "$KDIR/headers"
	mkdir -p "$KDIR/headers"
	for p in $parts; do
		dpkg-deb -x "$(ls "$debs/${p}_${ver#*:}_"*.deb | head -1)" "$KDIR/headers"
	done
	[ -f "$HDR/Makefile" ] || die "no $HDR/Makefile in the headers packages"
	# Debian's arch Makefile includes the -common one by its absolute installed path
	sed -i "s|^include /usr/src/|include $KDIR/headers/usr/src/|" "$HDR/Makefile"
	touch "$KDIR/headers/.stamp"
}

# A chroot of SUITE holding GCC, make, libc6-dev and pahole (the module's BTF), made once
# with debootstrap from the machine's own Debian mirror (labapt.py mirror) and cached
# -> sets CHROOT.
suite_chroot() { # suite gcc
	local suite=$1 gcc=$2 t0=$SECONDS mirror
	CHROOT=$CACHE/chroot-$suite
	[ -f "$CHROOT/.stamp-$gcc" ] && return 0
	command -v debootstrap >/dev/null 2>&1 || die "missing tool debootstrap (see tests/lab/deps.txt)"
	mirror=$(python3 "$LAB_DIR/labapt.py" "$CACHE" "$suite" mirror) || die "no Debian mirror"
	log "$suite: debootstrap a module build chroot with $gcc (once; cached)"
	rm -rf "$CHROOT"
	debootstrap --variant=minbase --include="$gcc,make,libc6-dev,libelf1t64,dwarves" "$suite" "$CHROOT" \
		"$mirror" >"$CACHE/debootstrap-$suite.log" 2>&1 ||
		{ tail -20 "$CACHE/debootstrap-$suite.log" >&2; die "debootstrap of $suite failed"; }
	touch "$CHROOT/.stamp-$gcc"
	log "$suite: chroot ready in $((SECONDS - t0)) s ($(du -sh "$CHROOT" | cut -f1))"
}

# make M=SRC modules for the headers HDR in the chroot of gen's suite, with the gcc the
# kernel's .config names: the headers and SRC are copied to the same absolute paths inside
# (the headers' Makefile includes the -common one by its absolute path)
chroot_make_module() { # gen src log
	local gen=$1 src=$2 out=$3 gcc
	gcc=$(grep -m1 '^CONFIG_CC_VERSION_TEXT=' "$HDR/.config" | grep -o 'gcc-[0-9]*' | head -1)
	[ -n "$gcc" ] || die "no gcc-N in $HDR/.config's CONFIG_CC_VERSION_TEXT"
	suite_chroot "${SUITE[$gen]}" "$gcc"
	if [ ! -f "$CHROOT$KDIR/headers/.stamp" ]; then
		rm -rf "$CHROOT$KDIR/headers"
		mkdir -p "$CHROOT$KDIR"
		cp -a "$KDIR/headers" "$CHROOT$KDIR/headers"
	fi
	# 7.x headers also name each other by their installed /usr/src paths
	local d
	for d in "$KDIR"/headers/usr/src/*/; do
		ln -sfn "${d%/}" "$CHROOT/usr/src/$(basename "$d")"
	done
	rm -rf "$CHROOT$src"
	mkdir -p "$(dirname "$CHROOT$src")"
	cp -r "$src" "$CHROOT$src"
	# objtool (7.x) reads /proc: a proc of its own in a private mount and pid namespace,
	# gone with the command
	unshare --mount --pid --fork chroot "$CHROOT" sh -c \
		'mount -t proc proc /proc && exec make -C "$1" M="$2" CC="$3" modules' \
		sh "$HDR" "$src" "$gcc" >"$out" 2>&1 || return 1
	cp "$CHROOT$src"/*.ko "$src/"
}

# the anti-forensics module for the kernel of KDIR into DEST (host gcc for 5.10 and 6.1:
# 5.10 was built with gcc-10, which Debian 12 lacks; gcc-12 builds a module it loads fine,
# vermagic holds no compiler version; a chroot of the kernel's suite for 6.12+)
build_af_module() { # gen dest
	local gen=$1 dest=$2 t0=$SECONDS
	prepare_headers "$gen"
	local src=$build/af
	rm -rf "$src"
	cp -r "$LAB_DIR/antiforensics" "$src"
	if [ "${AF_MODULE[$gen]}" = chroot ]; then
		chroot_make_module "$gen" "$src" "$build/af-build.log"
	else
		make -C "$HDR" M="$src" CC=gcc modules >"$build/af-build.log" 2>&1
	fi || { cat "$build/af-build.log" >&2; die "anti-forensics module build failed"; }
	mkdir -p "$dest"
	cp "$src/vh_af.ko" "$dest/"
	log "anti-forensics module built for $(cat "$KDIR/kver") in $((SECONDS - t0)) s"
}

# LiME (lime-forensics-dkms: the module's source as Debian ships it for DKMS) for the kernel
# of KDIR into DEST, built exactly like the anti-forensics module; DEST/version holds the
# package's version. The package is downloaded (never installed) into the suite's debs.
build_lime_module() { # gen dest
	local gen=$1 dest=$2 t0=$SECONDS suite=${SUITE[$1]}
	prepare_headers "$gen"
	local debs=$CACHE/debs/$suite deb
	if ! ls "$debs"/lime-forensics-dkms_*.deb >/dev/null 2>&1; then
		apt_update "$suite"
		download "$suite" "$debs" lime-forensics-dkms
	fi
	deb=$(ls "$debs"/lime-forensics-dkms_*.deb | sort -V | tail -1)
	rm -rf "$build/lime-deb"
	mkdir -p "$build/lime-deb"
	dpkg-deb -x "$deb" "$build/lime-deb"
	local src
	src=$(ls -d "$build"/lime-deb/usr/src/lime-forensics-* | head -1)
	[ -f "$src/main.c" ] || die "no LiME source in $deb"
	# the package's Makefile builds for the running kernel; Kbuild takes only its object list
	grep -E '^(obj-m|lime-objs)[[:space:]]*:?=' "$src/Makefile" >"$src/Kbuild"
	grep -q '^obj-m' "$src/Kbuild" || die "LiME's Makefile has no obj-m line"
	make -C "$HDR" M="$src" CC=gcc modules >"$build/lime-build.log" 2>&1 ||
		{ cat "$build/lime-build.log" >&2; die "LiME module build failed"; }
	mkdir -p "$dest"
	cp "$src/lime.ko" "$dest/"
	dpkg-deb -f "$deb" Version >"$dest/version"
	rm -rf "$build/lime-deb"
	log "LiME $(cat "$dest/version") built for $(cat "$KDIR/kver") in $((SECONDS - t0)) s"
}

# The scenario programs into DEST/bin, and into DEST/lib the shared objects they use:
# lib*.c are built as shared objects (mapped by scenarios, never run: no libc), dyn*.c as
# dynamically linked programs whose loader and libc are the host's glibc, copied to
# /lab/lib (PT_INTERP and rpath name it), every other one statically.
build_scenarios() {
	local dest=$1
	mkdir -p "$dest/bin" "$dest/lib"
	cp "$(readlink -f "$(gcc -print-file-name=libc.so.6)")" "$dest/lib/libc.so.6"
	cp "$(readlink -f /lib64/ld-linux-x86-64.so.2)" "$dest/lib/ld-linux-x86-64.so.2"
	local c name
	for c in "$LAB_DIR"/scenarios/*.c; do
		name=$(basename "$c" .c)
		case $name in
		lib*) gcc -shared -fPIC -nostdlib -O2 -Wall -Wextra -o "$dest/lib/$name.so" "$c" ;;
		dyn*) gcc -O2 -std=gnu11 -Wall -Wextra -Wl,--dynamic-linker=/lab/lib/ld-linux-x86-64.so.2 \
			-Wl,-rpath,/lab/lib -o "$dest/bin/$name" "$c" ;;
		*) gcc -static -O2 -std=gnu11 -Wall -Wextra -o "$dest/bin/$name" "$c" -lpthread ;;
		esac
	done
	for c in "$LAB_DIR"/scenarios/*.py "$LAB_DIR"/scenarios/*.lua; do
		name=$(basename "$c")
		install -m 0755 "$c" "$dest/bin/${name%.*}"
	done
}

# The shared objects PROGRAMS link (ldd), and the dynamic loader, into ROOT at their paths.
copy_libs() { # root program...
	local root=$1 l
	shift
	mkdir -p "$root/lib64"
	cp "$(readlink -f /lib64/ld-linux-x86-64.so.2)" "$root/lib64/ld-linux-x86-64.so.2"
	for l in $(ldd "$@" | awk '$2 == "=>" && $3 ~ /^\// {print $3}' | sort -u); do
		mkdir -p "$root$(dirname "$l")"
		cp "$(readlink -f "$l")" "$root$l"
	done
}

# The host's Debian luajit in ROOT at its own path, with the libraries it links: the
# runtime of the jitlua scenario (about 1 MB).
add_luajit() { # root
	local root=$1 lj
	lj=$(readlink -f /usr/bin/luajit)
	mkdir -p "$root/usr/bin"
	cp "$lj" "$root/usr/bin/$(basename "$lj")"
	# /usr/bin/luajit is the program itself or (older packages) a link to a versioned name
	[ "$(basename "$lj")" = luajit ] || ln -sfn "$(basename "$lj")" "$root/usr/bin/luajit"
	copy_libs "$root" "$lj"
}

# The host's Debian python3 in ROOT at its own paths (so it runs as on Debian), with the
# libraries it and its _ctypes module link and the few stdlib files `import ctypes`
# needs: the runtime of the pyffi scenario (about 10 MB).
add_python() { # root
	local root=$1 py ver ctypes_so f l
	py=$(readlink -f /usr/bin/python3)
	ver=$(basename "$py")
	ctypes_so=$(ls /usr/lib/"$ver"/lib-dynload/_ctypes.cpython-*.so | head -1)
	mkdir -p "$root/usr/bin" "$root/lib64" "$root/usr/lib/$ver/lib-dynload"
	cp "$py" "$root/usr/bin/$ver"
	ln -sfn "$ver" "$root/usr/bin/python3"
	copy_libs "$root" "$py" "$ctypes_so"
	for f in os.py struct.py types.py ctypes/__init__.py ctypes/_endian.py \
		encodings/__init__.py encodings/aliases.py encodings/utf_8.py; do
		mkdir -p "$root/usr/lib/$ver/$(dirname "$f")"
		cp "/usr/lib/$ver/$f" "$root/usr/lib/$ver/$f"
	done
	cp "$ctypes_so" "$root/usr/lib/$ver/lib-dynload/"
}

# --- arm64 guests' user space: Debian arm64 packages of ARM64_USER_SUITE (downloaded
# into debs/SUITE-arm64, extracted, never installed): busybox-static, and the python3 and
# luajit runtimes with the libraries they link (their own libc6 and loader) -> sets UL
prepare_arm64_userland() {
	UL=$CACHE/arm64-userland
	[ -f "$UL/.stamp" ] && return 0
	local suite=$ARM64_USER_SUITE t0=$SECONDS py
	apt_update "$suite"
	py=python$(labapt "$CACHE" "$suite" version python3 | sed 's/^\([0-9]*\.[0-9]*\).*/\1/')
	local debs=$CACHE/debs/$suite-arm64
	download "$suite" "$debs" busybox-static "$py-minimal" "lib$py-minimal" "lib$py-stdlib" \
		libffi8 libexpat1 zlib1g libc6 libgcc-s1 luajit libluajit-5.1-2
	rm -rf "$UL"
	mkdir -p "$UL/root"
	local p
	for p in busybox-static "$py-minimal" "lib$py-minimal" "lib$py-stdlib" libffi8 libexpat1 \
		zlib1g libc6 libgcc-s1 luajit libluajit-5.1-2; do
		dpkg-deb -x "$(ls "$debs/${p}_"*_arm64.deb | sort -V | tail -1)" "$UL/root"
	done
	echo "$py" >"$UL/python"
	[ -x "$UL/root/bin/busybox" ] || die "no bin/busybox in the arm64 busybox-static"
	touch "$UL/.stamp"
	log "arm64 user space ($suite: busybox, $py, luajit) ready in $((SECONDS - t0)) s"
}

# FILE (an arm64 ELF of the arm64 user space) into ROOT at PATH, with every shared object
# it needs (DT_NEEDED, recursively, looked up in the user space's library folders) at
# their own paths, and its loader (PT_INTERP).
copy_arm64_elf() { # root file path
	local root=$1 file=$2 path=$3 n d found interp
	mkdir -p "$root$(dirname "$path")"
	cp -L "$file" "$root$path"
	interp=$(aarch64-linux-gnu-readelf -lW "$file" | sed -n 's/.*Requesting program interpreter: \(.*\)]$/\1/p')
	if [ -n "$interp" ] && [ ! -e "$root$interp" ]; then
		mkdir -p "$root$(dirname "$interp")"
		cp -L "$UL/root$interp" "$root$interp"
	fi
	for n in $(aarch64-linux-gnu-readelf -dW "$file" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'); do
		found=""
		for d in /lib/aarch64-linux-gnu /usr/lib/aarch64-linux-gnu; do
			if [ -e "$UL/root$d/$n" ]; then found=$d/$n; break; fi
		done
		[ -n "$found" ] || die "arm64: $n (needed by $path) is in none of the arm64 packages"
		[ -e "$root$found" ] || copy_arm64_elf "$root" "$UL/root$found" "$found"
	done
}

# The arm64 python3 and luajit in ROOT at their own paths (as add_python / add_luajit do
# for the host's): the runtimes of the pyffi and jitlua scenarios.
add_arm64_runtimes() { # root
	local root=$1 py ctypes_so f
	py=$(cat "$UL/python")
	ctypes_so=$(ls "$UL"/root/usr/lib/"$py"/lib-dynload/_ctypes.cpython-*.so | head -1)
	copy_arm64_elf "$root" "$UL/root/usr/bin/$py" "/usr/bin/$py"
	ln -sfn "$py" "$root/usr/bin/python3"
	copy_arm64_elf "$root" "$ctypes_so" "${ctypes_so#"$UL/root"}"
	for f in os.py struct.py types.py ctypes/__init__.py ctypes/_endian.py \
		encodings/__init__.py encodings/aliases.py encodings/utf_8.py; do
		mkdir -p "$root/usr/lib/$py/$(dirname "$f")"
		cp "$UL/root/usr/lib/$py/$f" "$root/usr/lib/$py/$f"
	done
	local lj
	lj=$(readlink -f "$UL/root/usr/bin/luajit")
	copy_arm64_elf "$root" "$lj" "/usr/bin/$(basename "$lj")"
	[ "$(basename "$lj")" = luajit ] || ln -sfn "$(basename "$lj")" "$root/usr/bin/luajit"
}

# The scenario programs for arm64 into DEST, as build_scenarios does for x86-64, with the
# cross compiler: dyn*.c against its glibc (Debian's libc6-arm64-cross: the libc.so.6 and
# loader copied to /lab/lib), every other one statically.
build_scenarios_arm64() {
	local dest=$1 cc=aarch64-linux-gnu-gcc sysroot
	sysroot=$(dirname "$(readlink -f "$($cc -print-file-name=libc.so.6)")")
	mkdir -p "$dest/bin" "$dest/lib"
	cp "$sysroot/libc.so.6" "$dest/lib/libc.so.6"
	cp "$(readlink -f "$sysroot/ld-linux-aarch64.so.1")" "$dest/lib/ld-linux-aarch64.so.1"
	local c name
	for c in "$LAB_DIR"/scenarios/*.c; do
		name=$(basename "$c" .c)
		case $name in
		lib*) $cc -shared -fPIC -nostdlib -O2 -Wall -Wextra -o "$dest/lib/$name.so" "$c" ;;
		dyn*) $cc -O2 -std=gnu11 -Wall -Wextra -Wl,--dynamic-linker=/lab/lib/ld-linux-aarch64.so.1 \
			-Wl,-rpath,/lab/lib -o "$dest/bin/$name" "$c" ;;
		*) $cc -static -O2 -std=gnu11 -Wall -Wextra -o "$dest/bin/$name" "$c" -lpthread ;;
		esac
	done
	for c in "$LAB_DIR"/scenarios/*.py "$LAB_DIR"/scenarios/*.lua; do
		name=$(basename "$c")
		install -m 0755 "$c" "$dest/bin/${name%.*}"
	done
}

# --- one guest run: gen, variant name (""|la57|novmcoreinfo|a72), kdump (0|1)
run_guest() {
	local gen=$1 variant=$2 kdump=$3
	local name=$gen${variant:+-$variant}
	local dir=$OUT/$name
	if [ "$FORCE" = 0 ] && [ -f "$dir/.complete" ] && [ "$(cat "$dir/.complete")" = "$LAB_HASH kdump=$kdump" ]; then
		if [ "$(cat "$dir/.post" 2>/dev/null)" != "$POST_HASH" ]; then
			log "$name: guest up to date; redoing truth/manifest/checks"
			KDIR=$(dirname "$(readlink "$dir/vmlinux")")
			APT_ARCH=$(gen_arch "$gen")
			[ "$kdump" = 1 ] && prepare_kdump_tools "$gen"
			local secs
			secs=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("build_seconds") or 0)' \
				"$dir/manifest.json" 2>/dev/null || echo 0)
			postprocess "$dir" "$kdump" "$secs"
		fi
		log "$name: up to date, skipped"
		return 0
	fi
	local t0=$SECONDS arch
	arch=$(gen_arch "$gen")
	APT_ARCH=$arch
	prepare_kernel "$gen"
	if [ "$arch" = arm64 ]; then
		prepare_arm64_userland
		BUSYBOX=$UL/root/bin/busybox
	fi
	[ "$kdump" = 1 ] && prepare_kdump_tools "$gen"
	local kver
	kver=$(cat "$KDIR/kver")
	log "$name: kernel $(cat "$KDIR/package") $(cat "$KDIR/version")"
	# (under the output folder, not the shared cache: builds into different output folders
	# may run at the same time)
	local build=$OUT/.build/$name
	rm -rf "$build" "$dir"
	mkdir -p "$build" "$dir"
	local mroot
	mroot=$(cat "$KDIR/modroot.path")

	# capture initramfs (kdump): busybox, makedumpfile + libs, virtio block modules
	if [ "$kdump" = 1 ]; then
		local cap=$build/capture
		mkdir -p "$cap/bin" "$cap/lab/tools"
		cp "$BUSYBOX" "$cap/bin/busybox"
		ln -s busybox "$cap/bin/sh"
		cp "$LAB_DIR/guest/capture-init" "$cap/init"
		cp -r "$TOOLS/bundle/lib" "$cap/lab/tools/lib"
		mkdir -p "$cap/lab/tools/bin"
		cp "$TOOLS/bundle/bin/makedumpfile" "$cap/lab/tools/bin/"
		python3 "$LAB_DIR/modules.py" "$mroot" "$kver" "$cap/lab/modules" "$cap/lab/modules-capture.txt" \
			virtio_pci virtio_blk ext4 >/dev/null
		if [ "$arch" = arm64 ]; then
			# the control port (a virtio serial port), as in the first kernel
			python3 "$LAB_DIR/modules.py" "$mroot" "$kver" "$cap/lab/modules" "$cap/lab/modules-early.txt" \
				virtio_pci virtio_console >/dev/null
		fi
		python3 "$LAB_DIR/mkcpio.py" "$cap" "$build/capture.img"
	fi

	# first-kernel initramfs
	local rd=$build/initrd
	mkdir -p "$rd/bin" "$rd/lab"
	cp "$BUSYBOX" "$rd/bin/busybox"
	ln -s busybox "$rd/bin/sh"
	cp "$LAB_DIR/guest/init" "$rd/init"
	if [ "$arch" = arm64 ]; then
		build_scenarios_arm64 "$rd/lab"
		add_arm64_runtimes "$rd"
		# the control port is a virtio serial port: its drivers before anything else
		python3 "$LAB_DIR/modules.py" "$mroot" "$kver" "$rd/lab/modules" "$rd/lab/modules-early.txt" \
			virtio_pci virtio_console >/dev/null
	else
		build_scenarios "$rd/lab"
		add_python "$rd"
		add_luajit "$rd"
	fi
	if [ -n "${AF_MODULE[$gen]:-}" ]; then build_af_module "$gen" "$rd/lab/modules-af"; fi
	local lime=0
	if [ "$kdump" = 1 ] && [ -n "${LIME_MODULE[$gen]:-}" ]; then
		lime=1
		build_lime_module "$gen" "$rd/lab/modules-lime"
		# LiME writes files onto the kdump disk's ext4: its drivers, loaded by /init for LiME
		python3 "$LAB_DIR/modules.py" "$mroot" "$kver" "$rd/lab/modules" "$rd/lab/modules-lime.txt" \
			virtio_pci virtio_blk ext4 >/dev/null
	fi
	if [ "$variant" != novmcoreinfo ]; then
		python3 "$LAB_DIR/modules.py" "$mroot" "$kver" "$rd/lab/modules" "$rd/lab/modules-first.txt" qemu_fw_cfg >/dev/null
	fi
	# proc_mem.force_override=always: 6.12+ kernels may be built to refuse writes through
	# /proc/PID/mem to read-only mappings unless ptraced (7.x Debian: EIO); the codepatch
	# scenario patches its own code that way, as older kernels always allowed.
	local append="vh.variant=$name vh.kdump=$kdump proc_mem.force_override=always"
	[ "$variant" = novmcoreinfo ] && append="$append vh.fwcfg=0"
	if [ "$kdump" = 1 ]; then
		cp "$build/capture.img" "$rd/lab/capture.img"
		cp "$KDIR/vmlinuz" "$rd/lab/vmlinuz"
		mkdir -p "$rd/lab/tools/bin"
		cp -r "$TOOLS/bundle/lib" "$rd/lab/tools/lib"
		cp "$TOOLS/bundle/bin/kexec" "$rd/lab/tools/bin/"
		if [ "$arch" = arm64 ]; then
			# kexec's own libraries (another suite than makedumpfile's); 1 GiB guests
			cp -r "$TOOLS/bundle/kexec-lib" "$rd/lab/tools/kexec-lib"
			# _stext - _text of the kernel (vmlinux): /init gives kexec a _text when the
			# kernel's /proc/kallsyms lacks it (6.1: no KALLSYMS_ALL)
			aarch64-linux-gnu-nm "$KDIR/vmlinux" | python3 -c '
import sys
s = {l.split()[2]: int(l.split()[0], 16) for l in sys.stdin if len(l.split()) == 3}
print(s["_stext"] - s["_text"])' >"$rd/lab/kallsyms-text-delta"
			append="$append crashkernel=256M"
		else
			append="$append crashkernel=160M"
		fi
	fi
	python3 "$LAB_DIR/mkcpio.py" "$rd" "$build/initrd.img"

	local args=(--kernel "$KDIR/vmlinuz" --initrd "$build/initrd.img" --out "$dir" --append "$append")
	local cpu
	if [ "$arch" = arm64 ]; then
		# -cpu max: LPA2, so 6.12+ run 52-bit virtual addresses; the a72 variant: 48 bits
		if [ "$variant" = a72 ]; then cpu=cortex-a72; else cpu=max,pauth-impdef=on; fi
		args+=(--arch aarch64 --cpu "$cpu")
		# kdump: a 256 MiB crashkernel region (the arm64 capture kernel and its initramfs)
		if [ "$kdump" = 1 ]; then args+=(--mem 1G); fi
	# QEMU's "max" CPU has la57: the ordinary guests run 4-level paging (-la57)
	elif [ "$variant" = la57 ]; then cpu=max,+la57; args+=(--cpu "$cpu")
	else cpu=max,-la57; args+=(--cpu "$cpu"); fi
	[ "$variant" = novmcoreinfo ] && args+=(--no-vmcoreinfo)
	if [ "$kdump" = 1 ]; then
		truncate -s 0 "$build/kdump-disk.img"
		truncate -s 4G "$build/kdump-disk.img"
		mkfs.ext4 -q -F -O ^metadata_csum,^has_journal -L vmahunt-kdump "$build/kdump-disk.img"
		args+=(--kdump-disk "$build/kdump-disk.img")
	fi
	if [ "$lime" = 1 ]; then args+=(--lime); fi
	local try
	for try in 1 2; do
		log "$name: booting guest (TCG, try $try)"
		if python3 "$LAB_DIR/labrun.py" "${args[@]}"; then break; fi
		log "$name: guest run failed; last control/console lines:"
		tail -n 20 "$dir/control.log" >&2 || true
		tail -n 30 "$dir/console.log" >&2 || true
		cat "$dir/qemu.stdout" >&2 || true
		# a guest has been seen to fail once at start for no reason found: retry once
		[ "$try" = 2 ] && return 1
		if [ "$kdump" = 1 ]; then
			truncate -s 0 "$build/kdump-disk.img"
			truncate -s 4G "$build/kdump-disk.img"
			mkfs.ext4 -q -F -O ^metadata_csum,^has_journal -L vmahunt-kdump "$build/kdump-disk.img"
		fi
		rm -rf "$dir"
		mkdir -p "$dir"
	done
	if [ "$kdump" = 1 ]; then
		local f
		for f in $(debugfs -R 'ls -p /' "$build/kdump-disk.img" 2>/dev/null | awk -F/ '$6 != "" && $6 != "." && $6 != ".." && $6 != "lost+found" {print $6}'); do
			debugfs -R "dump -p /$f $dir/$f" "$build/kdump-disk.img" >/dev/null 2>&1 || die "debugfs dump $f"
		done
		mkdir -p "$dir/logs"
		mv "$dir"/*.log "$dir/logs/" 2>/dev/null || true
		mv "$dir/logs/console.log" "$dir/logs/control.log" "$dir/" 2>/dev/null || true
		rm -f "$build/kdump-disk.img"
	fi
	if [ "$lime" = 1 ]; then
		# the LiME files came out of the kdump disk with the rest: their lengths must be
		# what the guest's RAM ranges give
		python3 "$LAB_DIR/limecheck.py" "$dir/control.log" "$dir" || die "LiME images"
	fi
	echo "$cpu" >"$dir/.cpu"
	postprocess "$dir" "$kdump" $((SECONDS - t0))
	# VMAHUNT_LAB_KEEP_BUILD=1: keep the initramfs trees and images (debugging a guest)
	[ "${VMAHUNT_LAB_KEEP_BUILD:-0}" = 1 ] || rm -rf "$build"
	echo "$LAB_HASH kdump=$kdump" >"$dir/.complete"
	log "$name: done in $((SECONDS - t0)) s"
}

# truth.json, manifest.json and the fixture checks of one output folder
postprocess() { # dir kdump seconds
	local dir=$1 kdump=$2 secs=$3
	chmod 0644 "$dir"/*.elf "$dir"/*.kdump "$dir"/*.flat "$dir"/*.lime "$dir"/*.bin 2>/dev/null || true
	ln -sfn "$KDIR/vmlinux" "$dir/vmlinux"
	# the PF_* task flags the kernel's own headers define, when its headers were fetched
	# for the lab's modules (tests/integration/check_taskflags.py)
	local sched
	sched=$(ls "$KDIR"/headers/usr/src/linux-headers-*/include/linux/sched.h 2>/dev/null | head -1 || true)
	if [ -n "$sched" ]; then grep '^#define PF_' "$sched" >"$dir/sched-pf.txt"; fi
	# arm64 guests: their architecture and QEMU CPU model in truth.json / manifest.json
	local archargs=()
	case $(basename "$dir") in
	arm64-*) archargs=(--arch aarch64 --cpu "$(cat "$dir/.cpu" 2>/dev/null || echo max)") ;;
	esac
	python3 "$LAB_DIR/parse_truth.py" "$dir/control.log" "$dir/truth.json" \
		--kernel-package "$(cat "$KDIR/package")" --kernel-version "$(cat "$KDIR/version")" "${archargs[@]}"
	local mdf_ver=""
	[ "$kdump" = 1 ] && mdf_ver=$(cat "$TOOLS/makedumpfile.version")
	case "$dir" in *-novmcoreinfo) local vci=0 ;; *) local vci=1 ;; esac
	python3 "$LAB_DIR/manifest.py" "$dir" --makedumpfile-version "$mdf_ver" \
		--kernel-package "$(cat "$KDIR/package")" --kernel-version "$(cat "$KDIR/version")" \
		--vmcoreinfo-device "$vci" --seconds "$secs" "${archargs[@]}"
	# fixture checks (-d 31 outputs kept what they must); findings go into manifest.json
	python3 "$LAB_DIR/dumpcheck.py" --annotate "$dir" ||
		log "$(basename "$dir"): WARNING: fixture check failed (see above)"
	echo "$POST_HASH" >"$dir/.post"
}

T0=$SECONDS
for g in "${GENS[@]}"; do
	[ -n "${SUITE[$g]:-}" ] || die "unknown kernel generation $g (known: ${!SUITE[*]})"
done
FAILED=()
guest() { # gen variant kdump: one guest in a subshell, so that `set -e` holds inside it
	local rc
	set +e
	(
		set -eE
		GUEST_NAME=$1${2:+-$2}
		trap 'log "$GUEST_NAME: command failed (line $LINENO): $BASH_COMMAND"' ERR
		run_guest "$@"
	)
	rc=$?
	set -e
	if [ $rc != 0 ]; then
		FAILED+=("$1${2:+-$2}")
		log "$1${2:+-$2}: FAILED"
	fi
}
for g in "${GENS[@]}"; do
	if has_variant kdump && { [ "$(gen_arch "$g")" = amd64 ] || [ -n "${ARM64_KDUMP[$g]:-}" ]; }; then
		guest "$g" "" 1
	elif has_variant kdump || has_variant qemu; then
		# arm64-6.1: QEMU dumps only (README "arm64 guests")
		guest "$g" "" 0
	fi
	if [ "$g" = "$A72_VARIANT_KERNEL" ] && has_variant a72; then
		guest "$g" a72 0
	fi
	if [ "$g" = "$EXTRA_VARIANT_KERNEL" ]; then
		for v in la57 novmcoreinfo; do
			if has_variant "$v"; then guest "$g" "$v" 0; fi
		done
	fi
done
log "lab finished in $((SECONDS - T0)) s; output in $OUT"
if [ ${#FAILED[@]} -gt 0 ]; then
	die "failed: ${FAILED[*]}"
fi
