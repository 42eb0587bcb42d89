//! Choosing the warm-up from the data: pooled MSER-5 on the headline figure of a pilot run.

use serde::Serialize;

use super::units::simulate_unit;
use super::{ExperimentError, UnitResult, Workers, in_parallel_range};
use crate::scenario::Scenario;
use crate::stats::{BatchSeries, mser5_pooled};

/// The warm-up `--warmup auto` chose, and from what: enough to say why (see
/// [`WarmupChoice::describe`]).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WarmupChoice {
    /// How it was chosen: `mser5_pooled` (MSER-5 on the batch means of every pilot replication
    /// together), with the floor below.
    pub method: &'static str,
    /// The warm-up [h], deleted from every statistic of the real run: the larger of the MSER-5
    /// cut and the floor, rounded up to a whole day.
    pub hours: f64,
    /// Replications of the pilot run (the scenario's, with no warm-up).
    pub pilot_replications: u32,
    /// Batch means per replication MSER-5 read.
    pub series_length: usize,
    /// Batch means cut per replication.
    pub cut: usize,
    /// The MSER-5 cut in hours (mean time at which the last cut batch ended; 0 with no cut).
    pub mser_hours: f64,
    /// The floor [h]: one day after the headline figure was first recorded (the pipeline ahead
    /// of it has then delivered, and one daily cycle of departures and demand has been seen).
    pub floor_hours: f64,
    /// True when MSER-5 cut as much as it may (half the series): the headline figure was still
    /// drifting at mid-run, so no steady state was seen; lengthen `run.horizon_h`.
    pub at_limit: bool,
    /// Why this warm-up, in one sentence.
    pub reason: String,
}

impl WarmupChoice {
    /// One line for the terminal: what was chosen and why.
    pub fn describe(&self) -> String {
        format!(
            "warm-up: {} h ({}; pooled MSER-5 on {} batch means of each of {} pilot replications)",
            self.hours, self.reason, self.series_length, self.pilot_replications
        )
    }
}

impl std::fmt::Display for WarmupChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
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

/// Runs `scenario` with no warm-up as a pilot and chooses the warm-up from the headline figure's
/// batch means (see [`choose_from`]).
pub fn choose(scenario: &Scenario, workers: Workers<'_>) -> Result<WarmupChoice, ExperimentError> {
    let mut pilot = scenario.clone();
    pilot.run.warmup_h = 0.0;
    let n = pilot.run.replications as u64;
    let reps = in_parallel_range(0, n, workers, |i| simulate_unit(&pilot, i))?;
    Ok(choose_from(&reps))
}

/// Hours per day: the warm-up is a whole number of them.
const DAY_H: f64 = 24.0;

/// The warm-up from pilot replications `reps`: MSER-5 on the batch means of all replications
/// together ([`mser5_pooled`]), the cut converted to hours as the mean time at which the last
/// cut batch ended; then at least the floor (one day after the headline figure was first
/// recorded), and rounded up to a whole day, so that the cut does not depend on where in the
/// daily cycle of departures and demand MSER-5 happened to stop.
///
/// Why pooled: MSER-5 on the cross-replication average (the method before) read a smoothed
/// series whose remaining swings (the weekly cycle, one replication's excursion) decide the
/// minimum, so the cut jumped with the horizon (187 h at 336 h, 0 h at 720 h, for the same
/// scenario). Pooled, each replication's noise stays in the statistic and only a transient
/// shared by the replications is worth cutting.
pub fn choose_from(reps: &[UnitResult]) -> WarmupChoice {
    let size = reps
        .iter()
        .map(|u| series(u).batch_size())
        .max()
        .unwrap_or(1);
    let per_rep: Vec<Vec<(f64, f64)>> = reps.iter().map(|u| rebatched(series(u), size)).collect();
    let len = per_rep.iter().map(Vec::len).min().unwrap_or(0);
    let n = per_rep.len().max(1) as f64;
    let values: Vec<Vec<f64>> = per_rep
        .iter()
        .map(|s| s[..len].iter().map(|b| b.0).collect())
        .collect();
    let cut = mser5_pooled(&values);
    let end_of = |j: usize| per_rep.iter().map(|s| s[j].1).sum::<f64>() / n;
    let mser_hours = if cut == 0 { 0.0 } else { end_of(cut - 1) };
    let first_h = if len > 0 { end_of(0) } else { 0.0 };
    let floor_hours = first_h + DAY_H;
    let hours = (mser_hours.max(floor_hours) / DAY_H).ceil() * DAY_H;
    let at_limit = cut > 0 && cut == (len / 5 / 2) * 5;
    let reason = if at_limit {
        format!(
            "MSER-5 cut half the pilot ({mser_hours:.1} h): the headline figure was still drifting at mid-run, so no steady state was seen; lengthen run.horizon_h"
        )
    } else if mser_hours > floor_hours {
        format!("MSER-5 cut the start-up transient at {mser_hours:.1} h, rounded up to a whole day")
    } else {
        format!(
            "the floor: one day after the headline figure was first recorded at {first_h:.1} h (MSER-5 alone cut {mser_hours:.1} h), rounded up to a whole day"
        )
    };
    WarmupChoice {
        method: "mser5_pooled",
        hours,
        pilot_replications: reps.len() as u32,
        series_length: len,
        cut,
        mser_hours,
        floor_hours,
        at_limit,
        reason,
    }
}

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
        assert!(c.mser_hours > 0.0 && c.mser_hours < 30.0, "{c:?}");
        assert_eq!(c.hours % 24.0, 0.0, "{c:?}");
        // A flat series needs no cut: the floor (a day after the first record) decides.
        let flat = choose_from(&[unit((0..2_000).map(|i| (i % 7) as f64))]);
        assert!(flat.mser_hours < 5.0, "{flat:?}");
        assert_eq!(flat.hours, 24.0, "{flat:?}");
        assert!(flat.reason.contains("floor"), "{}", flat.describe());
        let drift = choose_from(&[unit((0..2_000).map(|i| i as f64))]);
        assert!(drift.at_limit, "{drift:?}");
    }
}
