#!/usr/bin/env python3
"""Private apt configuration for the vmahunt test lab.

Fetches Debian packages of OTHER suites (bullseye, trixie, sid, ...) without
touching the machine's own apt state: a private sources list, state dir and
cache under the lab cache directory.  The archive URIs and keyrings are read
at run time from the machine's own apt configuration
(/etc/apt/sources.list and /etc/apt/sources.list.d/*), so nothing about this
machine or any mirror is written in the repository.

Usage:
  labapt.py [--arch ARCH] CACHE SUITE COMMAND ...
  labapt.py CACHE SUITE update
  labapt.py CACHE SUITE kernel            -> prints the versioned image package name
  labapt.py CACHE SUITE kernels           -> "IMAGE-PACKAGE VERSION" lines, newest first
  labapt.py CACHE SUITE download DIR PKG...   (prints the .deb paths)
  labapt.py CACHE SUITE libdeps PKG       -> prints PKG plus its recursive lib* Depends
  labapt.py CACHE SUITE headers KVER VER  -> linux-headers-KVER plus the linux-headers-* /
                                             linux-kbuild-* packages it depends on
  labapt.py CACHE SUITE mirror            -> the Debian archive URI (for debootstrap)

--arch ARCH (default amd64): the Debian architecture of the packages (arm64 for the
arm64 guests). Each architecture has its own private apt state (CACHE/apt/SUITE for
amd64, CACHE/apt/SUITE-ARCH for the others), whose only architecture is ARCH; the
kernels are then those of linux-image-cloud-ARCH.
"""
import glob
import os
import re
import subprocess
import sys

APT_ETC = "/etc/apt"
ARCH = "amd64"  # --arch


def parse_machine_sources():
    """Return list of dicts {uri, suites, components, signed_by} from the
    machine's apt configuration (deb822 *.sources and one-line *.list)."""
    entries = []
    files = []
    main = os.path.join(APT_ETC, "sources.list")
    if os.path.exists(main):
        files.append(main)
    files += sorted(glob.glob(os.path.join(APT_ETC, "sources.list.d", "*.list")))
    files += sorted(glob.glob(os.path.join(APT_ETC, "sources.list.d", "*.sources")))
    for f in files:
        try:
            text = open(f, encoding="utf-8", errors="replace").read()
        except OSError:
            continue
        if f.endswith(".sources"):
            for para in re.split(r"\n\s*\n", text):
                fields = {}
                key = None
                for line in para.splitlines():
                    if line.startswith("#") or not line.strip():
                        continue
                    if line[0] in " \t" and key:
                        fields[key] += " " + line.strip()
                        continue
                    if ":" in line:
                        key, val = line.split(":", 1)
                        key = key.strip().lower()
                        fields[key] = val.strip()
                if "uris" not in fields or "suites" not in fields:
                    continue
                if fields.get("enabled", "yes").lower() == "no":
                    continue
                if "deb" not in fields.get("types", "deb").split():
                    continue
                for uri in fields["uris"].split():
                    entries.append({
                        "uri": uri.rstrip("/"),
                        "suites": fields["suites"].split(),
                        "components": fields.get("components", "main").split(),
                        "signed_by": fields.get("signed-by", ""),
                    })
        else:
            for line in text.splitlines():
                line = line.split("#", 1)[0].strip()
                if not line.startswith("deb "):
                    continue
                opts = ""
                m = re.match(r"deb\s+\[([^\]]*)\]\s+(.*)", line)
                if m:
                    opts, rest = m.group(1), m.group(2)
                else:
                    rest = line[4:]
                parts = rest.split()
                if len(parts) < 2:
                    continue
                sb = ""
                for o in opts.split():
                    if o.startswith("signed-by="):
                        sb = o.split("=", 1)[1]
                entries.append({"uri": parts[0].rstrip("/"), "suites": [parts[1]],
                                "components": parts[2:], "signed_by": sb})
    return entries


DEBIAN_SUITE_RE = re.compile(r"^(buster|bullseye|bookworm|trixie|forky|duke|sid|unstable|"
                             r"stable|oldstable|testing)(-updates|-security|-backports)?$")


def find_debian_uris():
    """Pick the Debian archive URI and the Debian security URI."""
    archive = security = None
    for e in parse_machine_sources():
        for s in e["suites"]:
            m = DEBIAN_SUITE_RE.match(s)
            if not m:
                continue
            if m.group(2) == "-security" or s.endswith("/updates"):
                security = security or e
            else:
                archive = archive or e
    if archive is None:
        sys.exit("labapt: no Debian archive found in the machine's apt configuration")
    return archive, security


def suite_lines(suite):
    archive, security = find_debian_uris()

    def line(e, s):
        opt = f"[signed-by={e['signed_by']}] " if e["signed_by"] and not e["signed_by"].lstrip().startswith("-----") else ""
        return f"deb {opt}{e['uri']} {s} main\n"
    out = [line(archive, suite)]
    if suite not in ("sid", "unstable"):
        out.append(line(archive, suite + "-updates"))
        if security is not None:
            out.append(line(security, suite + "-security"))
    return "".join(out)


def paths(cache, suite):
    base = os.path.join(cache, "apt", suite if ARCH == "amd64" else f"{suite}-{ARCH}")
    return {
        "base": base,
        "list": os.path.join(base, "sources.list"),
        "parts": os.path.join(base, "sources.list.d"),
        "prefparts": os.path.join(base, "preferences.d"),
        "state": os.path.join(base, "state"),
        "lists": os.path.join(base, "state", "lists"),
        "status": os.path.join(base, "state", "status"),
        "cache": os.path.join(base, "cache"),
    }


def apt_opts(cache, suite):
    p = paths(cache, suite)
    return [
        "-o", "Dir::Etc::SourceList=" + p["list"],
        "-o", "Dir::Etc::SourceParts=" + p["parts"],
        "-o", "Dir::Etc::Preferences=" + os.path.join(p["base"], "preferences"),
        "-o", "Dir::Etc::PreferencesParts=" + p["prefparts"],
        "-o", "Dir::State=" + p["state"],
        "-o", "Dir::State::Lists=" + p["lists"],
        "-o", "Dir::State::status=" + p["status"],
        "-o", "Dir::Cache=" + p["cache"],
        "-o", "APT::Architecture=" + ARCH,
        "-o", "APT::Architectures=" + ARCH,
        "-o", "Acquire::Languages=none",
        "-o", "Debug::NoLocking=1",
        "-o", "APT::Get::List-Cleanup=0",
        "-o", "APT::Sandbox::User=root",
        "-q",
    ]


def setup(cache, suite):
    p = paths(cache, suite)
    for d in ("parts", "prefparts", "lists", "cache"):
        os.makedirs(p[d], exist_ok=True)
    os.makedirs(os.path.join(p["lists"], "partial"), exist_ok=True)
    os.makedirs(os.path.join(p["cache"], "archives", "partial"), exist_ok=True)
    with open(p["list"], "w") as f:
        f.write(suite_lines(suite))
    if not os.path.exists(p["status"]):
        open(p["status"], "w").close()


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, text=True, **kw)


def cmd_update(cache, suite):
    setup(cache, suite)
    run(["apt-get"] + apt_opts(cache, suite) + ["update"], stdout=sys.stderr)


def cmd_show_field(cache, suite, pkg, field):
    out = run(["apt-cache"] + apt_opts(cache, suite) + ["show", "--no-all-versions", pkg],
              stdout=subprocess.PIPE).stdout
    for line in out.splitlines():
        if line.startswith(field + ":"):
            return line.split(":", 1)[1].strip()
    return ""


def cmd_kernel(cache, suite):
    """Name of the versioned cloud image package the metapackage points to."""
    dep = cmd_show_field(cache, suite, "linux-image-cloud-" + ARCH, "Depends")
    for d in dep.split(","):
        name = d.strip().split()[0]
        if name.startswith("linux-image-") and name.endswith("-cloud-" + ARCH):
            return name
    sys.exit(f"labapt: cannot resolve kernel from linux-image-cloud-{ARCH} Depends: {dep!r}")


def cmd_kernels(cache, suite):
    """(image package, version) for every version of the cloud metapackage, newest first:
    the newest one may lack its -dbg on a mirror, so callers fall back down the list."""
    out = run(["apt-cache"] + apt_opts(cache, suite) + ["show", "linux-image-cloud-" + ARCH],
              stdout=subprocess.PIPE).stdout
    res = []
    for para in out.split("\n\n"):
        dep = ver = ""
        for line in para.splitlines():
            if line.startswith("Depends:"):
                dep = line.split(":", 1)[1]
            elif line.startswith("Version:"):
                ver = line.split(":", 1)[1].strip()
        for d in dep.split(","):
            name = d.strip().split()[0] if d.strip() else ""
            if name.startswith("linux-image-") and name.endswith("-cloud-" + ARCH):
                # the image package of that metapackage version has the same version
                if (name, ver) not in res:
                    res.append((name, ver))
    cmp = lambda a, b: subprocess.run(["dpkg", "--compare-versions", a, "gt", b]).returncode == 0  # noqa: E731
    # sort newest first (insertion sort with dpkg's comparison; the list is short)
    srt = []
    for item in res:
        i = 0
        while i < len(srt) and not cmp(item[1], srt[i][1]):
            i += 1
        srt.insert(i, item)
    return srt


def cmd_parts(cache, suite, pkg, ver):
    """The packages that make up a kernel image package: itself, plus (sid 7.x, where the
    image is split) the linux-binary-* and linux-modules-* packages it depends on."""
    out = run(["apt-cache"] + apt_opts(cache, suite) + ["show", f"{pkg}={ver}"],
              stdout=subprocess.PIPE).stdout
    names = [pkg]
    for line in out.split("\n\n")[0].splitlines():
        if line.startswith("Depends:"):
            for d in line.split(":", 1)[1].split(","):
                for alt in d.split("|"):
                    n = alt.strip().split()[0] if alt.strip() else ""
                    if n.startswith(("linux-binary-", "linux-modules-")) and n not in names:
                        names.append(n)
    return names


def cmd_headers(cache, suite, kver, ver):
    """The packages an external module build for kernel KVER needs: linux-headers-KVER
    and the linux-headers-*-common / linux-kbuild-* packages it depends on (same version)."""
    pkg = "linux-headers-" + kver
    out = run(["apt-cache"] + apt_opts(cache, suite) + ["show", f"{pkg}={ver}"],
              stdout=subprocess.PIPE).stdout
    names = [pkg]
    for line in out.split("\n\n")[0].splitlines():
        if line.startswith("Depends:"):
            for d in line.split(":", 1)[1].split(","):
                n = d.strip().split()[0] if d.strip() else ""
                if n.startswith(("linux-headers-", "linux-kbuild-")) and n not in names:
                    names.append(n)
    return names


def cmd_version(cache, suite, pkg):
    return cmd_show_field(cache, suite, pkg, "Version")


def cmd_download(cache, suite, dest, pkgs):
    os.makedirs(dest, exist_ok=True)
    run(["apt-get"] + apt_opts(cache, suite) + ["download"] + pkgs, cwd=dest, stdout=sys.stderr)


def cmd_libdeps(cache, suite, pkg):
    out = run(["apt-cache"] + apt_opts(cache, suite) +
              ["depends", "--recurse", "--no-recommends", "--no-suggests", "--no-conflicts",
               "--no-breaks", "--no-replaces", "--no-enhances", "--no-pre-depends", pkg],
              stdout=subprocess.PIPE).stdout
    names = []
    for line in out.splitlines():
        if line.startswith(" ") or line.startswith("<"):
            continue
        n = line.strip()
        if n == pkg or (n.startswith("lib") and not n.startswith("libc-") and ":" not in n):
            if n not in names:
                names.append(n)
    return names


def main():
    global ARCH
    argv = sys.argv[1:]
    if argv[:1] == ["--arch"] and len(argv) > 1:
        ARCH, argv = argv[1], argv[2:]
    if len(argv) < 3:
        sys.exit(__doc__)
    cache, suite, cmd = argv[:3]
    args = argv[3:]
    if cmd == "update":
        cmd_update(cache, suite)
    elif cmd == "kernel":
        print(cmd_kernel(cache, suite))
    elif cmd == "kernels":
        for name, ver in cmd_kernels(cache, suite):
            print(name, ver)
    elif cmd == "parts":
        print("\n".join(cmd_parts(cache, suite, args[0], args[1])))
    elif cmd == "headers":
        print("\n".join(cmd_headers(cache, suite, args[0], args[1])))
    elif cmd == "version":
        print(cmd_version(cache, suite, args[0]))
    elif cmd == "download":
        cmd_download(cache, suite, args[0], args[1:])
    elif cmd == "libdeps":
        print("\n".join(cmd_libdeps(cache, suite, args[0])))
    elif cmd == "sources":
        print(suite_lines(suite), end="")
    elif cmd == "mirror":
        print(find_debian_uris()[0]["uri"])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
