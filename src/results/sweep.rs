//! A sweep's `summary.json`: the headline figures at every point of the grid.

use serde::{Deserialize, Serialize};

use super::figures::Level;
use super::metric::Metric;
use super::run::{RunSummary, ScenarioId};

/// A headline figure at one point: mean and 95% interval across replications.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PointMetric {
    /// Its name, e.g. `clearance_hours.p95` (a quantile is averaged over replications).
    pub metric: Metric,
    /// Its unit.
    pub unit: String,
    /// Mean and interval.
    #[serde(flatten)]
    pub level: Level,
    /// With `--baseline`: this point minus the baseline point, with its 95% interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vs_baseline: Option<BaselineDifference>,
}

/// A point's difference from the sweep's baseline point on one figure.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BaselineDifference {
    /// Mean of point − baseline, replication by replication when the two share their demand
    /// (common random numbers: every point runs with the same seeds).
    pub mean: f64,
    /// Its 95% interval: paired, or Welch's when the point's demand differs.
    #[serde(default)]
    pub ci95: Option<[f64; 2]>,
    /// True when the interval excludes 0.
    pub significant: bool,
    /// Whether the difference is paired.
    #[serde(default)]
    pub paired: bool,
}

/// One point of a sweep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepPoint {
    /// Its index (row-major over the axes, or the zip position).
    pub index: usize,
    /// The value of each parameter, in the order of `parameters`.
    pub values: Vec<String>,
    /// Headline figures.
    pub metrics: Vec<PointMetric>,
    /// The full summary of the point's run, as `clearsim run --json` would print it.
    #[serde(default)]
    pub summary: RunSummary,
}

/// What `sweep` writes to `summary.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepSummary {
    /// Version of clearsim.
    pub clearsim_version: String,
    /// The scenario file swept.
    pub scenario: ScenarioId,
    /// Master seed of every point.
    pub seed: u64,
    /// Replications per point.
    pub replications: u32,
    /// Swept keys.
    pub parameters: Vec<String>,
    /// Overrides applied at every point.
    #[serde(default)]
    pub fixed: Vec<String>,
    /// With `--baseline`: the index of the point every other is differenced from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<usize>,
    /// Every point.
    pub points: Vec<SweepPoint>,
}
