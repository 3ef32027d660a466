#!/usr/bin/env bash
# Benchmark scanquota against the CSV parsing floor.
#
#   bench/run.sh            1 M, 3 M and 10 M rows (time-ordered and shuffled),
#                           and the 10 M shuffled log on Spark (4 partitions),
#                           writes bench/RESULTS.md (takes several minutes)
#   bench/run.sh --smoke    1 000 rows, checks the script works (CI), writes
#                           its table to a temporary directory
#
# Each size is measured in one hyperfine run, alternating: parse_floor,
# `scanquota report --format json`, `scanquota ledger --format csv >
# /dev/null` and the DuckDB query a data engineer would write instead
# (bench/duckdb.sql, run by bench/duckdb_query.py, which also checks that its
# total units equal scanquota's); peak RSS comes from GNU time. DuckDB is
# installed with pip into a virtual environment, bench/.venv. hyperfine and GNU time are installed from
# Debian's packages when missing (full mode); the smoke run times with the
# shell's clock if they are not there.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=full
[ "${1:-}" = "--smoke" ] && mode=smoke

if [ "$mode" = smoke ]; then
  sizes="1000"
  data=$(mktemp -d)
  trap 'rm -rf "$data"' EXIT
  out="$data/RESULTS.md"
  runs=1
else
  sizes="1000000 3000000 10000000"
  data=bench/data
  out=bench/RESULTS.md
  runs=3
fi
mkdir -p "$data"

ensure() { # ensure COMMAND DEBIAN-PACKAGE
  command -v "$1" >/dev/null 2>&1 && return 0
  [ "$mode" = smoke ] && return 1
  echo "installing $2 from Debian's packages" >&2
  { apt-get update -qq && apt-get install -y -qq "$2"; } >/dev/null 2>&1 || sudo apt-get install -y -qq "$2" >/dev/null 2>&1
  command -v "$1" >/dev/null 2>&1
}
have_hyperfine=0; ensure hyperfine hyperfine && have_hyperfine=1
have_time=0; { [ -x /usr/bin/time ] || ensure /usr/bin/time time; } && [ -x /usr/bin/time ] && have_time=1

venv=bench/.venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -c "import duckdb" 2>/dev/null || "$venv/bin/pip" install --quiet duckdb
duckdb_query() { echo "$venv/bin/python bench/duckdb_query.py $1 $as_of"; }

cargo build --release --quiet --bins --examples
bin=target/release/scanquota
gen=target/release/examples/gen_log
floor=target/release/examples/parse_floor
plan=bench/plan.toml
as_of=2024-12-01T00:00:00Z

# seconds COMMAND: mean wall-clock seconds of a shell command over $runs runs.
seconds() {
  local total=0 start end
  for _ in $(seq "$runs"); do
    start=$(date +%s.%N); bash -c "$1" >/dev/null; end=$(date +%s.%N)
    total=$(awk -v t="$total" -v s="$start" -v e="$end" 'BEGIN { printf "%.6f", t + e - s }')
  done
  awk -v t="$total" -v n="$runs" 'BEGIN { printf "%.6f", t / n }'
}

{
  echo "# Benchmark results"
  echo
  echo "Written by \`bench/run.sh\` on $(date -u +%Y-%m-%d) ($(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || echo 'unknown CPU'))."
  echo "Plan \`$plan\`, \`--as-of $as_of\`; logs from \`gen_log --accounts 100 --seed 1\`."
  echo "Times are medians of $runs runs, alternating (hyperfine: $([ $have_hyperfine = 1 ] && echo yes || echo no)); CPU s is user + system time, the mean over the runs. Ratio = report / floor."
  echo
  echo "| rows | order | MB | floor s | report s | ledger s | DuckDB s | report MB/s | ratio | floor CPU s | report CPU s | CPU ratio | ledger ratio | DuckDB / report | peak RSS MB | RSS bytes/row | ledger peak RSS MB | DuckDB peak RSS MB |"
  echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
} > "$out"

for rows in $sizes; do
  images=$(( rows / 5 + 1 ))
  for order in ordered shuffled; do
    file="$data/${rows}-${order}.csv"
    if [ ! -s "$file" ]; then
      flag=""; [ "$order" = shuffled ] && flag="--shuffled"
      "$gen" --rows "$rows" --accounts 100 --images "$images" --seed 1 $flag > "$file"
    fi
    floor_cmd="$floor $file"
    report_cmd="$bin report --plan $plan --log $file --as-of $as_of --format json"
    ledger_cmd="$bin ledger --plan $plan --log $file --as-of $as_of --format csv"
    duck_cmd=$(duckdb_query "$file")
    # Every command must succeed before it is timed, and DuckDB must meter
    # what scanquota meters.
    bash -c "$floor_cmd" >/dev/null
    bash -c "$report_cmd" > "$data/report.json"
    bash -c "$ledger_cmd" >/dev/null
    bash -c "$duck_cmd --check $data/report.json" >/dev/null
    if [ $have_hyperfine = 1 ]; then
      csv="$data/hyperfine-${rows}-${order}.csv"
      hyperfine --style none --runs "$runs" --warmup 1 --export-csv "$csv" \
        "$floor_cmd" "$report_cmd > /dev/null" "$ledger_cmd > /dev/null" "$duck_cmd" >/dev/null
      # Columns: command,mean,stddev,median,user,system,min,max.
      floor_s=$(awk -F, 'NR==2 {print $4}' "$csv")
      report_s=$(awk -F, 'NR==3 {print $4}' "$csv")
      ledger_s=$(awk -F, 'NR==4 {print $4}' "$csv")
      duck_s=$(awk -F, 'NR==5 {print $4}' "$csv")
      floor_cpu=$(awk -F, 'NR==2 {print $5 + $6}' "$csv")
      report_cpu=$(awk -F, 'NR==3 {print $5 + $6}' "$csv")
    else
      floor_s=$(seconds "$floor_cmd")
      report_s=$(seconds "$report_cmd")
      ledger_s=$(seconds "$ledger_cmd")
      duck_s=$(seconds "$duck_cmd")
      floor_cpu=""
      report_cpu=""
    fi
    if [ $have_time = 1 ]; then
      rss_kb=$( { /usr/bin/time -f '%M' $report_cmd >/dev/null; } 2>&1 | tail -1 )
      ledger_rss_kb=$( { /usr/bin/time -f '%M' $ledger_cmd >/dev/null; } 2>&1 | tail -1 )
      duck_rss_kb=$( { /usr/bin/time -f '%M' $duck_cmd >/dev/null; } 2>&1 | tail -1 )
    else
      rss_kb=""
      ledger_rss_kb=""
      duck_rss_kb=""
    fi
    bytes=$(wc -c < "$file")
    awk -v rows="$rows" -v order="$order" -v bytes="$bytes" -v f="$floor_s" -v r="$report_s" -v l="$ledger_s" -v d="$duck_s" -v rss="$rss_kb" -v lrss="$ledger_rss_kb" -v drss="$duck_rss_kb" -v fc="$floor_cpu" -v rc="$report_cpu" 'BEGIN {
      mb = bytes / 1e6
      rss_mb = (rss == "") ? "n/a" : sprintf("%.0f", rss / 1024)
      per_row = (rss == "") ? "n/a" : sprintf("%.0f", rss * 1024 / rows)
      ledger_mb = (lrss == "") ? "n/a" : sprintf("%.0f", lrss / 1024)
      duck_mb = (drss == "") ? "n/a" : sprintf("%.0f", drss / 1024)
      fcpu = (fc == "") ? "n/a" : sprintf("%.2f", fc)
      rcpu = (rc == "") ? "n/a" : sprintf("%.2f", rc)
      cpu_ratio = (fc == "" || fc == 0) ? "n/a" : sprintf("%.2f", rc / fc)
      printf "| %d | %s | %.0f | %.3f | %.3f | %.3f | %.3f | %.0f | %.2f | %s | %s | %s | %.2f | %.2f | %s | %s | %s | %s |\n", rows, order, mb, f, r, l, d, mb / r, r / f, fcpu, rcpu, cpu_ratio, l / f, d / r, rss_mb, per_row, ledger_mb, duck_mb
    }' >> "$out"
  done
done

{
  echo
  echo "Ratio = report / floor; ledger ratio = ledger / floor; DuckDB / report: how many times faster scanquota is than the query."
  echo
  python3 bench/targets.py "$out"
} >> "$out"

# Scale-out: the largest shuffled log split by account into 8 parts with
# DuckDB, the parts' reports run at once and merged (bench/partitioned.sh).
if [ "$mode" = full ]; then
  largest=$(echo $sizes | tr ' ' '\n' | tail -1)
  {
    echo
    echo "Partitioned, \`bench/partitioned.sh $data/${largest}-shuffled.csv 8\`:"
    echo
    bash bench/partitioned.sh "$data/${largest}-shuffled.csv" 8
  } >> "$out"
  # On Spark (scale/spark/report.sh, issue 25): the largest shuffled log in
  # 4 partitions on local[2], against the single run, byte for byte. Only in
  # full mode: CI runs scale/spark/test.sh on a small log instead.
  spark_log="$data/${largest}-shuffled.csv"
  start=$(date +%s.%N)
  $bin report --plan $plan --log "$spark_log" --as-of $as_of --format json > "$data/single.json"
  end=$(date +%s.%N)
  single_s=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", e - s }')
  start=$(date +%s.%N)
  spark_status=0
  SCANQUOTA_BIN="$bin" scale/spark/report.sh --plan $plan --as-of $as_of --partitions 4 \
    --master 'local[2]' "$spark_log" > "$data/spark.json" 2> "$data/spark.err" || spark_status=$?
  end=$(date +%s.%N)
  spark_s=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", e - s }')
  if [ "$spark_status" -ne 0 ]; then
    verdict="the Spark run failed (exit $spark_status; see $data/spark.err)"
  elif cmp -s "$data/single.json" "$data/spark.json"; then
    verdict="merged JSON equals the single run byte for byte"
  else
    verdict="merged JSON DIFFERS from the single run"
  fi
  {
    echo
    echo "On Spark, \`scale/spark/report.sh --partitions 4 --master 'local[2]' $spark_log\` (PySpark, one run, including Spark's start):"
    echo
    echo "rows $largest shuffled: Spark ${spark_s} s, single run ${single_s} s; $verdict"
  } >> "$out"
  case "$verdict" in merged\ JSON\ equals*) ;; *) spark_failed=1 ;; esac
fi
cat "$out"
# A Spark run that failed or differs fails the benchmark (after its table).
exit "${spark_failed:-0}"
