#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# mkinitramfs.sh arguments that put Debian's python3, the parts of its
# standard library that the Python recipe of docs/fault-injection.md
# (userspace/recipes/) imports, and the recipes themselves into the test
# VM's image: the recipe runs there as a user would run it
# (inject_cli_test).
set -eu
python=/usr/bin/python3
[ -x "$python" ] || { echo "python-files.sh: no $python (apt-get install python3)" >&2; exit 1; }
real=$(readlink -f "$python")
echo "-B $real"
# Every module file a recipe's imports load, and the byte code beside it.
"$python" -S -I -c '
import errno, importlib.util, mmap, os, signal, sys
for m in list(sys.modules.values()):
    f = getattr(m, "__file__", None)
    if not f:
        continue
    print(f)
    if f.endswith(".py"):
        c = importlib.util.cache_from_source(f)
        if os.path.exists(c):
            print(c)
' | sort -u | while read -r f; do echo "-F $f:$f"; done
for recipe in "$(dirname "$0")"/../userspace/recipes/*.py; do
	echo "-F $(readlink -f "$recipe"):/faultmem/recipes/${recipe##*/}"
done
