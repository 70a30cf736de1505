#!/usr/bin/env bash
# Installs everything vmahunt needs to build, test and run its lab on Debian 12.
# Idempotent: packages already present are left alone. Run as root (or via sudo).
set -euo pipefail

# clang and dpkg-dev (dpkg-buildflags; build-essential pulls it in too) are for
# scripts/build-matrix.sh: vmahunt must build clean with clang and with the
# flags a Debian package is built with. libyara-dev builds plugins/yara (YARA
# rules over process memory); yara, its command line, is what bench/yara.sh
# compares the plugin with. chromium renders vmahunt report's HTML in the
# browser tests (tests/integration/test_html_*.sh). gdb and elfutils (eu-stack)
# load the cores vmahunt core writes (tests/integration/test_core_gdb.sh);
# gdb-multiarch those of arm64 processes (test_core_gdb_arm64.sh).
# gcc-aarch64-linux-gnu (with libc6-dev-arm64-cross) builds a static aarch64 test
# program and qemu-user runs it and writes its aarch64 core
# (tests/integration/test_core_arm64.sh).
build_pkgs=(build-essential cmake pkg-config libelf-dev libdw-dev libcapstone-dev
	libzstd-dev zlib1g-dev liblzo2-dev libsnappy-dev libssl-dev libcmocka-dev clang-format git
		gdb elfutils zstd clang dpkg-dev libyara-dev yara chromium
		gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user gdb-multiarch)
# The test lab boots real Debian kernels under QEMU and dumps them; its own
# list (tests/lab/deps.txt) names what it needs; xz-utils unpacks the sample's truth.
here=$(cd "$(dirname "$0")" && pwd)
mapfile -t lab_pkgs < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$here/../tests/lab/deps.txt")
lab_pkgs+=(xz-utils)

want=("${build_pkgs[@]}")
if [ "${VMAHUNT_NO_LAB:-0}" != 1 ]; then
	want+=("${lab_pkgs[@]}")
fi

missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all ${#want[@]} packages present"
	exit 0
fi
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
