#!/usr/bin/env bash
# Issue 16's acceptance table: scripts/iv_inference.lua on the embedded panel
# writes one table with SAGG's estimates under robust, city-clustered,
# two-way and Driscoll-Kraay VCEs, the Anderson-Rubin sets and the effective F
# (LIML columns when the build has method = "liml").
set -u
T=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0
"$T" ../scripts/iv_inference.lua --out "$dir" > "$dir/stdout" 2> "$dir/stderr" || { echo "script failed"; cat "$dir/stderr"; exit 1; }
for ext in txt md tex csv html rtf; do
  [ -s "$dir/iv_inference.$ext" ] || { echo "no iv_inference.$ext"; fail=1; }
done
for s in "Robust" "Cluster (city)" "Two-way (city, year)" "Driscoll-Kraay" "Anderson-Rubin 95% set" \
         "Effective F (Montiel Olea-Pflueger)" "Effective F critical value (tau = 10%)"; do
  grep -qF "$s" "$dir/iv_inference.txt" || { echo "missing: $s"; fail=1; }
done
# every column has a bounded AR set on this panel
n=$(grep -F "Anderson-Rubin 95% set" "$dir/iv_inference.txt" | grep -o '\[[^]]*\]' | wc -l)
[ "$n" -ge 4 ] || { echo "expected 4 or more AR intervals, got $n"; fail=1; }
[ $fail = 0 ] && echo "test_iv_inference: ok"
exit $fail
