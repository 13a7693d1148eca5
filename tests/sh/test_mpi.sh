#!/bin/bash
# test_mpi.sh TFPKIT — mpirun -np 2 (oversubscribed, loopback only) gives the
# results of one process, and only rank 0 prints (io.stderr included),
# warns and writes:
# - DEA and Malmquist (mpi/dea_malmquist.lua): bit for bit when each LP is
#   solved from scratch (warm_start = false); with the default warm start to
#   1e-12 (a rank's first LP starts cold where one process starts it from its
#   predecessor's basis, which moves the last bits);
# - the DEA and Malmquist bootstraps (mpi/boot_green.lua, OUT.boot): bit for
#   bit (replication b draws from stream b on whichever rank runs it; the
#   point estimates are solved whole on every rank);
# - SBM, super-SBM with slacks, DDF, the ml, gml and luenberger indexes and
#   the directional metafrontier (OUT.green): to 1e-12, missing values
#   exactly (their column generation carries columns and basis from one unit
#   to the next, so a rank's first unit starts elsewhere, as above);
# and a rank that fails while the other waits in a combine ends the job
# (MPI_Abort) instead of hanging it. Skipped when tfpkit was built without
# MPI or mpirun is missing.
set -u
tfpkit=$1
here=$(cd "$(dirname "$0")/.." && pwd)
if ! command -v mpirun > /dev/null || [ "$("$tfpkit" -e 'io.write(tostring(tfp.mpi.built))')" != true ]; then
  echo "skipped: no MPI"; exit 0
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
root=; [ "$(id -u)" = 0 ] && root=--allow-run-as-root
# (Open MPI's own allocations outlive MPI_Finalize: no leak check in the ASan build)
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
export OMPI_MCA_btl=self,vader OMPI_MCA_btl_tcp_if_include=lo OMPI_MCA_oob_tcp_if_include=lo
two() { mpirun -np 2 --oversubscribe $root "$tfpkit" "$@"; }

# same_to A B: the last fields of the lines of A and B equal to 1e-12
# (relative, absolute below 1), a missing value (nan) only where the other has one.
same_to() {
  paste -d ' ' "$1" "$2" | awk '
    { a = $(NF / 2); b = $(NF); if (a == b) next
      if (a == "nan" || b == "nan") { print "differ: " $0; bad = 1; next }
      d = a - b; if (d < 0) d = -d; m = a < 0 ? -a : a; if (m < 1) m = 1
      if (d > 1e-12 * m) { print "differ: " $0; bad = 1 } }
    END { exit bad }'
}

for script in dea_malmquist boot_green; do
  "$tfpkit" "$here/mpi/$script.lua" "$dir/one" > "$dir/one.$script.log" 2>&1 ||
    { echo "$script: one process failed:"; cat "$dir/one.$script.log"; exit 1; }
  two "$here/mpi/$script.lua" "$dir/two" > "$dir/two.$script.log" 2>&1 ||
    { echo "$script: mpirun failed:"; cat "$dir/two.$script.log"; exit 1; }
  grep -q "^ranks 2$" "$dir/two.$script.log" || { echo "$script: not 2 ranks:"; cat "$dir/two.$script.log"; exit 1; }
  [ "$(grep -c '^ranks' "$dir/two.$script.log")" = 1 ] || { echo "$script: a rank other than 0 printed"; exit 1; }
  [ "$(grep -c '^stderr of the script' "$dir/two.$script.log")" = "$(grep -c '^stderr of the script' "$dir/one.$script.log")" ] ||
    { echo "$script: a rank other than 0 wrote to io.stderr"; exit 1; }
  [ "$(grep -c 'warning' "$dir/two.$script.log")" = "$(grep -c 'warning' "$dir/one.$script.log")" ] ||
    { echo "$script: a rank other than 0 warned:"; cat "$dir/two.$script.log"; exit 1; }
done
cmp "$dir/one.cold" "$dir/two.cold" || { echo "DEA/Malmquist (cold) differ:"; diff "$dir/one.cold" "$dir/two.cold" | head; exit 1; }
cmp "$dir/one.boot" "$dir/two.boot" || { echo "bootstraps differ:"; diff "$dir/one.boot" "$dir/two.boot" | head; exit 1; }
same_to "$dir/one.warm" "$dir/two.warm" || exit 1
same_to "$dir/one.green" "$dir/two.green" || exit 1
[ "$(grep -c ' nan$' "$dir/one.green")" -gt 0 ] || { echo "no infeasible LP in the green models: the NaN check checks nothing"; exit 1; }

# a failing rank ends the job (rank 0 would wait in the DEA's combine)
timeout 120 mpirun -np 2 --oversubscribe $root "$tfpkit" -e '
  if tfp.mpi.rank() == 1 then error("rank 1 fails") end
  tfp.dea{data = tfp.data("cities"), inputs = {"emp_total", "inv"}, outputs = {"gdp"}}' > "$dir/fail.log" 2>&1
rc=$?
[ $rc = 124 ] && { echo "a failing rank left the job hanging"; exit 1; }
[ $rc = 0 ] && { echo "a failing rank went unnoticed"; exit 1; }
grep -q "rank 1 fails" "$dir/fail.log" || { echo "the failing rank's error not shown:"; cat "$dir/fail.log"; exit 1; }

echo "mpirun -np 2: $(wc -l < "$dir/one.cold") DEA/Malmquist results and $(wc -l < "$dir/one.boot") bootstrap" \
  "results bit-identical, $(wc -l < "$dir/one.warm") DEA/Malmquist (warm start) and $(wc -l < "$dir/one.green")" \
  "green-model results to 1e-12; a failing rank aborts the job"
