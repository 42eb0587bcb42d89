//! One replication of the plain queueing network: the event loop over its sources and stages.
//!
//! Events are plain `Copy` data dispatched by `match`; entities live in a `Vec` arena reused
//! through a free list; statistics are updated in place and reset at the end of the warm-up.
//! Memory grows with the entities in flight, never with the number simulated.

use crossbeam_utils::CachePadded;
use rand::RngExt;

use crate::engine::batch::BatchPush;
use crate::engine::{Admission, Batcher, Calendar, Dist, Station, Stream, StreamSeeder, Timetable};
use crate::scenario::{Routing, Scenario, StageKind, Target};
use crate::stats::{BatchSeries, TallyHist, TimeWeighted};

/// Something that happened; the payload names the source, stage and entity concerned.
#[derive(Clone, Copy, Debug)]
enum Event {
    /// A source's next arrival.
    Arrival { source: u32 },
    /// A queue stage finished serving an entity.
    ServiceEnd { stage: u32, entity: u32 },
    /// An entity's delay at a delay stage is over.
    DelayEnd { stage: u32, entity: u32 },
    /// A queue stage's number of servers changes (shift calendar).
    CapacityChange { stage: u32 },
    /// An incomplete batch's time-out.
    BatchTimeout { stage: u32, generation: u64 },
    /// A timetabled departure leaves.
    Departure { stage: u32 },
    /// A departure's load reaches the next stage.
    TransitEnd { stage: u32, group: u32 },
    /// The warm-up is over: statistics start afresh.
    WarmupEnd,
}

/// An entity in flight (a customer, a parcel).
#[derive(Clone, Copy, Debug, Default)]
struct Entity {
    /// When it was created [h].
    born: f64,
    /// When it entered its current stage [h].
    entered: f64,
    /// Priority class.
    priority: u8,
}

/// Per-stage state: the kind's machinery and its books.
struct StageState {
    machine: Machine,
    routing: Routing,
    route_rng: Stream,
    time_rng: Stream,
    books: StageBooks,
}

enum Machine {
    Queue {
        station: Station,
        service: Dist,
    },
    Delay {
        delay: Dist,
    },
    Batch {
        batcher: Batcher,
        timeout_h: Option<f64>,
    },
    Departures {
        timetable: Timetable,
        transit: Dist,
        scheduled: bool,
    },
}

/// Running statistics of one stage.
struct StageBooks {
    arrivals: u64,
    completed: u64,
    blocked: u64,
    wait: TallyHist,
    time_in_stage: TallyHist,
    in_stage: TimeWeighted,
    /// Waiting entities for stages without a station (batch, departures).
    waiting: TimeWeighted,
}

impl StageBooks {
    fn new() -> Self {
        StageBooks {
            arrivals: 0,
            completed: 0,
            blocked: 0,
            wait: TallyHist::new(),
            time_in_stage: TallyHist::new(),
            in_stage: TimeWeighted::new(0.0, 0.0),
            waiting: TimeWeighted::new(0.0, 0.0),
        }
    }

    fn reset(&mut self, now: f64) {
        self.arrivals = 0;
        self.completed = 0;
        self.blocked = 0;
        self.wait.reset();
        self.time_in_stage.reset();
        self.in_stage.reset(now);
        self.waiting.reset(now);
    }
}

/// What one stage did in one replication (after the warm-up).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct StageReplication {
    /// Entities that entered the stage.
    pub arrivals: u64,
    /// Entities that left the stage.
    pub completed: u64,
    /// Entities turned away by a full waiting room.
    pub blocked: u64,
    /// Time from entering the stage to the start of service (queue), to the batch's release
    /// (batch) or to boarding (departures) [h].
    pub wait: TallyHist,
    /// Time from entering to leaving the stage [h].
    pub time_in_stage: TallyHist,
    /// Busy server-hours over available server-hours (queue stages only).
    pub utilization: Option<f64>,
    /// Time-average number waiting.
    pub queue_length: f64,
    /// Largest number waiting.
    pub queue_max: f64,
    /// Time-average number in the stage (waiting or in service), for Little's law.
    pub in_stage: f64,
    /// Time-average servers on duty (queue stages only).
    pub servers: Option<f64>,
}

/// What one replication produced.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct QueueingReplication {
    /// Replication index.
    pub index: u64,
    /// Entities created over the whole run (warm-up included).
    pub created: u64,
    /// Entities that left the network.
    pub delivered: u64,
    /// Entities still in the network at the end.
    pub in_system: u64,
    /// Entities turned away (blocked by a full waiting room).
    pub seized: u64,
    /// Simulated time at the end [h].
    pub end_h: f64,
    /// Length of the observation window after the warm-up [h].
    pub observed_h: f64,
    /// Events processed.
    pub events: u64,
    /// When the clock stopped advancing, if it did: the replication was ended there, after
    /// more steps at one instant than the entities in flight can explain (see [`MAX_STEPS_AT_ONE_INSTANT`]).
    #[serde(default)]
    pub stalled_at_h: Option<f64>,
    /// Time in the network of entities that left after the warm-up [h].
    pub time_in_system: TallyHist,
    /// Time in the network of every entity that left, warm-up included, in batches over time:
    /// what `--warmup auto` reads.
    pub series: BatchSeries,
    /// Per stage, in scenario order.
    pub stages: Vec<StageReplication>,
}

/// Steps (events, and entity moves within an event) one instant may take beyond
/// `STEPS_PER_ENTITY_AND_STAGE` per entity in flight and stage: more means the clock has
/// stopped (a zero-time loop, or times so large that adding a gap no longer changes them), and
/// the replication is ended rather than left to run for ever.
pub const MAX_STEPS_AT_ONE_INSTANT: u64 = 1_000_000;

/// Moves one entity may make at one instant per stage before the clock counts as stopped: an
/// entity can cross each zero-time stage once, and validation refuses zero-time cycles.
const STEPS_PER_ENTITY_AND_STAGE: u64 = 64;

/// What happened to an entity, for opt-in per-entity traces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Created by a source.
    Created,
    /// Entered a stage.
    Entered,
    /// Its wait ended: service started, the batch was released, or it boarded a departure.
    Started,
    /// Left a stage.
    Left,
    /// Turned away by a full waiting room.
    Blocked,
    /// Left the network.
    Exited,
}

/// Receives every step of every entity. The unit type `()` ignores them and costs nothing:
/// the event loop is compiled once per observer type.
pub trait Observer {
    /// Entity `entity` took `step` at time `t` [h], at stage `stage` (if any).
    fn step(&mut self, t: f64, entity: u32, stage: Option<usize>, step: Step);
}

impl Observer for () {
    #[inline(always)]
    fn step(&mut self, _: f64, _: u32, _: Option<usize>, _: Step) {}
}

impl<F: FnMut(f64, u32, Option<usize>, Step)> Observer for F {
    fn step(&mut self, t: f64, entity: u32, stage: Option<usize>, step: Step) {
        self(t, entity, stage, step)
    }
}

/// The state of one replication.
struct Sim<'a, O: Observer> {
    observer: &'a mut O,
    scenario: &'a Scenario,
    calendar: Calendar<Event>,
    entities: Vec<Entity>,
    free: Vec<u32>,
    /// Each on cache lines of its own, as are `source_rngs`: written at every event, these
    /// small blocks can otherwise share a line with another thread's replication (glibc
    /// hands a new thread blocks freed from the spawning thread's heap), and replications
    /// on two threads then run ~15% slower than alone.
    stages: Vec<CachePadded<StageState>>,
    source_rngs: Vec<CachePadded<Stream>>,
    groups: Vec<Vec<u32>>,
    free_groups: Vec<u32>,
    scratch: Vec<u32>,
    /// Entities leaving a stage at this instant, last first: (stage, entity, released by a
    /// batch). An explicit stack instead of recursion, so that chains of batches (a batch of 1
    /// routed to itself) cannot overflow the call stack; popped in the order recursion would
    /// have taken.
    pending: Vec<(u32, u32, bool)>,
    /// The instant being simulated, steps taken at it and the most allowed.
    instant: f64,
    steps_at_instant: u64,
    max_steps_at_instant: u64,
    stalled_at_h: Option<f64>,
    created: u64,
    delivered: u64,
    seized: u64,
    alive: u64,
    active_sources: usize,
    system: TallyHist,
    warmup_h: f64,
    /// `run.demand_multiplier`: times between arrivals are divided by it.
    demand: f64,
    series: BatchSeries,
}

/// Runs replication `index` of `scenario` and returns its books.
pub fn simulate(scenario: &Scenario, index: u64) -> QueueingReplication {
    simulate_observed(scenario, index, &mut ())
}

/// Like [`simulate`], telling `observer` every step of every entity (entity indices are reused
/// once an entity has left).
pub fn simulate_observed<O: Observer>(
    scenario: &Scenario,
    index: u64,
    observer: &mut O,
) -> QueueingReplication {
    let seeder = StreamSeeder::new(scenario.run.seed, index);
    let stages = scenario
        .stages
        .iter()
        .map(|st| {
            let machine = match &st.kind {
                StageKind::Queue {
                    schedule,
                    discipline,
                    queue_limit,
                    service,
                } => Machine::Queue {
                    station: Station::new(*discipline, schedule.servers_at(0.0), *queue_limit, 0.0),
                    service: service.clone(),
                },
                StageKind::Delay { delay } => Machine::Delay {
                    delay: delay.clone(),
                },
                StageKind::Batch { size, timeout_h } => Machine::Batch {
                    batcher: Batcher::new(*size),
                    timeout_h: *timeout_h,
                },
                StageKind::Departures {
                    period_h,
                    offsets,
                    capacity,
                    cutoff_h,
                    transit,
                } => Machine::Departures {
                    timetable: Timetable::new(
                        *period_h,
                        offsets.clone(),
                        [*capacity as f64, f64::INFINITY, f64::INFINITY],
                        *cutoff_h,
                    ),
                    transit: transit.clone(),
                    scheduled: false,
                },
            };
            CachePadded::new(StageState {
                machine,
                routing: st.routing.clone(),
                route_rng: seeder.stream(&format!("stage:{}:route", st.name)),
                time_rng: seeder.stream(&format!("stage:{}:time", st.name)),
                books: StageBooks::new(),
            })
        })
        .collect();
    let mut sim = Sim {
        observer,
        scenario,
        calendar: Calendar::with_capacity(1024),
        entities: Vec::new(),
        free: Vec::new(),
        stages,
        source_rngs: scenario
            .sources
            .iter()
            .map(|s| CachePadded::new(seeder.stream(&format!("source:{}", s.name))))
            .collect(),
        groups: Vec::new(),
        free_groups: Vec::new(),
        scratch: Vec::new(),
        pending: Vec::new(),
        instant: f64::NEG_INFINITY,
        steps_at_instant: 0,
        max_steps_at_instant: MAX_STEPS_AT_ONE_INSTANT,
        stalled_at_h: None,
        created: 0,
        delivered: 0,
        seized: 0,
        alive: 0,
        active_sources: scenario.sources.len(),
        system: TallyHist::new(),
        series: BatchSeries::new(),
        warmup_h: scenario.run.warmup_h,
        demand: scenario.run.demand_multiplier,
    };
    sim.start();
    let (end_h, events) = sim.run();
    sim.finish(index, end_h, events)
}

impl<O: Observer> Sim<'_, O> {
    fn start(&mut self) {
        for (i, src) in self.scenario.sources.iter().enumerate() {
            let first = src.interarrival.sample(&mut *self.source_rngs[i]) / self.demand;
            self.calendar
                .schedule(first, Event::Arrival { source: i as u32 });
        }
        for (i, st) in self.scenario.stages.iter().enumerate() {
            if let StageKind::Queue { schedule, .. } = &st.kind
                && let Some(at) = schedule.next_change(0.0)
            {
                self.calendar
                    .schedule(at, Event::CapacityChange { stage: i as u32 });
            }
        }
        if self.warmup_h > 0.0 {
            self.calendar.schedule(self.warmup_h, Event::WarmupEnd);
        }
    }

    /// The event loop; returns the end time and the number of events processed.
    fn run(&mut self) -> (f64, u64) {
        let horizon = self.scenario.run.horizon_h.unwrap_or(f64::INFINITY);
        let mut events = 0u64;
        let mut now = 0.0;
        loop {
            if self.active_sources == 0 && self.alive == 0 {
                break;
            }
            match self.calendar.peek_time() {
                Some(t) if t <= horizon => {}
                Some(_) => {
                    now = horizon;
                    break;
                }
                None => break,
            }
            let Some((t, event)) = self.calendar.pop() else {
                break;
            };
            now = t;
            events += 1;
            if !self.step_at(t) {
                break;
            }
            self.dispatch(t, event);
            if !self.pending.is_empty() {
                self.drain(t);
            }
            if self.stalled_at_h.is_some() {
                break;
            }
        }
        (now, events)
    }

    /// Counts one step at `now`; false (and the replication marked stalled) once the instant
    /// has taken more steps than its entities in flight can explain.
    #[inline]
    fn step_at(&mut self, now: f64) -> bool {
        if now > self.instant {
            self.instant = now;
            self.steps_at_instant = 0;
            let stages = self.stages.len() as u64 + 1;
            self.max_steps_at_instant = MAX_STEPS_AT_ONE_INSTANT.saturating_add(
                STEPS_PER_ENTITY_AND_STAGE
                    .saturating_mul(stages)
                    .saturating_mul(self.alive + 1),
            );
        }
        self.steps_at_instant += 1;
        if self.steps_at_instant > self.max_steps_at_instant {
            self.stalled_at_h = Some(now);
            self.pending.clear();
            return false;
        }
        true
    }

    /// Moves on the entities leaving stages at `now`, depth first, as recursion would.
    fn drain(&mut self, now: f64) {
        while let Some((s, e, released)) = self.pending.pop() {
            if !self.step_at(now) {
                return;
            }
            let s = s as usize;
            if released {
                let entered = self.entities[e as usize].entered;
                self.stages[s].books.wait.record(now - entered);
                self.observer.step(now, e, Some(s), Step::Started);
            }
            self.leave(now, s, e);
        }
    }

    #[inline]
    fn dispatch(&mut self, now: f64, event: Event) {
        match event {
            Event::Arrival { source } => self.arrival(now, source as usize),
            Event::ServiceEnd { stage, entity } => {
                let s = stage as usize;
                if let Machine::Queue { station, .. } = &mut self.stages[s].machine
                    && let Some(next) = station.finish(now)
                {
                    self.start_service(now, s, next.entity, next.since);
                }
                self.leave(now, s, entity);
            }
            Event::DelayEnd { stage, entity } => self.leave(now, stage as usize, entity),
            Event::CapacityChange { stage } => self.capacity_change(now, stage as usize),
            Event::BatchTimeout { stage, generation } => {
                let s = stage as usize;
                if let Machine::Batch { batcher, .. } = &mut self.stages[s].machine
                    && batcher.is_live(generation)
                {
                    self.release_batch(now, s);
                }
            }
            Event::Departure { stage } => self.departure(now, stage as usize),
            Event::TransitEnd { stage, group } => {
                let mut members = std::mem::take(&mut self.groups[group as usize]);
                self.pending
                    .extend(members.iter().rev().map(|&e| (stage, e, false)));
                members.clear();
                self.groups[group as usize] = members;
                self.free_groups.push(group);
            }
            Event::WarmupEnd => self.end_warmup(now),
        }
    }

    fn arrival(&mut self, now: f64, i: usize) {
        let src = &self.scenario.sources[i];
        if self
            .scenario
            .run
            .arrivals
            .is_some_and(|limit| self.created >= limit)
        {
            self.active_sources -= 1;
            return;
        }
        let entity = self.new_entity(now, src.priority);
        self.created += 1;
        self.observer.step(now, entity, None, Step::Created);
        let gap = src.interarrival.sample(&mut *self.source_rngs[i]) / self.demand;
        self.calendar
            .schedule(now + gap, Event::Arrival { source: i as u32 });
        self.goto(now, src.target, entity);
    }

    #[inline]
    fn new_entity(&mut self, now: f64, priority: u8) -> u32 {
        self.alive += 1;
        let e = Entity {
            born: now,
            entered: now,
            priority,
        };
        match self.free.pop() {
            Some(id) => {
                self.entities[id as usize] = e;
                id
            }
            None => {
                self.entities.push(e);
                (self.entities.len() - 1) as u32
            }
        }
    }

    #[inline]
    fn goto(&mut self, now: f64, target: Target, entity: u32) {
        match target {
            Target::Stage(s) => self.enter(now, s, entity),
            Target::Exit => {
                self.observer.step(now, entity, None, Step::Exited);
                let born = self.entities[entity as usize].born;
                self.system.record(now - born);
                self.series.record(now - born, now);
                self.delivered += 1;
                self.alive -= 1;
                self.free.push(entity);
            }
        }
    }

    #[inline]
    fn enter(&mut self, now: f64, s: usize, entity: u32) {
        let priority = {
            let e = &mut self.entities[entity as usize];
            e.entered = now;
            e.priority
        };
        self.observer.step(now, entity, Some(s), Step::Entered);
        let st = &mut *self.stages[s];
        st.books.arrivals += 1;
        st.books.in_stage.add(now, 1.0);
        match &mut st.machine {
            Machine::Queue { station, .. } => match station.arrive(now, entity, priority) {
                Admission::Start => self.start_service(now, s, entity, now),
                Admission::Queued => {}
                Admission::Blocked => {
                    self.observer.step(now, entity, Some(s), Step::Blocked);
                    st.books.blocked += 1;
                    st.books.in_stage.add(now, -1.0);
                    self.seized += 1;
                    self.alive -= 1;
                    self.free.push(entity);
                }
            },
            Machine::Delay { delay } => {
                self.observer.step(now, entity, Some(s), Step::Started);
                let d = delay.sample(&mut st.time_rng);
                st.books.wait.record(0.0);
                self.calendar.schedule(
                    now + d,
                    Event::DelayEnd {
                        stage: s as u32,
                        entity,
                    },
                );
            }
            Machine::Batch { batcher, timeout_h } => {
                st.books.waiting.add(now, 1.0);
                match batcher.push(now, entity) {
                    BatchPush::Full => self.release_batch(now, s),
                    BatchPush::Opened { generation } => {
                        if let Some(t) = timeout_h {
                            self.calendar.schedule(
                                now + *t,
                                Event::BatchTimeout {
                                    stage: s as u32,
                                    generation,
                                },
                            );
                        }
                    }
                    BatchPush::Added => {}
                }
            }
            Machine::Departures {
                timetable,
                scheduled,
                ..
            } => {
                st.books.waiting.add(now, 1.0);
                timetable.push(now, entity, [1.0, 0.0, 0.0]);
                if !*scheduled {
                    *scheduled = true;
                    let at = timetable.next_departure(now);
                    self.calendar
                        .schedule(at, Event::Departure { stage: s as u32 });
                }
            }
        }
    }

    #[inline]
    fn start_service(&mut self, now: f64, s: usize, entity: u32, since: f64) {
        self.observer.step(now, entity, Some(s), Step::Started);
        let st = &mut *self.stages[s];
        st.books.wait.record(now - since);
        if let Machine::Queue { service, .. } = &st.machine {
            let d = service.sample(&mut st.time_rng);
            self.calendar.schedule(
                now + d,
                Event::ServiceEnd {
                    stage: s as u32,
                    entity,
                },
            );
        }
    }

    #[inline]
    fn leave(&mut self, now: f64, s: usize, entity: u32) {
        self.observer.step(now, entity, Some(s), Step::Left);
        let entered = self.entities[entity as usize].entered;
        let st = &mut *self.stages[s];
        st.books.time_in_stage.record(now - entered);
        st.books.in_stage.add(now, -1.0);
        st.books.completed += 1;
        let target = if st.routing.is_deterministic() {
            st.routing.choices[0].0
        } else {
            let u: f64 = st.route_rng.random();
            st.routing.pick(u)
        };
        self.goto(now, target, entity);
    }

    fn capacity_change(&mut self, now: f64, s: usize) {
        let StageKind::Queue { schedule, .. } = &self.scenario.stages[s].kind else {
            return;
        };
        let servers = schedule.servers_at(now);
        let next_change = schedule.next_change(now);
        if let Machine::Queue { station, .. } = &mut self.stages[s].machine {
            station.set_capacity(now, servers);
        }
        loop {
            let next = match &mut self.stages[s].machine {
                Machine::Queue { station, .. } => station.start_next(now),
                _ => None,
            };
            let Some(w) = next else { break };
            self.start_service(now, s, w.entity, w.since);
        }
        if let Some(at) = next_change {
            self.calendar
                .schedule(at, Event::CapacityChange { stage: s as u32 });
        }
    }

    fn release_batch(&mut self, now: f64, s: usize) {
        let mut out = std::mem::take(&mut self.scratch);
        if let Machine::Batch { batcher, .. } = &mut self.stages[s].machine {
            batcher.take(&mut out);
        }
        let books = &mut self.stages[s].books;
        books.waiting.add(now, -(out.len() as f64));
        // Moved on by `drain`, first member first.
        self.pending
            .extend(out.iter().rev().map(|&e| (s as u32, e, true)));
        out.clear();
        self.scratch = out;
    }

    fn departure(&mut self, now: f64, s: usize) {
        let group = match self.free_groups.pop() {
            Some(g) => g,
            None => {
                self.groups.push(Vec::new());
                (self.groups.len() - 1) as u32
            }
        };
        let mut members = std::mem::take(&mut self.groups[group as usize]);
        let st = &mut *self.stages[s];
        let Machine::Departures {
            timetable,
            transit,
            scheduled,
        } = &mut st.machine
        else {
            return;
        };
        timetable.board(now, &mut members);
        st.books.waiting.add(now, -(members.len() as f64));
        for &e in &members {
            st.books
                .wait
                .record(now - self.entities[e as usize].entered);
        }
        if timetable.waiting() > 0 {
            let at = timetable.next_departure(now + 1e-6);
            self.calendar
                .schedule(at, Event::Departure { stage: s as u32 });
        } else {
            *scheduled = false;
        }
        if members.is_empty() {
            self.groups[group as usize] = members;
            self.free_groups.push(group);
        } else {
            let t = transit.sample(&mut st.time_rng);
            self.groups[group as usize] = members;
            self.calendar.schedule(
                now + t,
                Event::TransitEnd {
                    stage: s as u32,
                    group,
                },
            );
        }
    }

    fn end_warmup(&mut self, now: f64) {
        self.system.reset();
        for st in &mut self.stages {
            st.books.reset(now);
            if let Machine::Queue { station, .. } = &mut st.machine {
                station.reset_stats(now);
            }
        }
    }

    fn finish(self, index: u64, end_h: f64, events: u64) -> QueueingReplication {
        let observed_h = (end_h - self.warmup_h).max(0.0);
        let stages = self
            .stages
            .into_iter()
            .map(|st| {
                let st = CachePadded::into_inner(st);
                let b = st.books;
                let (utilization, queue_length, queue_max, servers) = match &st.machine {
                    Machine::Queue { station, .. } => (
                        Some(station.utilization(end_h)),
                        station.queue_tw.mean(end_h),
                        station.queue_tw.max(),
                        Some(station.capacity_tw.mean(end_h)),
                    ),
                    _ => (None, b.waiting.mean(end_h), b.waiting.max(), None),
                };
                StageReplication {
                    arrivals: b.arrivals,
                    completed: b.completed,
                    blocked: b.blocked,
                    wait: b.wait,
                    time_in_stage: b.time_in_stage,
                    utilization,
                    queue_length,
                    queue_max,
                    in_stage: b.in_stage.mean(end_h),
                    servers,
                }
            })
            .collect();
        QueueingReplication {
            index,
            created: self.created,
            delivered: self.delivered,
            in_system: self.alive,
            seized: self.seized,
            end_h,
            observed_h,
            events,
            stalled_at_h: self.stalled_at_h,
            time_in_system: self.system,
            series: self.series,
            stages,
        }
    }
}
