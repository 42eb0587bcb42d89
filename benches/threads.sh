#!/usr/bin/env bash
# Speed-up of parallel replications: 8 replications of the M/M/4 benchmark on 1 and on 2
# threads, timed in alternating pairs so that drift in the machine's load hits both alike.
# Prints every pair, the median of each and the median of the per-pair ratios.
#
#   bash benches/threads.sh [PAIRS] [THREADS]     (defaults: 15 pairs, 1 against 2 threads)
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=${1:-15}
threads=${2:-2}
cargo build --release --quiet
bin=target/release/clearsim
scenario=scenarios/validation/mm4-1m.toml

seconds() {
    local TIMEFORMAT=%R
    { time "$bin" run "$scenario" --reps 8 --threads "$1" --quiet >/dev/null; } 2>&1
}

echo "pair  1 thread [s]  $threads threads [s]  ratio"
for ((i = 1; i <= pairs; i++)); do
    one=$(seconds 1)
    many=$(seconds "$threads")
    echo "$i $one $many" | awk '{ printf "%4d  %12.3f  %13.3f  %5.2f\n", $1, $2, $3, $2 / $3 }'
done | awk '
    function median(v, n,   i, j, t) {
        for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j - 1] > v[j]; j--) {
            t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
        }
        return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    }
    { print; a[NR] = $2; b[NR] = $3; r[NR] = $4 }
    END {
        printf "median  %10.3f  %13.3f  %5.2f (median of the ratios)\n",
            median(a, NR), median(b, NR), median(r, NR)
    }'
