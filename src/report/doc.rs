//! The result documents a report reads: `run --json` (`summary.json`) and `compare --json`, as
//! the JSON contract of docs/output.md describes them, plus the tidy `backlog.csv`.
//!
//! The documents are the result types of [`crate::results`] (unknown keys ignored, keys of
//! later versions defaulted), and a report is drawn the same way from a live run and from a
//! saved file: the live path serialises its result and reads it back through here.

use std::collections::BTreeMap;
use std::path::Path;

use crate::experiment::BacklogRow;
use crate::results::{
    Comparison, MultiComparison, RunSummary, Sensitivity, StressResult, SweepSummary,
};

/// Why a result document cannot be reported.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DocError {
    /// The file could not be read.
    #[error("{file}: cannot read it: {reason}")]
    Read {
        /// The file.
        file: String,
        /// Why not.
        reason: String,
    },
    /// The file is not JSON, or not one of the documents clearsim writes.
    #[error("{file}: {reason}")]
    Invalid {
        /// The file.
        file: String,
        /// What is wrong, with line and column when the JSON parser gives them.
        reason: String,
    },
}

/// A result document of either kind.
#[derive(Clone, Debug, PartialEq)]
pub enum ResultDoc {
    /// `run --json` / `summary.json`.
    Run(Box<RunSummary>),
    /// `compare --json`.
    Compare(Box<Comparison>),
    /// A sweep's `summary.json`.
    Sweep(Box<SweepSummary>),
    /// `stress --json` / `stress.json`.
    Stress(Box<StressResult>),
    /// `compare --json` of a base and several alternatives.
    Many(Box<MultiComparison>),
    /// `sensitivity --json`.
    Sensitivity(Box<Sensitivity>),
}

/// Reads a result document from JSON text, telling the two kinds apart by their keys: a
/// comparison has `rows`, a run has `stages` and `metrics`. `file` names the source in errors.
pub fn parse(text: &str, file: &str) -> Result<ResultDoc, DocError> {
    let invalid = |reason: String| DocError::Invalid {
        file: file.to_string(),
        reason,
    };
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| invalid(format!("not a JSON document: {e}")))?;
    let Some(object) = value.as_object() else {
        return Err(invalid(
            "expected a JSON object written by `clearsim run --json` or `clearsim compare --json`"
                .to_string(),
        ));
    };
    if object.contains_key("points") && object.contains_key("parameters") {
        return Ok(ResultDoc::Sweep(Box::new(parse_sweep(text, file)?)));
    }
    if object.contains_key("curve") && object.contains_key("limit") {
        return Ok(ResultDoc::Stress(Box::new(parse_stress(text, file)?)));
    }
    if object.get("kind").and_then(serde_json::Value::as_str) == Some("sensitivity") {
        let doc: Sensitivity = serde_json::from_str(text).map_err(|e| {
            invalid(format!(
                "looks like a `clearsim sensitivity --json` document but {e}"
            ))
        })?;
        return Ok(ResultDoc::Sensitivity(Box::new(doc)));
    }
    if object.contains_key("alternatives") && object.contains_key("ranking") {
        let doc: MultiComparison = serde_json::from_str(text).map_err(|e| {
            invalid(format!(
                "looks like a `clearsim compare --json` document of several alternatives (it has `alternatives` and `ranking`) but {e}"
            ))
        })?;
        return Ok(ResultDoc::Many(Box::new(doc)));
    }
    if object.contains_key("rows") {
        let doc: Comparison = serde_json::from_str(text).map_err(|e| {
            invalid(format!(
                "looks like a `clearsim compare --json` document (it has `rows`) but {e}"
            ))
        })?;
        Ok(ResultDoc::Compare(Box::new(doc)))
    } else if object.contains_key("stages") && object.contains_key("metrics") {
        let doc: RunSummary = serde_json::from_str(text).map_err(|e| {
            invalid(format!(
                "looks like a `clearsim run --json` document (it has `stages` and `metrics`) but {e}"
            ))
        })?;
        Ok(ResultDoc::Run(Box::new(doc)))
    } else {
        Err(invalid(
            "not a clearsim result: expected a `run --json` document (keys `stages`, `metrics`), a `compare --json` document (key `rows`), a sweep's summary.json (`points`, `parameters`) or a `stress --json` document (`curve`, `limit`)"
                .to_string(),
        ))
    }
}

/// Reads `text` as a sweep document (`file` names it in errors).
pub fn parse_sweep(text: &str, file: &str) -> Result<SweepSummary, DocError> {
    serde_json::from_str(text).map_err(|e| DocError::Invalid {
        file: file.to_string(),
        reason: format!(
            "looks like a `clearsim sweep` summary.json (it has `points` and `parameters`) but {e}"
        ),
    })
}

/// Reads `text` as a stress document (`file` names it in errors).
pub fn parse_stress(text: &str, file: &str) -> Result<StressResult, DocError> {
    serde_json::from_str(text).map_err(|e| DocError::Invalid {
        file: file.to_string(),
        reason: format!(
            "looks like a `clearsim stress --json` document (it has `curve` and `limit`) but {e}"
        ),
    })
}

/// Reads a result document from a file.
pub fn load(path: &Path) -> Result<ResultDoc, DocError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| DocError::Read {
        file: file.clone(),
        reason: e.to_string(),
    })?;
    parse(&text, &file)
}

/// The mean backlog over replications: parcels waiting at each stage, hour by hour.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Backlog {
    /// Each stage in order of first appearance, with (hour, mean parcels waiting) in hour order.
    pub stages: Vec<(String, Vec<(u32, f64)>)>,
}

impl Backlog {
    /// Averages backlog rows `(replication, hour, stage, parcels)` over replications.
    pub fn from_rows<'a>(rows: impl Iterator<Item = (u64, u32, &'a str, u32)>) -> Self {
        let mut order: Vec<String> = Vec::new();
        let mut sums: BTreeMap<(usize, u32), f64> = BTreeMap::new();
        let mut reps = std::collections::BTreeSet::new();
        for (rep, hour, stage, parcels) in rows {
            reps.insert(rep);
            let i = match order.iter().position(|s| s == stage) {
                Some(i) => i,
                None => {
                    order.push(stage.to_string());
                    order.len() - 1
                }
            };
            *sums.entry((i, hour)).or_insert(0.0) += f64::from(parcels);
        }
        let n = reps.len().max(1) as f64;
        let mut stages: Vec<(String, Vec<(u32, f64)>)> =
            order.into_iter().map(|s| (s, Vec::new())).collect();
        for ((i, hour), sum) in sums {
            stages[i].1.push((hour, sum / n));
        }
        Backlog { stages }
    }

    /// The backlog of a live run's rows.
    pub fn from_backlog_rows(rows: &[BacklogRow]) -> Self {
        Self::from_rows(
            rows.iter()
                .map(|r| (r.replication, r.hour, &*r.stage, r.parcels)),
        )
    }

    /// Reads `backlog.csv` (docs/output.md): a header line, then
    /// `replication,hour,stage,parcels_waiting` rows.
    pub fn parse_csv(text: &str, file: &str) -> Result<Self, DocError> {
        let invalid = |line: usize, reason: String| DocError::Invalid {
            file: format!("{file}:{line}"),
            reason,
        };
        let mut lines = text.lines().enumerate();
        match lines.next() {
            Some((_, header)) if header.trim() == "replication,hour,stage,parcels_waiting" => {}
            _ => {
                return Err(invalid(
                    1,
                    "expected the header `replication,hour,stage,parcels_waiting`".to_string(),
                ));
            }
        }
        let mut rows = Vec::new();
        for (i, line) in lines {
            if line.trim().is_empty() {
                continue;
            }
            let fields: Vec<&str> = line.trim().split(',').collect();
            let [rep, hour, stage, parcels] = fields[..] else {
                return Err(invalid(
                    i + 1,
                    format!("expected 4 comma-separated fields, got {}", fields.len()),
                ));
            };
            let num = |what: &str, v: &str| {
                v.parse::<u64>().map_err(|_| {
                    invalid(
                        i + 1,
                        format!("`{what}` must be a whole number ≥ 0, got `{v}`"),
                    )
                })
            };
            let rep = num("replication", rep)?;
            let hour = u32::try_from(num("hour", hour)?)
                .map_err(|_| invalid(i + 1, format!("`hour` is too large: {hour}")))?;
            let parcels = u32::try_from(num("parcels_waiting", parcels)?).map_err(|_| {
                invalid(i + 1, format!("`parcels_waiting` is too large: {parcels}"))
            })?;
            rows.push((rep, hour, stage.to_string(), parcels));
        }
        Ok(Self::from_rows(
            rows.iter().map(|(r, h, s, p)| (*r, *h, s.as_str(), *p)),
        ))
    }

    /// Stages whose mean backlog is above zero at some hour.
    pub fn nonzero(&self) -> impl Iterator<Item = &(String, Vec<(u32, f64)>)> {
        self.stages
            .iter()
            .filter(|(_, pts)| pts.iter().any(|&(_, v)| v > 0.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backlog_means_average_over_replications() {
        let rows = [
            (0, 0, "sort", 2),
            (0, 0, "xray", 0),
            (0, 1, "sort", 4),
            (1, 0, "sort", 4),
            (1, 1, "sort", 0),
        ];
        let b = Backlog::from_rows(rows.into_iter());
        assert_eq!(b.stages[0], ("sort".to_string(), vec![(0, 3.0), (1, 2.0)]));
        assert_eq!(b.nonzero().count(), 1);
    }

    #[test]
    fn backlog_csv_errors_name_the_line() {
        let e = Backlog::parse_csv(
            "replication,hour,stage,parcels_waiting\n0,0,sort,x\n",
            "b.csv",
        )
        .unwrap_err();
        assert!(e.to_string().contains("b.csv:2"), "{e}");
        assert!(Backlog::parse_csv("nope\n", "b.csv").is_err());
    }

    #[test]
    fn documents_of_neither_kind_are_refused_with_the_reason() {
        let e = parse("[1, 2]", "x.json").unwrap_err().to_string();
        assert!(e.starts_with("x.json: expected a JSON object"), "{e}");
        let e = parse("{\"a\": 1}", "x.json").unwrap_err().to_string();
        assert!(e.contains("not a clearsim result"), "{e}");
        let e = parse("{\"points\": [], \"parameters\": []}", "x.json")
            .unwrap_err()
            .to_string();
        assert!(e.contains("sweep") && e.contains("missing field"), "{e}");
        let e = parse("{\"rows\": []}", "x.json").unwrap_err().to_string();
        assert!(e.contains("missing field"), "{e}");
        let e = parse("{", "x.json").unwrap_err().to_string();
        assert!(e.contains("not a JSON document"), "{e}");
    }
}
