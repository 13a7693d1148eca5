#!/usr/bin/env bash
# scripts/green.lua on the embedded panel plus a generated bad output
# (make_green_panel.lua): the GML index, its decomposition by region and
# equation (2) with GTFP as the dependent variable, nationally and by region,
# written to out/ in every format; without a bad-output column the script
# stops with a usage error naming the column.
set -u
T=$(readlink -f "$1")
SRC=$(cd .. && pwd)
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$T" sh/make_green_panel.lua "$tmp/green.csv" || { fail "make_green_panel.lua"; exit 1; }
"$T" "$SRC/scripts/green.lua" --data "$tmp/green.csv" --out "$tmp/out" >"$tmp/log" 2>&1 || { cat "$tmp/log"; fail "green.lua failed"; exit 1; }
for ext in txt md tex csv html rtf; do [ -s "$tmp/out/green_table1.$ext" ] || fail "no green_table1.$ext"; done
for ext in txt md csv; do [ -s "$tmp/out/green_decomposition.$ext" ] || fail "no green_decomposition.$ext"; done
grep -q "Table G1" "$tmp/log" || fail "table not printed"
grep -q "^SAGG " "$tmp/out/green_table1.txt" || fail "no SAGG row in green_table1.txt"
for r in All East Central West; do grep -q "^$r," "$tmp/out/green_decomposition.csv" || fail "no $r row in the decomposition"; done
# gml = ec x bpc in every row of the decomposition (geometric means multiply)
awk -F, 'NR > 1 { d = $3 - $4 * $5; if (d > 1e-9 || d < -1e-9) bad = 1 } END { exit bad }' "$tmp/out/green_decomposition.csv" \
  || fail "gml != ec x bpc in the decomposition"
# the bad output's column from the command line; a missing one is a usage error naming it
"$T" "$SRC/scripts/green.lua" --data "$tmp/green.csv" --bad so2 --out "$tmp/out2" >"$tmp/log2" 2>&1 && fail "a missing column was accepted"
grep -q "no bad-output column 'so2'" "$tmp/log2" || { cat "$tmp/log2"; fail "the message names the column"; }
[ $fails -eq 0 ] && echo "test_green_script: ok"
exit $fails
