#!/usr/bin/env bash
# Issue 13's acceptance for own data: a yearbook extract shaped like a real one
# (tests/sh/make_extract.lua: other column names, string ids, late entries,
# exits, gaps, a one-year city, NA codes "n/a" and "-"), as CSV and as a .dta
# with region a labelled integer. scripts/paper.lua runs end to end with a map
# made from --map-template, and the sample report names what it dropped.
set -u
T=$1 CSV2DTA=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $1"; fail=$((fail + 1)); }
has() { if grep -qF -- "$2" "$1"; then ok; else bad "$1 lacks: $2"; fi; }

"$T" sh/make_extract.lua "$dir/extract.csv" || bad "make_extract"
"$CSV2DTA" "$dir/extract.csv" "$dir/extract.dta" --label belt || bad "csv2dta"

# The template: one line per role, the embedded panel's columns as values.
"$T" ../scripts/paper.lua --map-template > "$dir/template.lua" || bad "--map-template"
[ "$(grep -c '^  [a-z_]* = "[^"]*", *-- ' "$dir/template.lua")" = 20 ] && ok || bad "template has 20 role lines"
"$T" -e "local m = dofile('$dir/template.lua'); assert(m.gdp == 'gdp' and m.investment == 'inv')" && ok || bad "template loads"

# Unedited, every unmapped role is reported in one run.
"$T" ../scripts/paper.lua --data "$dir/extract.csv" --map "$dir/template.lua" --out "$dir/o0" > "$dir/e0" 2>&1 \
  && bad "unmapped roles accepted" || ok
has "$dir/e0" "20 roles are not found in the data"
has "$dir/e0" "city           no column 'city' (did you mean 'city_code'?)"
has "$dir/e0" "road           no column 'road_area'"

# The user's edit: each role's value replaced by the extract's column.
sed -e 's/^\(  city = \)"[^"]*"/\1"city_code"/' -e 's/^\(  year = \)"[^"]*"/\1"yr"/' \
    -e 's/^\(  region = \)"[^"]*"/\1"belt"/' -e 's/^\(  emp_total = \)"[^"]*"/\1"emp_urban_units"/' \
    -e 's/^\(  emp_transport = \)"[^"]*"/\1"emp_trans_post"/' -e 's/^\(  emp_ict = \)"[^"]*"/\1"emp_info_sw"/' \
    -e 's/^\(  emp_finance = \)"[^"]*"/\1"emp_fin"/' -e 's/^\(  emp_leasing = \)"[^"]*"/\1"emp_lease_biz"/' \
    -e 's/^\(  emp_research = \)"[^"]*"/\1"emp_sci_tech"/' -e 's/^\(  gdp = \)"[^"]*"/\1"GDP_nominal"/' \
    -e 's/^\(  gdp_index = \)"[^"]*"/\1"GDP_deflator_py"/' -e 's/^\(  investment = \)"[^"]*"/\1"FAI"/' \
    -e 's/^\(  inv_price = \)"[^"]*"/\1"FAI_price_py"/' -e 's/^\(  va_secondary = \)"[^"]*"/\1"VA2"/' \
    -e 's/^\(  va_tertiary = \)"[^"]*"/\1"VA3"/' -e 's/^\(  budget = \)"[^"]*"/\1"gov_spend"/' \
    -e 's/^\(  fdi = \)"[^"]*"/\1"FDI_used_yuan"/' -e 's/^\(  students = \)"[^"]*"/\1"univ_students"/' \
    -e 's/^\(  population = \)"[^"]*"/\1"pop_avg"/' -e 's/^\(  road = \)"[^"]*"/\1"road_m2"/' \
    "$dir/template.lua" > "$dir/map.lua"

# Without --na, the text cells are named by column, unit and year.
"$T" ../scripts/paper.lua --data "$dir/extract.csv" --map "$dir/map.lua" --out "$dir/o1" > "$dir/e1" 2>&1 \
  && bad "text cells accepted" || ok
has "$dir/e1" "column 'GDP_nominal' (gdp) is text: unit CN0025, year 2007 has 'n/a'"
has "$dir/e1" "column 'emp_info_sw' (emp_ict) is text: unit CN0028, year 2011 has '-'"
has "$dir/e1" '--na "-,n/a"'

# With --na: end to end, tables, figure and the sample report.
for src in csv dta; do
  out="$dir/out_$src"
  if "$T" ../scripts/paper.lua --data "$dir/extract.$src" --map "$dir/map.lua" --na "-,n/a" --out "$out" \
       > "$dir/run_$src" 2>&1; then ok; else bad "paper.lua on the $src extract"; cat "$dir/run_$src"; fi
  for f in table1.txt table2.txt table3.tex sample.txt levels_by_region.png; do
    [ -s "$out/$f" ] && ok || bad "$src: $out/$f written"
  done
  r="$out/sample.txt"
  has "$r" "Panel: 87 units, 2003-2017, 1276 unit-years; unbalanced: 2 units enter late, 2 units exit early, 2 units have gaps, 1 unit has one year"
  has "$r" "CN0022     2010         capital      no stock: a one-year spell has no investment growth"
  has "$r" "CN0019     2003-2007    Malmquist    chain broken at a gap: kept the longest spell 2010-2017"
  has "$r" "CN0025     2007         Malmquist    not in the DEA: no positive Y (GDP_nominal)"
  has "$r" "CN0028     2011         LQ           left out of the year's totals: emp_info_sw missing"
  has "$r" "CN0031     2005         capital      no stock: real investment missing"
  has "$r" "CN0034     2012         deflating    GDP price index missing: the panel's mean index used"
  has "$r" "Regression sample: 1085 unit-years of 86 units"
  has "$dir/run_$src" "CN0022     2010         capital"   # printed too
  grep -q "^Table 2. IV-GMM estimates by region" "$dir/run_$src" && ok || bad "$src: Table 2 (regions as text)"
done
cmp -s "$dir/out_csv/table2.txt" "$dir/out_dta/table2.txt" && ok || bad "the .dta (labelled region) gives the CSV's Table 2"

# The whole-unit LQ rule changes the LQs of the other units that year.
"$T" ../scripts/paper.lua --data "$dir/extract.csv" --map "$dir/map.lua" --na "-,n/a" --lq-missing unit \
  --out "$dir/out_unit" > /dev/null 2>&1 && ok || bad "--lq-missing unit"
cmp -s "$dir/out_csv/table1.txt" "$dir/out_unit/table1.txt" && bad "--lq-missing unit changed nothing" || ok

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
