//! Streaming statistics: tallies, time-weighted averages, quantile histograms and confidence intervals across replications.
//!
//! Everything recorded during a run lives in memory that does not grow with the number of
//! parcels simulated: a [`Tally`] is a few numbers, a [`Histogram`] a fixed set of buckets, a
//! [`TimeWeighted`] an integral so far. Per-replication results are then summarised across
//! replications with [`Estimate`] and compared with [`paired`].

pub mod histogram;
pub mod interval;
pub mod multiple;
pub mod series;
pub mod tally;
pub mod timeweighted;

pub use histogram::Histogram;
pub use interval::{
    Bounds, Estimate, PairedDifference, interval95, mser_pooled, mser5, mser5_pooled, paired,
    ratio_interval95, t_quantile, t_quantile_975, t_two_sided_p,
};
pub use multiple::holm;
pub use series::BatchSeries;
pub use tally::{Tally, TallyHist};
pub use timeweighted::TimeWeighted;
