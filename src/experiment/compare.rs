//! Paired comparison of two scenarios driven by common random numbers: the same seed, so the
//! same stream for every source of randomness in every replication, and differences taken
//! replication by replication.

use serde::Serialize;

use super::summary::{Level, RunSummary, ScenarioId, summarize, summarize_world};
use super::{Either, ExperimentError, RunOutput, Workers, backlog_rows, replicate_on};
use crate::model::ReplicationResult;
use crate::model::parcel::ParcelReplication;
use crate::scenario::Scenario;
use crate::stats::paired;

/// One headline figure compared.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CompareRow {
    /// What is compared, e.g. `clearance_hours.mean`.
    pub metric: &'static str,
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
    /// True when the 95% interval of the difference excludes 0.
    pub significant: bool,
    /// The 95% interval of B − A had the two scenarios been run with independent seeds
    /// (Welch, from the same replications): the price of not pairing.
    pub independent_ci95: Option<[f64; 2]>,
}

/// The comparison of two scenarios: what `clearsim compare --json` prints.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    /// Version of clearsim.
    pub clearsim_version: &'static str,
    /// Scenario A (the baseline).
    pub a: ScenarioId,
    /// Scenario B.
    pub b: ScenarioId,
    /// The seed both ran with.
    pub seed: u64,
    /// Paired replications.
    pub replications: u32,
    /// Warm-up of A and B [h].
    pub warmup_hours: [f64; 2],
    /// Horizon of A and B [h].
    pub horizon_hours: [Option<f64>; 2],
    /// One row per headline figure.
    pub rows: Vec<CompareRow>,
}

/// Why two scenarios cannot be compared.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CompareError {
    /// One is a parcel world, the other a plain network.
    #[error("{a} is a {} and {b} a {}: compare two scenarios of the same kind", kind(.a_world), kind(.b_world))]
    Kinds {
        /// File A.
        a: String,
        /// Whether A is a parcel world.
        a_world: bool,
        /// File B.
        b: String,
        /// Whether B is a parcel world.
        b_world: bool,
    },
    /// The runs failed.
    #[error(transparent)]
    Run(#[from] ExperimentError),
}

fn kind(world: &bool) -> &'static str {
    if *world {
        "parcel world"
    } else {
        "plain network"
    }
}

/// Per-replication values of one headline figure.
struct Headline {
    metric: &'static str,
    unit: String,
    values: Vec<f64>,
}

fn mean_or_zero(count: u64, mean: f64) -> f64 {
    if count > 0 { mean } else { 0.0 }
}

fn world_headlines(reps: &[ParcelReplication], currency: &str) -> Vec<Headline> {
    let h = |metric, unit: &str, f: &dyn Fn(&ParcelReplication) -> f64| Headline {
        metric,
        unit: unit.to_string(),
        values: reps.iter().map(f).collect(),
    };
    vec![
        h("clearance_hours.mean", "h", &|r| {
            mean_or_zero(r.clearance.tally.count(), r.clearance.tally.mean())
        }),
        h("clearance_hours.p50", "h", &|r| {
            r.clearance.hist.quantile(0.5)
        }),
        h("clearance_hours.p95", "h", &|r| {
            r.clearance.hist.quantile(0.95)
        }),
        h("end_to_end_hours.mean", "h", &|r| {
            mean_or_zero(r.end_to_end.tally.count(), r.end_to_end.tally.mean())
        }),
        h("released_within.24h", "share", &|r| {
            r.clearance.hist.share_at_most(24.0)
        }),
        h("cost_per_parcel.total", currency, &|r| {
            r.cost
                .iter()
                .map(|c| mean_or_zero(c.count(), c.mean()))
                .sum()
        }),
        h("revenue_per_parcel.total", currency, &|r| {
            mean_or_zero(r.duty.count(), r.duty.mean()) + mean_or_zero(r.vat.count(), r.vat.mean())
        }),
        h("bottleneck.utilization", "share", &|r| {
            r.stations
                .iter()
                .flatten()
                .map(|s| s.utilization)
                .fold(0.0, f64::max)
        }),
    ]
}

fn network_headlines(reps: &[ReplicationResult]) -> Vec<Headline> {
    let h = |metric, unit: &str, f: &dyn Fn(&ReplicationResult) -> f64| Headline {
        metric,
        unit: unit.to_string(),
        values: reps.iter().map(f).collect(),
    };
    vec![
        h("time_in_system_hours.mean", "h", &|r| {
            mean_or_zero(
                r.time_in_system.tally.count(),
                r.time_in_system.tally.mean(),
            )
        }),
        h("time_in_system_hours.p50", "h", &|r| {
            r.time_in_system.hist.quantile(0.5)
        }),
        h("time_in_system_hours.p95", "h", &|r| {
            r.time_in_system.hist.quantile(0.95)
        }),
        h("throughput_per_hour", "1/h", &|r| {
            if r.observed_h > 0.0 {
                r.time_in_system.tally.count() as f64 / r.observed_h
            } else {
                0.0
            }
        }),
        h("bottleneck.utilization", "share", &|r| {
            r.stages
                .iter()
                .filter_map(|s| s.utilization)
                .fold(0.0, f64::max)
        }),
    ]
}

fn level_of(e: &crate::stats::Estimate) -> Level {
    Level {
        mean: e.mean,
        ci95: e.ci95(),
    }
}

/// Runs A and B with the same seed and replications (common random numbers) and compares their
/// headline figures replication by replication.
pub fn compare(
    a: &Scenario,
    b: &Scenario,
    workers: Workers<'_>,
) -> Result<Comparison, CompareError> {
    compare_runs(a, b, workers).map(|c| c.comparison)
}

/// A comparison with what each side's run produced: the summaries (and backlogs) that a
/// report draws side by side.
#[derive(Clone, Debug)]
pub struct ComparedRuns {
    /// The paired comparison.
    pub comparison: Comparison,
    /// Scenario A's run, summarised as `clearsim run` would.
    pub a: RunOutput,
    /// Scenario B's run.
    pub b: RunOutput,
}

/// What `clearsim compare --json` prints: the comparison, then both runs' summaries (the
/// `run --json` document of each), so that a saved comparison can be reported in full.
#[derive(Clone, Debug, Serialize)]
pub struct ComparisonDocument<'a> {
    /// The comparison's keys, first and unchanged.
    #[serde(flatten)]
    pub comparison: &'a Comparison,
    /// `{ "a": summary, "b": summary }`.
    pub summaries: SummaryPair<'a>,
}

/// The summaries of scenario A and B.
#[derive(Clone, Debug, Serialize)]
pub struct SummaryPair<'a> {
    /// Scenario A's.
    pub a: &'a RunSummary,
    /// Scenario B's.
    pub b: &'a RunSummary,
}

impl ComparedRuns {
    /// The JSON document of the comparison with both summaries.
    pub fn document(&self) -> ComparisonDocument<'_> {
        ComparisonDocument {
            comparison: &self.comparison,
            summaries: SummaryPair {
                a: &self.a.summary,
                b: &self.b.summary,
            },
        }
    }
}

/// [`compare`], keeping each side's summary and backlog: every replication runs once.
pub fn compare_runs(
    a: &Scenario,
    b: &Scenario,
    workers: Workers<'_>,
) -> Result<ComparedRuns, CompareError> {
    let headlines =
        |s: &Scenario, currency: &str| -> Result<(Vec<Headline>, RunOutput), ExperimentError> {
            Ok(match replicate_on(s, workers)? {
                Either::World(reps) => {
                    let world = s
                        .world
                        .as_ref()
                        .expect("replicate_on runs a parcel world only when there is one");
                    let output = RunOutput {
                        summary: summarize_world(s, world, &reps),
                        backlog: backlog_rows(&reps),
                    };
                    (world_headlines(&reps, currency), output)
                }
                Either::Network(reps) => {
                    let output = RunOutput {
                        summary: summarize(s, &reps),
                        backlog: Vec::new(),
                    };
                    (network_headlines(&reps), output)
                }
            })
        };
    let ((ha, run_a), (hb, run_b)) = match (&a.world, &b.world) {
        (Some(wa), Some(_)) => {
            let cur = wa.regime.currency.clone();
            (headlines(a, &cur)?, headlines(b, &cur)?)
        }
        (None, None) => (headlines(a, "")?, headlines(b, "")?),
        _ => {
            return Err(CompareError::Kinds {
                a: a.origin.clone(),
                a_world: a.world.is_some(),
                b: b.origin.clone(),
                b_world: b.world.is_some(),
            });
        }
    };
    let rows = ha
        .iter()
        .zip(&hb)
        .map(|(x, y)| {
            let p = paired(&x.values, &y.values);
            let d = level_of(&p.diff);
            let significant = d.ci95.is_some_and(|[lo, hi]| lo > 0.0 || hi < 0.0);
            let hw = p.independent_half_width;
            let independent_ci95 = hw
                .is_finite()
                .then_some([p.diff.mean - hw, p.diff.mean + hw]);
            CompareRow {
                metric: x.metric,
                unit: x.unit.clone(),
                a: level_of(&p.a),
                b: level_of(&p.b),
                relative_change: if p.a.mean != 0.0 {
                    p.diff.mean / p.a.mean
                } else {
                    0.0
                },
                difference: d,
                significant,
                independent_ci95,
            }
        })
        .collect();
    let comparison = Comparison {
        clearsim_version: env!("CARGO_PKG_VERSION"),
        a: ScenarioId::of(a),
        b: ScenarioId::of(b),
        seed: a.run.seed,
        replications: a.run.replications.min(b.run.replications),
        warmup_hours: [a.run.warmup_h, b.run.warmup_h],
        horizon_hours: [a.run.horizon_h, b.run.horizon_h],
        rows,
    };
    Ok(ComparedRuns {
        comparison,
        a: run_a,
        b: run_b,
    })
}
