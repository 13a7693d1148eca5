#!/bin/sh
# nm_circles.sh — circles between the object files of libtfpcore: A uses a
# symbol B defines and B uses one A defines. Prints each circle (and the
# symbols that make it); exits 1 when there is one.
# Usage: tests/tools/nm_circles.sh [build dir]   (default: build)
dir=${1:-build}/CMakeFiles/tfpcore.dir/core
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
for o in "$dir"/*.o; do
  b=$(basename "$o" .c.o)
  nm -g --defined-only "$o" | awk '{print $3}' | sort -u > "$tmp/$b.def"
  nm -u "$o" | awk '{print $2}' | sort -u > "$tmp/$b.use"
done
found=0
for a in "$tmp"/*.def; do
  a=$(basename "$a" .def)
  for b in "$tmp"/*.def; do
    b=$(basename "$b" .def)
    [ "$a" \< "$b" ] || continue
    ab=$(comm -12 "$tmp/$a.use" "$tmp/$b.def" | tr '\n' ' ')
    ba=$(comm -12 "$tmp/$b.use" "$tmp/$a.def" | tr '\n' ' ')
    if [ -n "$ab" ] && [ -n "$ba" ]; then
      echo "circle: $a <-> $b ($a uses: $ab; $b uses: $ba)"
      found=1
    fi
  done
done
[ $found = 0 ] && echo "no circles among $(ls "$dir"/*.o | wc -l) object files"
exit $found
