//! Per-replication observations reduced to the figures of a summary.
//!
//! Levels, duration statistics, distributions, and the bottleneck among the stations.

use crate::results::figures::{Level, Stat};
use crate::results::run::{Bin, Bottleneck, Distribution, LongestWait};
use crate::stats::{Bounds, Estimate, Histogram, TallyHist, interval95};

/// One station's figures, as candidates for the bottleneck.
pub(crate) struct Candidate {
    pub(crate) station: String,
    pub(crate) delay: Vec<f64>,
    pub(crate) wait: Stat,
    pub(crate) wait_level: Level,
    pub(crate) share: f64,
    pub(crate) utilization: Level,
}

/// The bottleneck among `candidates` (by delay per parcel), or `None` when there is none.
pub(crate) fn bottleneck_of(candidates: Vec<Candidate>) -> Option<Bottleneck> {
    let delay = |c: &Candidate| level(&c.delay).mean;
    let best = candidates
        .iter()
        .max_by(|a, b| delay(a).total_cmp(&delay(b)))?;
    let longest = candidates
        .iter()
        .filter(|c| c.wait.count > 0)
        .max_by(|a, b| a.wait.mean.total_cmp(&b.wait.mean))
        .filter(|c| c.station != best.station && c.wait.mean > best.wait.mean)
        .map(|c| LongestWait {
            station: c.station.clone(),
            mean_wait_hours: c.wait_level.clone(),
            p95_wait_hours: c.wait.p95,
            share_of_parcels: c.share,
        });
    Some(Bottleneck {
        station: best.station.clone(),
        delay_per_parcel_hours: Some(level(&best.delay)),
        mean_wait_hours: Some(best.wait_level.clone()),
        p95_wait_hours: Some(best.wait.p95),
        share_of_parcels: Some(best.share),
        utilization: best.utilization.clone(),
        longest_wait: longest,
    })
}

/// A candidate from a station's per-replication waits, utilisations and the parcels that
/// completed in each replication.
pub(crate) fn candidate(
    station: &str,
    waits: &[&TallyHist],
    utilization: Level,
    done: &[u64],
) -> Candidate {
    let delay = waits
        .iter()
        .zip(done)
        .map(|(w, &n)| if n > 0 { w.tally.sum() / n as f64 } else { 0.0 })
        .collect();
    let wait = stat(waits.iter().copied());
    let held: u64 = waits.iter().map(|w| w.tally.count()).sum();
    let total: u64 = done.iter().sum();
    Candidate {
        station: station.to_string(),
        delay,
        wait_level: Level {
            mean: wait.mean,
            ci95: wait.ci95,
        },
        wait,
        share: if total > 0 {
            (held as f64 / total as f64).min(1.0)
        } else {
            0.0
        },
        utilization,
    }
}

/// Bins of the duration recorded in every replication: equal widths of a round number of hours
/// (about 20 to 40 of them up to the 99.5th percentile), then one bin for the tail up to the
/// maximum, if anything lies beyond. Shares are counted exactly where a bin edge is a bucket
/// edge of the histogram (every whole hour below 256 h), interpolated within the bucket beyond.
pub fn distribution<'a>(
    metric: &'static str,
    per_rep: impl Iterator<Item = &'a TallyHist>,
) -> Option<Distribution> {
    let mut pooled = Histogram::new();
    for th in per_rep {
        pooled.merge(&th.hist);
    }
    if pooled.is_empty() {
        return None;
    }
    let top = pooled.quantile(0.995);
    // Steps whose multiples are bucket edges of the histogram (whole hours, quarter and eighth
    // hours), so each bin's share is counted exactly rather than split within a bucket; only
    // edges past 255 h of the 72 h and 168 h steps may fall inside a bucket (then interpolated).
    const STEPS: [f64; 15] = [
        0.0625, 0.125, 0.25, 0.5, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 24.0, 48.0, 72.0, 168.0,
    ];
    let wanted = top / 40.0;
    let step = STEPS
        .iter()
        .copied()
        .find(|&s| s >= wanted)
        .unwrap_or_else(|| (wanted / 168.0).ceil() * 168.0);
    let n = ((top / step).ceil() as usize).max(1);
    let mut bins = Vec::with_capacity(n + 1);
    let mut below = 0.0;
    for i in 0..n {
        let upper = step * (i + 1) as f64;
        let at_most = pooled.share_at_most(upper);
        bins.push(Bin {
            lower_h: step * i as f64,
            upper_h: upper,
            share: at_most - below,
        });
        below = at_most;
    }
    let last = step * n as f64;
    if below < 1.0 && pooled.max() > last {
        bins.push(Bin {
            lower_h: last,
            upper_h: pooled.max(),
            share: 1.0 - below,
        });
    }
    Some(Distribution {
        metric: metric.to_string(),
        bins,
    })
}

/// Mean and Student-t interval of per-replication values that may take any real value.
pub fn level(values: &[f64]) -> Level {
    level_within(values, Bounds::Real)
}

/// Mean and 95% interval of per-replication values, the interval kept within `bounds`.
pub fn level_within(values: &[f64], bounds: Bounds) -> Level {
    Level {
        mean: Estimate::from_values(values).mean,
        ci95: interval95(values, bounds),
    }
}

/// Summarises a duration recorded in every replication.
pub fn stat<'a>(per_rep: impl Iterator<Item = &'a TallyHist>) -> Stat {
    let mut pooled = Histogram::new();
    let mut means = Vec::new();
    let mut max: f64 = 0.0;
    let mut count = 0;
    for th in per_rep {
        if th.tally.count() > 0 {
            means.push(th.tally.mean());
            max = max.max(th.tally.max());
            count += th.tally.count();
        }
        pooled.merge(&th.hist);
    }
    let e = Estimate::from_values(&means);
    Stat {
        mean: if means.is_empty() { 0.0 } else { e.mean },
        ci95: interval95(&means, Bounds::NonNegative),
        p50: pooled.quantile(0.50),
        p90: pooled.quantile(0.90),
        p95: pooled.quantile(0.95),
        p99: pooled.quantile(0.99),
        max,
        count,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(name: &str, delay: f64, wait: f64, share: f64, util: f64) -> Candidate {
        Candidate {
            station: name.to_string(),
            delay: vec![delay, delay],
            wait: Stat {
                mean: wait,
                ci95: None,
                p50: wait,
                p90: wait,
                p95: wait,
                p99: wait,
                max: wait,
                count: 10,
            },
            wait_level: Level {
                mean: wait,
                ci95: None,
            },
            share,
            utilization: Level {
                mean: util,
                ci95: None,
            },
        }
    }

    #[test]
    fn the_bottleneck_is_the_station_adding_most_delay_not_the_busiest() {
        // The X-ray is the busiest (78%) but physical inspection adds more waiting per parcel.
        let b = bottleneck_of(vec![
            cand("xray", 0.3, 3.3, 0.1, 0.78),
            cand("physical", 0.9, 13.7, 0.066, 0.45),
        ])
        .unwrap();
        assert_eq!(b.station, "physical");
        assert_eq!(b.utilization.mean, 0.45);
        assert!(b.longest_wait.is_none());
        // A station holding few parcels very long is named beside a bottleneck that adds more
        // delay to the average parcel.
        let b = bottleneck_of(vec![
            cand("doc_check", 1.2, 4.0, 0.3, 0.6),
            cand("physical", 0.2, 20.0, 0.01, 0.3),
        ])
        .unwrap();
        assert_eq!(b.station, "doc_check");
        assert_eq!(b.longest_wait.unwrap().station, "physical");
    }
}
