#!/usr/bin/env python3
"""Corruption test: damage the headers of real dumps and check vmahunt survives.

For each dump given, with a fixed seed:
  - flip bytes in its headers (mostly the first 4 KiB, then the first 64 KiB,
    then the first 4 MiB) of a private copy, one case at a time, restoring
    the bytes after each case;
  - cut it short at header boundaries and random offsets (a truncated dump
    is a prefix of the file).
Each case runs `vmahunt info` and reads a stride of pages with vh-pages. A case
fails if a program dies on a signal, reports a sanitizer error, runs over the
time limit, exits with a code other than 0 or 3, or (exit 3) prints anything
but one line "vmahunt: <file>..." on stderr.
"""
import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile

TIMEOUT = 120


def run(cmd):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, errors="replace",
                           timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, "", "timeout after %d s" % TIMEOUT
    return p.returncode, p.stdout, p.stderr


def check(label, cmd, path, is_cli):
    rc, _out, err = run(cmd)
    problems = []
    if rc is None:
        problems.append(err)
    elif rc < 0:
        problems.append("killed by signal %d" % -rc)
    elif rc not in (0, 3):
        problems.append("exit code %d" % rc)
    if "Sanitizer" in err or "runtime error:" in err:
        problems.append("sanitizer report")
    if is_cli and rc == 3:
        lines = err.strip().splitlines()
        if len(lines) != 1 or not lines[0].startswith("vmahunt: " + path):
            problems.append("error is not one line naming the file: %r" % err[:300])
    if problems:
        print("FAIL %s: %s: %s\n%s" % (label, " ".join(cmd), "; ".join(problems), err[-2000:]))
        return False
    return True


def case(vmahunt, pages, path, label):
    ok = check(label, [vmahunt, "info", "--json", path], path, True)
    # A damaged header may claim petabytes of ranges: visit a bounded number of pages.
    ok &= check(label, [pages, "--stride", "509", "--max", "4096", path], path, False)
    return ok


def pick_offset(rng, size):
    r = rng.random()
    limit = 4096 if r < 0.5 else 65536 if r < 0.8 else 4 << 20
    return rng.randrange(min(limit, size))


def flip_cases(args, rng, src, work):
    shutil.copyfile(src, work)
    size = os.path.getsize(work)
    ok = passed = 0
    with open(work, "r+b") as f:
        for i in range(args.cases):
            saved = []
            for _ in range(rng.randint(1, 4)):
                off = pick_offset(rng, size)
                f.seek(off)
                saved.append((off, f.read(1)))
                f.seek(off)
                new = rng.choice([0, 0xff, rng.randrange(256)])
                f.write(bytes([new]))
                saved[-1] += (new,)
            f.flush()
            label = "%s flip#%d (offset=new byte) %s" % (
                os.path.basename(src), i, ",".join("%#x=%#04x" % (o, n) for o, _, n in saved))
            if case(args.vmahunt, args.pages, work, label):
                passed += 1
            for off, b, _ in reversed(saved):
                f.seek(off)
                f.write(b)
            f.flush()
            ok += 1
    return passed, ok


def truncation_points(rng, size):
    pts = {0, 1, 4, 16, 52, 63, 64, 65, 120, 4095, 4096, 4097, 8192, 8193, 12288, 16384}
    pts |= {rng.randrange(1 << 20) for _ in range(6)}
    pts |= {size - 1, size // 2}
    return sorted(p for p in pts if 0 <= p < size)


def truncate_cases(args, rng, src, work):
    size = os.path.getsize(src)
    total = passed = 0
    for n in truncation_points(rng, size):
        with open(src, "rb") as s, open(work, "wb") as d:
            left = n
            while left:
                chunk = s.read(min(left, 1 << 20))
                if not chunk:
                    break
                d.write(chunk)
                left -= len(chunk)
        total += 1
        if case(args.vmahunt, args.pages, work, "%s truncated to %d" % (os.path.basename(src), n)):
            passed += 1
    return passed, total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vmahunt", required=True)
    ap.add_argument("--pages", required=True)
    ap.add_argument("--cases", type=int, default=40, help="byte-flip cases per dump")
    ap.add_argument("--seed", type=int, default=20261121)
    ap.add_argument("dumps", nargs="+")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    total = passed = 0
    with tempfile.TemporaryDirectory(prefix="vmahunt-corrupt-") as tmp:
        for src in args.dumps:
            work = os.path.join(tmp, "damaged-" + os.path.basename(src))
            for fn in (flip_cases, truncate_cases):
                p, t = fn(args, rng, src, work)
                passed += p
                total += t
            os.unlink(work)
    print("%d passed, %d failed" % (passed, total - passed))
    return 0 if total and passed == total else 1


if __name__ == "__main__":
    sys.exit(main())
