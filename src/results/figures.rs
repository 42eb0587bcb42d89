//! The shared figures of every result document: a level (mean with its 95% interval) and a
//! duration statistic.

use serde::{Deserialize, Serialize};

/// A statistic of a duration: mean with its 95% interval across replications, and quantiles of
/// all observations pooled.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Stat {
    /// Mean of the replication means.
    pub mean: f64,
    /// 95% Student-t interval of the mean, clipped at 0; `null` with fewer than 2 replications.
    #[serde(default)]
    pub ci95: Option<[f64; 2]>,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Largest value observed.
    pub max: f64,
    /// Observations pooled over replications.
    pub count: u64,
}

/// A time-weighted or per-replication figure: mean and 95% interval across replications.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Level {
    /// Mean of the replication values.
    pub mean: f64,
    /// 95% interval across replications, inside the figure's possible values (Student t;
    /// clipped at 0 for non-negative figures; Wilson for shares); `null` with fewer than 2
    /// replications.
    #[serde(default)]
    pub ci95: Option<[f64; 2]>,
}
