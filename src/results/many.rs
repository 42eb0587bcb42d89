//! The `compare --json` document of a base and several alternatives.
//!
//! Each alternative's comparison with the base, with adjusted intervals, and the ranking.

use serde::{Deserialize, Serialize};

use super::compare::Comparison;
use super::figures::Level;
use super::metric::Metric;
use super::run::{Precision, ScenarioId, WarmupChoice};

/// An alternative to the base: a file, or the base with changes (`--alt-set`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Alternative {
    /// Its scenario (named by its changes when it has some).
    pub scenario: ScenarioId,
    /// The `KEY=VALUE` changes made to the base's file, in order; empty for a file of its own.
    #[serde(default)]
    pub changes: Vec<String>,
}

/// How the intervals of several comparisons are adjusted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Adjustment {
    /// `Bonferroni`.
    pub method: String,
    /// Number of comparisons with the base (m).
    pub comparisons: usize,
    /// The level at which all adjusted intervals hold together: 0.95.
    #[serde(default)]
    pub familywise_level: f64,
    /// The level of each adjusted interval: 1 − 0.05/m.
    pub per_comparison_level: f64,
    /// What the intervals cover, in a sentence.
    pub covers: String,
}

/// One option's place in the ranking.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RankedOption {
    /// 1 for the best.
    pub rank: usize,
    /// The option's name.
    pub name: String,
    /// The headline figure: mean and 95% CI across replications (unadjusted).
    pub level: Level,
}

/// The difference between two options on the headline figure, and whether it is real.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PairVerdict {
    /// The option ranked higher.
    pub better: String,
    /// The option ranked lower.
    pub worse: String,
    /// Mean of `worse − better` (paired when both share their demand).
    pub difference: f64,
    /// Holm-adjusted p-value of "no difference" over all pairs of options.
    pub holm_p: f64,
    /// True when `holm_p` is below 0.05.
    pub real: bool,
}

/// The options ranked on the headline figure.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ranking {
    /// The figure, e.g. `clearance_hours.mean` (lower is better).
    pub metric: Metric,
    /// Its unit.
    pub unit: String,
    /// Best first.
    pub options: Vec<RankedOption>,
    /// Every pair of options, best pairs first.
    pub pairs: Vec<PairVerdict>,
    /// The ranking and which differences are real, in words.
    pub statement: String,
}

/// What `clearsim compare BASE ALT1 ALT2 …` prints with `--json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MultiComparison {
    /// Version of clearsim.
    pub clearsim_version: String,
    /// The base every alternative is compared with.
    pub base: ScenarioId,
    /// The alternatives, in the order given.
    pub alternatives: Vec<Alternative>,
    /// The seed all ran with.
    pub seed: u64,
    /// Replications of each (paired by index).
    pub replications: u32,
    /// How the intervals are adjusted for the number of comparisons.
    pub adjustment: Adjustment,
    /// Each alternative against the base (B = the alternative), with adjusted intervals.
    pub comparisons: Vec<Comparison>,
    /// All options ranked on the headline figure.
    pub ranking: Ranking,
    /// With `--precision`: the target on the headline figure of every option.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<Precision>,
    /// With `--warmup auto`: the largest of the options' chosen warm-ups, used for all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warmup: Option<WarmupChoice>,
}
