#!/usr/bin/env bash
# data/cities.csv regenerates byte for byte from scripts/gen_cities.lua with
# its seed, has 3,915 data rows (261 cities x 15 years) and loads quickly.
set -u
T=$1
tmp=$(mktemp /tmp/tfp_cities.XXXXXX)
trap 'rm -f "$tmp"' EXIT
fail=0
"$T" ../scripts/gen_cities.lua "$tmp" || { echo "FAIL generator exited non-zero"; exit 1; }
if cmp "$tmp" ../data/cities.csv; then echo "ok   regenerates byte for byte"; else
  echo "FAIL data/cities.csv differs from the generator's output"; fail=1; fi
rows=$(($(wc -l < ../data/cities.csv) - 1))
if [ "$rows" -eq 3915 ]; then echo "ok   3915 rows"; else echo "FAIL $rows rows, want 3915"; fail=1; fi
bytes=$(wc -c < ../data/cities.csv)
if [ "$bytes" -lt 1000000 ]; then echo "ok   $bytes bytes (< 1 MB)"; else echo "FAIL $bytes bytes"; fail=1; fi
# Loads (from the binary's embedded copy) in well under a second of CPU. (The empty
# options table works around tfp.data reading its option table at index 2,
# where it has pushed the file name: lua_io.c, not this branch's.)
out=$("$T" -e 'local c = os.clock(); local f = tfp.data("cities", {}); print(f:nrow(), os.clock() - c < 0.5)')
if [ "$out" == "3915	true" ]; then echo "ok   tfp.data('cities') loads 3915 rows in < 0.5 s"; else
  echo "FAIL tfp.data('cities'): $out"; fail=1; fi
exit $fail
