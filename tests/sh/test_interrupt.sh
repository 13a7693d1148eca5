#!/usr/bin/env bash
# Ctrl-C during a long C loop (read_csv of a ~200 MB file, about 0.3 s of
# work since the streaming reader; Ctrl-C comes 0.05 s after the read starts):
# the read stops promptly (SIGINT to the "interrupted" message well
# under a second; about 0.05 s on an idle machine), a second Ctrl-C while it
# stops does not end the REPL, and the session goes on with its variables.
set -u
T=$1
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); printf 'FAIL %s\n' "$1"; }
d=$(mktemp -d /tmp/tfp_intr.XXXXXX)
pid=
trap '[ -n "$pid" ] && kill -0 $pid 2>/dev/null && kill $pid; rm -rf "$d"' EXIT
awk 'BEGIN { print "id,year,y,x1,x2,x3"
  for (i = 0; i < 3400000; i++) printf "%d,%d,%.6f,%.6f,%.6f,%.6f\n", i / 20, 2000 + i % 20, i * 0.37, i % 977, i * 1e-3, i % 13 }' > "$d/big.csv"

mkfifo "$d/in" "$d/out"
timeout 60 "$T" < "$d/in" > "$d/out" 2>&1 &
pid=$!
while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done < "$d/out" > "$d/log" &
reader=$!
exec 3> "$d/in"
echo 'kept = 42' >&3
echo "io.write('start', string.char(10)) io.flush() f = tfp.read_csv('$d/big.csv')" >&3
for _ in $(seq 1 200); do grep -q start "$d/log" && break; sleep 0.02; done
sleep 0.05
t0=$EPOCHREALTIME
kill -INT $pid
sleep 0.01
kill -INT $pid   # the impatient second press, while the read stops
for _ in $(seq 1 100); do grep -q interrupted "$d/log" && break; sleep 0.05; done
t1=$(grep -m1 interrupted "$d/log" | cut -d' ' -f1)
echo 'print("alive", kept, f)' >&3
exec 3>&-
wait $pid; rc=$?
wait $reader
if [ -n "$t1" ]; then
  latency=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  echo "SIGINT to 'interrupted': $latency s"
  awk -v l="$latency" 'BEGIN { exit !(l < 0.5) }' && ok || bad "the read stopped after $latency s (want < 0.5)"
else
  bad "no 'interrupted' message"
fi
grep -q "tfp.read_csv: .*big.csv: interrupted" "$d/log" && ok || bad "the message does not name read_csv and the file"
grep -q ' alive	42	nil$' "$d/log" && ok || bad "the REPL did not go on after two Ctrl-C"
[ "$rc" = 0 ] && ok || bad "tfpkit exited with $rc"
if [ "$fail" != 0 ]; then echo "--- output"; cat "$d/log"; fi

# A script run alone: Ctrl-C stops the read, the message names it, exit status 1.
printf "io.stderr:write('start '); f = tfp.read_csv('%s')\n" "$d/big.csv" > "$d/read.lua"
"$T" "$d/read.lua" > "$d/script.out" 2>&1 &   # not under timeout(1): it signals its group twice
spid=$!
( sleep 30; kill $spid 2>/dev/null ) &
watchdog=$!
for _ in $(seq 1 100); do grep -q start "$d/script.out" && break; sleep 0.05; done
sleep 0.05; kill -INT $spid; wait $spid; rc=$?
kill $watchdog 2>/dev/null
[ "$rc" = 1 ] && grep -q "read_csv: .*interrupted" "$d/script.out" && ok || bad "an interrupted script exits 1 (got $rc)"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
