"""The speed and memory targets, judged from a RESULTS.md table.

    python3 bench/targets.py bench/RESULTS.md

Prints a Markdown section: each target, the figure measured for it at the
largest size of the table, and whether it is met. bench/run.sh appends it to
the RESULTS.md it writes. Standard library only.
"""

import sys


def rows(path):
    """The results table (the file's first) as dicts keyed by its header, by
    (rows, order)."""
    header, table = None, {}
    with open(path, encoding="utf-8") as results:
        for line in results:
            if not line.startswith("|"):
                if header is not None:
                    break
                continue
            if line.startswith("|--"):
                continue
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if header is None:
                header = cells
                continue
            row = dict(zip(header, cells))
            table[(int(row["rows"]), row["order"])] = row
    return table


def number(row, column):
    try:
        return float(row[column])
    except (KeyError, ValueError):
        return None


def main(path):
    table = rows(path)
    sizes = sorted({size for size, _ in table})
    if not sizes:
        print("No results to judge.")
        return
    largest, smallest = sizes[-1], sizes[0]
    ordered, shuffled = table.get((largest, "ordered")), table.get((largest, "shuffled"))
    lines = []

    def judge(target, measured, met):
        verdict = "n/a" if met is None else ("met" if met else "missed")
        lines.append(f"| {target} | {measured} | {verdict} |")

    def ratio(row, column):
        return number(row, column) if row else None

    def shown(row, column):
        return row.get(column, "n/a") if row else "n/a"

    report = [ratio(ordered, "ratio"), ratio(shuffled, "ratio")]
    judge(
        "`report` ≤ 1.5 × the floor, ordered and shuffled",
        f"{shown(ordered, 'ratio')} × ordered, {shown(shuffled, 'ratio')} × shuffled",
        None if None in report else max(report) <= 1.5,
    )
    ledger = [ratio(ordered, "ledger ratio"), ratio(shuffled, "ledger ratio")]
    judge(
        "`ledger --format csv` ≤ 3 × the floor",
        f"{shown(ordered, 'ledger ratio')} × ordered, {shown(shuffled, 'ledger ratio')} × shuffled",
        None if None in ledger else max(ledger) <= 3,
    )
    report_mb = ratio(ordered, "peak RSS MB")
    ledger_mb = ratio(ordered, "ledger peak RSS MB")
    judge(
        "ordered `ledger` holds no more than the ordered `report` (history and scan ids)",
        f"{shown(ordered, 'ledger peak RSS MB')} MB vs {shown(ordered, 'peak RSS MB')} MB",
        None if None in (report_mb, ledger_mb) else ledger_mb <= report_mb * 1.1,
    )
    per_row = [ratio(ordered, "RSS bytes/row"), ratio(shuffled, "RSS bytes/row")]
    judge(
        "shuffled ≤ 48 bytes per row above the ordered run's history",
        "n/a" if None in per_row else f"{per_row[1] - per_row[0]:.0f} B/row above",
        None if None in per_row else per_row[1] - per_row[0] <= 48,
    )
    for order in ("ordered", "shuffled"):
        small, large = table.get((smallest, order)), table.get((largest, order))
        cpu = [ratio(small, "report CPU s"), ratio(large, "report CPU s")]
        if None in cpu or smallest == largest:
            judge(f"cost per row flat (±10 %), {order}", "n/a", None)
            continue
        per = [cpu[0] / smallest * 1e6, cpu[1] / largest * 1e6]
        judge(
            f"cost per row flat (±10 %) from {smallest:,} to {largest:,} rows, {order}",
            f"{per[0]:.2f} → {per[1]:.2f} µs CPU per row ({per[1] / per[0] - 1:+.0%})",
            per[1] <= per[0] * 1.1,
        )
    duck = [ratio(ordered, "DuckDB / report"), ratio(shuffled, "DuckDB / report")]
    judge(
        "`report` ≥ 3 × faster than the DuckDB query",
        f"{shown(ordered, 'DuckDB / report')} × ordered, {shown(shuffled, 'DuckDB / report')} × shuffled",
        None if None in duck else min(duck) >= 3,
    )
    memory = [
        (ratio(row, "peak RSS MB"), ratio(row, "DuckDB peak RSS MB")) for row in (ordered, shuffled)
    ]
    judge(
        "`report` uses less memory than the DuckDB query",
        "; ".join(
            f"{shown(row, 'peak RSS MB')} MB vs {shown(row, 'DuckDB peak RSS MB')} MB {order}"
            for row, order in ((ordered, "ordered"), (shuffled, "shuffled"))
        ),
        None
        if any(None in pair for pair in memory)
        else all(ours < theirs for ours, theirs in memory),
    )
    print(f"## Targets at {largest:,} rows\n")
    print("| target | measured | |")
    print("|---|---|---|")
    print("\n".join(lines))
    print()
    print(left_by_the_profiles())


def left_by_the_profiles():
    """The paragraph of bench/README.md that says what the profiles show is
    left, so RESULTS.md carries it beside the verdicts (one text, kept in the
    README with the profiles it comes from)."""
    readme = __file__.rsplit("/", 1)[0] + "/README.md"
    try:
        with open(readme, encoding="utf-8") as text:
            paragraphs = text.read().split("\n\n")
    except OSError:
        paragraphs = []
    for paragraph in paragraphs:
        if paragraph.startswith("What is left, from the profiles"):
            return paragraph.strip() + "\n\n(From `bench/README.md`, with the profiles.)"
    return "Where the time goes: the profiles in `bench/README.md`."


if __name__ == "__main__":
    main(sys.argv[1])
