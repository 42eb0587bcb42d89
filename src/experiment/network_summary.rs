//! A network's replications summarised into the `network` section of its run summary
//! ([`NetworkSummary`]: per hub, lane and gateway, returns, the network's bottleneck).
//!
//! As in the rest of the summary, a mean's 95% interval is Student t across the
//! per-replication values, kept inside what the figure can be (at least 0; a share, a
//! utilisation or a load factor by Wilson, inside [0, 1]); quantiles and maxima come from the
//! replications' observations pooled. Money is in the reporting currency, and per gateway also in its own (own = reporting / fx).

pub use crate::results::network::{
    GatewayMoney, GatewaySummary, HubSummary, LaneSummary, LoadFactor, LoadFactors,
    NetworkBottleneck, NetworkSummary, ReturnsSummary, SegmentSummary,
};

use super::reduce::{Candidate, bottleneck_of, candidate, level_within, stat};
use crate::model::parcel::{COSTS, ParcelReplication, TRS_SEGMENTS, station_names};
use crate::results::figures::ReleasedWithin;
use crate::scenario::network::Node;
use crate::scenario::parcel::ParcelWorld;
use crate::stats::{Bounds, Tally, TallyHist};

/// True when a world is more than one chain: more than one hub, lane or gateway, or returns.
pub fn is_network(world: &ParcelWorld) -> bool {
    world.hubs.len() > 1
        || world.lanes.len() > 1
        || world.gateways.len() > 1
        || world.platforms.iter().any(|p| p.returns.is_some())
}

fn mean_or_zero(t: &Tally) -> f64 {
    if t.count() > 0 { t.mean() } else { 0.0 }
}

fn per_day(n: f64, r: &ParcelReplication) -> f64 {
    if r.observed_h > 0.0 {
        n / r.observed_h * 24.0
    } else {
        0.0
    }
}

fn node_name(world: &ParcelWorld, n: Node) -> String {
    match n {
        Node::Hub(h) => world.hubs.get(h).map(|x| x.name.clone()),
        Node::Gateway(g) => world.gateways.get(g).map(|x| x.name.clone()),
    }
    .unwrap_or_default()
}

/// The `network` section of replications of `world`, or `None` for a one-chain world.
pub fn summarize_network(
    world: &ParcelWorld,
    reps: &[ParcelReplication],
) -> Option<NetworkSummary> {
    if !is_network(world) {
        return None;
    }
    let nn = |v: Vec<f64>| level_within(&v, Bounds::NonNegative);
    let each = |f: &dyn Fn(&ParcelReplication) -> f64| -> Vec<f64> { reps.iter().map(f).collect() };
    let names = station_names(world);
    let station = |name: &str| names.iter().position(|n| n == name);
    let present = |i: usize| {
        reps.first()
            .is_some_and(|r| r.stations.get(i).is_some_and(|s| s.is_some()))
    };

    let hubs = world
        .hubs
        .iter()
        .enumerate()
        .map(|(h, hub)| {
            let sort = station(&world.qualified(Node::Hub(h), "sort")).filter(|&i| present(i));
            let fig = |r: &ParcelReplication| r.hubs.get(h).cloned().unwrap_or_default();
            HubSummary {
                name: hub.name.clone(),
                sort_utilization: sort.map(|i| {
                    level_within(
                        &reps
                            .iter()
                            .filter_map(|r| r.stations[i].as_ref().map(|s| s.utilization))
                            .collect::<Vec<_>>(),
                        Bounds::Share { observations: 0 },
                    )
                }),
                sort_wait_hours: sort.map(|i| {
                    stat(
                        reps.iter()
                            .filter_map(|r| r.stations[i].as_ref().map(|s| &s.wait)),
                    )
                }),
                export_hours: stat(reps.iter().filter_map(|r| r.hubs.get(h).map(|x| &x.export))),
                bags: reps.iter().map(|r| fig(r).bags).sum(),
                parcels: reps.iter().map(|r| fig(r).parcels).sum(),
                parcels_per_day: nn(each(&|r| per_day(fig(r).parcels as f64, r))),
            }
        })
        .collect();

    let lanes = world
        .lanes
        .iter()
        .enumerate()
        .map(|(l, lane)| {
            let figs: Vec<_> = reps
                .iter()
                .map(|r| r.lanes.get(l).cloned().unwrap_or_default())
                .collect();
            let sum = |f: &dyn Fn(&crate::model::parcel::LaneFigures) -> u64| -> u64 {
                figs.iter().map(f).sum()
            };
            let daily = |f: &dyn Fn(&crate::model::parcel::LaneFigures) -> f64| {
                nn(reps
                    .iter()
                    .zip(&figs)
                    .map(|(r, x)| per_day(f(x), r))
                    .collect())
            };
            let limits = lane.capacity.limits();
            let factor = |k: usize| {
                limits[k]?;
                Some(LoadFactor {
                    mean: level_within(
                        &figs
                            .iter()
                            .map(|x| mean_or_zero(&x.load_factor[k]))
                            .collect::<Vec<_>>(),
                        Bounds::Share { observations: 0 },
                    ),
                    max: figs
                        .iter()
                        .filter(|x| x.load_factor[k].count() > 0)
                        .map(|x| x.load_factor[k].max())
                        .fold(0.0, f64::max),
                })
            };
            LaneSummary {
                name: lane.name.clone(),
                mode: lane.mode.clone(),
                from: node_name(world, lane.from),
                to: node_name(world, lane.to),
                return_lane: matches!(lane.from, Node::Gateway(_)),
                departures: sum(&|x| x.departures),
                extra_departures: sum(&|x| x.extra_departures),
                cancelled_departures: sum(&|x| x.cancelled_departures),
                parcels: sum(&|x| x.parcels),
                parcels_per_day: daily(&|x| x.parcels as f64),
                kg_per_day: daily(&|x| x.kg),
                load_factor: LoadFactors {
                    parcels: factor(0),
                    kg: factor(1),
                    m3: factor(2),
                },
                max_fill: figs.iter().map(|x| x.max_fill).fold(0.0, f64::max),
                overflowed: sum(&|x| x.overflowed),
                overflow_received: sum(&|x| x.overflow_received),
                left_behind: sum(&|x| x.left_behind),
                wait_hours: stat(figs.iter().map(|x| &x.wait)),
                fixed_cost_per_day: daily(&|x| x.fixed_cost),
                freight_cost_per_day: daily(&|x| x.freight_cost),
            }
        })
        .collect();

    let gateways = world
        .gateways
        .iter()
        .enumerate()
        .map(|(g, gw)| {
            let figs: Vec<_> = reps
                .iter()
                .map(|r| r.gateways.get(g).cloned().unwrap_or_default())
                .collect();
            let fx = if gw.fx > 0.0 { gw.fx } else { 1.0 };
            gateway_summary(
                &gw.name,
                &world.markets.get(gw.market).cloned().unwrap_or_default(),
                &gw.regime.currency,
                fx,
                &world.reporting_currency,
                reps,
                &figs,
            )
        })
        .collect();

    let returns = (world.platforms.iter().any(|p| p.returns.is_some())
        || reps
            .iter()
            .any(|r| r.returns.started > 0 || r.returns.closed > 0))
    .then(|| returns_summary(reps));

    let done: Vec<u64> = reps.iter().map(|r| r.clearance.tally.count()).collect();
    let mut candidates: Vec<(bool, Candidate)> = Vec::new();
    for (i, name) in names.iter().enumerate() {
        if !present(i) {
            continue;
        }
        let waits: Vec<&TallyHist> = reps
            .iter()
            .filter_map(|r| r.stations[i].as_ref().map(|s| &s.wait))
            .collect();
        let u: Vec<f64> = reps
            .iter()
            .filter_map(|r| r.stations[i].as_ref().map(|s| s.utilization))
            .collect();
        let u = level_within(&u, Bounds::Share { observations: 0 });
        candidates.push((false, candidate(name, &waits, u, &done)));
    }
    for (l, lane) in world.outbound_lanes() {
        let waits: Vec<&TallyHist> = reps
            .iter()
            .filter_map(|r| r.lanes.get(l).map(|x| &x.wait))
            .collect();
        if waits.len() != reps.len() {
            continue;
        }
        let fill: Vec<f64> = reps
            .iter()
            .map(|r| {
                let x = &r.lanes[l];
                lane.capacity
                    .limits()
                    .iter()
                    .zip(&x.load_factor)
                    .filter(|(lim, _)| lim.is_some())
                    .map(|(_, t)| mean_or_zero(t))
                    .fold(0.0, f64::max)
            })
            .collect();
        let u = level_within(&fill, Bounds::Share { observations: 0 });
        candidates.push((true, candidate(&lane.name, &waits, u, &done)));
    }
    let bottleneck = network_bottleneck(candidates);

    Some(NetworkSummary {
        currency: world.reporting_currency.clone(),
        hubs,
        lanes,
        gateways,
        returns,
        bottleneck,
    })
}

/// The bottleneck among stations and lanes (`true` marks a lane), by delay per parcel.
pub(crate) fn network_bottleneck(candidates: Vec<(bool, Candidate)>) -> Option<NetworkBottleneck> {
    let lanes: Vec<String> = candidates
        .iter()
        .filter(|(lane, _)| *lane)
        .map(|(_, c)| c.station.clone())
        .collect();
    let b = bottleneck_of(candidates.into_iter().map(|(_, c)| c).collect())?;
    Some(NetworkBottleneck {
        kind: if lanes.contains(&b.station) {
            "lane"
        } else {
            "station"
        }
        .to_string(),
        name: b.station,
        // `bottleneck_of` gives every figure; only a document of an older version lacks them.
        delay_per_parcel_hours: b.delay_per_parcel_hours.unwrap_or_default(),
        mean_wait_hours: b.mean_wait_hours.unwrap_or_default(),
        p95_wait_hours: b.p95_wait_hours.unwrap_or_default(),
        share_of_parcels: b.share_of_parcels.unwrap_or_default(),
        utilization: b.utilization,
    })
}

/// One gateway's figures from its per-replication figures `figs` (one per replication of
/// `reps`); `fx` converts reporting amounts to the gateway's own currency (own = reporting / fx).
pub fn gateway_summary(
    name: &str,
    market: &str,
    currency: &str,
    fx: f64,
    reporting_currency: &str,
    reps: &[ParcelReplication],
    figs: &[crate::model::parcel::GatewayFigures],
) -> GatewaySummary {
    let nn = |v: Vec<f64>| level_within(&v, Bounds::NonNegative);
    let cleared: u64 = figs.iter().map(|x| x.clearance.tally.count()).sum();
    let share = |h: f64| {
        level_within(
            &figs
                .iter()
                .map(|x| x.clearance.hist.share_at_most(h))
                .collect::<Vec<_>>(),
            Bounds::Share {
                observations: cleared,
            },
        )
    };
    let money = |scale: f64, cur: &str| {
        let cost = COSTS
            .iter()
            .enumerate()
            .map(|(k, c)| {
                (
                    c.to_string(),
                    nn(figs
                        .iter()
                        .map(|x| mean_or_zero(&x.cost[k]) * scale)
                        .collect()),
                )
            })
            .collect();
        GatewayMoney {
            currency: cur.to_string(),
            cost_total: nn(figs
                .iter()
                .map(|x| x.cost.iter().map(mean_or_zero).sum::<f64>() * scale)
                .collect()),
            cost,
            duty: nn(figs.iter().map(|x| mean_or_zero(&x.duty) * scale).collect()),
            vat: nn(figs.iter().map(|x| mean_or_zero(&x.vat) * scale).collect()),
        }
    };
    GatewaySummary {
        name: name.to_string(),
        market: market.to_string(),
        currency: currency.to_string(),
        fx,
        arrived: figs.iter().map(|x| x.arrived).sum(),
        seized: figs.iter().map(|x| x.seized).sum(),
        delivered: figs.iter().map(|x| x.delivered).sum(),
        clearance_hours: stat(figs.iter().map(|x| &x.clearance)),
        segments: TRS_SEGMENTS
            .iter()
            .enumerate()
            .map(|(k, s)| SegmentSummary {
                segment: s.to_string(),
                hours: stat(figs.iter().filter_map(|x| x.segments.get(k))),
            })
            .collect(),
        exit_hours: stat(figs.iter().map(|x| &x.exit)),
        end_to_end_hours: stat(figs.iter().map(|x| &x.end_to_end)),
        released_within: ReleasedWithin {
            h1: share(1.0),
            h24: share(24.0),
            h48: share(48.0),
        },
        throughput_per_day: nn(reps
            .iter()
            .zip(figs)
            .map(|(r, x)| per_day(x.delivered as f64, r))
            .collect()),
        reporting: money(1.0, reporting_currency),
        own: money(1.0 / fx, currency),
    }
}

/// The returns of `reps`, per parcel delivered after the warm-up.
pub fn returns_summary(reps: &[ParcelReplication]) -> ReturnsSummary {
    let per_parcel = |x: f64, r: &ParcelReplication| {
        if r.delivered_after_warmup > 0 {
            x / r.delivered_after_warmup as f64
        } else {
            0.0
        }
    };
    let nn = |f: &dyn Fn(&ParcelReplication) -> f64| {
        level_within(&reps.iter().map(f).collect::<Vec<_>>(), Bounds::NonNegative)
    };
    let revenue = |r: &ParcelReplication| mean_or_zero(&r.duty) + mean_or_zero(&r.vat);
    let delivered: u64 = reps.iter().map(|r| r.delivered_after_warmup).sum();
    ReturnsSummary {
        started: reps.iter().map(|r| r.returns.started).sum(),
        closed: reps.iter().map(|r| r.returns.closed).sum(),
        open: reps.iter().map(|r| r.returns.open).sum(),
        return_share: level_within(
            &reps
                .iter()
                .map(|r| per_parcel(r.returns.started as f64, r).min(1.0))
                .collect::<Vec<_>>(),
            Bounds::Share {
                observations: delivered,
            },
        ),
        time_hours: stat(reps.iter().map(|r| &r.returns.time)),
        duty_refunded_per_parcel: nn(&|r| per_parcel(r.returns.duty_refunded, r)),
        vat_refunded_per_parcel: nn(&|r| per_parcel(r.returns.vat_refunded, r)),
        cost_per_parcel: nn(&|r| per_parcel(r.returns.cost, r)),
        revenue_per_parcel: nn(&revenue),
        net_revenue_per_parcel: level_within(
            &reps
                .iter()
                .map(|r| {
                    revenue(r) - per_parcel(r.returns.duty_refunded + r.returns.vat_refunded, r)
                })
                .collect::<Vec<_>>(),
            Bounds::Real,
        ),
    }
}

/// Per-replication mean clearance [h] at each gateway, by name: what `compare` pairs.
pub fn gateway_clearance_values(reps: &[ParcelReplication]) -> Vec<(String, Vec<f64>)> {
    let Some(first) = reps.first() else {
        return Vec::new();
    };
    first
        .gateways
        .iter()
        .enumerate()
        .map(|(g, gw)| {
            (
                gw.name.clone(),
                reps.iter()
                    .map(|r| {
                        r.gateways
                            .get(g)
                            .map_or(0.0, |x| mean_or_zero(&x.clearance.tally))
                    })
                    .collect(),
            )
        })
        .collect()
}
