use super::Outcome;
use crate::cli::ReportArgs;
use crate::error::{Error, Result};

pub fn run(_args: &ReportArgs) -> Result<Outcome> {
    Err(Error::Usage("report is not built yet".into()))
}
