#!/usr/bin/env bash
# docs/vmahunt.1 keeps in step with `vmahunt help`: the same commands, long
# options (--xxx), scan detectors and exit statuses, each difference named. Both lists are
# read from the texts themselves, so a command, option or detector added to
# the help fails here until the man page documents it (and the other way).
set -euo pipefail
: "${VMAHUNT:?run through ctest}" "${VMAHUNT_SRC:?run through ctest}"
man=$VMAHUNT_SRC/docs/vmahunt.1
status=0
# groff is not a dependency of vmahunt; where it is installed, the page must
# also format without a warning.
if command -v groff >/dev/null; then
	if warnings=$(groff -man -ww -z "$man" 2>&1) && [ -z "$warnings" ]; then
		echo "ok   groff formats docs/vmahunt.1 without a warning"
	else
		echo "FAIL groff: $warnings"
		status=1
	fi
fi
"$VMAHUNT" help | python3 -c '
import re, sys

help_text = sys.stdin.read()
roff = open(sys.argv[1]).read()

def help_lists(text):
    cmds, dets, section, in_dets = set(), set(), None, False
    for line in text.splitlines():
        if re.match(r"\S.*:$", line):
            section = line
            continue
        m = re.match(r"  (\S+)", line)
        if section == "Commands:" and m:
            cmds.add(m.group(1))
            in_dets = False
        if section == "Commands:" and "Detectors:" in line:
            in_dets = True
            line = line.split("Detectors:", 1)[1]
        if in_dets:
            dets.update(re.findall(r"[a-z][a-z0-9-]*", line))
    return cmds, dets

def man_lists(text):
    # roff escapes: \- is a hyphen, \fB \fI \fR \fP switch fonts, \& is nothing.
    text = text.replace("\\-", "-").replace("\\&", "")
    text = re.sub(r"\\f[BIRP]", "", text)
    lines = [l for l in text.splitlines() if not l.startswith(".\\\"")]
    cmds, dets, section, tag = set(), set(), None, False
    for line in lines:
        if line.startswith(".SH "):
            section = line[4:].strip().strip("\"")
        elif line.startswith(".TP"):
            tag = True
            continue
        elif tag:
            words = line.split()
            if words and words[0] in (".B", ".BI", ".BR"):
                name = words[1].strip("\"")
                if section == "COMMANDS":
                    cmds.add(name)
                elif section == "DETECTORS":
                    dets.add(name)
        tag = False
    return cmds, dets, "\n".join(lines)

hc, hd = help_lists(help_text)
mc, md, mtext = man_lists(roff)
# Exit status: "0 success; 1 findings ...; 2 usage" in the help, one ".TP/.B N"
# each in the EXIT STATUS section of the page.
he = set(re.findall(r"(?:: |; )(\d+) ", help_text[help_text.find("Exit status:"):].replace("\n", " ")))
sect = mtext[mtext.find(".SH EXIT STATUS"):]
sect = sect[:sect.find(".SH ", 4)]
me = set(re.findall(r"^\.TP\n\.B (\d+)$", sect, re.M))
ho = set(re.findall(r"--[a-z][a-z0-9-]*", help_text))
mo = set(re.findall(r"--[a-z][a-z0-9-]*", mtext))
bad = 0
for kind, h, m in (("command", hc, mc), ("long option", ho, mo), ("detector", hd, md),
                   ("exit code", he, me)):
    if not h:
        print("FAIL found no %s in vmahunt help: has its layout changed?" % kind)
        bad += 1
    for x in sorted(h - m):
        print("FAIL %s %s is in vmahunt help but not in docs/vmahunt.1" % (kind, x))
        bad += 1
    for x in sorted(m - h):
        print("FAIL %s %s is in docs/vmahunt.1 but not in vmahunt help" % (kind, x))
        bad += 1
    if h == m:
        print("ok   the same %d %ss: %s" % (len(h), kind, " ".join(sorted(h))))
sys.exit(1 if bad else 0)
' "$man" || status=1
exit $status
