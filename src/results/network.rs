//! The `network` section of a run's summary (docs/output.md).
//!
//! Per hub, lane and gateway, returns, and the bottleneck of the whole network.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::figures::{Level, ReleasedWithin, Stat};

/// The network's figures: present when a world has more than one hub, lane or gateway, or
/// any returns.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NetworkSummary {
    /// The reporting currency of every `reporting` amount.
    pub currency: String,
    /// Per origin hub, in file order.
    pub hubs: Vec<HubSummary>,
    /// Per lane, outbound and return, in file order.
    pub lanes: Vec<LaneSummary>,
    /// Per import gateway, in file order.
    pub gateways: Vec<GatewaySummary>,
    /// Returns; absent when no platform returns parcels (and none were recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub returns: Option<ReturnsSummary>,
    /// The station or lane that adds the most waiting to the average parcel; absent when
    /// nothing held parcels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bottleneck: Option<NetworkBottleneck>,
}

/// One origin hub.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HubSummary {
    /// The hub's name.
    pub name: String,
    /// Its sort station's utilisation (busy over on-duty server-hours; a Wilson-type interval
    /// inside [0, 1]); absent without a sort station.
    #[serde(default)]
    pub sort_utilization: Option<Level>,
    /// Wait before sorting [h]; absent without a sort station.
    #[serde(default)]
    pub sort_wait_hours: Option<Stat>,
    /// Bag close → out of export clearance [h].
    pub export_hours: Stat,
    /// Bags closed after the warm-up, summed over replications.
    pub bags: u64,
    /// Parcels in those bags, summed over replications.
    pub parcels: u64,
    /// Parcels bagged per day after the warm-up.
    pub parcels_per_day: Level,
}

/// A lane's load factor over one of its limits, per departure.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LoadFactor {
    /// Mean load over the limit of the departures of a replication, across replications (a
    /// Wilson-type interval inside [0, 1]).
    pub mean: Level,
    /// Highest load of any departure of any replication.
    pub max: f64,
}

/// A lane's load factors over the limits it has; a limit the lane does not have is absent.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LoadFactors {
    /// Parcels over the parcel limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parcels: Option<LoadFactor>,
    /// Kilograms over the weight limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kg: Option<LoadFactor>,
    /// Cubic metres over the volume limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub m3: Option<LoadFactor>,
}

impl LoadFactors {
    /// The fullest of the limits (by mean), if the lane has any.
    pub fn fullest(&self) -> Option<(&'static str, &LoadFactor)> {
        [
            ("parcels", &self.parcels),
            ("kg", &self.kg),
            ("m3", &self.m3),
        ]
        .into_iter()
        .filter_map(|(n, l)| l.as_ref().map(|l| (n, l)))
        .max_by(|a, b| a.1.mean.mean.total_cmp(&b.1.mean.mean))
    }
}

/// One lane.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LaneSummary {
    /// The lane's name.
    pub name: String,
    /// `air`, `rail`, `sea` or `road`.
    pub mode: String,
    /// The hub or gateway it leaves from.
    pub from: String,
    /// The hub or gateway it arrives at.
    pub to: String,
    /// True for a return lane (from a gateway back to a hub).
    pub return_lane: bool,
    /// Departures after the warm-up (extra included, cancelled not), summed over replications.
    pub departures: u64,
    /// Of those, extra departures.
    pub extra_departures: u64,
    /// Timetabled departures cancelled after the warm-up, summed.
    pub cancelled_departures: u64,
    /// Parcels carried after the warm-up, summed.
    pub parcels: u64,
    /// Parcels carried per day after the warm-up.
    pub parcels_per_day: Level,
    /// Kilograms carried per day after the warm-up.
    pub kg_per_day: Level,
    /// Load factor per limit.
    pub load_factor: LoadFactors,
    /// Highest load over any limit of any departure (never above 1).
    pub max_fill: f64,
    /// Parcels that preferred this lane and went to another because it was full, summed.
    pub overflowed: u64,
    /// Parcels that came to this lane by overflow from a preferred one, summed.
    pub overflow_received: u64,
    /// Parcels at the departure point by a cut-off that did not fit (once per departure
    /// missed), summed.
    pub left_behind: u64,
    /// Ready at the departure point → departed [h].
    pub wait_hours: Stat,
    /// Fixed departure costs per day after the warm-up (reporting currency).
    pub fixed_cost_per_day: Level,
    /// Freight per day after the warm-up (reporting currency).
    pub freight_cost_per_day: Level,
}

/// Cost and revenue per parcel delivered through a gateway, in one currency.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GatewayMoney {
    /// The currency of these amounts.
    pub currency: String,
    /// Cost per delivered parcel, all categories.
    pub cost_total: Level,
    /// Cost per delivered parcel by category (fees, paper, inspection, storage, labour,
    /// transport).
    pub cost: BTreeMap<String, Level>,
    /// Duty per delivered parcel.
    pub duty: Level,
    /// VAT per delivered parcel.
    pub vat: Level,
}

/// One TRS segment at a gateway.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SegmentSummary {
    /// Segment name, one of the TRS segments.
    pub segment: String,
    /// Its duration [h].
    pub hours: Stat,
}

/// One import gateway.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GatewaySummary {
    /// The gateway's name.
    pub name: String,
    /// The market it clears into.
    pub market: String,
    /// Its own currency.
    pub currency: String,
    /// Value of one unit of its currency in the reporting currency.
    pub fx: f64,
    /// Parcels arrived after the warm-up, summed over replications.
    pub arrived: u64,
    /// Parcels seized after the warm-up, summed.
    pub seized: u64,
    /// Parcels delivered after the warm-up, summed.
    pub delivered: u64,
    /// Arrival → release [h].
    pub clearance_hours: Stat,
    /// TRS segments in order [h].
    pub segments: Vec<SegmentSummary>,
    /// Release → gate-out [h].
    pub exit_hours: Stat,
    /// Order → delivered [h].
    pub end_to_end_hours: Stat,
    /// Shares released within 1, 24 and 48 h of arrival (Wilson intervals inside [0, 1]).
    pub released_within: ReleasedWithin,
    /// Parcels delivered per day after the warm-up.
    pub throughput_per_day: Level,
    /// Cost and revenue per parcel in the reporting currency.
    pub reporting: GatewayMoney,
    /// The same in the gateway's own currency.
    pub own: GatewayMoney,
}

/// Returns of delivered parcels.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReturnsSummary {
    /// Returns started after the warm-up, summed over replications.
    pub started: u64,
    /// Returns closed after the warm-up, summed.
    pub closed: u64,
    /// Returns still open at the horizon, summed.
    pub open: u64,
    /// Share of parcels delivered after the warm-up whose return started (Wilson, in [0, 1]).
    pub return_share: Level,
    /// Delivered → return closed [h].
    pub time_hours: Stat,
    /// Duty refunded per parcel delivered after the warm-up (reporting currency).
    pub duty_refunded_per_parcel: Level,
    /// VAT refunded per parcel delivered (reporting currency).
    pub vat_refunded_per_parcel: Level,
    /// Cost of the return paths per parcel delivered (reporting currency).
    pub cost_per_parcel: Level,
    /// Duty and VAT per parcel delivered, before refunds (reporting currency).
    pub revenue_per_parcel: Level,
    /// Duty and VAT per parcel delivered less the refunds per parcel delivered (reporting
    /// currency; may be negative in a replication, so its interval is plain Student t).
    pub net_revenue_per_parcel: Level,
}

/// The bottleneck of the network: the station or the lane whose waiting, summed over every
/// parcel it held, adds the most delay per parcel cleared.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NetworkBottleneck {
    /// `station` or `lane`.
    pub kind: String,
    /// The station (as the `stages` name it) or the lane.
    pub name: String,
    /// Hours of waiting there per parcel cleared (those never held count with 0) [h].
    pub delay_per_parcel_hours: Level,
    /// Mean wait of the parcels it held [h].
    pub mean_wait_hours: Level,
    /// 95th percentile of that wait [h].
    pub p95_wait_hours: f64,
    /// Share of the cleared parcels that it held.
    pub share_of_parcels: f64,
    /// A station's utilisation, or a lane's mean load over its fullest limit.
    pub utilization: Level,
}
