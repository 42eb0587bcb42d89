//! Experiments on scenarios: replications run in parallel (to a precision target if asked),
//! summarised across replications, and paired comparisons of two scenarios.

pub mod array_task;
pub mod budget;
pub mod compare;
pub mod headline;
pub mod many;
pub mod milestones;
pub mod network_summary;
pub mod reduce;
pub mod seam;
pub mod sensitivity;
pub mod stress;
pub mod summary;
pub mod sweep;
pub mod uncertainty;
pub mod units;
pub mod validate;
pub mod warmup;

use rayon::prelude::*;

use crate::model::parcel::{ParcelReplication, simulate_world};
use crate::model::{QueueingReplication, simulate};
use crate::scenario::Scenario;

pub use crate::results::Metric;
pub use compare::{ComparedRuns, Comparison, compare, compare_runs};
pub use seam::{Replications, UnitResult};
pub use summary::{RunSummary, Stat, summarize, summarize_world};
pub use units::Shard;

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
    /// A replication's clock stopped advancing and the replication was ended there.
    #[error(
        "replication {replication} stopped at {at_h} h: simulated time no longer advanced (more steps at one instant than the entities in flight explain: a loop of zero-time stages, or times too large for a gap to change them); give a stage of the loop a positive time, or lower the demand or the horizon"
    )]
    Stalled {
        /// The replication.
        replication: u64,
        /// The instant it stopped at [h].
        at_h: f64,
    },
    /// The caller asked the run to stop (its [`Workers::cancel`] flag was raised) before every
    /// replication had started; what had run is dropped.
    #[error("the run was cancelled before it finished")]
    Cancelled,
}

/// Runs `replication(i)` for i in 0..n on `threads` worker threads (0: all cores) and returns
/// the results in replication order, so that nothing depends on the thread count or on which
/// replication finishes first.
fn in_parallel<T: Send>(
    n: u32,
    threads: usize,
    replication: impl Fn(u64) -> T + Sync + Send,
) -> Result<Vec<T>, ExperimentError> {
    in_parallel_range(0, n as u64, Workers::threads(threads), replication)
}

/// Where replications run: how many threads, and a progress bar to advance, if any.
#[derive(Clone, Copy, Debug, Default)]
pub struct Workers<'a> {
    /// Worker threads (0: all cores).
    pub threads: usize,
    /// Advanced by one for every finished replication (the command line draws it on a terminal).
    pub progress: Option<&'a indicatif::ProgressBar>,
    /// Once raised, no further replication starts and the run ends with
    /// [`ExperimentError::Cancelled`] (`clearsim serve` raises it when its client goes away).
    pub cancel: Option<&'a std::sync::atomic::AtomicBool>,
}

impl Workers<'_> {
    /// `threads` workers, no progress bar.
    pub fn threads(threads: usize) -> Self {
        Workers {
            threads,
            progress: None,
            cancel: None,
        }
    }

    /// Whether the run was asked to stop.
    fn cancelled(&self) -> bool {
        self.cancel
            .is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed))
    }
}

/// [`in_parallel`] for replications `start..end`.
pub(crate) fn in_parallel_range<T: Send>(
    start: u64,
    end: u64,
    workers: Workers<'_>,
    replication: impl Fn(u64) -> T + Sync + Send,
) -> Result<Vec<T>, ExperimentError> {
    let threads = workers.threads;
    if let Some(pb) = workers.progress {
        pb.set_length(pb.length().unwrap_or(0).max(end));
    }
    // Checked between replications: one already started runs to its end.
    let replication = |i| {
        if workers.cancelled() {
            return None;
        }
        let r = replication(i);
        if let Some(pb) = workers.progress {
            pb.inc(1);
        }
        Some(r)
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| ExperimentError::Threads {
            threads,
            reason: e.to_string(),
        })?;
    let done: Option<Vec<T>> =
        pool.install(|| (start..end).into_par_iter().map(&replication).collect());
    match done {
        Some(results) => Ok(results),
        None => Err(ExperimentError::Cancelled),
    }
}

/// Runs every replication of a plain-network `scenario` in parallel, in replication order.
pub fn replicate(
    scenario: &Scenario,
    threads: usize,
) -> Result<Vec<QueueingReplication>, ExperimentError> {
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
#[derive(Clone, Debug, PartialEq)]
pub struct BacklogRow {
    /// Replication index.
    pub replication: u64,
    /// Simulated hour.
    pub hour: u32,
    /// Stage, one of [`crate::model::parcel::backlog_stages`] of the world (shared, not copied
    /// per row).
    pub stage: std::sync::Arc<str>,
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
    run_with(scenario, Workers::threads(threads), None)
}

/// How precise the headline figure must be: stop adding replications when the 95% CI
/// half-width is at most `relative` × its mean, or at `max_replications`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PrecisionTarget {
    /// Target half-width over mean, e.g. 0.02.
    pub relative: f64,
    /// Most replications to run.
    pub max_replications: u32,
}

/// The relative 95% half-width of the mean of `values` (non-finite values left out).
pub(crate) fn relative_half_width(values: impl Iterator<Item = f64>) -> f64 {
    let values: Vec<f64> = values.filter(|v| v.is_finite()).collect();
    crate::stats::Estimate::from_values(&values).relative_half_width()
}

/// Replications in batches until `target` is met: starts with `first` replications (at least
/// 2), then runs as many more as the current interval says are needed. `achieved` gives the
/// relative half-width reached by the replications so far. Replication `i` is always the same,
/// so the result does not depend on threads or batches.
pub(crate) fn until_precise<T: Send>(
    first: u64,
    threads: Workers<'_>,
    target: Option<PrecisionTarget>,
    replication: impl Fn(u64) -> T + Sync + Send,
    achieved: impl Fn(&[T]) -> f64,
) -> Result<(Vec<T>, Option<summary::Precision>), ExperimentError> {
    let Some(target) = target else {
        return Ok((in_parallel_range(0, first, threads, &replication)?, None));
    };
    let max = (target.max_replications as u64).max(2);
    let mut reps = in_parallel_range(0, first.max(2).min(max), threads, &replication)?;
    loop {
        let reached = achieved(&reps);
        let done = reps.len() as u64;
        if reached <= target.relative || done >= max {
            let precision = summary::Precision {
                target_relative_half_width: target.relative,
                achieved_relative_half_width: reached,
                replications: done as u32,
                met: reached <= target.relative,
            };
            return Ok((reps, Some(precision)));
        }
        // The half-width shrinks like 1/√n: aim for the n that meets the target, by at least 2.
        let needed = (done as f64 * (reached / target.relative).powi(2)).ceil() as u64;
        let next = needed.max(done + 2).min(max);
        reps.extend(in_parallel_range(done, next, threads, &replication)?);
    }
}

/// Runs a scenario of either kind, with a precision target if given, and summarises it.
pub fn run_with(
    scenario: &Scenario,
    threads: Workers<'_>,
    target: Option<PrecisionTarget>,
) -> Result<RunOutput, ExperimentError> {
    let (reps, precision) = until_precise(
        scenario.run.replications as u64,
        threads,
        target,
        |i| seam::simulate(scenario, i),
        |reps: &[UnitResult]| relative_half_width(reps.iter().map(|u| u.headline())),
    )?;
    if let Some((replication, at_h)) = reps.iter().find_map(|u| u.stalled()) {
        return Err(ExperimentError::Stalled { replication, at_h });
    }
    let mut output = output_of(scenario, reps);
    output.summary.precision = precision;
    Ok(output)
}

/// Summary and backlog of a scenario's replications, given in replication order.
pub fn output_of(scenario: &Scenario, reps: Vec<UnitResult>) -> RunOutput {
    Replications::from_units(reps).output(scenario)
}
