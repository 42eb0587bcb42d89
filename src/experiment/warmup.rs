//! Choosing the warm-up from the data: pooled MSER on daily means of a pilot run's headline figure.

pub use crate::results::run::WarmupChoice;

use super::seam;
use super::{ExperimentError, UnitResult, Workers, in_parallel_range};
use crate::scenario::Scenario;
use crate::stats::{BatchSeries, mser_pooled};

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
    let reps = in_parallel_range(0, n, workers, |i| seam::simulate(&pilot, i))?;
    Ok(choose_from(&reps))
}

/// Hours per day: the warm-up is a whole number of them.
const DAY_H: f64 = 24.0;

/// The warm-up from pilot replications `reps`: the headline figure's batch means averaged per
/// day of the run, then MSER on those daily means of all replications together
/// ([`mser_pooled`] with batches of one day), one cut for all; then at least the floor (one day
/// after the headline figure was first recorded), rounded up to a whole day.
///
/// Why daily and pooled: MSER-5 on the cross-replication average of batches a few minutes long
/// read the daily and weekly swings of departures and demand as transients, so the cut jumped
/// with the horizon (187 h at 336 h, 0 h at 720 h, for the same scenario). A day is the period
/// of the timetable and of the hourly profile, so daily means carry no within-day swing; pooled,
/// each replication's noise stays in the statistic and only a transient the replications share
/// is worth cutting.
pub fn choose_from(reps: &[UnitResult]) -> WarmupChoice {
    let size = reps
        .iter()
        .map(|u| u.series().batch_size())
        .max()
        .unwrap_or(1);
    let per_rep: Vec<Vec<(f64, f64)>> = reps.iter().map(|u| rebatched(u.series(), size)).collect();
    // Daily means: the batches that ended on each day of the run, averaged. A day is the
    // period of the departures and of the hourly demand profile, so whole days carry no
    // within-day swing that MSER could mistake for a transient (with batches of a few minutes
    // the cut followed the daily cycle and jumped with the horizon).
    let first_day = per_rep
        .iter()
        .filter_map(|s| s.first())
        .map(|b| (b.1 / DAY_H).floor())
        .fold(f64::INFINITY, f64::min);
    let days: Vec<Vec<f64>> = per_rep
        .iter()
        .map(|s| {
            let mut sums: Vec<(f64, u32)> = Vec::new();
            for &(mean, end) in s {
                let d = ((end / DAY_H).floor() - first_day).max(0.0) as usize;
                if sums.len() <= d {
                    sums.resize(d + 1, (0.0, 0));
                }
                sums[d].0 += mean;
                sums[d].1 += 1;
            }
            // A day with no batch (nothing released) takes the day before's mean.
            let mut out = Vec::with_capacity(sums.len());
            let mut last = 0.0;
            for (sum, n) in sums {
                if n > 0 {
                    last = sum / n as f64;
                }
                out.push(last);
            }
            // The last day is cut short by the horizon: left out.
            out.pop();
            out
        })
        .collect();
    let len = days.iter().map(Vec::len).min().unwrap_or(0);
    let values: Vec<Vec<f64>> = days.iter().map(|d| d[..len].to_vec()).collect();
    let cut = mser_pooled(&values, 1);
    let first_h = if first_day.is_finite() {
        let n = per_rep.len().max(1) as f64;
        per_rep
            .iter()
            .filter_map(|s| s.first())
            .map(|b| b.1)
            .sum::<f64>()
            / n
    } else {
        0.0
    };
    let mser_hours = if cut == 0 || !first_day.is_finite() {
        0.0
    } else {
        (first_day + cut as f64) * DAY_H
    };
    let floor_hours = first_h + DAY_H;
    let hours = (mser_hours.max(floor_hours) / DAY_H).ceil() * DAY_H;
    let at_limit = cut > 0 && cut == len / 2;
    let reason = if at_limit {
        format!(
            "MSER cut half the pilot ({mser_hours:.1} h): the headline figure was still drifting at mid-run, so no steady state was seen; lengthen run.horizon_h"
        )
    } else if mser_hours > floor_hours {
        format!("MSER cut the start-up transient at {mser_hours:.1} h")
    } else {
        format!(
            "the floor: one day after the headline figure was first recorded at {first_h:.1} h (MSER alone cut {mser_hours:.1} h), rounded up to a whole day"
        )
    };
    WarmupChoice {
        method: "mser_daily_pooled".to_string(),
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
    use crate::model::QueueingReplication;
    use crate::stats::TallyHist;

    fn unit(values: impl Iterator<Item = f64>) -> UnitResult {
        let mut series = BatchSeries::new();
        for (i, v) in values.enumerate() {
            series.record(v, i as f64 * 0.1);
        }
        UnitResult::Queueing(QueueingReplication {
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
        assert!(flat.mser_hours <= 24.0, "{flat:?}");
        assert_eq!(flat.hours, 24.0, "{flat:?}");
        assert!(flat.reason.contains("floor"), "{}", flat.describe());
        let drift = choose_from(&[unit((0..2_000).map(|i| i as f64))]);
        assert!(drift.at_limit, "{drift:?}");
    }
}
