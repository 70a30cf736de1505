#!/usr/bin/env bash
# bench/core.sh: vmahunt maps and scan of a large process core, plain and
# zstd-compressed (as systemd-coredump stores it). Prints figures; asserts nothing.
#
# Usage: bench/core.sh [--vmahunt PATH] [--mib N] [--level L]
#   --mib N    anonymous memory the dumped process fills (default 1024)
#   --level L  zstd level of the compressed copy (default 3, systemd's)
# Needs a C compiler, zstd, GNU time (/usr/bin/time) or falls back to bash's time,
# and core_pattern writing a plain file ("core"), as the kernel dumps the process.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
vmahunt=$here/../build/vmahunt
mib=1024
level=3
while [ $# -gt 0 ]; do
	case "$1" in
	--vmahunt) vmahunt=$(realpath "$2"); shift 2 ;;
	--mib) mib=$2; shift 2 ;;
	--level) level=$2; shift 2 ;;
	*) echo "usage: $0 [--vmahunt PATH] [--mib N] [--level L]" >&2; exit 2 ;;
	esac
done
pattern=$(cat /proc/sys/kernel/core_pattern)
case "$pattern" in
\|* | */* | *%*) echo "core_pattern is '$pattern': needs a plain file name" >&2; exit 1 ;;
esac
work=$(mktemp -d -t vmahunt-bench-core.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
cat > big.c <<'C'
/* Fills N MiB of anonymous memory (half compressible text, half random bytes)
 * in 1 MiB mappings, plants one rwx page with a syscall stub, then waits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	long mib = atol(argv[1]);
	unsigned x = 12345;
	for (long i = 0; i < mib; i++) {
		unsigned char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return 1;
		for (size_t k = 0; k < (1u << 20); k++)
			p[k] = (i & 1) ? (unsigned char)((x = x * 1103515245 + 12345) >> 16)
				       : "vmahunt bench "[k % 14];
		if (i % 3 == 0) /* a gap, so the mappings stay separate VMAs */
			mprotect(p, 4096, PROT_READ);
	}
	unsigned char *c = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memcpy(c, "\xb8\x27\x00\x00\x00\x0f\x05\xc3", 8);
	puts("#READY");
	fflush(stdout);
	pause();
	return 0;
}
C
cc -O2 -o big big.c
ulimit -c unlimited
./big "$mib" > ready.txt &
pid=$!
until grep -q READY ready.txt 2>/dev/null; do sleep 0.2; done
kill -ABRT $pid
wait $pid || true
core=$(ls core* | head -1)
mv "$core" big.core
t0=$(date +%s.%N)
zstd -q -"$level" -T1 big.core -o big.core.zst
t1=$(date +%s.%N)
plain=$(stat -c %s big.core)
comp=$(stat -c %s big.core.zst)
printf 'core: %d MiB anonymous memory filled; plain %.1f MiB, zstd -%s %.1f MiB (%.2fx) in %.1f s\n' \
	"$mib" "$(echo "$plain / 1048576" | bc -l)" "$level" "$(echo "$comp / 1048576" | bc -l)" \
	"$(echo "$plain / $comp" | bc -l)" "$(echo "$t1 - $t0" | bc -l)"
t1=$(date +%s.%N)
zstd -q -d -c big.core.zst > /dev/null
t2=$(date +%s.%N)
printf 'reference: zstd -d of the whole core to /dev/null %.2f s\n' "$(echo "$t2 - $t1" | bc -l)"
measure() { # label, command...
	local label=$1 w m
	shift
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f '%e %M' -o "$work/time.txt" "$@" > /dev/null 2>&1 || true
		read -r w m < "$work/time.txt"
		printf '%-22s wall %6s s  peak RSS %7s KiB\n' "$label" "$w" "$m"
	else
		local s e
		s=$(date +%s.%N)
		"$@" > /dev/null 2>&1
		e=$(date +%s.%N)
		printf '%-22s wall %6.2f s\n' "$label" "$(echo "$e - $s" | bc -l)"
	fi
}
vmas=$("$vmahunt" maps big.core | grep -vc '^#')
echo "vmas: $vmas"
for f in big.core big.core.zst; do
	measure "info $f" "$vmahunt" info "$f"
	measure "maps $f" "$vmahunt" maps "$f"
	measure "scan $f" "$vmahunt" scan "$f"
done
