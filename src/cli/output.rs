//! What the command writes: standard output (a write error fails the command), notes on
//! standard error (never a panic), report files and result folders, each checked before a run.

use std::io::Write;
use std::path::Path;

use clearsim::experiment;
use clearsim::io::{check_folder, check_writable, write_atomic, write_group};
use clearsim::report;

use super::Failure;
use super::args::ReportArgs;

/// Writes `text` to standard output. A reader that went away (`clearsim … | head`) ends the
/// output quietly; any other write error (a full disk) fails the command with exit code 1.
pub fn emit(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::Run(format!(
            "cannot write to standard output: {e}"
        ))),
    }
}

/// Writes one line to standard error. If even that fails there is nowhere left to say so: the
/// exit code still tells.
pub fn note(line: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

/// `value` as pretty JSON with a final newline.
pub fn to_json<T: serde::Serialize>(value: &T) -> Result<String, Failure> {
    let mut s = serde_json::to_string_pretty(value).map_err(|e| Failure::Run(e.to_string()))?;
    s.push('\n');
    Ok(s)
}

/// Refuses, before any simulation, an `--out` that exists and is not a folder (exit code 2).
pub fn check_out(dir: Option<&Path>) -> Result<(), Failure> {
    if let Some(dir) = dir {
        check_folder(dir, "--out")?;
    }
    Ok(())
}

impl ReportArgs {
    /// Refuses, before any simulation, report paths that cannot be written (a missing folder or
    /// a folder: exit code 1) or that are not a regular file nor a new path (a device, a FIFO:
    /// exit code 2).
    pub fn check(&self) -> Result<(), Failure> {
        for p in self.html.iter().chain(&self.md) {
            check_writable(p)?;
        }
        Ok(())
    }

    /// Whether any report file was asked for.
    pub fn wanted(&self) -> bool {
        self.html.is_some() || self.md.is_some()
    }

    /// Writes the requested report files from `input` (`None`: nothing was asked for).
    pub fn write(
        &self,
        input: Option<Result<report::ReportInput, report::ReportError>>,
    ) -> Result<(), Failure> {
        let Some(input) = input else {
            return Ok(());
        };
        input
            .and_then(|i| i.write(self.html.as_deref(), self.md.as_deref()))
            .map_err(|e| match e {
                report::ReportError::Input(e) => Failure::Input(e.to_string()),
                other => Failure::Run(other.to_string()),
            })?;
        for p in self.html.iter().chain(&self.md) {
            note(&format!("wrote {}", p.display()));
        }
        Ok(())
    }
}

/// Writes result files into `dir` as one unit (see [`write_group`]).
fn write_results(dir: &Path, files: &[(&str, &[u8])]) -> Result<(), Failure> {
    write_group(dir, files)
        .map_err(|e| Failure::Run(format!("{}: cannot write results: {e}", dir.display())))
}

/// `summary.json` and, for a parcel world, `backlog.csv`, as one unit.
pub fn write_run(dir: &Path, output: &experiment::RunOutput) -> Result<(), Failure> {
    let summary = report::json(&output.summary);
    let backlog = output
        .summary
        .currency
        .is_some()
        .then(|| report::backlog_csv(&output.backlog));
    let mut files: Vec<(&str, &[u8])> = vec![("summary.json", summary.as_bytes())];
    if let Some(b) = &backlog {
        files.push(("backlog.csv", b.as_bytes()));
    }
    write_results(dir, &files)
}

/// `runs.csv`, `summary.csv` and `summary.json` of a sweep, as one unit.
pub fn write_sweep(dir: &Path, result: &experiment::sweep::SweepResult) -> Result<(), Failure> {
    use experiment::sweep::{runs_csv, summary_csv};
    let runs = runs_csv(result);
    let summary = summary_csv(&result.summary);
    let json = to_json(&result.summary)?;
    write_results(
        dir,
        &[
            ("runs.csv", runs.as_bytes()),
            ("summary.csv", summary.as_bytes()),
            ("summary.json", json.as_bytes()),
        ],
    )
}

/// `stress.json`, atomically, creating `dir`.
pub fn write_stress(dir: &Path, json: &str) -> Result<(), Failure> {
    let fail =
        |e: std::io::Error| Failure::Run(format!("{}: cannot write results: {e}", dir.display()));
    std::fs::create_dir_all(dir).map_err(fail)?;
    clearsim::io::clean_stale(dir);
    write_atomic(&dir.join("stress.json"), json.as_bytes()).map_err(fail)
}
