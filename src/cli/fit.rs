//! `clearsim fit`: read an observed sample, fit every TRS segment, print the report and write the scenario TOML.

use clearsim::calibrate;
use clearsim::io::write_output;
use clearsim::report::fit_report;
use clearsim::scenario::Scenario;
use clearsim::scenario::observed::{self, list_rows};

use super::Failure;
use super::args::FitCmd;
use super::output::{emit, note, to_json};

/// Runs `fit`.
pub fn fit(cmd: FitCmd) -> Result<(), Failure> {
    if let Some(out) = &cmd.out {
        clearsim::io::check_writable(out)?;
    }
    let sample = observed::read(&cmd.observed, cmd.bad_rows).map_err(input)?;
    skipped_note(&sample);
    let cal = calibrate::calibrate(&sample, cmd.criterion);
    let toml = match &cmd.base {
        None => calibrate::fragment::fragment(&cal),
        Some(base) => {
            let text = std::fs::read_to_string(base)
                .map_err(|e| Failure::Input(format!("{}: cannot read: {e}", base.display())))?;
            let (merged, left_out) = calibrate::fragment::merge(&cal, &text)
                .map_err(|e| Failure::Input(format!("{}: not TOML: {e}", base.display())))?;
            for l in left_out {
                note(&format!("note: not set: {l}"));
            }
            // The fitted scenario must load like any other before it is written.
            let origin = cmd
                .out
                .as_ref()
                .map_or("the fitted scenario".to_string(), |p| {
                    p.display().to_string()
                });
            Scenario::from_bytes(merged.as_bytes(), &origin, &[]).map_err(|e| {
                Failure::Input(format!(
                    "the base {} with the fitted values is not a valid scenario: {e}",
                    base.display()
                ))
            })?;
            merged
        }
    };
    if cmd.json {
        emit(&to_json(&cal)?)?;
    } else {
        emit(&fit_report::render(&cal))?;
    }
    match &cmd.out {
        Some(out) => {
            write_output(out, toml.as_bytes())
                .map_err(|e| Failure::Run(format!("{}: cannot write: {e}", out.display())))?;
            note(&format!("wrote {}", out.display()));
        }
        None if !cmd.json => emit(&format!("\n{toml}"))?,
        None => {}
    }
    Ok(())
}

/// An unreadable or invalid sample is the user's input: exit code 2.
pub fn input(e: observed::ObservedError) -> Failure {
    Failure::Input(e.to_string())
}

/// Names the rows `--bad-rows skip` left out, and any column not read.
pub fn skipped_note(sample: &observed::ObservedSample) {
    if !sample.skipped.is_empty() {
        note(&format!(
            "warning: {}: {} bad row(s) skipped:\n{}",
            sample.file,
            sample.skipped.len(),
            list_rows(&sample.file, &sample.skipped)
        ));
    }
    if !sample.ignored_columns.is_empty() {
        note(&format!(
            "note: {}: column(s) not read: {}",
            sample.file,
            sample.ignored_columns.join(", ")
        ));
    }
    if sample.unreleased > 0 {
        note(&format!(
            "note: {}: {} row(s) without a release left out",
            sample.file, sample.unreleased
        ));
    }
}
