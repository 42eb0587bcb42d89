//! One comparison running on a blocking thread (its replications on the rayon pool), with its
//! progress to read and a flag that stops it between replications.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use tokio::sync::OwnedSemaphorePermit;
use tokio::task::JoinHandle;

use crate::experiment::compare::{CompareError, compare_runs};
use crate::experiment::{ExperimentError, Workers};
use crate::report::{ReportInput, page};

use super::State;
use super::cache::Answer;
use super::whatif::WhatIf;

/// How a job ended, when it did not give an answer.
#[derive(Debug)]
pub enum Stopped {
    /// Its client went away or asked again, so it stopped between replications.
    Cancelled,
    /// It failed; the message says why.
    Failed(String),
}

/// A comparison in flight.
pub struct Job {
    /// Replications done so far (of `total`).
    pub progress: indicatif::ProgressBar,
    /// Paired replications to run.
    pub total: u64,
    /// Raised when the job is dropped before it finished: no further replication starts.
    cancel: Arc<AtomicBool>,
    /// The job's thread.
    pub handle: JoinHandle<Result<Arc<Answer>, Stopped>>,
}

impl Drop for Job {
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}

/// Starts `whatif` on a blocking thread with the server's workers; `permit` is held until the
/// simulation has stopped. A finished answer goes into the cache even if nobody waits for it.
pub(crate) fn start(whatif: WhatIf, state: Arc<State>, permit: OwnedSemaphorePermit) -> Job {
    let threads = state.config.threads;
    let progress = indicatif::ProgressBar::hidden();
    let total = whatif.a.run.replications as u64;
    progress.set_length(total);
    let cancel = Arc::new(AtomicBool::new(false));
    let (pb, flag) = (progress.clone(), cancel.clone());
    let handle = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let started = Instant::now();
        let workers = Workers {
            threads,
            progress: Some(&pb),
            cancel: Some(&flag),
        };
        let result = compare_runs(&whatif.a, &whatif.b, workers, None);
        let elapsed = started.elapsed().as_secs_f64();
        let outcome = match result {
            Ok(runs) => answer(&whatif, &runs)
                .map(|a| {
                    let a = Arc::new(a);
                    state.cache.insert(a.clone());
                    a
                })
                .map_err(Stopped::Failed),
            Err(CompareError::Run(ExperimentError::Cancelled)) => {
                state.counters.cancelled.fetch_add(1, Ordering::Relaxed);
                Err(Stopped::Cancelled)
            }
            Err(e) => Err(Stopped::Failed(e.to_string())),
        };
        let how = match &outcome {
            Ok(_) => "done",
            Err(Stopped::Cancelled) => "cancelled",
            Err(Stopped::Failed(_)) => "failed",
        };
        tracing::info!(
            scenario = %whatif.a.origin,
            alternative = %whatif.b.name,
            replications = total,
            done = pb.position(),
            seconds = format!("{elapsed:.3}"),
            "run {how}"
        );
        outcome
    });
    Job {
        progress,
        total,
        cancel,
        handle,
    }
}

/// The answer of a finished comparison: its `compare --json` document and its report, drawn
/// by the report's own code.
pub fn answer(whatif: &WhatIf, runs: &crate::experiment::ComparedRuns) -> Result<Answer, String> {
    let mut json = serde_json::to_string_pretty(&runs.document()).map_err(|e| e.to_string())?;
    json.push('\n');
    let input = ReportInput::of_comparison(runs).map_err(|e| e.to_string())?;
    let report = input.report();
    Ok(Answer {
        id: whatif.key.clone(),
        json,
        html: page::html_page(&report),
        memo: page::markdown(&report),
        body: page::html_body(&report),
        command: whatif.command(),
        args: whatif.args.clone(),
    })
}
