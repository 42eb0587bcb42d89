//! The parcel world as a network: platforms order parcels, origin hubs sort, bag and clear
//! them for export, timetabled lanes carry the bags, import gateways clear them in Time Release
//! Study segments, the last mile delivers them, and some come back as returns.
//!
//! ```text
//! order ─▶ first mile ─▶ hub: sort ─▶ bag ─▶ export ─▶ [route] ─▶ lane: departure ══ transit ══▶
//!   gateway: arrival ─▶ lodgement ─▶ assessment (automated, or paper desk ⟲ rework)
//!     ─▶ [doc check] ─▶ [X-ray ─▶ physical ─▶ seizure] ─▶ [payment] ─▶ release ─▶ exit
//!     ─▶ [depot] ─▶ last mile ─▶ delivered ─▶ [return: local warehouse, or a lane back]
//! pre-arrival: lodgement and assessment run during transit; goods steps wait for arrival.
//! 1210 bonded: order ─▶ release check at its market's gateway ─▶ last mile.
//! ```
//!
//! # Design
//! - **An event** is plain data ([`Event`]): what happened and to which parcel, bag, lane or
//!   station, by index. One loop pops events in time order and dispatches them by `match`
//!   to the file that owns that part of the journey: [`demand`] (orders), [`hub`] (sort,
//!   bagging, export), [`lane`] (routing per bag, departures, arrivals), [`gateway`] (import
//!   customs, release, last mile), [`regime`] (duty, VAT, risk), [`returns`].
//! - **A parcel** lives in a slot of one vector from order to its last event, then the slot is
//!   reused; a bag is a group of slot indices, a departure's load a list of bags. Pure delays (export,
//!   lodgement, payment, exit, last mile) need no event: the time they end is computed at once.
//! - **Routing** decides where the network branches. The platform picks the hub and market
//!   when the parcel is ordered; a [`Routing::Shares`] rule picks the lane then too, so the
//!   parcel joins that lane's bags at the sort. The other rules decide per bag when it is out
//!   of export clearance and at the departure point ([`lane`]): overflow, fastest, cheapest.
//! - **Common random numbers**: every random attribute of a parcel (value, weight, mode,
//!   trusted seller, the draws that decide channel, risk, mismatch, inspection, seizure) comes
//!   from its platform's stream, and its routing draws (hub, market, lane, return) from a
//!   second stream of the platform, so two scenarios with the same platforms and seed see the
//!   same parcels whatever their networks. Each hub, lane and gateway has its own streams for
//!   its times; a one-chain file keeps the stream names it always had, so its figures are
//!   those of the one-chain model.
//! - **Memory** is proportional to parcels in flight: rates are computed hour by hour, slots
//!   are reused (in fixed chunks, [`Slots`]), a departure's load is the list of its bags, and
//!   the backlog keeps at most [`BACKLOG_POINTS`] snapshots per stage.
//! - **Speed** is memory: millions of parcels are in flight, so a parcel visited again hours
//!   later is not in cache. A parcel is two cache lines (what many visits need in the
//!   first), visits to a bag or a load warm its parcels first so that their misses overlap,
//!   and what a visit only routes by (the hub, the bag stream) travels with the event or
//!   beside the slots.

use crossbeam_utils::CachePadded;

use crate::engine::{
    Batcher, Calendar, Discipline, Slots, Station, Stream, StreamSeeder, Timetable,
};
use crate::scenario::Scenario;
use crate::scenario::network::{Node, Routing};
use crate::scenario::parcel::{Channel, Mode, ParcelWorld, StationSpec};
use crate::stats::{BatchSeries, Tally, TallyHist};

mod demand;
mod figures;
mod gateway;
mod hub;
mod lane;
mod regime;
mod returns;
mod sort;
mod stations;

pub use figures::{GatewayFigures, HubFigures, LaneFigures, ReturnFigures};

/// The customs and hub resources of a one-chain world, by index.
pub const STATION_NAMES: [&str; 5] = ["sort", "paper_desk", "doc_check", "xray", "physical"];
const SORT: u8 = 0;
const PAPER: u8 = 1;
const DOC: u8 = 2;
const XRAY: u8 = 3;
const PHYS: u8 = 4;
const DEPOT: u8 = 5;

/// The stations of a world, in the order of [`ParcelReplication::stations`]: each hub's sort,
/// then each gateway's paper desk, documentary check, X-ray and physical inspection, then the
/// last-mile depot of each gateway that has one, named by [`ParcelWorld::qualified`] (a
/// one-chain world gives [`STATION_NAMES`]).
pub fn station_names(w: &ParcelWorld) -> Vec<String> {
    let mut out: Vec<String> = (0..w.hubs.len())
        .map(|h| w.qualified(Node::Hub(h), "sort"))
        .collect();
    for g in 0..w.gateways.len() {
        for s in &STATION_NAMES[1..] {
            out.push(w.qualified(Node::Gateway(g), s));
        }
    }
    for (g, gw) in w.gateways.iter().enumerate() {
        if gw.depot_per_day.is_some() {
            out.push(w.qualified(Node::Gateway(g), "depot"));
        }
    }
    out
}

/// Where parcels can be waiting in a world, in the order of the backlog's stage index: per
/// hub sort and bagging, per lane waiting at its departure point and in transit, per gateway
/// its stations, awaiting arrival and the depot (a one-chain world gives [`BACKLOG_STAGES`]).
pub fn backlog_stages(w: &ParcelWorld) -> Vec<String> {
    if one_chain(w) {
        return BACKLOG_STAGES.iter().map(|s| s.to_string()).collect();
    }
    let mut out = Vec::new();
    for h in 0..w.hubs.len() {
        out.push(w.qualified(Node::Hub(h), "sort"));
        out.push(w.qualified(Node::Hub(h), "bagging"));
    }
    for l in &w.lanes {
        out.push(format!("{}/waiting", l.name));
        out.push(format!("{}/in_transit", l.name));
    }
    for g in 0..w.gateways.len() {
        for s in [
            "paper_desk",
            "doc_check",
            "xray",
            "physical",
            "awaiting_arrival",
            "depot",
        ] {
            out.push(w.qualified(Node::Gateway(g), s));
        }
    }
    out
}

/// The most backlog snapshots a replication takes per stage: every hour up to this many hours,
/// then every `k` hours, so that the backlog's memory does not grow with the horizon.
pub const BACKLOG_POINTS: f64 = 2000.0;

/// Hours between two backlog snapshots for a run of `horizon_h` (no horizon: every hour).
pub fn backlog_every_h(horizon_h: Option<f64>) -> f64 {
    match horizon_h {
        Some(h) if h.is_finite() && h > BACKLOG_POINTS => (h / BACKLOG_POINTS).ceil(),
        _ => 1.0,
    }
}

/// Room [parcels] of a group that carried one parcel alone: `Vec`'s first allocation of `u32`s.
const SINGLE_ROOM: usize = 4;

/// True for one hub, one lane and one gateway: the chain of a file with singular sections.
fn one_chain(w: &ParcelWorld) -> bool {
    w.hubs.len() == 1 && w.lanes.len() == 1 && w.gateways.len() == 1
}

/// Time Release Study segments of import clearance, in order; they add up to arrival → release.
pub const TRS_SEGMENTS: [&str; 5] = [
    "lodgement",
    "assessment",
    "documentary_check",
    "inspection",
    "payment",
];

/// Where parcels can be waiting in a one-chain world, for the backlog over time.
pub const BACKLOG_STAGES: [&str; 9] = [
    "sort",
    "bagging",
    "linehaul",
    "in_transit",
    "paper_desk",
    "doc_check",
    "xray",
    "physical",
    "awaiting_arrival",
];

/// Cost categories per parcel.
pub const COSTS: [&str; 6] = [
    "fees",
    "paper",
    "inspection",
    "storage",
    "labour",
    "transport",
];

/// What happens, to what (indices into the simulation's vectors).
#[derive(Clone, Copy, Debug)]
enum Event {
    Order { platform: u32 },
    FirstMileDone { p: u32, hub: u32 },
    ServiceEnd { station: u32, p: u32 },
    CapacityChange { station: u32 },
    BagTimeout { stream: u32, generation: u64 },
    BagReady { group: u32 },
    Departure { lane: u32 },
    Arrival { lane: u32, load: u32 },
    Lodged { p: u32 },
    Assessed { p: u32 },
    ReworkDone { p: u32 },
    MatchDone { p: u32 },
    BondedReleased { p: u32 },
    GateOut { p: u32 },
    ReturnHandedBack { p: u32 },
    Snapshot,
    WarmupEnd,
}

/// A parcel in flight: its attributes, where it is going and the milestones it has reached.
///
/// Two cache lines, laid out so that the visits to many parcels at once (a bag out of export,
/// a departure, an arrival) read and write the first only: with millions of parcels in flight
/// nearly every visit is a miss, and the misses are what a replication's time goes into.
/// What the parcel does not need after its gateway is known (declared value and the draws its
/// regime reads) is decided then, or kept in [`Draws`] until it is; costs are recomputed at
/// delivery from what happened ([`Sim::costs`]).
#[derive(Clone, Copy, Debug)]
#[repr(C, align(64))]
struct Parcel {
    // First line: the fields of the visits to bags, departures and arrivals.
    weight: f64,
    volume: f64,
    /// When its current step began: at the depot, its gate-out; on its way back, its
    /// delivery.
    since: f64,
    arrived: f64,
    lodged: f64,
    hub: u16,
    lane: u16,
    gateway: u16,
    mode: Mode,
    channel: Channel,
    /// 0 green, 1 yellow, 2 red.
    risk: u8,
    trusted: bool,
    /// Duty and VAT are paid at the border before release (not collected at sale).
    due_at_border: bool,
    docs_ready: bool,
    goods_here: bool,
    matched: bool,
    /// Released within the run (or refused or seized: out of customs).
    released: bool,
    /// Its documents do not match (three-document match), decided with its gateway.
    mismatch: bool,
    /// Sent on from X-ray to physical inspection, if red; decided with its gateway.
    physical: bool,
    /// Seized at physical inspection, if inspected; decided with its gateway.
    seize: bool,
    /// It will be returned once delivered (its platform's return share).
    returns: bool,
    /// Inspection steps it went through, for its costs: documentary check, X-ray, physical.
    doc_checked: bool,
    xrayed: bool,
    inspected_physically: bool,
    // Second line.
    ordered: f64,
    assessed: f64,
    doc_done: f64,
    /// Duty and VAT, in the reporting currency (set when its gateway is known).
    duty: f64,
    vat: f64,
    /// Storage charged at release, in the reporting currency; on a return, the return's cost
    /// so far.
    spent: f64,
    platform: u16,
    /// Times the paper desk handled its declaration (1 + reworks).
    paper_handlings: u16,
    /// Its entry in `Sim::draws` until its gateway is known; `NO_DRAWS` after.
    draws: u32,
}

/// `Parcel::draws` of a parcel whose gateway is known.
const NO_DRAWS: u32 = u32::MAX;

const _: () = assert!(std::mem::size_of::<Parcel>() == 128);
const _: () = assert!(std::mem::offset_of!(Parcel, ordered) == 64);

/// The declared value and the draws of a parcel's order that its gateway's regime reads, kept
/// while its gateway is not known (a bag routed when it is out of export clearance).
#[derive(Clone, Copy, Debug)]
#[repr(align(64))]
struct Draws {
    /// Declared value, in the reporting currency.
    value: f64,
    u_channel: f64,
    u_risk: f64,
    u_annual: f64,
    u_mismatch: f64,
    u_physical: f64,
    u_seize: f64,
}

struct StationState {
    station: Station,
    spec: StationSpec,
    /// What kind of station ([`SORT`] … [`DEPOT`]) and the index of its hub or gateway.
    kind: u8,
    node: u16,
    rng: Stream,
    wait: TallyHist,
    /// Services started on arrival, a wait of 0 h not yet added to `wait`: counted apart
    /// because most parcels wait for nothing at a station with spare servers.
    zero_waits: u64,
    services: u64,
    closed_starts: u64,
    /// (from, until, servers): the schedule has `servers` on duty from `from` to `until` [h],
    /// so that the check behind `closed_starts` looks it up only when a service starts outside.
    on_duty: (f64, f64, u32),
}

/// What one replication of a parcel world produced (statistics after the warm-up).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct ParcelReplication {
    /// Replication index.
    pub index: u64,
    /// Parcels ordered over the whole run.
    pub created: u64,
    /// Parcels delivered over the whole run.
    pub delivered: u64,
    /// Parcels still in the network at the horizon.
    pub in_system: u64,
    /// Parcels seized at inspection.
    pub seized: u64,
    /// Parcels refused at the gateway because their bag (or the parcel, without a hub) is
    /// heavier than a whole departure's capacity and could never board:
    /// `created = delivered + in_system + seized + oversize_refused`.
    #[serde(default)]
    pub oversize_refused: u64,
    /// Delivered parcels whose return was closed within the run (they count in `delivered`).
    #[serde(default)]
    pub returned: u64,
    /// Delivered parcels on their way back at the horizon (they count in `delivered`).
    #[serde(default)]
    pub returning: u64,
    /// Parcels the model itself still holds at the horizon, counted from its own slots and
    /// events rather than by difference: before delivery, or on a return path. The check of
    /// conservation: `created = delivered − returned − returning + returned + seized +
    /// oversize_refused + held`, where `held` includes `returning`.
    #[serde(default)]
    pub held: u64,
    /// Observation window after the warm-up [h].
    pub observed_h: f64,
    /// Events processed.
    pub events: u64,
    /// Arrival at import → release [h] (for 1210: order → release).
    pub clearance: TallyHist,
    /// Order → delivered [h].
    pub end_to_end: TallyHist,
    /// TRS segments, in [`TRS_SEGMENTS`] order [h].
    pub segments: Vec<TallyHist>,
    /// Release → gate-out [h].
    pub exit: TallyHist,
    /// Per station in [`station_names`] order: present in the scenario or not.
    pub stations: Vec<Option<StationReplication>>,
    /// Mean cost per parcel delivered after the warm-up, by category ([`COSTS`]), recorded once
    /// at the end of the replication; labour is spread over those parcels.
    pub cost: [Tally; 6],
    /// Labour cost of the observation window.
    pub labour_total: f64,
    /// Mean duty per parcel delivered after the warm-up (one value per replication).
    pub duty: Tally,
    /// Mean VAT per parcel delivered after the warm-up (one value per replication).
    pub vat: Tally,
    /// Parcels delivered after the warm-up.
    pub delivered_after_warmup: u64,
    /// Highest load of any departure over its capacity (never above 1).
    pub max_departure_fill: f64,
    /// Parcels that boarded although they reached the gateway after the cut-off (must be 0).
    pub cutoff_violations: u64,
    /// Backlog every [`backlog_every_h`] hours (every hour up to [`BACKLOG_POINTS`] hours):
    /// (hour, stage index in [`backlog_stages`], parcels waiting).
    pub backlog: Vec<(u32, u16, u32)>,
    /// Clearance of every parcel released, warm-up included, in batches over time: what
    /// `--warmup auto` reads.
    pub series: BatchSeries,
    /// Per origin hub.
    #[serde(default)]
    pub hubs: Vec<HubFigures>,
    /// Per lane, outbound and return.
    #[serde(default)]
    pub lanes: Vec<LaneFigures>,
    /// Per import gateway.
    #[serde(default)]
    pub gateways: Vec<GatewayFigures>,
    /// Returns.
    #[serde(default)]
    pub returns: ReturnFigures,
}

/// One station in one replication.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct StationReplication {
    /// Wait before service [h].
    pub wait: TallyHist,
    /// Busy over available server-hours.
    pub utilization: f64,
    /// Time-average number waiting.
    pub queue_length: f64,
    /// Largest number waiting.
    pub queue_max: f64,
    /// Time-average servers on duty.
    pub servers: f64,
    /// Services started after the warm-up.
    pub services: u64,
    /// Services started while the calendar said the station was closed (must be 0).
    pub closed_starts: u64,
}

/// Receives every parcel's import milestones at release, for per-parcel checks and traces.
/// The unit type `()` ignores them at no cost.
pub trait ParcelObserver {
    /// A parcel was released at `released` [h] after arriving at `arrived`; `segments` are its
    /// TRS segments in [`TRS_SEGMENTS`] order [h].
    fn released(&mut self, arrived: f64, segments: [f64; 5], released: f64);

    /// [`Self::released`] with the parcel's declaration channel and risk lane (0 green,
    /// 1 yellow, 2 red), for per-parcel milestones; by default passed on to `released`.
    #[inline(always)]
    fn released_as(&mut self, arrived: f64, segments: [f64; 5], released: f64, _: Channel, _: u8) {
        self.released(arrived, segments, released)
    }

    /// A parcel of bag `bag` (bags numbered from 0 in the order they close; without a hub
    /// every parcel is a bag of its own), out of export clearance at `export_done`, boarded
    /// the departure leaving at `departure` [h].
    #[inline(always)]
    fn boarded(&mut self, _bag: u64, _export_done: f64, _departure: f64) {}

    /// A parcel released within the run leaves customs at `gate_out` and is delivered at
    /// `delivered` [h]; either may lie after the horizon.
    #[inline(always)]
    fn left(&mut self, _gate_out: f64, _delivered: f64) {}

    /// A departure of lane `lane` left at `at` [h] with `load` (parcels, kg, m³) under
    /// `capacity` (`f64::INFINITY` where the lane has no such limit).
    #[inline(always)]
    fn departed(&mut self, _lane: usize, _at: f64, _load: [f64; 3], _capacity: [f64; 3]) {}

    /// A bag of `parcels` out of export at `at` [h], whose rule preferred lane `preferred`,
    /// was routed to lane `chosen`.
    #[inline(always)]
    fn routed(&mut self, _at: f64, _parcels: u32, _preferred: usize, _chosen: usize) {}
}

impl ParcelObserver for () {
    #[inline(always)]
    fn released(&mut self, _: f64, _: [f64; 5], _: f64) {}
}

impl<F: FnMut(f64, [f64; 5], f64)> ParcelObserver for F {
    fn released(&mut self, arrived: f64, segments: [f64; 5], released: f64) {
        self(arrived, segments, released)
    }
}

/// One bag stream at a hub: the open bag of the parcels bound for one lane (shares routing)
/// or for one routing rule (decided per bag when it is out of export clearance).
struct BagStream {
    hub: usize,
    /// The lane, or `None` when `route` decides per bag.
    lane: Option<usize>,
    route: usize,
    bag: Batcher,
}

/// A bag (a group on its way to a departure): what its parcels share.
#[derive(Clone, Copy, Debug, Default)]
struct BagInfo {
    /// Bags are numbered from 0 in the order they close; `u64::MAX` for a return.
    number: u64,
    /// Out of export clearance (a return: handed back) [h].
    ready: f64,
    /// Parcels, kg, m³.
    load: [f64; 3],
}

/// A lane's departures and the bags waiting for them.
struct LaneState {
    timetable: Timetable,
    departure_scheduled: bool,
    /// Bags in export clearance or cleared and not yet in the boarding line, in the order they
    /// entered clearance: (`f64::to_bits` of the time they reach the departure point, group).
    clearing: Vec<(u64, u32)>,
    /// Parcels in the bags waiting in the timetable's boarding line.
    boarding_parcels: u32,
    /// Load committed to the lane and not yet departed (clearing and boarding line).
    committed: [f64; 3],
    in_transit: u32,
    rng_transit: Stream,
    /// Mean transit [h], for routing by expected arrival.
    mean_transit: f64,
    /// Departures simulated after the warm-up (the rest of the timetable's left empty).
    simulated_departures: u64,
    out: LaneFigures,
}

/// An import gateway's streams and what it records.
struct GatewayState {
    rng_customs: Stream,
    rng_rework: Stream,
    rng_last_mile: Stream,
    awaiting_arrival: u32,
    /// Index into `stations` of its first customs station (paper desk); its depot, if any.
    first_station: usize,
    depot: Option<usize>,
    /// TRS segments of 0 h not yet added to `segments` (most parcels), counted apart.
    zero_segments: [u64; 5],
    /// Sums over parcels delivered after the warm-up: the six cost categories, duty, VAT.
    sums: [f64; 8],
    /// Parcels whose release falls after the horizon, freed early: still in customs at the end.
    released_beyond: u64,
    out: GatewayFigures,
}

struct Sim<'a, O: ParcelObserver> {
    observer: &'a mut O,
    w: &'a ParcelWorld,
    horizon: f64,
    warmup: f64,
    cal: Calendar<Event>,
    parcels: Slots<Parcel>,
    free: Vec<u32>,
    /// Per parcel slot, its bag stream at the hub (the lane or the routing rule its bag is made
    /// for): apart from the parcel, two bytes a slot, so that the sort, the parcel's first
    /// visit since its order, finds it in cache where the parcel is not.
    stream: Vec<u16>,
    /// The draws of parcels whose gateway is not known yet, slots reused through `free_draws`.
    draws: Vec<Draws>,
    free_draws: Vec<u32>,
    stations: Vec<Option<StationState>>,
    /// Per hub, its sort station's index in `stations`.
    sort_station: Vec<usize>,
    /// On cache lines of their own so that no other thread's replication writes the same line
    /// (see the network model's `Sim::stages`).
    order_rngs: Vec<CachePadded<Stream>>,
    attr_rngs: Vec<CachePadded<Stream>>,
    route_rngs: Vec<CachePadded<Stream>>,
    /// Per platform, the last hour whose order rate was looked up and that rate [1/h]: the
    /// rate is computed hour by hour as the clock goes, so memory does not grow with the
    /// horizon.
    rate_cache: Vec<(usize, f64)>,
    /// Orders are created up to this hour (the horizon rounded up; 0 without a horizon).
    order_limit_h: f64,
    hub_first_mile: Vec<Stream>,
    hub_export: Vec<Stream>,
    hub_out: Vec<HubFigures>,
    rng_returns: Stream,
    streams: Vec<BagStream>,
    /// Bag stream of (hub, lane) and of (hub, routing rule): index `h * (lanes + rules) + k`.
    stream_of: Vec<u16>,
    lanes: Vec<LaneState>,
    gateways: Vec<GatewayState>,
    /// Per market, the gateway that clears its bonded (1210) stock: the first in the file.
    bonded_gateway: Vec<usize>,
    /// Per group used as a bag: its number, when it is out of export clearance, its load.
    bag_info: Vec<BagInfo>,
    /// Bags closed so far (the next bag's number).
    bags_closed: u64,
    /// Room for the bags boarding a departure, and for sorting bags by the time they reach
    /// the departure point.
    boarded_bags: Vec<u32>,
    at_gateway: Vec<(u64, u32)>,
    sort_scratch: Vec<(u64, u32)>,
    /// Room for one snapshot's counts.
    snapshot_scratch: Vec<u32>,
    /// Room for the lanes of a routing rule that can carry a bag at all.
    fitting_scratch: Vec<usize>,
    /// Hours between two backlog snapshots.
    snapshot_every_h: f64,
    /// Groups of parcels that move together, from closing to arrival: a bag's parcels, or one
    /// parcel that travels alone (a return on its lane back, a parcel of a hub without a
    /// sort). Indices into it are reused and each keeps its room: a group with a bag's room
    /// goes back to `free_bags`, one with a single parcel's to `free_singles`, so that a lone
    /// parcel never holds a bag's room and the room held is what the groups in flight at the
    /// peak need, whatever the horizon.
    groups: Vec<Vec<u32>>,
    free_bags: Vec<u32>,
    free_singles: Vec<u32>,
    /// A departure's load, the list of its bags, from boarding to arrival: a pool of its own,
    /// since a group reused as a load would keep the room of the largest departure it ever
    /// carried, and over a long horizon every bag would.
    loads: Vec<Vec<u32>>,
    free_loads: Vec<u32>,
    /// Parcels freed before the horizon although their next event lies after it (in the
    /// system at the horizon), for `held`.
    beyond_horizon: u64,
    /// Sums over parcels delivered after the warm-up, network-wide, as in `GatewayState`.
    sums: [f64; 8],
    out: ParcelReplication,
}

thread_local! {
    /// The parcel slots of this thread's last replication, kept for its next one: a
    /// replication fills hundreds of megabytes of slots, and taking fresh memory from the
    /// system for each one costs a page fault every 4 KiB (a sixth of a replication's time).
    static SLOTS: std::cell::Cell<Slots<Parcel>> = const { std::cell::Cell::new(Slots::new()) };
}

/// Runs replication `index` of a parcel-world scenario.
pub fn simulate_world(scenario: &Scenario, world: &ParcelWorld, index: u64) -> ParcelReplication {
    simulate_world_observed(scenario, world, index, &mut ())
}

/// Like [`simulate_world`], telling `observer` every parcel's milestones at release.
pub fn simulate_world_observed<O: ParcelObserver>(
    scenario: &Scenario,
    world: &ParcelWorld,
    index: u64,
    observer: &mut O,
) -> ParcelReplication {
    let mut sim = Sim::new(scenario, world, index, observer);
    sim.start();
    sim.run();
    sim.finish()
}

/// A random stream's name: `single` when the world has one node of that kind (the names of
/// the one-chain model, which keep its figures), else `node:name:what`.
fn stream_name(count: usize, single: &str, kind: &str, name: &str, what: &str) -> String {
    if count == 1 {
        single.to_string()
    } else {
        format!("{kind}:{name}:{what}")
    }
}

fn station_state(
    seeder: &StreamSeeder,
    name: &str,
    spec: &StationSpec,
    kind: u8,
    node: usize,
) -> StationState {
    StationState {
        station: Station::new(Discipline::Fifo, spec.schedule.servers_at(0.0), None, 0.0),
        spec: spec.clone(),
        kind,
        node: node as u16,
        rng: seeder.stream(&format!("station:{name}")),
        wait: TallyHist::new(),
        zero_waits: 0,
        services: 0,
        closed_starts: 0,
        on_duty: (0.0, 0.0, 0),
    }
}

impl<'a, O: ParcelObserver> Sim<'a, O> {
    /// The state of replication `index` at time 0, before any event is scheduled.
    fn new(scenario: &Scenario, w: &'a ParcelWorld, index: u64, observer: &'a mut O) -> Self {
        let seeder = StreamSeeder::new(scenario.run.seed, index);
        let names = station_names(w);
        let mut stations = Vec::new();
        let mut sort_station = Vec::new();
        for (h, hub) in w.hubs.iter().enumerate() {
            sort_station.push(stations.len());
            stations.push(
                hub.sort
                    .as_ref()
                    .map(|s| station_state(&seeder, &names[stations.len()], s, SORT, h)),
            );
        }
        let mut gateways = Vec::new();
        let (nh, ng) = (w.hubs.len(), w.gateways.len());
        for (g, gw) in w.gateways.iter().enumerate() {
            let first_station = stations.len();
            let i = &gw.import;
            for (kind, spec) in [
                (PAPER, &i.paper_desk),
                (DOC, &i.doc_check),
                (XRAY, &i.xray),
                (PHYS, &i.physical),
            ] {
                let name = &names[stations.len()];
                stations.push(
                    spec.as_ref()
                        .map(|s| station_state(&seeder, name, s, kind, g)),
                );
            }
            let single =
                |s: &str, what: &str| seeder.stream(&stream_name(ng, s, "gateway", &gw.name, what));
            gateways.push(GatewayState {
                rng_customs: single("import:times", "times"),
                rng_rework: single("import:paper_rework", "paper_rework"),
                rng_last_mile: single("last_mile", "last_mile"),
                awaiting_arrival: 0,
                first_station,
                depot: None,
                zero_segments: [0; 5],
                sums: [0.0; 8],
                released_beyond: 0,
                out: GatewayFigures {
                    name: gw.name.clone(),
                    market: w.markets[gw.market].clone(),
                    currency: gw.regime.currency.clone(),
                    fx: gw.fx,
                    segments: (0..TRS_SEGMENTS.len()).map(|_| TallyHist::new()).collect(),
                    ..GatewayFigures::default()
                },
            });
        }
        for (g, gw) in w.gateways.iter().enumerate() {
            if let Some(per_day) = gw.depot_per_day {
                // A depot delivering `per_day` parcels a day, evenly: one server, 24/per_day h each.
                let spec = StationSpec {
                    schedule: crate::engine::CapacitySchedule::constant(1),
                    service: crate::engine::Dist::deterministic(24.0 / per_day),
                    labour_per_hour: 0.0,
                };
                gateways[g].depot = Some(stations.len());
                let name = &names[stations.len()];
                stations.push(Some(station_state(&seeder, name, &spec, DEPOT, g)));
            }
        }
        // Bag streams: one per (hub, lane) a shares rule may send parcels to, one per (hub,
        // rule) deciding per bag.
        let (nl, nr) = (w.lanes.len(), w.routing.len());
        let mut stream_of = vec![u16::MAX; nh * (nl + nr)];
        let mut streams = Vec::new();
        for p in 0..w.platforms.len() {
            for h in 0..nh {
                for m in 0..w.markets.len() {
                    let Some(&r) = w.route_table.get((p * nh + h) * w.markets.len() + m) else {
                        continue;
                    };
                    let Some(rule) = w.routing.get(r as usize) else {
                        continue;
                    };
                    let keys: Vec<(usize, Option<usize>)> = match rule {
                        Routing::Shares(s) => s.iter().map(|&(l, _)| (l, Some(l))).collect(),
                        _ => vec![(nl + r as usize, None)],
                    };
                    for (k, lane) in keys {
                        let slot = &mut stream_of[h * (nl + nr) + k];
                        if *slot == u16::MAX {
                            *slot = streams.len() as u16;
                            streams.push(BagStream {
                                hub: h,
                                lane,
                                route: r as usize,
                                bag: Batcher::new(w.hubs[h].bag_size),
                            });
                        }
                    }
                }
            }
        }
        let lanes = w
            .lanes
            .iter()
            .map(|l| {
                let cap = l.capacity.limits().map(|c| c.unwrap_or(f64::INFINITY));
                LaneState {
                    timetable: Timetable::new(l.period_h, l.offsets.clone(), cap, l.cutoff_h)
                        .with_changes(l.extra.clone(), l.cancelled.clone()),
                    departure_scheduled: false,
                    clearing: Vec::new(),
                    boarding_parcels: 0,
                    committed: [0.0; 3],
                    in_transit: 0,
                    rng_transit: seeder.stream(&stream_name(
                        nl,
                        "linehaul:transit",
                        "lane",
                        &l.name,
                        "transit",
                    )),
                    mean_transit: l.transit.mean(),
                    simulated_departures: 0,
                    out: LaneFigures {
                        name: l.name.clone(),
                        mode: l.mode.clone(),
                        ..LaneFigures::default()
                    },
                }
            })
            .collect();
        let platform_stream = |p: &crate::scenario::parcel::Platform, what: &str| {
            CachePadded::new(seeder.stream(&format!("platform:{}:{what}", p.name)))
        };
        Sim {
            observer,
            w,
            horizon: scenario.run.horizon_h.unwrap_or(f64::INFINITY),
            warmup: scenario.run.warmup_h,
            cal: Calendar::with_capacity(4096),
            parcels: {
                let mut slots = SLOTS.take();
                slots.clear();
                slots
            },
            free: Vec::new(),
            stream: Vec::new(),
            draws: Vec::new(),
            free_draws: Vec::new(),
            stations,
            sort_station,
            order_rngs: w
                .platforms
                .iter()
                .map(|p| platform_stream(p, "orders"))
                .collect(),
            attr_rngs: w
                .platforms
                .iter()
                .map(|p| platform_stream(p, "parcels"))
                .collect(),
            route_rngs: w
                .platforms
                .iter()
                .map(|p| platform_stream(p, "routes"))
                .collect(),
            rate_cache: w.platforms.iter().map(|p| (0, p.rate_at(0.0))).collect(),
            order_limit_h: scenario.run.horizon_h.unwrap_or(0.0).ceil(),
            hub_first_mile: w
                .hubs
                .iter()
                .map(|h| {
                    seeder.stream(&stream_name(nh, "first_mile", "hub", &h.name, "first_mile"))
                })
                .collect(),
            hub_export: w
                .hubs
                .iter()
                .map(|h| seeder.stream(&stream_name(nh, "export", "hub", &h.name, "export")))
                .collect(),
            hub_out: w
                .hubs
                .iter()
                .map(|h| HubFigures {
                    name: h.name.clone(),
                    ..HubFigures::default()
                })
                .collect(),
            rng_returns: seeder.stream("returns"),
            streams,
            stream_of,
            lanes,
            gateways,
            bonded_gateway: (0..w.markets.len())
                .map(|m| w.gateways.iter().position(|g| g.market == m).unwrap_or(0))
                .collect(),
            bag_info: Vec::new(),
            bags_closed: 0,
            boarded_bags: Vec::new(),
            at_gateway: Vec::new(),
            sort_scratch: Vec::new(),
            snapshot_scratch: Vec::new(),
            fitting_scratch: Vec::new(),
            snapshot_every_h: backlog_every_h(scenario.run.horizon_h),
            groups: Vec::new(),
            free_bags: Vec::new(),
            free_singles: Vec::new(),
            loads: Vec::new(),
            free_loads: Vec::new(),
            beyond_horizon: 0,
            sums: [0.0; 8],
            out: ParcelReplication {
                index,
                created: 0,
                delivered: 0,
                in_system: 0,
                seized: 0,
                oversize_refused: 0,
                returned: 0,
                returning: 0,
                held: 0,
                observed_h: 0.0,
                events: 0,
                clearance: TallyHist::new(),
                end_to_end: TallyHist::new(),
                segments: (0..TRS_SEGMENTS.len()).map(|_| TallyHist::new()).collect(),
                exit: TallyHist::new(),
                stations: Vec::new(),
                cost: [Tally::new(); 6],
                labour_total: 0.0,
                duty: Tally::new(),
                vat: Tally::new(),
                delivered_after_warmup: 0,
                max_departure_fill: 0.0,
                cutoff_violations: 0,
                backlog: Vec::new(),
                series: BatchSeries::new(),
                hubs: Vec::new(),
                lanes: Vec::new(),
                gateways: Vec::new(),
                returns: ReturnFigures::default(),
            },
        }
    }
}

impl<O: ParcelObserver> Sim<'_, O> {
    fn start(&mut self) {
        for i in 0..self.w.platforms.len() {
            if let Some(t) = self.next_order_time(0.0, i) {
                self.cal.schedule(t, Event::Order { platform: i as u32 });
            }
        }
        for i in 0..self.stations.len() {
            if let Some(st) = &self.stations[i]
                && let Some(at) = st.spec.schedule.next_change(0.0)
            {
                self.cal
                    .schedule(at, Event::CapacityChange { station: i as u32 });
            }
        }
        if self.warmup > 0.0 {
            self.cal.schedule(self.warmup, Event::WarmupEnd);
        }
        self.cal.schedule(0.0, Event::Snapshot);
    }

    fn run(&mut self) {
        // Popping the first event after the horizon, rather than peeking at every event first,
        // halves the calendar's work per event; the clock it advances is not read again.
        while let Some((now, ev)) = self.cal.pop() {
            if now > self.horizon {
                break;
            }
            self.out.events += 1;
            self.dispatch(now, ev);
        }
    }

    fn dispatch(&mut self, now: f64, ev: Event) {
        match ev {
            Event::Order { platform } => self.order_window(now, platform as usize),
            Event::FirstMileDone { p, hub } => self.at_hub(now, p, hub as usize),
            Event::ServiceEnd { station, p } => self.service_end(now, station as usize, p),
            Event::CapacityChange { station } => self.capacity_change(now, station as usize),
            Event::BagTimeout { stream, generation } => {
                if self.streams[stream as usize].bag.is_live(generation) {
                    self.release_bag(now, stream as usize);
                }
            }
            Event::BagReady { group } => self.route_bag(now, group),
            Event::Departure { lane } => self.departure(now, lane as usize),
            Event::Arrival { lane, load } => self.arrival(now, lane as usize, load),
            Event::Lodged { p } => self.lodged(now, p),
            Event::Assessed { p } => self.assessed(now, p),
            Event::ReworkDone { p } => {
                let g = self.parcels[p as usize].gateway as usize;
                self.enter_station(now, self.gateways[g].first_station, p);
            }
            Event::MatchDone { p } => {
                self.parcels[p as usize].matched = true;
                self.after_assessment(now, p);
            }
            Event::BondedReleased { p } => {
                let q = &mut self.parcels[p as usize];
                q.lodged = now;
                q.assessed = now;
                q.doc_done = now;
                self.release(now, p, now);
            }
            Event::GateOut { p } => {
                let g = self.parcels[p as usize].gateway as usize;
                let depot = self.gateways[g].depot.expect("a gateway with a depot");
                self.enter_station(now, depot, p);
            }
            Event::ReturnHandedBack { p } => self.return_handed_back(now, p),
            Event::Snapshot => self.snapshot(now),
            Event::WarmupEnd => self.end_warmup(now),
        }
    }

    /// A parcel's slot, filled.
    fn new_parcel(&mut self, parcel: Parcel) -> u32 {
        match self.free.pop() {
            Some(p) => {
                self.parcels[p as usize] = parcel;
                p
            }
            None => {
                self.parcels.push(parcel);
                self.stream.push(u16::MAX);
                (self.parcels.len() - 1) as u32
            }
        }
    }

    /// Frees parcel `p`'s slot (and its draws, if its gateway was never known): nothing more
    /// happens to it.
    fn free_parcel(&mut self, p: u32) {
        let d = self.parcels[p as usize].draws;
        if d != NO_DRAWS {
            self.free_draws.push(d);
            self.parcels[p as usize].draws = NO_DRAWS;
        }
        self.free.push(p);
    }

    /// Reads both cache lines of each parcel of `slots`, and nothing else, so that their
    /// misses overlap: the visit that follows, one parcel at a time with draws and events
    /// between them, then finds each parcel in cache instead of waiting for memory at every
    /// one. With millions of parcels in flight, a parcel visited again hours later is almost
    /// never in cache, and these waits were most of a replication's time.
    fn warm(&self, slots: &[u32]) {
        let mut x = 0u64;
        for &p in slots {
            let q = &self.parcels[p as usize];
            x ^= q.weight.to_bits() ^ q.ordered.to_bits();
        }
        std::hint::black_box(x);
    }

    /// A slot of `draws`, filled.
    fn new_draws(&mut self, draws: Draws) -> u32 {
        match self.free_draws.pop() {
            Some(d) => {
                self.draws[d as usize] = draws;
                d
            }
            None => {
                self.draws.push(draws);
                (self.draws.len() - 1) as u32
            }
        }
    }

    /// An empty group for a bag: one with a bag's room if one is free.
    fn new_group(&mut self) -> u32 {
        match self.free_bags.pop().or_else(|| self.free_singles.pop()) {
            Some(g) => g,
            None => self.add_group(),
        }
    }

    /// An empty group for one parcel travelling alone: never one with a bag's room.
    fn new_single(&mut self) -> u32 {
        match self.free_singles.pop() {
            Some(g) => g,
            None => self.add_group(),
        }
    }

    fn add_group(&mut self) -> u32 {
        self.groups.push(Vec::new());
        self.bag_info.push(BagInfo::default());
        (self.groups.len() - 1) as u32
    }

    /// Returns group `g`, emptied, to the pool its room belongs to.
    fn free_group(&mut self, g: u32) {
        let group = &mut self.groups[g as usize];
        group.clear();
        if group.capacity() > SINGLE_ROOM {
            self.free_bags.push(g);
        } else {
            self.free_singles.push(g);
        }
    }

    /// A departure's load (a list of bags) from its pool, empty.
    fn new_load(&mut self) -> u32 {
        self.free_loads.pop().unwrap_or_else(|| {
            self.loads.push(Vec::new());
            (self.loads.len() - 1) as u32
        })
    }

    /// Returns load `l`, emptied, to its pool.
    fn free_load(&mut self, l: u32) {
        self.loads[l as usize].clear();
        self.free_loads.push(l);
    }

    fn snapshot(&mut self, now: f64) {
        let hour = now.round() as u32;
        let q = |s: &Option<StationState>| s.as_ref().map_or(0, |s| s.station.queue_len() as u32);
        // Room reused every hour: no allocation per snapshot.
        let mut counts = std::mem::take(&mut self.snapshot_scratch);
        counts.clear();
        if one_chain(self.w) {
            let g = &self.gateways[0];
            let st = g.first_station;
            counts.extend([
                q(&self.stations[self.sort_station[0]]),
                self.streams.iter().map(|s| s.bag.len() as u32).sum(),
                self.at_departure_point(now, 0),
                self.lanes[0].in_transit,
                q(&self.stations[st]),
                q(&self.stations[st + 1]),
                q(&self.stations[st + 2]),
                q(&self.stations[st + 3]),
                g.awaiting_arrival,
            ]);
        } else {
            for h in 0..self.w.hubs.len() {
                counts.push(q(&self.stations[self.sort_station[h]]));
                counts.push(
                    self.streams
                        .iter()
                        .filter(|s| s.hub == h)
                        .map(|s| s.bag.len() as u32)
                        .sum(),
                );
            }
            for l in 0..self.lanes.len() {
                counts.push(self.at_departure_point(now, l));
                counts.push(self.lanes[l].in_transit);
            }
            for g in &self.gateways {
                let st = g.first_station;
                counts.extend([
                    q(&self.stations[st]),
                    q(&self.stations[st + 1]),
                    q(&self.stations[st + 2]),
                    q(&self.stations[st + 3]),
                    g.awaiting_arrival,
                    g.depot.map_or(0, |d| q(&self.stations[d])),
                ]);
            }
        }
        for (k, &n) in counts.iter().enumerate() {
            self.out.backlog.push((hour, k as u16, n));
        }
        self.snapshot_scratch = counts;
        let next = now + self.snapshot_every_h;
        if next <= self.horizon {
            self.cal.schedule(next, Event::Snapshot);
        }
    }

    /// Only the time averages (utilisation, queue length, servers) restart here. Every count
    /// and duration is kept from the start by its own event's time (release, gate-out,
    /// delivery, service start, departure), which may be computed before the warm-up ends:
    /// resetting those would throw away parcels whose event lies after it.
    fn end_warmup(&mut self, now: f64) {
        for st in self.stations.iter_mut().flatten() {
            st.station.reset_stats(now);
        }
    }

    fn finish(mut self) -> ParcelReplication {
        let end = if self.horizon.is_finite() {
            self.horizon
        } else {
            self.cal.now()
        };
        let observed = (end - self.warmup).max(0.0);
        let w = self.w;
        // Stations: waits, utilisation; labour network-wide and per gateway.
        let mut labour = 0.0;
        let mut gateway_labour = vec![0.0; w.gateways.len()];
        self.out.stations = std::mem::take(&mut self.stations)
            .into_iter()
            .map(|s| {
                s.map(|mut st| {
                    st.wait.record_n(0.0, st.zero_waits);
                    // `labour_per_hour` is in the currency of the station's node: the
                    // gateway's own at a gateway (converted by its `fx`, as its fees are), the
                    // reporting currency at a hub's sort.
                    let fx = if st.kind == SORT {
                        1.0
                    } else {
                        w.gateways[st.node as usize].fx
                    };
                    let l = st.station.capacity_tw.area(end) * st.spec.labour_per_hour * fx;
                    labour += l;
                    if st.kind != SORT {
                        gateway_labour[st.node as usize] += l;
                    }
                    StationReplication {
                        wait: st.wait,
                        utilization: st.station.utilization(end),
                        queue_length: st.station.queue_tw.mean(end),
                        queue_max: st.station.queue_tw.max(),
                        servers: st.station.capacity_tw.mean(end),
                        services: st.services,
                        closed_starts: st.closed_starts,
                    }
                })
            })
            .collect();
        // Lanes: the departures that ran empty, fixed costs.
        // Fixed costs of a lane to a gateway go to that gateway's parcels; of a return lane,
        // to the returns.
        let mut fixed_to_gateway = vec![0.0; w.gateways.len()];
        for (l, lane) in self.lanes.iter_mut().enumerate() {
            let spec = &w.lanes[l];
            let t = &lane.timetable;
            // Every vehicle that left in the window, an extra one beside a timetabled one at
            // the same time included, whether or not it carried anything.
            let (mut ran, mut extra) = (0u64, 0u64);
            let mut d = t.next_departure(self.warmup);
            while d <= end && ran < 10_000_000 {
                let (r, e) = t.departures_at(d);
                ran += u64::from((r + e).max(1));
                extra += u64::from(e);
                d = t.next_departure(d + 1e-6);
            }
            lane.out.extra_departures = extra;
            let empty = ran.saturating_sub(lane.simulated_departures);
            for (k, cap) in spec.capacity.limits().iter().enumerate() {
                if cap.is_some() {
                    lane.out.load_factor[k].record_n(0.0, empty);
                }
            }
            lane.out.departures = ran;
            lane.out.cancelled_departures = t.cancelled_between(self.warmup, end);
            lane.out.fixed_cost = ran as f64 * spec.cost_per_departure;
            if let Node::Gateway(g) = spec.to {
                fixed_to_gateway[g] += lane.out.fixed_cost;
            }
            self.out.max_departure_fill = self.out.max_departure_fill.max(lane.out.max_fill);
            self.out.cutoff_violations += lane.out.cutoff_violations;
        }
        // Gateways: their figures; network-wide, one gateway's own or all merged.
        let single = w.gateways.len() == 1;
        let mut delivered_total = 0;
        for (g, gs) in self.gateways.iter_mut().enumerate() {
            for (segment, &zeros) in gs.out.segments.iter_mut().zip(&gs.zero_segments) {
                segment.record_n(0.0, zeros);
            }
            gs.sums[4] = gateway_labour[g];
            gs.sums[5] += fixed_to_gateway[g];
            gs.out.labour_total = gateway_labour[g];
            let n = gs.out.delivered.max(1) as f64;
            for k in 0..6 {
                gs.out.cost[k].record(gs.sums[k] / n);
            }
            gs.out.duty.record(gs.sums[6] / n);
            gs.out.vat.record(gs.sums[7] / n);
            delivered_total += gs.out.delivered;
            for k in [0, 1, 2, 3, 5, 6, 7] {
                self.sums[k] += gs.sums[k];
            }
        }
        self.sums[4] = labour;
        if single {
            let gs = &self.gateways[0];
            self.sums[5] = gs.sums[5];
            self.out.clearance = gs.out.clearance.clone();
            self.out.end_to_end = gs.out.end_to_end.clone();
            self.out.exit = gs.out.exit.clone();
            self.out.segments = gs.out.segments.clone();
        } else {
            for gs in &self.gateways {
                self.out.clearance.merge(&gs.out.clearance);
                self.out.end_to_end.merge(&gs.out.end_to_end);
                self.out.exit.merge(&gs.out.exit);
                for (a, b) in self.out.segments.iter_mut().zip(&gs.out.segments) {
                    a.merge(b);
                }
            }
        }
        self.out.delivered_after_warmup = delivered_total;
        let n = delivered_total.max(1) as f64;
        self.out.labour_total = labour;
        // Per-parcel means of the replication (their spread across replications gives the CI).
        for k in 0..6 {
            self.out.cost[k] = Tally::new();
            self.out.cost[k].record(self.sums[k] / n);
        }
        self.out.duty.record(self.sums[6] / n);
        self.out.vat.record(self.sums[7] / n);
        self.out.observed_h = observed;
        self.out.in_system =
            self.out.created - self.out.delivered - self.out.seized - self.out.oversize_refused;
        let live = (self.parcels.len() - self.free.len()) as u64;
        // Parcels in customs at the horizon, from the slots: arrived, not out of customs, and
        // not freed. A slot is free when its index is in `free`.
        let mut is_free = vec![false; self.parcels.len()];
        for &p in &self.free {
            is_free[p as usize] = true;
        }
        for (q, _) in self.parcels.iter().zip(&is_free).filter(|(_, f)| !**f) {
            if q.goods_here && !q.released {
                self.gateways[q.gateway as usize].out.in_customs_at_end += 1;
            }
        }
        for g in &mut self.gateways {
            g.out.in_customs_at_end += g.released_beyond;
        }
        for lane in &mut self.lanes {
            lane.out.in_transit_at_end = u64::from(lane.in_transit);
        }
        self.out.held = live + self.beyond_horizon;
        self.out.returns.open = self.out.returning;
        for (l, lane) in self.lanes.iter().enumerate() {
            if matches!(w.lanes[l].to, Node::Hub(_)) {
                self.out.returns.cost += lane.out.fixed_cost;
            }
        }
        let mut slots = std::mem::take(&mut self.parcels);
        slots.clear();
        SLOTS.set(slots);
        self.out.hubs = std::mem::take(&mut self.hub_out);
        self.out.lanes = self.lanes.into_iter().map(|l| l.out).collect();
        self.out.gateways = self.gateways.into_iter().map(|g| g.out).collect();
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_run_keeps_at_most_backlog_points_snapshots() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/world-small.toml");
        let sets = ["run.demand_multiplier=0.02".parse().unwrap()];
        let mut sc = Scenario::load(&path, &sets).unwrap();
        let world = sc.world.clone().unwrap();
        let stages = backlog_stages(&world).len();
        assert_eq!(backlog_every_h(Some(2000.0)), 1.0);
        assert_eq!(backlog_every_h(None), 1.0);
        assert_eq!(backlog_every_h(Some(2001.0)), 2.0);
        sc.run.horizon_h = Some(5000.0);
        let r = simulate_world(&sc, &world, 0);
        let hours: Vec<u32> = r.backlog.iter().map(|b| b.0).collect();
        assert_eq!(hours.len() % stages, 0);
        let snapshots = hours.len() / stages;
        assert!(
            snapshots as f64 <= BACKLOG_POINTS + 1.0,
            "{snapshots} snapshots"
        );
        assert!(hours.iter().all(|h| h % 3 == 0), "every 3 h for 5,000 h");
        assert_eq!(hours.last(), Some(&4998));
    }

    #[test]
    fn memory_does_not_grow_with_the_horizon() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/world-small.toml");
        let mut sc = Scenario::load(&path, &[]).unwrap();
        let world = sc.world.clone().unwrap();
        let mut in_flight = Vec::new();
        for horizon in [336.0, 1e308, 1e12] {
            sc.run.horizon_h = Some(horizon);
            let mut observer = ();
            let mut sim = Sim::new(&sc, &world, 0, &mut observer);
            sim.start();
            // The first 60 h of the run: the same parcels whatever the horizon.
            while sim.cal.peek_time().is_some_and(|t| t <= 60.0) {
                let (now, ev) = sim.cal.pop().unwrap();
                sim.dispatch(now, ev);
            }
            in_flight.push((sim.out.created, sim.parcels.len(), sim.rate_cache.len()));
        }
        assert!(in_flight[0].0 > 40_000, "{in_flight:?}");
        assert!(
            in_flight.windows(2).all(|w| w[0] == w[1]),
            "parcels and memory after 60 h, by horizon: {in_flight:?}"
        );
    }
}
