#!/usr/bin/env bash
# scripts/green.lua on the embedded panel (bad output: so2, data/README.md):
# the GML index, its decomposition by region and equation (2) with GTFP as
# the dependent variable, nationally and by region, written to out/ in every
# format; a bad-output column the data lack is a usage error naming it.
set -u
T=$(readlink -f "$1")
SRC=$(cd .. && pwd)
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$T" "$SRC/scripts/green.lua" --out "$tmp/out" >"$tmp/log" 2>&1 || { cat "$tmp/log"; fail "green.lua failed"; exit 1; }
for ext in txt md tex csv html rtf; do [ -s "$tmp/out/green_table1.$ext" ] || fail "no green_table1.$ext"; done
for ext in txt md csv; do [ -s "$tmp/out/green_decomposition.$ext" ] || fail "no green_decomposition.$ext"; done
grep -q "Table G1" "$tmp/log" || fail "table not printed"
grep -q "^SAGG " "$tmp/out/green_table1.txt" || fail "no SAGG row in green_table1.txt"
for r in All East Central West; do grep -q "^$r," "$tmp/out/green_decomposition.csv" || fail "no $r row in the decomposition"; done
# gml = ec x bpc in every row of the decomposition (geometric means multiply)
awk -F, 'NR > 1 { d = $3 - $4 * $5; if (d > 1e-9 || d < -1e-9) bad = 1 } END { exit bad }' "$tmp/out/green_decomposition.csv" \
  || fail "gml != ec x bpc in the decomposition"
# the bad output's column from the command line; a missing one is a usage error naming it
"$T" "$SRC/scripts/green.lua" --bad no_such_emission --out "$tmp/out2" >"$tmp/log2" 2>&1 && fail "a missing column was accepted"
grep -q "no bad-output column 'no_such_emission'" "$tmp/log2" || { cat "$tmp/log2"; fail "the message names the column"; }
[ $fails -eq 0 ] && echo "test_green_script: ok"
exit $fails
