#!/usr/bin/env python3
"""vmahunt report's HTML, checked in headless Chromium.

  escape: a process core made from samples/core.inject.zst with hostile
      strings planted in its comm, its arguments and every mapped file's
      path (<script>, an <img onerror>, a bare </script>); the report must
      show them as text and run none of them: no alert, no extra script, no
      img, no on* attribute, no console error.
  lab: one dump of each lab folder (the first folder's kdump -d 31 too), and the
      process core sample: every
      process of the truth in the process tree (a user process with maps also
      with its map), every finding of `vmahunt scan --json` in the findings
      table linked to its process (and to its VMA when it lies in one), every
      in-page link resolving, the page's script run without error, no
      console message, no reference to anything outside the page. A PNG
      screenshot of each page is kept in --shots when given.
Prints the file sizes and times; exits 1 on any failure.
"""
import argparse
import html
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time

HOSTILE_COMM = b'"><b>x</script>'  # 15 bytes: a comm holds 15
HOSTILE_ARGS = b"<script>alert(1)</script> \"><img src=x onerror=alert(1)>"
HOSTILE_DIR = '/<script>alert(1)</script>/"><img src=x onerror=alert(1)>/'
PROBE_HEAD = "<script>window.__alerts=0;window.alert=function(){window.__alerts++;};</script>"
PROBE_TAIL = """<script>window.addEventListener('load',function(){setTimeout(function(){
var on=0;document.querySelectorAll('*').forEach(function(e){for(var i=0;i<e.attributes.length;i++)
if(/^on/i.test(e.attributes[i].name))on++;});var p=document.createElement('pre');p.id='probe';
function shown(){return [].filter.call(document.querySelectorAll('#ftab tbody tr'),
function(r){return !r.hidden;}).length;}
var fq=document.getElementById('fq'),fs=document.getElementById('fsev'),all=shown();
fq.value='anon-rwx';fq.dispatchEvent(new Event('input'));var one=shown();
fq.value='';fq.dispatchEvent(new Event('input'));fs.value='3';fs.dispatchEvent(new Event('change'));
var high=shown();var pq=document.getElementById('pq');pq.value='no such process';
pq.dispatchEvent(new Event('input'));var procs=[].filter.call(document.querySelectorAll(
'section.proc'),function(e){return !e.hidden;}).length;
p.textContent=JSON.stringify({alerts:window.__alerts,scripts:document.scripts.length,
imgs:document.images.length,on:on,text:document.body.textContent,
filter:[all,one,high,procs]});
document.body.appendChild(p);},100);});</script>"""
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)
    return ok


def browser():
    for name in ("chromium", "chromium-browser"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def chromium(exe, page, work, *mode):
    """Runs headless Chromium on @page; returns (stdout, console lines, seconds)."""
    args = [exe, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
            "--user-data-dir=" + os.path.join(work, "profile"), "--hide-scrollbars",
            "--host-resolver-rules=MAP * ~NOTFOUND", "--enable-logging=stderr", "--v=0",
            "--virtual-time-budget=5000", *mode, "file://" + os.path.abspath(page)]
    t0 = time.time()
    p = subprocess.run(["timeout", "-k", "5", "180"] + args, capture_output=True, text=True,
                       errors="replace", cwd=work)
    console = [l for l in p.stderr.splitlines() if "CONSOLE" in l]
    return p.stdout, console, time.time() - t0


def report(vmahunt, dump, out, *extra):
    t0 = time.time()
    p = subprocess.run([vmahunt, "report", *extra, dump, "-o", out], capture_output=True,
                       text=True, errors="replace")
    check("Sanitizer" not in p.stderr and "runtime error:" not in p.stderr,
          f"report of {os.path.basename(dump)}: no sanitizer report {p.stderr[:300]}")
    return p, time.time() - t0


def static_checks(label, text):
    """Nothing in the file can reach outside it: every link an in-page anchor."""
    refs = re.findall(r'\s(?:href|src|action|srcset|poster|data)="([^"]*)"', text)
    check(all(r.startswith("#") for r in refs), f"{label}: every href/src is an in-page anchor")
    check(not re.search(r"https?:|url\(|@import|//[a-z]", text.replace("http-equiv", "")),
          f"{label}: no URL, url() or @import in the file")
    check("default-src 'none'" in text, f"{label}: the CSP forbids fetches")


# ---- escape ----

def notes_of(data, off, size):
    out, p = [], off
    while p + 12 <= off + size:
        namesz, descsz, typ = struct.unpack_from("<III", data, p)
        name = data[p + 12:p + 12 + namesz]
        d0 = p + 12 + ((namesz + 3) & ~3)
        out.append((name, typ, bytearray(data[d0:d0 + descsz])))
        p = d0 + ((descsz + 3) & ~3)
    return out


def note_bytes(name, typ, desc):
    pad = lambda b: b + b"\0" * (-len(b) % 4)
    return struct.pack("<III", len(name), len(desc), typ) + pad(name) + pad(bytes(desc))


def hostile_file_note(desc):
    count, psz = struct.unpack_from("<QQ", desc, 0)
    head = bytes(desc[:16 + 24 * count])
    names = bytes(desc[16 + 24 * count:]).split(b"\0")[:count]
    names = [HOSTILE_DIR.encode() + os.path.basename(n) for n in names]
    return bytearray(head + b"".join(n + b"\0" for n in names))


def hostile_core(sample, out):
    """The sample with new notes appended and PT_NOTE pointing at them."""
    data = bytearray(subprocess.run(["zstd", "-dc", sample], check=True,
                                    capture_output=True).stdout)
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    for i in range(phnum):
        ph = phoff + i * phentsize
        if struct.unpack_from("<I", data, ph)[0] != 4:  # PT_NOTE
            continue
        off, = struct.unpack_from("<Q", data, ph + 8)
        size, = struct.unpack_from("<Q", data, ph + 32)
        new = b""
        for name, typ, desc in notes_of(data, off, size):
            if typ == 3:  # NT_PRPSINFO: pr_fname at 40, pr_psargs at 56
                desc[40:56] = HOSTILE_COMM.ljust(16, b"\0")
                desc[56:136] = HOSTILE_ARGS.ljust(80, b"\0")[:80]
            elif typ == 0x46494c45:  # NT_FILE
                desc = hostile_file_note(desc)
            new += note_bytes(name, typ, desc)
        data += b"\0" * (-len(data) % 8)
        struct.pack_into("<QQ", data, ph + 8, len(data), 0)  # p_offset, p_vaddr
        struct.pack_into("<QQ", data, ph + 32, len(new), 0)  # p_filesz, p_memsz
        data += new
    open(out, "wb").write(data)


def escape(args, exe, work):
    core = os.path.join(work, "hostile.core")
    hostile_core(os.path.join(args.src, "samples", "core.inject.zst"), core)
    page = os.path.join(work, "hostile.html")
    p, secs = report(args.vmahunt, core, page)
    if not check(p.returncode == 0, f"report of the hostile core (exit {p.returncode}: "
                 f"{p.stderr.strip()[:300]})"):
        return
    text = open(page, encoding="utf-8", errors="replace").read()
    static_checks("hostile core", text)
    check(text.count("<script") == 1 and text.count("</script>") == 1 and "<img" not in text,
          "the file holds one <script> and one </script> (its own) and no <img>")
    probe = os.path.join(work, "probe.html")
    open(probe, "w").write(text.replace("<head>", "<head>" + PROBE_HEAD, 1)
                           .replace("</body>", PROBE_TAIL + "</body>", 1))
    dom, console, _ = chromium(exe, probe, work, "--dump-dom")
    m = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
    if not check(m is not None, "the probe ran in Chromium"):
        return
    got = json.loads(html.unescape(m.group(1)))
    check(got["alerts"] == 0, f"no alert ran ({got['alerts']})")
    check(got["scripts"] == 3, f"no script element but the page's and the probe's ({got['scripts']})")
    check(got["imgs"] == 0 and got["on"] == 0, f"no img ({got['imgs']}), no on* attribute ({got['on']})")
    for s in (HOSTILE_COMM.decode(), "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>'):
        check(s in got["text"], f"shown as text: {s}")
    check(got["filter"] == [4, 1, 4, 0], "the filters: 4 findings, 1 with text anon-rwx, 4 high, "
          f"no process matching nonsense ({got['filter']})")
    check('data-js="ok"' in dom, "the page's script ran")
    check(not console, f"no console message: {console[:3]}")


# ---- lab ----

def truth_ids(truth):
    """Leaders of the truth: (pid, comm, kernel thread, has maps)."""
    for p in truth["processes"]:
        if p.get("tgid", p["pid"]) == p["pid"]:
            comm = p.get("comm") or p["threads"][0]["comm"]
            yield p["pid"], comm, p.get("kernel_thread"), bool(p.get("maps"))


def check_findings(label, dump, vmahunt, dom, extra):
    p = subprocess.run([vmahunt, "scan", "--json", *extra, dump], capture_output=True, text=True)
    finds = [o for o in map(json.loads, p.stdout.splitlines()) if o["type"] == "finding"]
    rows = re.findall(r'<tr id="f-(\d+)"[^>]*>(.*?)</tr>', dom, re.S)
    check(len(rows) == len(finds), f"{label}: {len(finds)} findings of scan, {len(rows)} rows")
    for f, (_, row) in zip(finds, rows):
        pid, rng = f["pid"], "%s-%s" % (f["start"], f["end"])
        ok = (f'href="#p-{pid}"' in row or f'href="#t-{pid}"' in row) and rng in row and \
            html.escape(f["detector"]) in row
        check(ok, f"{label}: finding {f['detector']} pid {pid} {rng} in its row, linked")


def check_lab_page(args, exe, work, label, dump, truth, extra, shot):
    page = os.path.join(work, re.sub(r"\W", "_", label) + ".html")
    p, secs = report(args.vmahunt, dump, page, *extra)
    if not check(p.returncode == 0, f"{label}: report (exit {p.returncode}: {p.stderr[:300]})"):
        return
    text = open(page, encoding="utf-8").read()
    static_checks(label, text)
    dom, console, bsecs = chromium(exe, page, work, "--dump-dom")
    ids = set(re.findall(r'\sid="([^"]+)"', dom))
    hrefs = set(re.findall(r'\shref="#([^"]+)"', dom))
    check(hrefs <= ids, f"{label}: every link resolves ({len(hrefs)} targets; missing "
          f"{sorted(hrefs - ids)[:5]})")
    check('data-js="ok"' in dom and '<div id="jserr" hidden=""></div>' in dom,
          f"{label}: the page's script ran without error")
    check(not console, f"{label}: no console message {console[:3]}")
    missing, late = [], []
    for pid, comm, kthread, maps in truth_ids(truth):
        if f"t-{pid}" not in ids:
            (late if kthread and comm.startswith("kworker/") else missing).append(pid)
        elif maps and not kthread and f"p-{pid}" not in ids:
            missing.append(pid)
    check(not missing, f"{label}: every truth process in the tree (user ones with their map); "
          f"missing {missing[:10]}, kworkers come and gone {len(late)}")
    check_findings(label, dump, args.vmahunt, dom, extra)
    t0 = time.time()
    shot = shot or os.path.join(work, "shot.png")
    chromium(exe, page, work, "--window-size=1280,1800", "--screenshot=" + shot)
    check(os.path.exists(shot) and open(shot, "rb").read(8) == b"\x89PNG\r\n\x1a\n",
          f"{label}: a screenshot was taken")
    print(f"     {label}: {os.path.getsize(page)} bytes, report {secs:.2f} s, Chromium "
          f"dump-dom {bsecs:.1f} s, screenshot {time.time() - t0:.1f} s")


def first_dump(lab):
    m = json.load(open(os.path.join(lab, "manifest.json")))
    files = [d["file"] for d in m["dumps"]]
    return "qemu.elf" if "qemu.elf" in files else files[0]


def lab(args, exe, work):
    for lab_dir in args.labs:
        name = os.path.basename(lab_dir.rstrip("/"))
        truth = json.load(open(os.path.join(lab_dir, "truth.json")))
        dump = os.path.join(lab_dir, first_dump(lab_dir))
        vml = os.path.join(lab_dir, "vmlinux")
        extra = ["--vmlinux", vml] if os.path.exists(vml) else []
        shot = os.path.join(args.shots, f"report-{name}.png") if args.shots else None
        check_lab_page(args, exe, work, f"{name}/{os.path.basename(dump)}", dump, truth, extra,
                       shot)
        # the first folder's makedumpfile -d 31 dump too: no user pages, fewer findings
        kd = os.path.join(lab_dir, "kdump-zstd-d31.kdump")
        if lab_dir == args.labs[0] and os.path.exists(kd):
            check_lab_page(args, exe, work, f"{name}/kdump-zstd-d31.kdump", kd, truth, extra,
                           None)
    sample = os.path.join(args.src, "samples")
    truth = json.load(open(os.path.join(sample, "core.inject.truth.json")))
    truth = {"processes": [{"pid": truth.get("pid"), "comm": "inject", "maps": [1],
                            "threads": [{"comm": "inject"}]}]} if "processes" not in truth \
        else truth
    shot = os.path.join(args.shots, "report-core.png") if args.shots else None
    check_lab_page(args, exe, work, "samples/core.inject.zst",
                   os.path.join(sample, "core.inject.zst"), truth, [], shot)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=("escape", "lab"))
    ap.add_argument("--vmahunt", required=True)
    ap.add_argument("--src", required=True)
    ap.add_argument("--shots")
    ap.add_argument("--lab", action="append", default=[], dest="labs")
    args = ap.parse_args()
    exe = browser()
    if not exe:
        print("FAIL no chromium: install it (scripts/install-deps.sh)")
        return 1
    t0 = time.time()
    with tempfile.TemporaryDirectory() as work:
        (escape if args.mode == "escape" else lab)(args, exe, work)
    print(f"{args.mode}: {time.time() - t0:.0f} s, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
