//! One-at-a-time sensitivity: every uncertain input at its low and at its high end, the rest
//! at their values, each paired with the base run by common random numbers.
//!
//! k uncertain inputs cost 2k + 1 scenario runs, all replications of all of them run in
//! parallel. Each end's effect is the paired difference (variant − base) of the two-way
//! comparison ([`super::compare::difference`]), with its 95% CI across replications.

pub use crate::results::sensitivity::{BaseFigure, Effect, InputBar, Sensitivity};

use super::compare::{difference, shared_demand_ok};
use super::seam::{self, headline_catalogue};
use super::summary::{ScenarioId, level};
use super::{ExperimentError, UnitResult, Workers, in_parallel_range, output_of};
use crate::results::Metric;
use crate::scenario::{Scenario, ScenarioError};

/// Why a sensitivity analysis could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SensitivityError {
    /// The file gives no value a range.
    #[error(
        "{file}: no value has a plausible range, so there is nothing to vary; give one as key = {{ value = 0.05, low = 0.02, high = 0.10 }} (docs/scenario.md, uncertain inputs)"
    )]
    NoInputs {
        /// The file.
        file: String,
    },
    /// `--metric` names no headline figure of the scenario.
    #[error(
        "--metric {metric}: not a headline figure of this scenario; the tornado can be ranked by {known}"
    )]
    UnknownMetric {
        /// What was asked.
        metric: String,
        /// The figures it may name, comma-separated.
        known: String,
    },
    /// An input's end makes the scenario invalid.
    #[error("{file}{at}: `{key}` at its {end} end {x}: {reason}")]
    End {
        /// The file.
        file: String,
        /// `:line:column` of the value, or empty.
        at: String,
        /// The key.
        key: String,
        /// `low` or `high`.
        end: &'static str,
        /// The end's value.
        x: f64,
        /// The scenario's error there.
        reason: String,
    },
    /// The runs failed.
    #[error(transparent)]
    Run(#[from] ExperimentError),
}

/// What the intervals of a sensitivity analysis cover.
pub const COVERS: &str = "Each bar is the change in the figure when that one input moves to the end of its plausible range, the others at their values; its 95% CI covers simulation noise only (paired replications, common random numbers), and the bar's length is the answer's sensitivity to that guess.";

/// The scenario with the input set to each end, checked: `variant(extra)` builds the base
/// scenario with the extra overrides.
fn ends(
    base: &Scenario,
    variant: &dyn Fn(&[String]) -> Result<Scenario, ScenarioError>,
) -> Result<Vec<Scenario>, SensitivityError> {
    let mut out = Vec::new();
    for input in &base.uncertain {
        for (end, x) in [("low", input.low), ("high", input.high)] {
            let s = variant(&[input.setting(x)]).map_err(|e| SensitivityError::End {
                file: base.origin.clone(),
                at: input
                    .position
                    .map_or(String::new(), |(l, c)| format!(":{l}:{c}")),
                key: input.key.clone(),
                end,
                x,
                reason: plain_reason(&e, &input.key),
            })?;
            out.push(s);
        }
    }
    Ok(out)
}

/// What the scenario says is wrong with an input's end, without the override it came from.
fn plain_reason(e: &ScenarioError, key: &str) -> String {
    let reason = match e {
        ScenarioError::Override { reason, .. } => reason.clone(),
        ScenarioError::Invalid { problems, .. } => problems
            .iter()
            .map(|p| p.reason.clone())
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    };
    reason
        .strip_prefix(&format!("`{key}`: "))
        .map_or(reason.clone(), str::to_string)
}

/// Per replication, the value of every headline figure (name, unit, value).
type Figures = Vec<(Metric, String, f64)>;

/// The headline figures a sensitivity shows, in order; the first ranks the tornado.
pub fn shown_metrics(scenario: &Scenario) -> Vec<Metric> {
    headline_catalogue(scenario)
        .into_iter()
        .map(|h| h.metric)
        .filter(|m| *m != Metric::BottleneckUtilization)
        .collect()
}

/// Runs `base` and every uncertain input at its low and high end (2k + 1 runs, replications
/// in parallel, all on the same seeds) and measures each end's effect on the headline figures.
/// The tornado is ranked by `rank_by` (a name of [`shown_metrics`]; the first when `None`).
pub fn sensitivity(
    base: &Scenario,
    variant: &dyn Fn(&[String]) -> Result<Scenario, ScenarioError>,
    rank_by: Option<&str>,
    workers: Workers<'_>,
) -> Result<Sensitivity, SensitivityError> {
    if base.uncertain.is_empty() {
        return Err(SensitivityError::NoInputs {
            file: base.origin.clone(),
        });
    }
    if let Some(metric) = rank_by
        && !shown_metrics(base).iter().any(|m| m == metric)
    {
        return Err(SensitivityError::UnknownMetric {
            metric: metric.to_string(),
            known: shown_metrics(base)
                .iter()
                .map(Metric::name)
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    let variants = ends(base, variant)?;
    let all: Vec<&Scenario> = std::iter::once(base).chain(&variants).collect();
    let n = base.run.replications as u64;
    // Every run's headline figures; the base run's replications are also kept whole, for the
    // warnings `run` would give (a network not filled, too few replications…).
    let (figures, base_units): (Vec<Figures>, Vec<Option<UnitResult>>) =
        in_parallel_range(0, all.len() as u64 * n, workers, |u| {
            let s = all[(u / n) as usize];
            let unit = seam::simulate(s, u % n);
            let figures = unit
                .headlines(s)
                .into_iter()
                .map(|h| (h.metric, h.unit, h.values[0]))
                .collect();
            (figures, (u < n).then_some(unit))
        })?
        .into_iter()
        .unzip();
    let warnings = output_of(base, base_units.into_iter().flatten().collect())
        .summary
        .warnings;
    let values = |s: usize, m: usize| -> Vec<f64> {
        (0..n as usize)
            .map(|i| figures[s * n as usize + i][m].2)
            .collect()
    };
    let mut shown: Vec<usize> = (0..figures[0].len())
        .filter(|&m| figures[0][m].0 != Metric::BottleneckUtilization)
        .collect();
    // The ranking figure first: the swing, the tornado and `metric` are of it.
    if let Some(at) = rank_by.and_then(|r| shown.iter().position(|&m| figures[0][m].0 == r)) {
        shown[..=at].rotate_right(1);
    }
    let base_values: Vec<Vec<f64>> = shown.iter().map(|&m| values(0, m)).collect();
    let mut inputs: Vec<InputBar> = base
        .uncertain
        .iter()
        .enumerate()
        .map(|(j, input)| {
            let (lo, hi) = (1 + 2 * j, 2 + 2 * j);
            let effects: Vec<Effect> = shown
                .iter()
                .zip(&base_values)
                .map(|(&m, b)| {
                    let effect = |s: usize| {
                        let (d, significant, ..) = difference(
                            b,
                            &values(s, m),
                            shared_demand_ok(base, all[s]),
                            &figures[0][m].1,
                        );
                        (d, significant)
                    };
                    let ((at_low, low_significant), (at_high, high_significant)) =
                        (effect(lo), effect(hi));
                    Effect {
                        metric: figures[0][m].0.clone(),
                        unit: figures[0][m].1.clone(),
                        at_low,
                        at_high,
                        low_significant,
                        high_significant,
                    }
                })
                .collect();
            let swing = effects
                .first()
                .map_or(0.0, |e| e.at_low.mean.abs().max(e.at_high.mean.abs()));
            InputBar {
                key: input.key.clone(),
                value: input.value,
                low: input.low,
                high: input.high,
                source: input.source.clone(),
                line: input.position.map(|p| p.0),
                swing,
                effects,
            }
        })
        .collect();
    // Largest swing first; ties in file order.
    inputs.sort_by(|a, b| b.swing.total_cmp(&a.swing));
    let first = shown.first().copied().unwrap_or(0);
    Ok(Sensitivity {
        kind: "sensitivity".to_string(),
        clearsim_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: ScenarioId::of(base),
        seed: base.run.seed,
        replications: base.run.replications,
        runs: all.len(),
        metric: figures[0][first].0.clone(),
        unit: figures[0][first].1.clone(),
        base: shown
            .iter()
            .zip(&base_values)
            .map(|(&m, v)| BaseFigure {
                metric: figures[0][m].0.clone(),
                unit: figures[0][m].1.clone(),
                level: level(v),
            })
            .collect(),
        inputs,
        covers: COVERS.to_string(),
        warnings,
    })
}
