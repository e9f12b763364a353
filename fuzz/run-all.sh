#!/usr/bin/env bash
# Runs every target for $1 seconds (default 600), one after another, from a corpus seeded
# with fuzz/seeds/<target>. Logs go to fuzz/logs/<target>.log (ignored by git).
set -uo pipefail
cd "$(dirname "$0")"
seconds=${1:-600}
mkdir -p logs
for target in reader transcript csv_rows; do
  mkdir -p "corpus/$target"
  cp -n "seeds/$target"/* "corpus/$target/"
  cargo +nightly fuzz run "$target" "corpus/$target" -- \
    -dict=payload.dict -max_len=65536 -timeout=10 -rss_limit_mb=4096 \
    -max_total_time="$seconds" -print_final_stats=1 >"logs/$target.log" 2>&1
  echo "$target: exit $?"
done
