//! The result documents a report reads: `run --json` (`summary.json`) and `compare --json`, as
//! the JSON contract of docs/output.md describes them, plus the tidy `backlog.csv`.
//!
//! These are the report's own read-only views of the contract (owned strings, unknown keys
//! ignored), so a report is drawn the same way from a live run and from a saved file: the live
//! path serialises its summary and reads it back through here.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::experiment::BacklogRow;

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

/// `{ mean, ci95 }`: a figure with its 95% interval across replications.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct LevelDoc {
    /// Mean across replications.
    pub mean: f64,
    /// 95% interval; `None` with one replication.
    #[serde(default)]
    pub ci95: Option<[f64; 2]>,
}

/// A duration statistic [h].
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct StatDoc {
    /// Mean of the replication means [h].
    pub mean: f64,
    /// Its 95% interval [h].
    #[serde(default)]
    pub ci95: Option<[f64; 2]>,
    /// Median [h].
    pub p50: f64,
    /// 90th percentile [h].
    pub p90: f64,
    /// 95th percentile [h].
    pub p95: f64,
    /// 99th percentile [h].
    pub p99: f64,
    /// Largest observation [h].
    pub max: f64,
    /// Observations pooled over replications.
    pub count: u64,
}

/// `{ name, sha256 }` of a scenario file.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct ScenarioRef {
    /// Scenario name.
    pub name: String,
    /// SHA-256 of the file.
    pub sha256: String,
}

/// One entry of `stages`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct StageDoc {
    /// Stage, station or TRS segment name.
    pub name: String,
    /// `trs_segment`, `queue`, `delay`, `batch` or `departures`.
    pub kind: String,
    /// Time spent there [h].
    pub time_in_stage_hours: StatDoc,
    /// Wait before service [h].
    pub wait_hours: StatDoc,
    /// Busy over on-duty server-hours (queues).
    #[serde(default)]
    pub utilization: Option<LevelDoc>,
    /// Time-average number waiting.
    pub queue_length: LevelDoc,
}

/// `metrics.released_within`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct ReleasedDoc {
    /// Within 1 h.
    #[serde(rename = "1h")]
    pub h1: LevelDoc,
    /// Within 24 h.
    #[serde(rename = "24h")]
    pub h24: LevelDoc,
    /// Within 48 h.
    #[serde(rename = "48h")]
    pub h48: LevelDoc,
}

/// `metrics`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct MetricsDoc {
    /// Creation → leaving the network [h].
    pub time_in_system_hours: StatDoc,
    /// Entities leaving per hour.
    pub throughput_per_hour: LevelDoc,
    /// Parcel world: arrival → release [h].
    #[serde(default)]
    pub clearance_hours: Option<StatDoc>,
    /// Parcel world: order → delivered [h].
    #[serde(default)]
    pub end_to_end_hours: Option<StatDoc>,
    /// Parcel world: released within 1, 24, 48 h.
    #[serde(default)]
    pub released_within: Option<ReleasedDoc>,
}

/// `cost_per_parcel`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct CostDoc {
    /// All categories.
    pub total: LevelDoc,
    /// By category.
    pub breakdown: BTreeMap<String, LevelDoc>,
}

/// `revenue_per_parcel`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct RevenueDoc {
    /// Duty.
    pub duty: LevelDoc,
    /// VAT.
    pub vat: LevelDoc,
}

/// `bottleneck`: the station that adds the most delay to the average parcel.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct BottleneckDoc {
    /// The station.
    pub station: String,
    /// Its utilisation.
    pub utilization: LevelDoc,
    /// Hours of waiting there per completed parcel (absent in older documents).
    #[serde(default)]
    pub delay_per_parcel_hours: Option<LevelDoc>,
    /// Mean wait of the parcels it held [h].
    #[serde(default)]
    pub mean_wait_hours: Option<LevelDoc>,
    /// p95 wait of the parcels it held [h].
    #[serde(default)]
    pub p95_wait_hours: Option<f64>,
    /// Share of parcels that passed through it.
    #[serde(default)]
    pub share_of_parcels: Option<f64>,
    /// The station whose parcels wait longest, when another.
    #[serde(default)]
    pub longest_wait: Option<LongestWaitDoc>,
}

/// `bottleneck.longest_wait`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct LongestWaitDoc {
    /// The station.
    pub station: String,
    /// Mean wait of the parcels it held [h].
    pub mean_wait_hours: LevelDoc,
    /// p95 of that wait [h].
    pub p95_wait_hours: f64,
    /// Share of parcels that passed through it.
    pub share_of_parcels: f64,
}

/// One entry of `warnings`: a sign that the figures are not final.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct WarningDoc {
    /// E.g. `not_filled`, `overloaded`.
    pub code: String,
    /// The sentence to show.
    pub message: String,
}

/// One bin of `distribution.bins`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct BinDoc {
    /// Lower edge [h].
    pub lower_h: f64,
    /// Upper edge [h].
    pub upper_h: f64,
    /// Share of observations.
    pub share: f64,
}

/// `distribution`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct DistributionDoc {
    /// Which duration.
    pub metric: String,
    /// The bins.
    pub bins: Vec<BinDoc>,
}

/// `parcels`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct ParcelsDoc {
    /// Created.
    pub created: u64,
    /// Delivered.
    pub delivered: u64,
    /// Still in the system at the end.
    pub in_system: u64,
    /// Seized or blocked.
    pub seized: u64,
    /// Refused as oversize at the gateway (absent in documents of older versions: 0).
    #[serde(default)]
    pub oversize_refused: u64,
}

/// The `run --json` document (`summary.json`), as much of it as a report needs.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct RunDoc {
    /// Version that wrote it.
    pub clearsim_version: String,
    /// The scenario.
    pub scenario: ScenarioRef,
    /// Master seed.
    pub seed: u64,
    /// Replications.
    pub replications: u32,
    /// Warm-up [h].
    pub warmup_hours: f64,
    /// Horizon [h].
    #[serde(default)]
    pub horizon_hours: Option<f64>,
    /// Entity counts.
    pub parcels: ParcelsDoc,
    /// Stages in file order (parcel world: TRS segments, then stations).
    pub stages: Vec<StageDoc>,
    /// End-to-end figures.
    pub metrics: MetricsDoc,
    /// Currency of every amount.
    #[serde(default)]
    pub currency: Option<String>,
    /// Cost per delivered parcel.
    #[serde(default)]
    pub cost_per_parcel: Option<CostDoc>,
    /// Duty and VAT per delivered parcel.
    #[serde(default)]
    pub revenue_per_parcel: Option<RevenueDoc>,
    /// Delivered per day.
    #[serde(default)]
    pub throughput_per_day: Option<LevelDoc>,
    /// The busiest station.
    #[serde(default)]
    pub bottleneck: Option<BottleneckDoc>,
    /// The headline duration's bins (absent in documents written before it existed).
    #[serde(default)]
    pub distribution: Option<DistributionDoc>,
    /// The network's figures (absent for a one-chain world, and in documents written before
    /// networks): the summary's own types, read back as written.
    #[serde(default)]
    pub network: Option<crate::experiment::network_summary::NetworkSummary>,
    /// Signs that the figures are not final.
    #[serde(default)]
    pub warnings: Vec<WarningDoc>,
    /// `run --uncertainty N`: the band of every headline figure over plausible inputs.
    #[serde(default)]
    pub uncertainty: Option<UncertaintyDoc>,
}

impl RunDoc {
    /// Whether the document is a parcel world's (it has a clearance time).
    pub fn is_world(&self) -> bool {
        self.metrics.clearance_hours.is_some()
    }

    /// The headline duration: clearance for a parcel world, time in system otherwise.
    pub fn headline(&self) -> &StatDoc {
        self.metrics
            .clearance_hours
            .as_ref()
            .unwrap_or(&self.metrics.time_in_system_hours)
    }
}

/// One row of a comparison.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct RowDoc {
    /// E.g. `clearance_hours.p50`.
    pub metric: String,
    /// `h`, `share`, `1/h` or the currency.
    pub unit: String,
    /// Scenario A.
    pub a: LevelDoc,
    /// Scenario B.
    pub b: LevelDoc,
    /// Paired difference B − A.
    pub difference: LevelDoc,
    /// (B − A) / A.
    pub relative_change: f64,
    /// The 95% interval of (B − A) / A, never below −1 (absent in older documents).
    #[serde(default)]
    pub relative_change_ci95: Option<[f64; 2]>,
    /// The paired interval excludes 0.
    pub significant: bool,
    /// The interval independent seeds would have given.
    #[serde(default)]
    pub independent_ci95: Option<[f64; 2]>,
    /// In a comparison of several alternatives: the interval adjusted for their number.
    #[serde(default)]
    pub adjusted: Option<AdjustedDoc>,
}

/// The `adjusted` interval of a row of a multi-way comparison.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct AdjustedDoc {
    /// The Bonferroni interval.
    pub ci95: Option<[f64; 2]>,
    /// It excludes 0.
    pub significant: bool,
}

fn yes() -> bool {
    true
}

/// One entry of `not_differenced`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct UndifferencedDoc {
    /// E.g. `cost_per_parcel.total`.
    pub metric: String,
    /// Scenario A.
    pub a: LevelDoc,
    /// A's currency.
    pub unit_a: String,
    /// Scenario B.
    pub b: LevelDoc,
    /// B's currency.
    pub unit_b: String,
    /// Why no difference.
    pub reason: String,
}

/// One figure of a station in A and B.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct StationFigureDoc {
    /// Scenario A; `None` without the station.
    #[serde(default)]
    pub a: Option<LevelDoc>,
    /// Scenario B.
    #[serde(default)]
    pub b: Option<LevelDoc>,
    /// B − A.
    #[serde(default)]
    pub difference: Option<LevelDoc>,
    /// The interval excludes 0.
    #[serde(default)]
    pub significant: bool,
}

/// One entry of `stations` of a comparison.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct StationRowDoc {
    /// The station.
    pub station: String,
    /// Utilisation.
    pub utilization: StationFigureDoc,
    /// Mean wait [h].
    pub mean_wait_hours: StationFigureDoc,
}

/// One entry of `gateways` of a comparison.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct GatewayRowDoc {
    /// The gateway.
    pub gateway: String,
    /// Mean clearance at the gateway [h].
    pub clearance_hours: StationFigureDoc,
}

/// `summaries` of a comparison.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct SummariesDoc {
    /// Scenario A's run.
    pub a: RunDoc,
    /// Scenario B's run.
    pub b: RunDoc,
}

/// The 5–95% band of one headline figure (or difference) over plausible inputs.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct BandDoc {
    /// E.g. `clearance_hours.mean`.
    pub metric: String,
    /// `h`, `share` or the currency.
    pub unit: String,
    /// 5th percentile over the draws.
    pub p5: f64,
    /// Median over the draws.
    pub p50: f64,
    /// 95th percentile over the draws.
    pub p95: f64,
}

/// How often a difference kept the sign of the file's comparison over the draws.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct DecisionDoc {
    /// E.g. `clearance_hours.mean`.
    pub metric: String,
    /// Draws with the same sign.
    pub same_sign: usize,
    /// Draws made.
    pub draws: usize,
}

/// `uncertainty` of a run or a comparison: Latin hypercube draws of the uncertain inputs.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct UncertaintyDoc {
    /// `Latin hypercube`.
    pub method: String,
    /// Draws made.
    pub draws: usize,
    /// The uncertain inputs' keys.
    pub inputs: Vec<String>,
    /// Per headline figure (of a run) or difference (of a comparison), its band.
    pub bands: Vec<BandDoc>,
    /// Per difference of a comparison, how often its sign held; empty for a run.
    #[serde(default)]
    pub decisions: Vec<DecisionDoc>,
    /// What the band covers, in a sentence.
    pub covers: String,
}

/// The `compare --json` document.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct CompareDoc {
    /// Version that wrote it.
    pub clearsim_version: String,
    /// Scenario A (the baseline).
    pub a: ScenarioRef,
    /// Scenario B.
    pub b: ScenarioRef,
    /// The common seed.
    pub seed: u64,
    /// Paired replications.
    pub replications: u32,
    /// Warm-up of A and B [h].
    pub warmup_hours: [f64; 2],
    /// Horizon of A and B [h].
    pub horizon_hours: [Option<f64>; 2],
    /// Whether differences are paired (A and B share their demand); older documents always
    /// were.
    #[serde(default = "yes")]
    pub paired: bool,
    /// Why paired or not.
    #[serde(default)]
    pub pairing: String,
    /// One row per headline figure.
    pub rows: Vec<RowDoc>,
    /// Money figures in two currencies, not differenced.
    #[serde(default)]
    pub not_differenced: Vec<UndifferencedDoc>,
    /// Each station by name.
    #[serde(default)]
    pub stations: Vec<StationRowDoc>,
    /// Each gateway's clearance by name, when both are networks of the same gateways and
    /// lanes (absent otherwise, and in older documents).
    #[serde(default)]
    pub gateways: Vec<GatewayRowDoc>,
    /// A's and B's warnings.
    #[serde(default)]
    pub warnings: Vec<WarningDoc>,
    /// Both runs' summaries (absent in documents written before they were added).
    #[serde(default)]
    pub summaries: Option<SummariesDoc>,
    /// `compare --uncertainty N`: the band of every difference over plausible inputs.
    #[serde(default)]
    pub uncertainty: Option<UncertaintyDoc>,
}

impl CompareDoc {
    /// The row of `metric`, if the comparison has it.
    pub fn row(&self, metric: &str) -> Option<&RowDoc> {
        self.rows.iter().find(|r| r.metric == metric)
    }
}

/// A result document of either kind.
#[derive(Clone, Debug, PartialEq)]
pub enum ResultDoc {
    /// `run --json` / `summary.json`.
    Run(Box<RunDoc>),
    /// `compare --json`.
    Compare(Box<CompareDoc>),
    /// A sweep's `summary.json`.
    Sweep(Box<super::sweep_report::SweepDoc>),
    /// `stress --json` / `stress.json`.
    Stress(Box<super::sweep_report::StressDoc>),
    /// `compare --json` of a base and several alternatives.
    Many(Box<super::many_report::ManyDoc>),
    /// `sensitivity --json`.
    Sensitivity(Box<super::sensitivity_report::SensitivityDoc>),
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
        return Ok(ResultDoc::Sweep(Box::new(
            super::sweep_report::parse_sweep(text, file)?,
        )));
    }
    if object.contains_key("curve") && object.contains_key("limit") {
        return Ok(ResultDoc::Stress(Box::new(
            super::sweep_report::parse_stress(text, file)?,
        )));
    }
    if object.get("kind").and_then(serde_json::Value::as_str) == Some("sensitivity") {
        let doc: super::sensitivity_report::SensitivityDoc =
            serde_json::from_str(text).map_err(|e| {
                invalid(format!(
                    "looks like a `clearsim sensitivity --json` document but {e}"
                ))
            })?;
        return Ok(ResultDoc::Sensitivity(Box::new(doc)));
    }
    if object.contains_key("alternatives") && object.contains_key("ranking") {
        let doc: super::many_report::ManyDoc = serde_json::from_str(text).map_err(|e| {
            invalid(format!(
                "looks like a `clearsim compare --json` document of several alternatives (it has `alternatives` and `ranking`) but {e}"
            ))
        })?;
        return Ok(ResultDoc::Many(Box::new(doc)));
    }
    if object.contains_key("rows") {
        let doc: CompareDoc = serde_json::from_str(text).map_err(|e| {
            invalid(format!(
                "looks like a `clearsim compare --json` document (it has `rows`) but {e}"
            ))
        })?;
        Ok(ResultDoc::Compare(Box::new(doc)))
    } else if object.contains_key("stages") && object.contains_key("metrics") {
        let doc: RunDoc = serde_json::from_str(text).map_err(|e| {
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
