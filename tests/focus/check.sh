#!/usr/bin/env bash
# The FOCUS output of every fixture, checked by the FinOps Foundation's
# validator (focus-validator 2.2.1, FOCUS 1.2, run offline with its default
# applicability criteria). Run by .ci/run; not part of `cargo test` (it
# needs Python 3.12 and PyPI). Fails when the validator reports any failure
# but the InvoiceId rules (2.2.1 checks both "MUST be null" and "MUST NOT be
# null" without their conditions, so one always fails: docs/focus.md).
#
#   tests/focus/check.sh [BINARY]   (BINARY: target/debug/scanquota by default,
#                                    built when missing)
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"
venv="$root/tests/focus/.venv"
if [ ! -x "$venv/bin/focus-validator" ]; then
  rm -rf "$venv"
  if command -v pyenv >/dev/null 2>&1 && PYENV_VERSION=3.12.1 python3.12 --version >/dev/null 2>&1; then
    PYENV_VERSION=3.12.1 python3.12 -m venv "$venv"
  else
    python3.12 -m venv "$venv"
  fi
  # Its pyarrow needs NumPy 2 while it pins NumPy 1.26: pyarrow < 18 fits.
  "$venv/bin/pip" install --quiet focus-validator==2.2.1 'pyarrow<18'
fi
bin="${1:-target/debug/scanquota}"
if [ ! -x "$bin" ]; then
  cargo build --quiet
fi
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# The validator reads focus_validator/rules/currency_codes.csv relative to
# the working directory: run it where that path resolves.
package="$("$venv/bin/python" -c 'import focus_validator, os; print(os.path.dirname(focus_validator.__file__))')"
ln -s "$package" "$work/focus_validator"
failures=0

# check NAME INVOICE-ARGS... : the FOCUS file of `invoice INVOICE-ARGS`
# passes the validator.
check() {
  local name="$1"
  shift
  (cd "$root" && "$bin" invoice "$@" --format focus) >"$work/$name.csv" 2>"$work/$name.err"
  local rows
  rows=$(($(wc -l <"$work/$name.csv") - 1))
  if [ "$rows" -lt 1 ]; then
    echo "FAIL $name: no FOCUS rows"
    failures=$((failures + 1))
    return
  fi
  (cd "$work" && "$venv/bin/focus-validator" --data-file "$work/$name.csv" \
    --validate-version 1.2.0.1 --block-download) >"$work/$name.out" 2>&1 || true
  local summary failed
  summary=$(grep -m1 '^Total:' "$work/$name.out" || true)
  if [ -z "$summary" ]; then
    tail -n 20 "$work/$name.out"
    echo "FAIL $name: the validator printed no results"
    failures=$((failures + 1))
    return
  fi
  # Every failed rule is a line `❌ RULE-ID: FAIL ...`; a composite rule
  # fails with its child, so InvoiceId's own composites are let through too.
  failed=$(grep -E '^❌ ' "$work/$name.out" | grep -v -E '^❌ InvoiceId-' || true)
  if [ -n "$failed" ]; then
    echo "$failed"
    echo "FAIL $name: $rows rows; $summary"
    failures=$((failures + 1))
  else
    echo "ok   $name: $rows rows; $summary (InvoiceId rules aside)"
  fi
}

check tcss-topup --plan fixtures/tcss-cny-topup.toml --log fixtures/tcss-cny.csv \
  --cores fixtures/cores.csv --as-of 2024-06-20
check tcss-topup-april --plan fixtures/tcss-cny-topup.toml --log fixtures/tcss-cny.csv \
  --cores fixtures/cores.csv --as-of 2024-06-20 --month 2024-04
check tcss-by-team --plan fixtures/tcss-cny-topup.toml --log fixtures/teams.csv \
  --as-of 2024-05-20 --by team
check tcss-worked --plan fixtures/tcss-usd-300.toml --log fixtures/tcss-worked-example.csv \
  --as-of 2024-04-20
check hss-payg --plan fixtures/hss-payg.toml --log fixtures/hss.csv --as-of 2024-05-10
check hss-builtin --plan builtin:hss-payg --log fixtures/hss.csv --as-of 2024-05-10 \
  --start 2024-03-01
check fleet --plan fixtures/fleet.toml --log fixtures/fleet.csv --as-of 2025-02-20 --by team
check fleet-account --plan fixtures/fleet.toml --log fixtures/fleet.csv --as-of 2025-02-20 \
  --account alpha --month 2024-06

if [ "$failures" -ne 0 ]; then
  echo "$failures FOCUS file(s) failed the validator" >&2
  exit 1
fi
