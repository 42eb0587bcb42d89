//! Observed Time Release Study samples: a CSV of one row per item and its milestones, read into validated items.
//!
//! This is raw input becoming validated data, so it lives in `scenario/` beside the scenario
//! file's reader: nothing downstream (`calibrate/`, `experiment::validate`) re-checks a row.
//!
//! The format (docs/output.md, "Milestones CSV"): a header row, then one row per declaration or
//! parcel. `arrival` and `release` are required columns; `lodgement`, `assessment`,
//! `documentary_check`, `inspection`, `exit` are optional milestones, and an empty cell is a
//! milestone the item did not pass (a green item has no inspection). Times are either hours as
//! numbers (time 0 = Monday 00:00, the scenario clock) or ISO 8601 local date-times
//! (`2013-09-02T08:15:00`, seconds optional), one form per file. `channel`, `risk`, `mode`,
//! `declaration_type`, `value` and `id` are optional attributes; other columns are ignored and
//! named in [`ObservedSample::ignored_columns`].

use std::path::Path;

use super::parcel::Channel;

/// Milestone columns after `arrival`, in TRS order; the first five end the TRS segments of
/// [`crate::model::parcel::TRS_SEGMENTS`], `exit` ends release → gate-out.
pub const MILESTONES: [&str; 6] = [
    "lodgement",
    "assessment",
    "documentary_check",
    "inspection",
    "release",
    "exit",
];

/// Attribute columns a file may carry.
pub const ATTRIBUTES: [&str; 6] = ["id", "channel", "risk", "mode", "declaration_type", "value"];

/// Values of the `channel` column (the keys of `import.channels`).
pub const CHANNELS: [&str; 3] = ["paper", "electronic", "pre_arrival"];

/// Values of the `risk` column (the keys of `import.risk`).
pub const RISKS: [&str; 3] = ["green", "yellow", "red"];

/// Values of the `mode` column (the keys of a platform's `modes`).
pub const MODES: [&str; 4] = ["b2c_9610", "b2b_9710", "warehouse_9810", "bonded_1210"];

/// Monday 2000-01-03 00:00: date-times become hours since it, so that `⌊h / 24⌋ mod 7` is the
/// weekday (0 = Monday) in either time form.
const EPOCH: jiff::civil::DateTime = jiff::civil::date(2000, 1, 3).at(0, 0, 0, 0);

/// What to do with a row that breaks a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BadRows {
    /// Refuse the file, naming every bad row (up to [`LISTED`]).
    Refuse,
    /// Leave the bad rows out, count them and name each (up to [`LISTED`]).
    Skip,
}

impl std::str::FromStr for BadRows {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "refuse" => Ok(BadRows::Refuse),
            "skip" => Ok(BadRows::Skip),
            other => Err(format!("`{other}`: expected refuse or skip")),
        }
    }
}

/// Bad rows named in a message; the rest are counted.
pub const LISTED: usize = 20;

/// How the file writes its times.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum TimeForm {
    /// Hours as numbers, time 0 = Monday 00:00.
    Hours,
    /// ISO 8601 local date-times.
    DateTime,
}

/// One released item, validated.
#[derive(Clone, Debug, PartialEq)]
pub struct ObservedItem {
    /// Line of the file (the header is line 1).
    pub line: u64,
    /// Arrival [h] (hours since Monday 00:00 of some week: its weekday and hour are right).
    pub arrival_h: f64,
    /// TRS segments in [`crate::model::parcel::TRS_SEGMENTS`] order [h]; `None` where a
    /// milestone bounding it is missing. Each milestone is clamped to follow the previous one,
    /// as the model does: a lodgement before arrival (pre-arrival) is a lodgement segment of 0.
    pub segments: [Option<f64>; 5],
    /// Arrival → release [h].
    pub clearance_h: f64,
    /// Release → exit [h], if the exit is given.
    pub exit_h: Option<f64>,
    /// Declaration channel, if given.
    pub channel: Option<Channel>,
    /// Risk lane (0 green, 1 yellow, 2 red), if given.
    pub risk: Option<u8>,
    /// Customs mode, one of [`MODES`], if given.
    pub mode: Option<&'static str>,
    /// Declaration type as written, if given.
    pub declaration_type: Option<String>,
    /// Declared value (≥ 0), if given.
    pub value: Option<f64>,
}

/// A row that broke a rule: where and what.
#[derive(Clone, Debug, PartialEq)]
pub struct BadRow {
    /// Line of the file.
    pub line: u64,
    /// The column at fault (`-` when the row as a whole is).
    pub column: String,
    /// What was wrong and what is allowed.
    pub problem: String,
}

impl std::fmt::Display for BadRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}, column `{}`: {}",
            self.line, self.column, self.problem
        )
    }
}

/// A validated sample.
#[derive(Clone, Debug)]
pub struct ObservedSample {
    /// The file, as given.
    pub file: String,
    /// Released items, in file order.
    pub items: Vec<ObservedItem>,
    /// Rows left out under [`BadRows::Skip`].
    pub skipped: Vec<BadRow>,
    /// Rows without a release (not released within the study): kept out of every figure.
    pub unreleased: u64,
    /// How times are written.
    pub time_form: TimeForm,
    /// Columns the file has, in file order.
    pub columns: Vec<String>,
    /// Columns clearsim does not read.
    pub ignored_columns: Vec<String>,
}

impl ObservedSample {
    /// True when the file has the column `name`.
    pub fn has(&self, name: &str) -> bool {
        self.columns.iter().any(|c| c == name)
    }
}

/// Why a sample could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ObservedError {
    /// The file could not be read.
    #[error("{file}: cannot read: {reason}")]
    Read {
        /// The file.
        file: String,
        /// The system's reason.
        reason: String,
    },
    /// The file as a whole is wrong (empty, header only, a column missing).
    #[error("{file}: {problem}")]
    File {
        /// The file.
        file: String,
        /// What was wrong and what is expected.
        problem: String,
    },
    /// Rows broke a rule and the user chose to refuse them.
    #[error("{file}: {count} bad row{s} (refused; `--bad-rows skip` leaves them out and counts them):\n{listed}", s = if *.count == 1 { "" } else { "s" })]
    BadRows {
        /// The file.
        file: String,
        /// How many rows.
        count: usize,
        /// The first [`LISTED`], one per line, `file:line: column …`.
        listed: String,
    },
}

/// Names of the milestone and attribute columns, for messages.
fn allowed_columns() -> String {
    let mut all = vec!["arrival"];
    all.extend(MILESTONES);
    all.extend(ATTRIBUTES);
    all.join(", ")
}

/// Lists `rows` one per line as `file:line: column …`, at most [`LISTED`], then a count.
pub fn list_rows(file: &str, rows: &[BadRow]) -> String {
    let mut out: Vec<String> = rows
        .iter()
        .take(LISTED)
        .map(|r| format!("  {file}:{}: column `{}`: {}", r.line, r.column, r.problem))
        .collect();
    if rows.len() > LISTED {
        out.push(format!("  … and {} more", rows.len() - LISTED));
    }
    out.join("\n")
}

/// Reads and validates the sample in `path`.
pub fn read(path: &Path, bad_rows: BadRows) -> Result<ObservedSample, ObservedError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| ObservedError::Read {
        file: file.clone(),
        reason: e.to_string(),
    })?;
    parse(&file, &bytes, bad_rows)
}

/// Validates the CSV `bytes` of the file named `file`.
pub fn parse(file: &str, bytes: &[u8], bad_rows: BadRows) -> Result<ObservedSample, ObservedError> {
    let fail = |problem: String| ObservedError::File {
        file: file.to_string(),
        problem,
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(fail(format!(
            "the file is empty: expected a header row naming at least `arrival` and `release` (columns: {})",
            allowed_columns()
        )));
    }
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let header = reader
        .headers()
        .map_err(|e| fail(format!("line 1: cannot read the header row: {e}")))?
        .clone();
    let columns: Vec<String> = header.iter().map(|c| c.to_ascii_lowercase()).collect();
    // One pass with a set, so that a header of a million columns is checked in linear time.
    let mut seen = std::collections::HashSet::with_capacity(columns.len());
    for c in &columns {
        if !seen.insert(c.as_str()) {
            return Err(fail(format!(
                "line 1: column `{c}` appears twice; name each column once"
            )));
        }
    }
    let index = |name: &str| columns.iter().position(|c| c == name);
    for required in ["arrival", "release"] {
        if index(required).is_none() {
            return Err(fail(format!(
                "line 1: no `{required}` column (the header has: {}); `arrival` and `release` are required, the others optional: {}",
                first_columns(&columns),
                allowed_columns()
            )));
        }
    }
    let known: Vec<&str> = std::iter::once("arrival")
        .chain(MILESTONES)
        .chain(ATTRIBUTES)
        .collect();
    let ignored_columns: Vec<String> = columns
        .iter()
        .filter(|c| !known.contains(&c.as_str()))
        .cloned()
        .collect();
    let cols = Columns {
        arrival: index("arrival").unwrap_or(0),
        milestones: MILESTONES.map(index),
        channel: index("channel"),
        risk: index("risk"),
        mode: index("mode"),
        declaration_type: index("declaration_type"),
        value: index("value"),
        width: columns.len(),
    };
    let mut items = Vec::new();
    let mut bad = Vec::new();
    let mut unreleased = 0;
    let mut form = None;
    let mut rows = 0u64;
    for record in reader.records() {
        rows += 1;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(rows + 1, |p| p.line());
                bad.push(BadRow {
                    line,
                    column: "-".to_string(),
                    problem: format!("cannot read the row: {e}"),
                });
                continue;
            }
        };
        let line = record.position().map_or(rows + 1, |p| p.line());
        match cols.item(&record, line, &mut form) {
            Ok(Some(item)) => items.push(item),
            Ok(None) => unreleased += 1,
            Err(b) => bad.push(b),
        }
    }
    if rows == 0 {
        return Err(fail(
            "the file has a header but no rows: expected one row per item after it".to_string(),
        ));
    }
    if !bad.is_empty() && bad_rows == BadRows::Refuse {
        return Err(ObservedError::BadRows {
            file: file.to_string(),
            count: bad.len(),
            listed: list_rows(file, &bad),
        });
    }
    if items.is_empty() {
        return Err(fail(format!(
            "no released item left to read ({} bad row(s) skipped, {unreleased} without a release)",
            bad.len()
        )));
    }
    Ok(ObservedSample {
        file: file.to_string(),
        items,
        skipped: bad,
        unreleased,
        time_form: form.unwrap_or(TimeForm::Hours),
        columns,
        ignored_columns,
    })
}

/// Where each column is.
struct Columns {
    arrival: usize,
    milestones: [Option<usize>; 6],
    channel: Option<usize>,
    risk: Option<usize>,
    mode: Option<usize>,
    declaration_type: Option<usize>,
    value: Option<usize>,
    width: usize,
}

impl Columns {
    /// The item of one row: `None` when it has no release; a bad row when it breaks a rule.
    fn item(
        &self,
        record: &csv::StringRecord,
        line: u64,
        form: &mut Option<TimeForm>,
    ) -> Result<Option<ObservedItem>, BadRow> {
        let bad = |column: &str, problem: String| BadRow {
            line,
            column: column.to_string(),
            problem,
        };
        if record.len() != self.width {
            return Err(bad(
                "-",
                format!(
                    "the row has {} field(s), the header {}; give every column, empty where unknown",
                    record.len(),
                    self.width
                ),
            ));
        }
        let cell = |i: Option<usize>| i.map(|i| &record[i]).filter(|c| !c.is_empty());
        let arrival_cell = cell(Some(self.arrival))
            .ok_or_else(|| bad("arrival", "empty: every item needs its arrival".to_string()))?;
        let arrival = time(arrival_cell, form).map_err(|p| bad("arrival", p))?;
        let mut at = [None; 6];
        for (k, name) in MILESTONES.iter().enumerate() {
            if let Some(c) = cell(self.milestones[k]) {
                at[k] = Some(time(c, form).map_err(|p| bad(name, p))?);
            }
        }
        let show = |h: f64| format!("{h:.4} h");
        let Some(release) = at[4] else {
            return Ok(None);
        };
        if release < arrival {
            return Err(bad(
                "release",
                format!(
                    "release ({}) before arrival ({}): an item is released at or after its arrival",
                    show(release),
                    show(arrival)
                ),
            ));
        }
        if let Some(t) = at[3].filter(|&t| t < arrival) {
            return Err(bad(
                "inspection",
                format!(
                    "inspection ({}) before arrival ({}): goods are inspected after they arrive",
                    show(t),
                    show(arrival)
                ),
            ));
        }
        if let Some(t) = at[5].filter(|&t| t < release) {
            return Err(bad(
                "exit",
                format!(
                    "exit ({}) before release ({}): goods leave after release",
                    show(t),
                    show(release)
                ),
            ));
        }
        // Milestones present must come in TRS order.
        let mut last: Option<(usize, f64)> = None;
        for (k, m) in at.iter().enumerate().take(5) {
            if let Some(t) = *m {
                if let Some((j, before)) = last
                    && t < before
                {
                    return Err(bad(
                        MILESTONES[k],
                        format!(
                            "{} ({}) before {} ({}): milestones come in the order {}",
                            MILESTONES[k],
                            show(t),
                            MILESTONES[j],
                            show(before),
                            MILESTONES[..5].join(" ≤ ")
                        ),
                    ));
                }
                last = Some((k, t));
            }
        }
        let channel = match cell(self.channel) {
            None => None,
            Some(c) => Some(match c.to_ascii_lowercase().as_str() {
                "paper" => Channel::Paper,
                "electronic" => Channel::Electronic,
                "pre_arrival" => Channel::PreArrival,
                other => {
                    return Err(bad(
                        "channel",
                        format!(
                            "unknown channel `{other}`; allowed: {} (or empty)",
                            CHANNELS.join(", ")
                        ),
                    ));
                }
            }),
        };
        let risk = match cell(self.risk) {
            None => None,
            Some(c) => {
                let c = c.to_ascii_lowercase();
                match RISKS.iter().position(|r| *r == c) {
                    Some(r) => Some(r as u8),
                    None => {
                        return Err(bad(
                            "risk",
                            format!(
                                "unknown risk lane `{c}`; allowed: {} (or empty)",
                                RISKS.join(", ")
                            ),
                        ));
                    }
                }
            }
        };
        let mode = match cell(self.mode) {
            None => None,
            Some(c) => {
                let c = c.to_ascii_lowercase();
                match MODES.iter().find(|m| **m == c) {
                    Some(m) => Some(*m),
                    None => {
                        return Err(bad(
                            "mode",
                            format!(
                                "unknown customs mode `{c}`; allowed: {} (or empty)",
                                MODES.join(", ")
                            ),
                        ));
                    }
                }
            }
        };
        let value = match cell(self.value) {
            None => None,
            Some(c) => match c.parse::<f64>() {
                Ok(v) if v.is_finite() && v >= 0.0 => Some(v),
                _ => {
                    return Err(bad(
                        "value",
                        format!("`{c}` is not a declared value: expected a number ≥ 0"),
                    ));
                }
            },
        };
        // Segments: each milestone clamped to follow the previous one (as the model does).
        // Documentary check and inspection are steps an item may skip: a missing one leaves
        // the chain intact. A missing lodgement or assessment leaves the next segment unknown.
        let mut segments = [None; 5];
        let mut prev = Some(arrival);
        for k in 0..5 {
            match at[k] {
                Some(t) => {
                    if let Some(p) = prev {
                        let t = t.max(p);
                        segments[k] = Some(t - p);
                    }
                    prev = Some(prev.map_or(t, |p| t.max(p)));
                }
                None if k == 2 || k == 3 => {}
                None => prev = None,
            }
        }
        Ok(Some(ObservedItem {
            line,
            arrival_h: arrival,
            segments,
            clearance_h: release - arrival,
            exit_h: at[5].map(|e| e - release),
            channel,
            risk,
            mode,
            declaration_type: cell(self.declaration_type).map(str::to_string),
            value,
        }))
    }
}

/// A time cell in hours: a number, or an ISO 8601 local date-time; the first one read decides
/// the file's form.
fn time(cell: &str, form: &mut Option<TimeForm>) -> Result<f64, String> {
    let (h, this) = if let Ok(h) = cell.parse::<f64>() {
        if !h.is_finite() {
            return Err(format!(
                "`{cell}` is not a time: expected hours as a finite number"
            ));
        }
        (h, TimeForm::Hours)
    } else {
        match cell.parse::<jiff::civil::DateTime>() {
            Ok(dt) => (
                dt.duration_since(EPOCH).as_secs_f64() / 3600.0,
                TimeForm::DateTime,
            ),
            Err(_) => {
                return Err(format!(
                    "`{cell}` is not a time: expected hours as a number (12.5) or an ISO 8601 local date-time (2013-09-02T08:15 or 2013-09-02T08:15:00)"
                ));
            }
        }
    };
    match *form {
        None => *form = Some(this),
        Some(f) if f != this => {
            return Err(format!(
                "`{cell}` mixes time forms: the file's first time is {}, write every time the same way",
                match f {
                    TimeForm::Hours => "in hours",
                    TimeForm::DateTime => "a date-time",
                }
            ));
        }
        Some(_) => {}
    }
    Ok(h)
}

/// The header's first columns, for a message: all of them up to 20, then how many more.
fn first_columns(columns: &[String]) -> String {
    const SHOWN: usize = 20;
    let head = columns[..columns.len().min(SHOWN)].join(", ");
    match columns.len().saturating_sub(SHOWN) {
        0 => head,
        more => format!("{head} and {more} more"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_str(text: &str, how: BadRows) -> Result<ObservedSample, ObservedError> {
        parse("t.csv", text.as_bytes(), how)
    }

    #[test]
    fn date_times_keep_weekday_and_hour() {
        let s = read_str(
            "arrival,release\n2013-09-02T08:15,2013-09-02T10:15:00\n",
            BadRows::Refuse,
        )
        .unwrap();
        let it = &s.items[0];
        assert_eq!(s.time_form, TimeForm::DateTime);
        // 2013-09-02 was a Monday.
        assert_eq!(((it.arrival_h / 24.0).floor() as i64).rem_euclid(7), 0);
        assert!((it.arrival_h.rem_euclid(24.0) - 8.25).abs() < 1e-9);
        assert!((it.clearance_h - 2.0).abs() < 1e-9);
    }

    #[test]
    fn pre_arrival_lodgement_is_a_zero_segment_and_skipped_steps_keep_the_chain() {
        let s = read_str(
            "arrival,lodgement,assessment,documentary_check,inspection,release\n10,8,9,,,12\n",
            BadRows::Refuse,
        )
        .unwrap();
        assert_eq!(
            s.items[0].segments,
            [Some(0.0), Some(0.0), None, None, Some(2.0)]
        );
    }

    #[test]
    fn skipped_rows_are_counted_with_their_lines() {
        let s = read_str(
            "arrival,release,channel\n1,2,electronic\n5,4,paper\n1,2,fax\n",
            BadRows::Skip,
        )
        .unwrap();
        assert_eq!(s.items.len(), 1);
        let lines: Vec<u64> = s.skipped.iter().map(|b| b.line).collect();
        assert_eq!(lines, [3, 4]);
        assert_eq!(s.skipped[1].column, "channel");
    }
}
