#!/usr/bin/env bash
# No user string reaches gnuplot unquoted (issue 11, security): scripts/paper.lua
# with an --out that tries to break out of a gnuplot string runs no command;
# a region name with quotes, backslashes and backticks is drawn as a title;
# one with a newline (which cannot be quoted) is refused with a clear error.
set -u
T=$(readlink -f "$1")
SRC=$(cd .. && pwd)
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }

if ! command -v gnuplot >/dev/null; then echo "gnuplot not installed: skipped"; exit 0; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. The injection of the issue, in a scratch directory.
out="x'; system \"touch $tmp/pwned\"; print '"
(cd "$tmp" && "$T" "$SRC/scripts/paper.lua" --out "$out" >/dev/null 2>"$tmp/err1") || fail "paper.lua --out <injection> failed: $(cat "$tmp/err1")"
[ -e "$tmp/pwned" ] && fail "gnuplot ran the injected command"
for ext in png svg dat gp; do
  [ -s "$tmp/$out/levels_by_region.$ext" ] || fail "no levels_by_region.$ext in the --out directory"
done
file "$tmp/$out/levels_by_region.png" | grep -q "PNG image" || fail "the figure is not a PNG"
ls -A "$tmp/$out" | grep -q tmp && fail "temporary files left: $(ls -A "$tmp/$out")"

# An --out that looks like an option is a directory all the same.
(cd "$tmp" && "$T" "$SRC/scripts/paper.lua" --out "-odd" >/dev/null 2>"$tmp/err2") || fail "--out -odd failed: $(cat "$tmp/err2")"
[ -s "$tmp/-odd/levels_by_region.png" ] || fail "--out -odd: no figure"

# 2. Region names from the model file: a copy of the script beside a models/
#    file whose second region has quotes, a backslash and a backtick command.
mkdir -p "$tmp/s/scripts" "$tmp/s/models"
cp "$SRC/scripts/paper.lua" "$tmp/s/scripts/"
models() {   # models/paper.lua with the given Lua expression as the second region
  printf 'local M = dofile(%s)\nM.regions = {"East", %s, "West"}\nreturn M\n' "'$SRC/models/paper.lua'" "$1" \
    > "$tmp/s/models/paper.lua"
}
models '[==[O'"'"'Brien \ "q" `touch '"$tmp"'/pwned2` @x]==]'
(cd "$tmp" && "$T" s/scripts/paper.lua --out r >/dev/null 2>"$tmp/err3") || fail "quoted region name failed: $(cat "$tmp/err3")"
[ -e "$tmp/pwned2" ] && fail "a backtick in a region name ran a command"
[ -s "$tmp/r/levels_by_region.png" ] || fail "region names with quotes: no figure"
grep -qF "title 'O''Brien \\ \"q\" \`touch $tmp/pwned2\` @x'" "$tmp/r/levels_by_region.gp" \
  || fail "region title not quoted as expected: $(grep -o "title 'O[^,]*" "$tmp/r/levels_by_region.gp" | head -1)"
grep -qF "O'Brien \\ \"q\"" "$tmp/r/levels_by_region.svg" || grep -qF "O&apos;Brien" "$tmp/r/levels_by_region.svg" \
  || fail "the region name is not drawn in the SVG"

# 3. A newline cannot be quoted for gnuplot: a clear error, no figure.
models '"Central\nsystem '"'"'touch '"$tmp"'/pwned3'"'"'"'
if (cd "$tmp" && "$T" s/scripts/paper.lua --out nl >/dev/null 2>"$tmp/err4"); then
  fail "a region name with a newline was accepted"
fi
grep -q "region name .* contains a control character, which cannot be passed to gnuplot" "$tmp/err4" \
  || fail "no clear error for a newline in a region name: $(cat "$tmp/err4")"
[ -e "$tmp/pwned3" ] && fail "a newline in a region name ran a command"
[ -e "$tmp/nl/levels_by_region.png" ] && fail "a figure was drawn despite the bad region name"

[ "$fails" = 0 ] && echo "paper.lua gnuplot quoting: all passed"
exit $((fails != 0))
