//! The headline figures of a replication, one value per replication: what `compare` pairs,
//! what `sweep` tabulates and what `stress` holds to a limit.

//!
//! A quantile here is each replication's own, interpolated within its histogram bucket
//! ([`Histogram::quantile_interpolated`]): a bucket's top would give many replications the very
//! same value, and their interval across replications a width of zero.

use super::summary::{Level, level_within};
use crate::model::QueueingReplication;
use crate::model::parcel::ParcelReplication;
use crate::results::Metric;
use crate::stats::{Bounds, Histogram};

/// Per-replication values of one headline figure.
pub struct Headline {
    /// Its name, e.g. `clearance_hours.p95`.
    pub metric: Metric,
    /// Its unit.
    pub unit: String,
    /// One value per replication, in replication order.
    pub values: Vec<f64>,
    /// The values it can take, which its interval keeps to.
    pub bounds: Bounds,
}

impl Headline {
    /// Mean and 95% interval across replications, inside [`Headline::bounds`].
    pub fn level(&self) -> Level {
        level_within(&self.values, self.bounds)
    }
}

/// The `q`-quantile of one replication's histogram, interpolated within its bucket.
pub fn quantile(h: &Histogram, q: f64) -> f64 {
    h.quantile_interpolated(q)
}

/// The mean, or 0 when nothing was recorded.
pub fn mean_or_zero(count: u64, mean: f64) -> f64 {
    if count > 0 { mean } else { 0.0 }
}

/// The headline figures of parcel-world replications; amounts in `currency`.
pub fn world_headlines(reps: &[ParcelReplication], currency: &str) -> Vec<Headline> {
    let cleared: u64 = reps.iter().map(|r| r.clearance.tally.count()).sum();
    let h = |metric: Metric, f: &dyn Fn(&ParcelReplication) -> f64| Headline {
        unit: metric
            .unit()
            .map_or_else(String::new, |u| u.label(currency)),
        bounds: metric.bounds(cleared),
        metric,
        values: reps.iter().map(f).collect(),
    };
    vec![
        h(Metric::ClearanceMean, &|r| {
            mean_or_zero(r.clearance.tally.count(), r.clearance.tally.mean())
        }),
        h(Metric::ClearanceP50, &|r| quantile(&r.clearance.hist, 0.5)),
        h(Metric::ClearanceP95, &|r| quantile(&r.clearance.hist, 0.95)),
        h(Metric::EndToEndMean, &|r| {
            mean_or_zero(r.end_to_end.tally.count(), r.end_to_end.tally.mean())
        }),
        h(Metric::ReleasedWithin24h, &|r| {
            r.clearance.hist.share_at_most(24.0)
        }),
        h(Metric::CostPerParcel, &|r| {
            r.cost
                .iter()
                .map(|c| mean_or_zero(c.count(), c.mean()))
                .sum()
        }),
        h(Metric::RevenuePerParcel, &|r| {
            mean_or_zero(r.duty.count(), r.duty.mean()) + mean_or_zero(r.vat.count(), r.vat.mean())
        }),
        h(Metric::BottleneckUtilization, &|r| {
            r.stations
                .iter()
                .flatten()
                .map(|s| s.utilization)
                .fold(0.0, f64::max)
        }),
    ]
}

/// The headline figures of queueing-network replications.
pub fn queueing_headlines(reps: &[QueueingReplication]) -> Vec<Headline> {
    let h = |metric: Metric, f: &dyn Fn(&QueueingReplication) -> f64| Headline {
        unit: metric.unit().map_or_else(String::new, |u| u.label("")),
        bounds: metric.bounds(0),
        metric,
        values: reps.iter().map(f).collect(),
    };
    vec![
        h(Metric::TimeInSystemMean, &|r| {
            mean_or_zero(
                r.time_in_system.tally.count(),
                r.time_in_system.tally.mean(),
            )
        }),
        h(Metric::TimeInSystemP50, &|r| {
            quantile(&r.time_in_system.hist, 0.5)
        }),
        h(Metric::TimeInSystemP95, &|r| {
            quantile(&r.time_in_system.hist, 0.95)
        }),
        h(Metric::ThroughputPerHour, &|r| {
            if r.observed_h > 0.0 {
                r.time_in_system.tally.count() as f64 / r.observed_h
            } else {
                0.0
            }
        }),
        h(Metric::BottleneckUtilization, &|r| {
            r.stages
                .iter()
                .filter_map(|s| s.utilization)
                .fold(0.0, f64::max)
        }),
    ]
}
