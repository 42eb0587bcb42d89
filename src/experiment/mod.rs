//! Experiments on scenarios: replications in parallel, and their summary across replications.

pub mod compare;
pub mod summary;

use rayon::prelude::*;

use crate::model::parcel::{ParcelReplication, simulate_world};
use crate::model::{ReplicationResult, simulate};
use crate::scenario::Scenario;

pub use compare::{Comparison, compare};
pub use summary::{RunSummary, Stat, summarize, summarize_world};

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

/// Runs `replication(i)` for i in 0..n on `threads` worker threads (0: all cores) and returns
/// the results in replication order, so that nothing depends on the thread count or on which
/// replication finishes first.
fn in_parallel<T: Send>(
    n: u32,
    threads: usize,
    replication: impl Fn(u64) -> T + Sync + Send,
) -> Result<Vec<T>, ExperimentError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| ExperimentError::Threads {
            threads,
            reason: e.to_string(),
        })?;
    Ok(pool.install(|| (0..n as u64).into_par_iter().map(&replication).collect()))
}

/// Runs every replication of a plain-network `scenario` in parallel, in replication order.
pub fn replicate(
    scenario: &Scenario,
    threads: usize,
) -> Result<Vec<ReplicationResult>, ExperimentError> {
    in_parallel(scenario.run.replications, threads, |i| {
        simulate(scenario, i)
    })
}

/// Runs every replication of a parcel-world scenario in parallel, in replication order.
pub fn replicate_world(
    scenario: &Scenario,
    threads: usize,
) -> Result<Vec<ParcelReplication>, ExperimentError> {
    let world = scenario
        .world
        .as_ref()
        .expect("replicate_world needs a parcel-world scenario");
    in_parallel(scenario.run.replications, threads, |i| {
        simulate_world(scenario, world, i)
    })
}

/// Parcels waiting at one stage at one hour of one replication: a row of `backlog.csv`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BacklogRow {
    /// Replication index.
    pub replication: u64,
    /// Simulated hour.
    pub hour: u32,
    /// Stage, one of [`crate::model::parcel::BACKLOG_STAGES`].
    pub stage: &'static str,
    /// Parcels waiting there.
    pub parcels: u32,
}

/// What a run produced: the summary and, for a parcel world, the backlog over time.
#[derive(Clone, Debug)]
pub struct RunOutput {
    /// The summary (the JSON contract).
    pub summary: RunSummary,
    /// Backlog every hour of every replication, in replication, hour, stage order.
    pub backlog: Vec<BacklogRow>,
}

/// Runs a scenario of either kind and summarises it.
pub fn run(scenario: &Scenario, threads: usize) -> Result<RunOutput, ExperimentError> {
    match &scenario.world {
        Some(world) => {
            let reps = replicate_world(scenario, threads)?;
            let backlog = reps
                .iter()
                .flat_map(|r| {
                    r.backlog
                        .iter()
                        .map(move |&(hour, stage, parcels)| BacklogRow {
                            replication: r.index,
                            hour,
                            stage: crate::model::parcel::BACKLOG_STAGES[stage as usize],
                            parcels,
                        })
                })
                .collect();
            Ok(RunOutput {
                summary: summarize_world(scenario, world, &reps),
                backlog,
            })
        }
        None => Ok(RunOutput {
            summary: summarize(scenario, &replicate(scenario, threads)?),
            backlog: Vec::new(),
        }),
    }
}
