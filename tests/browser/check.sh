#!/usr/bin/env bash
# Render the HTML page of every fixture in headless Chromium: a PNG
# screenshot and an A4 PDF print each (tests/browser/cdp.py, over the
# DevTools protocol), failing on any console error, uncaught exception or
# request the page makes (the page must stand alone). Usage: tests/browser/check.sh [OUTDIR] (default: a
# temporary directory, printed). Needs `chromium` (Debian package).
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:-$(mktemp -d)}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
browser="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$browser" ]; then
  echo "tests/browser/check.sh: chromium is not installed" >&2
  exit 1
fi
cargo build --quiet
bin=target/debug/scanquota

pages=(
  "usd-worked|report --plan fixtures/tcss-usd-300.toml --log fixtures/tcss-worked-example.csv --as-of 2024-04-20T12:00:00+08:00"
  "cny-topup|report --plan fixtures/tcss-cny-topup.toml --log fixtures/tcss-cny.csv --cores fixtures/cores.csv --as-of 2024-05-01"
  "cny-invoice|invoice --plan fixtures/tcss-cny-topup.toml --log fixtures/tcss-cny.csv --cores fixtures/cores.csv --as-of 2024-05-01"
  "hss-payg|report --plan fixtures/hss-payg.toml --log fixtures/hss.csv --as-of 2024-04-20"
  "teams|report --plan fixtures/tcss-cny-topup.toml --log fixtures/teams.csv --as-of 2024-05-01 --by team"
  "fleet|report --plan fixtures/fleet.toml --log fixtures/fleet.csv --as-of 2024-11-05 --by team"
  "fleet-running-out|report --plan fixtures/fleet.toml --log fixtures/fleet.csv --as-of 2024-10-20 --account gamma"
  "fleet-latest|report --plan fixtures/fleet.toml --log fixtures/fleet.csv --as-of 2025-03-05 --by team"
)

failed=0
for entry in "${pages[@]}"; do
  name="${entry%%|*}"
  args="${entry#*|}"
  # shellcheck disable=SC2086
  "$bin" $args --format html --quiet > "$out/$name.html"
  # cdp.py fails on console errors, exceptions and any request but the page.
  if problems=$(timeout 180 python3 tests/browser/cdp.py "$browser" "$out/$name.html" \
      "$out/$name.png" "$out/$name.pdf" 2>&1); then
    echo "ok   $name: $(stat -c %s "$out/$name.png") B PNG, $(stat -c %s "$out/$name.pdf") B PDF"
  else
    echo "FAIL $name:"; echo "$problems"; failed=1
  fi
done
echo "screenshots and prints in $out"
exit "$failed"
