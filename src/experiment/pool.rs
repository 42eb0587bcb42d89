//! The worker pool: replications run in parallel in replication order, and the precision loop
//! that adds replications until the headline figure is as precise as asked.

use rayon::prelude::*;

use super::ExperimentError;
use super::summary::Precision;

/// Runs `replication(i)` for i in 0..n on `threads` worker threads (0: all cores) and returns
/// the results in replication order, so that nothing depends on the thread count or on which
/// replication finishes first.
pub(crate) fn in_parallel<T: Send>(
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
) -> Result<(Vec<T>, Option<Precision>), ExperimentError> {
    let Some(target) = target else {
        return Ok((in_parallel_range(0, first, threads, &replication)?, None));
    };
    let max = (target.max_replications as u64).max(2);
    let mut reps = in_parallel_range(0, first.max(2).min(max), threads, &replication)?;
    loop {
        let reached = achieved(&reps);
        let done = reps.len() as u64;
        if reached <= target.relative || done >= max {
            let precision = Precision {
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
