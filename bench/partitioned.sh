#!/usr/bin/env bash
# Scale-out, exercised: a log too large for one machine is split by account
# with an existing engine and the parts' reports merged.
#
#   bench/partitioned.sh LOG N [PLAN] [AS_OF]
#
# DuckDB splits LOG into N files by hash(account) % N, each sorted by time;
# `scanquota report` runs on every part at once (as separate machines
# would); `scanquota merge` combines their JSON; the result must equal the
# single run's JSON byte for byte. Prints the times of both ways.
set -euo pipefail
cd "$(dirname "$0")/.."
log="$1"
parts="$2"
plan="${3:-bench/plan.toml}"
as_of="${4:-2024-12-01T00:00:00Z}"

venv=bench/.venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c "import duckdb" 2>/dev/null || "$venv/bin/pip" install --quiet duckdb
cargo build --release --quiet
bin=target/release/scanquota
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

start=$(date +%s.%N)
"$venv/bin/python" - "$log" "$parts" "$work/parts" <<'PY'
import sys
import duckdb
log, parts, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
connection = duckdb.connect()
connection.execute("SET TimeZone = 'UTC'")
connection.execute(
    f"""COPY (
          SELECT *, hash(account) % {parts} AS part
          FROM read_csv(?, header = true, all_varchar = true)
          ORDER BY CAST("timestamp" AS TIMESTAMPTZ)
        ) TO '{out}' (FORMAT csv, HEADER true, PARTITION_BY (part))""",
    [log],
)
PY
split=$(date +%s.%N)
pids=()
n=0
for part in "$work"/parts/part=*; do
  "$bin" report --plan "$plan" --log "$part"/*.csv --as-of "$as_of" --format json --quiet \
    > "$work/report-$n.json" &
  pids+=($!)
  n=$((n + 1))
done
for pid in "${pids[@]}"; do wait "$pid"; done
"$bin" merge "$work"/report-*.json --format json > "$work/merged.json"
merged=$(date +%s.%N)
"$bin" report --plan "$plan" --log "$log" --as-of "$as_of" --format json --quiet > "$work/single.json"
single=$(date +%s.%N)
if ! cmp -s "$work/merged.json" "$work/single.json"; then
  diff "$work/single.json" "$work/merged.json" | head -20
  echo "partitioned.sh: the merged report differs from the single run" >&2
  exit 1
fi
awk -v a="$start" -v b="$split" -v c="$merged" -v d="$single" -v n="$n" 'BEGIN {
  printf "partitions %d: split %.2f s, reports and merge %.2f s, single run %.2f s; merged JSON equals the single run byte for byte\n", n, b - a, c - b, d - c
}'
