#!/usr/bin/env python3
"""Resolve kernel modules (with their dependencies, in load order, read from each
module's .modinfo "depends=" field, so no depmod is needed) and copy them, decompressed, into a flat directory of an initramfs staging tree.

Usage: modules.py MODROOT KVER DESTDIR LISTFILE MODULE...
  MODROOT  directory holding lib/modules/KVER (the extracted kernel package)
  DESTDIR  flat directory receiving NAME.ko files
  LISTFILE file receiving the load order (one NAME.ko per line)
A module that is built into the kernel (modules.builtin) is silently skipped; without a
modules.builtin file (sid's split packages), a module not shipped is assumed built in.
"""
import lzma
import os
import struct
import subprocess
import sys


def norm(name):
    return name.replace("-", "_")


def base(path):
    b = os.path.basename(path)
    for ext in (".ko.xz", ".ko.zst", ".ko.gz", ".ko"):
        if b.endswith(ext):
            return b[: -len(ext)]
    return b


def read_module(path):
    if path.endswith(".xz"):
        with lzma.open(path) as f:
            return f.read()
    if path.endswith(".zst"):
        return subprocess.run(["zstd", "-q", "-d", "-c", path], stdout=subprocess.PIPE, check=True).stdout
    if path.endswith(".gz"):
        import gzip
        with gzip.open(path) as f:
            return f.read()
    with open(path, "rb") as f:
        return f.read()


def modinfo_depends(data):
    """The depends= field of the .modinfo section of an ELF64 module image."""
    if data[:4] != b"\x7fELF" or data[4] != 2:
        raise ValueError("not an ELF64 module")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)

    def sh(i):
        return struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize)
    stro = sh(shstrndx)[4]
    for i in range(shnum):
        s = sh(i)
        nm = data[stro + s[0]:data.index(b"\0", stro + s[0])].decode()
        if nm == ".modinfo":
            for kv in data[s[4]:s[4] + s[5]].split(b"\0"):
                if kv.startswith(b"depends="):
                    v = kv[8:].decode()
                    return [d for d in v.split(",") if d]
            return []
    return []


def main():
    modroot, kver, dest, listfile = sys.argv[1:5]
    wanted = sys.argv[5:]
    mdir = os.path.join(modroot, "lib", "modules", kver)
    if not os.path.isdir(mdir):
        mdir = os.path.join(modroot, "usr", "lib", "modules", kver)
    paths = {}
    for root, _, files in os.walk(os.path.join(mdir, "kernel")):
        for f in files:
            if ".ko" in f:
                paths[norm(base(f))] = os.path.join(root, f)
    builtin = None
    try:
        with open(os.path.join(mdir, "modules.builtin")) as f:
            builtin = {norm(base(l.strip())) for l in f if l.strip()}
    except OSError:
        pass
    order = []
    images = {}

    def visit(name):
        name = norm(name)
        if name in order:
            return
        if name not in paths:
            if builtin is None:
                # sid's split packages ship no modules.builtin: a module that is not
                # there is taken as built in (the guest reports it if it is not)
                print(f"modules.py: {name} not shipped as a module for {kver}, assumed built in",
                      file=sys.stderr)
                return
            if name in builtin:
                return
            sys.exit(f"modules.py: module {name} not found for {kver}")
        images[name] = read_module(paths[name])
        for d in modinfo_depends(images[name]):
            visit(d)
        order.append(name)

    for w in wanted:
        visit(w)
    os.makedirs(dest, exist_ok=True)
    names = []
    for name in order:
        with open(os.path.join(dest, name + ".ko"), "wb") as o:
            o.write(images[name])
        names.append(name + ".ko")
    with open(listfile, "w") as f:
        f.write("".join(n + "\n" for n in names))
    print(" ".join(names))


if __name__ == "__main__":
    main()
