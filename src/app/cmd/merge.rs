//! `scanquota merge`: one report from the JSON reports of account partitions.

use super::CommandOutput;
use crate::app::cli::MergeArgs;
use crate::domain::error::Result;
use crate::model::merge::{merge, read_report};

pub(crate) fn run(args: &MergeArgs, width: u16) -> Result<CommandOutput> {
    let mut reports = Vec::with_capacity(args.reports.len());
    let mut notes = String::new();
    for path in &args.reports {
        let (report, note) = read_report(path)?;
        notes += &note;
        reports.push((path.clone(), report));
    }
    let (merged, merge_notes) = merge(reports)?;
    notes += &merge_notes;
    notes += &super::window_note(args.format, &merged, false);
    // Written as it is formatted, as `report` is: the sum of the partitions
    // is the largest document scanquota writes.
    let view = super::report_view(args.format, width);
    Ok(CommandOutput {
        stderr: notes,
        ..CommandOutput::streamed(Box::new(move |out| Ok(view.write_report(&merged, out)?)))
    })
}

#[cfg(test)]
mod tests {
    use crate::app::cli::{Cli, Command};
    use crate::app::job::Job;
    use crate::model::report::{LineBasis, Report};
    use clap::Parser;

    /// The report `scanquota report ARGS` builds, in memory.
    fn built(args: &[&str]) -> Report {
        let cli = Cli::try_parse_from([&["scanquota", "report"], args].concat()).unwrap();
        let Command::Report(args) = cli.command else {
            unreachable!("a report command")
        };
        let needs = super::super::report::needs(&args);
        let job = Job::build(
            &args.plan,
            &args.billed.input,
            Some(&args.billed.cores),
            needs,
        )
        .unwrap();
        super::super::report::reports(&job)
            .unwrap()
            .reports
            .remove(0)
    }

    /// A report read back from its JSON equals the report built, every
    /// line's basis included: allowance periods listed and still to come,
    /// top-ups, fees, cores days in and before the term, overage, window
    /// lines.
    #[test]
    fn a_report_read_back_has_the_basis_it_was_built_with() {
        let dir = tempfile::tempdir().unwrap();
        let plan = dir.path().join("monthly.toml");
        let text = "currency = \"USD\"\ntimezone = \"+08:00\"\n\
             [subscription]\nstart = 2024-03-15T14:00:00+08:00\nmonths = 3\n\
             [[allowance]]\nname = \"monthly\"\nunits = 100\nunit_price = 0.05\nreset = \"calendar-month\"\n\
             [[allowance]]\nname = \"quota\"\nunits = 20\nunit_price = 0.06\n\
             [[topup]]\nallowance = \"monthly\"\nat = 2024-04-03T10:00:00+08:00\nunits = 50\n\
             [overage]\npolicy = \"bill\"\nunit_price = 0.08\nperiod = \"calendar-month\"\n\
             [[fee]]\nname = \"Pro\"\nquantity = 1\nunit_price = 3\n";
        std::fs::write(&plan, text).unwrap();
        let plan = plan.to_str().unwrap();
        // Overage without a price: unpriced lines, projected and posted.
        let unpriced = dir.path().join("unpriced.toml");
        std::fs::write(
            &unpriced,
            text.replace("unit_price = 0.08\n", "")
                .replace("units = 100", "units = 5"),
        )
        .unwrap();
        let unpriced = unpriced.to_str().unwrap();
        let topup = "fixtures/tcss-cny-topup.toml";
        let (log, cores) = ("fixtures/tcss-cny.csv", "fixtures/cores.csv");
        let (mut future_periods, mut unpriced_lines, mut projected_lines) = (0, 0, 0);
        // `report` arguments: a plan, the log, as-of, then any more.
        fn case<'a>(plan: &'a str, log: &'a str, as_of: &'a str, more: &[&'a str]) -> Vec<&'a str> {
            [&["--plan", plan, "--log", log, "--as-of", as_of][..], more].concat()
        }
        for args in [
            case(topup, log, "2024-05-01", &["--cores", cores]),
            case(topup, log, "2024-04-19", &["--cores", cores]),
            case(topup, log, "2024-04-25", &["--month", "2024-04"]),
            case(plan, log, "2024-03-25 12:00", &[]),
            case(plan, log, "2024-05-20 12:00", &[]),
            case(unpriced, log, "2024-04-25 12:00", &[]),
        ] {
            let report = built(&args);
            let path = dir.path().join("report.json");
            std::fs::write(&path, serde_json::to_string(&report).unwrap()).unwrap();
            let (read, _) = super::read_report(path.to_str().unwrap()).unwrap();
            assert_eq!(read, report, "{args:?}");
            for account in &report.accounts {
                for line in account
                    .charges
                    .lines
                    .iter()
                    .chain(&account.charges.still_to_come)
                {
                    assert!(line.basis.is_some(), "{args:?}: {line:?}");
                }
                unpriced_lines += account.charges.unpriced_lines.len();
                projected_lines += account
                    .projection
                    .as_ref()
                    .map_or(0, |p| p.projected_overage_lines.len());
                future_periods += account
                    .charges
                    .still_to_come
                    .iter()
                    .filter(|line| match line.basis {
                        Some(LineBasis::AllowancePeriod { allowance, period }) => {
                            period >= account.allowances[allowance].periods.len()
                        }
                        _ => false,
                    })
                    .count();
            }
        }
        assert!(future_periods > 0, "no case has a period still to come");
        assert!(unpriced_lines > 0, "no case has unpriced overage");
        assert!(projected_lines > 0, "no case projects overage");
    }
}
