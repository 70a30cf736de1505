#!/usr/bin/env python3
"""Cut a LiME disk of a lab guest to the image LiME wrote, and move it into place.

Usage: limecut.py CONTROL_LOG FORMAT DISK.img OUT_FILE

The guest's /init ran `insmod lime.ko path=/dev/vdX format=FORMAT` onto a fresh sparse
disk and printed the "System RAM" resources LiME walks (`@@VH LIME-RAM start-end : System
RAM`, inclusive ends) and `@@VH LIME-FILE FORMAT rc=...`. The image's exact length follows
from those ranges:
  lime    every range: a 32-byte header + its bytes
  padded  zeros up to each range, then its bytes: the last range's end + 1
  raw     the ranges' bytes, concatenated
The disk must hold nothing past that length (checked with SEEK_DATA), and for `lime`
the headers must chain to exactly that length and name the same ranges. The disk is
truncated to the length and renamed to OUT_FILE (no copy).
"""
import os
import re
import struct
import sys

LIME_MAGIC = 0x4C694D45


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    log, fmt, disk, out = sys.argv[1:]
    ranges = []
    result = None
    with open(log, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = re.search(r"@@VH LIME-RAM ([0-9a-f]+)-([0-9a-f]+) : System RAM", line)
            if m:
                ranges.append((int(m.group(1), 16), int(m.group(2), 16)))
            m = re.search(r"@@VH LIME-FILE (\S+) rc=(\d+)", line)
            if m and m.group(1) == fmt:
                result = int(m.group(2))
    if not ranges:
        sys.exit(f"limecut: {log}: no LIME-RAM line (did the guest run LiME?)")
    if result is None:
        sys.exit(f"limecut: {log}: no LIME-FILE line for format {fmt}")
    if result != 0:
        sys.exit(f"limecut: LiME format={fmt} failed in the guest (insmod rc {result}): see control.log")
    if fmt == "lime":
        length = sum(e - s + 1 + 32 for s, e in ranges)
    elif fmt == "padded":
        length = max(e for s, e in ranges) + 1
    elif fmt == "raw":
        length = sum(e - s + 1 for s, e in ranges)
    else:
        sys.exit(f"limecut: unknown format {fmt}")
    size = os.path.getsize(disk)
    if length > size:
        sys.exit(f"limecut: {disk}: {size} bytes, the {fmt} image needs {length}")
    fd = os.open(disk, os.O_RDONLY)
    try:
        try:
            extra = os.lseek(fd, length, os.SEEK_DATA)
        except OSError:
            extra = None  # ENXIO: no data after the image
        if extra is not None and extra < size:
            # data (or a file system without holes): it must all be zero
            os.lseek(fd, length, os.SEEK_SET)
            while True:
                b = os.read(fd, 1 << 20)
                if not b:
                    break
                if b.count(0) != len(b):
                    sys.exit(f"limecut: {disk}: non-zero bytes after the {length} bytes the {fmt} image "
                             f"should have: LiME wrote more than the RAM ranges")
        if fmt == "lime":
            off = 0
            for i, (s, e) in enumerate(ranges):
                h = os.pread(fd, 32, off)
                magic, ver, hs, he = struct.unpack_from("<IIQQ", h)
                if magic != LIME_MAGIC or ver != 1 or (hs, he) != (s, e):
                    sys.exit(f"limecut: {disk}: header {i} at {off:#x} is {magic:#x} v{ver} "
                             f"{hs:#x}-{he:#x}, expected range {s:#x}-{e:#x}")
                off += 32 + e - s + 1
    finally:
        os.close(fd)
    os.truncate(disk, length)
    os.rename(disk, out)
    print(f"  {os.path.basename(out)}: LiME {fmt}, {len(ranges)} ranges, {length} bytes")


if __name__ == "__main__":
    main()
