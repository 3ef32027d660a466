//! The command line, declared once; `main` parses it and `cmd` carries it out.

use clap::{Args, Parser, Subcommand, ValueEnum};

const ABOUT: &str = "Quota and cost calculator for container-image security scanning";

const LONG_ABOUT: &str = "\
Replays container-image scan logs (CSV, JSON Lines, Trivy or Grype JSON
reports, Harbor webhook events; gzip recognised by content) through a billing
plan (TOML) and reports remaining quota, expired quota, free-scan usage and
charges.

Exit status: 0 success, 1 a `check` threshold was crossed or `reconcile`
found a field that differs, 2 bad input or usage.";

#[derive(Debug, Parser)]
#[command(name = "scanquota", version, about = ABOUT, long_about = LONG_ABOUT)]
pub struct Cli {
    /// Print nothing but the result: no notes on stderr, no progress bar (and
    /// for `scanquota check`, not even its OK/ALERT lines: the exit status
    /// alone); errors are still printed
    #[arg(long, short, global = true)]
    pub(crate) quiet: bool,

    /// Write the result to FILE instead of standard output (`-` is standard
    /// output); FILE is replaced only when the run succeeds, and never when it
    /// is one of the run's inputs
    #[arg(long, short, global = true, value_name = "FILE")]
    pub output: Option<String>,

    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Remaining, expired and free quota and charges per account
    #[command(after_help = "\
Examples:
  scanquota report --plan fixtures/tcss-usd-300.toml \\
      --log fixtures/tcss-worked-example.csv --as-of 2024-04-20T12:00:00+08:00
  scanquota report --plan a.toml --plan b.toml --log scans.csv   # compare plans
  zcat scans.csv.gz | scanquota report --plan plan.toml --log - --format json")]
    Report(ReportArgs),

    /// The bill: every charge line per account and cycle, posted and projected
    #[command(after_help = "\
Examples:
  scanquota invoice --plan fixtures/tcss-cny-topup.toml --log fixtures/tcss-cny.csv \\
      --cores fixtures/cores.csv --as-of 2024-05-01 --format csv > invoice.csv
  scanquota invoice --plan plan.toml --log scans.csv --format json")]
    Invoice(InvoiceArgs),

    /// One row per input scan: its outcome, units, draws and where it came from
    #[command(after_help = "\
Examples:
  scanquota ledger --plan fixtures/tcss-usd-300.toml --log fixtures/tcss-worked-example.csv
  scanquota ledger --plan plan.toml --log scans.csv --format jsonl | jq -s length")]
    Ledger(LedgerArgs),

    /// Threshold checks for scripts: exit 0 all clear, 1 any ALERT, 2 bad input
    #[command(after_help = "\
Output: one stable line per account and check,
  OK|ALERT <account> <check>=<value> (limit <limit>)

Example:
  scanquota check --plan plan.toml --log scans.csv --min-remaining 50 && echo ok")]
    Check(CheckArgs),

    /// The Huawei HSS image-scan statistics object for one account
    #[command(after_help = "\
Example:
  scanquota stats --plan builtin:hss-payg --log fixtures/hss.csv \\
    --inventory fixtures/hss-inventory.csv")]
    Stats(StatsArgs),

    /// Compare the vendor's statistics JSON with what the logs say; exit 1 on any difference
    #[command(after_help = "\
Example:
  scanquota reconcile --plan builtin:hss-payg --log scans.csv --vendor-stats vendor.json")]
    Reconcile(ReconcileArgs),

    /// Recommend the purchase that covers a demand, and compare plans by cost
    #[command(after_help = "\
Examples:
  scanquota estimate --plan builtin:tcss-usd-300 --first-scans 200 --repeat-scans 2000
  scanquota estimate --plan a.toml --plan b.toml --from-log scans.csv --months 12")]
    Estimate(EstimateArgs),

    /// Convert scanner reports or registry events to the scan-log CSV
    #[command(after_help = "\
Examples:
  scanquota import trivy reports/ > scans.csv
  scanquota import harbor events.jsonl --account acme \\
    | scanquota report --plan plan.toml --log -")]
    Import(ImportArgs),

    /// Combine JSON reports of disjoint account partitions into one report
    #[command(after_help = "\
Example:
  scanquota report --plan p.toml --log part-1.csv --as-of T --format json > r1.json
  scanquota report --plan p.toml --log part-2.csv --as-of T --format json > r2.json
  scanquota merge r1.json r2.json --format table")]
    Merge(MergeArgs),

    /// Validate and inspect plans
    #[command(subcommand)]
    Plan(PlanCommand),

    /// Print the top man page (roff), or write every command's page to a directory
    #[command(after_help = "\
Without --dir only the top page, scanquota.1, is printed; the pages of the
commands (scanquota-report.1, …) are written by --dir.

Examples:
  scanquota man > scanquota.1 && man ./scanquota.1
  scanquota man --dir /usr/local/share/man/man1   # scanquota.1, scanquota-report.1, …")]
    Man {
        /// Write `scanquota.1` and one `scanquota-<command>.1` page per command here
        #[arg(long, value_name = "DIR")]
        dir: Option<String>,
    },

    /// Print a shell completion script
    #[command(
        after_help = "Example:\n  scanquota completions bash > /etc/bash_completion.d/scanquota"
    )]
    Completions {
        /// The shell to complete for
        shell: clap_complete::Shell,
    },
}

/// What every replaying command reads.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Scan logs: CSV, JSON Lines, or Trivy, Grype and Harbor JSON, gzip recognised
    /// by content, `-` for standard input; several paths after one --log (shell globs work) or --log repeated; all are merged
    #[arg(long, value_name = "LOG", required = true, num_args = 1..)]
    pub log: Vec<String>,

    #[command(flatten)]
    pub window: WindowArgs,

    #[command(flatten)]
    pub formats: FormatArgs,
}

/// The moment described, the account and the purchase moment: of every
/// replaying command, and of `estimate --from-log`.
#[derive(Debug, Args, Clone, Default)]
pub struct WindowArgs {
    /// The moment described: RFC 3339, `YYYY-MM-DD HH:MM[:SS]` in the plan's zone,
    /// `YYYY-MM-DD` (the end of that day), Unix seconds, or `now` [default: now]
    #[arg(long, value_name = "TIME")]
    pub(crate) as_of: Option<String>,

    /// Only this account; one that no log row or core sample names is an error listing the accounts there are
    #[arg(long, value_name = "ACCOUNT")]
    pub(crate) account: Option<String>,

    /// Purchase moment for a plan without `subscription.start` (built-ins, or a
    /// saved `plan show`) [default for built-ins: the log's first scan, said on stderr]
    #[arg(long, value_name = "TIME")]
    pub(crate) start: Option<String>,

    /// Show times in this zone (fixed offset or IANA name) instead of the
    /// plan's; periods, days and --as-of stay in the plan's zone [default: the plan's]
    #[arg(long, value_name = "ZONE", allow_hyphen_values = true)]
    pub(crate) display_zone: Option<String>,
}

/// How scanner and registry outputs are read as logs.
#[derive(Debug, Args, Clone, Default)]
pub struct FormatArgs {
    /// The logs' format [default: recognised by content: CSV, JSON Lines, or
    /// Trivy, Grype and Harbor JSON]
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub(crate) log_format: Option<LogFormatArg>,

    #[command(flatten)]
    pub(crate) rows: ScannerRowArgs,

    #[command(flatten)]
    pub(crate) layout: LayoutArgs,
}

/// How a log of one's own is read: its delimiter, its column names, and the
/// zone of its naive times.
#[derive(Debug, Args, Clone, Default)]
pub(crate) struct LayoutArgs {
    /// Read the log column (CSV header or JSON Lines key) HEADER as the column
    /// NAME (timestamp, image, account, status, scan_id, source, risk or the
    /// --by column); repeat for each column; case and spaces are ignored
    #[arg(long = "column", value_name = "NAME=HEADER")]
    pub(crate) columns: Vec<String>,

    /// The CSV log's field delimiter: `,`, `;`, `|` or `\t` (a tab) [default: ,]
    #[arg(long, value_name = "CHAR")]
    pub(crate) delimiter: Option<String>,

    /// The zone of the log's times written without an offset: a fixed offset
    /// (`+08:00`) or an IANA name (`Europe/Berlin`) [default: the plan's]
    #[arg(long, value_name = "ZONE", allow_hyphen_values = true)]
    pub(crate) log_zone: Option<String>,
}

/// How rows are made from scanner reports (`--log` and `import`).
#[derive(Debug, Args, Clone, Default)]
pub(crate) struct ScannerRowArgs {
    /// The source of rows made from Trivy and Grype reports (Harbor's are registry scans)
    #[arg(long, value_enum, value_name = "SOURCE")]
    pub(crate) source: Option<SourceArg>,

    /// Which identity of a report names the image
    #[arg(long, value_enum, value_name = "KEY", default_value_t = ImageKeyArg::Digest)]
    pub(crate) image_key: ImageKeyArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum LogFormatArg {
    Csv,
    /// The canonical log as JSON Lines (one object a line)
    Jsonl,
    Trivy,
    Grype,
    Harbor,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SourceArg {
    Local,
    Registry,
    Cicd,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub(crate) enum ImageKeyArg {
    /// The manifest digest (else the image id, else the name)
    #[default]
    Digest,
    /// The image id (else the digest, else the name)
    Id,
    /// The name as scanned (else the digest)
    Name,
}

#[derive(Debug, Args)]
pub(crate) struct ReportArgs {
    /// Billing plan (TOML file or builtin:NAME); repeat to compare plans side by side
    #[arg(long, value_name = "PLAN", required = true)]
    pub(crate) plan: Vec<String>,

    #[command(flatten)]
    pub(crate) billed: BilledInputArgs,

    #[command(flatten)]
    pub(crate) window: BillWindowArgs,

    /// Output format
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub(crate) format: ReportFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Table,
    Json,
    Csv,
    Markdown,
    /// One self-contained page with charts, to open, print or mail
    Html,
    /// OpenMetrics text for a Prometheus textfile collector (a report's, or a merged one's)
    Openmetrics,
}

/// The formats an invoice is shown in: those of a report but OpenMetrics,
/// which describes a report's gauges, not a bill's lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InvoiceFormat {
    Table,
    Json,
    Csv,
    Markdown,
    /// One self-contained page, to open, print or mail
    Html,
    /// FOCUS 1.2 Cost and Usage CSV for FinOps tools: a row per posted charge line, and the prepaid units drawn per account, allowance and day, amortised (docs/focus.md)
    Focus,
}

/// What report and invoice read: the logs, core samples and the breakdown.
#[derive(Debug, Args)]
pub struct BilledInputArgs {
    #[command(flatten)]
    pub(crate) input: InputArgs,

    #[command(flatten)]
    pub(crate) cores: CoresArgs,

    #[command(flatten)]
    pub(crate) breakdown: BreakdownArgs,
}

/// The core samples a plan's `[cores]` billing reads (report, invoice, check).
#[derive(Debug, Args)]
pub struct CoresArgs {
    /// Hourly samples of online cores (CSV `timestamp,account,cores`) for the plan's [cores] billing
    #[arg(long, value_name = "FILE")]
    pub(crate) cores: Option<String>,

    /// Read the cores file's column HEADER as NAME (timestamp, account, cores); repeatable
    #[arg(long = "cores-column", value_name = "NAME=HEADER", requires = "cores")]
    pub(crate) cores_columns: Vec<String>,

    /// The cores file's field delimiter: `,`, `;`, `|` or `\t` [default: ,]
    #[arg(long, value_name = "CHAR", requires = "cores")]
    pub(crate) cores_delimiter: Option<String>,
}

/// `--by` and how what no group caused is shared (report and invoice).
#[derive(Debug, Args)]
pub(crate) struct BreakdownArgs {
    /// Break each account down by this log column (team, namespace, …): who used
    /// the shared purchase and who pays what; empty values form `(none)`
    #[arg(long, value_name = "COLUMN")]
    pub(crate) by: Option<String>,

    /// With --by: the charge for prepaid units nobody drew stays on its own
    /// `unused` line, or is spread over the groups by their drawn units
    #[arg(long, value_enum, value_name = "HOW", default_value_t = Allocate::Line, requires = "by")]
    pub(crate) allocate_unused: Allocate,

    /// With --by: fee and cores lines stay on the `shared` line, or are spread
    /// over the groups by their units in the cycle
    #[arg(long, value_enum, value_name = "HOW", default_value_t = Allocate::Line, requires = "by")]
    pub(crate) allocate_shared: Allocate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Allocate {
    /// A line of its own
    Line,
    /// Spread over the groups in proportion to their units
    Proportional,
}

/// A billing window (§13): the lines posted in `[from, to)`.
#[derive(Debug, Args, Clone, Default)]
pub struct BillWindowArgs {
    /// The lines posted in this calendar month, `YYYY-MM`, in the plan's zone
    #[arg(long, value_name = "YYYY-MM")]
    pub(crate) month: Option<String>,

    /// With --to: the lines posted from this moment on (a bare date is 00:00 of that date in the plan's zone)
    #[arg(long, value_name = "TIME")]
    pub(crate) from: Option<String>,

    /// With --from: the lines posted before this moment (a bare date is 00:00 of that date in the plan's zone)
    #[arg(long, value_name = "TIME")]
    pub(crate) to: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct InvoiceArgs {
    /// Billing plan (TOML file or builtin:NAME)
    #[arg(long, value_name = "PLAN")]
    pub(crate) plan: String,

    #[command(flatten)]
    pub(crate) billed: BilledInputArgs,

    #[command(flatten)]
    pub(crate) window: BillWindowArgs,

    /// Output format
    #[arg(long, value_enum, default_value_t = InvoiceFormat::Table)]
    pub(crate) format: InvoiceFormat,
}

#[derive(Debug, Args)]
pub(crate) struct LedgerArgs {
    /// Billing plan (TOML file or builtin:NAME)
    #[arg(long, value_name = "PLAN")]
    pub(crate) plan: String,

    #[command(flatten)]
    pub(crate) input: InputArgs,

    /// Add this log column to every row (team, namespace, …)
    #[arg(long, value_name = "COLUMN")]
    pub(crate) by: Option<String>,

    /// Print only rows scanned at or after this time: `YYYY-MM-DD` (00:00 of
    /// that day in the plan's zone) or a date-time as written; every row is
    /// still replayed, so outcomes are those of the whole ledger
    #[arg(long, value_name = "TIME")]
    pub(crate) from: Option<String>,

    /// Print only rows scanned before this time (same forms as --from)
    #[arg(long, value_name = "TIME")]
    pub(crate) to: Option<String>,

    /// Output format (`jsonl`: one JSON object a line)
    #[arg(long, value_enum, default_value_t = LedgerFormat::Table)]
    pub(crate) format: LedgerFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum LedgerFormat {
    Table,
    Csv,
    Jsonl,
}

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// Billing plan (TOML file or builtin:NAME)
    #[arg(long, value_name = "PLAN")]
    pub(crate) plan: String,

    #[command(flatten)]
    pub(crate) input: InputArgs,

    #[command(flatten)]
    pub(crate) cores: CoresArgs,

    /// Alert when fewer units than this remain in the current period
    #[arg(long, value_name = "UNITS", allow_negative_numbers = true)]
    pub(crate) min_remaining: Option<String>,

    /// Apply --min-remaining and --max-used-percent to this allowance only [default: all summed]
    #[arg(long, value_name = "NAME")]
    pub(crate) allowance: Option<String>,

    /// Alert when more than this percentage of the current period is consumed
    #[arg(long, value_name = "PERCENT", allow_negative_numbers = true)]
    pub(crate) max_used_percent: Option<String>,

    /// Alert when the projected cost of the current cycle exceeds this amount, or
    /// includes overage without a price (value `unpriced`); a plan that prices
    /// cores needs --cores for it
    #[arg(long, value_name = "AMOUNT", allow_negative_numbers = true)]
    pub(crate) max_projected_charges: Option<String>,

    /// Alert when more units than this are projected to be denied by the cycle end
    #[arg(long, value_name = "UNITS", allow_negative_numbers = true)]
    pub(crate) max_projected_denied: Option<String>,

    /// Alert when the subscription ends within this many days
    #[arg(long, value_name = "DAYS", allow_negative_numbers = true, value_parser = whole_days)]
    pub(crate) expiring_within: Option<u32>,

    /// Output format
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub(crate) format: CheckFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum CheckFormat {
    Text,
    Json,
    Markdown,
}

#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    /// The format of the files
    #[arg(value_enum)]
    pub(crate) format: ImportFormat,

    /// Reports or event files (one document each, several concatenated, or one
    /// a line); a directory is read file by file in name order; `-` is standard input
    #[arg(required = true, value_name = "FILE")]
    pub(crate) files: Vec<String>,

    /// The account every row belongs to
    #[arg(long, value_name = "ACCOUNT", default_value = "default")]
    pub(crate) account: String,

    #[command(flatten)]
    pub(crate) rows: ScannerRowArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ImportFormat {
    Trivy,
    Grype,
    Harbor,
}

#[derive(Debug, Args)]
pub(crate) struct MergeArgs {
    /// Reports written by `scanquota report --format json`, same plan, --as-of and --by
    #[arg(required = true, value_name = "REPORT.json")]
    pub(crate) reports: Vec<String>,

    /// Output format
    #[arg(long, value_enum, default_value_t = ReportFormat::Json)]
    pub(crate) format: ReportFormat,
}

#[derive(Debug, Args)]
pub(crate) struct StatsArgs {
    /// Billing plan (TOML file or builtin:NAME)
    #[arg(long, value_name = "PLAN")]
    pub(crate) plan: String,

    #[command(flatten)]
    pub(crate) input: InputArgs,

    /// Images known to exist (CSV `image,source`); those never scanned count as `unscan`
    #[arg(long, value_name = "FILE")]
    pub(crate) inventory: Option<String>,

    #[command(flatten)]
    pub(crate) inventory_layout: InventoryLayoutArgs,

    /// Output format
    #[arg(long, value_enum, default_value_t = StatsFormat::Json)]
    pub(crate) format: StatsFormat,
}

/// How an `--inventory` file of one's own is read.
#[derive(Debug, Args, Clone, Default)]
pub(crate) struct InventoryLayoutArgs {
    /// Read the inventory's column HEADER as NAME (image, source); repeatable
    #[arg(
        long = "inventory-column",
        value_name = "NAME=HEADER",
        requires = "inventory"
    )]
    pub(crate) inventory_columns: Vec<String>,

    /// The inventory's field delimiter: `,`, `;`, `|` or `\t` [default: ,]
    #[arg(
        long = "inventory-delimiter",
        value_name = "CHAR",
        requires = "inventory"
    )]
    pub(crate) inventory_delimiter: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum StatsFormat {
    Json,
    Table,
}

#[derive(Debug, Args)]
pub(crate) struct ReconcileArgs {
    /// Billing plan (TOML file or builtin:NAME)
    #[arg(long, value_name = "PLAN")]
    pub(crate) plan: String,

    #[command(flatten)]
    pub(crate) input: InputArgs,

    /// Images known to exist (CSV `image,source`)
    #[arg(long, value_name = "FILE")]
    pub(crate) inventory: Option<String>,

    #[command(flatten)]
    pub(crate) inventory_layout: InventoryLayoutArgs,

    /// The statistics JSON as the vendor's API returned it
    #[arg(long, value_name = "FILE")]
    pub(crate) vendor_stats: String,
}

#[derive(Debug, Args)]
// The demand: counts per cycle, or logs to take them from (one of the two).
#[command(group(clap::ArgGroup::new("demand").required(true).args(["first_scans", "from_log"])))]
pub(crate) struct EstimateArgs {
    /// Billing plan (TOML file or builtin:NAME); repeat to compare plans
    #[arg(long, value_name = "PLAN", required = true)]
    pub(crate) plan: Vec<String>,

    /// First scans (images never scanned before) per cycle
    #[arg(
        long,
        value_name = "N",
        requires = "repeat_scans",
        conflicts_with = "from_log"
    )]
    pub(crate) first_scans: Option<String>,

    /// Repeat scans per cycle
    #[arg(
        long,
        value_name = "N",
        requires = "first_scans",
        conflicts_with = "from_log"
    )]
    pub(crate) repeat_scans: Option<String>,

    /// Take the demand from scan logs (as --log reads them): each account's first and
    /// repeat scans per closed cycle, sized on its own
    #[arg(long, value_name = "LOG", num_args = 1..)]
    pub(crate) from_log: Vec<String>,

    #[command(flatten)]
    pub(crate) layout: LayoutArgs,

    /// With --from-log: size each account's purchase for its busiest closed cycle
    /// (`peak`) or the average one (`mean`); both are shown [default: peak]
    #[arg(long, value_enum)]
    pub(crate) size_for: Option<SizeForArg>,

    /// Cycles to cost the plans over
    #[arg(long, value_name = "M", default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=1200))]
    pub(crate) months: u32,

    #[command(flatten)]
    pub(crate) window: WindowArgs,

    /// Output format
    #[arg(long, value_enum, default_value_t = EstimateFormat::Table)]
    pub(crate) format: EstimateFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SizeForArg {
    Peak,
    Mean,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum EstimateFormat {
    Table,
    Json,
}

#[derive(Debug, Subcommand)]
pub(crate) enum PlanCommand {
    /// Validate a plan and print it normalised, every default filled in
    #[command(after_help = "\
Examples:
  scanquota plan check fixtures/tcss-usd-300.toml --format json
  scanquota plan check builtin:hss-payg --start 2024-03-01T00:00:00+08:00")]
    Check {
        /// The plan file (TOML) or builtin:NAME
        plan: String,

        /// Purchase moment for a built-in plan [default: now, to the minute]
        #[arg(long, value_name = "TIME")]
        start: Option<String>,

        /// Output format
        #[arg(long, value_enum, default_value_t = PlanFormat::Toml)]
        format: PlanFormat,
    },

    /// Name the built-in plans
    #[command(after_help = "Example:\n  scanquota plan list")]
    List,

    /// Print a built-in plan as editable TOML
    #[command(after_help = "\
Example:
  scanquota plan show builtin:tcss-usd-300 --start 2024-03-15T14:00:00+08:00 > my-plan.toml")]
    Show {
        /// builtin:NAME
        plan: String,

        /// Purchase moment written into the plan; without it the `start` line
        /// is left commented out, and the saved file needs --start when used
        #[arg(long, value_name = "TIME")]
        start: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum PlanFormat {
    Toml,
    Json,
}

/// `--expiring-within`: whole days, said so (the parser's own words were
/// "invalid digit found in string" for `1.5`).
fn whole_days(text: &str) -> Result<u32, String> {
    text.trim()
        .parse::<u32>()
        .map_err(|_| "is not a whole number of days; write one from 0 up, e.g. 7".to_string())
}
