//! Paired comparison of two scenarios driven by common random numbers: the same seed, so the
//! same stream for every source of randomness in every replication, and differences taken
//! replication by replication.

use serde::Serialize;

use super::headline::Headline;
use super::summary::{Level, Precision, RunSummary, ScenarioId};
use super::sweep::headlines;
use super::units::simulate_unit;
use super::{
    ExperimentError, PrecisionTarget, RunOutput, UnitResult, Workers, headline, output_of_split,
    relative_half_width, split, until_precise,
};
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
    /// With `--precision`: the target on the headline figure of A and of B (the larger of the
    /// two relative half-widths is reported) and how many paired replications it took.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub precision: Option<Precision>,
    /// With `--warmup auto`: the larger of A's and B's chosen warm-ups, used for both.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warmup: Option<super::warmup::WarmupChoice>,
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
    compare_runs(a, b, workers, None).map(|c| c.comparison)
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

/// [`compare`], keeping each side's summary and backlog (every replication runs once), and
/// adding paired replications until the headline figure (mean clearance or mean time in system)
/// of A and of B each meets `target`, if given.
pub fn compare_runs(
    a: &Scenario,
    b: &Scenario,
    workers: Workers<'_>,
    target: Option<PrecisionTarget>,
) -> Result<ComparedRuns, CompareError> {
    if a.world.is_some() != b.world.is_some() {
        return Err(CompareError::Kinds {
            a: a.origin.clone(),
            a_world: a.world.is_some(),
            b: b.origin.clone(),
            b_world: b.world.is_some(),
        });
    }
    let n = a.run.replications.min(b.run.replications) as u64;
    let (pairs, precision) = until_precise(
        n,
        workers,
        target,
        |i| (simulate_unit(a, i), simulate_unit(b, i)),
        |pairs: &[(UnitResult, UnitResult)]| {
            let ra = relative_half_width(pairs.iter().map(|p| headline(&p.0)));
            let rb = relative_half_width(pairs.iter().map(|p| headline(&p.1)));
            ra.max(rb)
        },
    )?;
    let replications = pairs.len() as u32;
    let (ua, ub): (Vec<UnitResult>, Vec<UnitResult>) = pairs.into_iter().unzip();
    // Amounts of both in A's currency (a comparison across currencies is refused upstream).
    let side = |s: &Scenario, units: Vec<UnitResult>| -> (Vec<Headline>, RunOutput) {
        let reps = split(units);
        (headlines(a, &reps), output_of_split(s, reps))
    };
    let (ha, run_a) = side(a, ua);
    let (hb, run_b) = side(b, ub);
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
                a: x.level(),
                b: y.level(),
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
        replications,
        warmup_hours: [a.run.warmup_h, b.run.warmup_h],
        horizon_hours: [a.run.horizon_h, b.run.horizon_h],
        rows,
        precision,
        warmup: None,
    };
    Ok(ComparedRuns {
        comparison,
        a: run_a,
        b: run_b,
    })
}
