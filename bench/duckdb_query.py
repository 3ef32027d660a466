#!/usr/bin/env python3
"""Run bench/duckdb.sql on a log and print the total units it metered (the
sum over accounts and cycles). With --check REPORT.json, exit 1 unless that
total equals scanquota's consumed plus overage units over every account.

Usage: duckdb_query.py LOG AS_OF [--check REPORT.json]"""
import json
import os
import sys
from decimal import Decimal

import duckdb

log, as_of = sys.argv[1], sys.argv[2]
query = open(os.path.join(os.path.dirname(__file__), "duckdb.sql")).read()
connection = duckdb.connect()
connection.execute("SET TimeZone = 'UTC'")
rows = connection.execute(query, {"log": log, "as_of": as_of}).fetchall()
total = sum((Decimal(str(units)) for _, _, units in rows), Decimal(0))
print(total)
if len(sys.argv) > 4 and sys.argv[3] == "--check":
    report = json.load(open(sys.argv[4]))
    ours = sum(Decimal(a["units"]["consumed"]) + Decimal(a["units"]["overage"]) for a in report["accounts"])
    if ours != total:
        sys.exit(f"DuckDB metered {total} units, scanquota {ours}")
