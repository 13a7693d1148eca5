#!/usr/bin/env bash
# scripts/curve.lua on the embedded panel: the curve of equation (2) (128
# control sets x 3 SAGG measures x national and 3 regions) as CSV and
# pictures, its summary printed; Ctrl-C during the parallel fits stops them
# with a message naming m:curve, exit status 1.
set -u
T=$(readlink -f "$1")
SRC=$(cd .. && pwd)
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$T" "$SRC/scripts/curve.lua" --out "$tmp/out" >"$tmp/log" 2>&1 || { cat "$tmp/log"; fail "curve.lua failed"; exit 1; }
[ "$(wc -l < "$tmp/out/curve_specs.csv")" = 1537 ] || fail "curve_specs.csv has not 1536 specifications"
head -1 "$tmp/out/curve_specs.csv" | grep -q '^spec,sample,SAGG,STR,GOV,PGDP,FDI,H,ROAD,POP,n_controls,term,estimate,se,lower,upper,p,N,' \
  || fail "curve_specs.csv's columns: $(head -1 "$tmp/out/curve_specs.csv")"
[ "$(wc -l < "$tmp/out/curve_summary.csv")" = 13 ] || fail "curve_summary.csv has not 12 groups"
for n in national east central west; do
  for ext in png svg gp dat; do [ -s "$tmp/out/curve_$n.$ext" ] || fail "no curve_$n.$ext"; done
done
grep -q "^Specification curve: 1536 specifications (128 control sets: every subset of 7 controls)" "$tmp/log" \
  || fail "summary not printed"
grep -q "^Full     SAGG_H    128" "$tmp/log" || fail "no national SAGG_H line in the summary"

# Ctrl-C while the fits run: stopped, named, exit 1 (one thread: the fits last long enough).
"$T" "$SRC/scripts/curve.lua" --out "$tmp/out2" --threads 1 >"$tmp/log2" 2>&1 &
pid=$!
( sleep 60; kill $pid 2>/dev/null ) >/dev/null 2>&1 &   # its sleep must not hold our output open
watchdog=$!
for _ in $(seq 1 200); do grep -q "variables:" "$tmp/log2" && break; sleep 0.05; done
sleep 0.5; kill -INT $pid; wait $pid; rc=$?
kill $watchdog 2>/dev/null
[ "$rc" = 1 ] || fail "an interrupted curve exits 1 (got $rc)"
grep -q "m:curve: specification curve interrupted after [0-9]* of 1536" "$tmp/log2" || { cat "$tmp/log2"; fail "the message names m:curve"; }
[ -e "$tmp/out2/curve_specs.csv" ] && fail "an interrupted curve wrote its CSV"
[ $fails -eq 0 ] && echo "test_curve_script: ok"
exit $fails
