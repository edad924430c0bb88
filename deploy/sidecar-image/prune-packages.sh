#!/bin/bash
# Run by Dockerfile.sidecar after its apt-get install: keeps the programs the sidecar runs and only the files
# of their library packages that those programs load. Usage:
#   prune-packages.sh BASE_PACKAGES_FILE PROGRAM_PACKAGE...
# BASE_PACKAGES_FILE lists (sorted) the packages installed before the apt-get install. Every file of a
# PROGRAM_PACKAGE stays. Of every other package installed since (libraries, and what apt brought with them:
# perl's and python's modules, gnupg, openssl's command, clang's C++ library), a file stays only if a
# program package's executable or shared object links it (ldd: the library and its soname link) or it
# lives under /etc. dpkg still lists every package, so scanners see each version; `dpkg --verify` reports
# the files removed. --drop removes a file of a program package that the sidecar never runs.
set -euo pipefail
base=$1
shift
drop=()
while [[ ${1:-} == --drop ]]; do
  drop+=("$2")
  shift 2
done
programs=" $* "
needed=$(mktemp)
candidates=$(mktemp)
# Bookworm is merged-/usr: dpkg names some files by /lib, /bin or /sbin, ldd by either. Compare /usr paths.
usr_path() { sed -E 's#^/(lib|lib64|bin|sbin)/#/usr/\1/#'; }

# Every library that an ELF file of a program package loads, with each link of its symlink chain.
for pkg in $programs; do dpkg -L "$pkg"; done | sort -u | while read -r f; do
  [[ -f $f && ! -L $f && ( -x $f || $f == *.so* ) ]] || continue
  ldd "$f" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' || true
done | sort -u | while read -r lib; do
  while [[ -n $lib ]]; do
    echo "$lib"
    next=$(readlink "$lib" || true)
    [[ -z $next || $next == /* ]] || next=$(dirname "$lib")/$next
    lib=$next
  done
done | usr_path | sort -u >"$needed"

new=$(dpkg-query -W -f '${Package}\n' | sort | comm -13 "$base" -)
for pkg in $new; do
  [[ $programs == *" $pkg "* ]] || dpkg -L "$pkg"
done | grep -v '^/etc/' | usr_path | sort -u | grep -vxFf "$needed" >"$candidates" || true
before=$(du -sxk /usr | cut -f1)
removed=0
while read -r f; do
  # -d follows symlinks: /lib64 and the like are links to directories that every program needs.
  if [[ ! -d $f && ( -L $f || -f $f ) ]]; then
    rm -f "$f"
    removed=$((removed + 1))
  fi
done <"$candidates"
for f in "${drop[@]}"; do
  [[ -e $f ]] || { echo "prune-packages: --drop $f: no such file" >&2; exit 1; }
  rm -f "$f"
  removed=$((removed + 1))
done
# Python's byte code, compiled by the python packages' postinst: dpkg does not list it, nothing here runs it.
find /usr/lib/python3* -name __pycache__ -type d -prune -exec rm -rf {} + 2>/dev/null || true
after=$(du -sxk /usr | cut -f1)
echo "prune-packages: kept every file of:$programs"
echo "prune-packages: removed $removed files ($(((before - after) / 1024)) MiB) that none of them loads, from: $(
  comm -23 <(echo "$new" | tr ' ' '\n' | sort) <(echo "$programs" | tr ' ' '\n' | sort) | tr '\n' ' '
)"
rm -f "$needed" "$candidates"
