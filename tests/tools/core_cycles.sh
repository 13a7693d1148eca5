#!/usr/bin/env bash
# core_cycles.sh LIBTFPCORE.a EXCEPTIONS — no two core object files use each
# other: A uses a symbol B defines while B uses one A defines (nm). Each such
# pair is printed with the symbols each side takes from the other. A pair
# listed in EXCEPTIONS ("a.c b.c" per line, # comments) is reported but
# allowed; a listed pair that is no longer a cycle is reported as stale.
# Exit 1 on any unlisted pair.
set -euo pipefail
lib=$1
exceptions=${2:-/dev/null}
command -v nm >/dev/null || { echo "core_cycles: nm not found" >&2; exit 1; }

# "object kind symbol" lines: kind D (defined, global) or U (undefined).
nm -A "$lib" 2>/dev/null | awk '
  { n = split($1, p, ":"); obj = p[n - 1]; sub(/\.o$/, "", obj)
    if ($2 == "U") print obj, "U", $3
    else if (NF >= 3 && $2 ~ /^[A-TV-Z]$/) print obj, "D", $3 }' |
awk -v exfile="$exceptions" '
  BEGIN {
    while ((getline line < exfile) > 0) {
      sub(/#.*/, "", line)
      if (split(line, w, " ") == 2) { allowed[w[1] " " w[2]] = 1; allowed[w[2] " " w[1]] = 1; listed[w[1] " " w[2]] = 1 }
    }
  }
  $2 == "D" { def[$3] = $1 }
  $2 == "U" { use[NR] = $1 " " $3 }
  END {
    for (k in use) {
      split(use[k], u, " ")
      if (!(u[2] in def) || def[u[2]] == u[1]) continue
      pair = u[1] " " def[u[2]]
      takes[pair] = takes[pair] (takes[pair] == "" ? "" : ", ") u[2]
    }
    bad = 0
    for (pair in takes) {
      split(pair, ab, " ")
      back = ab[2] " " ab[1]
      if (!(back in takes) || ab[1] > ab[2]) continue
      ok = (pair in allowed)
      printf "%s: %s and %s use each other\n  %s takes %s\n  %s takes %s\n",
             ok ? "allowed (listed in exceptions)" : "CYCLE", ab[1], ab[2], ab[1], takes[pair], ab[2], takes[back]
      if (ok) seen[pair] = seen[back] = 1; else bad++
    }
    for (pair in listed)
      if (!(pair in seen)) printf "stale exception: %s no longer use each other (remove the line)\n", pair
    if (bad) { printf "%d pair(s) of core files use each other\n", bad; exit 1 }
    print "no two core object files use each other" (length(seen) ? " (but the listed exceptions)" : "")
  }'
