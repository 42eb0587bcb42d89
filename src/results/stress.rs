//! The `stress --json` document: the largest demand that holds a limit.
//!
//! The limited figure against the demand multiplier, and the conditions at the maximum.

use serde::{Deserialize, Serialize};

use super::figures::Level;
use super::run::{Bottleneck, RunSummary, ScenarioId};

/// One point of the curve: the figure against the demand multiplier.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CurvePoint {
    /// Demand multiplier.
    pub multiplier: f64,
    /// Parcels (or entities) offered per day.
    pub demand_per_day: f64,
    /// The limited figure, mean and 95% interval across replications.
    pub value: Level,
    /// Share of replications acceptable there (limit met and stable).
    pub acceptable_share: f64,
    /// Highest offered load of any stage (ρ).
    pub max_offered_load: f64,
}

/// Why the search ended where it did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The limit binds inside the range.
    Found,
    /// Acceptable up to the top of the range in every replication: the true maximum is at least
    /// that.
    AtUpperEnd,
    /// The limit is still met where stability ends: every replication stopped because more
    /// demand is not sustainable (offered load ≥ 0.99 without a draining backlog, or the
    /// stability bound), not because of the limit. The answer is the stability cap.
    CappedByStability,
    /// Not acceptable even at the bottom of the range in some replication.
    NoneAcceptable,
}

/// Conditions at the multiplier found.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AtMaximum {
    /// The multiplier run (the mean of the replications' maxima).
    pub multiplier: f64,
    /// The limited figure there.
    pub value: Level,
    /// The busiest station or stage and its utilisation.
    #[serde(default)]
    pub bottleneck: Option<Bottleneck>,
    /// Parcel world: hours from the largest backlog to its return to the usual level (the
    /// median backlog of the run, +10%); over the replications that drained before the horizon.
    #[serde(default)]
    pub drain_hours: Option<Level>,
    /// Replications whose backlog drained before the horizon.
    pub drained_replications: u32,
    /// The full summary of the run there.
    #[serde(default)]
    pub summary: RunSummary,
}

/// What `clearsim stress` reports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StressResult {
    /// Version of clearsim.
    pub clearsim_version: String,
    /// The scenario.
    pub scenario: ScenarioId,
    /// Master seed.
    pub seed: u64,
    /// Replications.
    pub replications: u32,
    /// The limit, as text.
    pub limit: String,
    /// Its unit.
    pub unit: String,
    /// Multipliers searched.
    pub range: [f64; 2],
    /// Multiplier at which the highest offered load reaches 1: demand at or above it is never
    /// stable.
    pub stability_bound: f64,
    /// Demand per day at multiplier 1 (parcels for a parcel world, entities for a network).
    pub demand_per_day_at_1: f64,
    /// How the search ended.
    pub outcome: Outcome,
    /// With [`Outcome::CappedByStability`]: the multiplier at which stability capped the answer
    /// (the mean of the replications' maxima), so the text says "capped by stability at …".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capped_by_stability: Option<f64>,
    /// Width of the bracket each replication's maximum was narrowed to (the grid cell over
    /// 2^bisection steps): the true maximum lies within one resolution above the reported one.
    #[serde(default)]
    pub resolution: f64,
    /// Largest acceptable multiplier, mean and 95% interval across replications.
    pub max_multiplier: Level,
    /// The same as demand per day: the maximum sustainable parcels per day.
    pub max_demand_per_day: Level,
    /// Each replication's largest acceptable multiplier.
    #[serde(default)]
    pub per_replication: Vec<f64>,
    /// The figure against the multiplier.
    pub curve: Vec<CurvePoint>,
    /// Conditions at the maximum found.
    pub at_maximum: AtMaximum,
}
