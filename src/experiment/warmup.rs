//! Choosing the warm-up from the data: MSER-5 on the headline figure of a pilot run.

use serde::Serialize;

use super::units::simulate_unit;
use super::{ExperimentError, UnitResult, Workers, in_parallel_range};
use crate::scenario::Scenario;
use crate::stats::{BatchSeries, mser5};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ReplicationResult;
    use crate::stats::TallyHist;

    fn unit(values: impl Iterator<Item = f64>) -> UnitResult {
        let mut series = BatchSeries::new();
        for (i, v) in values.enumerate() {
            series.record(v, i as f64 * 0.1);
        }
        UnitResult::Network(ReplicationResult {
            index: 0,
            created: 0,
            delivered: 0,
            in_system: 0,
            seized: 0,
            end_h: 0.0,
            observed_h: 0.0,
            events: 0,
            stalled_at_h: None,
            time_in_system: TallyHist::new(),
            series,
            stages: Vec::new(),
        })
    }

    #[test]
    fn a_start_up_transient_is_cut_and_a_drift_is_flagged() {
        // A transient decaying to a noisy flat level, observations 0.1 h apart; the bias is
        // below the noise's spread (≈ 3.7) after about 40 observations (4 h).
        let noise = |i: usize| ((i * 7919) % 13) as f64 - 6.0;
        let transient =
            unit((0..2_000).map(|i| 10.0 + 30.0 * (-(i as f64) / 20.0).exp() + noise(i)));
        let c = choose_from(&[transient]);
        assert!(c.cut > 0 && !c.at_limit, "{c:?}");
        assert!(c.hours > 0.0 && c.hours < 30.0, "{c:?}");
        let flat = choose_from(&[unit((0..2_000).map(|i| (i % 7) as f64))]);
        assert!(flat.hours < 5.0, "{flat:?}");
        let drift = choose_from(&[unit((0..2_000).map(|i| i as f64))]);
        assert!(drift.at_limit, "{drift:?}");
    }
}

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
    /// True when MSER-5 cut as much as it may (half the series): the headline figure was still
    /// drifting at mid-run, so no steady state was seen; lengthen `run.horizon_h`.
    pub at_limit: bool,
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
        at_limit: cut > 0 && cut == (len / 5 / 2) * 5,
    }
}
