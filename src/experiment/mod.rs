//! Experiments on scenarios, one file per verb, above one model seam.
//!
//! - the worker pool and the precision loop: [`pool`];
//! - the model seam, the one place that knows there are two models: [`seam`];
//! - work units, their store, shards and array tasks: [`units`], [`array_task`];
//! - summaries across replications: [`summary`], [`network_summary`], [`headline`];
//! - the verbs: [`run`], [`compare`] and [`many`] (paired differences), [`sweep`], [`stress`],
//!   [`sensitivity`], [`uncertainty`], [`validate`], [`milestones`], [`warmup`], and the work
//!   and memory [`budget`] every verb checks first.

pub mod array_task;
pub mod budget;
pub mod compare;
pub mod headline;
pub mod many;
pub mod milestones;
pub mod network_summary;
pub mod pool;
pub mod reduce;
pub mod run;
pub mod seam;
pub mod sensitivity;
pub mod stress;
pub mod summary;
pub mod sweep;
pub mod uncertainty;
pub mod units;
pub mod validate;
pub mod warmup;

pub use crate::results::Metric;
pub use compare::{ComparedRuns, Comparison, compare, compare_runs};
pub use pool::{PrecisionTarget, Workers};
pub(crate) use pool::{in_parallel, in_parallel_range, relative_half_width, until_precise};
pub use run::{BacklogRow, RunOutput, output_of, replicate, replicate_world, run, run_with};
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
