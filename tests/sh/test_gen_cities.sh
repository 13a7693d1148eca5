#!/usr/bin/env bash
# data/cities.csv regenerates byte for byte from scripts/gen_cities.lua with
# its seed, has 3,915 data rows (261 cities x 15 years) and loads quickly.
set -u
T=$1
tmp=$(mktemp /tmp/tfp_cities.XXXXXX)
truth=$(mktemp /tmp/tfp_truth.XXXXXX)
trap 'rm -f "$tmp" "$truth"' EXIT
fail=0
"$T" ../scripts/gen_cities.lua "$tmp" "$truth" || { echo "FAIL generator exited non-zero"; exit 1; }
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
# The location quotients that drive TFP in the generator are the ones tfp.lq
# computes from the printed employment (up to its rounding to 10 persons:
# relative error below 1% for the smallest sector sums).
out=$(DATA="$tmp" TRUTH="$truth" "$T" -e '
local f, t = tfp.read_csv(os.getenv("DATA")), tfp.read_csv(os.getenv("TRUTH"))
local h = tfp.lq{data = f, sectors = {"emp_ict", "emp_finance", "emp_research"}, total = "emp_total", by = "year"}
local l = tfp.lq{data = f, sectors = {"emp_transport", "emp_leasing"}, total = "emp_total", by = "year"}
local th, tl, worst = t.lq_high, t.lq_low, 0
for i = 1, f:nrow() do
  worst = math.max(worst, math.abs(h[i] / th[i] - 1), math.abs(l[i] / tl[i] - 1))
end
print(worst < 0.01, worst)' 2>&1)
case "$out" in
  true*) echo "ok   tfp.lq reproduces the generator's LQs (max relative difference ${out#true	})" ;;
  *) echo "FAIL tfp.lq vs the generator's LQs: $out"; fail=1 ;;
esac
exit $fail
