//! What one replication records per hub, lane and gateway, and of returns: the network's
//! figures next to the network-wide ones of [`super::ParcelReplication`].
//!
//! Money is in the reporting currency; a gateway's `fx` converts back to its own
//! (own = reporting / fx). Counts and durations follow the warm-up rule of the whole model: a
//! parcel counts when the figure's own event happens at or after the warm-up.

use serde::{Deserialize, Serialize};

use crate::stats::{Tally, TallyHist};

/// One origin hub in one replication.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct HubFigures {
    /// The hub's name.
    pub name: String,
    /// Bags closed after the warm-up.
    pub bags: u64,
    /// Parcels in those bags.
    pub parcels: u64,
    /// Bag close → out of export clearance [h], by the time it is out.
    pub export: TallyHist,
}

/// One lane in one replication.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct LaneFigures {
    /// The lane's name.
    pub name: String,
    /// `air`, `rail`, `sea` or `road`.
    pub mode: String,
    /// Departures that left after the warm-up (the extra ones included, the cancelled not).
    pub departures: u64,
    /// Of those, departures added on given dates.
    pub extra_departures: u64,
    /// Timetabled departures cancelled after the warm-up.
    pub cancelled_departures: u64,
    /// Parcels carried by those departures.
    pub parcels: u64,
    /// Kilograms carried.
    pub kg: f64,
    /// Per departure, its load over each limit the lane has (parcels, kg, m³); a limit the
    /// lane does not have records nothing.
    pub load_factor: [Tally; 3],
    /// Highest load over any limit of any departure (never above 1).
    pub max_fill: f64,
    /// Parcels whose routing preferred this lane and that went to another because its
    /// departures within the allowed wait were full.
    pub overflowed: u64,
    /// Parcels that came to this lane by overflow from a preferred one.
    pub overflow_received: u64,
    /// Parcels that were at the departure point by a departure's cut-off and did not fit it
    /// (counted once per departure missed).
    pub left_behind: u64,
    /// Ready at the departure point → departed [h], by departure time.
    pub wait: TallyHist,
    /// Parcels that boarded after the cut-off (must be 0).
    pub cutoff_violations: u64,
    /// Parcels boarded over the whole run (warm-up included), for conservation per lane.
    #[serde(default)]
    pub boarded_total: u64,
    /// Parcels that arrived at the lane's end over the whole run.
    #[serde(default)]
    pub arrived_total: u64,
    /// Parcels on the way at the horizon, counted from the loads in flight.
    #[serde(default)]
    pub in_transit_at_end: u64,
    /// Fixed departure costs of the departures after the warm-up (reporting currency).
    pub fixed_cost: f64,
    /// Freight per kg of the parcels carried after the warm-up (reporting currency).
    pub freight_cost: f64,
}

/// One import gateway in one replication; money in the reporting currency.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct GatewayFigures {
    /// The gateway's name.
    pub name: String,
    /// Its market.
    pub market: String,
    /// Its own currency.
    pub currency: String,
    /// Value of one unit of its currency in the reporting currency.
    pub fx: f64,
    /// Parcels arrived after the warm-up (bonded stock counts at its order).
    pub arrived: u64,
    /// Parcels arrived over the whole run (warm-up included), for conservation per gateway:
    /// `arrived_total = released_total + seized_total + in_customs_at_end`.
    #[serde(default)]
    pub arrived_total: u64,
    /// Parcels released over the whole run, within the horizon.
    #[serde(default)]
    pub released_total: u64,
    /// Parcels seized over the whole run.
    #[serde(default)]
    pub seized_total: u64,
    /// Parcels arrived and not released at the horizon, counted from the model's own slots
    /// (a release computed for a time past the horizon has not happened).
    #[serde(default)]
    pub in_customs_at_end: u64,
    /// Parcels seized after the warm-up.
    pub seized: u64,
    /// Parcels delivered after the warm-up.
    pub delivered: u64,
    /// Arrival → release [h], by release time.
    pub clearance: TallyHist,
    /// TRS segments in [`super::TRS_SEGMENTS`] order [h].
    pub segments: Vec<TallyHist>,
    /// Release → gate-out [h], by gate-out time.
    pub exit: TallyHist,
    /// Order → delivered [h], by delivery time.
    pub end_to_end: TallyHist,
    /// Gate-out → out of the last-mile depot [h] (0 without a depot capacity).
    pub depot_wait: TallyHist,
    /// Per-parcel mean cost of the parcels delivered after the warm-up, by category of
    /// [`super::COSTS`], one value per replication (labour spread over those parcels).
    pub cost: [Tally; 6],
    /// Per-parcel mean duty of those parcels.
    pub duty: Tally,
    /// Per-parcel mean VAT of those parcels.
    pub vat: Tally,
    /// Labour cost of the observation window.
    pub labour_total: f64,
}

/// Returns in one replication; money in the reporting currency.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ReturnFigures {
    /// Delivered parcels sent back (their return started), by delivery time after the warm-up.
    pub started: u64,
    /// Returns closed (at the returns warehouse or back at origin) after the warm-up.
    pub closed: u64,
    /// Returns started and not yet closed at the horizon (part of `in_system`).
    pub open: u64,
    /// Delivered → return closed [h], by closing time.
    pub time: TallyHist,
    /// Duty refunded on the returns closed after the warm-up.
    pub duty_refunded: f64,
    /// VAT refunded on those returns.
    pub vat_refunded: f64,
    /// Cost of the return paths of those returns (warehouse handling, or freight back).
    pub cost: f64,
}
