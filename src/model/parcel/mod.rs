//! The parcel world: orders on platforms, first mile, origin hub, bags, export, timetabled
//! line-haul, import customs in Time Release Study segments, duty and VAT, last mile.
//!
//! ```text
//! order ─▶ first mile ─▶ sort ─▶ bag ─▶ export ─▶ departure ══ transit ══▶ arrival
//!   arrival ─▶ lodgement ─▶ assessment (automated, or paper desk ⟲ rework) ─▶ [doc check]
//!           ─▶ [X-ray ─▶ physical ─▶ seizure] ─▶ [payment] ─▶ release ─▶ exit ─▶ last mile
//! pre-arrival: lodgement and assessment run during transit; goods steps wait for arrival.
//! 1210 bonded: order ─▶ release check ─▶ last mile from the bonded warehouse.
//! ```
//!
//! Every random attribute of a parcel (value, weight, mode, trusted seller, channel, risk and
//! the draws that decide mismatch, physical inspection and seizure) is drawn from its platform's
//! stream when the parcel is ordered, so two scenarios with the same platforms and seed see the
//! same parcels: paired comparisons isolate the effect of the process.

use crossbeam_utils::CachePadded;
use rand::RngExt;

use crate::engine::batch::BatchPush;
use crate::engine::{
    Admission, Batcher, Calendar, Discipline, Station, Stream, StreamSeeder, Timetable,
};
use crate::scenario::Scenario;
mod figures;

pub use figures::{GatewayFigures, HubFigures, LaneFigures, ReturnFigures};

use crate::scenario::network::Node;
use crate::scenario::parcel::{Channel, Mode, ParcelWorld, StationSpec, VatCollection};
use crate::stats::{BatchSeries, Tally, TallyHist};

/// The customs and hub resources, by index.
pub const STATION_NAMES: [&str; 5] = ["sort", "paper_desk", "doc_check", "xray", "physical"];
const SORT: usize = 0;
const PAPER: usize = 1;
const DOC: usize = 2;
const XRAY: usize = 3;
const PHYS: usize = 4;

/// The stations of a world, in the order of [`ParcelReplication::stations`]: each hub's sort,
/// then each gateway's paper desk, documentary check, X-ray and physical inspection, named
/// by [`ParcelWorld::qualified`] (a one-chain world gives [`STATION_NAMES`]).
pub fn station_names(w: &ParcelWorld) -> Vec<String> {
    let mut out: Vec<String> = (0..w.hubs.len())
        .map(|h| w.qualified(Node::Hub(h), "sort"))
        .collect();
    for g in 0..w.gateways.len() {
        for s in &STATION_NAMES[1..] {
            out.push(w.qualified(Node::Gateway(g), s));
        }
    }
    out
}

/// Where parcels can be waiting in a world, in the order of the backlog's stage index: per
/// hub sort and bagging, per outbound lane waiting and in transit, per gateway its stations
/// and awaiting arrival (a one-chain world gives [`BACKLOG_STAGES`]).
pub fn backlog_stages(w: &ParcelWorld) -> Vec<String> {
    if w.hubs.len() == 1 && w.lanes.len() == 1 && w.gateways.len() == 1 {
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

/// Time Release Study segments of import clearance, in order; they add up to arrival → release.
pub const TRS_SEGMENTS: [&str; 5] = [
    "lodgement",
    "assessment",
    "documentary_check",
    "inspection",
    "payment",
];

/// Where parcels can be waiting, for the backlog over time.
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

#[derive(Clone, Copy, Debug)]
enum Event {
    Order { platform: u32 },
    FirstMileDone { p: u32 },
    ServiceEnd { station: u32, p: u32 },
    CapacityChange { station: u32 },
    BagTimeout { generation: u64 },
    Departure,
    Arrival { group: u32 },
    Lodged { p: u32 },
    Assessed { p: u32 },
    ReworkDone { p: u32 },
    MatchDone { p: u32 },
    BondedReleased { p: u32 },
    Snapshot,
    WarmupEnd,
}

/// A parcel in flight: its attributes and the TRS milestones it has reached.
#[derive(Clone, Copy, Debug)]
struct Parcel {
    ordered: f64,
    entered: f64,
    export_done: f64,
    arrived: f64,
    lodged: f64,
    assessed: f64,
    doc_done: f64,
    inspected: f64,
    paid: f64,
    weight: f64,
    duty: f64,
    vat: f64,
    u_mismatch: f64,
    u_physical: f64,
    u_seize: f64,
    cost: [f64; 6],
    mode: Mode,
    channel: Channel,
    /// 0 green, 1 yellow, 2 red.
    risk: u8,
    docs_ready: bool,
    goods_here: bool,
    matched: bool,
}

struct StationState {
    station: Station,
    spec: StationSpec,
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
    /// Per station in [`STATION_NAMES`] order: present in the scenario or not.
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
    /// Backlog every hour: (hour, stage index in [`BACKLOG_STAGES`], parcels waiting).
    pub backlog: Vec<(u32, u8, u32)>,
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

    /// A parcel of bag `bag` (bags numbered from 0 in the order they close; without a hub
    /// every parcel is a bag of its own), out of export clearance at `export_done`, boarded
    /// the departure leaving at `departure` [h].
    #[inline(always)]
    fn boarded(&mut self, _bag: u64, _export_done: f64, _departure: f64) {}

    /// A parcel released within the run leaves customs at `gate_out` and is delivered at
    /// `delivered` [h]; either may lie after the horizon.
    #[inline(always)]
    fn left(&mut self, _gate_out: f64, _delivered: f64) {}
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

struct Sim<'a, O: ParcelObserver> {
    observer: &'a mut O,
    w: &'a ParcelWorld,
    horizon: f64,
    warmup: f64,
    cal: Calendar<Event>,
    parcels: Vec<Parcel>,
    free: Vec<u32>,
    stations: Vec<Option<StationState>>,
    /// On cache lines of their own, like `attr_rngs`, so that no other thread's replication
    /// writes the same line (see the network model's `Sim::stages`).
    order_rngs: Vec<CachePadded<Stream>>,
    /// Per platform, the last hour whose order rate was looked up and that rate [1/h]: the
    /// rate is computed hour by hour as the clock goes, so memory does not grow with the
    /// horizon.
    rate_cache: Vec<(usize, f64)>,
    /// Orders are created up to this hour (the horizon rounded up; 0 without a horizon).
    order_limit_h: f64,
    attr_rngs: Vec<CachePadded<Stream>>,
    rng_first_mile: Stream,
    rng_export: Stream,
    rng_transit: Stream,
    rng_customs: Stream,
    rng_rework: Stream,
    rng_last_mile: Stream,
    bag: Batcher,
    timetable: Timetable,
    departure_scheduled: bool,
    /// Bags in export clearance or cleared and not yet in the boarding line, in the order they
    /// entered clearance: (`f64::to_bits` of the time they reach the gateway, bag's group).
    clearing: Vec<(u64, u32)>,
    /// The bags of `clearing` that reached the gateway by the departure being handled.
    at_gateway: Vec<(u64, u32)>,
    /// Per group used as a bag: (the bag's number, its load: parcels or kg).
    bag_info: Vec<(u64, f64)>,
    /// Bags closed so far (the next bag's number).
    bags_closed: u64,
    /// Parcels in the bags waiting in the timetable's boarding line.
    boarding_parcels: u32,
    /// Room for the bags boarding a departure.
    boarded_bags: Vec<u32>,
    /// Room for sorting `at_gateway`.
    sort_scratch: Vec<(u64, u32)>,
    /// TRS segments of 0 h (no documentary check, no inspection: most parcels) not yet added to
    /// `out.segments`, counted apart because that is cheaper.
    zero_segments: [u64; 5],
    /// Sums over parcels delivered after the warm-up: the six cost categories, duty, VAT.
    sums: [f64; 8],
    /// Groups of parcels that move together: a bag (from closing to boarding) or a departure's
    /// load (from boarding to arrival); indices into it are reused through `free_groups`.
    groups: Vec<Vec<u32>>,
    free_groups: Vec<u32>,
    in_transit: u32,
    awaiting_arrival: u32,
    out: ParcelReplication,
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

impl<'a, O: ParcelObserver> Sim<'a, O> {
    /// The state of replication `index` at time 0, before any event is scheduled.
    fn new(scenario: &Scenario, world: &'a ParcelWorld, index: u64, observer: &'a mut O) -> Self {
        let seeder = StreamSeeder::new(scenario.run.seed, index);
        let station_spec = |i: usize| -> Option<&StationSpec> {
            match i {
                SORT => world.hubs[0].sort.as_ref(),
                PAPER => world.gateways[0].import.paper_desk.as_ref(),
                DOC => world.gateways[0].import.doc_check.as_ref(),
                XRAY => world.gateways[0].import.xray.as_ref(),
                _ => world.gateways[0].import.physical.as_ref(),
            }
        };
        let stations = (0..5)
            .map(|i| {
                station_spec(i).map(|spec| StationState {
                    station: Station::new(
                        Discipline::Fifo,
                        spec.schedule.servers_at(0.0),
                        None,
                        0.0,
                    ),
                    spec: spec.clone(),
                    rng: seeder.stream(&format!("station:{}", STATION_NAMES[i])),
                    wait: TallyHist::new(),
                    zero_waits: 0,
                    services: 0,
                    closed_starts: 0,
                    on_duty: (0.0, 0.0, 0),
                })
            })
            .collect();
        let l = &world.lanes[0];
        Sim {
            observer,
            w: world,
            horizon: scenario.run.horizon_h.unwrap_or(f64::INFINITY),
            warmup: scenario.run.warmup_h,
            cal: Calendar::with_capacity(4096),
            parcels: Vec::new(),
            free: Vec::new(),
            stations,
            order_rngs: world
                .platforms
                .iter()
                .map(|p| CachePadded::new(seeder.stream(&format!("platform:{}:orders", p.name))))
                .collect(),
            rate_cache: world
                .platforms
                .iter()
                .map(|p| (0, p.rate_at(0.0)))
                .collect(),
            order_limit_h: scenario.run.horizon_h.unwrap_or(0.0).ceil(),
            attr_rngs: world
                .platforms
                .iter()
                .map(|p| CachePadded::new(seeder.stream(&format!("platform:{}:parcels", p.name))))
                .collect(),
            rng_first_mile: seeder.stream("first_mile"),
            rng_export: seeder.stream("export"),
            rng_transit: seeder.stream("linehaul:transit"),
            rng_customs: seeder.stream("import:times"),
            rng_rework: seeder.stream("import:paper_rework"),
            rng_last_mile: seeder.stream("last_mile"),
            bag: Batcher::new(world.hubs[0].bag_size),
            timetable: Timetable::new(
                l.period_h,
                l.offsets.clone(),
                l.capacity.parcels.or(l.capacity.kg).unwrap_or(1.0),
                l.cutoff_h,
            ),
            departure_scheduled: false,
            clearing: Vec::new(),
            at_gateway: Vec::new(),
            bag_info: Vec::new(),
            bags_closed: 0,
            boarding_parcels: 0,
            boarded_bags: Vec::new(),
            sort_scratch: Vec::new(),
            zero_segments: [0; 5],
            sums: [0.0; 8],
            groups: Vec::new(),
            free_groups: Vec::new(),
            in_transit: 0,
            awaiting_arrival: 0,
            out: ParcelReplication {
                index,
                created: 0,
                delivered: 0,
                in_system: 0,
                seized: 0,
                oversize_refused: 0,
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
        for i in 0..5 {
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
            Event::FirstMileDone { p } => self.at_hub(now, p),
            Event::ServiceEnd { station, p } => self.service_end(now, station as usize, p),
            Event::CapacityChange { station } => self.capacity_change(now, station as usize),
            Event::BagTimeout { generation } => {
                if self.bag.is_live(generation) {
                    self.release_bag(now);
                }
            }
            Event::Departure => self.departure(now),
            Event::Arrival { group } => self.arrival(now, group),
            Event::Lodged { p } => self.lodged(now, p),
            Event::Assessed { p } => self.assessed(now, p),
            Event::ReworkDone { p } => self.enter_station(now, PAPER, p),
            Event::MatchDone { p } => {
                self.parcels[p as usize].matched = true;
                self.after_assessment(now, p);
            }
            Event::BondedReleased { p } => {
                let q = &mut self.parcels[p as usize];
                q.lodged = now;
                q.assessed = now;
                q.doc_done = now;
                q.inspected = now;
                q.paid = now;
                self.release(now, p);
            }
            Event::Snapshot => self.snapshot(now),
            Event::WarmupEnd => self.end_warmup(now),
        }
    }

    /// The first order of platform `i` after `from` [h]: the non-homogeneous Poisson process of
    /// the platform's hourly rates, by inversion of its cumulative rate (one draw per order, no
    /// rejection). `None` when the next order would fall after the horizon.
    fn next_order_time(&mut self, from: f64, i: usize) -> Option<f64> {
        let u: f64 = self.order_rngs[i].random();
        let mut e = -(1.0 - u).ln();
        let mut t = from;
        loop {
            // t >= 0: truncation is the floor, without a call to libm's floor.
            let h = t as usize;
            if h as f64 >= self.order_limit_h {
                return None;
            }
            let r = match self.rate_cache[i] {
                (hour, r) if hour == h => r,
                _ => {
                    let r = self.w.platforms[i].rate_at(h as f64);
                    self.rate_cache[i] = (h, r);
                    r
                }
            };
            let end = (h + 1) as f64;
            let cap = r * (end - t);
            if e < cap {
                let at = t + e / r;
                return (at <= self.horizon).then_some(at);
            }
            e -= cap;
            t = end;
        }
    }

    /// Creates the orders of platform `i` from `now` up to an hour later in one event (orders
    /// are independent of the state of the network, so creating them in a batch changes no
    /// result and saves an event per parcel), then schedules the next batch.
    fn order_window(&mut self, now: f64, i: usize) {
        let end = now + 1.0;
        let mut t = now;
        loop {
            self.order(t, i);
            match self.next_order_time(t, i) {
                Some(next) if next < end => t = next,
                Some(next) => {
                    self.cal.schedule(next, Event::Order { platform: i as u32 });
                    return;
                }
                None => return,
            }
        }
    }

    fn order(&mut self, now: f64, i: usize) {
        let w = self.w;
        let pl = &w.platforms[i];
        let rng = &mut *self.attr_rngs[i];
        let value = pl.declared_value.sample(rng);
        let weight = pl.weight_kg.sample(rng);
        let u_mode: f64 = rng.random();
        let u_trusted: f64 = rng.random();
        let u_channel: f64 = rng.random();
        let u_risk: f64 = rng.random();
        let u_mismatch: f64 = rng.random();
        let u_physical: f64 = rng.random();
        let u_seize: f64 = rng.random();
        let u_annual: f64 = rng.random();
        let mode = match pl.mode_cum.iter().position(|&c| u_mode < c).unwrap_or(3) {
            0 => Mode::B2c9610,
            1 => Mode::B2b9710,
            2 => Mode::Warehouse9810,
            _ => Mode::Bonded1210,
        };
        let trusted = u_trusted < pl.trusted_share;
        let channel = match w.gateways[0]
            .import
            .channel_cum
            .iter()
            .position(|&c| u_channel < c)
            .unwrap_or(2)
        {
            0 => Channel::Paper,
            1 => Channel::Electronic,
            _ => Channel::PreArrival,
        };
        let (duty, vat, general_trade) = taxes(w, value, u_annual);
        let mut risk = risk_of(w, u_risk, trusted);
        if general_trade && risk == 0 {
            // Over-limit retail orders go to general trade: their documents are checked.
            risk = 1;
        }
        let parcel = Parcel {
            ordered: now,
            entered: now,
            export_done: now,
            arrived: now,
            lodged: now,
            assessed: now,
            doc_done: now,
            inspected: now,
            paid: now,
            weight,
            duty,
            vat,
            u_mismatch,
            u_physical,
            u_seize,
            cost: [0.0; 6],
            mode,
            channel,
            risk,
            docs_ready: false,
            goods_here: false,
            matched: false,
        };
        let p = match self.free.pop() {
            Some(p) => {
                self.parcels[p as usize] = parcel;
                p
            }
            None => {
                self.parcels.push(parcel);
                (self.parcels.len() - 1) as u32
            }
        };
        self.out.created += 1;
        if mode == Mode::Bonded1210 {
            // Bonded stock is already in the destination's bonded zone: the order is the arrival.
            let mut d = w.gateways[0]
                .rules
                .bonded_release
                .sample(&mut self.rng_customs);
            if w.gateways[0].rules.three_document_match
                && u_mismatch < w.gateways[0].rules.document_mismatch_rate
            {
                d += w.gateways[0]
                    .rules
                    .manual_match
                    .sample(&mut self.rng_customs);
            }
            self.charge_declaration(p);
            self.cal.schedule(now + d, Event::BondedReleased { p });
        } else {
            let d = w.hubs[0].first_mile.sample(&mut self.rng_first_mile);
            self.cal.schedule(now + d, Event::FirstMileDone { p });
        }
    }

    fn at_hub(&mut self, now: f64, p: u32) {
        if self.stations[SORT].is_some() {
            self.enter_station(now, SORT, p);
        } else {
            // No hub, no bags: the parcel clears export and boards on its own, a bag of one.
            let g = self.new_group();
            self.groups[g as usize].push(p);
            self.export(now, g);
        }
    }

    fn enter_station(&mut self, now: f64, s: usize, p: u32) {
        self.parcels[p as usize].entered = now;
        let st = self.stations[s]
            .as_mut()
            .expect("the scenario has this station");
        if st.station.arrive(now, p, 0) == Admission::Start {
            self.start_service(now, s, p);
        }
    }

    fn start_service(&mut self, now: f64, s: usize, p: u32) {
        let entered = self.parcels[p as usize].entered;
        let st = self.stations[s]
            .as_mut()
            .expect("the scenario has this station");
        // A wait counts when its service starts at or after the warm-up.
        if now >= self.warmup {
            let wait = now - entered;
            if wait == 0.0 {
                st.zero_waits += 1;
            } else {
                st.wait.record(wait);
            }
            st.services += 1;
        }
        let (from, until, servers) = st.on_duty;
        let servers = if from <= now && now < until {
            servers
        } else {
            let schedule = &st.spec.schedule;
            let servers = schedule.servers_at(now);
            // The schedule's boundaries are fuzzy by a nanosecond or so: stop 1e-6 h short.
            let until = schedule
                .next_change(now)
                .map_or(f64::INFINITY, |at| at - 1e-6);
            st.on_duty = (now, until, servers);
            servers
        };
        if servers == 0 {
            st.closed_starts += 1;
        }
        let d = st.spec.service.sample(&mut st.rng);
        self.cal.schedule(
            now + d,
            Event::ServiceEnd {
                station: s as u32,
                p,
            },
        );
    }

    fn service_end(&mut self, now: f64, s: usize, p: u32) {
        let st = self.stations[s]
            .as_mut()
            .expect("the scenario has this station");
        if let Some(next) = st.station.finish(now) {
            self.start_service(now, s, next.entity);
        }
        match s {
            SORT => self.bag_parcel(now, p),
            PAPER => {
                let u: f64 = self.rng_rework.random();
                if u < self.w.gateways[0].import.paper_error_rate {
                    // Sent back: corrected and resubmitted, handled (and paid for) again.
                    let d = self.w.gateways[0]
                        .import
                        .paper_rework
                        .sample(&mut self.rng_rework);
                    self.charge_paper(p);
                    self.cal.schedule(now + d, Event::ReworkDone { p });
                } else {
                    self.assessed(now, p);
                }
            }
            DOC => {
                self.parcels[p as usize].doc_done = now;
                self.docs_done(now, p);
            }
            XRAY => {
                let q = &self.parcels[p as usize];
                if q.u_physical < self.w.gateways[0].import.physical_share_of_red
                    && self.stations[PHYS].is_some()
                {
                    self.enter_station(now, PHYS, p);
                } else {
                    self.parcels[p as usize].inspected = now;
                    self.payment(now, p);
                }
            }
            _ => {
                let q = &mut self.parcels[p as usize];
                q.inspected = now;
                q.cost[2] += self.w.gateways[0].costs.physical;
                if q.u_seize < self.w.gateways[0].import.seizure_rate {
                    self.out.seized += 1;
                    self.free.push(p);
                } else {
                    self.payment(now, p);
                }
            }
        }
    }

    fn capacity_change(&mut self, now: f64, s: usize) {
        let Some(st) = self.stations[s].as_mut() else {
            return;
        };
        let servers = st.spec.schedule.servers_at(now);
        let next = st.spec.schedule.next_change(now);
        st.station.set_capacity(now, servers);
        while let Some(w) = self.stations[s]
            .as_mut()
            .and_then(|st| st.station.start_next(now))
        {
            self.start_service(now, s, w.entity);
        }
        if let Some(at) = next {
            self.cal
                .schedule(at, Event::CapacityChange { station: s as u32 });
        }
    }

    fn bag_parcel(&mut self, now: f64, p: u32) {
        match self.bag.push(now, p) {
            BatchPush::Full => self.release_bag(now),
            BatchPush::Opened { generation } => {
                if let Some(t) = self.w.hubs[0].bag_timeout_h {
                    self.cal.schedule(now + t, Event::BagTimeout { generation });
                }
            }
            BatchPush::Added => {}
        }
    }

    /// A group of parcels from the pool, empty.
    fn new_group(&mut self) -> u32 {
        self.free_groups.pop().unwrap_or_else(|| {
            self.groups.push(Vec::new());
            self.bag_info.push((0, 0.0));
            (self.groups.len() - 1) as u32
        })
    }

    /// Returns group `g`, emptied, to the pool.
    fn free_group(&mut self, g: u32) {
        self.groups[g as usize].clear();
        self.free_groups.push(g);
    }

    /// The open bag closes: its parcels become one group that clears export and boards as one.
    fn release_bag(&mut self, now: f64) {
        let g = self.new_group();
        let mut members = std::mem::take(&mut self.groups[g as usize]);
        self.bag.take(&mut members);
        self.groups[g as usize] = members;
        self.export(now, g);
    }

    /// Export clearance of bag `g` (one draw for the bag: its declaration is cleared as one) is
    /// a pure delay: the time the bag reaches the gateway is known now. It waits in `clearing`
    /// and joins the boarding line, in the order of that time, just before the next departure:
    /// the same order as one event per bag would give. A bag heavier than a whole departure's
    /// capacity could never board: it is refused at the gateway when it gets there.
    fn export(&mut self, now: f64, g: u32) {
        let ready = now + self.w.hubs[0].export_clearance.sample(&mut self.rng_export);
        let kg = self.w.lanes[0].capacity.kg.is_some();
        let mut load = 0.0;
        for &p in &self.groups[g as usize] {
            let q = &mut self.parcels[p as usize];
            q.export_done = ready;
            load += if kg { q.weight } else { 1.0 };
        }
        self.bag_info[g as usize] = (self.bags_closed, load);
        self.bags_closed += 1;
        if !self.timetable.fits(load) {
            // Refused when it reaches the gateway, if that is within the run; otherwise it is
            // still in export clearance at the horizon (in the system). Either way nothing
            // more happens to its parcels.
            let n = self.groups[g as usize].len() as u64;
            if ready <= self.horizon {
                self.out.oversize_refused += n;
            }
            self.free.extend_from_slice(&self.groups[g as usize]);
            self.free_group(g);
            return;
        }
        self.clearing.push((ready.to_bits(), g));
        if !self.departure_scheduled {
            self.departure_scheduled = true;
            let at = self.timetable.next_departure(ready);
            self.cal.schedule(at, Event::Departure);
        }
    }

    /// Moves the bags that reached the gateway by `now` into the boarding line, in order, and
    /// returns when the first of those still in export clearance will reach it.
    ///
    /// Called once a departure, it sorts only what reached the gateway since the last one, by a
    /// radix sort: a fifth of the instructions of as many pops of a binary heap. The sort is
    /// stable, so bags reaching the gateway at the same time keep the order in which they
    /// entered clearance.
    fn reach_gateway(&mut self, now: f64) -> Option<f64> {
        let now_bits = now.to_bits();
        let mut next = u64::MAX;
        let mut kept = 0;
        for i in 0..self.clearing.len() {
            let entry = self.clearing[i];
            // Times are non-negative, so their bits order like the times.
            if entry.0 <= now_bits {
                self.at_gateway.push(entry);
            } else {
                next = next.min(entry.0);
                self.clearing[kept] = entry;
                kept += 1;
            }
        }
        self.clearing.truncate(kept);
        sort_by_time(&mut self.at_gateway, &mut self.sort_scratch);
        for &(bits, g) in &self.at_gateway {
            let load = self.bag_info[g as usize].1;
            self.timetable.push(f64::from_bits(bits), g, load);
            self.boarding_parcels += self.groups[g as usize].len() as u32;
        }
        self.at_gateway.clear();
        (kept > 0).then(|| f64::from_bits(next))
    }

    /// Parcels at the gateway after export clearance and not yet departed: the bags in the
    /// boarding line and those in `clearing` that have reached the gateway by `now`.
    fn at_gateway_parcels(&self, now: f64) -> u32 {
        let now_bits = now.to_bits();
        let cleared: usize = self
            .clearing
            .iter()
            .filter(|&&(bits, _)| bits <= now_bits)
            .map(|&(_, g)| self.groups[g as usize].len())
            .sum();
        self.boarding_parcels + cleared as u32
    }

    fn departure(&mut self, now: f64) {
        let next_ready = self.reach_gateway(now);
        let mut bags = std::mem::take(&mut self.boarded_bags);
        let load = self.timetable.board(now, &mut bags);
        let fill = load / self.timetable.capacity();
        if fill > self.out.max_departure_fill {
            self.out.max_departure_fill = fill;
        }
        let group = self.new_group();
        let mut members = std::mem::take(&mut self.groups[group as usize]);
        let cutoff = now - self.w.lanes[0].cutoff_h;
        for &b in &bags {
            let bag = self.bag_info[b as usize].0;
            let parcels = std::mem::take(&mut self.groups[b as usize]);
            self.boarding_parcels -= parcels.len() as u32;
            for &p in &parcels {
                let w = self.w;
                let q = &mut self.parcels[p as usize];
                if q.export_done > cutoff + 1e-9 {
                    self.out.cutoff_violations += 1;
                }
                q.cost[5] += q.weight * w.lanes[0].cost_per_kg;
                self.observer.boarded(bag, q.export_done, now);
                if q.channel == Channel::PreArrival {
                    self.lodge_electronic(now, p);
                }
            }
            members.extend_from_slice(&parcels);
            self.groups[b as usize] = parcels;
            self.free_group(b);
        }
        bags.clear();
        self.boarded_bags = bags;
        self.in_transit += members.len() as u32;
        if self.timetable.waiting() > 0 || next_ready.is_some() {
            let from = if self.timetable.waiting() > 0 {
                now
            } else {
                next_ready.unwrap_or(now).max(now)
            };
            let at = self.timetable.next_departure(from + 1e-6);
            self.cal.schedule(at, Event::Departure);
        } else {
            self.departure_scheduled = false;
        }
        let empty = members.is_empty();
        self.groups[group as usize] = members;
        if empty {
            self.free_group(group);
        } else {
            let t = self.w.lanes[0].transit.sample(&mut self.rng_transit);
            self.cal.schedule(now + t, Event::Arrival { group });
        }
    }

    fn arrival(&mut self, now: f64, group: u32) {
        let members = std::mem::take(&mut self.groups[group as usize]);
        self.in_transit -= members.len() as u32;
        for &p in &members {
            let w = self.w;
            let q = &mut self.parcels[p as usize];
            q.arrived = now;
            q.goods_here = true;
            match q.channel {
                Channel::Paper => {
                    let d = w.gateways[0]
                        .import
                        .paper_lodgement
                        .sample(&mut self.rng_customs);
                    self.cal.schedule(now + d, Event::Lodged { p });
                }
                Channel::Electronic => self.lodge_electronic(now, p),
                Channel::PreArrival => {
                    if q.docs_ready {
                        self.awaiting_arrival -= 1;
                        self.goods_steps(now, p);
                    }
                }
            }
        }
        self.groups[group as usize] = members;
        self.free_group(group);
    }

    fn charge_declaration(&mut self, p: u32) {
        let c = &self.w.gateways[0].costs;
        let bagged = self.parcels[p as usize].mode != Mode::Bonded1210;
        let per_bag = if self.w.gateways[0].rules.list_release && bagged {
            self.w.hubs[0].bag_size as f64
        } else {
            1.0
        };
        // List release with consolidated declaration: one declaration per bag.
        self.parcels[p as usize].cost[0] += (c.declaration_fee + c.brokerage_fee) / per_bag;
    }

    fn charge_paper(&mut self, p: u32) {
        let c = &self.w.gateways[0].costs;
        self.parcels[p as usize].cost[1] +=
            c.paper_per_document * c.documents_per_paper_declaration;
    }

    fn lodged(&mut self, now: f64, p: u32) {
        self.parcels[p as usize].lodged = now;
        self.charge_declaration(p);
        if self.parcels[p as usize].channel == Channel::Paper {
            self.charge_paper(p);
            self.enter_station(now, PAPER, p);
        } else {
            let d = self.w.gateways[0]
                .import
                .assessment
                .sample(&mut self.rng_customs);
            self.cal.schedule(now + d, Event::Assessed { p });
        }
    }

    /// Lodgement followed by automated assessment, both pure delays: one event at the end of
    /// the assessment, with the lodgement time recorded on the way. Pre-arrival declarations
    /// are lodged counting from departure.
    fn lodge_electronic(&mut self, now: f64, p: u32) {
        let w = self.w;
        let lodgement = match self.parcels[p as usize].channel {
            Channel::PreArrival => &w.gateways[0].import.pre_arrival_lodgement,
            _ => &w.gateways[0].import.electronic_lodgement,
        };
        let lodged = now + lodgement.sample(&mut self.rng_customs);
        let assessed = lodged
            + w.gateways[0]
                .import
                .assessment
                .sample(&mut self.rng_customs);
        self.parcels[p as usize].lodged = lodged;
        self.charge_declaration(p);
        // An electronic declaration whose goods are here and whose risk channel needs no
        // station goes on through pure delays only (assessment, match, payment): its release
        // time is known now and needs no event. Anything that queues at a station keeps the
        // event, so that stations see arrivals in time order.
        let q = &self.parcels[p as usize];
        let needs_station = (q.risk == 1 && self.stations[DOC].is_some())
            || (q.risk == 2 && self.stations[XRAY].is_some());
        let mismatch = w.gateways[0].rules.three_document_match
            && matches!(q.mode, Mode::B2c9610 | Mode::Bonded1210)
            && q.u_mismatch < w.gateways[0].rules.document_mismatch_rate;
        if q.goods_here && !needs_station && !mismatch {
            self.assessed(assessed, p);
        } else {
            self.cal.schedule(assessed, Event::Assessed { p });
        }
    }

    fn assessed(&mut self, now: f64, p: u32) {
        self.parcels[p as usize].assessed = now;
        self.after_assessment(now, p);
    }

    fn after_assessment(&mut self, now: f64, p: u32) {
        let w = self.w;
        let q = &self.parcels[p as usize];
        let cbec = matches!(q.mode, Mode::B2c9610 | Mode::Bonded1210);
        if w.gateways[0].rules.three_document_match
            && cbec
            && !q.matched
            && q.u_mismatch < w.gateways[0].rules.document_mismatch_rate
        {
            let d = w.gateways[0]
                .rules
                .manual_match
                .sample(&mut self.rng_customs);
            self.cal.schedule(now + d, Event::MatchDone { p });
            return;
        }
        if q.risk == 1 && self.stations[DOC].is_some() {
            self.parcels[p as usize].cost[2] += w.gateways[0].costs.doc_check;
            self.enter_station(now, DOC, p);
        } else {
            self.parcels[p as usize].doc_done = now;
            self.docs_done(now, p);
        }
    }

    fn docs_done(&mut self, now: f64, p: u32) {
        let q = &mut self.parcels[p as usize];
        q.docs_ready = true;
        if q.goods_here {
            self.goods_steps(now, p);
        } else {
            self.awaiting_arrival += 1;
        }
    }

    fn goods_steps(&mut self, now: f64, p: u32) {
        let q = &mut self.parcels[p as usize];
        if q.risk == 2 && self.stations[XRAY].is_some() {
            q.cost[2] += self.w.gateways[0].costs.xray;
            self.enter_station(now, XRAY, p);
        } else {
            q.inspected = now;
            self.payment(now, p);
        }
    }

    fn payment(&mut self, now: f64, p: u32) {
        let q = &self.parcels[p as usize];
        // Collected at sale (IOSS-style), VAT and duty are paid with the order: nothing is due
        // at the border. Otherwise both are paid before release.
        let due = match self.w.gateways[0].regime.vat_collection {
            VatCollection::Border => q.duty + q.vat,
            VatCollection::Sale => 0.0,
        };
        let paid = if due > 0.0 {
            now + self.w.gateways[0]
                .import
                .payment
                .sample(&mut self.rng_customs)
        } else {
            now
        };
        // Payment is a pure delay (no resource): the release time is known now, and the
        // parcel's books are closed without an event.
        self.parcels[p as usize].paid = paid;
        self.release(paid, p);
    }

    /// Releases parcel `p` at `now`, which may lie ahead of the clock when only pure delays led
    /// here; a release after the horizon did not happen within the run. Each figure counts the
    /// parcel by its own event (release, gate-out, delivery) at or after the warm-up, however
    /// early it is computed: that is why `end_warmup` resets none of these tallies.
    fn release(&mut self, now: f64, p: u32) {
        if now > self.horizon {
            self.free.push(p);
            return;
        }
        let after_warmup = now >= self.warmup;
        let q = &self.parcels[p as usize];
        // TRS milestones, each clamped to follow the previous one: work done before arrival
        // (pre-arrival lodgement and assessment) counts as zero time after arrival.
        let mut prev = q.arrived;
        let mut segments = [0.0; 5];
        let milestones = [q.lodged, q.assessed, q.doc_done, q.inspected, q.paid];
        for (k, m) in milestones.iter().enumerate() {
            let m = m.max(prev);
            segments[k] = m - prev;
            prev = m;
        }
        self.observer.released(q.arrived, segments, now);
        self.out.series.record(now - q.arrived, now);
        if after_warmup {
            for (k, &seg) in segments.iter().enumerate() {
                if seg == 0.0 {
                    self.zero_segments[k] += 1;
                } else {
                    self.out.segments[k].record(seg);
                }
            }
            self.out.clearance.record(now - q.arrived);
        }
        // Exit (gate-out) and last mile are pure delays with no resource: the delivery time is
        // known now, so the parcel's books are closed here and no event is needed. A parcel
        // whose delivery falls after the horizon is counted as still in the system.
        let w = self.w;
        let exit = w.gateways[0].import.exit.sample(&mut self.rng_customs);
        let q = &mut self.parcels[p as usize];
        let gate_out = now + exit;
        let days = (gate_out - q.arrived) / 24.0;
        q.cost[3] += (days - w.gateways[0].costs.free_storage_days).max(0.0)
            * w.gateways[0].costs.storage_per_day;
        // Exit counts by its own event, gate-out, in the observation window.
        if gate_out >= self.warmup && gate_out <= self.horizon {
            self.out.exit.record(exit);
        }
        let last = if q.mode == Mode::Bonded1210 {
            &w.gateways[0].bonded_last_mile
        } else {
            &w.gateways[0].last_mile
        };
        let delivered_at = gate_out + last.sample(&mut self.rng_last_mile);
        self.observer.left(gate_out, delivered_at);
        if delivered_at <= self.horizon {
            self.delivered(delivered_at, p);
        } else {
            self.free.push(p);
        }
    }

    fn delivered(&mut self, at: f64, p: u32) {
        let q = &self.parcels[p as usize];
        self.out.delivered += 1;
        if at >= self.warmup {
            self.out.delivered_after_warmup += 1;
            self.out.end_to_end.record(at - q.ordered);
            for (k, c) in q.cost.iter().enumerate() {
                if k != 4 {
                    self.sums[k] += *c;
                }
            }
            self.sums[6] += q.duty;
            self.sums[7] += q.vat;
        }
        self.free.push(p);
    }

    fn snapshot(&mut self, now: f64) {
        let hour = now.round() as u32;
        let q = |s: &Option<StationState>| s.as_ref().map_or(0, |s| s.station.queue_len() as u32);
        let counts = [
            q(&self.stations[SORT]),
            self.bag.len() as u32,
            self.at_gateway_parcels(now),
            self.in_transit,
            q(&self.stations[PAPER]),
            q(&self.stations[DOC]),
            q(&self.stations[XRAY]),
            q(&self.stations[PHYS]),
            self.awaiting_arrival,
        ];
        for (k, n) in counts.into_iter().enumerate() {
            self.out.backlog.push((hour, k as u8, n));
        }
        if now + 1.0 <= self.horizon {
            self.cal.schedule(now + 1.0, Event::Snapshot);
        }
    }

    /// Only the time averages (utilisation, queue length, servers) restart here. Every count
    /// and duration is kept from the start by its own event's time (release, gate-out,
    /// delivery, service start), which may be computed before the warm-up ends: resetting
    /// those would throw away parcels whose event lies after it.
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
        for (segment, &zeros) in self.out.segments.iter_mut().zip(&self.zero_segments) {
            segment.record_n(0.0, zeros);
        }
        let mut labour = 0.0;
        self.out.stations = self
            .stations
            .into_iter()
            .map(|s| {
                s.map(|mut st| {
                    st.wait.record_n(0.0, st.zero_waits);
                    labour += st.station.capacity_tw.area(end) * st.spec.labour_per_hour;
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
        let n = self.out.delivered_after_warmup.max(1) as f64;
        self.out.labour_total = labour;
        // Per-parcel means of the replication (their spread across replications gives the CI).
        self.sums[4] = labour;
        for k in 0..6 {
            self.out.cost[k] = Tally::new();
            self.out.cost[k].record(self.sums[k] / n);
        }
        self.out.duty.record(self.sums[6] / n);
        self.out.vat.record(self.sums[7] / n);
        self.out.observed_h = observed;
        self.out.in_system =
            self.out.created - self.out.delivered - self.out.seized - self.out.oversize_refused;
        self.out
    }
}

/// Sorts `(f64::to_bits(time), parcel)` pairs by time, keeping the order of equal times, with
/// `scratch` as room: a least-significant-digit radix sort over the bits in which the keys
/// differ, 12 bits a pass (4 passes for times spread over a few hours of a run's first weeks).
/// The times must be non-negative, so that their bits order like them.
fn sort_by_time(entries: &mut Vec<(u64, u32)>, scratch: &mut Vec<(u64, u32)>) {
    const BITS: u32 = 12;
    const MASK: u64 = (1 << BITS) - 1;
    if entries.len() < 256 {
        entries.sort_by_key(|&(bits, _)| bits);
        return;
    }
    let (min, max) = entries.iter().fold((u64::MAX, 0), |(lo, hi), &(bits, _)| {
        (lo.min(bits), hi.max(bits))
    });
    let span_bits = u64::BITS - (max - min).leading_zeros();
    scratch.clear();
    scratch.resize(entries.len(), (0, 0));
    let mut counts = [0u32; 1 << BITS];
    for shift in (0..span_bits).step_by(BITS as usize) {
        counts.fill(0);
        for &(bits, _) in entries.iter() {
            counts[((bits - min) >> shift & MASK) as usize] += 1;
        }
        let mut start = 0;
        for c in counts.iter_mut() {
            (*c, start) = (start, start + *c);
        }
        for &entry in entries.iter() {
            let digit = ((entry.0 - min) >> shift & MASK) as usize;
            scratch[counts[digit] as usize] = entry;
            counts[digit] += 1;
        }
        std::mem::swap(entries, scratch);
    }
}

/// Duty, VAT and whether the order leaves the retail regime for general trade.
fn taxes(w: &ParcelWorld, value: f64, u_annual: f64) -> (f64, f64, bool) {
    let r = &w.gateways[0].regime;
    if let Some(cr) = &r.china_retail {
        let over = value > cr.order_limit || u_annual < cr.annual_limit_exceeded_share;
        if over {
            let duty = value * r.duty_rate;
            return (duty, (value + duty) * r.vat_rate, true);
        }
        // Retail rate: (CT + VAT)/(1 − CT) × 70%, duty 0 (Caiguanshui [2016] 18).
        let ct = cr.consumption_tax_rate;
        let combined = (ct + r.vat_rate) / (1.0 - ct) * cr.tax_share;
        return (0.0, value * combined, false);
    }
    let duty = if r.de_minimis_duty.is_some_and(|d| value <= d) {
        0.0
    } else {
        r.flat_duty_per_item.unwrap_or(value * r.duty_rate)
    };
    let vat = if r.de_minimis_vat.is_some_and(|d| value <= d) {
        0.0
    } else {
        (value + duty) * r.vat_rate
    };
    (duty, vat, false)
}

/// Risk channel from a uniform draw; trusted sellers' yellow and red shares are reduced.
fn risk_of(w: &ParcelWorld, u: f64, trusted: bool) -> u8 {
    let [green, yellow, red] = w.gateways[0].import.risk;
    let (y, r) = (yellow - green, red - yellow);
    let f = if trusted {
        w.gateways[0].rules.trusted_inspection_factor
    } else {
        1.0
    };
    let (y, r) = (y * f, r * f);
    if u < r {
        2
    } else if u < r + y {
        1
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

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
            in_flight.push((
                sim.out.created,
                sim.parcels.capacity(),
                sim.rate_cache.len(),
            ));
        }
        assert!(in_flight[0].0 > 40_000, "{in_flight:?}");
        assert!(
            in_flight.windows(2).all(|w| w[0] == w[1]),
            "parcels and memory after 60 h, by horizon: {in_flight:?}"
        );
    }

    #[test]
    fn sort_by_time_is_a_stable_sort_by_time() {
        let mut rng = Stream::seed_from_u64(5);
        for (n, spread_h) in [(10, 8.0), (300, 0.5), (5_000, 8.0), (20_000, 4000.0)] {
            // Whole multiples of 2^-10 h, so that many times are equal.
            let times: Vec<f64> = (0..n)
                .map(|_| (rng.random::<f64>() * spread_h * 1024.0).floor() / 1024.0 + 100.0)
                .collect();
            let mut entries: Vec<(u64, u32)> = times
                .iter()
                .enumerate()
                .map(|(i, t)| (t.to_bits(), i as u32))
                .collect();
            let mut expected = entries.clone();
            expected.sort_by_key(|&(bits, _)| bits);
            sort_by_time(&mut entries, &mut Vec::new());
            assert_eq!(entries, expected, "{n} times over {spread_h} h");
        }
    }
}
