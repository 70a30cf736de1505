#!/usr/bin/env python3
"""Boot one lab guest under QEMU (TCG), wait for its ground truth, take QEMU's dumps of
the stopped guest through QMP, then let the guest go on (and crash into the kdump
capture kernel when asked to).

--arch aarch64 boots qemu-system-aarch64 -M virt: its one UART (ttyAMA0) is the console
and the control port is a virtio serial port named vh.ctl (the guest loads virtio_pci and
virtio_console first and finds the port by that name: vh.ctl=vport:vh.ctl). Not a virtio
console (hvc0): through the tty layer every line of the truth is one synchronous write,
and a 20 000-line maps file took two minutes under TCG.

Usage:
  labrun.py --kernel VMLINUZ --initrd IMG --out DIR [--arch x86_64|aarch64] [--cpu max]
            [--append ...] [--no-vmcoreinfo] [--kdump-disk DISK.img] [--lime]
            [--qemu-formats elf,kdump-zlib,...]

Writes into DIR: console.log (ttyS0), control.log (ttyS1: the "@@VH" protocol lines),
qemu.elf, qemu-zlib.flat (and the other QEMU kdump formats asked for), run.json
(what was done, with timings). The kdump disk has the serial "vh-kdump", which the guest
finds it by; with --lime the guest runs LiME onto it before it crashes (timed apart). The
control port is a unix socket QEMU waits on, so no
line the guest writes there is ever lost.
"""
import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

QEMU_FORMAT_FILES = {
    "elf": "qemu.elf",
    "kdump-zlib": "qemu-zlib.flat",
    "kdump-lzo": "qemu-lzo.flat",
    "kdump-snappy": "qemu-snappy.flat",
}


class QMP:
    def __init__(self, path, timeout=30):
        deadline = time.time() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.1)
        self.f = self.sock.makefile("rwb", buffering=0)
        self.events = []
        greeting = self._read()
        assert "QMP" in greeting, greeting
        self.cmd("qmp_capabilities")

    def _read(self):
        line = self.f.readline()
        if not line:
            raise EOFError("QMP connection closed")
        return json.loads(line)

    def cmd(self, name, **args):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.f.write(json.dumps(msg).encode() + b"\n")
        while True:
            r = self._read()
            if "event" in r:
                self.events.append(r)
                continue
            if "error" in r:
                raise RuntimeError(f"QMP {name}: {r['error']}")
            return r.get("return")


class Control(threading.Thread):
    """Reads the guest's control port, logs it, and records the @@VH lines."""

    def __init__(self, path, logpath, timeout=30):
        super().__init__(daemon=True)
        deadline = time.time() + timeout
        while not os.path.exists(path):
            if time.time() > deadline:
                raise RuntimeError("control socket never appeared")
            time.sleep(0.05)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.log = open(logpath, "wb")
        self.lines = []
        self.cond = threading.Condition()
        self.closed = False

    def run(self):
        buf = b""
        while True:
            try:
                data = self.sock.recv(65536)
            except OSError:
                data = b""
            if not data:
                break
            self.log.write(data)
            self.log.flush()
            buf += data
            *full, buf = buf.split(b"\n")
            with self.cond:
                for l in full:
                    self.lines.append(l.decode("utf-8", "replace").rstrip("\r"))
                self.cond.notify_all()
        with self.cond:
            self.closed = True
            self.cond.notify_all()

    def wait_for(self, prefix, timeout):
        deadline = time.time() + timeout
        with self.cond:
            while True:
                for l in self.lines:
                    if l.startswith(prefix):
                        return l
                if self.closed:
                    return None
                left = deadline - time.time()
                if left <= 0:
                    return None
                self.cond.wait(min(left, 1.0))

    def send(self, text):
        self.sock.sendall(text.encode())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--initrd", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--arch", default="x86_64", choices=["x86_64", "aarch64"])
    ap.add_argument("--cpu", default="max,-la57")
    ap.add_argument("--smp", default="2")
    ap.add_argument("--mem", default="512M")
    ap.add_argument("--append", default="")
    ap.add_argument("--no-vmcoreinfo", action="store_true")
    ap.add_argument("--kdump-disk")
    ap.add_argument("--lime", action="store_true", help="the guest runs LiME before it crashes")
    ap.add_argument("--qemu-formats", default="elf,kdump-zlib")
    ap.add_argument("--boot-timeout", type=float, default=900)
    ap.add_argument("--capture-timeout", type=float, default=1800)
    a = ap.parse_args()

    os.makedirs(a.out, exist_ok=True)
    out = os.path.abspath(a.out)
    sockdir = tempfile.mkdtemp(prefix="vmahunt-lab-")
    ctl_path = os.path.join(sockdir, "ctl")
    qmp_path = os.path.join(sockdir, "qmp")
    if a.arch == "x86_64":
        qemu_bin = "qemu-system-x86_64"
        append = "console=ttyS0 panic=-1 " + a.append
        cmd = [qemu_bin, "-accel", "tcg", "-cpu", a.cpu, "-smp", a.smp, "-m", a.mem,
               "-display", "none", "-vga", "none", "-monitor", "none", "-no-reboot",
               "-kernel", a.kernel, "-initrd", a.initrd, "-append", append,
               "-serial", "file:" + os.path.join(out, "console.log"),
               "-chardev", f"socket,id=ctl,path={ctl_path},server=on,wait=on",
               "-serial", "chardev:ctl",
               "-qmp", f"unix:{qmp_path},server=on,wait=off"]
    else:
        qemu_bin = "qemu-system-aarch64"
        append = "console=ttyAMA0 panic=-1 vh.ctl=vport:vh.ctl " + a.append
        cmd = [qemu_bin, "-M", "virt", "-accel", "tcg", "-cpu", a.cpu, "-smp", a.smp, "-m", a.mem,
               "-display", "none", "-monitor", "none", "-no-reboot",
               "-kernel", a.kernel, "-initrd", a.initrd, "-append", append,
               "-serial", "file:" + os.path.join(out, "console.log"),
               "-chardev", f"socket,id=ctl,path={ctl_path},server=on,wait=on",
               "-device", "virtio-serial-pci,id=vser",
               "-device", "virtserialport,chardev=ctl,bus=vser.0,name=vh.ctl",
               "-qmp", f"unix:{qmp_path},server=on,wait=off"]
    if not a.no_vmcoreinfo:
        cmd += ["-device", "vmcoreinfo"]
    if a.kdump_disk:
        cmd += ["-drive", f"file={a.kdump_disk},format=raw,if=none,id=kdump",
                "-device", "virtio-blk-pci,drive=kdump,serial=vh-kdump"]
    run = {"qemu_cmd": cmd, "timings": {}, "qemu_dumps": [], "qemu_version": ""}
    run["qemu_version"] = subprocess.run([qemu_bin, "--version"], capture_output=True,
                                         text=True).stdout.splitlines()[0]
    t0 = time.time()
    qemu = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=open(os.path.join(out, "qemu.stdout"), "wb"),
                            stderr=subprocess.STDOUT)
    ok = False
    try:
        ctl = Control(ctl_path, os.path.join(out, "control.log"))
        ctl.start()
        qmp = QMP(qmp_path)
        if ctl.wait_for("@@VH READY", a.boot_timeout) is None:
            raise RuntimeError("guest never printed READY (see console.log / control.log)")
        run["timings"]["boot_to_ready_s"] = round(time.time() - t0, 1)
        qmp.cmd("stop")
        caps = qmp.cmd("query-dump-guest-memory-capability")
        run["qemu_dump_formats_supported"] = caps.get("formats", [])
        for fmt in a.qemu_formats.split(","):
            if fmt not in run["qemu_dump_formats_supported"]:
                print(f"labrun: QEMU does not support dump format {fmt}, skipped", file=sys.stderr)
                continue
            path = os.path.join(out, QEMU_FORMAT_FILES[fmt])
            if os.path.exists(path):
                os.unlink(path)
            t1 = time.time()
            qmp.cmd("dump-guest-memory", paging=False, protocol="file:" + path, detach=True, format=fmt)
            while True:
                st = qmp.cmd("query-dump")
                if st["status"] in ("completed", "failed"):
                    break
                time.sleep(0.2)
            if st["status"] != "completed":
                raise RuntimeError(f"dump-guest-memory {fmt} failed")
            os.chmod(path, 0o644)
            run["qemu_dumps"].append({"file": os.path.basename(path), "format": fmt,
                                      "seconds": round(time.time() - t1, 1)})
        qmp.cmd("cont")
        if a.kdump_disk:
            ctl.send("GO\n")
            t2 = time.time()
            if a.lime:
                # the guest runs LiME once per format, then crashes. Timed to its last
                # LIME-FILE line: the CRASHING line right before the panic may never
                # leave the UART. A guest that never gets there fails below (no
                # capture) or in limecheck.py (no LiME file).
                if ctl.wait_for("@@VH LIME-FILE raw", a.capture_timeout) is not None:
                    run["timings"]["lime_s"] = round(time.time() - t2, 1)
                t2 = time.time()
            line = ctl.wait_for("@@VH CAP CAPTURE-DONE", a.capture_timeout)
            if line is None:
                raise RuntimeError("kdump capture did not finish (see console.log / control.log)")
            run["timings"]["capture_s"] = round(time.time() - t2, 1)
        else:
            ctl.send("QUIT\n")
        try:
            qemu.wait(timeout=120)
        except subprocess.TimeoutExpired:
            try:
                qmp.cmd("quit")
            except Exception:
                pass
        ok = True
    finally:
        if qemu.poll() is None:
            qemu.terminate()
            try:
                qemu.wait(timeout=20)
            except subprocess.TimeoutExpired:
                qemu.kill()
        run["timings"]["total_s"] = round(time.time() - t0, 1)
        run["ok"] = ok
        with open(os.path.join(out, "run.json"), "w") as f:
            json.dump(run, f, indent=1)
        for p in (ctl_path, qmp_path):
            try:
                os.unlink(p)
            except OSError:
                pass
        os.rmdir(sockdir)


if __name__ == "__main__":
    main()
