//! The fast paths against the straightforward one on logs of a million
//! rows: streaming (time-ordered), reading in pieces and replaying accounts
//! in parallel (shuffled) must give the reference's report and ledger byte
//! for byte. Slow, so `#[ignore]`: run with
//! `cargo test --release --test scale -- --ignored`.

mod common;

use common::reference::generate;
use common::{Workdir, scanquota};
use scanquota::app::cli::ReportFormat;
use scanquota::app::cmd::report_view;
use scanquota::domain::zone::parse_timestamp;
use scanquota::engine::meter::Schedule;
use scanquota::input::log::{ReadOptions, ScanLog};
use scanquota::plan::Plan;

const AS_OF: &str = "2024-12-01T00:00:00Z";

fn gen_log(path: &str, shuffled: bool) {
    // cargo test builds the examples next to the test binaries.
    let exe = std::env::current_exe().unwrap();
    let examples = exe.parent().unwrap().parent().unwrap().join("examples");
    let mut command = std::process::Command::new(examples.join("gen_log"));
    command.args([
        "--rows",
        "1000000",
        "--accounts",
        "100",
        "--images",
        "200001",
        "--seed",
        "1",
    ]);
    if shuffled {
        command.arg("--shuffled");
    }
    let output = command.output().expect("gen_log runs");
    assert!(output.status.success());
    std::fs::write(path, output.stdout).unwrap();
}

fn binary(args: &[&str]) -> Vec<u8> {
    let output = scanquota().args(args).output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

#[test]
#[ignore]
fn a_million_rows_every_path_gives_the_references_report_and_ledger() {
    let dir = Workdir::new();
    let (ordered, shuffled) = (dir.path("ordered.csv"), dir.path("shuffled.csv"));
    gen_log(&ordered, false);
    gen_log(&shuffled, true);
    let plan_path = common::root()
        .join("bench/plan.toml")
        .to_string_lossy()
        .into_owned();
    let plan = Plan::from_path(&plan_path).unwrap();
    let as_of = parse_timestamp(AS_OF, plan.zone).unwrap();
    for (path, name) in [(&ordered, "ordered"), (&shuffled, "shuffled")] {
        // The reference: one reader on one core, sorted, replayed serially.
        let mut log = ScanLog::default();
        let options = ReadOptions::keeping_texts();
        log.read_one_with(
            &options,
            path,
            std::fs::File::open(path).unwrap(),
            plan.zone,
        )
        .unwrap();
        log.sort();
        let reference = report_view(ReportFormat::Json, scanquota::render::DEFAULT_TABLE_WIDTH)
            .report(&generate(&plan, &log, as_of, None).unwrap());
        let fast = binary(&[
            "report", "--plan", &plan_path, "--log", path, "--as-of", AS_OF, "--format", "json",
            "--quiet",
        ]);
        assert!(
            reference.as_bytes() == fast.as_slice(),
            "{name}: the report differs from the reference"
        );
        let mut expected = Vec::new();
        {
            let mut sink = scanquota::render::ledger::Sink::csv(&mut expected, false).unwrap();
            for row in common::reference::ledger(&plan, &log, &Schedule::new(&plan, as_of), None) {
                sink.row(&row).unwrap();
            }
            sink.finish().unwrap();
        }
        let ledger = binary(&[
            "ledger", "--plan", &plan_path, "--log", path, "--as-of", AS_OF, "--format", "csv",
            "--quiet",
        ]);
        assert!(
            expected == ledger,
            "{name}: the ledger differs from the reference"
        );
    }
}
