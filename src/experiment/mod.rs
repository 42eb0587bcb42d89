//! Experiments on scenarios: replications in parallel, and their summary across replications.

pub mod summary;

use rayon::prelude::*;

use crate::model::{ReplicationResult, simulate};
use crate::scenario::Scenario;

pub use summary::{RunSummary, Stat, summarize};

/// Why an experiment could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExperimentError {
    /// The thread pool could not be built.
    #[error("cannot start {threads} worker threads: {reason}")]
    Threads {
        /// Threads asked for.
        threads: usize,
        /// Why not.
        reason: String,
    },
}

/// Runs every replication of `scenario` on `threads` worker threads (0: all cores), in
/// parallel, and returns them in replication order, so that the result does not depend on the
/// thread count or on which replication finishes first.
pub fn replicate(
    scenario: &Scenario,
    threads: usize,
) -> Result<Vec<ReplicationResult>, ExperimentError> {
    let n = scenario.run.replications as u64;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| ExperimentError::Threads {
            threads,
            reason: e.to_string(),
        })?;
    Ok(pool.install(|| {
        (0..n)
            .into_par_iter()
            .map(|i| simulate(scenario, i))
            .collect()
    }))
}
