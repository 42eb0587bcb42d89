//! Choosing the warm-up from the data: MSER-5 on the headline figure of a pilot run.

use serde::Serialize;

use super::units::simulate_unit;
use super::{ExperimentError, UnitResult, Workers, in_parallel_range};
use crate::scenario::Scenario;
use crate::stats::{BatchSeries, mser5};

/// The warm-up `--warmup auto` chose, and from what.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WarmupChoice {
    /// How it was chosen: `mser5`.
    pub method: &'static str,
    /// The warm-up [h], deleted from every statistic of the real run.
    pub hours: f64,
    /// Replications of the pilot run (the scenario's, with no warm-up).
    pub pilot_replications: u32,
    /// Length of the averaged series MSER-5 read (batch means of the headline figure).
    pub series_length: usize,
    /// Series points cut.
    pub cut: usize,
}

/// The batch series of the headline figure (clearance, or time in system) of one replication.
fn series(u: &UnitResult) -> &BatchSeries {
    match u {
        UnitResult::World(r) => &r.series,
        UnitResult::Network(r) => &r.series,
    }
}

/// Batch means and end times of `s`, re-batched to `size` observations per batch (a multiple of
/// the series' own batch size: both are powers of two).
fn rebatched(s: &BatchSeries, size: u64) -> Vec<(f64, f64)> {
    let k = (size / s.batch_size()).max(1) as usize;
    let all: Vec<(f64, f64)> = s.batches().collect();
    all.chunks_exact(k)
        .map(|c| {
            let mean = c.iter().map(|b| b.0).sum::<f64>() / k as f64;
            (mean, c[k - 1].1)
        })
        .collect()
}

/// Runs `scenario` with no warm-up as a pilot and chooses the warm-up by MSER-5 on the
/// cross-replication average of the headline figure's batch means, in time order. The cut is
/// converted to hours as the mean time at which the last cut batch ended.
pub fn choose(scenario: &Scenario, workers: Workers<'_>) -> Result<WarmupChoice, ExperimentError> {
    let mut pilot = scenario.clone();
    pilot.run.warmup_h = 0.0;
    let n = pilot.run.replications as u64;
    let reps = in_parallel_range(0, n, workers, |i| simulate_unit(&pilot, i))?;
    Ok(choose_from(&reps))
}

/// MSER-5 on the pilot replications `reps` (see [`choose`]).
pub fn choose_from(reps: &[UnitResult]) -> WarmupChoice {
    let size = reps
        .iter()
        .map(|u| series(u).batch_size())
        .max()
        .unwrap_or(1);
    let per_rep: Vec<Vec<(f64, f64)>> = reps.iter().map(|u| rebatched(series(u), size)).collect();
    let len = per_rep.iter().map(Vec::len).min().unwrap_or(0);
    let n = per_rep.len().max(1) as f64;
    let means: Vec<f64> = (0..len)
        .map(|j| per_rep.iter().map(|s| s[j].0).sum::<f64>() / n)
        .collect();
    let cut = mser5(&means);
    let hours = if cut == 0 {
        0.0
    } else {
        let t = per_rep.iter().map(|s| s[cut - 1].1).sum::<f64>() / n;
        // Rounded up to a hundredth of an hour, for a readable figure.
        (t * 100.0).ceil() / 100.0
    };
    WarmupChoice {
        method: "mser5",
        hours,
        pilot_replications: reps.len() as u32,
        series_length: len,
        cut,
    }
}
