//! The scenario file as written: serde structures that mirror the TOML, checked only for
//! syntax, types and unknown keys. [`super::validate`] turns them into a [`super::Scenario`].

use schemars::JsonSchema;
use serde::Deserialize;

use crate::engine::DistSpec;

/// The whole file.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    /// A short name shown in reports.
    pub name: Option<String>,
    /// A sentence or two on what the scenario is.
    pub description: Option<String>,
    /// How long and how often to run.
    #[serde(default)]
    pub run: RawRun,
    /// Where entities come from.
    #[serde(default)]
    pub source: Vec<RawSource>,
    /// The stages of the network.
    #[serde(default)]
    pub stage: Vec<RawStage>,
    /// Parcel world: platforms where parcels are ordered.
    #[serde(default)]
    pub platform: Vec<super::parcel_raw::RawPlatform>,
    /// Parcel world: order → origin hub.
    pub first_mile: Option<super::parcel_raw::RawDelay>,
    /// Parcel world: the origin hub (`[hub]`), or the origin hubs of a network (`[[hub]]`).
    pub hub: Option<super::network_raw::RawHubs>,
    /// Parcel world: export customs.
    pub export: Option<super::parcel_raw::RawExport>,
    /// Parcel world: line-haul timetable.
    pub linehaul: Option<super::parcel_raw::RawLinehaul>,
    /// Parcel world: import customs.
    pub import: Option<super::parcel_raw::RawImport>,
    /// Parcel world: the destination's tax regime. An open table because its money keys carry
    /// the scenario's currency suffix: `currency` (EUR, USD or CNY), `duty_rate`, `vat_rate`,
    /// `vat_collection` ("border" or "sale"), `flat_duty_per_item_<cur>`,
    /// `de_minimis_duty_<cur>`, `de_minimis_vat_<cur>`, `china_retail`, `order_limit_cny`,
    /// `annual_limit_exceeded_share`, `consumption_tax_rate`, `tax_share` (docs/scenario.md).
    /// Amounts from 0 to 10⁹, rates and shares from 0 to 1.
    #[schemars(with = "Option<serde_json::Map<String, serde_json::Value>>")]
    pub regime: Option<toml::Table>,
    /// Parcel world: pilot-zone rule packs.
    pub rules: Option<super::parcel_raw::RawRules>,
    /// Parcel world: last mile.
    pub last_mile: Option<super::parcel_raw::RawLastMile>,
    /// Parcel world: costs charged to parcels. An open table because its money keys carry the
    /// scenario's currency suffix `<cur>`: `declaration_fee_<cur>`, `brokerage_fee_<cur>`,
    /// `paper_per_document_<cur>`, `documents_per_paper_declaration`, `doc_check_<cur>`,
    /// `xray_<cur>`, `physical_<cur>`, `storage_per_day_<cur>`, `free_storage_days`
    /// (docs/scenario.md). Amounts from 0 to 10⁹; documents 0 to 1,000; days 0 to 36,525.
    #[schemars(with = "Option<serde_json::Map<String, serde_json::Value>>")]
    pub costs: Option<toml::Table>,
    /// Network: the reporting currency and exchange rates.
    pub exchange: Option<super::network_raw::RawExchange>,
    /// Network: lanes between hubs and gateways.
    #[serde(default)]
    pub lane: Vec<super::network_raw::RawLane>,
    /// Network: import gateways.
    #[serde(default)]
    pub gateway: Vec<super::network_raw::RawGateway>,
    /// Network: routing rules at the hubs.
    #[serde(default)]
    pub route: Vec<super::network_raw::RawHubRoute>,
    /// The numbers `clearsim serve` lets a user move (ignored by every run).
    #[serde(default)]
    pub lever: Vec<super::lever::RawLever>,
}

/// `[run]`: stopping rule, warm-up, replications and seed.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRun {
    /// Master seed of every random stream.
    #[schemars(range(min = 0))]
    pub seed: Option<i64>,
    /// Independent replications.
    #[schemars(range(min = 1, max = crate::scenario::bounds::MAX_REPLICATIONS))]
    pub replications: Option<i64>,
    /// Stop the clock at this time [h].
    #[schemars(range(min = 0, max = crate::scenario::bounds::MAX_HOURS))]
    pub horizon_h: Option<f64>,
    /// Stop creating entities after this many arrivals (over all sources), then run until empty.
    #[schemars(range(min = 1, max = crate::scenario::bounds::MAX_ARRIVALS))]
    pub arrivals: Option<i64>,
    /// Statistics ignore what happened before this time [h].
    #[schemars(range(min = 0, max = crate::scenario::bounds::MAX_HOURS))]
    pub warmup_h: Option<f64>,
    /// Every arrival rate (sources, platforms) times this factor; 1 by default. What `stress`
    /// searches over, and a key to sweep.
    #[schemars(range(min = 0, max = crate::scenario::bounds::MAX_DEMAND_MULTIPLIER))]
    pub demand_multiplier: Option<f64>,
}

/// `[[source]]`: a stream of arrivals.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSource {
    /// Unique name; also names its random stream.
    pub name: String,
    /// Time between arrivals [h].
    pub interarrival_h: DistSpec,
    /// The stage arrivals enter.
    pub to: String,
    /// Priority class for stages with `discipline = "priority"` (0 served first).
    #[schemars(range(min = 0, max = 255))]
    pub priority: Option<i64>,
}

/// `[[stage]]`: a queue, a delay, a batch or a timetable of departures.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawStage {
    /// Unique name.
    pub name: String,
    /// "queue" (default), "delay", "batch" or "departures".
    pub kind: Option<String>,
    /// queue: servers, when constant.
    #[schemars(range(min = 1, max = crate::scenario::bounds::MAX_SERVERS))]
    pub servers: Option<i64>,
    /// queue: servers over time (shifts), instead of `servers`.
    pub calendar: Option<RawCalendar>,
    /// queue: "fifo" (default) or "priority".
    pub discipline: Option<String>,
    /// queue: the most entities that may wait (not counting those in service); absent: unlimited.
    #[schemars(range(min = 0, max = crate::scenario::bounds::MAX_QUEUE_CAPACITY))]
    pub queue_capacity: Option<i64>,
    /// queue: service time [h].
    pub service_h: Option<DistSpec>,
    /// delay: time spent [h], with no queueing.
    pub delay_h: Option<DistSpec>,
    /// batch: items per batch.
    #[schemars(range(min = 1, max = crate::scenario::bounds::MAX_BATCH))]
    pub batch_size: Option<i64>,
    /// batch: release an incomplete batch this long after it opened [h].
    #[schemars(range(min = 0, max = crate::scenario::bounds::MAX_HOURS))]
    pub batch_timeout_h: Option<f64>,
    /// departures: departure times within the period [h].
    pub departures_h: Option<Vec<f64>>,
    /// departures: the timetable repeats every period [h] (default 24).
    #[schemars(range(min = 0, max = crate::scenario::bounds::MAX_PERIOD_H))]
    pub period_h: Option<f64>,
    /// departures: entities one departure carries.
    #[schemars(range(min = 1, max = crate::scenario::bounds::MAX_DEPARTURE_CAPACITY))]
    pub capacity: Option<i64>,
    /// departures: arrive this long before a departure to board it [h] (default 0).
    #[schemars(range(min = 0, max = crate::scenario::bounds::MAX_PERIOD_H))]
    pub cutoff_h: Option<f64>,
    /// departures: travel time from departure to the next stage [h].
    pub transit_h: Option<DistSpec>,
    /// The next stage, or "exit" (default).
    pub to: Option<String>,
    /// Probabilistic routing instead of `to`: shares summing to 1.
    pub routes: Option<Vec<RawRoute>>,
}

/// `[stage.calendar]`: servers by shift, default, holidays.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCalendar {
    /// Servers outside every shift.
    #[schemars(range(min = 0, max = crate::scenario::bounds::MAX_SERVERS))]
    pub default_servers: Option<i64>,
    /// The shifts.
    #[serde(default)]
    pub shift: Vec<RawShift>,
    /// Day numbers counted from time 0 (day 0 = the first Monday) with holiday staffing.
    #[serde(default)]
    pub holidays: Vec<i64>,
    /// Servers on a holiday (default 0).
    #[schemars(range(min = 0, max = crate::scenario::bounds::MAX_SERVERS))]
    pub holiday_servers: Option<i64>,
}

/// `[[stage.calendar.shift]]`.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawShift {
    /// Weekdays: "mon-fri", "sat,sun", "daily".
    pub days: String,
    /// Start clock hour.
    #[schemars(range(min = 0, max = 24))]
    pub from_h: f64,
    /// End clock hour (≤ from_h: runs past midnight).
    #[schemars(range(min = 0, max = 24))]
    pub to_h: f64,
    /// Servers on duty.
    #[schemars(range(min = 0, max = crate::scenario::bounds::MAX_SERVERS))]
    pub servers: i64,
}

/// One branch of probabilistic routing.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRoute {
    /// The next stage, or "exit".
    pub to: String,
    /// Probability of this branch.
    #[schemars(range(min = 0, max = 1))]
    pub p: f64,
}
