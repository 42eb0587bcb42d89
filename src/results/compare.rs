//! The `compare --json` document of two scenarios.
//!
//! Paired differences of the headline figures, stations and gateways by name, and both runs'
//! summaries.

use serde::{Deserialize, Serialize};

use super::figures::Level;
use super::metric::Metric;
use super::run::{Precision, RunSummary, ScenarioId, WarmupChoice, Warning};
use super::uncertainty::CompareUncertainty;

/// One headline figure compared.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompareRow {
    /// What is compared, e.g. `clearance_hours.mean`.
    pub metric: Metric,
    /// Its unit.
    pub unit: String,
    /// Scenario A.
    pub a: Level,
    /// Scenario B.
    pub b: Level,
    /// B − A, mean of the paired differences with its 95% interval.
    pub difference: Level,
    /// (B − A) / A.
    pub relative_change: f64,
    /// The 95% interval of the relative change: that of the ratio mean(B) / mean(A) by the
    /// delta method on its log ([`crate::stats::ratio_interval95`]), less 1, so never below
    /// −100%; `null` when A's mean is not positive or B's is negative, or with one replication
    /// (absent in documents written before it existed).
    #[serde(default)]
    pub relative_change_ci95: Option<[f64; 2]>,
    /// True when the 95% interval of the difference excludes 0 and the difference is not
    /// smaller than the precision it is printed at (see `compare::real_difference`).
    pub significant: bool,
    /// The 95% interval of B − A had the two scenarios been run with independent seeds
    /// (Welch, from the same replications): the price of not pairing.
    #[serde(default)]
    pub independent_ci95: Option<[f64; 2]>,
    /// In a comparison of several alternatives with one base: the interval of B − A widened
    /// for the number of comparisons (absent in a comparison of two scenarios).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adjusted: Option<Adjusted>,
}

/// A difference's interval adjusted for making several comparisons at once.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Adjusted {
    /// The Bonferroni interval: each of m comparisons at level 1 − 0.05/m, so that all m
    /// intervals hold together with at least 95% probability.
    pub ci95: Option<[f64; 2]>,
    /// True when the adjusted interval excludes 0.
    pub significant: bool,
}

/// A money figure of A and B in different currencies: each in its own, and no difference.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UndifferencedRow {
    /// What is compared, e.g. `cost_per_parcel.total`.
    pub metric: Metric,
    /// Scenario A, in `unit_a`.
    pub a: Level,
    /// A's currency.
    pub unit_a: String,
    /// Scenario B, in `unit_b`.
    pub b: Level,
    /// B's currency.
    pub unit_b: String,
    /// Why no difference is given.
    pub reason: String,
}

/// One figure of one station in A and B; `null` on a side without that station.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StationFigure {
    /// Scenario A.
    #[serde(default)]
    pub a: Option<Level>,
    /// Scenario B.
    #[serde(default)]
    pub b: Option<Level>,
    /// B − A (paired when the comparison is), with its 95% interval; `null` when a side lacks
    /// the station.
    #[serde(default)]
    pub difference: Option<Level>,
    /// True when the 95% interval of the difference excludes 0.
    #[serde(default)]
    pub significant: bool,
}

/// A station compared by name.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StationRow {
    /// Station name (the same in A and B).
    pub station: String,
    /// Busy over on-duty server-hours.
    pub utilization: StationFigure,
    /// Mean wait of the parcels (entities) it held [h].
    pub mean_wait_hours: StationFigure,
}

/// A gateway of both networks compared by name.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GatewayRow {
    /// Gateway name (the same in A and B).
    pub gateway: String,
    /// Mean arrival → release at the gateway [h], per replication.
    pub clearance_hours: StationFigure,
}

/// The comparison of two scenarios: what `clearsim compare --json` prints.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// Version of clearsim.
    pub clearsim_version: String,
    /// Scenario A (the baseline).
    pub a: ScenarioId,
    /// Scenario B.
    pub b: ScenarioId,
    /// The seed both ran with.
    pub seed: u64,
    /// Replications of each (paired by index when `paired`).
    pub replications: u32,
    /// Whether A and B draw the same parcels (the same demand), so that differences are
    /// paired replication by replication (common random numbers). When false, differences
    /// and their intervals are of independent samples (Welch). Older documents always were
    /// paired.
    #[serde(default = "yes")]
    pub paired: bool,
    /// Why the comparison is paired or not, in a sentence.
    #[serde(default)]
    pub pairing: String,
    /// Warm-up of A and B [h].
    pub warmup_hours: [f64; 2],
    /// Horizon of A and B [h].
    pub horizon_hours: [Option<f64>; 2],
    /// One row per headline figure.
    pub rows: Vec<CompareRow>,
    /// Money figures not differenced because A and B use different currencies.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_differenced: Vec<UndifferencedRow>,
    /// Every station of A or B, by name.
    #[serde(default)]
    pub stations: Vec<StationRow>,
    /// When A and B are both networks with the same gateways and lanes: each gateway's mean
    /// clearance, B − A paired as the stations are; absent otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gateways: Vec<GatewayRow>,
    /// A's and B's warnings (see `warnings` of a run), each message saying which side.
    #[serde(default)]
    pub warnings: Vec<Warning>,
    /// With `--precision`: the target on the headline figure of A and of B (the larger of the
    /// two relative half-widths is reported) and how many paired replications it took.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<Precision>,
    /// With `--warmup auto`: the larger of A's and B's chosen warm-ups, used for both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warmup: Option<WarmupChoice>,
    /// With `--uncertainty N`: the range of each difference over plausible inputs and how often
    /// its sign holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uncertainty: Option<CompareUncertainty>,
    /// Both runs' summaries (the `run --json` document of each), so that a saved comparison
    /// can be reported in full: in what `compare --json` prints, absent in the comparisons of
    /// a multi-way comparison (and in documents written before they were added).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summaries: Option<SummaryPair>,
}

/// The summaries of scenario A and B.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SummaryPair {
    /// Scenario A's.
    pub a: RunSummary,
    /// Scenario B's.
    pub b: RunSummary,
}

fn yes() -> bool {
    true
}

impl Comparison {
    /// The row of `metric`, if the comparison has it.
    pub fn row(&self, metric: &Metric) -> Option<&CompareRow> {
        self.rows.iter().find(|r| r.metric == *metric)
    }
}
