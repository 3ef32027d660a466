#!/usr/bin/env bash
# The Spark path equals the single run byte for byte, on the cases its
# equality rests on (scale/spark/report.py names them). Run by .ci/run; not
# part of `cargo test` (it needs Java and PySpark).
#
#   scale/spark/test.sh [ROWS]     (ROWS: the generated log, 20 000 by default)
set -euo pipefail
cd "$(dirname "$0")/../.."
rows="${1:-20000}"
cargo build --release --quiet
cargo build --release --quiet --example gen_log
bin=target/release/scanquota
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failures=0

# same NAME PARTITIONS REPORT-ARGS... : the Spark run equals the single run.
same() {
  local name="$1" partitions="$2"
  shift 2
  "$bin" report "$@" --format json >"$work/single.json" 2>"$work/single.err"
  local logs=() options=() seen_log=false
  while [ $# -gt 0 ]; do
    case "$1" in
      --log) seen_log=true; shift ;;
      --plan|--as-of|--start|--cores) options+=("$1" "$2"); seen_log=false; shift 2 ;;
      *) if $seen_log; then logs+=("$1"); else options+=("$1"); fi; shift ;;
    esac
  done
  if ! scale/spark/report.sh "${options[@]}" --partitions "$partitions" "${logs[@]}" \
      >"$work/spark.json" 2>"$work/spark.err"; then
    tail -n 20 "$work/spark.err"
    echo "FAIL $name: the Spark run failed"
    failures=$((failures + 1))
  elif cmp -s "$work/single.json" "$work/spark.json"; then
    echo "ok   $name"
  else
    diff "$work/single.json" "$work/spark.json" | head -20
    echo "FAIL $name: the Spark report differs from the single run"
    failures=$((failures + 1))
  fi
}

# refused NAME NEEDLE ARGS... : the Spark run fails, saying NEEDLE.
refused() {
  local name="$1" needle="$2"
  shift 2
  if scale/spark/report.sh "$@" >"$work/spark.json" 2>"$work/spark.err"; then
    echo "FAIL $name: accepted"
    failures=$((failures + 1))
  elif grep -qF -- "$needle" "$work/spark.err" && [ ! -s "$work/spark.json" ]; then
    echo "ok   $name"
  else
    tail -n 5 "$work/spark.err"
    echo "FAIL $name: the message lacks \"$needle\" or stdout is not empty"
    failures=$((failures + 1))
  fi
}

plan=bench/plan.toml
as_of=2024-12-01T00:00:00Z

# The generated log: $rows rows, 12 accounts, shuffled (held and sorted).
target/release/examples/gen_log --rows "$rows" --accounts 12 --seed 2 --shuffled >"$work/big.csv"
same "generated log, $rows rows, 12 accounts, 4 partitions" 4 \
  --plan "$plan" --as-of "$as_of" --log "$work/big.csv"

# Several files, gzip recognised by content (a gzip file named .csv, a plain
# file named .gz), an account with one row, more partitions than accounts.
head -n 1 "$work/big.csv" >"$work/head.csv"
sed -n '2,5001p' "$work/big.csv" | cat "$work/head.csv" - | gzip -c >"$work/part-a.csv"
sed -n '5002,9000p' "$work/big.csv" | cat "$work/head.csv" - >"$work/part-b.gz"
printf 'timestamp,image,account\n2024-05-01 10:00:00,solo-image,solo-account\n' >"$work/solo.csv"
same "gzip by content, several files, a one-row account, 32 partitions" 32 \
  --plan "$plan" --as-of "$as_of" --log "$work/part-a.csv" "$work/part-b.gz" "$work/solo.csv"

# Equal timestamps keep the input order across files: with one unit left, a
# repeat (0.1) then a first scan (1) at the same instant denies the first
# scan; the other order denies the repeat (the two single runs differ, which
# is checked first).
cat >"$work/deny.toml" <<'TOML'
name = "one unit a month, deny"
currency = "USD"
decimals = 2
timezone = "UTC"
[subscription]
start = 2024-03-01T00:00:00Z
months = 1
[metering]
first_scan_units = 1
repeat_scan_units = 0.1
[[allowance]]
name = "quota"
units = 2
unit_price = 1
[overage]
policy = "deny"
TOML
printf 'timestamp,image,account\n2024-03-02 00:00:00,a,t\n2024-03-05 00:00:00,a,t\n' >"$work/tie-1.csv"
printf 'timestamp,image,account\n2024-03-05 00:00:00,b,t\n' >"$work/tie-2.csv"
"$bin" report --plan "$work/deny.toml" --as-of 2024-03-20T00:00:00Z --format json \
  --log "$work/tie-1.csv" "$work/tie-2.csv" >"$work/tie-a.json"
"$bin" report --plan "$work/deny.toml" --as-of 2024-03-20T00:00:00Z --format json \
  --log "$work/tie-2.csv" "$work/tie-1.csv" >"$work/tie-b.json"
if cmp -s "$work/tie-a.json" "$work/tie-b.json"; then
  echo "FAIL the tie case does not depend on the input order: it checks nothing"
  failures=$((failures + 1))
fi
same "equal timestamps keep the input order (file, then line)" 3 \
  --plan "$work/deny.toml" --as-of 2024-03-20T00:00:00Z --log "$work/tie-1.csv" "$work/tie-2.csv"
same "equal timestamps, the files the other way round" 3 \
  --plan "$work/deny.toml" --as-of 2024-03-20T00:00:00Z --log "$work/tie-2.csv" "$work/tie-1.csv"

# The partition key is the account as scanquota reads it: header case and
# spaces ignored, value trimmed, empty -> default; JSON Lines keys alike.
printf 'Timestamp, ACCOUNT ,Image\n2024-04-01 10:00:00, team-x ,img\n2024-04-01 11:00:00,team-x,img\n2024-04-01 12:00:00,,img\n2024-04-01 13:00:00,default,img\n2024-04-01 14:00:00,  ,img2\n' >"$work/keys.csv"
printf '{"timestamp":"2024-04-02 10:00:00","image":"img","account":" team-x"}\n{"timestamp":"2024-04-02 11:00:00","image":"img"}\n' >"$work/keys.jsonl"
same "account key as scanquota reads it (CSV and JSON Lines)" 16 \
  --plan "$plan" --as-of "$as_of" --log "$work/keys.csv" "$work/keys.jsonl"

# A --cores file is split by account with the logs.
same "cores samples split with the logs" 5 \
  --plan fixtures/tcss-cny-topup.toml --as-of "2024-04-03 02:00:00" \
  --log fixtures/tcss-cny.csv --cores fixtures/cores.csv

# A plan without a start needs --start (each partition would start at its
# own first scan); with --start it is the single run.
refused "a built-in plan without --start is refused" "--start" \
  --plan builtin:hss-payg --as-of 2024-04-20 --partitions 2 fixtures/hss.csv
same "a built-in plan with --start" 2 \
  --plan builtin:hss-payg --start 2024-03-01T00:00:00+08:00 --as-of 2024-04-20 --log fixtures/hss.csv

# A bad row fails the run with scanquota's own message, nothing on stdout.
printf 'timestamp,image,account\nyesterday,img,t\n' >"$work/bad.csv"
refused "a bad row fails the run with scanquota's message" "timestamp" \
  --plan "$plan" --as-of "$as_of" --partitions 2 "$work/bad.csv"

if [ "$failures" -ne 0 ]; then
  echo "scale/spark/test.sh: $failures case(s) failed" >&2
  exit 1
fi
echo "scale/spark/test.sh: every case equals the single run"
