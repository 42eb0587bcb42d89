//! Reports read results and never run simulations: a readable table, the JSON document, and
//! the HTML report and Markdown memo drawn from a `run` or `compare` document.

pub mod chart;
pub mod compare_report;
pub mod doc;
pub mod figures;
pub mod fit_report;
pub mod many_report;
pub mod network_report;
pub mod page;
pub mod run_report;
pub mod sensitivity_report;
pub mod sweep_report;
pub mod table;
pub mod uncertainty_report;
pub mod validate_report;
pub mod words;

use std::path::Path;

use crate::experiment::{BacklogRow, ComparedRuns, RunOutput, RunSummary};

/// The JSON document of a run (docs/output.md), pretty-printed, with a final newline.
pub fn json(summary: &RunSummary) -> String {
    let mut s =
        serde_json::to_string_pretty(summary).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}

/// The tidy backlog table: one row per replication × hour × stage.
pub fn backlog_csv(rows: &[BacklogRow]) -> String {
    let mut s = String::from("replication,hour,stage,parcels_waiting\n");
    for r in rows {
        s.push_str(&format!(
            "{},{},{},{}\n",
            r.replication, r.hour, r.stage, r.parcels
        ));
    }
    s
}

/// What a report is drawn from: a result document and, where known, the mean backlog of each
/// run (a run's in the first slot; a comparison's A and B).
#[derive(Clone, Debug, PartialEq)]
pub struct ReportInput {
    /// The `run --json` or `compare --json` document.
    pub doc: doc::ResultDoc,
    /// Mean backlogs over replications.
    pub backlogs: [Option<doc::Backlog>; 2],
}

/// Why a report could not be made or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// The input document was bad (exit code 2).
    #[error(transparent)]
    Input(#[from] doc::DocError),
    /// A report file could not be written (exit code 1).
    #[error("{file}: cannot write the report: {reason}")]
    Write {
        /// The file.
        file: String,
        /// Why not.
        reason: String,
    },
}

/// Reads a document as a report reads it: through its JSON text, so a live run and its saved
/// `summary.json` give byte-identical reports.
fn reparse<T: serde::Serialize>(value: &T) -> Result<doc::ResultDoc, doc::DocError> {
    let text = serde_json::to_string(value).map_err(|e| doc::DocError::Invalid {
        file: "(result)".into(),
        reason: e.to_string(),
    })?;
    doc::parse(&text, "(result)")
}

impl ReportInput {
    /// The report input of a run that just finished.
    pub fn of_run(output: &RunOutput) -> Result<Self, ReportError> {
        let backlog =
            (!output.backlog.is_empty()).then(|| doc::Backlog::from_backlog_rows(&output.backlog));
        Ok(ReportInput {
            doc: reparse(&output.summary)?,
            backlogs: [backlog, None],
        })
    }

    /// The report input of a comparison that just finished.
    pub fn of_comparison(runs: &ComparedRuns) -> Result<Self, ReportError> {
        let backlog = |o: &RunOutput| {
            (!o.backlog.is_empty()).then(|| doc::Backlog::from_backlog_rows(&o.backlog))
        };
        Ok(ReportInput {
            doc: reparse(&runs.document())?,
            backlogs: [backlog(&runs.a), backlog(&runs.b)],
        })
    }

    /// The report input of a base compared with several alternatives.
    pub fn of_many(runs: &crate::experiment::many::ManyRuns) -> Result<Self, ReportError> {
        Ok(ReportInput {
            doc: reparse(&runs.multi)?,
            backlogs: [None, None],
        })
    }

    /// The report input of a sensitivity analysis.
    pub fn of_sensitivity(
        result: &crate::experiment::sensitivity::Sensitivity,
    ) -> Result<Self, ReportError> {
        Ok(ReportInput {
            doc: reparse(result)?,
            backlogs: [None, None],
        })
    }

    /// The report input of a sweep (its `summary.json`).
    pub fn of_sweep(summary: &crate::experiment::sweep::SweepSummary) -> Result<Self, ReportError> {
        Ok(ReportInput {
            doc: reparse(summary)?,
            backlogs: [None, None],
        })
    }

    /// The report input of a stress test.
    pub fn of_stress(
        result: &crate::experiment::stress::StressResult,
    ) -> Result<Self, ReportError> {
        Ok(ReportInput {
            doc: reparse(result)?,
            backlogs: [None, None],
        })
    }

    /// Reads a saved `run --json` / `summary.json` or `compare --json` document. For a run
    /// document, a `backlog.csv` in the same folder is read too (as `run --out` writes them).
    pub fn from_file(path: &Path) -> Result<Self, ReportError> {
        let d = doc::load(path)?;
        let mut backlogs = [None, None];
        if matches!(d, doc::ResultDoc::Run(_)) {
            let csv = path.parent().unwrap_or(Path::new(".")).join("backlog.csv");
            if csv.is_file() {
                let file = csv.display().to_string();
                let text = std::fs::read_to_string(&csv).map_err(|e| doc::DocError::Read {
                    file: file.clone(),
                    reason: e.to_string(),
                })?;
                backlogs[0] = Some(doc::Backlog::parse_csv(&text, &file)?);
            }
        }
        Ok(ReportInput { doc: d, backlogs })
    }

    /// The report's sections, findings, charts and tables.
    pub fn report(&self) -> page::Report {
        match &self.doc {
            doc::ResultDoc::Run(r) => run_report::build(r, self.backlogs[0].as_ref()),
            doc::ResultDoc::Compare(c) => {
                compare_report::build(c, [self.backlogs[0].as_ref(), self.backlogs[1].as_ref()])
            }
            doc::ResultDoc::Sweep(d) => sweep_report::build_sweep(d),
            doc::ResultDoc::Stress(d) => sweep_report::build_stress(d),
            doc::ResultDoc::Many(d) => many_report::build(d),
            doc::ResultDoc::Sensitivity(d) => sensitivity_report::build(d),
        }
    }

    /// The self-contained HTML report.
    pub fn html(&self) -> String {
        page::html_page(&self.report())
    }

    /// The Markdown memo.
    pub fn markdown(&self) -> String {
        page::markdown(&self.report())
    }

    /// Writes the HTML report and/or the Markdown memo, each atomically.
    pub fn write(&self, html: Option<&Path>, md: Option<&Path>) -> Result<(), ReportError> {
        let report = self.report();
        let write = |path: &Path, text: String| {
            crate::io::write_output(path, text.as_bytes()).map_err(|e| ReportError::Write {
                file: path.display().to_string(),
                reason: e.to_string(),
            })
        };
        if let Some(p) = html {
            write(p, page::html_page(&report))?;
        }
        if let Some(p) = md {
            write(p, page::markdown(&report))?;
        }
        Ok(())
    }
}
