//! The figures every result document is made of.
//!
//! A level (a mean with its 95% interval), a duration statistic, the shares released within a
//! time.

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

/// Shares of parcels released within a time of arrival.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ReleasedWithin {
    /// Within 1 h.
    #[serde(rename = "1h")]
    pub h1: Level,
    /// Within 24 h.
    #[serde(rename = "24h")]
    pub h24: Level,
    /// Within 48 h.
    #[serde(rename = "48h")]
    pub h48: Level,
}
