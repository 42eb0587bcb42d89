//! `clearsim sensitivity`: every uncertain input at both ends of its range, one at a time.

use clearsim::experiment;
use clearsim::experiment::sensitivity::SensitivityError;
use clearsim::report;

use super::args::SensitivityCmd;
use super::output::{emit, to_json};
use super::{Failure, finish, load, no_auto_warmup, progress_bar, workers};

/// Runs `sensitivity`.
pub fn sensitivity(cmd: SensitivityCmd) -> Result<(), Failure> {
    let SensitivityCmd {
        scenario,
        how,
        files,
        metric,
    } = cmd;
    files.check()?;
    no_auto_warmup(&how, "sensitivity")?;
    let extra = how.overrides();
    let base = load(&scenario, extra.clone())?;
    let runs = 1 + 2 * base.uncertain.len() as u64;
    super::within_budget(
        &how,
        &base.origin,
        experiment::budget::estimate(&base, &how.shape(base.run.replications, runs)),
    )?;
    let variant = super::variant_loader(&scenario, extra, super::pairing(&base));
    let pb = progress_bar(how.quiet);
    let result = experiment::sensitivity::sensitivity(
        &base,
        &variant,
        metric.as_deref(),
        workers(how.threads, &pb),
    )
    .map_err(|e| match e {
        SensitivityError::Run(_) => Failure::Run(e.to_string()),
        other => Failure::Input(other.to_string()),
    })?;
    finish(&pb);
    if how.json {
        emit(&to_json(&result)?)?;
    } else {
        emit(&report::table::render_sensitivity(&result))?;
    }
    files.write(
        files
            .wanted()
            .then(|| report::ReportInput::of_sensitivity(&result)),
    )
}
