#!/usr/bin/env python3
"""Damaged process cores never crash vmahunt and say what they lost.

From one real core (plain ELF) and its zstd copy, with a fixed seed:
  - plain: cut short at every header boundary, inside the notes and inside each
    segment; single bytes flipped in the ELF header, program headers and notes;
    program header fields set to hostile values;
  - zstd: the compressed file cut short and bytes flipped in it.
Each case runs info, maps and scan (--json). A case fails when a run dies on a
signal, reports a sanitizer error, times out, exits other than 0 or 3, or on
exit 3 prints anything but one line "vmahunt: <file>...". A core cut inside a
segment must open (exit 0) with a warning naming the missing range; a cut zstd
stream must open with a warning saying where it was cut, or fail with exit 3.
"""
import argparse
import json
import os
import random
import struct
import subprocess
import sys

TIMEOUT = 120
failures = []
cases = 0


def run(vmahunt, cmd, path):
    try:
        p = subprocess.run([vmahunt, cmd, "--json", path], capture_output=True, text=True,
                           errors="replace", timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, [], "timeout"
    out = []
    for line in p.stdout.splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            out.append({"type": "bad-json", "line": line})
    return p.returncode, out, p.stderr


def problems_of(rc, out, err, path):
    probs = []
    if rc is None:
        probs.append("timeout")
    elif rc < 0:
        probs.append("killed by signal %d" % -rc)
    elif rc not in (0, 3):
        probs.append("exit code %d" % rc)
    if "Sanitizer" in err or "runtime error:" in err:
        probs.append("sanitizer report: " + err[:400])
    if any(o.get("type") == "bad-json" for o in out):
        probs.append("output line is not JSON")
    if rc == 3:
        lines = err.strip().splitlines()
        if len(lines) != 1 or not lines[0].startswith("vmahunt: " + path):
            probs.append("error is not one line naming the file: %r" % err[:300])
    return probs


def case(vmahunt, label, data, path, want_warning=None):
    """Writes @data to @path and runs every command; @want_warning: text one warning must hold."""
    global cases
    cases += 1
    with open(path, "wb") as f:
        f.write(data)
    for cmd in ("info", "maps", "scan"):
        rc, out, err = run(vmahunt, cmd, path)
        probs = problems_of(rc, out, err, path)
        if cmd == "info" and want_warning and rc == 0:
            warns = out[0].get("warnings", []) if out else []
            if not any(want_warning in w for w in warns):
                probs.append("no warning containing %r: %s" % (want_warning, warns[:3]))
        if probs:
            failures.append("%s (%s): %s" % (label, cmd, "; ".join(probs)))
            print("FAIL %s (%s): %s" % (label, cmd, "; ".join(probs)))
            return


def phdrs(core):
    phoff, = struct.unpack_from("<Q", core, 0x20)
    phnum, = struct.unpack_from("<H", core, 0x38)
    out = []
    for i in range(phnum):
        t, flags, off, vaddr, paddr, filesz, memsz, align = struct.unpack_from(
            "<IIQQQQQQ", core, phoff + 56 * i)
        out.append({"i": i, "at": phoff + 56 * i, "type": t, "offset": off, "vaddr": vaddr,
                    "filesz": filesz, "memsz": memsz})
    return phoff, phnum, out


def plain_cases(vmahunt, core, work, rng, n):
    path = os.path.join(work, "damaged.core")
    phoff, phnum, ph = phdrs(core)
    cuts = {0, 3, 4, 32, 63, 64, phoff + 28, phoff + 56 * phnum - 1, phoff + 56 * phnum}
    for p in ph:
        if p["type"] == 4:  # PT_NOTE
            cuts |= {p["offset"] + 1, p["offset"] + 12, p["offset"] + p["filesz"] // 2}
    for c in sorted(cuts):
        case(vmahunt, "cut at 0x%x" % c, core[:c], path)
    loads = [p for p in ph if p["type"] == 1 and p["filesz"] >= 2]
    for p in rng.sample(loads, min(len(loads), max(1, n // 4))):
        c = p["offset"] + p["filesz"] // 2
        case(vmahunt, "cut inside segment %d at 0x%x" % (p["i"], c), core[:c], path,
             want_warning="missing")
    notes = [p for p in ph if p["type"] == 4]
    header_end = max([phoff + 56 * phnum] + [p["offset"] + p["filesz"] for p in notes])
    for k in range(n):
        at = rng.randrange(0, min(header_end, len(core)))
        b = bytearray(core)
        b[at] ^= 1 << rng.randrange(8) if k % 2 else rng.randrange(1, 256)
        case(vmahunt, "byte 0x%x flipped" % at, bytes(b), path)
    hostile = [0, 1 << 63, (1 << 64) - 1, (1 << 64) - 0x1000, len(core) - 1, 1 << 40]
    for k in range(n):
        p = rng.choice(ph)
        field, off = rng.choice([("offset", 8), ("vaddr", 16), ("filesz", 32), ("memsz", 40)])
        b = bytearray(core)
        struct.pack_into("<Q", b, p["at"] + off, rng.choice(hostile))
        case(vmahunt, "phdr %d %s hostile" % (p["i"], field), bytes(b), path)


def zstd_cases(vmahunt, zcore, work, rng, n):
    path = os.path.join(work, "damaged.core.zst")
    for k in range(n):
        c = rng.randrange(1, len(zcore))
        case(vmahunt, "zstd cut at 0x%x" % c, zcore[:c], path, want_warning="zstd stream")
    for k in range(n):
        at = rng.randrange(0, len(zcore))
        b = bytearray(zcore)
        b[at] ^= rng.randrange(1, 256)
        case(vmahunt, "zstd byte 0x%x flipped" % at, bytes(b), path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vmahunt", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--cases", type=int, default=24)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("core", help="a plain process core")
    ap.add_argument("zcore", help="the same core, zstd-compressed")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    with open(a.core, "rb") as f:
        core = f.read()
    with open(a.zcore, "rb") as f:
        zcore = f.read()
    plain_cases(a.vmahunt, core, a.work, rng, a.cases)
    zstd_cases(a.vmahunt, zcore, a.work, rng, a.cases)
    print("%d damaged cores, %d failures" % (cases, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
