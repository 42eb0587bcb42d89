//! The network form of a parcel world as written: `[exchange]`, `[[hub]]`, `[[lane]]`,
//! `[[gateway]]`, `[[route]]` and a platform's `[platform.returns]`, checked only for syntax,
//! types and unknown keys. [`super::network_check`] validates them.

use std::borrow::Cow;
use std::collections::BTreeMap;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

use super::parcel_raw::{RawHub, RawImport, RawLastMile, RawRules, RawStation};
use crate::engine::DistSpec;

/// `hub`: either the singular `[hub]` table or the network's `[[hub]]` array of tables.
#[derive(Clone, Debug)]
pub enum RawHubs {
    /// `[hub]`: the one origin hub of a one-chain file.
    One(Box<RawHub>),
    /// `[[hub]]`: the origin hubs of a network.
    Many(Vec<RawNetHub>),
}

impl<'de> Deserialize<'de> for RawHubs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawHubs;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a [hub] table (one hub) or [[hub]] tables (a network of hubs)")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawHubs, A::Error> {
                RawHub::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|h| RawHubs::One(Box::new(h)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<RawHubs, A::Error> {
                Vec::<RawNetHub>::deserialize(de::value::SeqAccessDeserializer::new(seq))
                    .map(RawHubs::Many)
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for RawHubs {
    fn schema_name() -> Cow<'static, str> {
        "RawHubs".into()
    }

    fn json_schema(g: &mut SchemaGenerator) -> Schema {
        let one = g.subschema_for::<RawHub>();
        let many = g.subschema_for::<Vec<RawNetHub>>();
        json_schema!({
            "description": "`[hub]` (one hub, with `[hub.sort]`) or `[[hub]]` (a network of named hubs).",
            "anyOf": [one, many]
        })
    }
}

/// `[exchange]`: the reporting currency and the rates into it.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawExchange {
    /// Every money figure is reported in this currency: "EUR", "USD" or "CNY" (default: the
    /// currency of the first gateway's regime).
    pub reporting_currency: Option<String>,
    /// Value of one unit of each currency in the reporting currency: `{ USD = 0.92 }`.
    #[serde(default)]
    pub rates: BTreeMap<String, f64>,
}

/// `[[hub]]`: an origin hub of a network.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawNetHub {
    /// Unique name (lanes, routes and platforms refer to it).
    pub name: String,
    /// Order → arrival at this hub [h] (default: `[first_mile].delay_h`, else 0).
    pub first_mile_h: Option<DistSpec>,
    /// Sorting (optional: without it each parcel is a bag of its own).
    pub sort: Option<RawStation>,
    /// Parcels per bag / ULD (needs `[hub.sort]`; default 1).
    #[schemars(range(min = 1, max = crate::scenario::bounds::MAX_BATCH))]
    pub bag_size: Option<i64>,
    /// An incomplete bag closes this long after it opened [h] (needs `[hub.sort]`).
    #[schemars(range(min = 0, max = crate::scenario::bounds::MAX_HOURS))]
    pub bag_timeout_h: Option<f64>,
    /// Export clearance of one bag [h] (default: `[export].clearance_h`, else 0).
    pub export_clearance_h: Option<DistSpec>,
}

/// `[[lane]]`: a timetabled link from a hub to a gateway, or back (a return lane).
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawLane {
    /// Unique name (routes refer to it).
    pub name: String,
    /// A hub (outbound lane) or a gateway (return lane).
    pub from: String,
    /// A gateway (outbound lane) or a hub (return lane).
    pub to: String,
    /// "air" (default), "rail", "sea" or "road".
    pub mode: Option<String>,
    /// The timetable repeats every period [h] (default 24; 168 for a weekly one).
    #[schemars(range(min = 0, max = crate::scenario::bounds::MAX_PERIOD_H))]
    pub period_h: Option<f64>,
    /// Departure offsets within the period [h].
    pub departures_h: Vec<f64>,
    /// Absolute times of added departures [h].
    #[serde(default)]
    pub extra_departures_h: Vec<f64>,
    /// Absolute times of cancelled timetabled departures [h].
    #[serde(default)]
    pub cancelled_departures_h: Vec<f64>,
    /// Parcels one departure carries.
    #[schemars(range(min = 1, max = crate::scenario::bounds::MAX_DEPARTURE_CAPACITY))]
    pub capacity_parcels: Option<i64>,
    /// Kilograms one departure carries.
    #[schemars(range(min = 0, max = crate::scenario::bounds::MAX_CAPACITY_KG))]
    pub capacity_kg: Option<f64>,
    /// Cubic metres one departure carries.
    #[schemars(range(min = 0, max = crate::scenario::bounds::MAX_CAPACITY_M3))]
    pub capacity_m3: Option<f64>,
    /// Parcels must be at the departure point this long before it leaves [h].
    #[schemars(range(min = 0, max = crate::scenario::bounds::MAX_PERIOD_H))]
    pub cutoff_h: Option<f64>,
    /// Departure → arrival [h].
    pub transit_h: DistSpec,
    /// Freight per kg, in euros (when the reporting currency is EUR).
    #[schemars(range(min = 0, max = crate::scenario::bounds::MAX_MONEY))]
    pub cost_per_kg_eur: Option<f64>,
    /// Freight per kg, in US dollars.
    #[schemars(range(min = 0, max = crate::scenario::bounds::MAX_MONEY))]
    pub cost_per_kg_usd: Option<f64>,
    /// Freight per kg, in yuan.
    #[schemars(range(min = 0, max = crate::scenario::bounds::MAX_MONEY))]
    pub cost_per_kg_cny: Option<f64>,
    /// Fixed cost of one departure, in euros.
    #[schemars(range(min = 0, max = crate::scenario::bounds::MAX_MONEY))]
    pub cost_per_departure_eur: Option<f64>,
    /// Fixed cost of one departure, in US dollars.
    #[schemars(range(min = 0, max = crate::scenario::bounds::MAX_MONEY))]
    pub cost_per_departure_usd: Option<f64>,
    /// Fixed cost of one departure, in yuan.
    #[schemars(range(min = 0, max = crate::scenario::bounds::MAX_MONEY))]
    pub cost_per_departure_cny: Option<f64>,
}

/// `[[gateway]]`: an import gateway with its customs, regime, rules, costs and last mile.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawGateway {
    /// Unique name (lanes refer to it).
    pub name: String,
    /// The market it clears into (default: the gateway's name).
    pub market: Option<String>,
    /// The last-mile depot delivers at most this many parcels a day.
    #[schemars(range(min = 0, max = crate::scenario::bounds::MAX_PARCELS_PER_DAY))]
    pub depot_per_day: Option<f64>,
    /// Import customs, as `[import]`.
    pub import: RawImport,
    /// Duty and VAT, as `[regime]`, plus `ioss_ceiling_<cur>` and `refund_on_return`; the
    /// gateway's currency is its `currency`.
    #[schemars(with = "Option<serde_json::Map<String, serde_json::Value>>")]
    pub regime: Option<toml::Table>,
    /// Rule packs, as `[rules]` (default: the top-level `[rules]`).
    pub rules: Option<RawRules>,
    /// Costs, as `[costs]`, in the gateway's currency.
    #[schemars(with = "Option<serde_json::Map<String, serde_json::Value>>")]
    pub costs: Option<toml::Table>,
    /// Last mile, as `[last_mile]` (default: the top-level `[last_mile]`).
    pub last_mile: Option<RawLastMile>,
}

/// `[[route]]`: how a hub picks the lane, for a platform and/or a market or for all.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawHubRoute {
    /// The hub it routes at.
    pub hub: String,
    /// Only parcels of this platform (default: every platform).
    pub platform: Option<String>,
    /// Only parcels bound for this market (default: every market).
    pub market: Option<String>,
    /// Per parcel, lane → share; the shares sum to 1.
    pub shares: Option<BTreeMap<String, f64>>,
    /// Lanes in order of preference, overflowing to the next (with `max_wait_h`).
    pub prefer: Option<Vec<String>>,
    /// How long a bag may wait for a departure with room before it overflows [h].
    #[schemars(range(min = 0, max = crate::scenario::bounds::MAX_HOURS))]
    pub max_wait_h: Option<f64>,
    /// "fastest" or "cheapest", among `lanes`.
    pub pick: Option<String>,
    /// The candidate lanes of `pick`.
    pub lanes: Option<Vec<String>>,
    /// With `pick = "cheapest"`: bag ready → expected arrival at the gateway [h].
    #[schemars(range(min = 0, max = crate::scenario::bounds::MAX_HOURS))]
    pub deadline_h: Option<f64>,
}

/// `[platform.returns]`: returns of a platform's delivered parcels.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawReturns {
    /// Share of delivered parcels sent back.
    #[schemars(range(min = 0, max = 1))]
    pub share: f64,
    /// Delivered → handed back to the carrier [h] (default 0).
    pub delay_h: Option<DistSpec>,
    /// "local" (default: a returns warehouse in the destination) or "origin" (back on a lane).
    pub path: Option<String>,
    /// With `path = "local"`: handling at the returns warehouse [h] (default 0).
    pub handling_h: Option<DistSpec>,
    /// With `path = "local"`: cost per parcel, in euros (reporting currency EUR).
    #[schemars(range(min = 0, max = crate::scenario::bounds::MAX_MONEY))]
    pub cost_eur: Option<f64>,
    /// Cost per parcel, in US dollars.
    #[schemars(range(min = 0, max = crate::scenario::bounds::MAX_MONEY))]
    pub cost_usd: Option<f64>,
    /// Cost per parcel, in yuan.
    #[schemars(range(min = 0, max = crate::scenario::bounds::MAX_MONEY))]
    pub cost_cny: Option<f64>,
}
