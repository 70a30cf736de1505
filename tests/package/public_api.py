#!/usr/bin/env python3
"""Prints the names of the functions and objects the public headers declare.

   public_api.py CC INCLUDE_DIR...

Every vmahunt/*.h under the INCLUDE_DIRs (the source tree's and the build's,
which holds the generated version.h) is run through the C preprocessor, so
that conditionals and macros (VH_EXPORT, extern "C") are read as a C compiler
reads them; the declarations that come from those headers, and not from the
system headers they include, are then split at file scope: a declaration with
a parameter list is a function, an extern one without is an object. Static
inline functions, typedefs, struct/union/enum bodies and macros declare no
symbol and are skipped. The list is derived from whatever headers exist, so a
header added later is covered without editing this script.
"""
import glob
import os
import re
import subprocess
import sys


def public_headers(dirs):
    return sorted({os.path.realpath(h) for d in dirs for h in glob.glob(os.path.join(d, "vmahunt", "*.h"))})


def preprocess(cc, dirs, headers):
    src = "".join('#include "%s"\n' % h for h in headers)
    args = [cc, "-E", "-std=c11", "-x", "c", "-"] + ["-I" + d for d in dirs]
    out = subprocess.run(args, input=src, capture_output=True, text=True, check=True).stdout
    # Keep only the text that comes from the public headers (line markers say where).
    keep, text = False, []
    wanted = set(headers)
    for line in out.splitlines():
        m = re.match(r'#\s*\d+\s+"([^"]*)"', line)
        if m:
            keep = os.path.realpath(m.group(1)) in wanted
            continue
        if keep and not line.startswith("#"):
            text.append(line)
    return "\n".join(text)


def strip_attributes(text):
    """Removes __attribute__((...)) and __asm__(...), whose parentheses are no parameter list."""
    out, i = [], 0
    pat = re.compile(r"\b(__attribute__|__asm__|__asm|asm)\s*\(")
    while True:
        m = pat.search(text, i)
        if not m:
            out.append(text[i:])
            return "".join(out)
        out.append(text[i:m.start()])
        depth, j = 0, m.end() - 1
        while j < len(text):
            depth += {"(": 1, ")": -1}.get(text[j], 0)
            j += 1
            if depth == 0:
                break
        i = j


def declarations(text):
    """File-scope declarations, with brace bodies removed; function definitions dropped."""
    decls, cur, depth = [], [], 0
    for tok in re.findall(r"[A-Za-z_]\w*|\S", text):
        if tok == "{":
            depth += 1
            continue
        if tok == "}":
            depth -= 1
            # "static inline int f(void) { ... }": a definition, ends without ';'.
            if depth == 0 and cur and cur[-1] == ")" and "static" in cur:
                cur = []
            continue
        if depth:
            continue
        if tok == ";":
            decls.append(cur)
            cur = []
        else:
            cur.append(tok)
    return decls


def names(decl):
    if not decl or decl[0] in ("typedef", "_Static_assert") or "static" in decl:
        return None
    ident = re.compile(r"[A-Za-z_]\w*$")
    depth = 0
    for i, tok in enumerate(decl):
        if tok == "(" and depth == 0 and i > 0 and ident.match(decl[i - 1]):
            return ("function", decl[i - 1])
        depth += {"(": 1, ")": -1, "[": 1, "]": -1}.get(tok, 0)
    if decl[0] != "extern":
        return None  # struct/enum tags, forward declarations
    name = None
    for tok in decl:
        if tok in ("[", "="):
            break
        if ident.match(tok):
            name = tok
    return ("object", name) if name else None


def main():
    cc, dirs = sys.argv[1], sys.argv[2:]
    headers = public_headers(dirs)
    if not headers:
        sys.exit("public_api.py: no vmahunt/*.h under " + " ".join(dirs))
    text = strip_attributes(preprocess(cc, dirs, headers))
    found = set()
    for d in declarations(text):
        n = names(d)
        if n:
            found.add(n[1])
    for n in sorted(found):
        print(n)


if __name__ == "__main__":
    main()
