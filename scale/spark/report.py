"""scanquota past one machine, on Spark.

Reads scan logs (CSV or JSON Lines, plain or gzip, any number of files),
shuffles their rows into N partitions by account, runs `scanquota report
--format json` on every partition (each executor runs the binary shipped with
the job), and merges the partition reports with `scanquota merge` in the
driver. The merged JSON is what `scanquota report --format json` prints for
the same inputs, byte for byte; `scale/spark/report.sh` runs this file and
docs/scale.md explains it.

Why `mapPartitions` with a subprocess, not `RDD.pipe`: a partition is handed
to scanquota as *one file per input file*, each with its original header and
its rows in their original order, so scanquota sees exactly the columns,
format (CSV or JSON Lines) and tie order (time, then file, then line) that
the single run sees. `pipe` gives one stream with no header and no file
boundaries, and reports a failure only as a broken pipe.

What equality rests on, each pinned by scale/spark/test.sh:
- the partition key is the account as scanquota reads it (header or JSON key
  case and surrounding spaces ignored, value trimmed, empty or absent ->
  `default`), so an account is never split between two partitions;
- every row carries its file index and line number through the shuffle, and
  each partition is sorted by them: equal timestamps keep the input order;
- every partition runs with the same plan, `--as-of` and `--start` (a plan
  without a start needs `--start`: the start would otherwise be each
  partition's first scan);
- a partition with no row is not run (it would report a phantom `default`);
- a `--cores` file is split by account with the logs;
- gzip is recognised by its content, as scanquota does, not by the name.
"""

import argparse
import csv
import gzip
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zlib

GZIP_MAGIC = b"\x1f\x8b"
# Names Hadoop's text reader would decompress by their suffix: such files are
# read whole as bytes, and decompressed here only when their content is gzip.
CODEC_SUFFIXES = (".gz", ".bz2", ".deflate", ".zst", ".lz4", ".snappy", ".br")


# spark-submit merges the driver's stdout and stderr into its own stdout, so
# the report and the messages go to the files report.sh names and reads.
RESULT = {"report": None, "messages": None}


def say(text):
    if RESULT["messages"]:
        with open(RESULT["messages"], "a", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stderr.write(text)


def fail(message):
    say(f"scanquota-spark: error: {message}\n")
    sys.exit(2)


def canonical(name):
    """A header or JSON key as scanquota matches it: trimmed, any case."""
    return name.strip().lower()


def account_of_value(value):
    """An account value as scanquota reads it: trimmed; empty -> default."""
    if value is None:
        return "default"
    if not isinstance(value, str):
        # scanquota refuses it; any partition will do, the run there says why.
        value = json.dumps(value)
    value = value.strip()
    return value if value else "default"


def partition_of(account, partitions):
    # crc32, not Python's hash(): the same on every executor, whatever
    # PYTHONHASHSEED is.
    return zlib.crc32(account.encode("utf-8")) % partitions


class InputFile:
    """One log file as the driver found it: its kind and header."""

    def __init__(self, index, path):
        self.index = index
        self.path = path
        with open(path, "rb") as raw:
            self.gzip = raw.read(2) == GZIP_MAGIC
        opener = gzip.open if self.gzip else open
        # The header is the first non-blank line; its number is where the
        # records start.
        self.header_line = -1
        with opener(path, "rb") as text:
            first = b""
            for number, line in enumerate(text):
                if line.strip(b"\r\n\t \xef\xbb\xbf"):
                    first = line
                    self.header_line = number
                    break
        stripped = first.lstrip(b"\xef\xbb\xbf \t")
        self.jsonl = stripped.startswith(b"{")
        self.header = None if self.jsonl else first.rstrip(b"\r\n")
        self.account_column = None
        if self.header is not None:
            names = next(csv.reader([self.header.decode("utf-8", "replace").lstrip("\ufeff")]), [])
            for position, name in enumerate(names):
                if canonical(name) == "account":
                    self.account_column = position
                    break
        # Read whole when the content or the name would defeat Hadoop's
        # line reader; plain files are split across tasks.
        self.whole = self.gzip or path.lower().endswith(CODEC_SUFFIXES)


def account_of_line(line, jsonl, account_column):
    """The account of one record line (bytes), as scanquota reads it."""
    text = line.decode("utf-8", "replace")
    if jsonl:
        try:
            record = json.loads(text)
        except ValueError:
            return "default"  # scanquota refuses the line and says where
        if not isinstance(record, dict):
            return "default"
        for key, value in record.items():
            if canonical(key) == "account":
                return account_of_value(value)
        return "default"
    if account_column is None:
        return "default"
    fields = next(csv.reader([text]), [])
    if account_column >= len(fields):
        return "default"
    return account_of_value(fields[account_column])


def split_lines(data):
    return data.split(b"\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--plan", required=True)
    parser.add_argument("--as-of", required=True)
    parser.add_argument("--start")
    parser.add_argument("--cores")
    parser.add_argument("--partitions", type=int, required=True)
    parser.add_argument("--binary", required=True)
    parser.add_argument("--master")
    parser.add_argument("--result", help="write the merged report here (else stdout)")
    parser.add_argument("--messages", help="write messages here (else stderr)")
    parser.add_argument("logs", nargs="+")
    args = parser.parse_args()
    RESULT["report"], RESULT["messages"] = args.result, args.messages
    if args.partitions < 1:
        fail(f"--partitions `{args.partitions}` must be at least 1")
    check_start(args.plan, args.start)
    inputs = [InputFile(index, path) for index, path in enumerate(args.logs)]

    from pyspark import SparkConf, SparkContext, SparkFiles

    conf = SparkConf().setAppName("scanquota report")
    if args.master:
        conf = conf.setMaster(args.master)
    sc = SparkContext.getOrCreate(conf)
    sc.setLogLevel("ERROR")
    sc.addFile(args.binary)
    binary_name = os.path.basename(args.binary)
    plan_is_file = not args.plan.startswith("builtin:")
    if plan_is_file:
        sc.addFile(args.plan)
    plan_name = os.path.basename(args.plan)
    partitions = args.partitions

    cores_header, cores_rows = None, []
    if args.cores:
        cores_header, cores_rows = read_cores(args.cores)
    broadcast = sc.broadcast(
        {
            "files": [(f.index, f.header, f.jsonl) for f in inputs],
            "cores_header": cores_header,
            "cores": cores_rows,
        }
    )

    # Every record as ((file, line, account), raw line bytes).
    rdds = []
    for f in inputs:
        jsonl, column, index = f.jsonl, f.account_column, f.index
        if f.whole:
            lines = (
                sc.binaryFiles(f.path)
                .flatMap(lambda pair, gz=f.gzip: split_lines(
                    gzip.decompress(pair[1]) if gz else pair[1]))
                .zipWithIndex()
            )
        else:
            lines = sc.textFile(f.path, use_unicode=False).zipWithIndex()
        header_line = -1 if f.jsonl else f.header_line

        def keyed(pair, jsonl=jsonl, column=column, index=index, header_line=header_line):
            line, number = pair
            body = line.rstrip(b"\r")
            # Blank lines are no record; the CSV header is written back by
            # each partition.
            if number == header_line or not body.strip(b" \t\xef\xbb\xbf"):
                return []
            account = account_of_line(body, jsonl, column)
            return [((index, number, account), body)]

        rdds.append(lines.flatMap(keyed))
    records = sc.union(rdds) if len(rdds) > 1 else rdds[0]
    shuffled = records.repartitionAndSortWithinPartitions(
        numPartitions=partitions,
        partitionFunc=lambda key: partition_of(key[2], partitions),
        keyfunc=lambda key: (key[0], key[1]),
    )

    options = {
        "as_of": args.as_of,
        "start": args.start,
        "plan": plan_name if plan_is_file else args.plan,
        "plan_is_file": plan_is_file,
        "binary": binary_name,
        "partitions": partitions,
    }

    def run_partition(number, rows):
        return run_scanquota(number, rows, options, broadcast.value, SparkFiles)

    results = shuffled.mapPartitionsWithIndex(run_partition).collect()
    sc.stop()

    failures = [text for kind, text in results if kind == "error"]
    if failures:
        fail("a partition's run failed:\n" + failures[0])
    for kind, text in results:
        if kind == "stderr" and text:
            say(text)
    reports = [text for kind, text in results if kind == "report"]
    print_merged(args, reports)


def read_cores(path):
    with open(path, "rb") as raw:
        data = raw.read()
    if data[:2] == GZIP_MAGIC:
        data = gzip.decompress(data)
    lines = [line.rstrip(b"\r") for line in data.split(b"\n")]
    lines = [line for line in lines if line.strip()]
    if not lines:
        return None, []
    header = lines[0]
    names = next(csv.reader([header.decode("utf-8", "replace").lstrip("\ufeff")]), [])
    column = next((i for i, n in enumerate(names) if canonical(n) == "account"), None)
    rows = []
    for line in lines[1:]:
        if column is None:
            account = "default"
        else:
            fields = next(csv.reader([line.decode("utf-8", "replace")]), [])
            account = account_of_value(fields[column] if column < len(fields) else "")
        rows.append((account, line))
    return header, rows


def run_scanquota(number, rows, options, shared, spark_files):
    """Write the partition's rows back as one file per input file, each with
    its header, and run `scanquota report` on them."""
    work = tempfile.mkdtemp(prefix="scanquota-part-")
    try:
        files = {}
        handles = {}
        headers = {index: (header, jsonl) for index, header, jsonl in shared["files"]}
        for (index, _line, _account), body in rows:
            handle = handles.get(index)
            if handle is None:
                path = os.path.join(work, f"log-{index:06d}")
                handle = open(path, "wb")
                header, jsonl = headers[index]
                if header is not None:
                    handle.write(header + b"\n")
                handles[index] = handle
                files[index] = path
            handle.write(body + b"\n")
        for handle in handles.values():
            handle.close()
        if not files:
            return []  # an empty partition: no phantom `default` report
        binary = spark_files.get(options["binary"])
        os.chmod(binary, 0o755)
        plan = spark_files.get(options["plan"]) if options["plan_is_file"] else options["plan"]
        command = [binary, "report", "--plan", plan, "--as-of", options["as_of"],
                   "--format", "json", "--log"]
        command += [files[index] for index in sorted(files)]
        if options["start"]:
            command += ["--start", options["start"]]
        if shared["cores_header"] is not None:
            mine = [line for account, line in shared["cores"]
                    if partition_of(account, options["partitions"]) == number]
            cores = os.path.join(work, "cores.csv")
            with open(cores, "wb") as handle:
                handle.write(shared["cores_header"] + b"\n")
                for line in mine:
                    handle.write(line + b"\n")
            command += ["--cores", cores]
        done = subprocess.run(command, capture_output=True)
        if done.returncode != 0:
            return [("error", f"partition {number}: exit {done.returncode}: "
                     + done.stderr.decode("utf-8", "replace"))]
        return [("report", done.stdout.decode("utf-8")),
                ("stderr", done.stderr.decode("utf-8", "replace"))]
    finally:
        shutil.rmtree(work, ignore_errors=True)


def check_start(plan, start):
    if start:
        return
    if plan.startswith("builtin:"):
        fail(f"--plan {plan} has no purchase moment: give --start TIME, the same for every "
             "partition (each partition would otherwise start at its own first scan)")
    try:
        with open(plan, "rb") as handle:
            parsed = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as err:
        fail(f"{plan}: {err}")
    if "start" not in parsed.get("subscription", {}):
        fail(f"{plan}: [subscription] has no start: give --start TIME, the same for every "
             "partition (each partition would otherwise start at its own first scan)")


def print_merged(args, reports):
    work = tempfile.mkdtemp(prefix="scanquota-merge-")
    try:
        if not reports:
            # No row anywhere: the single run's report of empty logs.
            command = [args.binary, "report", "--plan", args.plan, "--as-of", args.as_of,
                       "--format", "json", "--log", *args.logs]
            if args.start:
                command += ["--start", args.start]
            if args.cores:
                command += ["--cores", args.cores]
        else:
            paths = []
            for number, text in enumerate(reports):
                path = os.path.join(work, f"report-{number:06d}.json")
                with open(path, "w", encoding="utf-8") as handle:
                    handle.write(text)
                paths.append(path)
            command = [args.binary, "merge", *paths, "--format", "json"]
        done = subprocess.run(command, capture_output=True)
        say(done.stderr.decode("utf-8", "replace"))
        if done.returncode != 0:
            fail(f"{command[1]} failed with exit {done.returncode}")
        if RESULT["report"]:
            with open(RESULT["report"], "wb") as handle:
                handle.write(done.stdout)
        else:
            sys.stdout.buffer.write(done.stdout)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
