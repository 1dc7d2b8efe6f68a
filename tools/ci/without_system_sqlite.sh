#!/usr/bin/env bash
# Runs a command (CI: the README's test command) with the system SQLite development files absent,
# to prove that ecgxai builds and links without them. In a private mount namespace the headers
# (sqlite3.h, sqlite3ext.h) are covered by empty files, and libsqlite3.so / libsqlite3.a are
# removed from the library directory by an overlay with whiteouts, so `#include <sqlite3.h>` finds
# nothing and `-lsqlite3` fails to link. (The runtime libsqlite3.so.0 stays: the Swift
# toolchain's own swift-build needs it.) Afterwards the built `ecgxai` must not link any
# libsqlite3 (ldd).
#   tools/ci/without_system_sqlite.sh swift test -c release
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "${ECGXAI_IN_SQLITE_NAMESPACE:-}" != 1 ]; then
  if [ "$(id -u)" != 0 ] || ! unshare -m true 2>/dev/null; then
    echo "without-system-sqlite: cannot make a mount namespace here (needs root and unshare); running as is" >&2
    exec "$@"
  fi
  ECGXAI_IN_SQLITE_NAMESPACE=1 exec unshare -m "$0" "$@"
fi
mount --make-rprivate /
scratch=$(mktemp -d)
: > "$scratch/empty"
for f in /usr/include/sqlite3.h /usr/include/sqlite3ext.h; do
  if [ -f "$f" ]; then mount --bind "$scratch/empty" "$f"; fi
done
for dir in /usr/lib/*-linux-gnu; do
  if ls "$dir"/libsqlite3.so "$dir"/libsqlite3.a >/dev/null 2>&1; then
    mkdir -p "$scratch/upper$dir" "$scratch/work$dir"
    for name in libsqlite3.so libsqlite3.a; do mknod "$scratch/upper$dir/$name" c 0 0; done
    mount -t overlay overlay -o "lowerdir=$dir,upperdir=$scratch/upper$dir,workdir=$scratch/work$dir" "$dir"
  fi
done
echo "without-system-sqlite: in this namespace:"
for f in /usr/include/sqlite3.h /usr/include/sqlite3ext.h; do
  if [ -e "$f" ]; then echo "  $f: $(wc -c < "$f") bytes"; else echo "  $f: absent"; fi
done
echo "  $(ls /usr/lib/*-linux-gnu/libsqlite3* 2>/dev/null | tr '\n' ' ')(no libsqlite3.so, no libsqlite3.a)"
probe="$scratch/probe.c"
echo 'int main(void) { return 0; }' > "$probe"
if cc "$probe" -lsqlite3 -o "$scratch/probe" 2>/dev/null; then
  echo "without-system-sqlite: -lsqlite3 still links; the check is void" >&2
  exit 1
fi
echo "  cc probe.c -lsqlite3: fails to link, as it must"
status=0
"$@" || status=$?
bin=$(swift build -c release --show-bin-path 2>/dev/null)/ecgxai
if [ -x "$bin" ]; then
  linked=$(ldd "$bin" | grep -c sqlite || true)
  echo "without-system-sqlite: ldd .build/release/ecgxai | grep -c sqlite = $linked"
  if [ "$linked" != 0 ]; then echo "ecgxai links a system SQLite" >&2; status=1; fi
fi
exit $status
