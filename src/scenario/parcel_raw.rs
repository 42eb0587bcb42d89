//! The parcel world as written in a scenario file: platforms, first mile, origin hub, export,
//! line-haul, import customs, regime, pilot-zone rules, last mile and costs.
//! [`super::parcel`] validates it into a [`super::parcel::ParcelWorld`].

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use super::raw::RawCalendar;
use crate::engine::DistSpec;

/// A resource with servers (officers, lanes, bays, sorters) and a service time.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawStation {
    /// Constant servers (or `calendar`).
    #[schemars(range(min = 1, max = crate::scenario::bounds::MAX_SERVERS))]
    pub servers: Option<i64>,
    /// Servers by shift.
    pub calendar: Option<RawCalendar>,
    /// Service time per parcel (or per declaration) [h].
    pub service_h: Option<DistSpec>,
    /// Cost of one server-hour on duty, in the scenario's currency.
    #[schemars(range(min = 0, max = crate::scenario::bounds::MAX_MONEY))]
    pub labour_per_hour: Option<f64>,
}

/// `[[platform]]`: where parcels are ordered.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPlatform {
    /// Unique name; names its random streams.
    pub name: String,
    /// Parcels on an ordinary day.
    #[schemars(range(min = 0, max = crate::scenario::bounds::MAX_PARCELS_PER_DAY))]
    pub parcels_per_day: f64,
    /// 24 relative weights of the hours of the day (default flat).
    pub hourly_profile: Option<Vec<f64>>,
    /// 7 relative weights of the days of the week, Monday first (default flat).
    pub weekly_profile: Option<Vec<f64>>,
    /// Peak days: `{ day = 10, multiplier = 1.87 }`, day counted from 0.
    #[serde(default)]
    pub peak_days: Vec<RawPeakDay>,
    /// Declared value of a parcel, in the regime's currency: key `declared_value_<currency>`.
    pub declared_value_eur: Option<DistSpec>,
    /// Declared value in US dollars.
    pub declared_value_usd: Option<DistSpec>,
    /// Declared value in yuan.
    pub declared_value_cny: Option<DistSpec>,
    /// Gross weight of a parcel [kg].
    pub weight_kg: DistSpec,
    /// Shares of customs modes: `b2c_9610`, `b2b_9710`, `warehouse_9810`, `bonded_1210`.
    pub modes: Option<RawModes>,
    /// Share of parcels from trusted (AEO) sellers.
    #[schemars(range(min = 0, max = 1))]
    pub trusted_seller_share: Option<f64>,
    /// The hub it ships from (or `hubs`; default: the only hub).
    pub hub: Option<String>,
    /// Hubs it ships from: hub → share, summing to 1.
    pub hubs: Option<BTreeMap<String, f64>>,
    /// The market it sells into (or `markets`; default: the only market).
    pub market: Option<String>,
    /// Markets it sells into: market → share, summing to 1.
    pub markets: Option<BTreeMap<String, f64>>,
    /// Its own declaration channel shares at every gateway, instead of each gateway's.
    pub channels: Option<RawChannels>,
    /// Its own risk channel shares at every gateway, instead of each gateway's.
    pub risk: Option<RawRisk>,
    /// Where its VAT is collected: "sale" or "border", instead of each gateway regime's rule.
    pub collection: Option<String>,
    /// Volume of a parcel [m³] (default: its weight over 167 kg/m³).
    pub volume_m3: Option<DistSpec>,
    /// Returns of its delivered parcels.
    pub returns: Option<super::network_raw::RawReturns>,
}

/// A peak day and its demand multiplier.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPeakDay {
    /// Day number from time 0.
    #[schemars(range(min = 0, max = crate::scenario::bounds::MAX_DAY))]
    pub day: i64,
    /// Demand on that day over an ordinary day.
    #[schemars(range(min = 0, max = crate::scenario::bounds::MAX_PEAK_MULTIPLIER))]
    pub multiplier: f64,
}

/// Customs-mode shares (China's codes, usable as labels elsewhere).
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawModes {
    /// 9610: retail B2C parcels.
    #[schemars(range(min = 0, max = 1))]
    pub b2c_9610: Option<f64>,
    /// 9710: B2B direct.
    #[schemars(range(min = 0, max = 1))]
    pub b2b_9710: Option<f64>,
    /// 9810: to an overseas warehouse.
    #[schemars(range(min = 0, max = 1))]
    pub warehouse_9810: Option<f64>,
    /// 1210: bonded stock already in the destination's bonded zone.
    #[schemars(range(min = 0, max = 1))]
    pub bonded_1210: Option<f64>,
}

/// `[hub]`: the origin hub.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawHub {
    /// Name shown in reports.
    pub name: Option<String>,
    /// Sorting.
    pub sort: RawStation,
    /// Parcels per bag / ULD.
    #[schemars(range(min = 1, max = crate::scenario::bounds::MAX_BATCH))]
    pub bag_size: i64,
    /// An incomplete bag closes this long after it opened [h].
    #[schemars(range(min = 0, max = crate::scenario::bounds::MAX_HOURS))]
    pub bag_timeout_h: Option<f64>,
}

/// `[export]`: export customs at the origin.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawExport {
    /// Electronic export clearance per parcel [h].
    pub clearance_h: DistSpec,
}

/// `[linehaul]`: timetabled departures.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawLinehaul {
    /// "air", "truck", "rail", "sea" (a label).
    pub mode: Option<String>,
    /// Departure times within the period [h].
    pub departures_h: Vec<f64>,
    /// The timetable repeats every period [h] (default 24).
    #[schemars(range(min = 0, max = crate::scenario::bounds::MAX_PERIOD_H))]
    pub period_h: Option<f64>,
    /// Parcels one departure carries (or `capacity_kg`).
    #[schemars(range(min = 1, max = crate::scenario::bounds::MAX_DEPARTURE_CAPACITY))]
    pub capacity_parcels: Option<i64>,
    /// Kilograms one departure carries (or `capacity_parcels`).
    #[schemars(range(min = 0, max = crate::scenario::bounds::MAX_CAPACITY_KG))]
    pub capacity_kg: Option<f64>,
    /// Parcels must be at the gateway this long before departure [h].
    #[schemars(range(min = 0, max = crate::scenario::bounds::MAX_PERIOD_H))]
    pub cutoff_h: Option<f64>,
    /// Departure to arrival at the import point [h].
    pub transit_h: DistSpec,
    /// Freight cost per kg, in the scenario's currency.
    #[schemars(range(min = 0, max = crate::scenario::bounds::MAX_MONEY))]
    pub cost_per_kg: Option<f64>,
}

/// Declaration channel shares.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawChannels {
    /// Paper documents handled by officers.
    #[schemars(range(min = 0, max = 1))]
    pub paper: Option<f64>,
    /// Electronic, assessed automatically on arrival.
    #[schemars(range(min = 0, max = 1))]
    pub electronic: Option<f64>,
    /// Electronic, lodged when the parcel departs and assessed in transit.
    #[schemars(range(min = 0, max = 1))]
    pub pre_arrival: Option<f64>,
}

/// Risk channel shares.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRisk {
    /// Released on assessment.
    #[schemars(range(min = 0, max = 1))]
    pub green: f64,
    /// Documentary check.
    #[schemars(range(min = 0, max = 1))]
    pub yellow: f64,
    /// X-ray / NII, and a share of those physical inspection.
    #[schemars(range(min = 0, max = 1))]
    pub red: f64,
}

/// `[import]`: import customs in Time Release Study segments.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawImport {
    /// Declaration channel shares (sum to 1).
    pub channels: RawChannels,
    /// Arrival to lodgement of a paper declaration (broker prepares and files) [h].
    pub paper_lodgement_h: Option<DistSpec>,
    /// Arrival to lodgement of an electronic declaration [h].
    pub electronic_lodgement_h: Option<DistSpec>,
    /// Departure to lodgement of a pre-arrival declaration [h] (default: `electronic_lodgement_h`).
    pub pre_arrival_lodgement_h: Option<DistSpec>,
    /// Automated risk assessment of an electronic declaration [h].
    pub assessment_h: Option<DistSpec>,
    /// Officers who handle paper declarations (assessment of paper), usually office hours.
    pub paper_desk: Option<RawStation>,
    /// Share of paper declarations sent back for rework, each time they are handled.
    #[schemars(range(min = 0, max = 1))]
    pub paper_error_rate: Option<f64>,
    /// Time to correct and resubmit a rejected paper declaration [h].
    pub paper_rework_h: Option<DistSpec>,
    /// Risk channel shares.
    pub risk: RawRisk,
    /// Share of red parcels that also get a physical inspection after X-ray.
    #[schemars(range(min = 0, max = 1))]
    pub physical_share_of_red: Option<f64>,
    /// Share of physically inspected parcels seized.
    #[schemars(range(min = 0, max = 1))]
    pub seizure_rate: Option<f64>,
    /// Documentary check officers (yellow).
    pub doc_check: Option<RawStation>,
    /// X-ray / NII lanes (red).
    pub xray: Option<RawStation>,
    /// Physical inspection bays.
    pub physical: Option<RawStation>,
    /// Time to pay duty/VAT due at the border [h].
    pub payment_h: Option<DistSpec>,
    /// Release to gate-out [h].
    pub exit_h: Option<DistSpec>,
}

/// `[rules]`: pilot-zone rule packs, each on or off.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRules {
    /// 9610 list-based release with consolidated declaration: one declaration fee per bag.
    pub list_release: Option<bool>,
    /// Automated order/payment/waybill match before release.
    pub three_document_match: Option<bool>,
    /// Share of parcels whose documents do not match.
    #[schemars(range(min = 0, max = 1))]
    pub document_mismatch_rate: Option<f64>,
    /// Manual handling of a mismatch [h].
    pub manual_match_h: Option<DistSpec>,
    /// Per-order release check of bonded (1210) stock [h].
    pub bonded_release_h: Option<DistSpec>,
    /// Customs stations staffed around the clock (their calendars' busiest staffing, always).
    pub customs_24_7: Option<bool>,
    /// Trusted sellers' yellow and red shares are multiplied by this (1 = no reduction).
    #[schemars(range(min = 0, max = 1))]
    pub trusted_inspection_factor: Option<f64>,
}

/// `[last_mile]`.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawLastMile {
    /// Gate-out to delivered [h].
    pub delay_h: DistSpec,
    /// Bonded warehouse to delivered, for 1210 parcels [h] (default: `delay_h`).
    pub bonded_delay_h: Option<DistSpec>,
}

/// `[first_mile]`.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDelay {
    /// Order to arrival at the origin hub [h].
    pub delay_h: DistSpec,
}
