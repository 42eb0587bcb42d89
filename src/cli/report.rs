//! `clearsim report`: the HTML report and/or Markdown memo of a saved result document.

use clearsim::report::ReportInput;

use super::Failure;
use super::args::{ReportArgs, ReportCmd};

/// Runs `report`.
pub fn report(cmd: ReportCmd) -> Result<(), Failure> {
    let ReportCmd { input, html, md } = cmd;
    let files = ReportArgs { html, md };
    if !files.wanted() {
        return Err(Failure::Input(
            "report: say what to write: `-o FILE.html`, `--md FILE.md`, or both".into(),
        ));
    }
    files.check()?;
    files.write(Some(ReportInput::from_file(&input)))
}
