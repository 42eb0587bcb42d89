//! A scenario run against an observed sample: simulated and observed quantiles, means and shares released within thresholds, each with a verdict.
//!
//! Observed figures get distribution-free 95% intervals (order statistics for quantiles, the
//! t-interval for the mean, Wilson for shares: items taken as independent draws); simulated
//! ones the house's intervals across replications (each replication's quantile, mean or share
//! is one value). A verdict says whether the model's value lies inside the data's interval.

use crate::calibrate::quantiles::{PROBS, quantile, quantile_ci, sorted};
use crate::model::parcel::{ParcelObserver, TRS_SEGMENTS, simulate_world_observed};
use crate::scenario::Scenario;
use crate::scenario::observed::ObservedSample;
use crate::scenario::parcel::Channel;
use crate::stats::interval::wilson;
use crate::stats::{Bounds, Estimate, interval95};

use super::{ExperimentError, Workers, in_parallel_range};

/// The figures compared: arrival → release, then the TRS segments.
pub const FIGURES: [&str; 6] = [
    "clearance",
    TRS_SEGMENTS[0],
    TRS_SEGMENTS[1],
    TRS_SEGMENTS[2],
    TRS_SEGMENTS[3],
    TRS_SEGMENTS[4],
];

/// Probabilities of the Q–Q chart's points: 1%, 2%, …, 99%.
pub fn qq_probs() -> Vec<f64> {
    (1..100).map(|k| k as f64 / 100.0).collect()
}

/// Where the model's value lies against the data's interval.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Inside the data's 95% interval.
    Within,
    /// Above it.
    Above,
    /// Below it.
    Below,
    /// The data give no interval (too few items).
    NoInterval,
}

impl Verdict {
    fn of(model: f64, data: Option<[f64; 2]>) -> Verdict {
        match data {
            None => Verdict::NoInterval,
            Some([lo, _]) if model < lo => Verdict::Below,
            Some([_, hi]) if model > hi => Verdict::Above,
            Some(_) => Verdict::Within,
        }
    }

    /// The verdict in words, for `what` (e.g. "median").
    pub fn words(self, what: &str) -> String {
        match self {
            Verdict::Within => format!("the model's {what} is within the data's 95% CI"),
            Verdict::Above => format!("the model's {what} is above the data's 95% CI"),
            Verdict::Below => format!("the model's {what} is below the data's 95% CI"),
            Verdict::NoInterval => format!("too few items in the data for a CI of the {what}"),
        }
    }
}

/// One figure of one statistic, data against model.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Row {
    /// `mean`, `p10` … `p99`, or `within 3 h`.
    pub statistic: String,
    /// The data's value.
    pub observed: f64,
    /// Its 95% interval (see the module docs).
    pub observed_ci: Option<[f64; 2]>,
    /// The model's value: the mean over replications.
    pub simulated: f64,
    /// Its 95% interval across replications.
    pub simulated_ci: Option<[f64; 2]>,
    /// Where the model lies.
    pub verdict: Verdict,
}

/// One figure compared.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct FigureComparison {
    /// One of [`FIGURES`].
    pub figure: &'static str,
    /// Items in the data with this figure.
    pub observed_n: usize,
    /// Parcels in the model with it, over all replications.
    pub simulated_n: u64,
    /// Mean, then the [`PROBS`] quantiles.
    pub rows: Vec<Row>,
    /// Q–Q points at [`qq_probs`]: (data quantile, model quantile averaged over replications).
    pub qq: Vec<(f64, f64)>,
}

/// Everything `clearsim validate` found.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Validation {
    /// The scenario's name.
    pub scenario: String,
    /// The data file.
    pub file: String,
    /// Replications run.
    pub replications: u32,
    /// Seed.
    pub seed: u64,
    /// Arrival → release and each TRS segment with data on both sides.
    pub figures: Vec<FigureComparison>,
    /// Share released within each threshold (arrival → release).
    pub shares: Vec<Row>,
    /// Figures left out, with why.
    pub left_out: Vec<String>,
}

/// What one replication gives per figure: parcels, mean, quantiles, Q–Q quantiles, and (for
/// clearance) the shares within thresholds.
#[derive(Clone, Debug, Default)]
struct RepFigure {
    n: u64,
    mean: f64,
    quantiles: Vec<f64>,
    qq: Vec<f64>,
    within: Vec<f64>,
}

/// Per-parcel values of one replication, by figure.
struct Collect {
    warmup: f64,
    values: [Vec<f64>; 6],
}

impl Collect {
    fn add(&mut self, arrived: f64, segments: [f64; 5], released: f64, risk: Option<u8>) {
        if released < self.warmup {
            return;
        }
        self.values[0].push(released - arrived);
        for (k, &s) in segments.iter().enumerate() {
            // As in the data: a documentary check is a yellow item's step, an inspection a red
            // one's; without the lane, a step that took time.
            let passed = match (k, risk) {
                (2, Some(r)) => r == 1,
                (3, Some(r)) => r == 2,
                (2 | 3, None) => s > 0.0,
                _ => true,
            };
            if passed {
                self.values[k + 1].push(s);
            }
        }
    }
}

impl ParcelObserver for Collect {
    fn released(&mut self, arrived: f64, segments: [f64; 5], released: f64) {
        self.add(arrived, segments, released, None);
    }

    fn released_as(&mut self, arrived: f64, segments: [f64; 5], released: f64, _: Channel, r: u8) {
        self.add(arrived, segments, released, Some(r));
    }
}

/// Why a validation could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ValidateError {
    /// The scenario is a plain network.
    #[error("validate needs a parcel-world scenario (a plain network has no customs milestones)")]
    NotAParcelWorld,
    /// The replications failed.
    #[error(transparent)]
    Experiment(#[from] ExperimentError),
}

/// Runs `scenario`'s replications and compares them with `sample`; `thresholds_h` are the
/// study's release-time thresholds [h].
pub fn validate(
    scenario: &Scenario,
    sample: &ObservedSample,
    thresholds_h: &[f64],
    workers: Workers<'_>,
) -> Result<Validation, ValidateError> {
    let world = scenario
        .world
        .as_ref()
        .ok_or(ValidateError::NotAParcelWorld)?;
    let qq = qq_probs();
    let reps = in_parallel_range(0, scenario.run.replications as u64, workers, |i| {
        let mut c = Collect {
            warmup: scenario.run.warmup_h,
            values: Default::default(),
        };
        simulate_world_observed(scenario, world, i, &mut c);
        c.values
            .iter()
            .enumerate()
            .map(|(k, v)| summarise(v, &qq, if k == 0 { thresholds_h } else { &[] }))
            .collect::<Vec<RepFigure>>()
    })?;
    let mut figures = Vec::new();
    let mut left_out = Vec::new();
    let mut shares = Vec::new();
    for (k, &figure) in FIGURES.iter().enumerate() {
        let observed: Vec<f64> = sample
            .items
            .iter()
            .filter_map(|it| {
                if k == 0 {
                    Some(it.clearance_h)
                } else {
                    it.segments[k - 1]
                }
            })
            .collect();
        let sim: Vec<&RepFigure> = reps.iter().map(|r| &r[k]).filter(|f| f.n > 0).collect();
        if observed.is_empty() || sim.is_empty() {
            left_out.push(format!(
                "{figure}: {} item(s) in the data, {} replication(s) of the model with it",
                observed.len(),
                sim.len()
            ));
            continue;
        }
        let obs = sorted(&observed);
        let per_rep =
            |f: &dyn Fn(&RepFigure) -> f64| -> Vec<f64> { sim.iter().map(|&r| f(r)).collect() };
        let mut rows = Vec::new();
        let mean_obs = Estimate::from_values(&obs);
        let sim_means = per_rep(&|r| r.mean);
        rows.push(row(
            "mean".to_string(),
            mean_obs.mean,
            mean_obs.ci95().map(|[lo, hi]| [lo.max(0.0), hi]),
            &sim_means,
            Bounds::NonNegative,
        ));
        for (j, &p) in PROBS.iter().enumerate() {
            let v = per_rep(&|r| r.quantiles[j]);
            rows.push(row(
                format!("p{}", (p * 100.0).round()),
                quantile(&obs, p),
                quantile_ci(&obs, p),
                &v,
                Bounds::NonNegative,
            ));
        }
        let qq_points = qq
            .iter()
            .enumerate()
            .map(|(j, &p)| {
                let v = per_rep(&|r| r.qq[j]);
                (quantile(&obs, p), v.iter().sum::<f64>() / v.len() as f64)
            })
            .collect();
        if k == 0 {
            let n = obs.len() as f64;
            let parcels: u64 = sim.iter().map(|r| r.n).sum();
            for (j, &t) in thresholds_h.iter().enumerate() {
                let share = obs.iter().filter(|&&x| x <= t).count() as f64 / n;
                let v = per_rep(&|r| r.within[j]);
                shares.push(row(
                    format!("within {} h", t),
                    share,
                    Some(wilson(share, n, 1.959_963_984_540_054)),
                    &v,
                    Bounds::Share {
                        observations: parcels,
                    },
                ));
            }
        }
        figures.push(FigureComparison {
            figure,
            observed_n: obs.len(),
            simulated_n: sim.iter().map(|r| r.n).sum(),
            rows,
            qq: qq_points,
        });
    }
    Ok(Validation {
        scenario: scenario.name.clone(),
        file: sample.file.clone(),
        replications: scenario.run.replications,
        seed: scenario.run.seed,
        figures,
        shares,
        left_out,
    })
}

fn row(
    statistic: String,
    observed: f64,
    observed_ci: Option<[f64; 2]>,
    per_rep: &[f64],
    bounds: Bounds,
) -> Row {
    let simulated = per_rep.iter().sum::<f64>() / per_rep.len() as f64;
    Row {
        statistic,
        observed,
        observed_ci,
        simulated,
        simulated_ci: interval95(per_rep, bounds),
        verdict: Verdict::of(simulated, observed_ci),
    }
}

fn summarise(values: &[f64], qq: &[f64], thresholds: &[f64]) -> RepFigure {
    if values.is_empty() {
        return RepFigure::default();
    }
    let s = sorted(values);
    let n = s.len() as f64;
    RepFigure {
        n: s.len() as u64,
        mean: s.iter().sum::<f64>() / n,
        quantiles: PROBS.iter().map(|&p| quantile(&s, p)).collect(),
        qq: qq.iter().map(|&p| quantile(&s, p)).collect(),
        within: thresholds
            .iter()
            .map(|&t| s.partition_point(|&x| x <= t) as f64 / n)
            .collect(),
    }
}
