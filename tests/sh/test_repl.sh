#!/usr/bin/env bash
# The REPL and the command line, driven through pipes: errors never end the
# REPL, expressions print, incomplete chunks continue, exit codes are right.
set -u
T=$1
fail=0 pass=0
expect() {   # expect NAME EXPECTED ACTUAL
  if [ "$2" == "$3" ]; then pass=$((pass + 1)); else
    fail=$((fail + 1)); printf 'FAIL %s\n--- expected\n%s\n--- got\n%s\n' "$1" "$2" "$3"; fi
}

expect "-e runs a chunk" "2" "$("$T" -e 'print(1+1)')"
out=$(printf 'x = 40\nerror("boom")\nprint(x + 2)\n' | "$T" 2>/tmp/tfp_repl_err.$$)
expect "an error does not end the REPL" "42" "$out"
grep -q 'boom' /tmp/tfp_repl_err.$$ && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL error not printed"; }
expect "expressions print their values" "3	hi" "$(printf '1 + 2, "hi"\n' | "$T")"
expect "incomplete chunks continue" "1
2" "$(printf 'for i = 1,\n2 do print(i)\nend\n' | "$T")"
expect "tables print readably" '{1, 2, a = "x"}' "$(printf '{1, 2, a = "x"}\n' | "$T")"
"$T" -e 'error("x")' 2>/dev/null; expect "an uncaught error exits non-zero" "1" "$?"
"$T" -e 'error("x")' 2>&1 | grep -q 'stack traceback' && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL no traceback"; }
expect "scripts get arg" "a	b	2" "$(printf 'print(arg[1], arg[2], #arg)\n' > /tmp/tfp_arg.$$.lua; "$T" /tmp/tfp_arg.$$.lua a b)"
expect "--version" "tfpkit" "$("$T" --version | cut -d' ' -f1)"
"$T" --bogus 2>/dev/null; expect "an unknown option exits non-zero" "1" "$?"
expect "-i runs the script then reads stdin" "5" "$(printf 'y = 5\n' > /tmp/tfp_i.$$.lua; echo 'print(y)' | "$T" -i /tmp/tfp_i.$$.lua)"
# Ctrl-C (SIGINT) interrupts a running chunk and the REPL goes on.
{ echo 'while true do end'; sleep 2; echo 'print("alive")'; } | "$T" > /tmp/tfp_int.$$ 2>&1 &
pid=$!   # the last process of the pipeline: tfpkit
sleep 1; kill -INT "$pid"; wait
grep -q 'interrupted!' /tmp/tfp_int.$$ && grep -q '^alive$' /tmp/tfp_int.$$ && pass=$((pass + 1)) ||
  { fail=$((fail + 1)); echo "FAIL Ctrl-C did not interrupt and continue:"; cat /tmp/tfp_int.$$; }
rm -f /tmp/tfp_int.$$

# ... also inside a long C computation (a DEA whose 6000 units are all on the
# frontier, several seconds of LPs): the loop stops and the REPL goes on.
dea='x1, x2, y = {}, {}, {}; for i = 1, 6000 do local u = 0.5 + i / 6000; x1[i], x2[i], y[i] = u, 1 / u, 1 end'
{ echo "$dea"; echo 'big = tfp.frame{{"x1", x1}, {"x2", x2}, {"y", y}}';
  echo 'e = tfp.dea{data = big, inputs = {"x1", "x2"}, outputs = {"y"}, rts = "vrs"}';
  sleep 2; echo 'print("alive", e)'; } | "$T" > /tmp/tfp_int.$$ 2>&1 &
pid=$!
sleep 1; kill -INT "$pid"; wait
grep -q 'interrupted' /tmp/tfp_int.$$ && grep -q '^alive	nil$' /tmp/tfp_int.$$ && pass=$((pass + 1)) ||
  { fail=$((fail + 1)); echo "FAIL Ctrl-C did not stop the DEA:"; cat /tmp/tfp_int.$$; }
rm -f /tmp/tfp_int.$$

# Errors: a tfp.error that is the user's to fix prints its message alone; other
# errors print the user's frames only (none of tfpkit's [tfp]/ modules);
# traceback() prints the full traceback of the last error.
usage='E = setmetatable({code = "usage", message = "x"}, {__name = "tfp.error", __tostring = function() return "stdin:1: tfp.lq: x" end})'
raising='R = setmetatable({}, {__tostring = function() error(E) end})'   # raised from inside [tfp]/init.lua
err=$(printf '%s\n%s\ntfp.show(R)\n' "$usage" "$raising" | "$T" 2>&1 >/dev/null)
expect "a usage error prints its message alone, through tfpkit's modules" "stdin:1: tfp.lq: x" "$err"
out=$(printf '%s\n%s\ntfp.show(R)\ntraceback()\n' "$usage" "$raising" | "$T" 2>/dev/null)
case "$out" in "stdin:1: tfp.lq: x"$'\n'"stack traceback:"*"[tfp]/init.lua"*) pass=$((pass + 1)) ;;
  *) fail=$((fail + 1)); printf 'FAIL traceback() does not print the full traceback:\n%s\n' "$out" ;; esac
err=$(printf 'function user_fn() error("boom") end\nS = setmetatable({}, {__tostring = function() user_fn() end})\nlocal ok = tfp.show(S)\n' |
      "$T" 2>&1 >/dev/null)
expect "a plain error shows the user's frames and not tfpkit's" "stdin:1: boom
stack traceback:
	stdin:1: in function 'user_fn'
	stdin:1: in function <stdin:1>
	stdin:1: in main chunk" "$err"
expect "an error with no frame of the user's has no traceback" "bad argument #1 to 'string.rep' (string expected, got table)" \
  "$(printf 'S = setmetatable({}, {__tostring = string.rep})\ntfp.show(S)\n' | "$T" 2>&1 >/dev/null)"
expect "an internal tfp.error keeps a traceback" "stdin:1: tfp.lq: broken
stack traceback:
	stdin:1: in main chunk" "$(printf 'error(setmetatable({code = "internal"}, {__name = "tfp.error", __tostring = function() return "stdin:1: tfp.lq: broken" end}))\n' | "$T" 2>&1)"
expect "a non-string error value is printed with its __tostring" "stdin:1: obj
stack traceback:
	stdin:1: in main chunk" "$(printf 'error(setmetatable({}, {__tostring = function() return "stdin:1: obj" end}))\n' | "$T" 2>&1)"
printf '%s\n%s\ntfp.show(R)\n' "${usage/stdin:1/s.lua:3}" "$raising" > /tmp/tfp_s.$$.lua
err=$("$T" /tmp/tfp_s.$$.lua 2>&1 >/dev/null); rc=$?
expect "a script's usage error prints its message alone" "tfpkit: s.lua:3: tfp.lq: x" "$err"
expect "a script's usage error still exits 1" "1" "$rc"
printf 'S = setmetatable({}, {__tostring = function() error("boom") end})\ntfp.show(S)\n' > /tmp/tfp_s.$$.lua
err=$("$T" /tmp/tfp_s.$$.lua 2>&1 >/dev/null); rc=$?
case "$err" in *boom*"stack traceback:"*tfp_s*) case "$err" in *"[tfp]/"*|*"[C]"*) false ;; esac ;; *) false ;; esac &&
  [ "$rc" = 1 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); printf 'FAIL a script error shows tfpkit frames (rc %s):\n%s\n' "$rc" "$err"; }
rm -f /tmp/tfp_s.$$.lua
expect "an error object raised while printing a result is reported, and the REPL goes on" "stdin:1: tfp.lq: x
after" "$(printf '%s\nsetmetatable({}, {__tostring = function() error(E) end})\nprint("after")\n' "$usage" | "$T" 2>&1)"

# exit and quit, called or bare, leave the REPL; a variable of the user's named exit is theirs.
for line in 'exit' 'quit' 'exit()' ' quit() ' 'exit(); print("not reached")'; do
  expect "'$line' leaves the REPL" "before" "$(printf 'print("before")\n%s\nprint("after")\n' "$line" | "$T" 2>&1)"
done
expect "a variable named exit is printed, not obeyed" "5
after" "$(printf 'exit = 5\nexit\nprint("after")\n' | "$T" 2>&1)"
printf 'quit(3)\n' | "$T"; expect "quit(3) exits with status 3" "3" "$?"
expect "exit caught by pcall still leaves after the chunk" "caught" \
  "$(printf 'if not pcall(exit) then print("caught") end\nprint("after")\n' | "$T" 2>&1)"

# Completion, through the hook tfp._complete(line) (what Tab offers at the end of line).
complete() {   # complete PRELUDE LINE: the candidates, joined by |
  printf '%s\nprint(table.concat(tfp._complete([==[%s]==]), "|"))\n' "$1" "$2" | "$T" 2>&1
}
case "|$(complete '' 'tfp.')|" in *"|tfp._"*) fail=$((fail + 1)); echo "FAIL tfp. offers internal names" ;;
  *"|tfp.lq|"*) pass=$((pass + 1)) ;; *) fail=$((fail + 1)); echo "FAIL tfp. does not offer tfp.lq" ;; esac
case "|$(complete '' 'tfp._')|" in *"|tfp._ivfit|"*) pass=$((pass + 1)) ;;
  *) fail=$((fail + 1)); echo "FAIL tfp._ does not offer tfp._ivfit" ;; esac
expect "a global starting with _ is offered once the _ is typed" "_VERSION" "$(complete '' '_V')"
case "|$(complete '' '')|" in *"|_"*) fail=$((fail + 1)); echo "FAIL globals offer names starting with _" ;;
  *"|tfp|"*) pass=$((pass + 1)) ;; *) fail=$((fail + 1)); echo "FAIL globals do not offer tfp" ;; esac
# Option names, from a stand-in for tfp.options (the registry of options).
fake='package.loaded["tfp.options"] = {names_of = function(f)
  if f == tfp.lq then return {"by", "data", "sectors", "total"} end
  if f == tfp.ivreg then return {"method", "small", "vce"} end
  if m and f == m.with then return {"method", "split", "vce"} end end}
m = setmetatable({}, {__index = {with = function() end}})'
fake=${fake//$'\n'/ }
expect "options of tfp.lq{" "data = " "$(complete "$fake" 'tfp.lq{da')"
expect "options not yet given" "by = |sectors = |total = " "$(complete "$fake" 'tfp.lq{data = f, ')"
expect "options of a table argument of a call" "method = " "$(complete "$fake" 'tfp.ivreg(f, "y ~ {x}", {me')"
expect "options of a method" "vce = " "$(complete "$fake" 'm:with{vc')"
expect "no options in a plain table" "" "$(complete "$fake" 't = {da')"
expect "no options in a value" "" "$(complete "$fake" 'tfp.lq{data = da')"
expect "no options without the options module" "" "$(complete 'package.loaded["tfp.options"] = nil; package.preload["tfp.options"] = nil' 'tfp.lq{da')"
long=$(head -c 70000 /dev/zero | tr '\0' a)
expect "a piped line longer than 64 KiB stays one line" "70000" "$(printf 'x = "%s"\nprint(#x)\n' "$long" | "$T" 2>&1)"
# Tab completion on a terminal (script gives a pty): an __index that raises must not end the REPL.
if command -v script >/dev/null; then
  out=$(printf 't = setmetatable({}, {__index = function() error("boom") end})\nt.a.b\t\nprint("still" .. "alive")\n' |
        HOME=/tmp/tfp_home.$$ timeout 20 script -qec "$T" /dev/null 2>&1)
  case "$out" in *stillalive*) pass=$((pass + 1)) ;;
    *) fail=$((fail + 1)); printf 'FAIL completion through a raising __index ended the REPL:\n%s\n' "$out" ;; esac
  out=$( { printf 'for i = 1, 2 do\n'; sleep 1; printf '\003'; sleep 0.5; printf 'print(6 * 7)\n'; sleep 0.5; } |
        HOME=/tmp/tfp_home.$$ timeout 20 script -qec "$T" /dev/null 2>&1)
  case "$out" in *42*) pass=$((pass + 1)) ;;
    *) fail=$((fail + 1)); printf 'FAIL Ctrl-C at the continuation prompt did not drop the pending chunk:\n%s\n' "$out" ;; esac
  # Tab after an options table's brace writes the option name and " = ".
  out=$(printf '%s\nfunction opt(t) print("got " .. t.data) end\nopt{da\t"ok"}\n' \
          'package.loaded["tfp.options"] = {names_of = function(f) if f == opt then return {"data"} end end}' |
        HOME=/tmp/tfp_home.$$ timeout 20 script -qec "$T" /dev/null 2>&1)
  case "$out" in *"got ok"*) pass=$((pass + 1)) ;;
    *) fail=$((fail + 1)); printf 'FAIL Tab in an options table did not complete the option name:\n%s\n' "$out" ;; esac
  rm -rf /tmp/tfp_home.$$
fi
rm -f /tmp/tfp_repl_err.$$ /tmp/tfp_arg.$$.lua /tmp/tfp_i.$$.lua
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
