#!/usr/bin/env python3
"""Damaged kallsyms and BTF in a real dump: `vmahunt ps --symbols btf` must
exit 0 (damage it could work around) or 4 with one line naming the dump, and
never crash. The dump is copied once; each case patches the copy, runs, and
restores the bytes. Fixed seed.

Cases: the BTF magic zeroed (must fail, naming the BTF's address), random
flips in the BTF types (never a crash), __stop_BTF's bytes unreadable is not
reachable from a file, so a BTF header claiming sections past its end; the
kallsyms count made huge, the token table garbled, and random flips in the
names (each: never a crash; the count and token table must fail, since the
search finds the same damaged tables).
"""
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile

vmahunt, ksyms, src = sys.argv[1:4]
KMAP = 0xffffffff80000000


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, **kw)


info = json.loads(run([vmahunt, "info", "--json", src], check=True).stdout.splitlines()[0])
phys_base = int(info["phys_base"], 16)
syms = {}
for l in run([ksyms, src, "__start_BTF", "__stop_BTF"], check=True).stdout.splitlines()[1:]:
    n, a = l.split()
    syms[n] = int(a, 16)
vmci = info["vmcoreinfo"] or {}
for k in ("kallsyms_num_syms", "kallsyms_names", "kallsyms_token_table"):
    syms[k] = int(vmci[f"SYMBOL({k})"], 16)

with open(src, "rb") as f:
    eh = f.read(64)
    phoff, = struct.unpack_from("<Q", eh, 32)
    phentsize, phnum = struct.unpack_from("<HH", eh, 54)
    f.seek(phoff)
    ph = f.read(phentsize * phnum)
loads = []
for i in range(phnum):
    t, _, off, _, pa, fs = struct.unpack_from("<IIQQQQ", ph, i * phentsize)
    if t == 1 and fs:
        loads.append((pa, fs, off))


def file_off(vaddr):
    pa = (vaddr - KMAP + phys_base) & (2**64 - 1)
    for start, size, off in loads:
        if start <= pa < start + size:
            return off + pa - start
    raise SystemExit(f"FAIL: 0x{vaddr:x} (physical 0x{pa:x}) is in no PT_LOAD of {src}")


tmp = tempfile.mkdtemp()
copy = os.path.join(tmp, os.path.basename(src))
shutil.copyfile(src, copy)
rng = random.Random(8)
fails = 0


def case(name, patches, must_fail, want=None):
    """patches: [(file offset, bytes)]; runs ps, restores."""
    global fails
    with open(copy, "r+b") as f:
        saved = []
        for off, data in patches:
            f.seek(off)
            saved.append((off, f.read(len(data))))
            f.seek(off)
            f.write(data)
    r = run([vmahunt, "ps", "--symbols", "btf", copy])
    with open(copy, "r+b") as f:
        for off, data in saved:
            f.seek(off)
            f.write(data)
    err = r.stderr.strip().splitlines()
    ok = r.returncode in ((4,) if must_fail else (0, 4))
    if r.returncode == 4:
        ok = ok and len(err) == 1 and copy in err[0] and (want is None or want in err[0])
    if "Sanitizer" in r.stderr or "runtime error" in r.stderr:
        ok = False
    print(f"{'ok  ' if ok else 'FAIL'} {name}: exit {r.returncode}: {err[0] if err else ''}"[:300])
    fails += not ok


btf = file_off(syms["__start_BTF"])
btf_len = syms["__stop_BTF"] - syms["__start_BTF"]
case("BTF magic zeroed", [(btf, b"\0\0")], True, "magic 0xeb9f")
case("BTF string section past its end", [(btf + 20, struct.pack("<I", 0x7fffffff))], True,
     "outside the data")
for i in range(12):
    patches = []
    for _ in range(1 + i * 3):
        off = btf + 24 + rng.randrange(btf_len - 24)
        patches.append((off, bytes([rng.randrange(256)])))
    case(f"BTF types, {len(patches)} random bytes", patches, False)
case("kallsyms_num_syms huge", [(file_off(syms["kallsyms_num_syms"]), struct.pack("<I", 0xfffffff))],
     True, "kallsyms")
tt = file_off(syms["kallsyms_token_table"])
case("kallsyms token table garbled", [(tt, bytes(rng.randrange(1, 256) for _ in range(600)))],
     True, "kallsyms")
names = file_off(syms["kallsyms_names"])
for i in range(8):
    patches = [(names + rng.randrange(1 << 20), bytes([rng.randrange(256)]))
               for _ in range(1 + i * 4)]
    case(f"kallsyms names, {len(patches)} random bytes", patches, False)
shutil.rmtree(tmp)
print(f"{'FAIL' if fails else 'ok  '}: {fails} of the damaged copies misbehaved")
sys.exit(1 if fails else 0)
