-- The peer a data engineer would use: one DuckDB query computing the units
-- each account metered per subscription cycle under bench/plan.toml
-- (first scan 1 unit, repeat 0.1; cycles anchored at 2024-01-01 00:00
-- +08:00, so a cycle is a local calendar month), from the same CSV.
-- Parameters: $log (the CSV path) and $as_of (an RFC 3339 instant).
WITH raw AS (
    SELECT *, row_number() OVER () AS rn
    FROM read_csv($log, header = true, all_varchar = true)
),
timed AS (
    SELECT account, image, status, scan_id, rn,
           CAST("timestamp" AS TIMESTAMPTZ) AS scanned_at
    FROM raw
),
upto AS (
    SELECT * FROM timed WHERE scanned_at <= CAST($as_of AS TIMESTAMPTZ)
),
-- A scan id seen before in the account is a duplicate, ignored everywhere.
deduped AS (
    SELECT * FROM upto
    QUALIFY scan_id IS NULL OR scan_id = ''
        OR row_number() OVER (PARTITION BY account, scan_id ORDER BY scanned_at, rn) = 1
),
succeeded AS (
    SELECT * FROM deduped WHERE lower(coalesce(status, 'success')) IN ('success', '')
),
ranked AS (
    SELECT account, scanned_at,
           row_number() OVER (PARTITION BY account, image ORDER BY scanned_at, rn) AS k
    FROM succeeded
)
SELECT account,
       date_trunc('month', CAST(scanned_at AS TIMESTAMP) + INTERVAL 8 HOUR) AS cycle,
       CAST(sum(CASE WHEN k = 1 THEN 1.0 ELSE 0.1 END) AS DECIMAL(18, 1)) AS units
FROM ranked
GROUP BY ALL
ORDER BY account, cycle;
