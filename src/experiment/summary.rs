//! The summary of a run across replications: the JSON output contract (docs/output.md).
//!
//! Means and their 95% intervals come from the per-replication means (Student t across
//! replications); quantiles and the maximum come from the replications' histograms merged.

use serde::Serialize;

use crate::model::{ReplicationResult, StageReplication};
use crate::scenario::{Scenario, StageKind};
use crate::stats::{Estimate, Histogram, TallyHist};

/// A statistic of a duration: mean with its 95% interval across replications, and quantiles of
/// all observations pooled.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stat {
    /// Mean of the replication means.
    pub mean: f64,
    /// 95% Student-t interval of the mean; `null` with fewer than 2 replications.
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
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Level {
    /// Mean of the replication values.
    pub mean: f64,
    /// 95% Student-t interval; `null` with fewer than 2 replications.
    pub ci95: Option<[f64; 2]>,
}

/// The scenario a run came from.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScenarioId {
    /// Its name.
    pub name: String,
    /// SHA-256 of the file's bytes.
    pub sha256: String,
}

/// Entity counts summed over replications: created = delivered + in_system + seized.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Parcels {
    /// Created (arrived) over the whole run, warm-up included.
    pub created: u64,
    /// Left the network.
    pub delivered: u64,
    /// Still in the network when the run ended.
    pub in_system: u64,
    /// Turned away or taken out: in a plain network, arrivals blocked by a full waiting room.
    pub seized: u64,
}

/// One stage's figures.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StageSummary {
    /// Stage name.
    pub name: String,
    /// queue, delay, batch or departures.
    pub kind: &'static str,
    /// Time waiting before service / release / boarding [h].
    pub wait_hours: Stat,
    /// Time from entering to leaving the stage [h].
    pub time_in_stage_hours: Stat,
    /// Busy over available server-hours (queue stages; `null` otherwise).
    pub utilization: Option<Level>,
    /// Time-average number waiting.
    pub queue_length: Level,
    /// Time-average number in the stage (L in Little's law).
    pub in_stage: Level,
    /// Entities leaving the stage per hour after the warm-up.
    pub throughput_per_hour: Level,
    /// Time-average servers on duty (queue stages; `null` otherwise).
    pub servers: Option<Level>,
    /// Largest number waiting in any replication.
    pub queue_max: f64,
    /// Entities that entered after the warm-up, summed over replications.
    pub arrivals: u64,
    /// Entities that left after the warm-up, summed over replications.
    pub completed: u64,
    /// Arrivals turned away by a full waiting room after the warm-up, summed.
    pub blocked: u64,
    /// Share of arrivals turned away (finite waiting rooms).
    pub blocking_probability: Level,
}

/// End-to-end figures.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Metrics {
    /// Time from creation to leaving the network [h].
    pub time_in_system_hours: Stat,
    /// Entities leaving the network per hour after the warm-up.
    pub throughput_per_hour: Level,
}

/// The summary of a run: what `clearsim run --json` prints.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunSummary {
    /// Version of clearsim that produced it.
    pub clearsim_version: &'static str,
    /// The scenario.
    pub scenario: ScenarioId,
    /// Master seed.
    pub seed: u64,
    /// Replications run.
    pub replications: u32,
    /// Warm-up deleted from every statistic [h].
    pub warmup_hours: f64,
    /// Horizon of each replication [h]; `null` when runs stop after a number of arrivals.
    pub horizon_hours: Option<f64>,
    /// Arrival limit of each replication, if any.
    pub arrivals_limit: Option<u64>,
    /// Mean simulated time at the end of a replication [h].
    pub end_hours: f64,
    /// Events processed over all replications.
    pub events: u64,
    /// Conservation of entities.
    pub parcels: Parcels,
    /// Per stage, in scenario order.
    pub stages: Vec<StageSummary>,
    /// End-to-end figures.
    pub metrics: Metrics,
}

/// Mean and interval of per-replication values.
pub fn level(values: &[f64]) -> Level {
    let e = Estimate::from_values(values);
    Level {
        mean: e.mean,
        ci95: e.ci95(),
    }
}

/// Summarises a duration recorded in every replication.
pub fn stat<'a>(per_rep: impl Iterator<Item = &'a TallyHist>) -> Stat {
    let mut pooled = Histogram::new();
    let mut means = Vec::new();
    let mut max: f64 = 0.0;
    let mut count = 0;
    for th in per_rep {
        if th.tally.count() > 0 {
            means.push(th.tally.mean());
            max = max.max(th.tally.max());
            count += th.tally.count();
        }
        pooled.merge(&th.hist);
    }
    let e = Estimate::from_values(&means);
    Stat {
        mean: if means.is_empty() { 0.0 } else { e.mean },
        ci95: e.ci95(),
        p50: pooled.quantile(0.50),
        p90: pooled.quantile(0.90),
        p95: pooled.quantile(0.95),
        p99: pooled.quantile(0.99),
        max,
        count,
    }
}

fn kind_name(kind: &StageKind) -> &'static str {
    match kind {
        StageKind::Queue { .. } => "queue",
        StageKind::Delay { .. } => "delay",
        StageKind::Batch { .. } => "batch",
        StageKind::Departures { .. } => "departures",
    }
}

fn at(r: &ReplicationResult, i: usize) -> &StageReplication {
    &r.stages[i]
}

/// Summarises replications of `scenario`, given in replication order.
pub fn summarize(scenario: &Scenario, reps: &[ReplicationResult]) -> RunSummary {
    let per_rep =
        |f: &dyn Fn(&ReplicationResult) -> f64| -> Vec<f64> { reps.iter().map(f).collect() };
    let rate = |n: u64, r: &ReplicationResult| {
        if r.observed_h > 0.0 {
            n as f64 / r.observed_h
        } else {
            0.0
        }
    };
    let stages = scenario
        .stages
        .iter()
        .enumerate()
        .map(|(i, st)| {
            let utilization: Vec<f64> = reps.iter().filter_map(|r| at(r, i).utilization).collect();
            let servers: Vec<f64> = reps.iter().filter_map(|r| at(r, i).servers).collect();
            StageSummary {
                name: st.name.clone(),
                kind: kind_name(&st.kind),
                wait_hours: stat(reps.iter().map(|r| &at(r, i).wait)),
                time_in_stage_hours: stat(reps.iter().map(|r| &at(r, i).time_in_stage)),
                utilization: (!utilization.is_empty()).then(|| level(&utilization)),
                queue_length: level(&per_rep(&|r| at(r, i).queue_length)),
                in_stage: level(&per_rep(&|r| at(r, i).in_stage)),
                throughput_per_hour: level(&per_rep(&|r| rate(at(r, i).completed, r))),
                servers: (!servers.is_empty()).then(|| level(&servers)),
                queue_max: reps.iter().map(|r| at(r, i).queue_max).fold(0.0, f64::max),
                arrivals: reps.iter().map(|r| at(r, i).arrivals).sum(),
                completed: reps.iter().map(|r| at(r, i).completed).sum(),
                blocked: reps.iter().map(|r| at(r, i).blocked).sum(),
                blocking_probability: level(&per_rep(&|r| {
                    let a = at(r, i).arrivals;
                    if a > 0 {
                        at(r, i).blocked as f64 / a as f64
                    } else {
                        0.0
                    }
                })),
            }
        })
        .collect();
    let delivered_after_warmup = |r: &ReplicationResult| r.time_in_system.tally.count();
    RunSummary {
        clearsim_version: env!("CARGO_PKG_VERSION"),
        scenario: ScenarioId {
            name: scenario.name.clone(),
            sha256: scenario.sha256.clone(),
        },
        seed: scenario.run.seed,
        replications: reps.len() as u32,
        warmup_hours: scenario.run.warmup_h,
        horizon_hours: scenario.run.horizon_h,
        arrivals_limit: scenario.run.arrivals,
        end_hours: level(&per_rep(&|r| r.end_h)).mean,
        events: reps.iter().map(|r| r.events).sum(),
        parcels: Parcels {
            created: reps.iter().map(|r| r.created).sum(),
            delivered: reps.iter().map(|r| r.delivered).sum(),
            in_system: reps.iter().map(|r| r.in_system).sum(),
            seized: reps.iter().map(|r| r.seized).sum(),
        },
        stages,
        metrics: Metrics {
            time_in_system_hours: stat(reps.iter().map(|r| &r.time_in_system)),
            throughput_per_hour: level(&per_rep(&|r| rate(delivered_after_warmup(r), r))),
        },
    }
}
