#!/usr/bin/env python3
"""Write a gzip-compressed newc cpio archive (an initramfs) of a directory.

Usage: mkcpio.py SRC_DIR OUT.img

Everything is owned by root; /dev/console (char 5:1) is added so the kernel can give
/init a console without needing root rights on the build host to mknod it.
"""
import gzip
import os
import stat
import sys


def header(name, mode, size, ino, nlink=1, rdevmajor=0, rdevminor=0, mtime=0):
    name_b = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, nlink, mtime, size, 0, 0, rdevmajor, rdevminor, len(name_b), 0]
    h = b"070701" + b"".join(b"%08X" % f for f in fields)
    h += name_b
    h += b"\0" * ((4 - len(h) % 4) % 4)
    return h


def pad(n):
    return b"\0" * ((4 - n % 4) % 4)


def main():
    src, out = sys.argv[1], sys.argv[2]
    entries = []
    for root, dirs, files in os.walk(src):
        dirs.sort()
        rel = os.path.relpath(root, src)
        if rel != ".":
            entries.append(rel)
        for f in sorted(files):
            entries.append(os.path.normpath(os.path.join(rel, f)))
        for d in dirs:
            p = os.path.join(root, d)
            if os.path.islink(p):
                entries.append(os.path.normpath(os.path.join(rel, d)))
    ino = 1
    with gzip.open(out, "wb", compresslevel=6) as o:
        has_dev = False
        for e in entries:
            p = os.path.join(src, e)
            st = os.lstat(p)
            if e == "dev":
                has_dev = True
            if stat.S_ISLNK(st.st_mode):
                target = os.readlink(p).encode()
                o.write(header(e, stat.S_IFLNK | 0o777, len(target), ino))
                o.write(target + pad(len(target)))
            elif stat.S_ISDIR(st.st_mode):
                o.write(header(e, stat.S_IFDIR | 0o755, 0, ino, nlink=2))
            elif stat.S_ISREG(st.st_mode):
                mode = stat.S_IFREG | (0o755 if st.st_mode & 0o111 else 0o644)
                o.write(header(e, mode, st.st_size, ino))
                with open(p, "rb") as f:
                    while True:
                        b = f.read(1 << 20)
                        if not b:
                            break
                        o.write(b)
                o.write(pad(st.st_size))
            ino += 1
        if not has_dev:
            o.write(header("dev", stat.S_IFDIR | 0o755, 0, ino, nlink=2))
            ino += 1
        o.write(header("dev/console", stat.S_IFCHR | 0o600, 0, ino, rdevmajor=5, rdevminor=1))
        o.write(header("TRAILER!!!", 0, 0, 0))


if __name__ == "__main__":
    main()
