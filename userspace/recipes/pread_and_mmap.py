# SPDX-License-Identifier: GPL-2.0-only
# The Python recipe of docs/fault-injection.md: what a Python program sees when a page of a
# file it reads fails. Set up with: faultmem inject 0 sigbus 3
#   python3 pread_and_mmap.py /dev/faultmem0 3
import errno
import mmap
import os
import signal
import sys

path, bad = sys.argv[1], int(sys.argv[2])
page = mmap.PAGESIZE
fd = os.open(path, os.O_RDONLY)

# read(): an exception the program can handle.
try:
    os.pread(fd, page, bad * page)
    print("pread: no error")
except OSError as e:
    print("pread: OSError", errno.errorcode[e.errno], e.strerror)

# A mapped access is no exception: the interpreter dies of SIGBUS.
# Do it in a child, and look at how it ended.
pid = os.fork()
if pid == 0:
    m = mmap.mmap(fd, (bad + 1) * page, prot=mmap.PROT_READ)
    m[bad * page]
    os._exit(0)
_, status = os.waitpid(pid, 0)
if os.WIFSIGNALED(status):
    print("mmap: killed by", signal.Signals(os.WTERMSIG(status)).name)
else:
    print("mmap: exited", os.WEXITSTATUS(status))
