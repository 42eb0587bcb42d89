//! A worked walk-through of adding a new kind of node, a bonded warehouse, to clearsim.
//!
//! Run it with `cargo run --release --example bonded_warehouse`.
//!
//! # Part 1 (this program): the node on the engine
//!
//! A node is a piece of the parcel world that holds parcels and releases them: a hub's sort, a
//! customs station, a depot. Here, a bonded warehouse in a pilot zone: orders for stock already
//! in the zone arrive all day; a release desk of `c` officers checks each order (exponential
//! service) and the parcel leaves for the last mile. The program builds that node from the
//! engine's pieces exactly as `src/model/parcel/` does for its own nodes:
//!
//! - events are a small `Copy` enum dispatched by `match` (no allocation per event);
//! - the [`Calendar`] orders them in time (ties by insertion, so runs repeat exactly);
//! - a [`Station`] keeps the desk's books: who is served, who waits, busy time;
//! - every random draw comes from a named [`Stream`] of the replication, so a second scenario
//!   run with the same seed sees the same orders (common random numbers);
//! - statistics are kept in place ([`Tally`]) and reset at the end of the warm-up.
//!
//! It then checks the node against queueing theory (the Erlang C formula for M/M/c), the way
//! `tests/integration/analytic_queues.rs` checks the engine: a new node is trusted when it
//! reproduces a case with a known answer.
//!
//! # Part 2: where the node goes in the parcel world
//!
//! Adding the warehouse to the parcel world touches one place per layer, each with its test:
//!
//! 1. **The file format** (`src/scenario/`, the only place raw input becomes validated data):
//!    the raw serde keys (`[[gateway]]`'s `[gateway.bonded]` table, say) in `network_raw.rs`;
//!    their validation, with the file, line and column of a bad value, in `network_check.rs`
//!    (servers ≥ 0, a service time distribution ≥ 0, a calendar); the validated type on
//!    [`clearsim::scenario::parcel::ParcelWorld`]; the key in docs/scenario.md and the JSON
//!    Schema (`clearsim schema`). Tests: `tests/integration/network_files.rs` (each bad value
//!    refused with its message).
//! 2. **The model** (`src/model/parcel/`): an event variant (`BondedReleased { p }` exists for
//!    the one-chain 1210 mode), the station in `station_names` and `Sim::new`'s list of
//!    stations, so utilisation, waits and the backlog see it, and the handler that moves the
//!    parcel on. Tests: conservation (`tests/integration/conservation.rs`) and a small world
//!    whose answer is known (`tests/integration/network_model.rs`).
//! 3. **The figures** (`src/experiment/summary.rs`, `network_summary.rs`): the node's waits and
//!    utilisation come with the stations; a figure of its own (stock held, say) is added to
//!    the summary with its 95% CI across replications. `src/experiment/seam.rs` needs no
//!    change: the verbs (compare, sweep, stress, …) see the node through the summary.
//! 4. **The outputs** (`src/report/`): the terminal table and the HTML read the summary; the
//!    JSON contract in docs/output.md says what the new figure means and which parcels it
//!    counts (those whose event happened after the warm-up).
//!
//! Then `scripts/golden` shows which outputs changed (only those of scenarios that use the
//! node), and `scripts/test` runs the whole suite.

use clearsim::engine::{Admission, Calendar, Discipline, Dist, Station, Stream, StreamSeeder};
use clearsim::stats::Tally;

/// Something that happened at the warehouse.
#[derive(Clone, Copy, Debug)]
enum Event {
    /// The next order arrives.
    Order,
    /// An officer finished checking the order of parcel `p`.
    Released { p: u32 },
    /// The warm-up ends: statistics restart.
    WarmupEnd,
}

/// The warehouse's settings.
struct Warehouse {
    /// Orders per hour.
    orders_per_h: f64,
    /// Officers at the release desk.
    officers: u32,
    /// Mean check per order [h].
    check_mean_h: f64,
    /// Warm-up [h] and horizon [h].
    warmup_h: f64,
    horizon_h: f64,
}

/// One replication's figures: orders released after the warm-up, their mean wait for an officer
/// and mean time from order to release [h], and the desk's utilisation.
struct Figures {
    released: u64,
    mean_wait_h: f64,
    mean_order_to_release_h: f64,
    utilisation: f64,
}

/// One replication of the warehouse: the event loop.
fn simulate(w: &Warehouse, seed: u64, replication: u64) -> Figures {
    let streams = StreamSeeder::new(seed, replication);
    let mut orders: Stream = streams.stream("orders");
    let mut checks: Stream = streams.stream("release-desk");
    let interarrival = Dist::exponential(1.0 / w.orders_per_h);
    let check = Dist::exponential(w.check_mean_h);

    let mut calendar: Calendar<Event> = Calendar::new();
    let mut desk = Station::new(Discipline::Fifo, w.officers, None, 0.0);
    // When each parcel joined the desk's line [h], by parcel index (a real model reuses slots
    // through a free list; a short example may grow).
    let mut arrived_at: Vec<f64> = Vec::new();
    let mut wait = Tally::new();
    let mut in_warehouse = Tally::new();
    let mut released = 0u64;

    calendar.schedule(interarrival.sample(&mut orders), Event::Order);
    calendar.schedule(w.warmup_h, Event::WarmupEnd);
    while let Some((now, event)) = calendar.pop() {
        if now > w.horizon_h {
            break;
        }
        match event {
            Event::Order => {
                let p = arrived_at.len() as u32;
                arrived_at.push(now);
                if desk.arrive(now, p, 0) == Admission::Start {
                    wait.record(0.0);
                    calendar.schedule(now + check.sample(&mut checks), Event::Released { p });
                }
                calendar.schedule(now + interarrival.sample(&mut orders), Event::Order);
            }
            Event::Released { p } => {
                released += 1;
                in_warehouse.record(now - arrived_at[p as usize]);
                if let Some(next) = desk.finish(now) {
                    wait.record(now - next.since);
                    let p = next.entity;
                    calendar.schedule(now + check.sample(&mut checks), Event::Released { p });
                }
            }
            Event::WarmupEnd => {
                wait = Tally::new();
                in_warehouse = Tally::new();
                released = 0;
                desk.reset_stats(now);
            }
        }
    }
    let end = w.horizon_h;
    Figures {
        released,
        mean_wait_h: wait.mean(),
        mean_order_to_release_h: in_warehouse.mean(),
        utilisation: desk.utilization(end),
    }
}

/// Mean wait in line of M/M/c (Erlang C) [h].
fn erlang_c_wait_h(lambda: f64, mean_service_h: f64, c: u32) -> f64 {
    let a = lambda * mean_service_h;
    let rho = a / c as f64;
    let mut term = 1.0;
    let mut sum = 1.0;
    for k in 1..c {
        term *= a / k as f64;
        sum += term;
    }
    let last = term * a / c as f64 / (1.0 - rho);
    let p_wait = last / (sum + last);
    p_wait * mean_service_h / (c as f64 * (1.0 - rho))
}

fn main() {
    let w = Warehouse {
        orders_per_h: 12_000.0 / 24.0,
        officers: 24,
        check_mean_h: 0.04,
        warmup_h: 24.0,
        horizon_h: 24.0 * 60.0,
    };
    let reps = 10;
    let runs: Vec<Figures> = (0..reps).map(|i| simulate(&w, 1, i)).collect();
    let waits: Vec<f64> = runs.iter().map(|r| r.mean_wait_h).collect();
    let mean = waits.iter().sum::<f64>() / reps as f64;
    let sd = (waits.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (reps - 1) as f64).sqrt();
    // Student's t with 9 degrees of freedom, two-sided 95%.
    let half = 2.262 * sd / (reps as f64).sqrt();
    let exact = erlang_c_wait_h(w.orders_per_h, w.check_mean_h, w.officers);
    let utilisation = runs.iter().map(|r| r.utilisation).sum::<f64>() / reps as f64;
    let released: u64 = runs.iter().map(|r| r.released).sum();
    let order_to_release =
        runs.iter().map(|r| r.mean_order_to_release_h).sum::<f64>() / reps as f64;

    println!(
        "A bonded warehouse's release desk: {} officers, {:.0} orders a day, {:.1} min a check",
        w.officers,
        w.orders_per_h * 24.0,
        w.check_mean_h * 60.0
    );
    println!(
        "  {released} orders released after the warm-up in {reps} replications of {} days",
        (w.horizon_h - w.warmup_h) / 24.0
    );
    println!(
        "  officers busy {:.1}% of the time (offered load {:.1}%)",
        utilisation * 100.0,
        w.orders_per_h * w.check_mean_h / w.officers as f64 * 100.0
    );
    println!(
        "  mean wait for an officer: {:.2} min (95% CI {:.2}–{:.2} min across replications)",
        mean * 60.0,
        (mean - half) * 60.0,
        (mean + half) * 60.0
    );
    println!(
        "  mean time from order to release: {:.2} min (Erlang C: {:.2} min)",
        order_to_release * 60.0,
        (exact + w.check_mean_h) * 60.0
    );
    println!("  Erlang C (M/M/{}): {:.2} min", w.officers, exact * 60.0);
    let inside = (mean - half..=mean + half).contains(&exact);
    println!(
        "  the formula is {} the interval",
        if inside { "inside" } else { "OUTSIDE" }
    );
    if !inside {
        std::process::exit(1);
    }
}
