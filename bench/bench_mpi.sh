#!/bin/bash
# bench_mpi.sh [TFPKIT] — the 1 -> 2 rank speed-up of the split primitives:
# each of DEA CRS and VRS (n = 20,000 synthetic units) and the Malmquist
# index (261 x 15, contemporaneous and global) timed (wall clock, best of 3)
# as one process and under mpirun -np 2 (loopback), and the ratio. On a
# 2-core machine shared with other work the ratio is bounded by the idle
# core; the processes' start-up (MPI's included) is in the times.
# Recorded (2 cores, load average 5.5-7 from other sessions: no idle core):
#   DEA CRS n = 20,000   1.25 s -> 1.74 s (0.72x)
#   DEA VRS n = 20,000   4.58 s -> 9.09 s (0.50x)
#   Malmquist 261 x 15   0.79 s -> 1.42 s (0.55x)
# i.e. no speed-up on this machine: both ranks compete with other work for
# two cores, Open MPI's waiting ranks spin, and mpirun's start-up is ~0.5 s.
# A fair figure needs idle cores (or nodes).
tfpkit=${1:-build/tfpkit}
here=$(cd "$(dirname "$0")" && pwd)
root=; [ "$(id -u)" = 0 ] && root=--allow-run-as-root
export OMPI_MCA_btl=self,vader OMPI_MCA_btl_tcp_if_include=lo OMPI_MCA_oob_tcp_if_include=lo
best() {   # best wall time of 3 runs of "$@"
  local b=
  for _ in 1 2 3; do
    local t0 t1; t0=$(date +%s.%N); "$@" > /dev/null 2>&1 || { echo fail; return; }; t1=$(date +%s.%N)
    b=$(echo "$t0 $t1 ${b:-1e9}" | awk '{ d = $2 - $1; print (d < $3 ? d : $3) }')
  done
  echo "$b"
}
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
printf "%-34s %10s %10s %8s\n" work "1 process" "2 ranks" speed-up
for w in crs vrs malmquist; do
  one=$(best "$tfpkit" "$here/bench_mpi.lua" $w)
  two=$(best mpirun -np 2 --oversubscribe $root "$tfpkit" "$here/bench_mpi.lua" $w)
  label=$w; [ $w != malmquist ] && label="DEA $w input, n = 20,000"; [ $w = malmquist ] && label="Malmquist 261 x 15 (2 references)"
  printf "%-34s %9.2fs %9.2fs %7.2fx\n" "$label" "$one" "$two" "$(echo "$one $two" | awk '{ print $1 / $2 }')"
done
