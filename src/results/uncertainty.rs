//! The band of plausible inputs that `--uncertainty N` adds to a run or a comparison.

use serde::{Deserialize, Serialize};

use super::metric::Metric;
/// The 5%, 50% and 95% points of one headline figure's per-draw means.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Band {
    /// The figure.
    pub metric: Metric,
    /// Its unit.
    pub unit: String,
    /// 5th percentile over the draws.
    pub p5: f64,
    /// Median over the draws.
    pub p50: f64,
    /// 95th percentile over the draws.
    pub p95: f64,
}

/// What `--uncertainty N` adds to a run's summary.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Uncertainty {
    /// `Latin hypercube`.
    pub method: String,
    /// Draws made (N).
    pub draws: usize,
    /// The uncertain inputs' keys, in the order of `samples`' columns.
    pub inputs: Vec<String>,
    /// Per draw, the value of every input.
    #[serde(default)]
    pub samples: Vec<Vec<f64>>,
    /// Per headline figure, the band of its per-draw means.
    pub bands: Vec<Band>,
    /// What the band covers, in a sentence.
    pub covers: String,
}

/// How often a difference keeps the sign of the plain comparison's across the draws.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// The figure.
    pub metric: Metric,
    /// B − A of the plain comparison (the file's values).
    #[serde(default)]
    pub difference: f64,
    /// Draws whose B − A has the same sign (both zero counts as the same).
    pub same_sign: usize,
    /// Draws made.
    pub draws: usize,
    /// `same_sign / draws`.
    #[serde(default)]
    pub share: f64,
}

/// What `compare --uncertainty N` adds to a comparison.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompareUncertainty {
    /// `Latin hypercube`.
    pub method: String,
    /// Draws made (N).
    pub draws: usize,
    /// The uncertain inputs of A and B by key (a key in both takes the same quantile on each
    /// side, mapped through each side's own range).
    pub inputs: Vec<String>,
    /// Per headline figure, the band of B − A over the draws.
    pub bands: Vec<Band>,
    /// Per headline figure, how often the sign of B − A holds.
    #[serde(default)]
    pub decisions: Vec<Decision>,
    /// What the band covers, in a sentence.
    pub covers: String,
}
