//! The bad-input catalogue: every case exits 2, prints nothing on stdout,
//! names where the problem is on stderr, and never panics. Plus `--output`
//! atomicity.

mod common;

use common::{MINIMAL_PLAN, Workdir, run};

const PLAN: &str = "fixtures/tcss-usd-300.toml";
const AS_OF: &str = "2024-04-20T12:00:00+08:00";
const HEADER: &str = "timestamp,image\n";

/// One case: the files it writes and the arguments that use them.
struct Case {
    name: &'static str,
    files: Vec<(&'static str, Vec<u8>)>,
    args: Vec<String>,
    /// Text stderr must contain (a file name plus line, column or key).
    needles: Vec<String>,
}

fn log_case(name: &'static str, log: Vec<u8>, needles: &[&str]) -> Case {
    Case {
        name,
        files: vec![("log.csv", log)],
        args: [
            "report",
            "--plan",
            PLAN,
            "--log",
            "{log.csv}",
            "--as-of",
            AS_OF,
        ]
        .map(String::from)
        .to_vec(),
        needles: needles.iter().map(|n| n.replace("{}", "log.csv")).collect(),
    }
}

fn plan_case(name: &'static str, plan: impl Into<Vec<u8>>, needles: &[&str]) -> Case {
    Case {
        name,
        files: vec![("plan.toml", plan.into())],
        args: ["plan", "check", "{plan.toml}"].map(String::from).to_vec(),
        needles: needles.iter().map(|n| n.to_string()).collect(),
    }
}

fn row(timestamp: &str, image: &str) -> Vec<u8> {
    format!("{HEADER}{timestamp},{image}\n").into_bytes()
}

fn catalogue() -> Vec<Case> {
    let long_field = "x".repeat(16 * 1024 * 1024);
    let wide_header: String = (0..10_000)
        .map(|i| format!("c{i}"))
        .collect::<Vec<_>>()
        .join(",");
    let wide_row: String = (0..10_000).map(|_| "1").collect::<Vec<_>>().join(",");
    let nested: String = "a = ".to_string() + &"[".repeat(10_000);
    let deep_tables: String = (0..10_000).map(|i| format!("[t{i}]\n")).collect();
    let deep_dotted: String = format!(
        "[{}]\n",
        (0..10_000)
            .map(|i| format!("k{i}"))
            .collect::<Vec<_>>()
            .join(".")
    );
    vec![
        // Scan logs.
        log_case("empty log", Vec::new(), &["log.csv:1", "empty"]),
        log_case(
            "missing timestamp column",
            b"image\nimg\n".to_vec(),
            &["log.csv:1", "timestamp"],
        ),
        log_case(
            "missing image column",
            b"timestamp\n2024-04-01T00:00:00Z\n".to_vec(),
            &["log.csv:1", "image"],
        ),
        log_case(
            "duplicate column",
            b"timestamp,image,image\n1,2,3\n".to_vec(),
            &["log.csv:1:3", "twice"],
        ),
        // An account's name reaches every view: an escape sequence in it is
        // refused where it is first seen, on the row's own line.
        log_case(
            "control character in an account",
            b"timestamp,image,account\n2024-04-01T00:00:00Z,a,team\n2024-04-01T00:00:00Z,a,te\x1b]0;x\x07am\n"
                .to_vec(),
            &["log.csv:3:3", "te\\u{1b}]0;x\\u{7}am", "control character"],
        ),
        log_case(
            "C1 control character in a JSON account",
            b"{\"timestamp\":\"2024-04-01T00:00:00Z\",\"image\":\"a\",\"account\":\"t\\u009bm\"}\n"
                .to_vec(),
            &["log.csv:1", "account", "t\\u{9b}m", "control character"],
        ),
        // Nested past serde_json's limit on the first line as on any other:
        // named as too deep, not as a row spread over lines.
        log_case(
            "JSON Lines nested too deeply on line 1",
            format!(
                "{{\"timestamp\":\"2024-04-01T00:00:00Z\",\"image\":\"a\",\"x\":{}{}}}\n",
                "[".repeat(130),
                "]".repeat(130)
            )
            .into_bytes(),
            &["log.csv:1:", "nests arrays or objects more than 128 deep"],
        ),
        // A bad value on line 1 is named as on any other line, with its
        // column (it was a row "not on a line of its own").
        log_case(
            "lone surrogate escape in JSON Lines on line 1",
            b"{\"timestamp\": \"2024-04-01T00:00:00Z\", \"image\": \"a\\ud800\"}\n".to_vec(),
            &["log.csv:1:56:", "is not one JSON object (unexpected end of hex escape)"],
        ),
        log_case(
            "byte not UTF-8 in JSON Lines on line 1",
            b"{\"timestamp\": \"2024-04-01T00:00:00Z\", \"image\": \"a\xffb\"}\n".to_vec(),
            &["log.csv:1:50:", "is not one JSON object (invalid unicode code point)"],
        ),
        log_case(
            "JSON Lines with CR-only line ends",
            b"{\"timestamp\": \"2024-04-01T00:00:00Z\", \"image\": \"a\"}\r{\"timestamp\": \"2024-04-01T00:00:00Z\", \"image\": \"b\"}\r".to_vec(),
            &["log.csv:1:52:", "the lines end in CR only", "end them in LF or CRLF"],
        ),
        // A value quoted in a message is shown escaped: the message is one
        // line and sends nothing to the terminal.
        log_case(
            "escape sequence in a timestamp",
            b"timestamp,image\n2024-04-01\x1b[2J\x1b]0;x\x07,a\n".to_vec(),
            &["log.csv:2:1", "`2024-04-01\\u{1b}[2J\\u{1b}]0;x\\u{7}`"],
        ),
        // `ac` U+200B `me` prints as `acme`: a second account that reads as
        // the first, charged its own quota.
        log_case(
            "invisible character in an account",
            "timestamp,image,account\n2024-04-01T00:00:00Z,a,acme\n2024-04-01T00:00:00Z,a,ac\u{200b}me\n"
                .into(),
            &["log.csv:3:3", "ac\\u{200b}me", "invisible character"],
        ),
        log_case(
            "soft hyphen in a JSON account",
            b"{\"timestamp\":\"2024-04-01T00:00:00Z\",\"image\":\"a\",\"account\":\"ac\\u00adme\"}\n"
                .to_vec(),
            &["log.csv:1", "account", "ac\\u{ad}me", "invisible character"],
        ),
        // chrono takes second 60 at any minute; printed back, `09:17:60` is
        // a time other tools refuse. Only a leap second's place takes it.
        log_case(
            "second 60 outside a leap second",
            row("2024-03-16T09:17:60+08:00", "a"),
            &[
                "log.csv:2:1",
                "`2024-03-16T09:17:60+08:00`",
                "23:59:60 UTC on 30 June or 31 December",
                "next minute's :00",
            ],
        ),
        log_case(
            "naive second 60 outside a leap second",
            format!("{HEADER}2024-04-01T00:00:00Z,a\n2024-03-16 09:17:60,b\n").into_bytes(),
            &["log.csv:3:1", "`2024-03-16 09:17:60`", "leap second"],
        ),
        log_case(
            "JSON second 60 outside a leap second",
            b"{\"timestamp\":\"2024-04-01T00:00:60Z\",\"image\":\"a\"}\n".to_vec(),
            &["log.csv:1", "timestamp", "`2024-04-01T00:00:60Z`", "leap second"],
        ),
        log_case(
            "text reversed in an account",
            b"timestamp,image,account\n2024-04-01T00:00:00Z,a,team-\xe2\x80\xaeb\n".to_vec(),
            &["log.csv:2:3", "team-\\u{202e}b", "reorders text"],
        ),
        // The csv crate joins text after a closing quote on: `"sha256:ab"cd`
        // would be the image `sha256:abcd`, a name nobody wrote.
        log_case(
            "text after a closing quote",
            b"timestamp,image\n2024-04-01T00:00:00Z,\"a\"\n2024-04-01T00:00:00Z,\"sha256:ab\"cd\n".to_vec(),
            &["log.csv:3:2: image:", "text after its closing quote"],
        ),
        log_case(
            "text after a closing quote in the header",
            b"\"timestamp\" ,image\n2024-04-01T00:00:00Z,a\n".to_vec(),
            &["log.csv:1:1:", "text after its closing quote"],
        ),
        // The column is counted as the file has it: a delimiter inside the
        // quotes before does not count.
        log_case(
            "text after a closing quote, a delimiter inside the quotes",
            b"timestamp,account,image\n2024-04-01T00:00:00Z,\"te,am\"b,img\n".to_vec(),
            &["log.csv:2:2: account:", "text after its closing quote"],
        ),
        // A wall time the --log-zone skipped names that zone, not the
        // plan's (+08:00 here, where 02:30 exists).
        {
            let mut case = log_case(
                "a local time the log's zone skipped",
                row("2024-03-10 02:30:00", "a"),
                &["log.csv:2:1", "`2024-03-10 02:30:00`", "does not exist in the time zone America/Chicago"],
            );
            case.args.extend(["--log-zone", "America/Chicago"].map(String::from));
            case
        },
        // The csv crate reads a quote after spaces as text: ` "acme"` was
        // the account `"acme"`, quotes and all, beside `acme`.
        log_case(
            "a space before an opening quote",
            b"timestamp,account,image\n2024-04-01T00:00:00Z,acme,a\n2024-04-01T00:05:00Z, \"acme\",a\n".to_vec(),
            &["log.csv:3:2: account: ", "spaces before its opening quote", "remove the spaces"],
        ),
        // A no-break space is trimmed as a blank but is no blank to the
        // csv reader: the value kept its quotes.
        log_case(
            "a no-break space before an opening quote",
            "timestamp,account,image\n2024-04-01T00:00:00Z,acme,a\n2024-04-01T00:05:00Z,\u{a0}\"acme\",a\n".as_bytes().to_vec(),
            &["log.csv:3", "account", "no-break or zero-width space", "remove what is before the quote"],
        ),
        // A zero-width space is no blank, but hides the same way.
        log_case(
            "a zero-width space before an opening quote",
            "timestamp,account,image\n2024-04-01T00:00:00Z,acme,\u{200b}\"sha256:2\"\n".as_bytes().to_vec(),
            &["log.csv:2", "image", "\\u{200b}", "zero-width space", "remove what is before the quote"],
        ),
        log_case(
            "a no-break space before an opening quote in the header",
            "timestamp,\u{a0}\"account\",image\n2024-04-01T00:00:00Z,acme,a\n".as_bytes().to_vec(),
            &["log.csv:1:2", "header", "no-break or zero-width space", "remove what is before the quote"],
        ),
        log_case(
            "a space before an opening quote in the header",
            b"timestamp, \"account\",image\n2024-04-01T00:00:00Z,acme,a\n".to_vec(),
            &["log.csv:1", "spaces before its opening quote"],
        ),
        log_case(
            "too few fields",
            b"timestamp,image\n2024-04-01T00:00:00Z\n".to_vec(),
            &["log.csv:2", "fields"],
        ),
        log_case(
            "too many fields",
            b"timestamp,image\n2024-04-01T00:00:00Z,a,b\n".to_vec(),
            &["log.csv:2", "fields"],
        ),
        // The row's own line, not the first blank line before it; with a
        // quoted field before it too (read by the csv crate, not cut).
        log_case(
            "too few fields after blank lines",
            b"timestamp,image\n2024-04-01T00:00:00Z,a\n\n\n2024-04-01T00:00:00Z\n".to_vec(),
            &["log.csv:5", "1 fields but the header has 2"],
        ),
        // A row over several lines is named on the line it starts on.
        log_case(
            "too many fields over a quoted line break",
            b"timestamp,image\n2024-04-01T00:00:00Z,\"a\nb\",c\n2024-04-02T00:00:00Z,b\n".to_vec(),
            &["log.csv:2", "3 fields but the header has 2"],
        ),
        log_case(
            "too few fields with a quote left open on the last line",
            b"timestamp,image,account\n2024-04-01T00:00:00Z,a,b\n2024-04-02T00:00:00Z,\"b\n".to_vec(),
            &["log.csv:3", "2 fields but the header has 3"],
        ),
        log_case(
            "too many fields with a quote left open",
            b"timestamp,image\n2024-04-01T00:00:00Z,a,\"b\n2024-04-02T00:00:00Z,b\n".to_vec(),
            &["log.csv:2", "3 fields but the header has 2"],
        ),
        // The width is checked before the size, as the csv crate did.
        log_case(
            "too many fields in a row over the size limit",
            [
                &b"timestamp,image\n2024-04-01T00:00:00Z,"[..],
                &vec![b'x'; 1 << 20],
                b",y\n",
            ]
            .concat(),
            &["log.csv:2", "3 fields but the header has 2"],
        ),
        log_case(
            "too few fields after blank lines and a quote",
            b"timestamp,image\n2024-04-01T00:00:00Z,\"a\"\n\n\n2024-04-01T00:00:00Z\n".to_vec(),
            &["log.csv:5", "1 fields but the header has 2"],
        ),
        log_case(
            "unterminated quote",
            b"timestamp,image\n2024-04-01T00:00:00Z,\"img\n2024-04-02T00:00:00Z,b\n".to_vec(),
            &["log.csv:"],
        ),
        log_case(
            "NUL bytes in a timestamp",
            row("2024-04-01\0T00:00:00Z", "img"),
            &["log.csv:2:1"],
        ),
        log_case(
            "non-UTF-8 image",
            b"timestamp,image\n2024-04-01T00:00:00Z,im\xffg\n".to_vec(),
            &["log.csv:2:2", "UTF-8"],
        ),
        log_case(
            "non-UTF-8 header",
            b"time\xffstamp,image\n".to_vec(),
            &["log.csv:1:1", "UTF-8"],
        ),
        log_case(
            "16 MB field",
            format!("{HEADER}2024-04-01T00:00:00Z,img\n{long_field},img\n").into_bytes(),
            &["log.csv:3:", "over 1 MiB", "limit"],
        ),
        log_case(
            "10 000-column row",
            format!("{wide_header}\n{wide_row}\n").into_bytes(),
            &["log.csv:1", "timestamp"],
        ),
        log_case(
            "year 0",
            row("0000-01-01T00:00:00Z", "img"),
            &["log.csv:2:1", "1970"],
        ),
        log_case(
            "year 10000",
            row("10000-01-01T00:00:00Z", "img"),
            &["log.csv:2:1"],
        ),
        // 9999-12-31 in UTC, but the year 10000 in the plan's zone (+08:00),
        // where it would be printed: RFC 3339 cannot write it.
        log_case(
            "year 10000 in the plan's zone",
            row("9999-12-31T20:00:00Z", "img"),
            &["log.csv:2:1", "9999-12-31"],
        ),
        log_case(
            "Unix seconds of the year 10000 in the plan's zone",
            row("253402300799", "img"),
            &["log.csv:2:1", "9999-12-31"],
        ),
        log_case(
            "Unix 1e15",
            row("1000000000000000", "img"),
            &["log.csv:2:1", "1970"],
        ),
        log_case(
            "Unix seconds overflowing i64",
            row("99999999999999999999999", "img"),
            &["log.csv:2:1"],
        ),
        log_case("negative Unix seconds", row("-5", "img"), &["log.csv:2:1"]),
        log_case(
            "empty image",
            row("2024-04-01T00:00:00Z", ""),
            &["log.csv:2:2", "empty"],
        ),
        log_case(
            "bad source",
            b"timestamp,image,source\n2024-04-01T00:00:00Z,a,ftp\n".to_vec(),
            &["log.csv:2:3", "`ftp`"],
        ),
        log_case(
            "bad status",
            b"timestamp,image,status\n2024-04-01T00:00:00Z,a,ok\n".to_vec(),
            &["log.csv:2:3", "`ok`"],
        ),
        log_case(
            "bad risk",
            b"timestamp,image,risk\n2024-04-01T00:00:00Z,a,dire\n".to_vec(),
            &["log.csv:2:3", "`dire`"],
        ),
        log_case("not gzip", b"plain text".to_vec(), &[]).with_file_name("log.csv.gz"),
        // Scanner and registry documents.
        log_case(
            "JSON of another kind",
            b"{\"apiVersion\": \"v1\",\n \"kind\": \"Pod\"}\n".to_vec(),
            &["log.csv:2", "SchemaVersion", "timestamp"],
        ),
        log_case(
            "Trivy report naming no image",
            b"{\"SchemaVersion\": 2, \"ArtifactName\": \"\", \"CreatedAt\": \"2024-04-01T00:00:00Z\", \"Metadata\": {}}".to_vec(),
            &["log.csv:1", "Metadata.RepoDigests"],
        ),
        log_case(
            "Trivy CreatedAt not RFC 3339",
            b"{\"SchemaVersion\": 2, \"ArtifactName\": \"alpine\", \"CreatedAt\": \"April 1st\"}".to_vec(),
            &["log.csv:1", "CreatedAt", "`April 1st`", "RFC 3339 (2024-03-15T14:00:00Z)"],
        ),
        // `import` names the document's key too, not the CSV's `timestamp`.
        Case {
            name: "Trivy CreatedAt not RFC 3339 in import",
            files: vec![(
                "report.json",
                b"{\"SchemaVersion\": 2, \"ArtifactName\": \"alpine\", \"CreatedAt\": \"April 1st\"}".to_vec(),
            )],
            args: ["import", "trivy", "{report.json}"].map(String::from).to_vec(),
            needles: vec![
                "report.json:1: CreatedAt: `April 1st`".into(),
                "trivy image --format json".into(),
            ],
        },
        log_case(
            "truncated Trivy report",
            b"{\"SchemaVersion\": 2,\n \"ArtifactName\": \"alpine\",\n \"Results\": [".to_vec(),
            &["log.csv:3", "truncated"],
        ),
        log_case(
            "Grype report without a timestamp",
            b"{\"matches\": [], \"descriptor\": {\"name\": \"grype\"}}".to_vec(),
            &["log.csv:1", "descriptor.timestamp"],
        ),
        log_case(
            "Grype report naming no image",
            b"{\"matches\": [], \"source\": {\"type\": \"image\", \"target\": {}}, \"descriptor\": {\"timestamp\": \"2024-04-01T00:00:00Z\"}}".to_vec(),
            &["log.csv:1", "source.target.manifestDigest"],
        ),
        // A name with a line break was billed from a document, and `import`
        // wrote it into a CSV its own reader refused.
        log_case(
            "Grype image name holding a line break",
            b"{\"matches\": [], \"source\": {\"type\": \"image\", \"target\": {\"userInput\": \"reg/new\\nline:1\", \"manifestDigest\": \"sha256:3ed\"}}, \"descriptor\": {\"timestamp\": \"2024-04-01T00:00:00Z\"}}".to_vec(),
            &["log.csv:1: artifact: `reg/new\\u{a}line:1` holds a line break, which no scan-log field may"],
        ),
        Case {
            name: "Grype image name holding a line break in import",
            files: vec![(
                "grype.json",
                b"{\"matches\": [], \"source\": {\"type\": \"image\", \"target\": {\"userInput\": \"reg/new\\nline:1\", \"manifestDigest\": \"sha256:3ed\"}}, \"descriptor\": {\"timestamp\": \"2024-04-01T00:00:00Z\"}}".to_vec(),
            )],
            args: ["import", "grype", "{grype.json}", "--image-key", "name"].map(String::from).to_vec(),
            needles: vec!["grype.json:1: image: `reg/new\\u{a}line:1`".into(), "holds a line break".into()],
        },
        Case {
            name: "JSON Lines image holding a line break",
            files: vec![(
                "log.jsonl",
                b"{\"timestamp\": \"2024-04-01T00:00:00Z\", \"image\": \"a\\nb\"}\n".to_vec(),
            )],
            args: ["report", "--plan", PLAN, "--log", "{log.jsonl}", "--as-of", AS_OF].map(String::from).to_vec(),
            needles: vec!["log.jsonl:1: image: `a\\u{a}b` holds a line break".into()],
        },
        log_case(
            "Harbor event with a text occur_at",
            b"{\"type\": \"SCANNING_COMPLETED\", \"occur_at\": \"yesterday\", \"event_data\": {\"resources\": []}}".to_vec(),
            &["log.csv:1", "occur_at", "Unix seconds"],
        ),
        // Milliseconds (as many webhooks write) are years past 9999 in seconds.
        log_case(
            "Harbor occur_at in milliseconds",
            b"{\"type\": \"SCANNING_COMPLETED\", \"occur_at\": 1711929600000, \"event_data\": {\"resources\": [{\"digest\": \"sha256:1\"}]}}".to_vec(),
            &["log.csv:1", "occur_at", "`1711929600000`", "divide a time in milliseconds by 1000"],
        ),
        log_case(
            "Harbor occur_at before 1970",
            b"{\"type\": \"SCANNING_COMPLETED\", \"occur_at\": -1, \"event_data\": {\"resources\": [{\"digest\": \"sha256:1\"}]}}".to_vec(),
            &["log.csv:1", "occur_at", "`-1`", "before 1970-01-01", "Unix seconds"],
        ),
        Case {
            name: "Harbor occur_at in milliseconds in import",
            files: vec![(
                "events.jsonl",
                b"{\"type\": \"SCANNING_COMPLETED\", \"occur_at\": 1711929600000, \"event_data\": {\"resources\": [{\"digest\": \"sha256:1\"}]}}\n".to_vec(),
            )],
            args: ["import", "harbor", "{events.jsonl}"].map(String::from).to_vec(),
            needles: vec![
                "events.jsonl:1: occur_at: `1711929600000`".into(),
                "milliseconds".into(),
            ],
        },
        log_case(
            "Harbor resource without a digest",
            b"{\"type\": \"SCANNING_COMPLETED\", \"occur_at\": 1711929600, \"event_data\": {\"resources\": [{\"tag\": \"1\"}]}}".to_vec(),
            &["log.csv:1", "event_data.resources[0].digest"],
        ),
        log_case(
            "a Grype report among Trivy reports",
            b"{\"SchemaVersion\": 2, \"ArtifactName\": \"alpine\", \"CreatedAt\": \"2024-04-01T00:00:00Z\"}\n{\"matches\": [], \"descriptor\": {\"timestamp\": \"2024-04-01T00:00:00Z\"}}\n".to_vec(),
            &["log.csv:2", "not a trivy document", "grype"],
        ),
        // Plans.
        plan_case("empty plan", "", &["plan.toml:1", "subscription"]),
        plan_case(
            "malformed TOML",
            "name = \"x\n",
            &["plan.toml:1", "invalid TOML"],
        ),
        plan_case(
            "wrong type",
            format!("name = 3\n{MINIMAL_PLAN}"),
            &["plan.toml:1:8: name"],
        ),
        plan_case(
            "unknown key",
            format!("{MINIMAL_PLAN}colour = 1\n"),
            &["subscription.colour"],
        ),
        plan_case(
            "stray underscore in a price",
            format!("{MINIMAL_PLAN}[[allowance]]\nname = \"quota\"\nunits = 100\nunit_price = \"_1\"\n"),
            &["plan.toml:6:14", "allowance[0].unit_price", "`\"_1\"` is not a decimal number"],
        ),
        plan_case(
            "an allowance listing 1001 sizes",
            format!(
                "{MINIMAL_PLAN}[[allowance]]\nname = \"quota\"\nunits = 1\nunit_price = 0.05\nallowed = [{}]\n",
                (1..=1001).map(|n| n.to_string()).collect::<Vec<_>>().join(", ")
            ),
            &["plan.toml:7:", "allowance[0].allowed[1000]", "`1001` is one `allowed` size more than the 1000"],
        ),
        plan_case(
            "decimals = 29",
            format!("decimals = 29\n{MINIMAL_PLAN}"),
            &["plan.toml:1:12: decimals"],
        ),
        plan_case(
            "negative units",
            format!("{MINIMAL_PLAN}[[allowance]]\nname = \"q\"\nunits = -300\n"),
            &["allowance[0].units", "negative"],
        ),
        plan_case(
            "40-digit units",
            format!(
                "{MINIMAL_PLAN}[[allowance]]\nname = \"q\"\nunits = 1234567890123456789012345678901234567890\n"
            ),
            &["allowance[0].units"],
        ),
        plan_case(
            "40-digit price string",
            format!(
                "{MINIMAL_PLAN}[[allowance]]\nname = \"q\"\nunits = 1\nunit_price = \"1234567890123456789012345678901234567890\"\n"
            ),
            &["allowance[0].unit_price"],
        ),
        plan_case(
            "negative price",
            format!("{MINIMAL_PLAN}[[fee]]\nname = \"f\"\nquantity = 1\nunit_price = -1\n"),
            &["fee[0].unit_price", "negative"],
        ),
        plan_case(
            "price too large",
            format!("{MINIMAL_PLAN}[[fee]]\nname = \"f\"\nquantity = 1\nunit_price = 1e20\n"),
            &["fee[0].unit_price", "too large"],
        ),
        plan_case("10 000 nested arrays", nested, &["plan.toml:1"]),
        plan_case(
            "10 000 tables",
            deep_tables,
            &["plan.toml:1", "subscription"],
        ),
        plan_case("10 000-deep dotted table", deep_dotted, &["plan.toml:1"]),
        plan_case(
            "NUL byte in plan",
            b"name = \"a\0b\"\n".to_vec(),
            &["plan.toml:1"],
        ),
        // A plan's text reaches every view, FOCUS CSV and the HTML page as
        // written: a TOML escape may write any character, so the plan
        // refuses what would act instead of being read.
        plan_case(
            "escape sequence in the plan name",
            "name = \"Plan\\u0000\\u001b]0;x\\u0007\"\n[subscription]\nstart = 2024-03-15T14:00:00+08:00\n",
            &[
                "plan.toml:1:8",
                "name",
                "`Plan\\u{0}\\u{1b}]0;x\\u{7}`",
                "control character",
            ],
        ),
        plan_case(
            "line break in the provider name",
            format!("{MINIMAL_PLAN}[provider]\nname = \"Vendor\\r\\nInjected-Row\"\n"),
            &[
                "plan.toml:4:8",
                "provider.name",
                "`Vendor\\u{d}\\u{a}Injected-Row`",
                "control character",
            ],
        ),
        plan_case(
            "text reversed in an allowance name",
            format!("{MINIMAL_PLAN}[[allowance]]\nname = \"quota-\u{202e}b\"\nunits = 1\n"),
            &["plan.toml:4:8", "allowance[0].name", "`quota-\\u{202e}b`", "reorders text"],
        ),
        Case {
            name: "NUL in the provider service of an invoice",
            files: vec![(
                "plan.toml",
                format!("{MINIMAL_PLAN}[provider]\nservice = \"svc\\u0000\"\n").into_bytes(),
            )],
            args: [
                "invoice",
                "--plan",
                "{plan.toml}",
                "--log",
                "fixtures/tcss-worked-example.csv",
                "--as-of",
                AS_OF,
                "--format",
                "focus",
            ]
            .map(String::from)
            .to_vec(),
            needles: vec![
                "plan.toml:4:11".into(),
                "provider.service".into(),
                "`svc\\u{0}`".into(),
                "control character".into(),
            ],
        },
        plan_case(
            "non-UTF-8 plan",
            b"name = \"caf\xe9\"\n".to_vec(),
            &["plan.toml:1", "UTF-8"],
        ),
        plan_case(
            "top-up outside the term",
            format!(
                "{MINIMAL_PLAN}months = 1\n[[allowance]]\nname = \"q\"\nunits = 1\n[[topup]]\nallowance = \"q\"\nat = 2025-01-01T00:00:00Z\nunits = 1\n"
            ),
            &["topup[0].at", "outside the term"],
        ),
        plan_case(
            "huge term",
            format!("{MINIMAL_PLAN}months = 99999\n"),
            &["subscription.months"],
        ),
        // Command-line inputs.
        Case {
            name: "as-of before the start",
            files: vec![],
            args: [
                "report",
                "--plan",
                PLAN,
                "--log",
                "fixtures/tcss-worked-example.csv",
                "--as-of",
                "2024-01-01T00:00:00Z",
            ]
            .map(String::from)
            .to_vec(),
            needles: vec!["--as-of".into(), "before the plan starts".into()],
        },
        Case {
            name: "as-of before the start of the second plan compared",
            files: vec![(
                "later.toml",
                b"name = \"later\"\n[subscription]\nstart = 2024-05-15T14:00:00+08:00\n".to_vec(),
            )],
            args: [
                "report",
                "--plan",
                PLAN,
                "--plan",
                "{later.toml}",
                "--log",
                "fixtures/tcss-worked-example.csv",
                "--as-of",
                "2024-04-20",
            ]
            .map(String::from)
            .to_vec(),
            needles: vec![
                "--as-of `2024-04-20` is before the plan starts (2024-05-15T06:00:00+00:00, subscription.start of".into(),
                "later.toml)".into(),
            ],
        },
        Case {
            name: "as-of at second 60 outside a leap second",
            files: vec![],
            args: [
                "report",
                "--plan",
                PLAN,
                "--log",
                "fixtures/tcss-worked-example.csv",
                "--as-of",
                "2024-04-20 12:00:60",
            ]
            .map(String::from)
            .to_vec(),
            needles: vec!["--as-of `2024-04-20 12:00:60`".into(), "leap second".into()],
        },
        plan_case(
            "plan start at second 60 outside a leap second",
            "[subscription]\nstart = \"2024-03-15 14:00:60\"\n",
            &["plan.toml:2", "subscription.start", "leap second"],
        ),
        // An open-ended plan read centuries on would carry thousands of
        // periods (and their days) for every account.
        Case {
            name: "as-of a century after the start",
            files: vec![(
                "open.toml",
                b"[subscription]\nstart = 2024-01-01T00:00:00Z\n[[allowance]]\nname = \"quota\"\nunits = 300\nunit_price = 0.06\n".to_vec(),
            )],
            args: [
                "check",
                "--plan",
                "{open.toml}",
                "--log",
                "fixtures/tcss-worked-example.csv",
                "--min-remaining",
                "1",
                "--as-of",
                "9000-01-01",
            ]
            .map(String::from)
            .to_vec(),
            needles: vec![
                "--as-of `9000-01-01`".into(),
                "more than 100 years after the plan starts".into(),
                "2124-01-01T00:00:00+00:00".into(),
            ],
        },
        // The plan is named by its file: a plan need not have a name.
        Case {
            name: "cores without a [cores] section",
            files: vec![("nameless.toml", b"[subscription]\nstart = 2024-03-01T00:00:00Z\n".to_vec())],
            args: [
                "report",
                "--plan",
                "{nameless.toml}",
                "--log",
                "fixtures/tcss-worked-example.csv",
                "--cores",
                "fixtures/cores.csv",
                "--as-of",
                "2024-04-01",
            ]
            .map(String::from)
            .to_vec(),
            needles: vec![
                "--cores `fixtures/cores.csv`".into(),
                "nameless.toml has no [cores] section to price cores with".into(),
            ],
        },
        // A threshold written as a number but past a decimal's 28 digits
        // was called "not a number".
        Case {
            name: "threshold beyond a decimal",
            files: vec![],
            args: [
                "check",
                "--plan",
                "fixtures/tcss-usd-300.toml",
                "--log",
                "fixtures/tcss-worked-example.csv",
                "--min-remaining",
                "1e40",
            ]
            .map(String::from)
            .to_vec(),
            needles: vec![
                "--min-remaining `1e40`".into(),
                "is beyond what an exact decimal holds (28 significant digits".into(),
            ],
        },
        Case {
            name: "threshold with a stray underscore",
            files: vec![],
            args: [
                "check",
                "--plan",
                "fixtures/tcss-usd-300.toml",
                "--log",
                "fixtures/tcss-worked-example.csv",
                "--max-used-percent",
                "1__0",
            ]
            .map(String::from)
            .to_vec(),
            needles: vec!["--max-used-percent `1__0`".into()],
        },
        // No instant past 9999-12-31 is written: an open-ended plan whose
        // first cycle, or whose period at as-of, would end later is
        // refused (its scans there were billed as outside any cycle), and so
        // is the month 9999-12 (its end was written `+10000-01-01`).
        // The ledger's draws column is `name:units;name:units`: an
        // allowance `q:1;x` made one draw read as three.
        plan_case(
            "allowance name holding a draws separator",
            format!("{MINIMAL_PLAN}[[allowance]]\nname = \"q:1;x\"\nunits = 10\n"),
            &[
                "plan.toml:4:8",
                "allowance[0].name",
                "`\"q:1;x\"`",
                "holds `:` or `;`, which separate the ledger's draws",
            ],
        ),
        plan_case(
            "open-ended plan whose first cycle ends after 9999",
            format!("name = \"late\"\ntimezone = \"Asia/Shanghai\"\n[subscription]\nstart = {start}\n[metering]\nfirst_scan_units = 1\n[[allowance]]\nname = \"q\"\nunits = 100\n", start = "9999-12-02T00:00:00+08:00"),
            &[
                "plan.toml:4:9",
                "subscription.start",
                "`9999-12-02T00:00:00+08:00`",
                "first cycle would end after the year 9999",
                "give an earlier start, or an `end`",
            ],
        ),
        Case {
            name: "as-of in an open-ended plan's period that ends after 9999",
            files: vec![(
                "plan.toml",
                format!("name = \"late\"\ntimezone = \"Asia/Shanghai\"\n[subscription]\nstart = {start}\n[metering]\nfirst_scan_units = 1\n[[allowance]]\nname = \"q\"\nunits = 100\n", start = "9999-01-15T00:00:00+08:00").into_bytes(),
            ), ("log.csv", row("9999-12-20T00:00:00+08:00", "img"))],
            args: [
                "report",
                "--plan",
                "{plan.toml}",
                "--log",
                "{log.csv}",
                "--as-of",
                "9999-12-31",
            ]
            .map(String::from)
            .to_vec(),
            needles: vec![
                "--as-of `9999-12-31`".into(),
                "is in or after the cycle from 9999-11-15T00:00:00+08:00".into(),
                "whose periods would end after the year 9999".into(),
                "give an --as-of before 9999-11-15T00:00:00+08:00, or an `end` in the plan".into(),
            ],
        },
        // The allocation shares out every charge to as-of: printed under
        // one month's bill it read as that month's split (612.00 of
        // allocation under a bill of 72.00).
        Case {
            name: "invoice --by with a window",
            files: vec![],
            args: [
                "invoice",
                "--plan",
                "fixtures/fleet.toml",
                "--log",
                "fixtures/fleet.csv",
                "--month",
                "2024-11",
                "--by",
                "team",
            ]
            .map(String::from)
            .to_vec(),
            needles: vec![
                "--by `team`".into(),
                "shares out every charge up to as-of, not a window's".into(),
                "--format focus".into(),
            ],
        },
        // Plans side by side are told apart by name: the same plan twice,
        // or two plans of one name, read the same (and `estimate` ranked
        // the second first, cheapest, with nothing to say which it was).
        Case {
            name: "the same plan twice in a comparison",
            files: vec![],
            args: [
                "report",
                "--plan",
                "fixtures/fleet.toml",
                "--plan",
                "./fixtures/fleet.toml",
                "--log",
                "fixtures/fleet.csv",
            ]
            .map(String::from)
            .to_vec(),
            needles: vec![
                "--plan `./fixtures/fleet.toml`".into(),
                "is the plan fixtures/fleet.toml again (the same terms); give each plan once".into(),
            ],
        },
        Case {
            name: "two plans of one name in an estimate",
            files: vec![(
                "dearer.toml",
                std::fs::read_to_string("fixtures/fleet.toml")
                    .unwrap()
                    .replace("unit_price = 0.06", "unit_price = 0.07")
                    .into_bytes(),
            )],
            args: [
                "estimate",
                "--plan",
                "fixtures/fleet.toml",
                "--plan",
                "{dearer.toml}",
                "--first-scans",
                "1000",
                "--repeat-scans",
                "0",
            ]
            .map(String::from)
            .to_vec(),
            needles: vec![
                "dearer.toml`".into(),
                "has the name `Fleet: TCSS 300/month + top-up, billed overage` of the plan fixtures/fleet.toml given before it".into(),
                "give each plan its own `name`".into(),
            ],
        },
        // `-` is standard input to --log; a plan or a report is read by
        // its path, and `-` was opened as a file ("No such file").
        Case {
            name: "a plan from standard input",
            files: vec![],
            args: ["plan", "check", "-"].map(String::from).to_vec(),
            needles: vec![
                "-: is standard input, which scanquota does not read as a plan file; give its path"
                    .into(),
            ],
        },
        Case {
            name: "a report to merge from standard input",
            files: vec![],
            args: ["merge", "-"].map(String::from).to_vec(),
            needles: vec![
                "-: is standard input, which scanquota does not read as a scanquota report; give its path"
                    .into(),
            ],
        },
        Case {
            name: "two unnamed plans in an estimate",
            files: vec![
                ("a.toml", format!("{MINIMAL_PLAN}[[allowance]]\nname = \"q\"\nunits = 10\n").into_bytes()),
                ("b.toml", format!("{MINIMAL_PLAN}[[allowance]]\nname = \"q\"\nunits = 20\n").into_bytes()),
            ],
            args: [
                "estimate",
                "--plan",
                "{a.toml}",
                "--plan",
                "{b.toml}",
                "--first-scans",
                "10",
                "--repeat-scans",
                "1",
            ]
            .map(String::from)
            .to_vec(),
            needles: vec![
                "b.toml` has no name, as the plan".into(),
                "give each plan its own `name`".into(),
            ],
        },
        // An unnamed plan is headed by its place side by side ("plan 2");
        // a plan of that name would head a second column the same.
        Case {
            name: "a plan named as an unnamed plan is headed",
            files: vec![
                ("a.toml", format!("name = \"plan 2\"\n{MINIMAL_PLAN}[[allowance]]\nname = \"q\"\nunits = 10\n").into_bytes()),
                ("b.toml", format!("{MINIMAL_PLAN}[[allowance]]\nname = \"q\"\nunits = 20\n").into_bytes()),
            ],
            args: [
                "report",
                "--plan",
                "{a.toml}",
                "--plan",
                "{b.toml}",
                "--log",
                "fixtures/fleet.csv",
            ]
            .map(String::from)
            .to_vec(),
            needles: vec![
                "a.toml` has the name `plan 2`, the heading side by side of the unnamed plan".into(),
                "b.toml given 2nd (plans without a name are headed by their place); give either plan a `name` of its own".into(),
            ],
        },
        Case {
            name: "the month 9999-12",
            files: vec![],
            args: [
                "invoice",
                "--plan",
                PLAN,
                "--log",
                "fixtures/tcss-worked-example.csv",
                "--month",
                "9999-12",
            ]
            .map(String::from)
            .to_vec(),
            needles: vec![
                "--month `9999-12`".into(),
                "is past the last month scanquota handles (9999-11".into(),
            ],
        },
        Case {
            // A directory is read file by file in name order: the first
            // file that is no log is named.
            name: "log is a directory of other files",
            files: vec![],
            args: [
                "report",
                "--plan",
                PLAN,
                "--log",
                "completions",
                "--as-of",
                AS_OF,
            ]
            .map(String::from)
            .to_vec(),
            needles: vec!["completions/scanquota.bash:1".into()],
        },
        Case {
            name: "missing log",
            files: vec![],
            args: [
                "report",
                "--plan",
                PLAN,
                "--log",
                "fixtures/none.csv",
                "--as-of",
                AS_OF,
            ]
            .map(String::from)
            .to_vec(),
            needles: vec!["fixtures/none.csv".into()],
        },
        Case {
            name: "missing plan",
            files: vec![],
            args: ["plan", "check", "fixtures/none.toml"]
                .map(String::from)
                .to_vec(),
            needles: vec!["fixtures/none.toml".into()],
        },
        Case {
            name: "bad cores row",
            files: vec![(
                "cores.csv",
                b"timestamp,cores\n2024-04-01T00:00:00Z,many\n".to_vec(),
            )],
            args: [
                "report",
                "--plan",
                "fixtures/tcss-cny-topup.toml",
                "--log",
                "fixtures/tcss-cny.csv",
                "--cores",
                "{cores.csv}",
                "--as-of",
                AS_OF,
            ]
            .map(String::from)
            .to_vec(),
            needles: vec!["cores.csv:2:2".into(), "`many`".into()],
        },
        Case {
            name: "control character in a cores account",
            files: vec![(
                "cores.csv",
                b"timestamp,account,cores\n2024-04-01T00:00:00Z,a\x1b[2Jb,3\n".to_vec(),
            )],
            args: [
                "report",
                "--plan",
                "fixtures/tcss-cny-topup.toml",
                "--log",
                "fixtures/tcss-cny.csv",
                "--cores",
                "{cores.csv}",
                "--as-of",
                AS_OF,
            ]
            .map(String::from)
            .to_vec(),
            needles: vec![
                "cores.csv:2:2".into(),
                "a\\u{1b}[2Jb".into(),
                "control character".into(),
            ],
        },
        // Written into the CSV, the name would make a log every billing
        // command refuses: the option is refused instead.
        Case {
            name: "invisible character in import --account",
            files: vec![],
            args: [
                "import",
                "grype",
                "fixtures/grype/01-payments.json",
                "--account",
                "ac\u{200b}me",
            ]
            .map(String::from)
            .to_vec(),
            needles: vec![
                "--account".into(),
                "`ac\\u{200b}me`".into(),
                "invisible character".into(),
            ],
        },
        Case {
            name: "line break in import --account",
            files: vec![],
            args: ["import", "grype", "fixtures/grype/01-payments.json", "--account", "a\nb"]
                .map(String::from)
                .to_vec(),
            needles: vec!["--account `a\\u{a}b`".into(), "control character".into()],
        },
        Case {
            name: "bad inventory row",
            files: vec![("inventory.csv", b"image,source\n,registry\n".to_vec())],
            args: [
                "stats",
                "--plan",
                "fixtures/hss-payg.toml",
                "--log",
                "fixtures/hss.csv",
                "--inventory",
                "{inventory.csv}",
            ]
            .map(String::from)
            .to_vec(),
            needles: vec!["inventory.csv:2:1".into()],
        },
        Case {
            name: "vendor stats not JSON",
            files: vec![("vendor.json", b"{\"repository_scan_num\": }".to_vec())],
            args: [
                "reconcile",
                "--plan",
                "fixtures/hss-payg.toml",
                "--log",
                "fixtures/hss.csv",
                "--vendor-stats",
                "{vendor.json}",
            ]
            .map(String::from)
            .to_vec(),
            needles: vec!["vendor.json:1:".into()],
        },
        // serde_json's map keeps the last of a key written twice: the
        // vendor's 999 scans would be compared as 3, and agree.
        Case {
            name: "vendor stats with a key written twice",
            files: vec![(
                "vendor.json",
                std::fs::read_to_string("fixtures/hss-vendor-stats.json")
                    .unwrap()
                    .replacen('{', "{\"repository_scan_num\": 999,", 1)
                    .into_bytes(),
            )],
            args: [
                "reconcile",
                "--plan",
                "fixtures/hss-payg.toml",
                "--log",
                "fixtures/hss.csv",
                "--vendor-stats",
                "{vendor.json}",
            ]
            .map(String::from)
            .to_vec(),
            needles: vec![
                "vendor.json:2:".into(),
                "`repository_scan_num` is written twice in one object".into(),
            ],
        },
    ]
}

impl Case {
    fn with_file_name(mut self, name: &'static str) -> Self {
        let old = self.files[0].0;
        self.files[0].0 = name;
        for arg in &mut self.args {
            *arg = arg.replace(&format!("{{{old}}}"), &format!("{{{name}}}"));
        }
        self.needles = vec![name.to_string()];
        self
    }
}

#[test]
fn every_bad_input_exits_2_naming_where() {
    let cases = catalogue();
    assert!(cases.len() >= 40, "the catalogue has {} cases", cases.len());
    for case in cases {
        let work = Workdir::new();
        let mut args = case.args.clone();
        for (name, bytes) in &case.files {
            let path = work.write(name, bytes);
            for arg in &mut args {
                *arg = arg.replace(&format!("{{{name}}}"), &path);
            }
        }
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, stdout, stderr) = run(&refs);
        assert_eq!(code, 2, "{}: exit {code}\n{stderr}", case.name);
        assert_eq!(stdout, "", "{}: nothing on stdout", case.name);
        assert!(!stderr.contains("panicked"), "{}: {stderr}", case.name);
        assert_eq!(
            stderr.lines().count(),
            1,
            "{}: one message: {stderr}",
            case.name
        );
        for needle in &case.needles {
            assert!(
                stderr.contains(needle.as_str()),
                "{}: `{needle}` not in: {stderr}",
                case.name
            );
        }
    }
}

#[test]
fn a_file_without_read_permission_exits_2() {
    use std::os::unix::fs::PermissionsExt;
    let work = Workdir::new();
    // Everything the run needs but the secret is open to every user, so the
    // binary can run as `nobody` where the tests run as root (for whom
    // permission bits do not stop reads).
    std::fs::set_permissions(work.dir(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let binary = work.path("scanquota");
    std::fs::copy(assert_cmd::cargo::cargo_bin!("scanquota"), &binary).unwrap();
    let plan = work.write("plan.toml", std::fs::read(PLAN).unwrap());
    let secret = work.write("secret.csv", "timestamp,image\n");
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).unwrap();
    let args = [
        "report", "--plan", &plan, "--log", &secret, "--as-of", AS_OF,
    ];
    let mut command = if std::fs::read(&secret).is_ok() {
        let mut as_nobody = std::process::Command::new("setpriv");
        as_nobody.args(["--reuid=65534", "--regid=65534", "--clear-groups", &binary]);
        as_nobody
    } else {
        std::process::Command::new(&binary)
    };
    command.args(args);
    // The copy was open for writing while other tests of this binary
    // spawned processes: a child forked then holds that descriptor until it
    // execs, and executing the copy meanwhile fails with ETXTBSY ("Text file
    // busy"). Try again once those children have moved on.
    let busy = |output: &std::process::Output| {
        output.status.code() == Some(126)
            && String::from_utf8_lossy(&output.stderr).contains("Text file busy")
    };
    let mut tries = 0;
    let output = loop {
        tries += 1;
        match command.output() {
            Err(err) if err.raw_os_error() == Some(26) && tries < 50 => {}
            Err(err) => panic!("run scanquota: {err}"),
            Ok(output) if busy(&output) && tries < 50 => {}
            Ok(output) => break output,
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(output.stdout.is_empty());
    assert!(
        stderr.contains("secret.csv") && stderr.contains("ermission"),
        "{stderr}"
    );
}

#[test]
fn output_replaces_the_file_only_on_success() {
    let work = Workdir::new();
    let target = work.path("report.json");
    let args = |log: &str| {
        vec![
            "report", "--plan", PLAN, "--log", log, "--as-of", AS_OF, "--format", "json",
            "--output", &target,
        ]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>()
    };
    let good: Vec<String> = args("fixtures/tcss-worked-example.csv");
    let (code, stdout, _) = run(&good.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(
        (code, stdout.as_str()),
        (0, ""),
        "the result goes to the file, not stdout"
    );
    let written = std::fs::read_to_string(&target).unwrap();
    assert!(written.contains("scanquota.report.v1"));

    let bad_log = work.write("bad.csv", "timestamp,image\nnot-a-time,img\n");
    let bad: Vec<String> = args(&bad_log);
    let (code, _, _) = run(&bad.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code, 2);
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        written,
        "a failed run leaves the previous file"
    );
    let leftovers: Vec<_> = std::fs::read_dir(work.dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".scanquota-"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary files left behind");
}

#[test]
fn output_works_for_every_command() {
    let work = Workdir::new();
    let target = work.path("out.txt");
    for args in [
        vec![
            "ledger",
            "--plan",
            PLAN,
            "--log",
            "fixtures/tcss-worked-example.csv",
            "--as-of",
            AS_OF,
        ],
        vec![
            "check",
            "--plan",
            PLAN,
            "--log",
            "fixtures/tcss-worked-example.csv",
            "--as-of",
            AS_OF,
            "--min-remaining",
            "1",
        ],
        vec!["plan", "check", PLAN],
        vec!["completions", "bash"],
    ] {
        let mut all = args.clone();
        all.extend(["--output", target.as_str()]);
        let (code, stdout, stderr) = run(&all);
        assert_eq!((code, stdout.as_str()), (0, ""), "{args:?}: {stderr}");
        assert!(
            !std::fs::read_to_string(&target).unwrap().is_empty(),
            "{args:?}"
        );
    }
    let (code, _, stderr) = run(&[
        "plan",
        "check",
        PLAN,
        "--output",
        "/nonexistent-dir/out.toml",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("/nonexistent-dir"), "{stderr}");
}

#[test]
fn a_streamed_ledger_writes_the_same_bytes_to_output_as_to_stdout() {
    let work = Workdir::new();
    for format in ["csv", "jsonl"] {
        let target = work.path(&format!("ledger.{format}"));
        let args = [
            "ledger",
            "--plan",
            PLAN,
            "--log",
            "fixtures/tcss-worked-example.csv",
            "--as-of",
            AS_OF,
            "--format",
            format,
        ];
        let (code, stdout, stderr) = run(&args);
        assert_eq!(code, 0, "{stderr}");
        assert_eq!(
            stdout.lines().count(),
            if format == "csv" { 101 } else { 100 }
        );
        let mut to_file = args.to_vec();
        to_file.extend(["--output", target.as_str()]);
        let (code, nothing, stderr) = run(&to_file);
        assert_eq!((code, nothing.as_str()), (0, ""), "{stderr}");
        assert_eq!(
            std::fs::read_to_string(&target).unwrap(),
            stdout,
            "{format}"
        );
    }
}

/// A ledger written next to the logs (`--output` into the `--log`
/// directory) and read back as a log would bill every row again as a scan,
/// its `outcome` ignored: failed and duplicate scans charged.
#[test]
fn a_ledger_read_back_as_a_log_is_refused() {
    let work = Workdir::new();
    for format in ["csv", "jsonl"] {
        let ledger = work.path(&format!("ledger.{format}"));
        let (code, _, stderr) = run(&[
            "ledger",
            "--plan",
            PLAN,
            "--log",
            "fixtures/tcss-worked-example.csv",
            "--as-of",
            AS_OF,
            "--format",
            format,
            "--output",
            &ledger,
        ]);
        assert_eq!(code, 0, "{stderr}");
        let (code, stdout, stderr) =
            run(&["report", "--plan", PLAN, "--log", &ledger, "--as-of", AS_OF]);
        assert_eq!((code, stdout.as_str()), (2, ""), "{format}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        for needle in [
            format!("ledger.{format}:1"),
            "is a scanquota ledger".into(),
            "not a scan log".into(),
            "give the scan logs the ledger was made from".into(),
        ] {
            assert!(stderr.contains(&needle), "{format}: {needle}: {stderr}");
        }
        // A ledger whose header a spreadsheet capitalised is still one:
        // columns are matched ignoring case and spaces around.
        let edited = std::fs::read_to_string(&ledger)
            .unwrap()
            .replacen("\"outcome\"", "\" Outcome \"", 1)
            .replacen("outcome,units,", "Outcome, UNITS ,", 1);
        let edited = work.write(&format!("edited.{format}"), &edited);
        let (code, stdout, stderr) =
            run(&["report", "--plan", PLAN, "--log", &edited, "--as-of", AS_OF]);
        assert_eq!((code, stdout.as_str()), (2, ""), "{format}: {stderr}");
        assert!(
            stderr.contains("is a scanquota ledger"),
            "{format}: {stderr}"
        );
    }
}

/// Unknown columns are ignored as before: only a ledger's whole signature
/// (`outcome`, `units`, `draws`, `overage` together) is refused.
#[test]
fn a_log_with_some_of_the_ledger_columns_is_read_as_before() {
    let work = Workdir::new();
    let log = work.write(
        "log.csv",
        "timestamp,image,outcome,units,draws,note\n2024-04-01T00:00:00Z,a,failed,0,,x\n",
    );
    let json = work.write(
        "log.jsonl",
        "{\"timestamp\":\"2024-04-01T00:00:00Z\",\"image\":\"a\",\"outcome\":\"failed\",\"units\":\"0\",\"overage\":\"0\"}\n",
    );
    for log in [log, json] {
        let (code, stdout, stderr) = run(&[
            "report", "--plan", PLAN, "--log", &log, "--as-of", AS_OF, "--format", "json",
        ]);
        assert_eq!(code, 0, "{log}: {stderr}");
        assert!(stdout.contains("\"first\": 1"), "{log}: {stdout}");
    }
}

/// The zero-width joiners that Persian and Indic words and emoji are
/// written with are text, not hidden characters: an account, a `--by` key
/// and plan text holding them are read and printed as written.
#[test]
fn text_written_with_zero_width_joiners_is_taken() {
    let work = Workdir::new();
    let persian = "\u{645}\u{6cc}\u{200c}\u{62e}\u{648}\u{627}\u{647}\u{645}";
    let family = "\u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467}";
    let log = work.write(
        "log.csv",
        format!(
            "timestamp,image,account,team\n2024-04-01T00:00:00Z,a,{family},{persian}\n2024-04-01T01:00:00Z,b,acme,payments\n"
        ),
    );
    let plan = work.write(
        "plan.toml",
        "name = \"Hindi \u{915}\u{94d}\u{200d}\u{937}\"\n[subscription]\nstart = 2024-03-15T14:00:00+08:00\n",
    );
    let (code, stdout, stderr) = run(&[
        "report", "--plan", &plan, "--log", &log, "--as-of", AS_OF, "--by", "team", "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    for text in [persian, family, "\u{915}\u{94d}\u{200d}\u{937}"] {
        assert!(stdout.contains(text), "{text}: {stdout}");
    }
}

/// A directory holding a file whose name is not UTF-8: the name's lossy
/// form was opened and "No such file or directory" said of a file that
/// exists. The name cannot be carried as text, so it is refused as what it
/// is, with the fix.
#[test]
fn a_file_name_that_is_not_utf8_in_a_directory_is_named_as_such() {
    use std::os::unix::ffi::OsStrExt;
    let work = Workdir::new();
    let dir = work.dir().join("logs");
    std::fs::create_dir(&dir).unwrap();
    let name = std::ffi::OsStr::from_bytes(b"bad\xff.csv");
    std::fs::write(dir.join(name), "timestamp,image\n2024-04-01T00:00:00Z,a\n").unwrap();
    let (code, stdout, stderr) = run(&[
        "report",
        "--plan",
        PLAN,
        "--log",
        dir.to_str().unwrap(),
        "--as-of",
        AS_OF,
    ]);
    assert_eq!((code, stdout.as_str()), (2, ""), "{stderr}");
    assert!(stderr.contains("bad\u{fffd}.csv"), "{stderr}");
    assert!(
        stderr.contains(
            "has a file name that is not UTF-8 text, which scanquota cannot name; rename the file"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("No such file"), "{stderr}");
}
