#!/usr/bin/env python3
"""Parse OpenMetrics text from stdin with prometheus_client's OpenMetrics
parser (an independent implementation) and print its families as JSON:
{name: {"type": …, "samples": [[labels, value], …]}}. Exit 3 if the
parser is not installed."""
import json
import sys

try:
    from prometheus_client.openmetrics.parser import text_string_to_metric_families
except ImportError:
    sys.exit(3)

families = {}
for family in text_string_to_metric_families(sys.stdin.read()):
    families[family.name] = {
        "type": family.type,
        "help": family.documentation,
        "samples": [[dict(sample.labels), repr(sample.value)] for sample in family.samples],
    }
json.dump(families, sys.stdout, sort_keys=True)
