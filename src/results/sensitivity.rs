//! The `sensitivity --json` document: the tornado of the uncertain inputs.
//!
//! Every uncertain input's effect at its two ends on every headline figure.

use serde::{Deserialize, Serialize};

use super::figures::Level;
use super::metric::Metric;
use super::run::ScenarioId;

/// The effect of one input's two ends on one headline figure.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Effect {
    /// The figure, e.g. `clearance_hours.mean`.
    pub metric: Metric,
    /// Its unit.
    pub unit: String,
    /// Figure with the input at its low end minus the base figure, with its 95% CI.
    pub at_low: Level,
    /// The same at the high end.
    pub at_high: Level,
    /// The low end's interval excludes 0.
    pub low_significant: bool,
    /// The high end's interval excludes 0.
    pub high_significant: bool,
}

/// One uncertain input's bar of the tornado.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InputBar {
    /// Its dotted key.
    pub key: String,
    /// Its value in the base run.
    pub value: f64,
    /// Its low end.
    pub low: f64,
    /// Its high end.
    pub high: f64,
    /// Where the range comes from, as the file says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Line of the value in the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// The larger of |effect at low| and |effect at high| on the ranking figure (`metric`): what
    /// the tornado is ordered by.
    pub swing: f64,
    /// Its effect on every headline figure.
    pub effects: Vec<Effect>,
}

/// A headline figure of the base run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BaseFigure {
    /// Its name.
    pub metric: Metric,
    /// Its unit.
    pub unit: String,
    /// Mean and 95% CI across replications.
    #[serde(flatten)]
    pub level: Level,
}

/// What `clearsim sensitivity --json` prints.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sensitivity {
    /// Always `sensitivity`: tells this document from the others.
    pub kind: String,
    /// Version of clearsim.
    pub clearsim_version: String,
    /// The scenario.
    pub scenario: ScenarioId,
    /// The seed of every run.
    pub seed: u64,
    /// Replications of every run.
    pub replications: u32,
    /// Scenario runs made: 2k + 1.
    pub runs: usize,
    /// The figure the tornado is ordered by.
    pub metric: Metric,
    /// Its unit.
    pub unit: String,
    /// The base run's headline figures.
    pub base: Vec<BaseFigure>,
    /// Every uncertain input, largest swing first.
    pub inputs: Vec<InputBar>,
    /// What the intervals cover, in a sentence.
    pub covers: String,
    /// The base run's warnings, as `run` gives them (see the run document's `warnings`):
    /// signs that its figures, and so every effect, are not final; empty when none (and in
    /// documents written before they were added).
    #[serde(default)]
    pub warnings: Vec<super::run::Warning>,
}
