//! The work and memory budget: estimates what a job will cost before it runs, and refuses one that would not fit.
//!
//! The estimate is a mean-value one, from the scenario's offered loads: parcels created
//! (arrival rate × horizon, peak days included, or `run.arrivals`), events (parcels × events per
//! parcel), parcels in flight (Little's law, L = λ·W, with λ the busiest day's rate and W the mean
//! sojourn including pure delays such as transit and last mile, plus the backlog an overloaded
//! stage piles up by the horizon), memory (parcels in flight on every worker thread, tables sized
//! by the horizon, the per-replication results kept for the summary) and output rows. It is meant
//! to be right within a small factor, which is what a budget needs: a job 10× over it would take
//! hours or exhaust memory.

use std::fmt;

use crate::engine::Dist;
use crate::scenario::network::Node;
use crate::scenario::parcel::ParcelWorld;
use crate::scenario::{Scenario, StageKind};

/// What a job may cost before it is refused.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Budget {
    /// Most simulation events over the whole job.
    pub max_events: f64,
    /// Most memory the job may hold at once [bytes].
    pub max_memory_bytes: f64,
}

/// Events a default budget allows: about an hour of work on two cores at the measured rates
/// (~15 million events per second and core for plain networks, ~2 million for parcel worlds,
/// whose events do more), so a default refusal means "hours", never "seconds".
pub const DEFAULT_MAX_EVENTS: f64 = 5e10;

/// Memory a default budget allows: 8 GiB, a third of the 24 GiB machine clearsim is developed
/// on, leaving room for the system and a second job.
pub const DEFAULT_MAX_MEMORY_BYTES: f64 = 8.0 * GIB;

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

impl Default for Budget {
    /// [`DEFAULT_MAX_EVENTS`] and [`DEFAULT_MAX_MEMORY_BYTES`].
    fn default() -> Self {
        Budget {
            max_events: DEFAULT_MAX_EVENTS,
            max_memory_bytes: DEFAULT_MAX_MEMORY_BYTES,
        }
    }
}

/// How a job runs the scenario: how many times and on how many threads.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct JobShape {
    /// Replications of every point (the most, with `--precision`).
    pub replications: u64,
    /// Runs of the whole scenario: 1 for `run`, the grid's points for `sweep`, the multipliers
    /// tried for `stress`.
    pub runs: u64,
    /// Worker threads (0: all cores).
    pub threads: usize,
}

/// What a job is expected to cost.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkEstimate {
    /// Entities (parcels) created in one replication.
    pub parcels_per_replication: f64,
    /// Simulation events of the whole job.
    pub events: f64,
    /// Entities in flight at once in one replication (mean over the busiest day, plus backlog).
    pub in_flight: f64,
    /// Memory held at once [bytes].
    pub memory_bytes: f64,
    /// Of that, what the process and the simulations in progress hold (parcels in flight and
    /// the tables of a replication on every worker thread) [bytes]; the rest is results and
    /// output kept to the end.
    pub working_bytes: f64,
    /// Rows of the tables written (backlog.csv or runs.csv).
    pub output_rows: f64,
    /// The largest share of the memory, said in words (e.g. "backlog table: 1.2e9 rows").
    pub largest: String,
}

/// A job over budget: the estimate and what raises the budget.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub struct BudgetError {
    /// The estimate that did not fit.
    pub estimate: WorkEstimate,
    /// The budget it exceeded.
    pub budget: Budget,
}

impl fmt::Display for BudgetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (e, b) = (&self.estimate, &self.budget);
        let mut first = true;
        if !within(e.events, b.max_events) {
            write!(
                f,
                "this job would process about {} events ({} parcels per replication), more than the budget of {}; lower the replications, the horizon or the demand, or raise the budget with --max-events N",
                sci(e.events),
                sci(e.parcels_per_replication),
                sci(b.max_events)
            )?;
            first = false;
        }
        if !within(e.memory_bytes, b.max_memory_bytes) {
            if !first {
                write!(f, "; and ")?;
            }
            write!(
                f,
                "this job would hold about {} GiB in memory ({}; about {} parcels in flight per replication), more than the budget of {} GiB; lower the horizon, the replications, the threads or the demand, or raise the budget with --max-memory GIB",
                gib(e.memory_bytes),
                e.largest,
                sci(e.in_flight),
                gib(b.max_memory_bytes)
            )?;
        }
        Ok(())
    }
}

/// True when `x` is at most `max` (a NaN estimate is not).
fn within(x: f64, max: f64) -> bool {
    x <= max
}

fn sci(x: f64) -> String {
    if !x.is_finite() {
        "more than 1e308".to_string()
    } else if x < 1e6 {
        format!("{x:.0}")
    } else {
        format!("{x:.2e}")
    }
}

fn gib(bytes: f64) -> String {
    let g = bytes / GIB;
    if g.is_finite() && g < 1e4 {
        format!("{g:.1}")
    } else {
        format!("{g:.2e}")
    }
}

/// Memory of one entity of a plain network in flight: the entity, its calendar entry and its
/// place in a queue or batch, with the vectors' slack [bytes].
const NETWORK_ENTITY_BYTES: f64 = 128.0;
/// Memory per parcel in flight of a parcel world [bytes], calibrated so that the estimate lies
/// within ±30% of the measured peak resident memory of every shipped scenario (one replication,
/// one thread, `/usr/bin/time -v`; docs/experiments.md gives the table). It is less than a
/// parcel record (128 bytes) plus its calendar entry and queue place because parcels in a pure
/// delay (transit, last mile) share their records' pools with the parcels that went before.
const PARCEL_BYTES: f64 = 107.0;
/// Memory of the process before any replication: the binary, the scenario, the thread pool and
/// the allocator's own tables [bytes] (measured: 8 MiB for a tiny run, of which the estimate
/// counts 3 MiB apart from the per-parcel figure above).
const PROCESS_BYTES: f64 = 3.0 * 1024.0 * 1024.0;
/// Memory of one histogram of a replication's results (7,041 buckets of 8 bytes).
const HISTOGRAM_BYTES: f64 = 7041.0 * 8.0;
/// Histograms of a parcel world's replication result (clearance, end to end, exit, segments,
/// stations) [a generous count].
const WORLD_HISTOGRAMS: f64 = 16.0;
/// Events per parcel of a parcel world (measured ~3.1 on tests/fixtures/world-small.toml).
const WORLD_EVENTS_PER_PARCEL: f64 = 4.0;
/// Memory of one row of backlog.csv while it is built and written (the row and its text).
const BACKLOG_ROW_BYTES: f64 = 64.0;
/// Memory of one point's summary of a sweep, and of its rows of runs.csv [bytes].
const SWEEP_POINT_BYTES: f64 = 64.0 * 1024.0;
const RUNS_ROW_BYTES: f64 = 512.0;

/// The work of `shape` runs of `scenario` (for a sweep, pass each point's scenario with
/// `runs: 1` and [`WorkEstimate::followed_by`] them).
pub fn estimate(scenario: &Scenario, shape: &JobShape) -> WorkEstimate {
    let reps = shape.replications.max(1) as f64;
    let runs = shape.runs.max(1) as f64;
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let threads = (if shape.threads == 0 {
        cores
    } else {
        shape.threads
    }) as f64;
    let concurrent = threads.min(reps);
    let one = match &scenario.world {
        Some(world) => world_replication(scenario, world),
        None => network_replication(scenario),
    };
    let results = reps * one.result_bytes;
    let working = PROCESS_BYTES + concurrent * (one.in_flight * one.entity_bytes + one.fixed_bytes);
    let rows = reps * one.rows_per_replication;
    let output = rows * BACKLOG_ROW_BYTES;
    let parts = [
        (working, one.fixed_what.clone()),
        (results, format!("results of {reps} replications")),
        (output, format!("backlog table: {} rows", sci(rows))),
    ];
    let largest = parts
        .iter()
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|p| p.1.clone())
        .unwrap_or_default();
    WorkEstimate {
        parcels_per_replication: one.parcels,
        events: one.events * reps * runs,
        in_flight: one.in_flight,
        memory_bytes: working + results + output,
        working_bytes: working,
        output_rows: rows * runs,
        largest,
    }
}

impl WorkEstimate {
    /// The estimate of the sides of a comparison: each worker simulates replication i of every
    /// side in turn, so the simulations hold the largest side's working memory at once, while
    /// every side's results are kept to the end; events and rows add up.
    pub fn side_by_side(sides: Vec<WorkEstimate>) -> Option<WorkEstimate> {
        let working = sides.iter().map(|e| e.working_bytes).fold(0.0, f64::max);
        let kept: f64 = sides.iter().map(|e| e.memory_bytes - e.working_bytes).sum();
        let mut all = sides.into_iter().reduce(|x, y| x.followed_by(y))?;
        all.working_bytes = working;
        all.memory_bytes = working + kept;
        Some(all)
    }

    /// The estimate of two parts of a job run one after the other (the points of a sweep):
    /// events and rows add up, memory is the larger of the two.
    pub fn followed_by(self, other: WorkEstimate) -> WorkEstimate {
        let (big, small) = if other.memory_bytes > self.memory_bytes {
            (other, self)
        } else {
            (self, other)
        };
        WorkEstimate {
            parcels_per_replication: big
                .parcels_per_replication
                .max(small.parcels_per_replication),
            events: big.events + small.events,
            in_flight: big.in_flight.max(small.in_flight),
            output_rows: big.output_rows + small.output_rows,
            ..big
        }
    }

    /// The estimate of a sweep of `points` points with `replications` each, whose
    /// every point's estimate is folded into `self`: adds the rows of runs.csv and the
    /// summaries kept for every point.
    pub fn with_sweep_tables(mut self, points: u64, replications: u64) -> WorkEstimate {
        let rows = points as f64 * replications as f64;
        let bytes = points as f64 * SWEEP_POINT_BYTES + rows * RUNS_ROW_BYTES;
        self.output_rows += rows;
        if bytes > self.memory_bytes {
            self.largest = format!(
                "summaries of {points} points and {} rows of runs.csv",
                sci(rows)
            );
        }
        self.memory_bytes += bytes;
        self
    }
}

impl WorkEstimate {
    /// The part of the job that one shard does, `share` (0 to 1) of its units: that share of
    /// the events and rows. Memory is left as it is, a bound (a shard holds at most what the
    /// whole job would).
    pub fn share(mut self, share: f64) -> WorkEstimate {
        self.events *= share;
        self.output_rows *= share;
        self
    }
}

/// Refuses an estimate over `budget`, saying by how much and how to raise the budget. A NaN
/// estimate (from values too large to compute with) is refused too.
pub fn check(estimate: &WorkEstimate, budget: &Budget) -> Result<(), BudgetError> {
    let fits =
        estimate.events <= budget.max_events && estimate.memory_bytes <= budget.max_memory_bytes;
    if fits {
        Ok(())
    } else {
        Err(BudgetError {
            estimate: estimate.clone(),
            budget: *budget,
        })
    }
}

/// What one replication costs.
struct Replication {
    parcels: f64,
    events: f64,
    in_flight: f64,
    entity_bytes: f64,
    /// Memory sized by the horizon or the scenario, not by the parcels in flight.
    fixed_bytes: f64,
    fixed_what: String,
    result_bytes: f64,
    rows_per_replication: f64,
}

/// Mean time in a queue of load `rho` [h]: service plus an M/M/c-like wait, or while the queue
/// grows (ρ ≥ 1) nothing more: its backlog is counted apart.
fn queue_sojourn(service: &Dist, rho: f64) -> f64 {
    let s = service.mean();
    if rho < 1.0 {
        s / (1.0 - rho).max(0.01)
    } else {
        s
    }
}

/// Parcels an overloaded resource holds at the horizon: what arrives beyond its capacity.
fn backlog(rate: f64, rho: f64, horizon: f64) -> f64 {
    if rho > 1.0 {
        rate * (1.0 - 1.0 / rho) * horizon
    } else {
        0.0
    }
}

fn network_replication(scenario: &Scenario) -> Replication {
    let run = &scenario.run;
    let rate: f64 = scenario
        .sources
        .iter()
        .map(|s| run.demand_multiplier / s.interarrival.mean())
        .sum();
    let by_horizon = run.horizon_h.map_or(f64::INFINITY, |h| rate * h);
    let parcels = run
        .arrivals
        .map_or(by_horizon, |n| (n as f64).min(by_horizon));
    // Each arrival is an event; each visit to a stage about one more (service or delay end,
    // time-out, departure).
    let loads = scenario.offered_loads();
    let visits: f64 =
        loads.iter().map(|l| l.arrival_rate_per_h).sum::<f64>() / rate.max(f64::MIN_POSITIVE);
    let events = parcels * (1.0 + visits);
    let horizon = run
        .horizon_h
        .unwrap_or(parcels / rate.max(f64::MIN_POSITIVE));
    let mut in_flight = 0.0;
    let mut batch_bytes = 0.0;
    for (l, st) in loads.iter().zip(&scenario.stages) {
        let lambda = l.arrival_rate_per_h;
        let rho = l.load.unwrap_or(0.0);
        let (sojourn, held) = match &st.kind {
            StageKind::Queue { service, .. } => {
                (queue_sojourn(service, rho), backlog(lambda, rho, horizon))
            }
            StageKind::Delay { delay } => (delay.mean(), 0.0),
            StageKind::Batch { size, timeout_h } => {
                // Until batch.rs sizes its buffer by use, a batch allocates `size` slots up front.
                batch_bytes += *size as f64 * 4.0;
                let fill = *size as f64 / lambda.max(f64::MIN_POSITIVE);
                (timeout_h.map_or(fill, |t| t.min(fill)), 0.0)
            }
            StageKind::Departures {
                period_h,
                offsets,
                transit,
                ..
            } => (
                period_h / offsets.len().max(1) as f64 + transit.mean(),
                backlog(lambda, rho, horizon),
            ),
        };
        in_flight += lambda * sojourn + held;
    }
    let in_flight = in_flight.min(parcels);
    let histograms = 1.0 + 2.0 * scenario.stages.len() as f64;
    Replication {
        parcels,
        events,
        in_flight,
        entity_bytes: NETWORK_ENTITY_BYTES,
        fixed_bytes: batch_bytes,
        fixed_what: if batch_bytes > in_flight * NETWORK_ENTITY_BYTES {
            "batch buffers allocated at their full size".to_string()
        } else {
            "entities in flight".to_string()
        },
        result_bytes: histograms * HISTOGRAM_BYTES,
        rows_per_replication: 0.0,
    }
}

/// Bonded (1210) stock per hour at each gateway: it is released per order at the first gateway
/// of its market and skips lodgement, inspections and payment.
fn bonded_per_gateway(world: &ParcelWorld) -> Vec<f64> {
    let mut bonded = vec![0.0; world.gateways.len()];
    for p in &world.platforms {
        let share = p.mode_cum[3] - p.mode_cum[2];
        let mut prev = 0.0;
        for &(m, cum) in &p.market_cum {
            if let Some(g) = world.gateways.iter().position(|g| g.market == m) {
                bonded[g] += p.parcels_per_day / 24.0 * (cum - prev) * share;
            }
            prev = cum;
        }
    }
    bonded
}

fn world_replication(scenario: &Scenario, world: &ParcelWorld) -> Replication {
    let horizon = scenario.run.horizon_h.unwrap_or(0.0);
    let days = horizon / 24.0;
    let mut parcels = 0.0;
    let mut busiest_per_h = 0.0;
    for p in &world.platforms {
        // Hourly and weekly profiles have mean 1; peak days add (peak − 1) × that weekday.
        let extra: f64 = p
            .peak_days
            .range(..days.ceil().min(u32::MAX as f64) as u32)
            .map(|(d, m)| (m - 1.0) * p.weekly[(*d % 7) as usize])
            .sum();
        parcels += p.parcels_per_day * (days + extra);
        let week = p.weekly.iter().copied().fold(0.0, f64::max);
        let peak = p.peak_days.values().copied().fold(1.0, f64::max);
        busiest_per_h += p.parcels_per_day / 24.0 * week * peak;
    }
    // Mean time a parcel spends in the network [h], pure delays included.
    let loads = world.offered_loads();
    let rho = |name: &str| {
        loads
            .iter()
            .find(|l| l.name == name)
            .map_or(0.0, |l| l.load)
    };
    let station = |name: &str, st: Option<&crate::scenario::parcel::StationSpec>| {
        st.map_or(0.0, |s| queue_sojourn(&s.service, rho(name)))
    };
    let direct: f64 = world
        .platforms
        .iter()
        .map(|p| p.parcels_per_day / 24.0)
        .sum();
    // Each node's mean time, weighted by the share of the parcels that pass it: the mean
    // time a parcel spends in the network.
    let flows = world.flows();
    let weight = |rate: f64| rate / direct.max(f64::MIN_POSITIVE);
    let mut sojourn = 0.0;
    for (h, hub) in world.hubs.iter().enumerate() {
        let bag_fill = hub.sort.as_ref().map_or(0.0, |_| {
            let fill = hub.bag_size as f64 / flows.hub[h].max(f64::MIN_POSITIVE);
            hub.bag_timeout_h.map_or(fill, |t| t.min(fill))
        });
        sojourn += weight(flows.hub[h])
            * (hub.first_mile.mean()
                + station(&world.qualified(Node::Hub(h), "sort"), hub.sort.as_ref())
                + bag_fill
                + hub.export_clearance.mean());
    }
    let lane_time = |l: &crate::scenario::network::Lane| {
        l.period_h / l.offsets.len().max(1) as f64 + l.transit.mean()
    };
    for (l, lane) in world.lanes.iter().enumerate() {
        sojourn += weight(flows.lane[l][0]) * lane_time(lane);
    }
    let bonded = bonded_per_gateway(world);
    for (g, gw) in world.gateways.iter().enumerate() {
        let i = &gw.import;
        let q = |s: &str| world.qualified(Node::Gateway(g), s);
        sojourn += weight(bonded[g])
            * (gw.rules.bonded_release.mean() + i.exit.mean() + gw.bonded_last_mile.mean());
        sojourn += weight((flows.gateway[g] - bonded[g]).max(0.0))
            * (i.paper_lodgement
                .mean()
                .max(i.electronic_lodgement.mean())
                .max(i.pre_arrival_lodgement.mean())
                + i.assessment.mean()
                + station(&q("paper_desk"), i.paper_desk.as_ref())
                + station(&q("doc_check"), i.doc_check.as_ref())
                + station(&q("xray"), i.xray.as_ref())
                + station(&q("physical"), i.physical.as_ref())
                + i.payment.mean()
                + i.exit.mean()
                + gw.last_mile.mean()
                + gw.depot_per_day
                    .map_or(0.0, |d| 24.0 / d.max(f64::MIN_POSITIVE)));
    }
    // Returns are held from delivery until they close: the slowest lane back, at most.
    let slowest_back = world
        .lanes
        .iter()
        .filter(|l| matches!(l.from, Node::Gateway(_)))
        .map(lane_time)
        .fold(0.0, f64::max);
    for p in &world.platforms {
        if let Some(r) = &p.returns {
            let path = match &r.path {
                crate::scenario::network::ReturnPath::Local { handling, .. } => handling.mean(),
                crate::scenario::network::ReturnPath::Origin { .. } => slowest_back,
            };
            sojourn += weight(p.parcels_per_day / 24.0) * r.share * (r.delay.mean() + path);
        }
    }
    let held: f64 = loads
        .iter()
        .map(|w| {
            // A lane's load may be in kg or m³: its backlog in parcels uses the lane's own
            // parcel rate (not the whole network's).
            let rate = match world.lanes.iter().position(|l| l.name == w.name) {
                Some(l) => flows.lane[l][0],
                None => w.arrival_rate_per_h,
            };
            backlog(rate, w.load, horizon)
        })
        .sum();
    // Parcels ordered in the busiest window as long as the sojourn: the busiest weekday's rate
    // throughout, plus the extra of the largest peak days that window can hold (a peak day
    // adds its extra for one day, not for the whole sojourn).
    let window_days = (sojourn / 24.0).ceil().max(1.0) as usize;
    let mut ordered_in_window = 0.0;
    for p in &world.platforms {
        let week = p.weekly.iter().copied().fold(0.0, f64::max);
        let mut extras: Vec<f64> = p.peak_days.values().map(|m| (m - 1.0).max(0.0)).collect();
        extras.sort_by(|a, b| b.total_cmp(a));
        let extra: f64 = extras.iter().take(window_days).sum();
        ordered_in_window += p.parcels_per_day * week * (sojourn / 24.0 + extra);
    }
    let in_flight = (ordered_in_window.min(busiest_per_h * sojourn) + held).min(parcels);
    let hours = horizon.ceil();
    let snapshots = (hours / crate::model::parcel::backlog_every_h(Some(horizon))).ceil() + 1.0;
    let rows = snapshots * crate::model::parcel::backlog_stages(world).len() as f64;
    // Hour-by-hour order rates of every platform, the backlog snapshots and the bag's buffer.
    let fixed_bytes = hours * world.platforms.len() as f64 * 8.0
        + rows * 12.0
        + world
            .hubs
            .iter()
            .map(|h| h.bag_size as f64 * 4.0 * world.lanes.len() as f64)
            .sum::<f64>();
    let fixed_what = if fixed_bytes > in_flight * PARCEL_BYTES {
        format!(
            "tables sized by the horizon of {} h and the bag size",
            sci(horizon)
        )
    } else {
        "parcels in flight".to_string()
    };
    Replication {
        parcels,
        events: parcels * WORLD_EVENTS_PER_PARCEL,
        in_flight,
        entity_bytes: PARCEL_BYTES,
        fixed_bytes,
        fixed_what,
        result_bytes: WORLD_HISTOGRAMS * HISTOGRAM_BYTES + rows * 12.0,
        rows_per_replication: rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Override;

    fn load(path: &str, sets: &[&str]) -> Scenario {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
        let overrides: Vec<Override> = sets.iter().map(|s| s.parse().expect("override")).collect();
        Scenario::load(&path, &overrides).expect("scenario loads")
    }

    /// Peak resident memory of one replication on one thread of every shipped scenario at its
    /// own demand and horizon [KiB], measured with `/usr/bin/time -v clearsim run FILE --reps 1
    /// --threads 1` (release build, Linux, glibc; 2026-12-08). Re-measure when the parcel
    /// record or the pools change.
    const MEASURED_PEAK_KIB: [(&str, f64); 12] = [
        ("bonded-1210", 20_448.0),
        ("eu-2026-flat-duty", 80_416.0),
        ("network-eu-paperless", 509_368.0),
        ("network-eu", 510_772.0),
        ("network-mixed-regimes", 195_100.0),
        ("network-peak", 946_924.0),
        ("paper", 109_064.0),
        ("paperless", 80_396.0),
        ("peak-1111", 102_484.0),
        ("pilot-zone-9610", 66_012.0),
        ("pre-arrival", 80_192.0),
        ("us-no-de-minimis", 48_816.0),
    ];

    #[test]
    fn the_memory_estimate_is_within_30_percent_of_the_measured_peak_of_every_shipped_scenario() {
        for (name, kib) in MEASURED_PEAK_KIB {
            let sc = load(&format!("scenarios/{name}.toml"), &[]);
            let one = JobShape {
                replications: 1,
                runs: 1,
                threads: 1,
            };
            let e = estimate(&sc, &one);
            let ratio = e.memory_bytes / (kib * 1024.0);
            assert!(
                (0.7..=1.3).contains(&ratio),
                "{name}: estimate {:.0} MiB, measured {:.0} MiB (ratio {ratio:.2})",
                e.memory_bytes / 1048576.0,
                kib / 1024.0
            );
        }
    }

    fn shape(scenario: &Scenario) -> JobShape {
        JobShape {
            replications: scenario.run.replications as u64,
            runs: 1,
            threads: 2,
        }
    }

    #[test]
    fn every_shipped_scenario_fits_the_default_budget() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for sub in ["scenarios", "scenarios/validation", "tests/fixtures"] {
            for e in std::fs::read_dir(dir.join(sub)).expect("folder") {
                let p = e.expect("entry").path();
                if p.extension().is_some_and(|x| x == "toml") {
                    files.push(p);
                }
            }
        }
        assert!(files.len() >= 15, "found {} scenario files", files.len());
        for p in files {
            let sc = Scenario::load(&p, &[]).expect("shipped scenarios load");
            let e = estimate(&sc, &shape(&sc));
            check(&e, &Budget::default()).unwrap_or_else(|err| panic!("{}: {err}", p.display()));
            // "Comfortably": a quarter of the budget at most.
            assert!(
                e.events < DEFAULT_MAX_EVENTS / 4.0,
                "{}: {e:?}",
                p.display()
            );
            // The shipped networks carry 320,000–520,000 parcels a day (several million in
            // flight, peaks on top): within the budget, not a quarter of it.
            let network = sc.world.as_ref().is_some_and(|w| w.hubs.len() > 1);
            let share = if network { 1.0 } else { 0.25 };
            assert!(
                e.memory_bytes < DEFAULT_MAX_MEMORY_BYTES * share,
                "{}: {e:?}",
                p.display()
            );
        }
    }

    #[test]
    fn a_horizon_of_a_century_is_refused_with_the_flag_that_raises_the_budget() {
        // 1e12 h is refused by validation (at most 100 years); the longest horizon it allows
        // is still far more work than the budget.
        let sc = load("scenarios/paperless.toml", &["run.horizon_h=876000"]);
        let err = check(&estimate(&sc, &shape(&sc)), &Budget::default()).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("--max-events") && msg.contains("events"),
            "{msg}"
        );
    }

    #[test]
    fn a_bag_of_four_billion_parcels_is_refused_and_the_largest_bag_fits() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/world-small.toml");
        let huge: Override = "hub.bag_size=4294967295".parse().expect("override");
        assert!(Scenario::load(&path, &[huge]).is_err());
        let sc = load("tests/fixtures/world-small.toml", &["hub.bag_size=100000"]);
        let e = estimate(&sc, &shape(&sc));
        assert!(check(&e, &Budget::default()).is_ok(), "{e:?}");
    }

    #[test]
    fn a_plain_network_with_near_zero_interarrival_is_refused() {
        let sc = load(
            "scenarios/validation/mm1.toml",
            &[
                "source.arrivals.interarrival_h.mean=1e-9",
                "stage.server.service_h.mean=1e-10",
            ],
        );
        let err = check(&estimate(&sc, &shape(&sc)), &Budget::default()).unwrap_err();
        assert!(err.to_string().contains("events"), "{err}");
    }

    #[test]
    fn huge_arrivals_are_refused_and_raising_the_budget_admits_them() {
        let sc = load(
            "scenarios/validation/mm1.toml",
            &[
                "run.arrivals=1000000000",
                "run.horizon_h=876000",
                "source.arrivals.interarrival_h.mean=0.001",
                "stage.server.service_h.mean=0.0001",
                "run.replications=100",
            ],
        );
        let e = estimate(&sc, &shape(&sc));
        assert!(check(&e, &Budget::default()).is_err());
        let big = Budget {
            max_events: 1e20,
            max_memory_bytes: 1e20,
        };
        assert!(check(&e, &big).is_ok());
    }

    #[test]
    fn parcels_held_in_transit_and_last_mile_count_in_flight() {
        let base = load("tests/fixtures/world-small.toml", &[]);
        let slow = load(
            "tests/fixtures/world-small.toml",
            &["last_mile.delay_h.min=2000", "last_mile.delay_h.max=2100"],
        );
        let (a, b) = (
            estimate(&base, &shape(&base)),
            estimate(&slow, &shape(&slow)),
        );
        assert!(b.in_flight > 2.0 * a.in_flight, "{a:?} vs {b:?}");
    }
}
