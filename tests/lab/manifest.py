#!/usr/bin/env python3
"""Write manifest.json for one lab output folder: every dump file with its format,
producer, codec, dump level, size, sha256 and the memory image it was taken from.

Usage: manifest.py DIR [--makedumpfile-version V] [--kernel-package P] [--kernel-version V]
                       [--vmcoreinfo-device 0|1] [--seconds N] [--arch aarch64 --cpu MODEL]

--arch/--cpu (arm64 guests only) add "arch", "cpu" and "va52" to the manifest.
"""
import argparse
import hashlib
import json
import os
import re
import struct
import sys

# name -> (format, producer kind, codec, dump level, memory image)
KNOWN = {
    "qemu.elf": ("elf", "qemu", "none", None, "qemu-stop"),
    "qemu-zlib.flat": ("flattened", "qemu", "zlib", None, "qemu-stop"),
    "qemu-lzo.flat": ("flattened", "qemu", "lzo", None, "qemu-stop"),
    "qemu-snappy.flat": ("flattened", "qemu", "snappy", None, "qemu-stop"),
    "vmcore.elf": ("elf", "kernel", "none", None, "kdump-crash"),
    "kdump-lzo-d0.kdump": ("kdump", "makedumpfile", "lzo", 0, "kdump-crash"),
    "kdump-lzo-d31.kdump": ("kdump", "makedumpfile", "lzo", 31, "kdump-crash"),
    "kdump-zlib-d31.kdump": ("kdump", "makedumpfile", "zlib", 31, "kdump-crash"),
    "kdump-zstd-d31.kdump": ("kdump", "makedumpfile", "zstd", 31, "kdump-crash"),
    "elf-d31.elf": ("elf", "makedumpfile", "none", 31, "kdump-crash"),
    "flat-lzo-d31.flat": ("flattened", "makedumpfile", "lzo", 31, "kdump-crash"),
}

# outputs that are not one file of the two memory images above: listed under
# "extra_dumps" (the tests that take every entry of "dumps" stay as they were)
LIME = {  # LiME format -> (file, manifest format)
    "lime": ("lime.lime", "lime"),
    "padded": ("lime-padded.bin", "lime-padded"),
    "raw": ("lime-raw.bin", "lime-raw"),
}
SPLIT = ["split-lzo-d31-1.kdump", "split-lzo-d31-2.kdump", "split-lzo-d31-3.kdump"]


def split_range(path):
    """(header_version, split flag, start_pfn, end_pfn) of a kdump file's sub-header."""
    with open(path, "rb") as f:
        h = f.read(4096)
        version = struct.unpack_from("<i", h, 8)[0]
        block_size = struct.unpack_from("<i", h, 428)[0]
        f.seek(block_size)
        kh = f.read(104)
    split = struct.unpack_from("<i", kh, 12)[0]
    start, end = struct.unpack_from("<QQ", kh, 80 if version >= 6 else 16)
    return version, split, start, end


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            b = f.read(1 << 22)
            if not b:
                break
            h.update(b)
    return h.hexdigest()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--makedumpfile-version", default="")
    ap.add_argument("--kernel-package", default="")
    ap.add_argument("--kernel-version", default="")
    ap.add_argument("--vmcoreinfo-device", default="1")
    ap.add_argument("--seconds", type=int, default=None)
    ap.add_argument("--arch", default="")
    ap.add_argument("--cpu", default="")
    a = ap.parse_args()
    d = a.dir
    truth = json.load(open(os.path.join(d, "truth.json")))
    run = {}
    if os.path.exists(os.path.join(d, "run.json")):
        run = json.load(open(os.path.join(d, "run.json")))
    qemu_ver = run.get("qemu_version", "")
    m = re.search(r"version (\S+)", qemu_ver)
    qemu_ver = m.group(1) if m else qemu_ver
    cap = truth.get("capture") or {}
    vmcoreinfo_dev = a.vmcoreinfo_device == "1" and truth.get("fw_cfg", False)
    dumps = []
    for name in sorted(os.listdir(d)):
        if name not in KNOWN:
            continue
        fmt, prod, codec, level, mem = KNOWN[name]
        path = os.path.join(d, name)
        e = {"file": name, "format": fmt, "codec": codec, "dump_level": level,
             "size": os.path.getsize(path), "sha256": sha256(path), "memory": mem}
        if prod == "qemu":
            e["producer"] = "qemu " + qemu_ver
            e["has_vmcoreinfo"] = bool(vmcoreinfo_dev)
            e["covers"] = "all guest RAM (crashkernel region included)"
            e["filtered"] = False
        else:
            if prod == "makedumpfile":
                e["producer"] = "makedumpfile " + a.makedumpfile_version
                fi = cap.get("files", {}).get(name, {})
                e["makedumpfile_args"] = fi.get("args", "")
                e["makedumpfile_rc"] = fi.get("rc")
            else:
                e["producer"] = "kernel /proc/vmcore (kdump capture kernel)"
            e["has_vmcoreinfo"] = True
            e["covers"] = "guest RAM minus the crashkernel region"
            e["filtered"] = level not in (None, 0)
            if cap.get("sizes", {}).get(name) not in (None, e["size"]):
                sys.exit(f"manifest: {name}: size {e['size']} differs from the guest's {cap['sizes'][name]}")
        dumps.append(e)
    if cap:
        # every output the capture kernel wrote must be there, complete, from a run that succeeded
        for name, fi in cap.get("files", {}).items():
            if fi.get("rc") != 0:
                sys.exit(f"manifest: the capture kernel's {name} failed (rc {fi.get('rc')}): see logs/{name}.log")
            if name in KNOWN and not os.path.exists(os.path.join(d, name)):
                sys.exit(f"manifest: {name} was written by the capture kernel but is not in {d}")
        if not cap.get("done"):
            sys.exit("manifest: the capture kernel did not finish (no CAPTURE-DONE)")
    extra = []
    lime = truth.get("lime")
    if lime:
        for fmt, (name, mfmt) in LIME.items():
            path = os.path.join(d, name)
            fi = lime.get("files", {}).get(fmt)
            if fi is None or fi.get("rc") != 0 or not os.path.exists(path):
                sys.exit(f"manifest: the guest's LiME format={fmt} did not give {name} ({fi})")
            if fi.get("size") not in (None, os.path.getsize(path)):
                sys.exit(f"manifest: {name}: size {os.path.getsize(path)} differs from the guest's {fi['size']}")
            extra.append({"file": name, "format": mfmt, "codec": "none", "dump_level": None,
                          "size": os.path.getsize(path), "sha256": sha256(path), "memory": "lime",
                          "producer": "LiME " + (lime.get("version") or "?"), "lime_format": fmt,
                          "has_vmcoreinfo": False, "filtered": False,
                          "covers": "every top-level System RAM resource (crashkernel region included)",
                          "ram": lime.get("ram"), "insmod_pid": fi.get("insmod_pid"),
                          "lime_seconds": fi.get("seconds")})
    if any(os.path.exists(os.path.join(d, p)) for p in SPLIT):
        parts = []
        for i, name in enumerate(SPLIT):
            path = os.path.join(d, name)
            if not os.path.exists(path):
                sys.exit(f"manifest: split part {name} is missing")
            ver, split, start, end = split_range(path)
            if not split:
                sys.exit(f"manifest: {name}: its sub-header does not say it is a split part")
            if cap.get("sizes", {}).get(name) not in (None, os.path.getsize(path)):
                sys.exit(f"manifest: {name}: size differs from the guest's {cap['sizes'][name]}")
            parts.append({"file": name, "part": i + 1, "start_pfn": start, "end_pfn": end,
                          "size": os.path.getsize(path), "sha256": sha256(path)})
        fi = cap.get("files", {}).get(SPLIT[0], {})
        extra.append({"file": SPLIT[0], "files": SPLIT, "parts": parts, "format": "kdump-split",
                      "codec": "lzo", "dump_level": 31, "size": sum(p["size"] for p in parts),
                      "memory": "kdump-crash", "producer": "makedumpfile " + a.makedumpfile_version,
                      "makedumpfile_args": fi.get("args", ""), "makedumpfile_rc": fi.get("rc"),
                      "has_vmcoreinfo": True, "filtered": True,
                      "covers": "guest RAM minus the crashkernel region, in three pfn ranges"})
    groups = {}
    for e in dumps + extra:
        groups.setdefault(e["memory"], []).extend(e.get("files") or [e["file"]])
    man = {
        "schema": 1,
        "name": os.path.basename(os.path.abspath(d)),
        "variant": truth.get("variant"),
        "uname_r": truth.get("uname_r"),
        "kernel_package": a.kernel_package,
        "kernel_package_version": a.kernel_version,
        "vmlinux": "vmlinux" if os.path.lexists(os.path.join(d, "vmlinux")) else None,
        "la57": truth.get("la57"),
        "vmcoreinfo_device": vmcoreinfo_dev,
        "makedumpfile_version": a.makedumpfile_version or None,
        "qemu_version": qemu_ver,
        "build_seconds": a.seconds,
        "timings": run.get("timings", {}),
        "memory_images": {
            "qemu-stop": "the guest stopped by QMP right after it printed its truth: every qemu* file",
            "kdump-crash": "/proc/vmcore of the kdump capture kernel after the crash that followed: "
                           "vmcore.elf and every makedumpfile output",
            "lime": "the running guest imaged by LiME after the QEMU dumps, before the crash "
                    "(idle scenarios: same processes and maps as qemu-stop, plus LiME's insmod)",
        },
        "same_memory": groups,
        "dumps": dumps,
        "extra_dumps": extra,
    }
    if cap.get("makedumpfile_unsupported"):
        # arm64 kdump guests: makedumpfile could not read the vmcore, vmcore.elf is the
        # kdump capture's only dump
        man["makedumpfile_unsupported"] = cap["makedumpfile_unsupported"]
    if a.arch:
        man["arch"] = a.arch
        man["cpu"] = a.cpu
        man["va52"] = truth.get("va52")
    with open(os.path.join(d, "manifest.json"), "w") as f:
        json.dump(man, f, indent=1)
        f.write("\n")
    for e in dumps + extra:
        print(f"  {e['file']:24s} {e['format']:9s} {e['codec']:6s} d={e['dump_level']} {e['size']:>11d}")


if __name__ == "__main__":
    main()
