#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Print the path of checkpatch.pl, extracting it (with the data files it
# reads) from Debian's linux-source-6.1 tarball into .cache/ the first time.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
dest=$repo/.cache/checkpatch
if [ ! -x "$dest/scripts/checkpatch.pl" ]; then
	tarball=$(ls /usr/src/linux-source-6.1.tar.xz 2>/dev/null || ls /usr/src/linux-source-*.tar.xz | head -1)
	[ -f "$tarball" ] || { echo "get-checkpatch: no linux-source tarball in /usr/src (apt-get install linux-source-6.1)" >&2; exit 1; }
	top=$(basename "$tarball" .tar.xz)
	mkdir -p "$dest"
	tar -xJf "$tarball" -C "$dest" --strip-components=1 \
		"$top/scripts/checkpatch.pl" "$top/scripts/spelling.txt" \
		"$top/scripts/const_structs.checkpatch"
fi
echo "$dest/scripts/checkpatch.pl"
