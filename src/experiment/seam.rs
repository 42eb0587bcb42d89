//! The model seam: the one place where experiments meet the two models (the parcel world and the
//! plain queueing network), so that every verb above it is written once.
//!
//! A verb asks a scenario for its replications ([`simulate`]), sorts them into
//! [`Replications`], and asks those for what it needs: the headline figures, the stations, the
//! summary. Nothing outside this file matches on the model kind of a result.

use serde::{Deserialize, Serialize};

use super::headline::{Headline, queueing_headlines, world_headlines};
use super::{BacklogRow, RunOutput, summarize, summarize_world};
use crate::model::QueueingReplication;
use crate::model::parcel::{ParcelReplication, STATION_NAMES, simulate_world, station_names};
use crate::scenario::Scenario;
use crate::stats::{BatchSeries, Tally, TallyHist};

/// One replication's complete result, of either model. Sizes differ, but there is one value per
/// replication, never per event: no need to box. The order of the variants is the stored format
/// of unit files: keep it.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum UnitResult {
    /// The plain queueing network.
    Queueing(QueueingReplication),
    /// The parcel world.
    World(ParcelReplication),
}

/// Simulates replication `replication` of `scenario`, of whichever model it describes.
pub fn simulate(scenario: &Scenario, replication: u64) -> UnitResult {
    match &scenario.world {
        Some(world) => UnitResult::World(simulate_world(scenario, world, replication)),
        None => UnitResult::Queueing(crate::model::simulate(scenario, replication)),
    }
}

impl UnitResult {
    /// The headline figure of this replication: mean clearance (parcel world) or mean time in
    /// system (queueing network).
    pub fn headline(&self) -> f64 {
        match self {
            UnitResult::World(r) => r.clearance.tally.mean(),
            UnitResult::Queueing(r) => r.time_in_system.tally.mean(),
        }
    }

    /// The batch series of the headline figure, for the warm-up choice.
    pub fn series(&self) -> &BatchSeries {
        match self {
            UnitResult::World(r) => &r.series,
            UnitResult::Queueing(r) => &r.series,
        }
    }

    /// The replication and instant at which simulated time stopped advancing, if it did (only a
    /// queueing network with a loop of zero-time stages can stall).
    pub fn stalled(&self) -> Option<(u64, f64)> {
        match self {
            UnitResult::Queueing(r) => r.stalled_at_h.map(|t| (r.index, t)),
            UnitResult::World(_) => None,
        }
    }

    /// The headline figures of this one replication (one value each).
    pub fn headlines(&self, scenario: &Scenario) -> Vec<Headline> {
        match self {
            UnitResult::World(r) => world_headlines(std::slice::from_ref(r), &currency(scenario)),
            UnitResult::Queueing(r) => queueing_headlines(std::slice::from_ref(r)),
        }
    }

    /// The waits at the station or stage `name` of this replication.
    pub fn station_wait(&self, scenario: &Scenario, name: &str) -> Option<&TallyHist> {
        match self {
            UnitResult::World(r) => {
                let i = station_names(scenario.world.as_ref()?)
                    .iter()
                    .position(|n| n == name)?;
                Some(&r.stations[i].as_ref()?.wait)
            }
            UnitResult::Queueing(r) => Some(&r.stages[scenario.stage_index(name)?].wait),
        }
    }

    /// Total parcels waiting at each backlog snapshot, in time order (one an hour, or one every
    /// few hours in a long run); empty for a queueing network, which keeps no backlog series.
    pub fn backlog_totals(&self) -> Vec<f64> {
        let UnitResult::World(r) = self else {
            return Vec::new();
        };
        let mut total: Vec<f64> = Vec::new();
        let mut last = None;
        for &(h, _, n) in &r.backlog {
            if last != Some(h) {
                total.push(0.0);
                last = Some(h);
            }
            if let Some(t) = total.last_mut() {
                *t += n as f64;
            }
        }
        total
    }
}

/// Replications of one scenario, all of one model, sorted into their model.
pub enum Replications {
    /// The plain queueing network.
    Queueing(Vec<QueueingReplication>),
    /// The parcel world.
    World(Vec<ParcelReplication>),
}

/// A station's name and per-replication utilisation and mean wait [h].
pub(crate) type StationValues = (String, Vec<f64>, Vec<f64>);

impl Replications {
    /// Sorts a scenario's replications, given in replication order, into their model.
    pub fn from_units(reps: Vec<UnitResult>) -> Replications {
        if matches!(reps.first(), Some(UnitResult::World(_))) {
            Replications::World(
                reps.into_iter()
                    .filter_map(|u| match u {
                        UnitResult::World(r) => Some(r),
                        UnitResult::Queueing(_) => None,
                    })
                    .collect(),
            )
        } else {
            Replications::Queueing(
                reps.into_iter()
                    .filter_map(|u| match u {
                        UnitResult::Queueing(r) => Some(r),
                        UnitResult::World(_) => None,
                    })
                    .collect(),
            )
        }
    }

    /// Per-replication headline figures.
    pub fn headlines(&self, scenario: &Scenario) -> Vec<Headline> {
        match self {
            Replications::World(reps) => world_headlines(reps, &currency(scenario)),
            Replications::Queueing(reps) => queueing_headlines(reps),
        }
    }

    /// Each gateway's per-replication mean clearance, by gateway name (none for a queueing
    /// network).
    pub fn gateway_clearance(&self) -> Vec<(String, Vec<f64>)> {
        match self {
            Replications::World(r) => super::network_summary::gateway_clearance_values(r),
            Replications::Queueing(_) => Vec::new(),
        }
    }

    /// Every station (stage with servers), with its per-replication utilisation and mean wait.
    pub(crate) fn stations(&self, s: &Scenario) -> Vec<StationValues> {
        let mean = |t: &Tally| if t.count() > 0 { t.mean() } else { 0.0 };
        match self {
            Replications::World(reps) => s
                .world
                .as_ref()
                .map_or_else(
                    || STATION_NAMES.iter().map(|n| n.to_string()).collect(),
                    station_names,
                )
                .into_iter()
                .enumerate()
                .filter(|(i, _)| {
                    reps.first()
                        .is_some_and(|r| r.stations.get(*i).is_some_and(|s| s.is_some()))
                })
                .map(|(i, name)| {
                    let st = |r: &'_ ParcelReplication| r.stations[i].clone();
                    (
                        name.to_string(),
                        reps.iter()
                            .filter_map(|r| st(r).map(|x| x.utilization))
                            .collect(),
                        reps.iter()
                            .filter_map(|r| st(r).map(|x| mean(&x.wait.tally)))
                            .collect(),
                    )
                })
                .collect(),
            Replications::Queueing(reps) => s
                .stages
                .iter()
                .enumerate()
                .filter(|(i, _)| {
                    reps.first()
                        .is_some_and(|r| r.stages[*i].utilization.is_some())
                })
                .map(|(i, st)| {
                    (
                        st.name.clone(),
                        reps.iter()
                            .map(|r| r.stages[i].utilization.unwrap_or(0.0))
                            .collect(),
                        reps.iter().map(|r| mean(&r.stages[i].wait.tally)).collect(),
                    )
                })
                .collect(),
        }
    }

    /// The summary (the JSON contract) and, for a parcel world, the backlog over time.
    pub fn output(self, scenario: &Scenario) -> RunOutput {
        match (self, &scenario.world) {
            (Replications::World(reps), Some(world)) => RunOutput {
                backlog: backlog_rows(world, &reps),
                summary: summarize_world(scenario, world, &reps),
            },
            (Replications::Queueing(reps), _) => RunOutput {
                summary: summarize(scenario, &reps),
                backlog: Vec::new(),
            },
            (Replications::World(_), None) => {
                unreachable!("parcel-world results come from a parcel world")
            }
        }
    }
}

/// The backlog rows of parcel-world replications, in replication, hour, stage order.
fn backlog_rows(
    world: &crate::scenario::parcel::ParcelWorld,
    reps: &[ParcelReplication],
) -> Vec<BacklogRow> {
    let stages: Vec<std::sync::Arc<str>> = crate::model::parcel::backlog_stages(world)
        .into_iter()
        .map(std::sync::Arc::from)
        .collect();
    let stages = &stages;
    reps.iter()
        .flat_map(|r| {
            r.backlog.iter().filter_map(move |&(hour, stage, parcels)| {
                Some(BacklogRow {
                    replication: r.index,
                    hour,
                    stage: stages.get(stage as usize)?.clone(),
                    parcels,
                })
            })
        })
        .collect()
}

/// The reporting currency of a parcel world ("" for a queueing network, which has no money).
pub(crate) fn currency(scenario: &Scenario) -> String {
    scenario
        .world
        .as_ref()
        .map_or(String::new(), |w| w.reporting_currency.clone())
}

/// The headline figures `scenario`'s model reports, with no values: their names, units and
/// bounds.
pub fn headline_catalogue(scenario: &Scenario) -> Vec<Headline> {
    match &scenario.world {
        Some(_) => world_headlines(&[], &currency(scenario)),
        None => queueing_headlines(&[]),
    }
}

/// The stations (stages with servers) whose waits a limit or a figure may name.
pub fn station_names_of(scenario: &Scenario) -> Vec<String> {
    match &scenario.world {
        Some(w) => {
            let stations = station_names(w);
            w.offered_loads()
                .into_iter()
                .filter(|l| stations.contains(&l.name))
                .map(|l| l.name)
                .collect()
        }
        None => scenario.stages.iter().map(|s| s.name.clone()).collect(),
    }
}

/// Parcels (or entities) a day that `scenario` orders, at its own demand multiplier.
pub fn demand_per_day(scenario: &Scenario) -> f64 {
    match &scenario.world {
        Some(w) => w.platforms.iter().map(|p| p.parcels_per_day).sum(),
        None => scenario
            .sources
            .iter()
            .map(|src| 24.0 / src.interarrival.mean())
            .sum(),
    }
}

/// Whether two scenarios describe the same model (a parcel world is never compared with a
/// queueing network).
pub fn same_model(a: &Scenario, b: &Scenario) -> bool {
    a.world.is_some() == b.world.is_some()
}

/// Whether A and B draw the same parcels: the same platforms (names, rates, profiles, peak
/// days, values, weights, mode mixes, trusted shares) and currency in a parcel world, the same
/// sources in a queueing network, compared on the validated data. `Err` says what differs.
pub(crate) fn shared_demand(a: &Scenario, b: &Scenario) -> Result<(), String> {
    match (&a.world, &b.world) {
        (Some(wa), Some(wb)) => {
            let names = |w: &crate::scenario::parcel::ParcelWorld| {
                w.platforms
                    .iter()
                    .map(|p| p.name.clone())
                    .collect::<Vec<_>>()
            };
            if names(wa) != names(wb) {
                return Err(format!(
                    "A orders from {} and B from {}",
                    names(wa).join(", "),
                    names(wb).join(", ")
                ));
            }
            if let Some((pa, _)) = wa.platforms.iter().zip(&wb.platforms).find(|(x, y)| x != y) {
                return Err(format!(
                    "platform `{}` orders differently: its rate, profile, peak days, values, weights or mode mix differ",
                    pa.name
                ));
            }
            if wa.reporting_currency != wb.reporting_currency {
                return Err(format!(
                    "A's values are in {} and B's in {}",
                    wa.reporting_currency, wb.reporting_currency
                ));
            }
            Ok(())
        }
        _ => {
            if a.sources == b.sources && a.run.demand_multiplier == b.run.demand_multiplier {
                Ok(())
            } else {
                Err("their sources of arrivals differ".to_string())
            }
        }
    }
}
