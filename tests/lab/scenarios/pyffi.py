#!/usr/bin/python3 -SEB
# pyffi: an ordinary language runtime with foreign-function callbacks: Debian's python3
# with ctypes callbacks, whose libffi closures live in an anonymous rwx page (the
# trampolines jump into libffi). Legitimate: must give no finding above info.
# Copied to /lab/bin/pyffi by build-lab.sh (*.py scenarios), with the few files of the
# host's python3 that `import ctypes` needs.
import ctypes
import os
import sys
import time

CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int)
callbacks = [CALLBACK(lambda x, i=i: x + i) for i in range(8)]
total = sum(cb(1) for cb in callbacks)  # each closure runs once
sys.stdout.write('{"pid":%d,"program":"pyffi","kind":"benign","start":"0x0","end":"0x0",'
                 '"perms":"----","runtime":"python3 ctypes","closures":%d,"sum":%d}\n'
                 % (os.getpid(), len(callbacks), total))
sys.stdout.write("#READY\n")
sys.stdout.flush()
while True:
    time.sleep(3600)
