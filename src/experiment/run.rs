//! `clearsim run`: the replications of one scenario, summarised.

use super::seam::{self, UnitResult};
use super::summary::RunSummary;
use super::{
    ExperimentError, PrecisionTarget, Replications, Workers, in_parallel, relative_half_width,
    until_precise,
};
use crate::model::parcel::{ParcelReplication, simulate_world};
use crate::model::{QueueingReplication, simulate};
use crate::scenario::Scenario;

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
