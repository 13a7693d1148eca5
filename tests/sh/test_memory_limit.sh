#!/usr/bin/env bash
# Under an address-space limit (ulimit -v) tfpkit exits promptly with its
# error: out of memory after a fit, or a clear refusal when the limit leaves
# no room for OpenBLAS's work buffer; never a hang (OpenBLAS's worker threads
# used to spin mapping their buffers, and exit waited for them). One row per
# case: limit in KB, script, expected exit status, expected text.
# Skipped in sanitizer builds, whose shadow memory needs no address limit.
set -u
T=$1
if grep -q __asan_init "$T" 2>/dev/null; then echo "skipped: sanitizer build"; exit 0; fi
fail=0 pass=0
fit='local f = tfp.read_csv("refs/stata-ivreg2/card_data.csv")
local r = tfp.ivreg(f, "lwage ~ exper + black | educ ~ nearc4")
print(string.format("educ %.4f", r.coef.educ))'
limits=(400000 400000 400000 150000)
scripts=("$fit" "$fit
local v = tfp.vector({}, 2^28)" "local t = {} for i = 1, 1e9 do t[i] = i end" "print(1)")
rcs=(0 1 1 1)
texts=("educ " "out of memory for a vector of 268435456 values" "not enough memory" "leaves too little room for OpenBLAS")
for k in "${!limits[@]}"; do
  limit=${limits[$k]} script=${scripts[$k]} want_rc=${rcs[$k]} want_text=${texts[$k]}
  start=$(date +%s)
  out=$(bash -c "ulimit -v $limit; exec timeout 60 \"\$0\" -e \"\$1\"" "$T" "$script" 2>&1)
  rc=$? secs=$(( $(date +%s) - start ))
  if [ "$rc" = "$want_rc" ] && [[ "$out" == *"$want_text"* ]] && [ "$secs" -lt 30 ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    printf 'FAIL limit %s, script %s: rc %s (want %s) after %ss\n%s\n' "$limit" "$script" "$rc" "$want_rc" "$secs" "$out"
  fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
