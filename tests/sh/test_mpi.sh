#!/bin/bash
# test_mpi.sh TFPKIT — mpirun -np 2 (oversubscribed, loopback only) gives the
# DEA and Malmquist results of one process, and only rank 0 prints and
# writes: identical, bit for bit, when each LP is solved from scratch
# (warm_start = false); with the default warm start to 1e-12 (a rank's first
# LP starts cold where one process starts it from its predecessor's basis,
# which moves the last bits). Skipped when tfpkit was built without MPI or
# mpirun is missing.
set -u
tfpkit=$1
here=$(cd "$(dirname "$0")/.." && pwd)
if ! command -v mpirun > /dev/null || [ "$("$tfpkit" -e 'io.write(tostring(tfp.mpi.built))')" != true ]; then
  echo "skipped: no MPI"; exit 0
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
root=; [ "$(id -u)" = 0 ] && root=--allow-run-as-root
"$tfpkit" "$here/mpi/dea_malmquist.lua" "$dir/one" > "$dir/one.log" || { echo "one process failed"; exit 1; }
# (Open MPI's own allocations outlive MPI_Finalize: no leak check in the ASan build)
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
OMPI_MCA_btl=self,vader OMPI_MCA_btl_tcp_if_include=lo OMPI_MCA_oob_tcp_if_include=lo \
  mpirun -np 2 --oversubscribe $root "$tfpkit" "$here/mpi/dea_malmquist.lua" "$dir/two" > "$dir/two.log" 2>&1 ||
  { echo "mpirun failed:"; cat "$dir/two.log"; exit 1; }
grep -q "^ranks 2$" "$dir/two.log" || { echo "not 2 ranks:"; cat "$dir/two.log"; exit 1; }
[ "$(grep -c '^ranks' "$dir/two.log")" = 1 ] || { echo "a rank other than 0 printed"; exit 1; }
cmp "$dir/one.cold" "$dir/two.cold" || { echo "results differ:"; diff "$dir/one.cold" "$dir/two.cold" | head; exit 1; }
paste -d ' ' "$dir/one.warm" "$dir/two.warm" | awk '
  { a = $(NF / 2); b = $(NF); if (a == b) next
    if (a == "nan" || b == "nan") { print "differ: " $0; bad = 1; next }
    d = a - b; if (d < 0) d = -d; m = a < 0 ? -a : a; if (m < 1) m = 1
    if (d > 1e-12 * m) { print "differ: " $0; bad = 1 } }
  END { exit bad }' || exit 1
echo "mpirun -np 2: $(wc -l < "$dir/one.cold") results bit-identical (cold LPs), $(wc -l < "$dir/one.warm") to 1e-12 (warm start)"
