#!/usr/bin/env bash
# A directory of many small Trivy reports, read as one log: peak memory and
# time of `report --log DIR`. Usage: bench/trivy_dir.sh [COUNT] (default 100000).
# Prints one Markdown table row for bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-100000}"
cargo build --release --quiet
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 - "$work/reports" "$count" <<'PY'
import json, os, sys
out, count = sys.argv[1], int(sys.argv[2])
os.makedirs(out)
severities = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"]
for i in range(count):
    image = i % (count // 10 or 1)          # each image scanned about ten times
    findings = [{"VulnerabilityID": "CVE-2024-%05d" % (i % 997 + n), "PkgName": "pkg%d" % n,
                 "InstalledVersion": "1.0.%d" % n, "Severity": severities[(i + n) % 5],
                 "Title": "a finding of the generated report"} for n in range(i % 4)]
    report = {
        "SchemaVersion": 2, "Trivy": {"Version": "0.76.0"},
        "ReportID": "gen-%08d" % i,
        "CreatedAt": "2024-03-%02dT%02d:%02d:%02dZ" % (1 + i * 27 // count, i % 24, i % 60, (i // 60) % 60),
        "ArtifactName": "registry.example.com/team/app%d:1.0" % image,
        "ArtifactType": "container_image",
        "Metadata": {"ImageID": "sha256:%064x" % image,
                     "RepoTags": ["registry.example.com/team/app%d:1.0" % image],
                     "RepoDigests": ["registry.example.com/team/app%d@sha256:%064x" % (image, image + 1)]},
        "Results": [{"Target": "app (alpine 3.19.1)", "Class": "os-pkgs", "Type": "alpine",
                     "Vulnerabilities": findings}],
    }
    with open(os.path.join(out, "%08d.json" % i), "w") as f:
        json.dump(report, f, indent=2)
PY
bytes=$(du -sb "$work/reports" | cut -f1)
plan=bench/plan.toml
/usr/bin/time -f '%e %M' -o "$work/time" target/release/scanquota report --plan "$plan" \
  --log "$work/reports" --as-of 2024-12-01T00:00:00Z --format json --quiet > "$work/report.json"
read -r seconds kilobytes < "$work/time"
scans=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); a=r['accounts'][0]['scans']; print(a['first']+a['repeat'])" "$work/report.json")
echo "| $count | $((bytes / 1000000)) | $seconds | $((kilobytes / 1024)) | $scans |"
