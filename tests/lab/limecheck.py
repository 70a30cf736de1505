#!/usr/bin/env python3
"""Check the LiME images a lab guest wrote (tests/lab/README.md, "LiME").

Usage: limecheck.py CONTROL_LOG DIR

The guest's /init ran `insmod lime.ko path=FILE format=FORMAT` for each format, into
files of the kdump disk's file system (read out by the host), and printed the
"System RAM" resources LiME walks (`@@VH LIME-RAM start-end : System RAM`, inclusive
ends) and `@@VH LIME-FILE FORMAT rc=... file=FILE size=BYTES ...`. Each image's exact
length follows from those ranges:
  lime    every range: a 32-byte header + its bytes
  padded  zeros up to each range, then its bytes: the last range's end + 1
  raw     the ranges' bytes, concatenated
Every file must be in DIR with that length (and the size the guest saw), from an insmod
that succeeded; for `lime` the headers must chain through the file and name the same
ranges. Exits 1 with a message otherwise.
"""
import os
import re
import struct
import sys

LIME_MAGIC = 0x4C694D45


def expected_length(fmt, ranges):
    if fmt == "lime":
        return sum(e - s + 1 + 32 for s, e in ranges)
    if fmt == "padded":
        return max(e for s, e in ranges) + 1
    if fmt == "raw":
        return sum(e - s + 1 for s, e in ranges)
    sys.exit(f"limecheck: unknown LiME format {fmt}")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    log, d = sys.argv[1:]
    ranges, files = [], {}
    with open(log, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = re.search(r"@@VH LIME-RAM ([0-9a-f]+)-([0-9a-f]+) : System RAM", line)
            if m:
                ranges.append((int(m.group(1), 16), int(m.group(2), 16)))
            m = re.search(r"@@VH LIME-FILE (\S+) rc=(\d+) .*file=(\S+) size=(\d+)", line)
            if m:
                files[m.group(1)] = (int(m.group(2)), m.group(3), int(m.group(4)))
    if not ranges:
        sys.exit(f"limecheck: {log}: no LIME-RAM line (did the guest run LiME?)")
    for fmt in ("lime", "padded", "raw"):
        if fmt not in files:
            sys.exit(f"limecheck: {log}: no LIME-FILE line for format {fmt}")
        rc, name, size = files[fmt]
        if rc != 0:
            sys.exit(f"limecheck: LiME format={fmt} failed in the guest (insmod rc {rc}): see control.log")
        path = os.path.join(d, name)
        length = expected_length(fmt, ranges)
        if not os.path.exists(path):
            sys.exit(f"limecheck: {path} is missing")
        got = os.path.getsize(path)
        if got != length or size != length:
            sys.exit(f"limecheck: {path}: {got} bytes (the guest saw {size}), the {fmt} image of "
                     f"{len(ranges)} RAM ranges has {length}")
        if fmt == "lime":
            with open(path, "rb") as f:
                off = 0
                for i, (s, e) in enumerate(ranges):
                    f.seek(off)
                    magic, ver, hs, he = struct.unpack("<IIQQ", f.read(24))
                    if magic != LIME_MAGIC or ver != 1 or (hs, he) != (s, e):
                        sys.exit(f"limecheck: {path}: header {i} at {off:#x} is {magic:#x} v{ver} "
                                 f"{hs:#x}-{he:#x}, expected range {s:#x}-{e:#x}")
                    off += 32 + e - s + 1
        print(f"  {name}: LiME {fmt}, {len(ranges)} ranges, {length} bytes")


if __name__ == "__main__":
    main()
