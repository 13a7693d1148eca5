#!/usr/bin/env bash
# scripts/paper.lua writes every output a paper uses (issue 13): the summary
# and correlation tables, Tables 1-3 and their first stages in text, Markdown,
# LaTeX, CSV, HTML and RTF, and both figures. Where pdflatex is installed
# (Debian: texlive-latex-base, texlive-latex-recommended), each LaTeX table
# compiles as written in a minimal article whose preamble is exactly the
# packages the table's leading comment names, without an overfull line.
set -u
T=$(readlink -f "$1")
SRC=$(cd .. && pwd)
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$T" "$SRC/scripts/paper.lua" --out "$tmp/out" >"$tmp/log" 2>&1 || { cat "$tmp/log"; fail "paper.lua failed"; exit 1; }

tables="summary correlations table1 table2 table3 table1_first table2_first table3_first"
for t in $tables; do
  for ext in txt md tex csv html rtf; do
    [ -s "$tmp/out/$t.$ext" ] || fail "no $t.$ext"
  done
  head -c 6 "$tmp/out/$t.rtf" | grep -qF '{\rtf1' || fail "$t.rtf is not RTF"
  grep -q '<meta charset="utf-8">' "$tmp/out/$t.html" || fail "$t.html declares no charset"
  iconv -f UTF-8 -t UTF-8 "$tmp/out/$t.csv" >/dev/null 2>&1 || fail "$t.csv is not UTF-8"
done
grep -q "t statistics in parentheses" "$tmp/out/table1.csv" || fail "table1.csv has no notes"
grep -q "^SAGG_H,3915," "$tmp/out/summary.csv" || fail "summary.csv: no SAGG_H row with N = 3915"
grep -q "^\\\\label{tab:table1}" "$tmp/out/table1.tex" || fail "table1.tex has no label"
grep -q "Table 1" "$tmp/out/table1.tex" && fail "table1.tex numbers its caption twice"
for fig in levels_by_region coef_SAGG_H_by_region; do
  if command -v gnuplot >/dev/null; then
    for ext in png svg gp dat; do [ -s "$tmp/out/$fig.$ext" ] || fail "no $fig.$ext"; done
    grep -q "set key below" "$tmp/out/$fig.gp" || fail "$fig: the legend may cover the data"
  fi
done

if ! command -v pdflatex >/dev/null; then
  echo "pdflatex not installed: LaTeX compilation skipped"
else
  mkdir "$tmp/tex"
  for t in $tables; do
    preamble=$(sed -n '1s/^% tfpkit table\. Needs in the preamble: //p' "$tmp/out/$t.tex")
    [ -n "$preamble" ] || { fail "$t.tex does not state the packages it needs"; continue; }
    printf '\\documentclass{article}\n%s\n\\begin{document}\n\\input{%s}\n\\end{document}\n' \
      "$preamble" "$tmp/out/$t.tex" > "$tmp/tex/$t.tex"
    if ! (cd "$tmp/tex" && pdflatex -interaction=nonstopmode -halt-on-error "$t.tex" >/dev/null 2>&1); then
      fail "$t.tex does not compile: $(grep -A3 '^!' "$tmp/tex/$t.log" | head -5)"
      continue
    fi
    grep -q "Overfull \\\\hbox" "$tmp/tex/$t.log" && fail "$t.tex: $(grep -m1 'Overfull' "$tmp/tex/$t.log")"
    grep -q "Float too large" "$tmp/tex/$t.log" && fail "$t.tex: $(grep -m1 'Float too large' "$tmp/tex/$t.log")"
  done
fi

[ "$fails" = 0 ] && echo "paper outputs: all passed"
exit $((fails != 0))
