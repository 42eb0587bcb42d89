//! A run's replications summarised into its [`RunSummary`] (docs/output.md).
//!
//! Means and their 95% intervals come from the per-replication means (Student t across
//! replications, kept inside what the figure can be: see [`Bounds`]); quantiles and the maximum
//! come from the replications' histograms merged.

pub use crate::results::figures::{Level, ReleasedWithin, Stat};
pub use crate::results::run::{
    Bin, Bottleneck, CostPerParcel, Distribution, Invariants, LongestWait, Metrics, Parcels,
    Precision, RevenuePerParcel, RunSummary, ScenarioId, StageSummary, Warning,
};

use super::reduce::{bottleneck_of, candidate};
pub use super::reduce::{distribution, level, level_within, stat};
use crate::model::parcel::{COSTS, ParcelReplication, TRS_SEGMENTS, station_names};
use crate::model::{QueueingReplication, StageReplication};
use crate::scenario::parcel::ParcelWorld;
use crate::scenario::{Scenario, StageKind};
use crate::stats::Tally;
use crate::stats::{Bounds, TallyHist};

impl ScenarioId {
    /// The name and file hash of `scenario`.
    pub fn of(scenario: &Scenario) -> Self {
        ScenarioId {
            name: scenario.name.clone(),
            sha256: scenario.sha256.clone(),
        }
    }
}

impl Parcels {
    /// Sums per-replication counts (created, delivered, in system, seized, oversize refused).
    fn sum(counts: impl Iterator<Item = [u64; 5]>) -> Self {
        let t = counts.fold([0u64; 5], |a, c| {
            [
                a[0] + c[0],
                a[1] + c[1],
                a[2] + c[2],
                a[3] + c[3],
                a[4] + c[4],
            ]
        });
        Parcels {
            created: t[0],
            delivered: t[1],
            in_system: t[2],
            seized: t[3],
            oversize_refused: t[4],
        }
    }
}

/// Delivered per hour after the warm-up below this share of ordered per hour: the network has
/// not filled (parcels still on the way are the slow ones, so every figure is optimistic).
pub const FILLED_SHARE: f64 = 0.8;

/// Fewer replications than this give no confidence interval.
pub const MIN_REPLICATIONS: u32 = 2;

/// The warnings of a run whose figures should not be read as final: a network that has not
/// filled by the horizon, an observed window shorter than the mean journey, too few
/// replications for an interval, or a resource offered more work than it can do.
/// `created_per_h` is the mean rate parcels were created over the run (`None` without a
/// horizon); `loads` the offered load of each resource.
fn warnings_of(
    s: &RunSummary,
    created_per_h: Option<f64>,
    loads: &[(String, f64)],
) -> Vec<Warning> {
    let mut out = Vec::new();
    let observed = s.horizon_hours.map(|h| h - s.warmup_hours);
    if let (Some(rate), Some(window)) = (created_per_h, observed)
        && rate > 0.0
        && window > 0.0
    {
        let delivered = s.metrics.throughput_per_hour.mean;
        if delivered < FILLED_SHARE * rate {
            out.push(Warning {
                code: "not_filled".to_string(),
                message: format!(
                    "the network has not filled: after the warm-up {} parcels per hour were delivered against {} per hour ordered ({:.0}%, below {:.0}%); the parcels still on the way are the slow ones, so times and costs are too low. Lengthen run.horizon_h (and run.warmup_h).",
                    people(delivered),
                    people(rate),
                    delivered / rate * 100.0,
                    FILLED_SHARE * 100.0
                ),
            });
        }
        let journey = s.metrics.time_in_system_hours.mean;
        if journey > window {
            out.push(Warning {
                code: "window_short".to_string(),
                message: format!(
                    "the observed window ({} h after the warm-up) is shorter than the mean journey ({} h): few parcels can make the whole journey inside it. Lengthen run.horizon_h.",
                    people(window),
                    people(journey)
                ),
            });
        }
    }
    if s.replications < MIN_REPLICATIONS {
        out.push(Warning {
            code: "few_replications".to_string(),
            message: format!(
                "{} replication: no confidence interval, so the noise in every figure is unknown. Run at least {MIN_REPLICATIONS} (--reps).",
                s.replications
            ),
        });
    }
    for (name, rho) in loads.iter().filter(|(_, rho)| *rho >= 1.0) {
        out.push(Warning {
            code: "overloaded".to_string(),
            message: format!(
                "{name} is offered more work than it can do (offered load ρ = {rho:.2} ≥ 1): its queue grows without end, and every figure depends on the horizon. Add capacity or lower demand."
            ),
        });
    }
    out
}

/// A number for a sentence: whole and with thousands grouped from 100, else 2 decimals.
fn people(x: f64) -> String {
    if x.abs() < 100.0 {
        return format!("{x:.2}");
    }
    let digits = format!("{:.0}", x.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if x < 0.0 { format!("-{out}") } else { out }
}

fn kind_name(kind: &StageKind) -> &'static str {
    match kind {
        StageKind::Queue { .. } => "queue",
        StageKind::Delay { .. } => "delay",
        StageKind::Batch { .. } => "batch",
        StageKind::Departures { .. } => "departures",
    }
}

fn at(r: &QueueingReplication, i: usize) -> &StageReplication {
    &r.stages[i]
}

/// Summarises replications of `scenario`, given in replication order.
pub fn summarize(scenario: &Scenario, reps: &[QueueingReplication]) -> RunSummary {
    let per_rep =
        |f: &dyn Fn(&QueueingReplication) -> f64| -> Vec<f64> { reps.iter().map(f).collect() };
    let rate = |n: u64, r: &QueueingReplication| {
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
            let arrivals: u64 = reps.iter().map(|r| at(r, i).arrivals).sum();
            let servers: Vec<f64> = reps.iter().filter_map(|r| at(r, i).servers).collect();
            StageSummary {
                name: st.name.clone(),
                kind: kind_name(&st.kind).to_string(),
                wait_hours: stat(reps.iter().map(|r| &at(r, i).wait)),
                time_in_stage_hours: stat(reps.iter().map(|r| &at(r, i).time_in_stage)),
                utilization: (!utilization.is_empty())
                    .then(|| level_within(&utilization, Bounds::Share { observations: 0 })),
                queue_length: level_within(
                    &per_rep(&|r| at(r, i).queue_length),
                    Bounds::NonNegative,
                ),
                in_stage: level_within(&per_rep(&|r| at(r, i).in_stage), Bounds::NonNegative),
                throughput_per_hour: level_within(
                    &per_rep(&|r| rate(at(r, i).completed, r)),
                    Bounds::NonNegative,
                ),
                servers: (!servers.is_empty()).then(|| level_within(&servers, Bounds::NonNegative)),
                queue_max: reps.iter().map(|r| at(r, i).queue_max).fold(0.0, f64::max),
                arrivals,
                completed: reps.iter().map(|r| at(r, i).completed).sum(),
                blocked: reps.iter().map(|r| at(r, i).blocked).sum(),
                blocking_probability: level_within(
                    &per_rep(&|r| {
                        let a = at(r, i).arrivals;
                        if a > 0 {
                            at(r, i).blocked as f64 / a as f64
                        } else {
                            0.0
                        }
                    }),
                    Bounds::Share {
                        observations: arrivals,
                    },
                ),
            }
        })
        .collect();
    let delivered_after_warmup = |r: &QueueingReplication| r.time_in_system.tally.count();
    let done: Vec<u64> = reps.iter().map(delivered_after_warmup).collect();
    let candidates = scenario
        .stages
        .iter()
        .enumerate()
        .filter_map(|(i, st)| {
            let u: Vec<f64> = reps.iter().filter_map(|r| at(r, i).utilization).collect();
            (!u.is_empty()).then(|| {
                let waits: Vec<&TallyHist> = reps.iter().map(|r| &at(r, i).wait).collect();
                candidate(&st.name, &waits, level(&u), &done)
            })
        })
        .collect();
    let loads: Vec<(String, f64)> = scenario
        .offered_loads()
        .iter()
        .filter_map(|l| Some((scenario.stages.get(l.stage)?.name.clone(), l.load?)))
        .collect();
    let mut summary = RunSummary {
        clearsim_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: ScenarioId::of(scenario),
        seed: scenario.run.seed,
        replications: reps.len() as u32,
        warmup_hours: scenario.run.warmup_h,
        horizon_hours: scenario.run.horizon_h,
        arrivals_limit: scenario.run.arrivals,
        end_hours: level(&per_rep(&|r| r.end_h)).mean,
        events: reps.iter().map(|r| r.events).sum(),
        parcels: Parcels::sum(
            reps.iter()
                .map(|r| [r.created, r.delivered, r.in_system, r.seized, 0]),
        ),
        stages,
        metrics: Metrics {
            time_in_system_hours: stat(reps.iter().map(|r| &r.time_in_system)),
            throughput_per_hour: level_within(
                &per_rep(&|r| rate(delivered_after_warmup(r), r)),
                Bounds::NonNegative,
            ),
            clearance_hours: None,
            end_to_end_hours: None,
            released_within: None,
        },
        currency: None,
        cost_per_parcel: None,
        revenue_per_parcel: None,
        throughput_per_day: None,
        bottleneck: bottleneck_of(candidates),
        invariants: None,
        precision: None,
        uncertainty: None,
        warmup: None,
        distribution: distribution(
            "time_in_system_hours",
            reps.iter().map(|r| &r.time_in_system),
        ),
        network: None,
        warnings: Vec::new(),
    };
    let created_per_h = created_rate(summary.parcels.created, reps.len(), scenario);
    summary.warnings = warnings_of(&summary, created_per_h, &loads);
    summary
}

/// Parcels created per hour of a replication, on average, when runs stop at a horizon.
fn created_rate(created: u64, reps: usize, scenario: &Scenario) -> Option<f64> {
    let h = scenario
        .run
        .horizon_h
        .filter(|h| *h > 0.0 && h.is_finite())?;
    (reps > 0).then(|| created as f64 / reps as f64 / h)
}

/// Summarises replications of a parcel-world scenario, given in replication order.
pub fn summarize_world(
    scenario: &Scenario,
    world: &ParcelWorld,
    reps: &[ParcelReplication],
) -> RunSummary {
    let per_within = |f: &dyn Fn(&ParcelReplication) -> f64, bounds: Bounds| -> Level {
        level_within(&reps.iter().map(f).collect::<Vec<_>>(), bounds)
    };
    let per = |f: &dyn Fn(&ParcelReplication) -> f64| per_within(f, Bounds::NonNegative);
    let zero_stat = |name: &str, kind: &'static str, th: Vec<&TallyHist>| StageSummary {
        name: name.to_string(),
        kind: kind.to_string(),
        wait_hours: stat(th.iter().copied()),
        time_in_stage_hours: stat(th.into_iter()),
        utilization: None,
        queue_length: level(&vec![0.0; reps.len()]),
        in_stage: level(&vec![0.0; reps.len()]),
        throughput_per_hour: level(&vec![0.0; reps.len()]),
        servers: None,
        queue_max: 0.0,
        arrivals: 0,
        completed: 0,
        blocked: 0,
        blocking_probability: level(&vec![0.0; reps.len()]),
    };
    let mut stages = Vec::new();
    for (k, name) in TRS_SEGMENTS.iter().enumerate() {
        stages.push(zero_stat(
            name,
            "trs_segment",
            reps.iter().map(|r| &r.segments[k]).collect(),
        ));
    }
    stages.push(zero_stat(
        "exit",
        "trs_segment",
        reps.iter().map(|r| &r.exit).collect(),
    ));
    let mut candidates = Vec::new();
    let done: Vec<u64> = reps.iter().map(|r| r.clearance.tally.count()).collect();
    for (i, name) in station_names(world).iter().enumerate() {
        if reps
            .first()
            .is_none_or(|r| r.stations.get(i).is_none_or(|s| s.is_none()))
        {
            continue;
        }
        let st =
            |r: &ParcelReplication| r.stations[i].clone().expect("present in every replication");
        let utilization = per_within(&|r| st(r).utilization, Bounds::Share { observations: 0 });
        let waits: Vec<TallyHist> = reps.iter().map(|r| st(r).wait).collect();
        candidates.push(candidate(
            name,
            &waits.iter().collect::<Vec<_>>(),
            utilization.clone(),
            &done,
        ));
        stages.push(StageSummary {
            name: name.to_string(),
            kind: "queue".to_string(),
            wait_hours: stat(waits.iter()),
            time_in_stage_hours: stat(waits.iter()),
            utilization: Some(utilization),
            queue_length: per(&|r| st(r).queue_length),
            in_stage: per(&|r| st(r).queue_length),
            throughput_per_hour: per(&|r| {
                if r.observed_h > 0.0 {
                    st(r).services as f64 / r.observed_h
                } else {
                    0.0
                }
            }),
            servers: Some(per(&|r| st(r).servers)),
            queue_max: reps.iter().map(|r| st(r).queue_max).fold(0.0, f64::max),
            arrivals: reps.iter().map(|r| st(r).services).sum(),
            completed: reps.iter().map(|r| st(r).services).sum(),
            blocked: 0,
            blocking_probability: level(&vec![0.0; reps.len()]),
        });
    }
    // A share lies in [0, 1]: a Wilson interval, whose effective size is capped by the parcels
    // counted (a t-interval from few replications reaches past the bounds).
    let cleared: u64 = reps.iter().map(|r| r.clearance.tally.count()).sum();
    let share = |h: f64| {
        per_within(
            &|r| r.clearance.hist.share_at_most(h),
            Bounds::Share {
                observations: cleared,
            },
        )
    };
    let mut breakdown = std::collections::BTreeMap::new();
    for (k, name) in COSTS.iter().enumerate() {
        breakdown.insert(
            name.to_string(),
            per(&|r| {
                if r.cost[k].count() > 0 {
                    r.cost[k].mean()
                } else {
                    0.0
                }
            }),
        );
    }
    let total = per(&|r| {
        r.cost
            .iter()
            .map(|c| if c.count() > 0 { c.mean() } else { 0.0 })
            .sum()
    });
    let mean_or_zero = |t: &Tally| if t.count() > 0 { t.mean() } else { 0.0 };
    let e2e = stat(reps.iter().map(|r| &r.end_to_end));
    let loads: Vec<(String, f64)> = world
        .offered_loads()
        .iter()
        .map(|l| (l.name.to_string(), l.load))
        .collect();
    let mut summary = RunSummary {
        clearsim_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: ScenarioId::of(scenario),
        seed: scenario.run.seed,
        replications: reps.len() as u32,
        warmup_hours: scenario.run.warmup_h,
        horizon_hours: scenario.run.horizon_h,
        arrivals_limit: scenario.run.arrivals,
        end_hours: scenario.run.horizon_h.unwrap_or(0.0),
        events: reps.iter().map(|r| r.events).sum(),
        parcels: Parcels::sum(reps.iter().map(|r| {
            [
                r.created,
                r.delivered,
                r.in_system,
                r.seized,
                r.oversize_refused,
            ]
        })),
        stages,
        metrics: Metrics {
            time_in_system_hours: e2e.clone(),
            throughput_per_hour: per(&|r| {
                if r.observed_h > 0.0 {
                    r.delivered_after_warmup as f64 / r.observed_h
                } else {
                    0.0
                }
            }),
            clearance_hours: Some(stat(reps.iter().map(|r| &r.clearance))),
            end_to_end_hours: Some(e2e),
            released_within: Some(ReleasedWithin {
                h1: share(1.0),
                h24: share(24.0),
                h48: share(48.0),
            }),
        },
        currency: Some(world.reporting_currency.clone()),
        cost_per_parcel: Some(CostPerParcel { total, breakdown }),
        revenue_per_parcel: Some(RevenuePerParcel {
            duty: per(&|r| mean_or_zero(&r.duty)),
            vat: per(&|r| mean_or_zero(&r.vat)),
        }),
        throughput_per_day: Some(per(&|r| {
            if r.observed_h > 0.0 {
                r.delivered_after_warmup as f64 / r.observed_h * 24.0
            } else {
                0.0
            }
        })),
        bottleneck: bottleneck_of(candidates),
        invariants: Some(Invariants {
            max_departure_fill: reps
                .iter()
                .map(|r| r.max_departure_fill)
                .fold(0.0, f64::max),
            cutoff_violations: reps.iter().map(|r| r.cutoff_violations).sum(),
            closed_station_starts: reps
                .iter()
                .flat_map(|r| r.stations.iter().flatten())
                .map(|s| s.closed_starts)
                .sum(),
        }),
        precision: None,
        uncertainty: None,
        warmup: None,
        distribution: distribution("clearance_hours", reps.iter().map(|r| &r.clearance)),
        network: super::network_summary::summarize_network(world, reps),
        warnings: Vec::new(),
    };
    let created_per_h = created_rate(summary.parcels.created, reps.len(), scenario);
    summary.warnings = warnings_of(&summary, created_per_h, &loads);
    summary
}
