#!/usr/bin/env bash
# The merged JSON report of scan logs metered on Spark, partitioned by account.
#
#   scale/spark/report.sh --plan P --as-of T --partitions N [--start S]
#                         [--cores FILE] [--master URL] LOG...
#
# Prints on standard output what `scanquota report --format json` prints for
# the same inputs; exits non-zero with the reason on any failure. Installs
# PySpark (pinned below) into scale/spark/.venv when it is missing. The
# scanquota binary shipped to the executors is $SCANQUOTA_BIN, or
# target/release/scanquota (built when missing). Without --master, Spark runs
# locally on every core (local[*]). See docs/scale.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
pyspark_version=4.0.1

venv="$here/.venv"
if ! "$venv/bin/python" -c "import pyspark" >/dev/null 2>&1; then
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet "pyspark==$pyspark_version" >&2 \
    || { echo "report.sh: cannot install pyspark==$pyspark_version with pip" >&2; exit 2; }
fi
command -v java >/dev/null || { echo "report.sh: Spark needs Java 17 or later on PATH" >&2; exit 2; }

bin="${SCANQUOTA_BIN:-$root/target/release/scanquota}"
if [ ! -x "$bin" ]; then
  (cd "$root" && cargo build --release --quiet) >&2
fi

master="local[*]"
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --master) master="$2"; shift 2 ;;
    --master=*) master="${1#--master=}"; shift ;;
    *) args+=("$1"); shift ;;
  esac
done

export PYSPARK_PYTHON="$venv/bin/python"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# spark-submit prints the driver's stdout and stderr, and its own messages,
# on its standard output: all of that goes to stderr here, and the report
# comes from the file the driver writes.
status=0
"$venv/bin/spark-submit" --master "$master" --conf spark.ui.enabled=false \
  "$here/report.py" --binary "$bin" --result "$work/report.json" \
  --messages "$work/messages.txt" "${args[@]}" >&2 || status=$?
[ -f "$work/messages.txt" ] && cat "$work/messages.txt" >&2
if [ "$status" -ne 0 ] || [ ! -f "$work/report.json" ]; then
  echo "report.sh: the Spark run failed (exit $status)" >&2
  exit "$(( status == 0 ? 1 : status ))"
fi
cat "$work/report.json"
