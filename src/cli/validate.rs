//! `clearsim validate`: run a scenario against an observed sample, print the verdicts and write the report with Q–Q charts.

use clearsim::experiment;
use clearsim::io::write_output;
use clearsim::report::{page, validate_report};
use clearsim::scenario::observed;

use super::Failure;
use super::args::ValidateCmd;
use super::output::{emit, to_json};
use super::{finish, load, progress_bar, workers};

/// Thresholds compared when none is given [h].
const THRESHOLDS_H: [f64; 5] = [1.0, 3.0, 6.0, 24.0, 48.0];

/// Runs `validate`.
pub fn validate(cmd: ValidateCmd) -> Result<(), Failure> {
    let ValidateCmd {
        scenario,
        observed: file,
        how,
        bad_rows,
        thresholds,
        files,
    } = cmd;
    files.check()?;
    if how.auto_warmup() {
        return Err(Failure::Input(
            "validate: --warmup auto is not supported here; choose it with `clearsim run FILE --warmup auto`, then give --warmup HOURS".to_string(),
        ));
    }
    let sample = observed::read(&file, bad_rows).map_err(super::fit::input)?;
    super::fit::skipped_note(&sample);
    let sc = load(&scenario, how.overrides())?;
    if sc.world.is_none() {
        return Err(Failure::Input(format!(
            "{}: validate needs a parcel-world scenario (a plain network has no customs milestones)",
            sc.origin
        )));
    }
    let estimate = experiment::budget::estimate(&sc, &how.shape(sc.run.replications, 1));
    super::within_budget(&how, &sc.origin, estimate)?;
    let thresholds = if thresholds.is_empty() {
        THRESHOLDS_H.to_vec()
    } else {
        thresholds
    };
    let pb = progress_bar(how.quiet);
    let v = experiment::validate::validate(&sc, &sample, &thresholds, workers(how.threads, &pb))
        .map_err(|e| Failure::Run(e.to_string()))?;
    finish(&pb);
    if how.json {
        emit(&to_json(&v)?)?;
    } else {
        emit(&validate_report::render(&v))?;
    }
    let report = validate_report::report(&v);
    let write = |path: &std::path::Path, text: String| {
        write_output(path, text.as_bytes())
            .map_err(|e| Failure::Run(format!("{}: cannot write: {e}", path.display())))
    };
    if let Some(p) = &files.html {
        write(p, page::html_page(&report))?;
    }
    if let Some(p) = &files.md {
        write(p, page::markdown(&report))?;
    }
    Ok(())
}
