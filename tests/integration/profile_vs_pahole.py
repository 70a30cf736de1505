#!/usr/bin/env python3
"""Check a kernel profile (vh-profile output) against pahole and nm.

Usage: profile_vs_pahole.py VH_PROFILE VMLINUX [--release REL] [--pahole-format btf|dwarf]

- every member the profile holds: offset, size (and bit offset for bitfields)
  equal pahole's, members inside anonymous structs/unions included; a dotted
  path (thread_info.cpu) is checked member by member;
- every struct size equals pahole's "size:";
- every member or struct the profile says is absent is absent in pahole too;
- every symbol equals nm's address; an absent symbol is not in nm's list;
- the release equals --release, or the one in the vmlinux's file name (vmlinux-REL);
- the fast load (likely units first) and the full scan give the same profile.

pahole's DWARF loader takes seconds per struct on a distribution vmlinux (and
1.24 stops at the first struct of a -C list it has not met yet), so by default
the layouts come from the vmlinux's .BTF section, which pahole itself made
from the same DWARF at kernel build time; --pahole-format dwarf reads DWARF,
one pahole run per struct (slow, for manual runs).
Prints one line per mismatch and a summary; exit 1 on any mismatch.
"""
import argparse
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

COMMENT = re.compile(r"/\*\s*(\d+)(?::\s*(\d+))?\s+(\d+)\s*\*/\s*$")
OPEN = re.compile(r"^\s*(struct|union)(\s+\w+)?\s*\{\s*$")
CLOSE = re.compile(r"^\s*\}\s*([A-Za-z_]\w*)?")


def member_name(decl):
    """The member's name in a pahole declaration (before the comment)."""
    decl = re.sub(r"__attribute__\(\(.*\)\)", "", decl).strip().rstrip(";").strip()
    m = re.search(r"\(\s*\*\s*(\w+)\s*\)\s*\(", decl)  # function pointer
    if m:
        return m.group(1), decl[: m.start()].strip()
    decl = re.sub(r":\s*\d+$", "", decl).strip()  # bitfield width
    decl = re.sub(r"(\[[^\]]*\])+$", "", decl).strip()  # array dimensions
    m = re.search(r"(\w+)$", decl)
    if not m:
        return None, None
    return m.group(1), decl[: m.start()].strip()


def parse_pahole(text):
    """{struct: {"size": n, "members": {path: (off, size, bit_or_None, type)}}}"""
    structs = {}
    stack = []  # frames: list of (name, member dict)
    top = None
    for line in text.splitlines():
        if top is None:
            m = re.match(r"^(struct|union)\s+(\w+)\s*\{", line)
            if m:
                top = m.group(2)
                structs[top] = {"size": None, "members": {}}
                stack = [structs[top]["members"]]
            continue
        m = re.search(r"/\*\s*size:\s*(\d+)", line)
        if m and len(stack) == 1:
            structs[top]["size"] = int(m.group(1))
            continue
        if OPEN.match(line):
            stack.append({})
            continue
        c = CLOSE.match(line)
        if c:
            if len(stack) == 1:
                top = None
                continue
            inner = stack.pop()
            name = c.group(1)
            if name and name != "__attribute__":
                cm = COMMENT.search(line)
                if cm:
                    stack[-1][name] = (int(cm.group(1)), int(cm.group(3)), None, "")
                inner = {name + "." + k: v for k, v in inner.items()}
            for k, v in inner.items():
                stack[-1].setdefault(k, v)
            continue
        cm = COMMENT.search(line)
        if not cm:
            continue
        name, typ = member_name(line[: cm.start()])
        if not name:
            continue
        off, bit, size = int(cm.group(1)), cm.group(2), int(cm.group(3))
        stack[-1].setdefault(name, (off, size, None if bit is None else int(bit), typ))
    return structs


def run_pahole(vmlinux, names, fmt):
    if not names:
        return {}
    if fmt == "btf":
        out = subprocess.run(["pahole", "-F", "btf", "-C", ",".join(sorted(names)), vmlinux],
                             capture_output=True, text=True)
        return parse_pahole(out.stdout)

    def one(name):
        return subprocess.run(["pahole", "-F", "dwarf", "-C", name, vmlinux],
                              capture_output=True, text=True).stdout

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as ex:
        return parse_pahole("".join(ex.map(one, sorted(names))))


def nm_symbols(vmlinux):
    syms = {}
    out = subprocess.run(["nm", vmlinux], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) != 3:
            continue
        addr, kind, name = parts
        glob = kind.isupper()
        if name not in syms or (glob and not syms[name][1]):
            syms[name] = (int(addr, 16), glob)
    return {k: v[0] for k, v in syms.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("vh_profile")
    ap.add_argument("vmlinux")
    ap.add_argument("--pahole-format", default="btf", choices=["btf", "dwarf"])
    ap.add_argument("--release", help="the kernel release the vmlinux must report")
    args = ap.parse_args()

    run = subprocess.run([args.vh_profile, args.vmlinux], capture_output=True, text=True)
    if run.returncode != 0:
        print(f"MISMATCH {args.vmlinux}: vh-profile failed: {run.stderr.strip()}")
        return 1
    lines = run.stdout.splitlines()
    structs, members, symbols, absent = {}, [], {}, []
    release = None
    for line in lines:
        f = line.split()
        if f[0] == "osrelease":
            release = f[1]
        elif f[0] == "struct":
            structs[f[1]] = int(f[2])
        elif f[0] == "member":
            members.append((f[1], int(f[2]), int(f[3]), int(f[5]), int(f[6])))
        elif f[0] == "symbol":
            symbols[f[1]] = int(f[2], 16)
        elif f[0] == "absent":
            absent.append((f[1], f[2], f[3].split("|")))

    layouts = run_pahole(args.vmlinux, set(structs), args.pahole_format)
    # pahole stops at the first struct of a -C list it cannot find: absent ones one by one
    for a in absent:
        if a[0] == "struct":
            for name in a[2]:
                layouts.update(run_pahole(args.vmlinux, {name}, args.pahole_format))
    # types of the first part of dotted paths (task_struct.thread_info.cpu)
    extra = set()
    for path, *_ in members:
        s, rest = path.split(".", 1)
        if "." in rest and s in layouts:
            first = rest.split(".", 1)[0]
            typ = layouts[s]["members"].get(first, (0, 0, None, ""))[3]
            m = re.match(r"(?:struct|union)\s+(\w+)$", typ)
            if m and m.group(1) not in layouts:
                extra.add(m.group(1))
    # anonymous members of a named type (7.x struct slab: "struct freelist_counters;"),
    # which pahole prints unexpanded: member_name() takes the tag for their name
    for lay in list(layouts.values()):
        for name, (_, _, _, typ) in lay["members"].items():
            if typ in ("struct", "union") and name not in layouts:
                extra.add(name)
    layouts.update(run_pahole(args.vmlinux, extra, args.pahole_format))

    bad = []
    checked = {"structs": 0, "members": 0, "symbols": 0, "absent": 0}
    for s, size in structs.items():
        if s not in layouts or layouts[s]["size"] != size:
            bad.append(f"struct {s}: profile size {size}, pahole "
                       f"{layouts.get(s, {}).get('size')}")
        checked["structs"] += 1

    def lookup(s, path):
        """(offset, size, bit) of a dotted path, following named members' types."""
        if s not in layouts:
            return None
        mem = layouts[s]["members"]
        if path in mem:
            return mem[path]
        for tag, (aoff, _, _, typ) in mem.items():
            if typ in ("struct", "union") and tag != s:
                inner = lookup(tag, path)
                if inner is not None:
                    return (aoff + inner[0], inner[1], inner[2], inner[3])
        first, rest = path.split(".", 1) if "." in path else (path, None)
        if rest is None or first not in mem:
            return None
        m = re.match(r"(?:struct|union)\s+(\w+)$", mem[first][3])
        inner = lookup(m.group(1), rest) if m else None
        if inner is None:
            return None
        return (mem[first][0] + inner[0], inner[1], inner[2], inner[3])

    for path, off, size, bit, bits in members:
        s, mpath = path.split(".", 1)
        got = lookup(s, mpath)
        checked["members"] += 1
        if got is None:
            bad.append(f"member {path}: in the profile at {off}, not in pahole's {s}")
            continue
        poff, psize, pbit, _ = got
        if bits:
            want_bit = poff * 8 + (pbit or 0)
            if bit != want_bit or size != psize:
                bad.append(f"member {path}: profile bit {bit} size {size}, pahole bit "
                           f"{want_bit} size {psize}")
        elif (off, size) != (poff, psize):
            bad.append(f"member {path}: profile {off} {size}, pahole {poff} {psize}")

    syms = nm_symbols(args.vmlinux)
    for name, addr in symbols.items():
        checked["symbols"] += 1
        if syms.get(name) != addr:
            bad.append(f"symbol {name}: profile 0x{addr:x}, nm "
                       f"{hex(syms[name]) if name in syms else None}")

    for kind, name, alts in absent:
        checked["absent"] += 1
        if kind == "member":
            s = name.split(".", 1)[0]
            if s in layouts and any(lookup(s, a) for a in alts):
                bad.append(f"member {name}: absent in the profile, present in pahole")
        elif kind == "struct":
            if any(a in layouts for a in alts):
                bad.append(f"struct {name}: absent in the profile, present in pahole")
        elif kind == "symbol":
            if any(a in syms for a in alts):
                bad.append(f"symbol {name}: absent in the profile, present in nm")

    base = os.path.basename(os.path.realpath(args.vmlinux))
    want = args.release or (base[len("vmlinux-"):] if base.startswith("vmlinux-") else None)
    if want and release != want:
        bad.append(f"release: profile {release}, expected {want}")

    full = subprocess.run([args.vh_profile, "--full", args.vmlinux], capture_output=True,
                          text=True).stdout.splitlines()
    if full != lines:
        diff = [x for x in set(full) ^ set(lines)][:5]
        bad.append(f"fast load and full scan differ: {diff}")

    for b in bad:
        print("MISMATCH " + b)
    print(f"{args.vmlinux}: {release}: {checked['structs']} structs, {checked['members']} "
          f"members, {checked['symbols']} symbols, {checked['absent']} absent entries checked "
          f"against pahole ({args.pahole_format}) and nm: {len(bad)} mismatches")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
